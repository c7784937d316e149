"""The Iris data, split and scaled the way a design's training settings say.

scikit-learn's bundled copy of Iris (no network). A stratified train/test split
on the species; a validation part taken from the training rows, also
stratified; a ``StandardScaler`` fitted on the rows the model is fitted on
(never a validation or test row); the species one-hot; measurement targets
kept in centimetres, so that errors read in cm.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from designer import spec
from designer.network import resolve
from designer.validation import ensure_valid


class DataError(ValueError):
    """Settings that cannot split the data; the message is for the learner."""


@dataclass(frozen=True)
class Part:
    """One part of the data: inputs by input name, targets by head name."""

    rows: np.ndarray  # indices into the 150 Iris rows
    x: dict[str, np.ndarray]  # float32, scaled
    y: dict[str, np.ndarray]  # float32: one-hot species (n, 3) or a measurement in cm (n, 1)

    def __len__(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class Dataset:
    """The training, validation (possibly empty) and test parts, and the fitted scaler."""

    train: Part
    validation: Part
    test: Part
    scaler: StandardScaler
    input_columns: tuple[str, ...]  # the columns the scaler was fitted on, in its order


def input_scaling(data: Dataset, design: dict) -> dict[str, tuple[list[float], list[float]]]:
    """Each input's scaling, as plain lists: ``{input name: (means, variances)}`` of its columns in cm.

    The training rows' mean and variance that the scaler standardised with, so
    that a ``keras.layers.Normalization`` set to them does what the app did.
    """
    groups = {node.name: node.entry["columns"] for node in resolve(design).inputs}
    where = {column: i for i, column in enumerate(data.input_columns)}
    return {
        name: (
            [float(data.scaler.mean_[where[c]]) for c in columns],
            [float(data.scaler.var_[where[c]]) for c in columns],
        )
        for name, columns in groups.items()
    }


@cache
def iris() -> tuple[np.ndarray, np.ndarray]:
    """All 150 rows: the four measurements (cm) and the species codes (0, 1, 2)."""
    bunch = load_iris()
    measurements = np.asarray(bunch.data, dtype=np.float64)
    measurements.setflags(write=False)
    species = np.asarray(bunch.target)
    species.setflags(write=False)
    return measurements, species


def prepare(design: dict) -> Dataset:
    """Split and scale Iris for a valid design, with its training settings."""
    net = resolve(ensure_valid(design))
    settings = spec.training_settings(design)
    measurements, species = iris()
    train_rows, validation_rows, test_rows = split_rows(
        species, settings["test_size"], settings["validation_split"], settings["seed"]
    )
    groups = {node.name: node.entry["columns"] for node in net.inputs}
    columns = tuple(c for c in spec.NUMERIC_COLUMNS if any(c in cols for cols in groups.values()))
    indices = [spec.NUMERIC_COLUMNS.index(c) for c in columns]
    scaler = StandardScaler().fit(measurements[np.ix_(train_rows, indices)])
    targets = {head.name: head.entry["target"] for head in net.heads}

    def part(rows: np.ndarray) -> Part:
        x = _scaled_inputs(scaler, columns, groups, measurements[np.ix_(rows, indices)])
        y = {name: _target(target, rows).astype(np.float32) for name, target in targets.items()}
        return Part(rows, x, y)

    return Dataset(part(train_rows), part(validation_rows), part(test_rows), scaler, columns)


def model_inputs(data: Dataset, design: dict, measurements: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The model's inputs for any measurements in cm (column -> values), scaled exactly as training scaled them.

    Every one of ``data.input_columns`` must be given, each as an array of the same length.
    """
    groups = {node.name: node.entry["columns"] for node in resolve(design).inputs}
    raw = np.column_stack([np.asarray(measurements[c], dtype=np.float64) for c in data.input_columns])
    return _scaled_inputs(data.scaler, data.input_columns, groups, raw)


def _scaled_inputs(scaler, columns, groups, raw: np.ndarray) -> dict[str, np.ndarray]:
    """Raw rows of ``columns`` in cm, standardised by ``scaler``, split into the model's inputs (float32)."""
    scaled = scaler.transform(raw) if len(raw) else np.empty((0, len(columns)))
    return {name: scaled[:, [columns.index(c) for c in cols]].astype(np.float32) for name, cols in groups.items()}


def split_rows(species: np.ndarray, test_size: float, validation_split: float, seed: int):
    """Row indices of the training, validation and test parts, stratified on the species."""
    rows = np.arange(len(species))
    try:
        train, test = train_test_split(rows, test_size=test_size, random_state=seed, stratify=species)
        validation = np.array([], dtype=int)
        if validation_split > 0:
            train, validation = train_test_split(
                train, test_size=validation_split, random_state=seed, stratify=species[train]
            )
    except ValueError:
        raise DataError(
            f"training.test_size {test_size} and training.validation_split {validation_split} leave too few "
            "rows of each species in some part; try a test size around 0.2 and a validation split around 0.2"
        ) from None
    return np.sort(train), np.sort(validation), np.sort(test)


def _target(target: str, rows: np.ndarray) -> np.ndarray:
    measurements, species = iris()
    if spec.is_classification(target):
        return np.eye(len(spec.SPECIES))[species[rows]]
    return measurements[rows, spec.NUMERIC_COLUMNS.index(target)].reshape(-1, 1)
