"""Tests of designer/validation.py: one test per rule of the design format.

Every invalid design must give an error whose ``.field`` is the path of the bad
value and whose message names that field and shows the value (as JSON).
"""

from __future__ import annotations

import copy
import json
import math

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from reference_tables import width_of

from designer import datasets, graph, params, presets, spec
from designer.validation import InvalidDesign, Problem, ensure_valid, errors, validate, warnings

PRESETS = {p.key: p for p in presets.presets()}
MISSING = object()  # a key to delete rather than set
# The format's layer types and training settings, as the README lists them.
LAYER_TYPES = ("dense", "dropout", "batch_norm", "concatenate")
TRAINING_FIELDS = ("optimizer", "learning_rate", "epochs", "batch_size", "test_size", "validation_split", "seed")
TRAINING_FIELDS += ("early_stopping_patience",)


def load(key: str = "lecture_sequential") -> dict:
    return PRESETS[key].load()


def top(key: str, value) -> dict:
    design = load()
    if value is MISSING:
        design.pop(key, None)
    else:
        design[key] = value
    return design


def layer(index: int, key: str = "lecture_sequential", **changes) -> dict:
    """The preset with ``layers[index]`` changed (MISSING deletes a key)."""
    design = load(key)
    entry = design["layers"][index]
    for field, value in changes.items():
        if value is MISSING:
            entry.pop(field, None)
        else:
            entry[field] = value
    return design


def with_layers(*entries) -> dict:
    """lecture_sequential with ``entries`` appended after hidden_3."""
    design = load()
    design["layers"].extend(copy.deepcopy(entries))
    return design


def head(index: int, design: dict | None = None, **changes) -> dict:
    design = load() if design is None else design
    entry = design["heads"][index]
    for field, value in changes.items():
        if value is MISSING:
            entry.pop(field, None)
        else:
            entry[field] = value
    return design


def two_heads() -> dict:
    return load("lecture_two_outputs")


def training(**settings_) -> dict:
    design = load()
    design["training"] = settings_
    return design


def dense(name: str, **extra) -> dict:
    return {"name": name, "units": 4, **extra}


def errors_at(design, field: str) -> list[Problem]:
    return [p for p in errors(validate(design)) if p.field == field]


def assert_error(design, field: str, value) -> None:
    """An error at ``field`` whose message starts with the field and shows ``value`` as JSON."""
    found = errors_at(design, field)
    assert found, f"no error at {field!r}; got {[str(p) for p in validate(design)]}"
    shown = json.dumps(value, ensure_ascii=False)
    assert any(p.message.startswith(field) and shown in p.message for p in found), (
        f"no message at {field!r} showing {shown}; got {[p.message for p in found]}"
    )


# ---------------------------------------------------------------------------
# Valid designs
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(PRESETS))
def test_presets_have_no_problems(key):
    design = load(key)
    assert validate(design) == []
    assert ensure_valid(design) is design


def _chain(n: int) -> dict:
    design = load()
    design["layers"] = [dense(f"h{i}") for i in range(n)]
    return design


def _many_heads(n: int) -> dict:
    design = load()
    design["heads"] = [{"name": f"out{i}", "target": "species"} for i in range(n)]
    return design


def _single_named_input_group() -> dict:
    design = load("two_input_branches")
    design["layers"] = []
    design["inputs"] = {"all": list(datasets.IRIS.numbers)}
    return design


VALID = {
    "minimal": {"version": 1, "heads": [{"name": "out", "target": "species"}]},
    "dataset_iris": top("dataset", "iris"),
    "no_inputs_key": top("inputs", MISSING),
    "no_layers_key": top("layers", MISSING),
    "empty_layers": top("layers", []),
    "no_training": top("training", MISSING),
    "empty_training": training(),
    "units_1": layer(0, units=1),
    "units_1024": layer(0, units=spec.MAX_UNITS),
    "no_activation": layer(0, activation=MISSING),
    "explicit_dense": layer(0, type="dense"),
    "explicit_from_input": layer(0, **{"from": "input"}),
    "explicit_from_earlier": layer(2, **{"from": "hidden_1"}),
    "every_activation_dense": layer(1, activation="gelu"),
    "dropout_0": with_layers({"name": "drop", "type": "dropout", "rate": 0}),
    "dropout_0_999": with_layers({"name": "drop", "type": "dropout", "rate": 0.999}),
    "batch_norm": with_layers({"name": "norm", "type": "batch_norm"}),
    "concatenate": with_layers({"name": "joined", "type": "concatenate", "from": ["hidden_3", "input"]}),
    "concatenate_three": with_layers(
        {"name": "joined", "type": "concatenate", "from": ["hidden_1", "hidden_3", "input"]}
    ),
    "name_40": layer(0, name="a" * 40),
    "name_digits_underscore": layer(0, name="A_1_b"),
    "layers_32": _chain(spec.MAX_LAYERS),
    "heads_8": _many_heads(spec.MAX_HEADS),
    "head_from_input": head(0, **{"from": "input"}),
    "head_from_earlier_layer": head(0, **{"from": "hidden_3"}),
    "head_loss_weight_small": head(0, loss_weight=0.001),
    "head_loss_weight_int": head(0, loss_weight=3),
    "head_regression_loss_ok": head(1, two_heads(), loss="huber"),
    "head_numeric_not_input": head(0, target="petal_width", activation="linear") | {"inputs": ["sepal_length"]},
    "inputs_object_single": _single_named_input_group(),
    "training_full": training(  # the README's defaults, written out
        optimizer="adam",
        learning_rate=0.001,
        epochs=100,
        batch_size=5,
        test_size=0.2,
        validation_split=0.2,
        seed=42,
        early_stopping_patience=None,
    ),
    "epochs_1": training(epochs=1),
    "epochs_2000": training(epochs=2000),
    "batch_size_1": training(batch_size=1),
    "batch_size_96": training(batch_size=96),  # 150 rows: 30 test, 24 validation, 96 to train on
    "test_size_small": training(test_size=0.02),  # 3 test rows, one flower of each species
    "test_size_large": training(test_size=0.9),
    "validation_split_0": training(validation_split=0),
    "validation_split_0_9": training(validation_split=0.9),
    "learning_rate_tiny": training(learning_rate=1e-9),
    "learning_rate_int": training(learning_rate=1),
    "seed_0": training(seed=0),
    "seed_largest": training(seed=2**32 - 1),
    "patience_null": training(early_stopping_patience=None),
    "patience_1": training(early_stopping_patience=1),
}


