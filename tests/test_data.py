"""Tests of ``designer.data.prepare``: the Iris split, the scaler, the targets (no TensorFlow).

Every expected value is computed here from scikit-learn's own ``load_iris()``,
never from ``designer.data``: the rows a part holds are the only thing taken
from the code under test, and everything said about them is checked against
the raw data.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from sklearn.datasets import load_iris

from designer import presets
from designer.data import DataError, iris, prepare, split_rows
from designer.validation import InvalidDesign

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = ("sepal_length", "sepal_width", "petal_length", "petal_width")  # load_iris().data's column order
IRIS = load_iris()
RAW = np.asarray(IRIS.data, dtype=np.float64)
SPECIES = np.asarray(IRIS.target)


def preset(key: str) -> dict:
    return next(p for p in presets.presets() if p.key == key).load()


def with_training(design: dict, **training) -> dict:
    return {**design, "training": {**design.get("training", {}), **training}}


def raw(rows: np.ndarray, columns) -> np.ndarray:
    """The raw measurements (cm) of some rows and columns, straight from load_iris()."""
    return RAW[np.ix_(rows, [COLUMNS.index(c) for c in columns])]


def standardised(rows: np.ndarray, columns, train_rows: np.ndarray) -> np.ndarray:
    """What the scaled inputs should be: standardised with the training rows' mean and (population) std."""
    fitted = raw(train_rows, columns)
    return (raw(rows, columns) - fitted.mean(axis=0)) / fitted.std(axis=0)


def two_groups_out_of_order() -> dict:
    """Two input groups whose columns are not in load_iris()'s order, nor in each other's."""
    return {
        "version": 1,
        "inputs": {"petal": ["petal_width", "petal_length"], "sepal": ["sepal_width"]},
        "layers": [{"name": "joined", "type": "concatenate", "from": ["petal", "sepal"]}],
        "heads": [{"name": "species", "target": "species"}],
    }


# --- the three parts ---------------------------------------------------------------------------


def assert_partition(data) -> None:
    parts = [data.train.rows, data.validation.rows, data.test.rows]
    everything = np.concatenate(parts)
    assert len(everything) == 150
    assert sorted(everything.tolist()) == list(range(150)), "the parts must be disjoint and cover every row"


def assert_stratified(data) -> None:
    for part in (data.train, data.validation, data.test):
        n = len(part)
        for species in range(3):
            count = int(np.sum(SPECIES[part.rows] == species))
            # Iris has 50 rows of each species: a stratified part holds about a third of each.
            assert abs(count - n / 3) <= 1, (species, count, n)


def expected_sizes(test_size: float, validation_split: float) -> tuple[int, int, int]:
    """scikit-learn's convention: a fractional test part is rounded up, the rest is the training part."""
    test = math.ceil(test_size * 150)
    validation = math.ceil(validation_split * (150 - test)) if validation_split > 0 else 0
    return 150 - test - validation, validation, test


def test_the_lecture_split_partitions_the_150_rows():
    data = prepare(preset("lecture_sequential"))
    assert_partition(data)
    assert (len(data.train), len(data.validation), len(data.test)) == (96, 24, 30)


def test_the_lecture_split_is_stratified():
    data = prepare(preset("lecture_sequential"))
    assert_stratified(data)
    # 96 / 24 / 30 rows split exactly evenly: 32 / 8 / 10 of each species.
    for part, each in ((data.train, 32), (data.validation, 8), (data.test, 10)):
        assert np.bincount(SPECIES[part.rows], minlength=3).tolist() == [each] * 3


