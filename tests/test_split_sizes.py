"""Checks that need the data's size, made by ``validate`` before anything trains, against scikit-learn.

``validation.split_sizes`` counts the rows of each part from the settings alone;
scikit-learn's ``train_test_split`` (through ``designer.data.split_rows``, the
split training really uses) is the reference: the same sizes, and a design is
refused exactly when scikit-learn cannot split it.
"""

from __future__ import annotations

import itertools

import pytest

from designer import datasets, presets
from designer.data import DataError, iris, split_rows
from designer.validation import errors, split_sizes, validate

FRACTIONS = [0.0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.25, 1 / 3, 0.5, 0.7, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995]


def with_training(**settings) -> dict:
    design = presets.default_design()
    design["training"] = settings
    return design


def test_the_dataset_size_is_irises():
    assert len(iris()[1]) == datasets.IRIS.rows == 150


@pytest.mark.parametrize(("test_size", "validation_split"), itertools.product(FRACTIONS[1:], FRACTIONS))
def test_sizes_and_refusals_match_scikit_learn(test_size, validation_split):
    species = iris()[1]
    design = with_training(test_size=test_size, validation_split=validation_split, batch_size=1)
    refused = [p.field for p in errors(validate(design))]
    try:
        train, validation, test = split_rows(len(species), species, test_size, validation_split, seed=42)
    except DataError:
        assert refused == ["training.test_size"]
        return
    assert refused == []
    assert split_sizes(len(species), test_size, validation_split) == (len(train), len(validation), len(test))


def test_a_batch_larger_than_the_training_rows_is_refused_by_validation():
    # 150 rows: 30 for the test, then 24 of the other 120 for validation, which leaves 96 to train on.
    assert split_sizes(150, 0.2, 0.2) == (96, 24, 30)
    assert errors(validate(with_training(batch_size=96))) == []
    (problem,) = errors(validate(with_training(batch_size=97)))
    assert problem.message == "training.batch_size must be at most the 96 training rows, got 97"
    assert problem.on_page == "Training: batch size must be at most the 96 training rows, got 97"