@pytest.mark.parametrize("design", VALID.values(), ids=VALID.keys())
def test_valid_designs_have_no_errors(design):
    assert errors(validate(design)) == []
    assert ensure_valid(design) is design


@pytest.mark.parametrize("optimizer", spec.OPTIMIZERS)
def test_every_optimizer_is_accepted(optimizer):
    assert validate(training(optimizer=optimizer)) == []


@pytest.mark.parametrize("activation", spec.ACTIVATIONS)
def test_every_activation_is_accepted_on_a_dense_layer(activation):
    assert validate(layer(0, activation=activation)) == []


@pytest.mark.parametrize("loss", spec.LOSSES)
def test_every_loss_is_accepted(loss):
    assert errors(validate(head(0, loss=loss))) == []


@pytest.mark.parametrize("target", datasets.IRIS.numbers)
def test_every_numeric_target_is_accepted_when_not_an_input(target):
    design = load()
    design["inputs"] = [c for c in datasets.IRIS.numbers if c != target]
    design["heads"].append({"name": "measure", "target": target})
    assert validate(design) == []


# ---------------------------------------------------------------------------
# What a valid design counts: worked by hand, and as Keras counts it
# ---------------------------------------------------------------------------

# A Dense layer of n units fed by m values has m × n weights and n biases; batch normalisation of n values
# has 2n trainable (γ, β) and 2n non-trainable (moving mean and variance); dropout, inputs and concatenate
# none. A species head has 3 units, a measurement head 1. Each case: total, trainable, non-trainable.
BY_HAND = {
    # The lecture: 4 → 8 → 10 → 10 → 3.  (4×8 + 8) + (8×10 + 10) + (10×10 + 10) + (10×3 + 3) = 40 + 90 + 110 + 33
    "lecture_sequential": (load("lecture_sequential"), 273, 273, 0),
    # 3 inputs (petal_width is a target): (3×8 + 8) + 90 + 110 + species 33 + petal_width (10×1 + 1) = 32+90+110+33+11
    "lecture_two_outputs": (load("lecture_two_outputs"), 276, 276, 0),
    # sepal 2 → 4: 2×4 + 4 = 12; petal 2 → 4: 12; joined 8 wide: 0; hidden 8×8 + 8 = 72; species 8×3 + 3 = 27
    "two_input_branches": (load("two_input_branches"), 123, 123, 0),
    # 4 × 3 + 3
    "logistic_regression": (load("logistic_regression"), 15, 15, 0),
    # 40, norm_1 of 8: 16 + 16, 90, drop_1: 0, 110, 33: 40 + 32 + 90 + 110 + 33 = 305, of which 16 non-trainable
    "regularised": (load("regularised"), 305, 289, 16),
    # no layers: the head on the four inputs, 4 × 3 + 3
    "minimal": (VALID["minimal"], 15, 15, 0),
    # hidden_1 of 1 unit: (4×1 + 1) + (1×10 + 10) + 110 + 33 = 5 + 20 + 110 + 33
    "units_1": (VALID["units_1"], 168, 168, 0),
    # hidden_1 of 1024: (4×1024 + 1024) + (1024×10 + 10) + 110 + 33 = 5120 + 10250 + 110 + 33
    "units_1024": (VALID["units_1024"], 15513, 15513, 0),
    # the lecture with a dropout at the end: 273 + 0
    "dropout_0_999": (VALID["dropout_0_999"], 273, 273, 0),
    # the lecture with batch normalisation of hidden_3's 10 values: 273 + 20 + 20
    "batch_norm": (VALID["batch_norm"], 313, 293, 20),
    # joined = hidden_3 (10) + input (4) = 14 wide; species 14×3 + 3 = 45: 40 + 90 + 110 + 45
    "concatenate": (VALID["concatenate"], 285, 285, 0),
    # joined = hidden_1 (8) + hidden_3 (10) + input (4) = 22 wide; species 22×3 + 3 = 69: 40 + 90 + 110 + 69
    "concatenate_three": (VALID["concatenate_three"], 309, 309, 0),
    # 32 layers of 4 units: (4×4 + 4) × 32 = 640; species 4×3 + 3 = 15
    "layers_32": (VALID["layers_32"], 655, 655, 0),
    # 8 species heads on hidden_3: 40 + 90 + 110 + 8 × 33
    "heads_8": (VALID["heads_8"], 504, 504, 0),
    # the head on the input: 4×3 + 3 = 15; hidden_1 to hidden_3 reach no head and are not counted
    "head_from_input": (VALID["head_from_input"], 15, 15, 0),
    # 1 input: (1×8 + 8) + 90 + 110 + petal_width head (10×1 + 1) = 16 + 90 + 110 + 11
    "head_numeric_not_input": (VALID["head_numeric_not_input"], 227, 227, 0),
}