@pytest.mark.parametrize(
    ("test_size", "validation_split"),
    [(0.2, 0.2), (0.3, 0.0), (0.1, 0.25), (0.5, 0.5), (0.25, 0.1), (0.4, 0.3)],
)
def test_sizes_follow_test_size_and_validation_split(test_size, validation_split):
    data = prepare(with_training(preset("lecture_sequential"), test_size=test_size, validation_split=validation_split))
    assert (len(data.train), len(data.validation), len(data.test)) == expected_sizes(test_size, validation_split)
    assert_partition(data)
    assert_stratified(data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    test_size=st.floats(0.05, 0.9),
    validation_split=st.one_of(st.just(0.0), st.floats(0.05, 0.9)),
    seed=st.integers(0, 2**31 - 1),
)
def test_any_possible_split_is_a_stratified_partition_of_the_right_sizes(test_size, validation_split, seed):
    design = with_training(
        preset("lecture_sequential"), test_size=test_size, validation_split=validation_split, seed=seed
    )
    try:
        data = prepare(design)
    except InvalidDesign:  # validation refuses a split that leaves a species out of a part, before any data
        reject()
    assert_partition(data)
    assert_stratified(data)
    assert (len(data.train), len(data.validation), len(data.test)) == expected_sizes(test_size, validation_split)


def test_validation_split_zero_gives_an_empty_validation_part():
    data = prepare(with_training(preset("lecture_two_outputs"), validation_split=0))
    assert len(data.validation) == 0
    assert (len(data.train), len(data.test)) == (120, 30)
    assert_partition(data)
    assert data.validation.x["input"].shape == (0, 3)
    assert data.validation.y["species"].shape == (0, 3)
    assert data.validation.y["petal_width"].shape == (0, 1)


# --- the scaler sees the training rows only ----------------------------------------------------


