"""Tests of ``designer.baseline``: scikit-learn's plain models on the network's rows (no TensorFlow).

Every expected score is computed here from scikit-learn's own ``load_iris()``
and the design file's own text (its input columns and training block), never
from ``designer.data`` or ``designer.baseline``. The network is fed float32
inputs and compared with float32 targets, so the expected computation makes
the same cast before fitting.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import accuracy_score, mean_absolute_error
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from designer import presets
from designer.baseline import Baseline, baselines, verdict
from designer.data import prepare

ROOT = Path(__file__).resolve().parent.parent
IRIS = load_iris()
RAW = np.asarray(IRIS.data, dtype=np.float64)
SPECIES = np.asarray(IRIS.target)
COLUMNS = ("sepal_length", "sepal_width", "petal_length", "petal_width")  # load_iris().data's column order
DEFAULTS = {"test_size": 0.2, "validation_split": 0.2, "seed": 42}  # the lecture's; a training block overrides them


def preset(key: str) -> dict:
    return next(p for p in presets.presets() if p.key == key).load()


def input_columns(design: dict) -> list[str]:
    """The design's input columns, read from its file: one list, or each named input's list in order."""
    inputs = design["inputs"]
    groups = inputs.values() if isinstance(inputs, dict) else [inputs]
    return [column for group in groups for column in group]


def split(design: dict) -> tuple[np.ndarray, np.ndarray]:
    """The training and test rows: a stratified test split, then a stratified validation split of the rest."""
    settings = {**DEFAULTS, **design.get("training", {})}
    seed = settings["seed"]
    train, test = train_test_split(np.arange(150), test_size=settings["test_size"], random_state=seed, stratify=SPECIES)
    if settings["validation_split"] > 0:
        train, _ = train_test_split(
            train, test_size=settings["validation_split"], random_state=seed, stratify=SPECIES[train]
        )
    return np.sort(train), np.sort(test)


def expected_score(design: dict, target: str, columns: list[str] | None = None) -> float:
    """Logistic regression's test accuracy (species) or linear regression's test MAE in cm, from scratch."""
    train, test = split(design)
    indices = [COLUMNS.index(c) for c in (columns or input_columns(design))]
    scaler = StandardScaler().fit(RAW[np.ix_(train, indices)])

    def x(rows):
        return scaler.transform(RAW[np.ix_(rows, indices)]).astype(np.float32).astype(np.float64)

    if target == "species":
        model = LogisticRegression(max_iter=1000).fit(x(train), SPECIES[train])
        return accuracy_score(SPECIES[test], model.predict(x(test)))
    y = RAW[:, COLUMNS.index(target)].astype(np.float32).astype(np.float64)
    model = LinearRegression().fit(x(train), y[train])
    return mean_absolute_error(y[test], model.predict(x(test)))


def test_lecture_species_is_logistic_regression_on_the_training_rows():
    design = preset("lecture_sequential")
    assert len(input_columns(design)) == 4
    [(name, found)] = baselines(design).items()
    assert name == "species"
    assert (found.head, found.model, found.metric) == ("species", "logistic regression", "accuracy")
    assert found.score == pytest.approx(expected_score(design, "species"), abs=1e-12)


def test_lecture_logistic_regression_is_a_fair_baseline():
    """Iris is nearly linearly separable: a plain logistic regression gets most test flowers right."""
    assert baselines(preset("lecture_sequential"))["species"].score >= 0.8


def test_two_outputs_measurement_head_is_linear_regression_mae_in_cm():
    design = preset("lecture_two_outputs")
    assert input_columns(design) == ["sepal_length", "sepal_width", "petal_length"]
    found = baselines(design)
    assert set(found) == {"species", "petal_width"}
    width = found["petal_width"]
    assert (width.head, width.model, width.metric) == ("petal_width", "linear regression", "mae")
    assert width.score == pytest.approx(expected_score(design, "petal_width"), abs=1e-12)
    assert found["species"].score == pytest.approx(expected_score(design, "species"), abs=1e-12)


def reversed_inputs(design: dict) -> dict:
    return {**design, "inputs": dict(reversed(design["inputs"].items()))}


def two_inputs_to_petal_width() -> dict:
    """``two_input_branches`` predicting the petal width from its petal length and sepals: two inputs, both matter."""
    design = preset("two_input_branches")
    inputs = {"sepal": ["sepal_length", "sepal_width"], "petal": ["petal_length"]}
    heads = [*design["heads"], {"name": "petal_width", "target": "petal_width"}]
    return {**design, "inputs": inputs, "heads": heads}


TWO_INPUTS = [preset("two_input_branches"), two_inputs_to_petal_width()]


@pytest.mark.parametrize("design", [*TWO_INPUTS, *map(reversed_inputs, TWO_INPUTS)])
def test_two_inputs_are_side_by_side_in_the_design_order(design):
    found = baselines(design)
    assert set(found) == {head["name"] for head in design["heads"]}
    for head in design["heads"]:
        expected = expected_score(design, head["target"])
        assert found[head["name"]].score == pytest.approx(expected, abs=1e-12)


def test_the_two_input_check_can_tell_one_input_from_both():
    """One input's columns alone score differently from both inputs' (so using only one would fail above)."""
    design = two_inputs_to_petal_width()
    both = expected_score(design, "petal_width")
    for columns in design["inputs"].values():
        assert expected_score(design, "petal_width", columns) != pytest.approx(both, abs=1e-12)
    assert expected_score(design, "species", ["sepal_length", "sepal_width"]) != pytest.approx(
        expected_score(preset("two_input_branches"), "species"), abs=1e-12
    )


def test_training_settings_are_the_designs():
    """Another seed, test size and no validation rows: the baseline follows the design's training block."""
    design = {**preset("lecture_two_outputs"), "training": {"seed": 7, "test_size": 0.3, "validation_split": 0.0}}
    found = baselines(design)
    assert found["species"].score == pytest.approx(expected_score(design, "species"), abs=1e-12)
    assert found["petal_width"].score == pytest.approx(expected_score(design, "petal_width"), abs=1e-12)


