"""The built-in datasets: the designer's table of their columns, and what their presets learn.

Every expected value comes from the packages that ship the data (scikit-learn's
loaders, ``palmerpenguins``), from Keras or from scikit-learn's metrics, never
from ``designer.datasets`` or ``designer.data``. The pure tests compare the
designer's table of columns with the loaders; the training tests (marked
``keras``) train each dataset's preset with its own settings and check what it
reaches on the test rows.

:func:`reference_names` is also what ``tests/test_params_against_keras.py``
builds its random designs from, so that they name the columns as the loaders
do, not as the code under test does.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest
from reference_tables import distinct_values

from designer import datasets, spec

ROOT = Path(__file__).resolve().parent.parent
SKLEARN = ("iris", "wine", "breast_cancer", "digits")  # scikit-learn's load_<name>()
BUILT_IN = (*SKLEARN, "penguins")
# The loaders keep the class apart from the data, unnamed: the designer's name for it is its last column.
TARGET_NAMES = {"iris": "species", "wine": "cultivar", "breast_cancer": "diagnosis", "digits": "digit"}
# Where the designer shortens a loader's name: the one exception to "spaces and / become _".
RENAMED = {"od280_od315_of_diluted_wines": "od280_od315"}
UNITS = {" (cm)": "cm"}  # a unit suffix in a loader's feature name (Iris'): the designer keeps it as the unit


@functools.cache
def sklearn_bunch(name: str):
    from sklearn import datasets as loaders

    return getattr(loaders, f"load_{name}")()


@functools.cache
def penguins_frame():
    from palmerpenguins import load_penguins

    return load_penguins()


def design_name(feature: str) -> str:
    """A loader's feature name as a design names the column: unit suffix dropped, spaces and "/" made "_"."""
    for suffix in UNITS:
        feature = feature.removesuffix(suffix)
    name = feature.replace(" ", "_").replace("/", "_")
    return RENAMED.get(name, name)


@functools.cache
def reference_names(dataset: str) -> tuple[str, ...]:
    """Every column of a built-in dataset, in the loader's order, named as a design names it."""
    if dataset == "penguins":
        return tuple(str(c) for c in penguins_frame().columns)
    return (*(design_name(str(f)) for f in sklearn_bunch(dataset).feature_names), TARGET_NAMES[dataset])


def complete_rows(dataset: str) -> int:
    """The rows with every value present, counted from the loader."""
    if dataset == "penguins":
        return len(penguins_frame().dropna())
    data = np.asarray(sklearn_bunch(dataset).data, dtype=np.float64)
    return int((~np.isnan(data).any(axis=1)).sum())


def reference_categories(dataset: str, position: int) -> tuple[str, ...]:
    """A category column's values as the loader has them: the class names in code order, or penguins' sorted."""
    if dataset == "penguins":
        column = penguins_frame().iloc[:, position]
        return tuple(sorted(str(v) for v in column.dropna().unique()))
    return tuple(str(v) for v in sklearn_bunch(dataset).target_names)


# --------------------------------------------------------------------------
# The designer's table of columns against the loaders (pure: no Keras)
# --------------------------------------------------------------------------


def test_the_built_in_datasets_are_the_loaders():
    assert set(datasets.BUILT_IN) == set(BUILT_IN) == set(distinct_values())


@pytest.mark.parametrize("dataset", BUILT_IN)
def test_columns_agree_with_the_loader(dataset):
    table = datasets.BUILT_IN[dataset]
    distinct = distinct_values()[dataset]
    assert table.name == dataset
    assert len(table.names) == len(distinct)
    assert table.names == reference_names(dataset)
    for position, column in enumerate(table.columns):
        count = distinct[position]
        assert column.is_category == (count > 0), column.name
        assert len(column.categories) == count, column.name
        if count:
            assert column.categories == reference_categories(dataset, position), column.name
            assert len(column.features) == count  # one-hot: one feature per value
    assert table.rows == complete_rows(dataset)


def test_row_counts_are_those_the_about_texts_give():
    """The counts the loaders give are the ones the picker's sentences and the issue state."""
    counts = {dataset: complete_rows(dataset) for dataset in BUILT_IN}
    assert counts == {"iris": 150, "wine": 178, "breast_cancer": 569, "penguins": 333, "digits": 1797}
    assert {name: table.rows for name, table in datasets.BUILT_IN.items()} == counts
    assert len(penguins_frame()) == 344 == datasets.PENGUINS.all_rows  # before the rows missing a value are left out
    for name in SKLEARN:  # no gaps: every row is complete, and all_rows is left at 0
        assert datasets.BUILT_IN[name].all_rows == 0 and len(sklearn_bunch(name).data) == counts[name], name