@pytest.mark.parametrize("key", ["lecture_sequential", "lecture_two_outputs", "two_input_branches"])
def test_the_scaler_is_fitted_on_exactly_the_training_rows(key):
    design = preset(key)
    data = prepare(design)
    columns = data.input_columns
    fitted = raw(data.train.rows, columns)
    np.testing.assert_allclose(data.scaler.mean_, fitted.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(data.scaler.var_, fitted.var(axis=0), rtol=1e-12)
    assert data.scaler.n_samples_seen_ == len(data.train) == 96
    # Not the mean of all the rows, nor of training + validation: the check can tell them apart.
    seen_by_model = np.concatenate([data.train.rows, data.validation.rows])
    assert not np.allclose(data.scaler.mean_, raw(seen_by_model, columns).mean(axis=0), rtol=1e-6)
    assert not np.allclose(data.scaler.mean_, raw(np.arange(150), columns).mean(axis=0), rtol=1e-6)


def test_the_scaler_columns_are_the_designs_inputs():
    assert prepare(preset("lecture_sequential")).input_columns == COLUMNS
    assert prepare(preset("lecture_two_outputs")).input_columns == ("sepal_length", "sepal_width", "petal_length")


def test_scaled_training_inputs_have_mean_zero_and_std_one():
    data = prepare(preset("lecture_sequential"))
    x = data.train.x["input"].astype(np.float64)
    np.testing.assert_allclose(x.mean(axis=0), 0, atol=1e-6)
    np.testing.assert_allclose(x.std(axis=0), 1, atol=1e-6)
    # ...while the held-out parts are not exactly standardised (they were not fitted on).
    assert not np.allclose(data.test.x["input"].mean(axis=0), 0, atol=1e-3)


@pytest.mark.parametrize("part_name", ["train", "validation", "test"])
def test_every_parts_inputs_are_its_own_rows_standardised_with_the_training_statistics(part_name):
    data = prepare(preset("lecture_sequential"))
    part = getattr(data, part_name)
    assert part.x["input"].dtype == np.float32
    np.testing.assert_allclose(part.x["input"], standardised(part.rows, COLUMNS, data.train.rows), rtol=1e-5, atol=1e-5)


# --- targets -----------------------------------------------------------------------------------


@pytest.mark.parametrize("part_name", ["train", "validation", "test"])
def test_species_targets_are_one_hot_and_agree_with_load_iris(part_name):
    part = getattr(prepare(preset("lecture_sequential")), part_name)
    y = part.y["species"]
    assert y.shape == (len(part), 3)
    assert y.dtype == np.float32
    assert set(np.unique(y).tolist()) == {0.0, 1.0}
    np.testing.assert_array_equal(y.sum(axis=1), 1)
    np.testing.assert_array_equal(np.argmax(y, axis=1), SPECIES[part.rows])


@pytest.mark.parametrize("part_name", ["train", "validation", "test"])
def test_a_numeric_target_stays_in_centimetres(part_name):
    data = prepare(preset("lecture_two_outputs"))
    part = getattr(data, part_name)
    y = part.y["petal_width"]
    assert y.shape == (len(part), 1)
    np.testing.assert_allclose(y[:, 0], RAW[part.rows, COLUMNS.index("petal_width")], rtol=1e-6)
    assert y.min() >= 0.1 and y.max() <= 2.5  # petal widths in cm, not standardised
    np.testing.assert_array_equal(np.argmax(part.y["species"], axis=1), SPECIES[part.rows])


# --- input groups ------------------------------------------------------------------------------


def test_input_groups_get_their_columns_in_order():
    data = prepare(preset("two_input_branches"))
    assert set(data.train.x) == {"sepal", "petal"}
    for part in (data.train, data.validation, data.test):
        np.testing.assert_allclose(
            part.x["sepal"], standardised(part.rows, ["sepal_length", "sepal_width"], data.train.rows), atol=1e-5
        )
        np.testing.assert_allclose(
            part.x["petal"], standardised(part.rows, ["petal_length", "petal_width"], data.train.rows), atol=1e-5
        )


def test_input_groups_keep_the_designs_column_order_not_the_datasets():
    data = prepare(two_groups_out_of_order())
    for part in (data.train, data.validation, data.test):
        assert part.x["petal"].shape == (len(part), 2)
        assert part.x["sepal"].shape == (len(part), 1)
        np.testing.assert_allclose(
            part.x["petal"], standardised(part.rows, ["petal_width", "petal_length"], data.train.rows), atol=1e-5
        )
        np.testing.assert_allclose(
            part.x["sepal"], standardised(part.rows, ["sepal_width"], data.train.rows), atol=1e-5
        )


def test_a_list_of_input_columns_out_of_order_keeps_its_order():
    design = {
        "version": 1,
        "inputs": ["petal_width", "sepal_length"],
        "heads": [{"name": "species", "target": "species"}],
    }
    data = prepare(design)
    np.testing.assert_allclose(
        data.test.x["input"], standardised(data.test.rows, ["petal_width", "sepal_length"], data.train.rows), atol=1e-5
    )


# --- seeds -------------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_split():
    first = prepare(with_training(preset("lecture_sequential"), seed=7))
    second = prepare(with_training(preset("lecture_sequential"), seed=7))
    for a, b in ((first.train, second.train), (first.validation, second.validation), (first.test, second.test)):
        np.testing.assert_array_equal(a.rows, b.rows)
        np.testing.assert_array_equal(a.x["input"], b.x["input"])
        np.testing.assert_array_equal(a.y["species"], b.y["species"])


def test_a_different_seed_gives_a_different_split():
    first = prepare(with_training(preset("lecture_sequential"), seed=7))
    second = prepare(with_training(preset("lecture_sequential"), seed=8))
    assert not np.array_equal(first.test.rows, second.test.rows)
    assert not np.array_equal(first.validation.rows, second.validation.rows)
    assert_stratified(second)


def test_the_default_seed_is_42():
    default = prepare(preset("lecture_sequential"))
    explicit = prepare(with_training(preset("lecture_sequential"), seed=42))
    np.testing.assert_array_equal(default.test.rows, explicit.test.rows)


# --- impossible settings -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("test_size", "validation_split"),
    [(0.99, 0.2), (0.01, 0.2), (0.99, 0.0), (0.2, 0.99), (0.2, 0.01)],
)
def test_impossible_settings_raise_a_data_error_naming_the_field(test_size, validation_split):
    design = with_training(preset("lecture_sequential"), test_size=test_size, validation_split=validation_split)
    with pytest.raises(InvalidDesign) as caught:  # validation refuses them, before the data is split
        prepare(design)
    assert "training.test_size" in str(caught.value)
    with pytest.raises(DataError) as caught:  # and scikit-learn's split, asked directly, cannot make them
        split_rows(150, iris()[1], test_size, validation_split, seed=42)
    assert "training.test_size" in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_preparing_the_data_does_not_import_tensorflow():
    code = (
        "import sys, json\n"
        "from designer import data, presets\n"
        "data.prepare(presets.default_design())\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