def test_given_data_is_the_data_scored():
    """``data`` is used as given: here prepared with seed 3, for a design that says nothing of seeds."""
    design = preset("lecture_two_outputs")
    seeded = {**design, "training": {"seed": 3}}
    found = baselines(design, prepare(seeded))
    assert found["petal_width"].score == pytest.approx(expected_score(seeded, "petal_width"), abs=1e-12)


ACCURACY = Baseline("species", "logistic regression", "accuracy", 0.9333333333333333)
MAE = Baseline("petal_width", "linear regression", "mae", 0.1714, "cm")


@pytest.mark.parametrize(
    ("plain", "network", "sentence"),
    [
        (
            ACCURACY,
            0.9666666666666667,
            "The network's accuracy on the test rows, 96.7 %, beats logistic regression's 93.3 % on the same inputs.",
        ),
        (
            ACCURACY,
            0.9,
            "The network's accuracy on the test rows, 90.0 %, does not beat logistic regression's 93.3 % "
            "on the same inputs.",
        ),
        (
            ACCURACY,
            0.9334,  # higher, but the same 93.3 % on screen
            "The network's accuracy on the test rows, 93.3 %, ties with logistic regression's 93.3 % "
            "on the same inputs.",
        ),
        (
            MAE,
            0.155,  # lower error is better
            "The network's mean absolute error on the test rows, 0.155 cm, beats linear regression's 0.171 cm "
            "on the same inputs.",
        ),
        (
            MAE,
            0.2,
            "The network's mean absolute error on the test rows, 0.200 cm, does not beat linear regression's "
            "0.171 cm on the same inputs.",
        ),
        (
            MAE,
            0.1711,  # lower, but the same 0.171 cm on screen
            "The network's mean absolute error on the test rows, 0.171 cm, ties with linear regression's 0.171 cm "
            "on the same inputs.",
        ),
    ],
)
def test_verdict_wording(plain, network, sentence):
    assert verdict(plain, network) == sentence


def test_the_module_loads_no_keras_nor_streamlit():
    """Imported in a fresh process, the baseline loads neither TensorFlow/Keras nor Streamlit."""
    code = "import sys, designer.baseline; print(sorted({m.split('.')[0] for m in sys.modules}))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert {"tensorflow", "keras", "streamlit"}.isdisjoint(ast.literal_eval(done.stdout.strip().splitlines()[-1]))