@pytest.mark.parametrize(("design", "total", "trainable", "non_trainable"), BY_HAND.values(), ids=BY_HAND.keys())
def test_counts_worked_by_hand(design, total, trainable, non_trainable):
    summary = params.summarize(design)
    assert (summary.total, summary.trainable, summary.non_trainable) == (total, trainable, non_trainable)


# The presets and the valid designs that differ in their network (training settings change no count).
COUNTED = {f"preset_{key}": load(key) for key in PRESETS} | {
    key: design for key, design in VALID.items() if isinstance(design, dict) and "training" not in design
}


@pytest.mark.keras
@pytest.mark.parametrize("design", COUNTED.values(), ids=COUNTED.keys())
def test_counts_are_what_keras_counts(design):
    from designer.keras_model import build_model

    model = build_model(design)
    summary = params.summarize(design)
    trainable = sum(math.prod(weight.shape) for weight in model.trainable_weights)
    assert (summary.total, summary.trainable) == (model.count_params(), trainable)


# ---------------------------------------------------------------------------
# Invalid designs: one case per rule, each with the field and the bad value
# ---------------------------------------------------------------------------

INVALID = [
    # version
    ("version_2", top("version", 2), "version", 2),
    ("version_0", top("version", 0), "version", 0),
    ("version_string", top("version", "1"), "version", "1"),
    ("version_float", top("version", 1.0), "version", 1.0),
    ("version_true", top("version", True), "version", True),
    ("version_null", top("version", None), "version", None),
    # dataset
    ("dataset_other", top("dataset", "mnist"), "dataset", "mnist"),
    ("dataset_case", top("dataset", "Iris"), "dataset", "Iris"),
    ("dataset_null", top("dataset", None), "dataset", None),
    ("dataset_number", top("dataset", 1), "dataset", 1),
    # unknown top-level field
    ("unknown_top_level", top("model", "big"), "model", "big"),
    # inputs
    ("inputs_string", top("inputs", "sepal_length"), "inputs", "sepal_length"),
    ("inputs_number", top("inputs", 4), "inputs", 4),
    ("inputs_null", top("inputs", None), "inputs", None),
    ("inputs_empty_object", top("inputs", {}), "inputs", {}),
    ("inputs_empty_list", top("inputs", []), "inputs", []),
    ("inputs_unknown_column", top("inputs", ["sepal_length", "petal_size"]), "inputs[1]", "petal_size"),
    ("inputs_species", top("inputs", ["species"]), "heads[0].target", "species"),  # a category input, but the target
    ("inputs_number_column", top("inputs", [3]), "inputs[0]", 3),
    ("inputs_null_column", top("inputs", ["sepal_length", None]), "inputs[1]", None),
    ("inputs_repeated", top("inputs", ["sepal_length", "sepal_length"]), "inputs[1]", "sepal_length"),
    ("inputs_group_empty", top("inputs", {"input": []}), "inputs.input", []),
    ("inputs_group_string", top("inputs", {"input": "sepal_length"}), "inputs.input", "sepal_length"),
    ("inputs_group_unknown_column", top("inputs", {"input": ["sepal_length", "x"]}), "inputs.input[1]", "x"),
    (
        "inputs_group_column_in_two_groups",
        top("inputs", {"input": ["sepal_length"], "other": ["petal_width", "sepal_length"]}),
        "inputs.other[1]",
        "sepal_length",
    ),
    # layers: the list
    ("layers_object", top("layers", {"name": "hidden_1"}), "layers", {"name": "hidden_1"}),
    ("layers_string", top("layers", "hidden"), "layers", "hidden"),
    ("layers_null", top("layers", None), "layers", None),
    ("layer_not_object", with_layers(5), "layers[3]", 5),
    ("layer_list", with_layers(["hidden"]), "layers[3]", ["hidden"]),
    # layers: name
    ("layer_name_missing", layer(0, name=MISSING), "layers[0].name", None),
    ("layer_name_digit_first", layer(0, name="1st"), "layers[0].name", "1st"),
    ("layer_name_underscore_first", layer(0, name="_h"), "layers[0].name", "_h"),
    ("layer_name_space", layer(0, name="hidden one"), "layers[0].name", "hidden one"),
    ("layer_name_dash", layer(0, name="hidden-1"), "layers[0].name", "hidden-1"),
    ("layer_name_empty", layer(0, name=""), "layers[0].name", ""),
    ("layer_name_non_ascii", layer(0, name="héllo"), "layers[0].name", "héllo"),
    ("layer_name_newline", layer(0, name="h\n"), "layers[0].name", "h\n"),
    ("layer_name_41", layer(0, name="a" * 41), "layers[0].name", "a" * 41),
    ("layer_name_number", layer(0, name=3), "layers[0].name", 3),
    ("layer_name_duplicate_layer", layer(1, name="hidden_1"), "layers[1].name", "hidden_1"),
    ("layer_name_is_input", layer(0, name="input"), "layers[0].name", "input"),
    ("layer_name_is_input_group", layer(3, "two_input_branches", name="sepal"), "layers[3].name", "sepal"),
    # layers: type
    ("layer_type_unknown", layer(0, type="conv2d"), "layers[0].type", "conv2d"),
    ("layer_type_case", layer(0, type="Dense"), "layers[0].type", "Dense"),
    ("layer_type_null", layer(0, type=None), "layers[0].type", None),
    ("layer_type_number", layer(0, type=1), "layers[0].type", 1),
    # dense: units
    ("units_0", layer(0, units=0), "layers[0].units", 0),
    ("units_negative", layer(1, units=-1), "layers[1].units", -1),
    ("units_1025", layer(2, units=1025), "layers[2].units", 1025),
    ("units_float", layer(0, units=8.5), "layers[0].units", 8.5),
    ("units_whole_float", layer(0, units=8.0), "layers[0].units", 8.0),
    ("units_string", layer(0, units="8"), "layers[0].units", "8"),
    ("units_true", layer(0, units=True), "layers[0].units", True),
    ("units_null", layer(0, units=None), "layers[0].units", None),
    ("units_missing", layer(0, units=MISSING), "layers[0].units", None),
    # dense: activation
    ("activation_unknown", layer(0, activation="relux"), "layers[0].activation", "relux"),
    ("activation_case", layer(0, activation="ReLU"), "layers[0].activation", "ReLU"),
    ("activation_glu", layer(0, activation="glu"), "layers[0].activation", "glu"),
    ("activation_null", layer(0, activation=None), "layers[0].activation", None),
    ("activation_number", layer(0, activation=1), "layers[0].activation", 1),
    # dropout: rate
    ("rate_1", with_layers({"name": "drop", "type": "dropout", "rate": 1}), "layers[3].rate", 1),
    ("rate_negative", with_layers({"name": "drop", "type": "dropout", "rate": -0.1}), "layers[3].rate", -0.1),
    ("rate_above_1", with_layers({"name": "drop", "type": "dropout", "rate": 1.5}), "layers[3].rate", 1.5),
    ("rate_string", with_layers({"name": "drop", "type": "dropout", "rate": "0.2"}), "layers[3].rate", "0.2"),
    ("rate_true", with_layers({"name": "drop", "type": "dropout", "rate": True}), "layers[3].rate", True),
    ("rate_infinite", with_layers({"name": "drop", "type": "dropout", "rate": math.inf}), "layers[3].rate", math.inf),
    ("rate_missing", with_layers({"name": "drop", "type": "dropout"}), "layers[3].rate", None),
    # fields that do not belong to the layer type
    ("dense_with_rate", layer(0, rate=0.2), "layers[0].rate", 0.2),
    ("dense_with_size", layer(0, size=8), "layers[0].size", 8),
    (
        "dropout_with_units",
        with_layers({"name": "drop", "type": "dropout", "rate": 0.2, "units": 8}),
        "layers[3].units",
        8,
    ),
    ("batch_norm_with_units", with_layers({"name": "norm", "type": "batch_norm", "units": 8}), "layers[3].units", 8),
    (
        "batch_norm_with_activation",
        with_layers({"name": "norm", "type": "batch_norm", "activation": "relu"}),
        "layers[3].activation",
        "relu",
    ),
    (
        "concatenate_with_units",
        with_layers({"name": "j", "type": "concatenate", "from": ["hidden_3", "input"], "units": 3}),
        "layers[3].units",
        3,
    ),
    # layers: from
    ("from_unknown", layer(0, **{"from": "nowhere"}), "layers[0].from", "nowhere"),
    ("from_later_layer", layer(0, **{"from": "hidden_2"}), "layers[0].from", "hidden_2"),
    ("from_itself", layer(1, **{"from": "hidden_2"}), "layers[1].from", "hidden_2"),
    ("from_head", layer(0, **{"from": "species"}), "layers[0].from", "species"),
    ("from_list_on_dense", layer(1, **{"from": ["hidden_1"]}), "layers[1].from", ["hidden_1"]),
    ("from_number", layer(1, **{"from": 1}), "layers[1].from", 1),
    ("from_null", layer(1, **{"from": None}), "layers[1].from", None),
    (
        "from_list_on_dropout",
        with_layers({"name": "drop", "type": "dropout", "rate": 0.1, "from": ["hidden_3", "input"]}),
        "layers[3].from",
        ["hidden_3", "input"],
    ),
    # concatenate: from
    ("concat_from_missing", with_layers({"name": "j", "type": "concatenate"}), "layers[3].from", None),
    (
        "concat_from_string",
        with_layers({"name": "j", "type": "concatenate", "from": "hidden_3"}),
        "layers[3].from",
        "hidden_3",
    ),
    (
        "concat_from_one",
        with_layers({"name": "j", "type": "concatenate", "from": ["hidden_3"]}),
        "layers[3].from",
        ["hidden_3"],
    ),
    ("concat_from_empty", with_layers({"name": "j", "type": "concatenate", "from": []}), "layers[3].from", []),
    (
        "concat_from_repeated",
        with_layers({"name": "j", "type": "concatenate", "from": ["hidden_3", "hidden_3"]}),
        "layers[3].from",
        ["hidden_3", "hidden_3"],
    ),
    (
        "concat_from_unknown",
        with_layers({"name": "j", "type": "concatenate", "from": ["hidden_3", "nowhere"]}),
        "layers[3].from",
        "nowhere",
    ),
    (
        "concat_from_itself",
        with_layers({"name": "j", "type": "concatenate", "from": ["hidden_3", "j"]}),
        "layers[3].from",
        "j",
    ),
    # heads: the list
    ("heads_missing", top("heads", MISSING), "heads", None),
    ("heads_empty", top("heads", []), "heads", []),
    ("heads_object", top("heads", {"name": "species"}), "heads", {"name": "species"}),
    ("heads_string", top("heads", "species"), "heads", "species"),
    ("head_not_object", top("heads", ["species"]), "heads[0]", "species"),
    # heads: name
    ("head_name_missing", head(0, name=MISSING), "heads[0].name", None),
    ("head_name_invalid", head(0, name="the species"), "heads[0].name", "the species"),
    ("head_name_number", head(0, name=7), "heads[0].name", 7),
    ("head_name_is_layer", head(0, name="hidden_2"), "heads[0].name", "hidden_2"),
    ("head_name_is_input", head(0, name="input"), "heads[0].name", "input"),
    ("head_name_duplicate", head(1, two_heads(), name="species"), "heads[1].name", "species"),
    # heads: target
    ("head_target_missing", head(0, target=MISSING), "heads[0].target", None),
    ("head_target_unknown", head(0, target="colour"), "heads[0].target", "colour"),
    ("head_target_case", head(0, target="Species"), "heads[0].target", "Species"),
    ("head_target_number", head(0, target=0), "heads[0].target", 0),
    ("head_target_is_input", head(1, two_heads(), target="sepal_length"), "heads[1].target", "sepal_length"),
    ("head_target_is_input_default", head(0, target="petal_width"), "heads[0].target", "petal_width"),
    (
        "head_target_is_input_group",
        head(0, load("two_input_branches"), target="petal_length"),
        "heads[0].target",
        "petal_length",
    ),
    # heads: from
    ("head_from_unknown", head(0, **{"from": "nowhere"}), "heads[0].from", "nowhere"),
    ("head_from_head", head(1, two_heads(), **{"from": "species"}), "heads[1].from", "species"),
    ("head_from_list", head(0, **{"from": ["hidden_3"]}), "heads[0].from", ["hidden_3"]),
    ("head_from_null", head(0, **{"from": None}), "heads[0].from", None),
    ("head_from_itself", head(0, **{"from": "species"}), "heads[0].from", "species"),
    # heads: activation, loss, loss_weight, unknown fields
    ("head_activation_unknown", head(0, activation="probabilities"), "heads[0].activation", "probabilities"),
    ("head_activation_null", head(0, activation=None), "heads[0].activation", None),
    ("head_loss_unknown", head(0, loss="cross_entropy"), "heads[0].loss", "cross_entropy"),
    (
        "head_loss_sparse",
        head(0, loss="sparse_categorical_crossentropy"),
        "heads[0].loss",
        "sparse_categorical_crossentropy",
    ),
    ("head_loss_number", head(0, loss=2), "heads[0].loss", 2),
    ("head_loss_weight_0", head(0, loss_weight=0), "heads[0].loss_weight", 0),
    ("head_loss_weight_negative", head(0, loss_weight=-1.5), "heads[0].loss_weight", -1.5),
    ("head_loss_weight_string", head(0, loss_weight="1"), "heads[0].loss_weight", "1"),
    ("head_loss_weight_true", head(0, loss_weight=True), "heads[0].loss_weight", True),
    ("head_loss_weight_null", head(0, loss_weight=None), "heads[0].loss_weight", None),
    ("head_loss_weight_infinite", head(0, loss_weight=math.inf), "heads[0].loss_weight", math.inf),
    ("head_unknown_field", head(0, units=3), "heads[0].units", 3),
    # training
    ("training_list", top("training", []), "training", []),
    ("training_string", top("training", "fast"), "training", "fast"),
    ("training_null", top("training", None), "training", None),
    ("training_unknown_key", training(momentum=0.9), "training.momentum", 0.9),
    # settings that the data cannot meet, or that NumPy's and Keras' seeding refuse
    ("batch_size_1000", training(batch_size=1000), "training.batch_size", 1000),
    ("test_size_small", training(test_size=0.01), "training.test_size", 0.01),
    ("test_size_large", training(test_size=0.99), "training.test_size", 0.99),
    ("seed_negative", training(seed=-3), "training.seed", -3),
    ("seed_2_64", training(seed=2**64), "training.seed", 2**64),
    ("optimizer_unknown", training(optimizer="adamax"), "training.optimizer", "adamax"),
    ("optimizer_case", training(optimizer="Adam"), "training.optimizer", "Adam"),
    ("optimizer_null", training(optimizer=None), "training.optimizer", None),
    ("learning_rate_0", training(learning_rate=0), "training.learning_rate", 0),
    ("learning_rate_negative", training(learning_rate=-0.01), "training.learning_rate", -0.01),
    ("learning_rate_string", training(learning_rate="0.01"), "training.learning_rate", "0.01"),
    ("learning_rate_true", training(learning_rate=True), "training.learning_rate", True),
    ("learning_rate_null", training(learning_rate=None), "training.learning_rate", None),
    ("learning_rate_infinite", training(learning_rate=math.inf), "training.learning_rate", math.inf),
    ("epochs_0", training(epochs=0), "training.epochs", 0),
    ("epochs_2001", training(epochs=2001), "training.epochs", 2001),
    ("epochs_float", training(epochs=10.0), "training.epochs", 10.0),
    ("epochs_string", training(epochs="10"), "training.epochs", "10"),
    ("epochs_true", training(epochs=True), "training.epochs", True),
    ("batch_size_0", training(batch_size=0), "training.batch_size", 0),
    ("batch_size_1001", training(batch_size=1001), "training.batch_size", 1001),
    ("batch_size_float", training(batch_size=2.5), "training.batch_size", 2.5),
    ("batch_size_null", training(batch_size=None), "training.batch_size", None),
    ("test_size_0", training(test_size=0), "training.test_size", 0),
    ("test_size_1", training(test_size=1), "training.test_size", 1),
    ("test_size_negative", training(test_size=-0.2), "training.test_size", -0.2),
    ("test_size_above_1", training(test_size=1.5), "training.test_size", 1.5),
    ("test_size_string", training(test_size="0.2"), "training.test_size", "0.2"),
    ("validation_split_1", training(validation_split=1), "training.validation_split", 1),
    ("validation_split_negative", training(validation_split=-0.1), "training.validation_split", -0.1),
    ("validation_split_string", training(validation_split="0"), "training.validation_split", "0"),
    ("validation_split_null", training(validation_split=None), "training.validation_split", None),
    ("seed_float", training(seed=4.2), "training.seed", 4.2),
    ("seed_string", training(seed="42"), "training.seed", "42"),
    ("seed_null", training(seed=None), "training.seed", None),
    ("seed_true", training(seed=True), "training.seed", True),
    ("patience_0", training(early_stopping_patience=0), "training.early_stopping_patience", 0),
    ("patience_negative", training(early_stopping_patience=-3), "training.early_stopping_patience", -3),
    ("patience_float", training(early_stopping_patience=2.5), "training.early_stopping_patience", 2.5),
    ("patience_true", training(early_stopping_patience=True), "training.early_stopping_patience", True),
    ("patience_false", training(early_stopping_patience=False), "training.early_stopping_patience", False),
    ("patience_string", training(early_stopping_patience="5"), "training.early_stopping_patience", "5"),
]