@pytest.mark.parametrize("dataset", SKLEARN)
def test_sklearn_names_are_the_feature_names_with_underscores(dataset):
    features = [str(f) for f in sklearn_bunch(dataset).feature_names]
    names = datasets.BUILT_IN[dataset].names
    assert names[-1] == TARGET_NAMES[dataset]
    assert datasets.BUILT_IN[dataset].target == TARGET_NAMES[dataset]
    for feature, name in zip(features, names[:-1], strict=True):
        plain = feature.removesuffix(" (cm)").replace(" ", "_").replace("/", "_")
        if feature == "od280/od315_of_diluted_wines":
            assert name == "od280_od315"
        else:
            assert name == plain, feature


def test_the_wine_column_the_designer_renames():
    features = list(sklearn_bunch("wine").feature_names)
    names = datasets.WINE.names
    position = features.index("od280/od315_of_diluted_wines")
    assert names[position] == "od280_od315"
    assert "od280_od315_of_diluted_wines" not in names
    assert datasets.WINE.column("od280_od315") is not None
    assert not datasets.WINE.column("od280_od315").is_category


def test_units_are_those_the_loaders_name():
    iris_features = [str(f) for f in sklearn_bunch("iris").feature_names]
    assert all(f.endswith(" (cm)") for f in iris_features)
    assert {datasets.IRIS.column(n).unit for n in datasets.IRIS.numbers} == {"cm"}
    for name in datasets.PENGUINS.numbers:
        unit = name.rsplit("_", 1)[1] if name.endswith(("_mm", "_g")) else ""
        assert datasets.PENGUINS.column(name).unit == unit, name


@pytest.mark.parametrize("dataset", BUILT_IN)
def test_a_two_class_target_gets_one_unit(dataset):
    table = datasets.BUILT_IN[dataset]
    for position, name in enumerate(table.names):
        distinct = distinct_values()[dataset][position]
        task = table.task(name)
        assert task.units == (distinct if distinct > 2 else 1), name
        assert task.is_binary == (distinct == 2), name


# --------------------------------------------------------------------------
# Training each dataset's preset (Keras)
# --------------------------------------------------------------------------

# The thresholds for each preset's test accuracy, with the preset's own settings.
ACCURACY = {"wine": 0.9, "breast_cancer": 0.93, "penguins": 0.9, "digits": 0.9}
BODY_MASS_MAE = 400  # g: the README's "within 400 g" for the penguins' body-mass head
CLASS_HEAD = {"wine": "cultivar", "breast_cancer": "diagnosis", "penguins": "species", "digits": "digit"}


def preset_design(dataset: str) -> dict:
    return spec.load(ROOT / "assets" / "designs" / f"{dataset}.json")


@functools.cache
def trained(dataset: str):
    """The preset's trainer, trained once with the preset's settings (shared by the tests below)."""
    from designer.training import Trainer

    trainer = Trainer(preset_design(dataset))
    trainer.train()
    return trainer


def kept_rows(dataset: str, design: dict):
    """The loader's rows a design trains on, as ``(frame of the design's columns, class codes)``.

    The rows of a part index these: every row, or for the penguins those with
    every column the design reads present. Codes follow the loader's classes:
    scikit-learn's target codes, the penguins' species in alphabetical order.
    """
    import pandas as pd

    if dataset == "penguins":
        groups = design["inputs"]
        read = set(groups if isinstance(groups, list) else [c for cols in groups.values() for c in cols])
        read |= {head["target"] for head in design["heads"]}
        frame = penguins_frame().dropna(subset=sorted(read)).reset_index(drop=True)
        species = reference_categories("penguins", 0)
        return frame, frame["species"].map(species.index).to_numpy()
    bunch = sklearn_bunch(dataset)
    return pd.DataFrame(bunch.data), np.asarray(bunch.target)


def predicted_codes(probabilities: np.ndarray) -> np.ndarray:
    """The class each row is given: above 0.5 for one sigmoid unit (the second class), else the largest unit."""
    if probabilities.shape[1] == 1:
        return (probabilities[:, 0] > 0.5).astype(int)
    return np.argmax(probabilities, axis=1)


def accuracy_name(design: dict, head: str) -> str:
    """Keras' name of a head's accuracy: plain with one head, prefixed by the head's name with several."""
    return "accuracy" if len(design["heads"]) == 1 else f"{head}_accuracy"


@pytest.mark.keras
@pytest.mark.parametrize("dataset", ACCURACY)
def test_the_preset_reaches_its_test_accuracy(dataset):
    trainer = trained(dataset)
    design = trainer.design
    metrics = trainer.evaluate(trainer.data.test)
    accuracy = metrics[accuracy_name(design, CLASS_HEAD[dataset])]
    assert accuracy >= ACCURACY[dataset], f"{dataset}: test accuracy {accuracy:.3f} < {ACCURACY[dataset]}"


