"""The registry of node kinds and the constraints it is made of.

The constraints are checked against hand-written rules and sentences; the
registry against Keras (a layer the designer counts must be the layer Keras
counts). The last test adds a new dense-like kind to the registry, and only to
the registry, and finds every part of the core handling it: validation, edits,
the resolved network, the counts and their explanation, the Keras builder and
the exported script (``test_kind_conformance.py`` takes such kinds through
every other part of the app).
"""

from __future__ import annotations

import dataclasses
import math

import pytest

from designer import datasets, edits, export, kinds, network, params, presets, spec
from designer.constraints import Interval, Optional, Options
from designer.validation import errors, validate

# --------------------------------------------------------------------------- constraints


@pytest.mark.parametrize(
    ("rule", "good", "bad", "sentence"),
    [
        (
            Interval(int, 1, 1024),
            [1, 8, 1024],
            [0, 1025, 1.0, True, "8", None],
            "must be a whole number from 1 to 1024",
        ),
        (
            Interval(float, 0, 1, closed="left"),
            [0, 0.0, 0.5, 0.999],
            [1, 1.0, -0.01, float("nan"), float("inf"), "0.5"],
            "must be a number at least 0 and below 1",
        ),
        (
            Interval(float, 0, None, closed="neither"),
            [1e-9, 0.001, 3, 1e300],
            [0, 0.0, -1, float("inf"), None],
            "must be a number greater than 0",
        ),
        (
            Interval(int, 0, 2**32 - 1),
            [0, 42, 2**32 - 1],
            [-1, 2**32, 2**64, 2.0],
            "must be a whole number from 0 to 4294967295",
        ),
        (Options(("adam", "sgd")), ["adam", "sgd"], ["Adam", None, 1, ["adam"], {}], "must be one of adam, sgd"),
        (
            Optional(Interval(int, 1, 2000), "no early stopping"),
            [None, 1, 2000],
            [0, 2001, "10", 1.5],
            "must be null (no early stopping) or a whole number from 1 to 2000",
        ),
    ],
)
def test_a_constraint_checks_and_says_what_it_requires(rule, good, bad, sentence):
    assert all(rule.is_valid(value) for value in good)
    assert not any(rule.is_valid(value) for value in bad)
    assert rule.requirement == sentence


@pytest.mark.parametrize(
    "rule",
    [
        Interval(int, 1, 1024),
        Interval(float, 0, 1, closed="left"),
        Interval(float, 0, 1, closed="neither"),
        Interval(float, 0, None, closed="neither"),
        Interval(int, 0, 2**32 - 1),
        Options(("a", "b")),
        Optional(Interval(int, 1, 10), "off"),
    ],
)
def test_a_constraint_refuses_its_own_invalid_examples(rule):
    examples = rule.invalid_examples()
    assert examples
    assert not any(rule.is_valid(value) for value in examples), examples


def test_every_training_setting_and_field_default_passes_its_own_rule():
    for setting in spec.TRAINING_SETTINGS:
        assert setting.constraint.is_valid(setting.default), setting.name
    for kind in kinds.KINDS.values():
        for field in kind.fields:
            if field.required and field.start is None:
                continue  # a head's target: chosen per table (datasets.Table.target), checked in test_datasets
            entry = {"target": "species", kinds.TASK: datasets.IRIS.task("species")}
            value = field.start if field.required else field.default_for(entry)
            assert field.rule(datasets.IRIS).is_valid(value), (kind.name, field.name)


# --------------------------------------------------------------------------- the registry against Keras


@pytest.mark.keras
@pytest.mark.parametrize("name", list(kinds.LAYERS))
def test_every_layer_kind_is_a_keras_layer_with_the_designers_count(name):
    keras = pytest.importorskip("keras")
    from designer.keras_model import build_model

    design = edits.add_layer(presets.default_design(), name)
    added = design["layers"][-1]["name"]
    built = build_model(design).get_layer(added)
    assert type(built) is getattr(keras.layers, kinds.LAYERS[name].keras_class)
    assert params.summarize(design).by_name()[added].total == built.count_params()
    assert network.resolve(design)[added].width == built.output.shape[-1]


# --------------------------------------------------------------------------- a new kind, in the registry only


NO_BIAS = dataclasses.replace(
    kinds.DENSE,
    name="dense_no_bias",
    label="Dense without bias",
    description="A dense layer without biases: a weight per connection, nothing more.",
    stem="weights_only",
    numbered=False,
    count=kinds.dense_count(bias=False),
    keras_arguments=kinds.dense_arguments(bias=False),
    describe=lambda entry, width: f"Dense {width}, {entry['activation']}, no bias",
)


@pytest.fixture
def registry_with_a_new_kind(monkeypatch):
    layers = {**kinds.LAYERS, NO_BIAS.name: NO_BIAS}
    monkeypatch.setattr(kinds, "LAYERS", layers)
    monkeypatch.setattr(kinds, "LAYER_TYPES", tuple(layers))
    monkeypatch.setattr(kinds, "KINDS", {**kinds.KINDS, NO_BIAS.name: NO_BIAS})


@pytest.mark.keras
def test_a_new_dense_like_kind_needs_only_a_registry_entry(registry_with_a_new_kind):
    keras = pytest.importorskip("keras")
    from designer.keras_model import build_model

    design = edits.add_layer(presets.default_design(), NO_BIAS.name, 1)
    assert design["layers"][1] == {"name": "weights_only", "type": "dense_no_bias", "units": 8}
    assert errors(validate(design)) == []
    bad = edits.set_field(design, "layers", 1, "units", 0)
    assert [p.field for p in errors(validate(bad))] == ["layers[1].units"]

    # 4 → 8 → [8, no bias] → 10 → 10 → 3: the new layer has 8 × 8 = 64 weights and no biases.
    summary = params.summarize(design)
    assert summary.by_name()["weights_only"].arithmetic == "8 × 8 = 64"
    explained = params.explain(network.resolve(design), "weights_only")
    assert "8 × 8 = 64 weights" in explained[1] and explained[-1] == "In all: 64 parameters."
    assert not any("bias" in step for step in explained), explained
    model = build_model(design)
    assert summary.total == model.count_params() == 273 + 64 - 0
    assert model.get_layer("weights_only").use_bias is False

    script = export.export(design, "functional")
    weights_only = next(part for part in script.split("layers.") if 'name="weights_only"' in part)
    assert "use_bias=False" in weights_only and "seed=SEED + 2" in weights_only, weights_only
    namespace: dict = {}
    exec(compile(script.split('if __name__ == "__main__":')[0], "exported.py", "exec"), namespace)
    assert namespace["build_model"]().count_params() == model.count_params()
    assert math.isclose(keras.ops.convert_to_numpy(model.get_layer("weights_only").kernel).size, 64)
