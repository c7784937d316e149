"""The built-in tables read straight from the packages that ship them, as an independent reference.

The designer's own table of columns (``designer.datasets``) must agree with
what these loaders hold: how many classes a target has (a head's width) and
how many values a category input gives (its one-hot width).
"""

from __future__ import annotations

import functools

import numpy as np


@functools.cache
def distinct_values() -> dict[str, dict[int, int]]:
    """``{dataset: {column position: number of distinct values, or 0 for a number column}}``."""
    from palmerpenguins import load_penguins
    from sklearn import datasets as loaders

    tables = {}
    for name in ("iris", "wine", "breast_cancer", "digits"):
        bunch = getattr(loaders, f"load_{name}")()
        numbers = {i: 0 for i in range(bunch.data.shape[1])}
        tables[name] = {**numbers, bunch.data.shape[1]: len(np.unique(bunch.target))}
    penguins = load_penguins()
    tables["penguins"] = {
        i: 0 if penguins[c].dtype.kind == "f" or penguins[c].dtype.kind == "i" else penguins[c].dropna().nunique()
        for i, c in enumerate(penguins.columns)
    }
    return tables


def width_of(dataset: str, position: int, as_target: bool) -> int:
    """A column's width: as a target, 1 for a number or two classes, else its classes; as an input, 1 or one-hot."""
    distinct = distinct_values()[dataset][position]
    if distinct == 0:
        return 1
    return (1 if distinct == 2 else distinct) if as_target else distinct