@pytest.mark.parametrize(("design", "field", "value"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_invalid_design_names_field_and_value(design, field, value):
    assert_error(design, field, value)
    with pytest.raises(InvalidDesign) as raised:
        ensure_valid(design)
    assert any(p.field == field for p in raised.value.problems)


def test_head_without_layers_takes_first_input():
    design = top("inputs", {"a": ["sepal_length"], "b": ["sepal_width"]})
    design["layers"] = []
    # "b" feeds nothing: an error that names the input.
    assert [p.field for p in errors(validate(design))] == ["inputs.b"]
    design["heads"][0]["from"] = "b"
    assert [p.field for p in errors(validate(design))] == ["inputs.a"]


def test_missing_version_is_required():
    found = errors_at(top("version", MISSING), "version")
    assert len(found) == 1
    assert found[0].message.startswith("version") and "required" in found[0].message


@pytest.mark.parametrize("count", [spec.MAX_LAYERS + 1, 40])
def test_too_many_layers(count):
    found = errors_at(_chain(count), "layers")
    assert len(found) == 1
    assert found[0].message.startswith("layers") and str(count) in found[0].message
    assert str(spec.MAX_LAYERS) in found[0].message


@pytest.mark.parametrize("count", [spec.MAX_HEADS + 1, 12])
def test_too_many_heads(count):
    found = errors_at(_many_heads(count), "heads")
    assert len(found) == 1
    assert found[0].message.startswith("heads") and str(count) in found[0].message
    assert str(spec.MAX_HEADS) in found[0].message


@pytest.mark.parametrize(
    ("inputs", "field", "name"),
    [
        ({"input": ["sepal_length", "sepal_width"], "extra": ["petal_width"]}, "inputs.extra", "extra"),
        ({"first": ["sepal_length"], "second": ["sepal_width"], "third": ["petal_length"]}, "inputs.second", "second"),
    ],
)
def test_input_that_reaches_no_head_is_an_error(inputs, field, name):
    design = load()
    design["inputs"] = inputs
    found = errors_at(design, field)
    assert len(found) == 1
    assert found[0].message.startswith(field) and name in found[0].message
    with pytest.raises(InvalidDesign):
        ensure_valid(design)


def test_column_that_is_input_and_target_is_an_error():
    design = head(0, target="sepal_width", activation="linear")
    found = errors_at(design, "heads[0].target")
    assert len(found) == 1 and '"sepal_width"' in found[0].message
    design["inputs"].remove("sepal_width")
    assert errors(validate(design)) == []


@pytest.mark.parametrize("name", ["1bad", "has space", "a" * 41])
def test_invalid_input_group_name_names_its_path(name):
    design = load()
    design["inputs"] = {name: list(datasets.IRIS.numbers)}
    design["layers"][0]["from"] = name
    found = [p for p in errors(validate(design)) if json.dumps(name) in p.message and "letters" in p.message]
    assert found
    assert all(p.field.startswith("inputs") and p.message.startswith(p.field) for p in found)


def test_invalid_input_group_name_is_an_error():
    """The error itself is reported (only its field is wrong, see above)."""
    design = load()
    design["inputs"] = {"1bad": list(datasets.IRIS.numbers)}
    design["layers"][0]["from"] = "1bad"
    assert any('"1bad"' in p.message for p in errors(validate(design)))


def test_every_error_is_reported_at_once():
    design = load()
    design["layers"][0]["units"] = 0
    design["layers"][1]["activation"] = "nope"
    design["heads"][0]["loss_weight"] = -1
    design["training"] = {"epochs": 0, "optimizer": "x"}
    fields = {p.field for p in errors(validate(design))}
    assert {
        "layers[0].units",
        "layers[1].activation",
        "heads[0].loss_weight",
        "training.epochs",
        "training.optimizer",
    } <= fields


def test_long_values_are_shortened_in_messages():
    design = layer(0, activation="x" * 500)
    (problem,) = errors_at(design, "layers[0].activation")
    assert len(problem.message) < 300
    assert problem.message.endswith("...")


# ---------------------------------------------------------------------------
# Warnings
# ---------------------------------------------------------------------------


def _unused_layer() -> dict:
    return head(0, **{"from": "hidden_2"})


def _unused_branch() -> dict:
    design = load()
    design["layers"].append({"name": "side", "from": "hidden_1", "units": 3})
    design["heads"][0]["from"] = "hidden_3"
    return design


def _numeric_head(**changes) -> dict:
    design = load("lecture_two_outputs")
    design["heads"][1].update(changes)
    return design


WARNINGS = [
    ("species_linear", head(0, activation="linear"), "heads[0].activation", "linear"),
    ("species_sigmoid", head(0, activation="sigmoid"), "heads[0].activation", "sigmoid"),
    ("species_regression_loss_mse", head(0, loss="mean_squared_error"), "heads[0].loss", "mean_squared_error"),
    ("species_regression_loss_huber", head(0, loss="huber"), "heads[0].loss", "huber"),
    ("numeric_softmax", _numeric_head(activation="softmax"), "heads[1].activation", "softmax"),
    ("numeric_log_softmax", _numeric_head(activation="log_softmax"), "heads[1].activation", "log_softmax"),
    ("numeric_sparsemax", _numeric_head(activation="sparsemax"), "heads[1].activation", "sparsemax"),
    (
        "numeric_classification_loss",
        _numeric_head(loss="categorical_crossentropy"),
        "heads[1].loss",
        "categorical_crossentropy",
    ),
    ("unused_last_layer", _unused_layer(), "layers[2]", "hidden_3"),
    ("unused_branch", _unused_branch(), "layers[3]", "side"),
]


@pytest.mark.parametrize(("design", "field", "value"), [c[1:] for c in WARNINGS], ids=[c[0] for c in WARNINGS])
def test_warnings_do_not_make_a_design_invalid(design, field, value):
    problems = validate(design)
    found = [p for p in problems if p.field == field]
    assert len(found) == 1, [str(p) for p in problems]
    (warning,) = found
    assert warning.severity == "warning"
    assert warning in warnings(problems)
    assert warning.message.startswith(field)
    assert value in warning.message
    assert errors(problems) == []
    assert ensure_valid(design) is design


def test_species_head_with_softmax_gives_no_warning():
    assert validate(head(0, activation="softmax", loss="categorical_crossentropy")) == []


def test_unused_layer_warning_only_when_otherwise_valid():
    design = _unused_layer()
    design["training"] = {"epochs": 0}
    problems = validate(design)
    assert [p.field for p in errors(problems)] == ["training.epochs"]


def test_errors_and_warnings_partition_problems():
    design = head(0, activation="linear")
    design["layers"][0]["units"] = 0
    problems = validate(design)
    assert errors(problems) and warnings(problems)
    assert sorted(map(str, errors(problems) + warnings(problems))) == sorted(map(str, problems))
    assert {p.severity for p in problems} == {"error", "warning"}


# ---------------------------------------------------------------------------
# ensure_valid and InvalidDesign
# ---------------------------------------------------------------------------


def test_ensure_valid_raises_invalid_design_with_the_errors_only():
    design = head(0, activation="linear")  # a warning
    design["layers"][0]["units"] = 0
    design["training"] = {"seed": "x"}
    with pytest.raises(InvalidDesign) as raised:
        ensure_valid(design)
    problems = raised.value.problems
    assert problems == errors(validate(design))
    assert [p.field for p in problems] == ["layers[0].units", "training.seed"]
    assert all(p.severity == "error" for p in problems)
    assert isinstance(raised.value, ValueError)
    assert str(raised.value) == "\n".join(p.message for p in problems)


@pytest.mark.parametrize("value", [None, [], [1, 2], "design", 3, 2.5, True])
def test_non_object_design(value):
    problems = validate(value)
    assert len(problems) == 1
    assert problems[0].field == "" and problems[0].severity == "error"
    assert json.dumps(value) in problems[0].message
    with pytest.raises(InvalidDesign) as raised:
        ensure_valid(value)
    assert raised.value.problems == problems


def test_problem_str_is_its_message():
    problem = Problem("layers[0].units", "layers[0].units must be ..., got 0")
    assert str(problem) == problem.message
    assert problem.severity == "error"


# ---------------------------------------------------------------------------
# validate never raises: hypothesis throws JSON-like garbage at it
# ---------------------------------------------------------------------------

FIELD_NAMES = sorted(
    {"version", "dataset", "inputs", "layers", "heads", "training", "name", "type", "from", "units"}
    | {"activation", "rate", "target", "loss", "loss_weight", *TRAINING_FIELDS}
)
WORDS = [
    *FIELD_NAMES,
    *datasets.IRIS.numbers,
    *datasets.IRIS.names,
    *LAYER_TYPES,
    "input",
    "hidden_1",
    "hidden_2",
    "hidden_3",
    "sepal",
    "petal",
    "iris",
    "softmax",
    "linear",
    "relu",
    "mean_squared_error",
]
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.sampled_from(WORDS)
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(st.sampled_from(WORDS) | st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=25,
)
entries = st.dictionaries(st.sampled_from(FIELD_NAMES), json_values, max_size=6) | json_values


def _walk(value):
    yield value
    if isinstance(value, list):
        for item in value:
            yield from _walk(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _walk(item)


def check_validate(design) -> None:
    before = copy.deepcopy(design)
    problems = validate(design)
    assert design == before, "validate changed its argument"
    assert isinstance(problems, list)
    for problem in problems:
        assert isinstance(problem, Problem)
        assert isinstance(problem.field, str) and isinstance(problem.message, str)
        assert problem.severity in ("error", "warning")
        assert problem.message.startswith(problem.field)
    if not errors(problems):
        # A design without errors must be usable by the rest of the core: neither of these may raise.
        summary = params.summarize(design)
        graph.design_to_dot(design)
        # Every head is counted, as wide as its target in the data itself: its classes, or 1.
        rows = summary.by_name()
        table = datasets.of(design)
        for entry in design["heads"]:
            width = width_of(table.name, table.names.index(entry["target"]), as_target=True)
            assert rows[entry["name"]].output_shape == f"(None, {width})"


GARBAGE = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@GARBAGE
@given(json_values)
def test_validate_never_raises_on_any_value(value):
    check_validate(value)


@GARBAGE
@given(st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=8), json_values, max_size=7))
def test_validate_never_raises_on_any_object(value):
    check_validate(value)


@GARBAGE
@given(
    key=st.sampled_from(list(PRESETS)),
    section=st.sampled_from(["inputs", "layers", "heads", "training"]),
    value=json_values,
)
def test_validate_never_raises_with_a_garbage_section(key, section, value):
    design = load(key)
    design[section] = value
    check_validate(design)


@GARBAGE
@given(
    key=st.sampled_from(list(PRESETS)),
    section=st.sampled_from(["layers", "heads"]),
    position=st.integers(0, 6),
    entry=entries,
    replace=st.booleans(),
)
def test_validate_never_raises_with_a_garbage_entry(key, section, position, entry, replace):
    design = load(key)
    items = design[section]
    position = min(position, len(items))
    if replace and position < len(items):
        items[position] = entry
    else:
        items.insert(position, entry)
    check_validate(design)


@GARBAGE
@given(
    key=st.sampled_from(list(PRESETS)),
    section=st.sampled_from(["layers", "heads"]),
    position=st.integers(0, 6),
    field=st.sampled_from(FIELD_NAMES),
    value=json_values,
)
def test_validate_never_raises_with_a_garbage_field(key, section, position, field, value):
    design = load(key)
    items = design[section]
    if not items:
        return
    items[position % len(items)][field] = value
    check_validate(design)


@GARBAGE
@given(
    key=st.sampled_from(list(PRESETS)),
    group=st.sampled_from(["input", "sepal", "petal", "extra"]),
    columns=json_values,
    as_object=st.booleans(),
)
def test_validate_never_raises_with_garbage_inputs(key, group, columns, as_object):
    design = load(key)
    if as_object:
        inputs = dict(spec.input_groups(design))
        inputs[group] = columns
        design["inputs"] = inputs
    else:
        design["inputs"] = [*spec.input_groups(design).get("input", []), columns]
    check_validate(design)


@GARBAGE
@given(
    key=st.sampled_from(list(PRESETS)),
    settings_=st.dictionaries(st.sampled_from([*TRAINING_FIELDS, "momentum"]), json_values, max_size=5),
)
@example(key="lecture_sequential", settings_={"learning_rate": math.inf, "test_size": -math.inf})
def test_validate_never_raises_with_garbage_training(key, settings_):
    design = load(key)
    design["training"] = settings_
    check_validate(design)


# Values that once made validate raise instead of report.

HUGE = 10**400  # a JSON integer literal json.loads accepts; too large for a float


@pytest.mark.parametrize(
    "design",
    [
        training(learning_rate=HUGE),
        training(test_size=-HUGE),
        training(validation_split=HUGE),
        head(0, loss_weight=HUGE),
        with_layers({"name": "drop", "type": "dropout", "rate": HUGE}),
    ],
    ids=["learning_rate", "test_size", "validation_split", "loss_weight", "rate"],
)
def test_validate_does_not_raise_on_huge_integers(design):
    check_validate_strict(design)


@pytest.mark.parametrize(
    "inputs", [[["sepal_length"]], ["sepal_length", {"a": 1}], {"input": [["petal_width"]]}], ids=str
)
def test_validate_does_not_raise_on_unhashable_input_column(inputs):
    check_validate_strict(top("inputs", inputs))


@pytest.mark.parametrize("activation", [[], ["linear"], {"name": "linear"}], ids=str)
def test_validate_does_not_raise_on_unhashable_numeric_head_activation(activation):
    check_validate_strict(_numeric_head(activation=activation))


def check_validate_strict(design) -> None:
    """validate must return problems (here: at least one error), never raise."""
    problems = validate(design)
    assert errors(problems)