@pytest.mark.keras
@pytest.mark.parametrize("dataset", ACCURACY)
def test_the_test_accuracy_is_scikit_learns(dataset):
    """The accuracy the app reports is scikit-learn's, on the loader's own labels of the test rows."""
    from sklearn.metrics import accuracy_score

    trainer = trained(dataset)
    design = trainer.design
    head = CLASS_HEAD[dataset]
    test = trainer.data.test
    _, codes = kept_rows(dataset, design)
    predictions = trainer.predict(test)[head]
    expected_units = distinct_values()[dataset][datasets.BUILT_IN[dataset].names.index(head)]
    assert predictions.shape == (len(test), 1 if expected_units == 2 else expected_units)
    reference = accuracy_score(codes[test.rows], predicted_codes(predictions))
    assert trainer.evaluate(test)[accuracy_name(design, head)] == pytest.approx(reference, abs=1e-6)


@pytest.mark.keras
@pytest.mark.parametrize("dataset", ACCURACY)
def test_predict_is_keras_predict(dataset):
    trainer = trained(dataset)
    heads = [head["name"] for head in trainer.design["heads"]]
    for part in (trainer.data.train, trainer.data.validation, trainer.data.test):
        xs = [part.x[name] for name in trainer.input_names]
        by_keras = trainer.model.predict(xs[0] if len(xs) == 1 else xs, verbose=0)
        by_keras = list(by_keras) if isinstance(by_keras, (list, tuple)) else [by_keras]
        ours = trainer.predict(part)
        assert list(ours) == heads
        for head, keras_output in zip(heads, by_keras, strict=True):
            np.testing.assert_allclose(ours[head], keras_output, rtol=0, atol=1e-5, err_msg=f"{dataset}.{head}")


@pytest.mark.keras
def test_the_penguins_body_mass_head_is_within_the_readme_error():
    """Body mass from the other measurements: within 400 g on the test rows, and better than guessing the mean."""
    from sklearn.metrics import mean_absolute_error

    trainer = trained("penguins")
    design = trainer.design
    assert [h["target"] for h in design["heads"]] == ["species", "body_mass_g"]
    assert "body_mass_g" not in design["inputs"]
    frame, _ = kept_rows("penguins", design)
    mass = frame["body_mass_g"].to_numpy(np.float64)
    train, test = trainer.data.train, trainer.data.test
    predicted = trainer.predict(test)["body_mass_g"]
    assert predicted.shape == (len(test), 1)

    mae = trainer.evaluate(test)["body_mass_g_mae"]
    assert mae == pytest.approx(mean_absolute_error(mass[test.rows], predicted[:, 0]), rel=1e-5)
    baseline = float(np.mean(np.abs(mass[test.rows] - mass[train.rows].mean())))
    assert mae <= BODY_MASS_MAE, f"body mass MAE {mae:.0f} g > {BODY_MASS_MAE} g"
    assert mae < baseline, f"body mass MAE {mae:.0f} g, no better than the mean's {baseline:.0f} g"
    # The parts' targets are the loader's masses, in grams (not scaled).
    np.testing.assert_allclose(train.y["body_mass_g"][:, 0], mass[train.rows], rtol=1e-6)


# --------------------------------------------------------------------------
# How the rows were used, in words (pandas' dropna and scikit-learn's split counts as the reference)
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("inputs", "kept"),
    [(["bill_length_mm", "bill_depth_mm"], 342), (["island", "bill_length_mm", "sex"], 333)],
    ids=["bills only", "with sex"],
)
def test_the_split_sentence_counts_the_rows_kept_and_left_out(inputs, kept):
    from sklearn.model_selection import train_test_split

    from designer import data

    design = {**preset_design("penguins"), "inputs": inputs, "heads": [{"name": "species", "target": "species"}]}
    frame, codes = kept_rows("penguins", design)
    assert len(frame) == kept  # of the loader's 344: 2 penguins have no measurements, 9 more no sex
    left_out = f"; {344 - kept} more left out, each missing a value the design uses"
    rest, test = train_test_split(codes, test_size=0.2, stratify=codes, random_state=0)
    train, validation = train_test_split(rest, test_size=0.2, stratify=rest, random_state=0)
    expected = f"{kept} penguins: {len(train)} to train on, {len(validation)} to validate on, {len(test)} to test on"
    assert data.prepare(design).split_text() == expected + left_out


def test_a_table_with_no_gaps_says_nothing_is_left_out():
    from designer import data

    assert data.prepare(preset_design("wine")).split_text().startswith("178 wines: ")
    assert "left out" not in data.prepare(preset_design("wine")).split_text()
