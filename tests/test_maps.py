"""Decision maps against Keras itself: the model's own ``predict`` on a grid scaled independently.

Each test builds its grid of raw cm values with NumPy and scales it with a
``StandardScaler`` of its own, fitted on the training rows' raw measurements;
the maps must agree with ``model.predict`` on that (argmax and top probability
for a species head, the value for a measurement head) and each unit's map with
a Keras sub-model ``keras.Model(model.inputs, layer.output)``.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.preprocessing import StandardScaler

from designer import datasets, maps, presets, training
from designer.network import resolve

pytestmark = pytest.mark.keras

import keras  # noqa: E402
from cli_support import preset_path, run_cli  # noqa: E402

PRESETS = {p.key: p.load() for p in presets.presets() if "dataset" not in p.load()}  # Iris: MEASUREMENTS below
MEASUREMENTS = load_iris().data


@pytest.fixture(scope="module")
def trained():
    """Trainers of the presets, trained with their own settings (100 epochs), kept for the module."""
    cache: dict[str, training.Trainer] = {}

    def get(key: str, epochs: int | None = None) -> training.Trainer:
        if (key, epochs) not in cache:
            trainer = training.Trainer(PRESETS[key])
            trainer.train(epochs)
            cache[key, epochs] = trainer
        return cache[key, epochs]

    return get


def independent_inputs(trainer: training.Trainer, plane: maps.Plane) -> list[np.ndarray]:
    """The plane's points as the model's inputs, built and scaled here, without designer.data."""
    xs = np.linspace(*plane.ranges[plane.x], plane.grid)
    ys = np.linspace(*plane.ranges[plane.y], plane.grid) if plane.y else None
    raw = {}
    if ys is None:
        raw[plane.x] = xs
    else:
        raw[plane.x] = np.tile(xs, len(ys))  # row i holds y[i]; along it x runs
        raw[plane.y] = np.repeat(ys, len(xs))
    count = len(raw[plane.x])
    raw.update({column: np.full(count, value) for column, value in plane.fixed.items()})
    inputs = []
    for node in resolve(trainer.design).inputs:
        columns = node.entry["columns"]
        where = [datasets.IRIS.numbers.index(c) for c in columns]
        scaler = StandardScaler().fit(MEASUREMENTS[np.ix_(trainer.data.train.rows, where)])
        inputs.append(scaler.transform(np.column_stack([raw[c] for c in columns])).astype("float32"))
    return inputs


def keras_predictions(model, inputs) -> list[np.ndarray]:
    outputs = model.predict(inputs[0] if len(inputs) == 1 else inputs, verbose=0, batch_size=4096)
    return outputs if isinstance(outputs, list) else [outputs]


def shape_of(plane: maps.Plane) -> tuple[int, ...]:
    return (plane.grid,) if plane.y is None else (plane.grid, plane.grid)


@pytest.mark.parametrize("key", list(PRESETS))
def test_head_maps_are_the_models_predictions(trained, key):
    trainer = trained(key, 5)
    plane = maps.plane(trainer.design, trainer.data, grid=23)
    found = maps.compute(trainer.model, trainer.design, trainer.data, plane)
    theirs = keras_predictions(trainer.model, independent_inputs(trainer, plane))
    for node, predicted in zip(resolve(trainer.design).heads, theirs, strict=True):
        grids = found.heads[node.name]
        if node.entry["task"].is_classification:
            np.testing.assert_array_equal(grids["predicted"], predicted.argmax(1).reshape(shape_of(plane)))
            np.testing.assert_allclose(grids["confidence"], predicted.max(1).reshape(shape_of(plane)), rtol=1e-5)
        else:
            np.testing.assert_allclose(grids["predicted"], predicted[:, 0].reshape(shape_of(plane)), rtol=1e-5)


def test_unit_maps_are_each_layers_activations(trained):
    trainer = trained("lecture_two_outputs", 5)
    plane = maps.plane(trainer.design, trainer.data, grid=17)
    layers = maps.unit_layers(trainer.design)
    found = maps.compute(trainer.model, trainer.design, trainer.data, plane, layers)
    inputs = independent_inputs(trainer, plane)
    for name in layers:
        layer = trainer.model.get_layer(name)
        activations = keras.Model(trainer.model.inputs, layer.output).predict(inputs, verbose=0)
        assert found.units[name].shape == (activations.shape[1], 17, 17)
        for unit in range(activations.shape[1]):
            np.testing.assert_allclose(found.units[name][unit], activations[:, unit].reshape(17, 17), rtol=1e-5)


def test_two_inputs_get_their_own_columns(trained):
    trainer = trained("two_input_branches", 5)
    assert len(resolve(trainer.design).inputs) == 2
    for x, y in [("petal_length", "sepal_width"), ("sepal_length", "petal_width")]:
        plane = maps.plane(trainer.design, trainer.data, x, y, grid=11)
        found = maps.compute(trainer.model, trainer.design, trainer.data, plane)
        (predicted,) = keras_predictions(trainer.model, independent_inputs(trainer, plane))
        np.testing.assert_allclose(found.heads["species"]["confidence"], predicted.max(1).reshape(11, 11), rtol=1e-5)


def species_at(found: maps.Map, x: float, y: float) -> int:
    """The predicted species at the grid point nearest (x, y)."""
    return int(found.heads["species"]["predicted"][np.abs(found.y - y).argmin(), np.abs(found.x - x).argmin()])


@pytest.mark.parametrize("axes", [("petal_length", "petal_width"), ("petal_width", "petal_length")])
def test_each_species_centroid_lies_in_its_own_region(trained, axes):
    trainer = trained("lecture_sequential")
    plane = maps.plane(trainer.design, trainer.data, *axes)
    found = maps.compute(trainer.model, trainer.design, trainer.data, plane)
    species = load_iris().target
    rows = trainer.data.train.rows
    for code, name in enumerate(datasets.IRIS.column("species").categories):
        mine = rows[species[rows] == code]
        centroid = MEASUREMENTS[mine].mean(0)
        at = [centroid[datasets.IRIS.numbers.index(column)] for column in axes]
        assert species_at(found, *at) == code, f"the {name} centroid {at} is not in the {name} region"


def test_the_map_changes_as_the_network_learns(trained):
    early, late = trained("lecture_sequential", 1), trained("lecture_sequential")
    plane = maps.plane(early.design, early.data)
    before = maps.compute(early.model, early.design, early.data, plane).heads["species"]
    after = maps.compute(late.model, late.design, late.data, plane).heads["species"]
    assert np.abs(before["confidence"] - after["confidence"]).max() > 0.3
    assert (before["predicted"] != after["predicted"]).mean() > 0.1


def test_a_design_of_one_input_column_gets_a_line():
    design = {
        "version": 1,
        "inputs": {"petal": ["petal_length"]},
        "layers": [{"name": "hidden", "units": 4}],
        "heads": [{"name": "species", "target": "species"}, {"name": "petal_width", "target": "petal_width"}],
    }
    trainer = training.Trainer(design)
    trainer.train(3)
    plane = maps.plane(design, trainer.data)
    assert plane.y is None and plane.fixed == {}
    found = maps.compute(trainer.model, design, trainer.data, plane, ["hidden"])
    outputs = keras_predictions(trainer.model, independent_inputs(trainer, plane))
    np.testing.assert_array_equal(found.heads["species"]["predicted"], outputs[0].argmax(1))
    np.testing.assert_allclose(found.heads["petal_width"]["predicted"], outputs[1][:, 0], rtol=1e-5)
    assert found.units["hidden"].shape == (4, maps.GRID)


# --- the command line --------------------------------------------------------------------------


def test_cli_map_writes_the_documented_shape(tmp_path):
    out = tmp_path / "map.json"
    done = run_cli("map", preset_path("lecture_two_outputs"), "--x", "petal_length", "--y", "sepal_length",
                   "--at", "sepal_width=3.4", "--grid", "12", "--epochs", "3", "--unit", "hidden_2",
                   "--out", str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    written = json.loads(out.read_text())
    assert written["x"]["column"] == "petal_length" and written["y"]["column"] == "sepal_length"
    assert len(written["x"]["values"]) == len(written["y"]["values"]) == 12
    assert written["x"]["values"][0] < MEASUREMENTS[:, 2].min() < MEASUREMENTS[:, 2].max() < written["x"]["values"][-1]
    assert written["fixed"] == {"sepal_width": 3.4}
    species = np.array(written["heads"]["species"]["predicted"])
    assert species.shape == (12, 12) and set(species.ravel()) <= {0, 1, 2}
    confidence = np.array(written["heads"]["species"]["confidence"])
    assert ((confidence >= 1 / 3 - 1e-6) & (confidence <= 1 + 1e-6)).all()
    assert np.array(written["heads"]["petal_width"]["predicted"]).shape == (12, 12)
    assert np.array(written["units"]["hidden_2"]).shape == (10, 12, 12)


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (("--x", "species"), "map x must be one of the design's input columns (sepal_length, sepal_width, "),
        (("--x", "petal_width"), 'got "petal_width"'),  # the two-output design's target, not an input
        (("--x", "petal_length", "--y", "petal_length"), 'got "petal_length" for both'),
        (("--at", "sepal_width=1e300"), "map at sepal_width must be a number from"),
        (("--at", "sepal_width=abc"), 'got "abc"'),
        (("--at", "sepal_length=5"), "only the input columns off the axes can be held (sepal_width)"),
        (("--grid", "100000"), "map grid must be a whole number from 2 to 200, got 100000"),
        (("--unit", "nowhere"), "--unit must be one of"),
        (("--seed", "-1"), "--seed: training.seed must be a whole number from 0 to 4294967295, got -1"),
        (("--epochs", "0"), "--epochs: training.epochs must be a whole number from 1 to 2000, got 0"),
        (("--at", "x=petal_length"), "only the input columns off the axes can be held (sepal_width)"),
        (("--at", "petal_length"), "--at must be COLUMN=VALUE (in the column's unit), got 'petal_length'"),
    ],
)  # fmt: skip
def test_cli_map_refuses_a_bad_plane_with_the_reason(tmp_path, arguments, expected):
    out = tmp_path / "map.json"
    done = run_cli("map", preset_path("lecture_two_outputs"), *arguments, "--out", str(out))
    assert done.returncode == 2
    assert expected in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_held_columns_on_the_command_line_keep_spaces_and_equals_in_their_names():
    from designer.cli import _held

    assert _held(["Height cm=3", "a=b=2.5", "island=Biscoe"]) == {"Height cm": 3.0, "a=b": 2.5, "island": "Biscoe"}
