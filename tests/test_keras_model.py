"""Unit tests of ``designer.keras_model.build_model``: names, inputs, errors, predictions."""

from __future__ import annotations

import numpy as np
import pytest

from designer import datasets, presets, spec
from designer.keras_model import build_model
from designer.validation import InvalidDesign

pytestmark = pytest.mark.keras

keras = pytest.importorskip("keras")


def preset(key: str) -> dict:
    return next(p for p in presets.presets() if p.key == key).load()


def two_inputs() -> dict:
    return {
        "version": 1,
        "inputs": {"sepal": ["sepal_length", "sepal_width"], "petal": ["petal_length"]},
        "layers": [
            {"name": "sepal_branch", "from": "sepal", "units": 5, "activation": "tanh"},
            {"name": "both", "type": "concatenate", "from": ["sepal_branch", "petal"]},
            {"name": "trunk", "units": 6},
            {"name": "drop", "type": "dropout", "rate": 0.3},
            {"name": "dead_end", "from": "trunk", "units": 7},
        ],
        "heads": [
            {"name": "kind", "target": "species", "from": "drop"},
            {"name": "width", "target": "petal_width", "from": "trunk"},
        ],
    }


def rows(n: int, width: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, width)).astype("float32")


def test_layer_names_are_the_design_names():
    design = preset("regularised")
    model = build_model(design)
    expected = ["input"] + [layer["name"] for layer in design["layers"]] + [h["name"] for h in design["heads"]]
    assert [layer.name for layer in model.layers] == expected


def test_layer_types_follow_the_design():
    model = build_model(preset("regularised"))
    assert {layer.name: type(layer).__name__ for layer in model.layers} == {
        "input": "InputLayer",
        "hidden_1": "Dense",
        "norm_1": "BatchNormalization",
        "hidden_2": "Dense",
        "drop_1": "Dropout",
        "hidden_3": "Dense",
        "species": "Dense",
    }
    assert model.get_layer("drop_1").rate == 0.2
    assert model.get_layer("hidden_2").units == 10


def test_two_input_groups_give_two_named_inputs():
    model = build_model(two_inputs())
    assert [t.name for t in model.inputs] == ["sepal", "petal"]
    assert [tuple(t.shape) for t in model.inputs] == [(None, 2), (None, 1)]
    assert [type(model.get_layer(name)).__name__ for name in ("sepal", "petal")] == ["InputLayer", "InputLayer"]


def test_a_layer_that_reaches_no_head_is_left_out():
    model = build_model(two_inputs())
    names = {layer.name for layer in model.layers}
    assert "dead_end" not in names
    assert names == {"sepal", "petal", "sepal_branch", "both", "trunk", "drop", "kind", "width"}


def test_outputs_are_the_heads_in_order():
    model = build_model(two_inputs())
    assert model.output_names == ["kind", "width"]


def test_the_preset_two_input_design_builds():
    model = build_model(preset("two_input_branches"))
    assert [t.name for t in model.inputs] == ["sepal", "petal"]
    assert model.get_layer("joined").output.shape[-1] == 8


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (("layers", 1, "units"), 0, "layers[1].units"),
        (("layers", 0, "activation"), "relu7", "layers[0].activation"),
        (("heads", 0, "target"), "colour", "heads[0].target"),
        (("heads", 0, "loss"), "cross_entropy", "heads[0].loss"),
        (("layers", 2, "from"), "nowhere", "layers[2].from"),
    ],
)
def test_an_invalid_field_raises_invalid_design_naming_it(path, value, field):
    design = preset("lecture_sequential")
    target = design
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(InvalidDesign) as caught:
        build_model(design)
    assert field in [problem.field for problem in caught.value.problems]
    assert all(problem.severity == "error" for problem in caught.value.problems)
    assert field in str(caught.value)


def test_an_invalid_dropout_rate_raises():
    design = preset("regularised")
    design["layers"][3]["rate"] = 1.0
    with pytest.raises(InvalidDesign) as caught:
        build_model(design)
    assert [p.field for p in caught.value.problems] == ["layers[3].rate"]


def test_a_design_that_is_not_an_object_raises():
    with pytest.raises(InvalidDesign):
        build_model(["not", "a", "design"])


def test_a_head_can_hang_directly_from_the_input():
    design = preset("logistic_regression")
    model = build_model(design)
    assert [layer.name for layer in model.layers] == ["input", "species"]
    head = model.get_layer("species")
    assert head.count_params() == 4 * 3 + 3
    assert head.activation is keras.activations.get("softmax")
    predictions = model.predict(rows(7, 4), verbose=0)
    assert predictions.shape == (7, 3)
    np.testing.assert_allclose(predictions.sum(axis=1), 1.0, rtol=1e-5)


def test_species_head_predicts_three_probabilities_per_row():
    model = build_model(preset("lecture_sequential"))
    predictions = model.predict(rows(11, 4), verbose=0)
    assert predictions.shape == (11, len(datasets.IRIS.column("species").categories))
    assert np.all(predictions >= 0)
    np.testing.assert_allclose(predictions.sum(axis=1), 1.0, rtol=1e-5)


def test_numeric_head_predicts_one_number_per_row():
    design = {
        "version": 1,
        "inputs": ["sepal_length", "sepal_width", "petal_length"],
        "layers": [{"name": "hidden", "units": 4}],
        "heads": [{"name": "petal_width", "target": "petal_width"}],
    }
    model = build_model(design)
    predictions = model.predict(rows(9, 3), verbose=0)
    assert predictions.shape == (9, 1)
    assert model.get_layer("petal_width").activation is keras.activations.get("linear")


def test_two_heads_predict_one_array_each():
    model = build_model(preset("lecture_two_outputs"))
    species, width = model.predict(rows(6, 3), verbose=0)
    assert species.shape == (6, 3)
    assert width.shape == (6, 1)


def test_two_inputs_predict_from_a_dict_of_arrays():
    model = build_model(two_inputs())
    kind, width = model.predict({"sepal": rows(5, 2), "petal": rows(5, 1, seed=1)}, verbose=0)
    assert kind.shape == (5, 3)
    assert width.shape == (5, 1)


def test_the_model_name_is_passed_on():
    assert build_model(preset("lecture_sequential"), name="lecture").name == "lecture"


def test_building_does_not_change_the_design():
    design = two_inputs()
    before = spec.clone(design)
    build_model(design)
    assert design == before
