"""A kind added to the registry of kinds, and nowhere else, works in every part of the app.

Three kinds are added here to ``designer.kinds`` alone (its ``LAYERS``,
``LAYER_TYPES`` and ``KINDS``), none of which the app has code for:

- a dense layer without biases, Keras' ``Dense(units, use_bias=False)``: a
  kernel and nothing else;
- a layer normalisation, Keras' ``LayerNormalization``: variables ``gamma`` and
  ``beta``, in a kind the app has never seen;
- a PReLU, Keras' ``PReLU``: one variable, ``alpha``, of a name no module of the
  app knows.

Each goes into the lecture's network after its first layer and through
validation, the counts, the network graph and the neuron view, the Design
page's editor and walk-through, the exported scripts, a short training run
(Iris, 2 epochs), the weight tables, the explainer, the neuron view coloured by
the trained weights, the decision maps and the Model page. The references are
Keras itself (``count_params()``, the layer's own variables, ``get_weights()``)
and the entries written here, never the code under test.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from apptest_support import (
    DESIGN_PAGE,
    MODEL_PAGE,
    button,
    charts,
    choose_tab,
    keyed,
    open_session,
    plotly_values,
    shown_total,
    widget,
)
from test_kinds import NO_BIAS  # the README's example, written as its author would
from test_params_against_keras import keras_sources
from test_weights_and_explainer import expected_labels

from designer import datasets, edits, export, graph, kinds, maps, neurons, params, presets, spec
from designer.network import resolve
from designer.validation import errors, validate
from designer.weights import kernels_and_biases, layer_weights
from ui.text import unescape

# --------------------------------------------------------------------------- the new kinds, as their authors write them


def _layer_norm_count(entry: dict, widths: list[int], width: int) -> kinds.Count:
    return kinds.counted(
        kinds.Term((2, sum(widths)), "parameter", "Each feature has a scale γ and a shift β that training learns")
    )


LAYER_NORM = kinds.Kind(
    name="layer_norm",
    label="Layer norm",
    keras_class="LayerNormalization",
    description="Normalises each row's features together, then scales and shifts each feature.",
    stem="layer_norm",
    variables={"gamma": "γ (scale)", "beta": "β (shift)"},
    count=_layer_norm_count,
    describe=lambda entry, width: "LayerNormalization",
)


def _prelu_count(entry: dict, widths: list[int], width: int) -> kinds.Count:
    return kinds.counted(kinds.Term((sum(widths),), "slope", "Each feature learns its own slope below zero"))


PRELU = kinds.Kind(
    name="prelu",
    label="PReLU",
    keras_class="PReLU",
    description="A ReLU whose slope below zero each feature learns.",
    stem="prelu",
    count=_prelu_count,
    describe=lambda entry, width: "PReLU",
)

NEW_KINDS = {kind.name: kind for kind in (NO_BIAS, LAYER_NORM, PRELU)}
# What each new layer's Keras variables are called, and how the weight tables must title them (written here).
VARIABLES = {
    "dense_no_bias": {"kernel": "kernel"},
    "layer_norm": {"gamma": "γ (scale)", "beta": "β (shift)"},
    "prelu": {"alpha": "alpha"},
}
EPOCHS = 2
PLACE = 1  # each new layer goes after the lecture's first: 4 → 8 → [new] → 10 → 10 → 3

kind_names = pytest.mark.parametrize("name", list(NEW_KINDS))


@pytest.fixture(scope="module", autouse=True)
def registry():
    """The registry with the three new kinds, for this module (a module fixture: the trained models outlive a test)."""
    with pytest.MonkeyPatch.context() as patch:
        layers = {**kinds.LAYERS, **NEW_KINDS}
        patch.setattr(kinds, "LAYERS", layers)
        patch.setattr(kinds, "LAYER_TYPES", tuple(layers))
        patch.setattr(kinds, "KINDS", {**kinds.KINDS, **NEW_KINDS})
        yield


def design_with(name: str) -> dict:
    """The lecture's network with a layer of kind ``name`` after its first layer, added as the page adds it."""
    return edits.add_layer(presets.default_design(), name, PLACE)


def added(design: dict) -> str:
    return design["layers"][PLACE]["name"]


@pytest.fixture(scope="module")
def trained():
    """Trainers of the designs, trained for a couple of epochs, kept for the module."""
    from designer import training

    cache: dict[str, training.Trainer] = {}

    def get(name: str) -> training.Trainer:
        if name not in cache:
            trainer = training.Trainer(design_with(name))
            trainer.train(EPOCHS)
            assert trainer.epochs_done == EPOCHS
            assert all(math.isfinite(value) for value in trainer.history["loss"])
            cache[name] = trainer
        return cache[name]

    return get


def keras_layers():
    return pytest.importorskip("keras").layers


# --------------------------------------------------------------------------- the core, without Keras


@kind_names
def test_validated_from_its_fields(name):
    kind, design = NEW_KINDS[name], design_with(name)
    assert design["layers"][PLACE] == {
        "name": kind.stem,
        "type": name,
        **{field.name: field.start for field in kind.fields if field.required},
    }
    assert errors(validate(design)) == []
    for field in kind.fields:
        rule = field.rule(datasets.IRIS)
        bad = edits.set_field(design, "layers", PLACE, field.name, rule.invalid_examples()[0])
        assert [p.field for p in errors(validate(bad))] == [f"layers[{PLACE}].{field.name}"], field.name
    unknown = edits.set_field(design, "layers", PLACE, "colour", "blue")
    assert [p.field for p in errors(validate(unknown))] == [f"layers[{PLACE}].colour"]


@kind_names
def test_drawn_in_the_network_graph_and_the_neuron_view(name):
    design = design_with(name)
    net, count = resolve(design), params.summarize(design).by_name()[added(design)]
    dot = graph.design_to_dot(design)
    assert graph.dot_id(added(design)) in dot
    assert NEW_KINDS[name].describe({"activation": "relu"}, 8) in dot
    assert f"{count.total:,} params" in dot

    neuron_graph = neurons.neuron_graph(net)
    into = [c for c in neuron_graph.connections if c.target == added(design)]
    weighted = NEW_KINDS[name].look.weighted
    assert len(into) == (8 * 8 if weighted else 8)  # every feature to every unit, or each passed on
    assert {c.weighted for c in into} == {weighted}
    assert neurons.neuron_dot(net, focus=added(design))


@kind_names
def test_explained_in_the_numbers_of_its_count(name):
    design = design_with(name)
    net, count = resolve(design), params.summarize(design).by_name()[added(design)]
    steps = params.explain(net, added(design))
    total = re.search(r"([\d,]+) parameters\.$", steps[-1])
    assert total, steps[-1]
    assert int(total[1].replace(",", "")) == count.total
    together = re.search(r"Together: ([\d+ ]+) = ", steps[-1])
    if together:
        assert sum(int(term) for term in together[1].split(" + ")) == count.total, steps[-1]
    text = " ".join(steps)
    if name == "dense_no_bias":
        assert "bias" not in text, text
        assert "8 × 8 = 64 weights" in text, text
        assert count.arithmetic == "8 × 8 = 64"
    assert f"{added(design)} receives 8 values" in steps[0]


@kind_names
def test_edited_and_walked_through_on_the_design_page(name):
    kind = NEW_KINDS[name]
    at = open_session(DESIGN_PAGE, timeout=60)
    button(at, f"Add a {kind.label} layer at the end").click().run()
    assert not at.exception, [e.message for e in at.exception]
    design = at.session_state["design"]
    last = len(design["layers"]) - 1
    assert design["layers"][last]["type"] == name
    assert shown_total(at) == params.summarize(design).total

    keys = {e.key for e in [*at.number_input, *at.selectbox, *at.text_input] if e.key}
    fields = {key.removeprefix(f"layer-{last}:") for key in keys if key.startswith(f"layer-{last}:")}
    assert fields >= {"name", *(field.name for field in kind.fields)}, fields
    for field in kind.fields:
        if isinstance(field.rule(datasets.IRIS), kinds.Interval):
            widget(at.number_input, f"layer-{last}:{field.name}").set_value(field.start * 2).run()
            assert at.session_state["design"]["layers"][last][field.name] == field.start * 2
            assert shown_total(at) == params.summarize(at.session_state["design"]).total

    layer = at.session_state["design"]["layers"][last]["name"]
    choose_tab(at, "design-view", "Neuron by neuron")
    keyed(at.segmented_control, "walk:").set_value(layer).run()
    assert not at.exception, [e.message for e in at.exception]
    design = at.session_state["design"]
    count = params.summarize(design).by_name()[layer]
    assert [unescape(h.value) for h in at.subheader] == [f"{layer}: {count.total:,} parameters"]
    steps = params.explain(resolve(design), layer)
    shown = "\n".join(unescape(m.value) for m in at.markdown)
    assert all(f"{number}. {step}" in shown for number, step in enumerate(steps, 1)), shown


# --------------------------------------------------------------------------- against Keras


@pytest.mark.keras
@kind_names
def test_counted_as_keras_counts_it(name):
    from designer.keras_model import build_model

    design = design_with(name)
    model, summary = build_model(design), params.summarize(design)
    built = model.get_layer(added(design))
    assert type(built) is getattr(keras_layers(), NEW_KINDS[name].keras_class)
    count = summary.by_name()[added(design)]
    assert count.total == built.count_params()
    assert count.trainable == sum(math.prod(v.shape) for v in built.trainable_weights)
    assert count.non_trainable == sum(math.prod(v.shape) for v in built.non_trainable_weights)
    assert summary.total == model.count_params()
    assert resolve(design)[added(design)].width == built.output.shape[-1]
    assert sorted(v.name for v in built.weights) == sorted(VARIABLES[name])


@pytest.mark.keras
@kind_names
def test_exported_scripts_build_the_same_model(name):
    from designer.keras_model import build_model

    design = design_with(name)
    expected = build_model(design).count_params()
    for style in ("sequential", "functional", "subclassing"):
        script = export.export(design, style)
        namespace: dict = {}
        exec(compile(script.split('if __name__ == "__main__":')[0], f"exported_{style}.py", "exec"), namespace)
        assert namespace["build_model"]().count_params() == expected, style
    if name == "dense_no_bias":
        call = next(part for part in script.split("layers.") if f'name="{added(design)}"' in part)
        assert "use_bias=False" in call, call


@pytest.mark.keras
@kind_names
def test_trained_weights_are_the_layers_keras_variables(name, trained):
    trainer = trained(name)
    model, design = trainer.model, trainer.design
    found = {layer.name: layer for layer in layer_weights(model, resolve(design))}
    assert sorted(found) == sorted(layer.name for layer in model.layers if layer.weights)
    labels, sources = expected_labels(model, design), keras_sources(model)
    for layer in model.layers:
        if not layer.weights:
            continue
        feeding = tuple(feature for source in sources[layer.name] for feature in labels[source])
        matrices = found[layer.name].matrices
        for matrix in matrices:
            assert (len(matrix.rows), len(matrix.columns)) == matrix.values.shape, (layer.name, matrix.title)
        shown = sum(matrix.values.size for matrix in matrices)
        assert shown == layer.count_params(), f"{layer.name}: {shown} values shown, Keras has {layer.count_params()}"
        has_kernel = any(len(v.shape) == 2 for v in layer.weights)
        for variable, values in zip(layer.weights, layer.get_weights(), strict=True):
            if values.ndim == 2:
                [matrix] = [m for m in matrices if m.values.shape == values.shape and np.array_equal(m.values, values)]
                assert (matrix.rows, matrix.columns) == (feeding, labels[layer.name])
                title = matrix.title
            else:
                rows = [(m, i) for m in matrices for i, row in enumerate(m.values) if np.array_equal(row, values)]
                assert len(rows) >= 1, f"{layer.name}/{variable.name} is not shown"
                matrix, i = next((m, i) for m, i in rows if m.rows[i] == _words_for(design, layer.name, variable.name))
                over_units = has_kernel or len(values) != len(feeding)
                assert matrix.columns == (labels[layer.name] if over_units else feeding), (layer.name, variable.name)
                title = matrix.rows[i]
            if layer.name == added(design):
                assert title == VARIABLES[name][variable.name], (variable.name, title)


def _words_for(design: dict, layer: str, variable: str) -> str:
    """The words a variable's row must carry: those its kind's entry gives it, else its name (``moving mean``)."""
    return kinds.of(resolve(design)[layer].kind).variables.get(variable, variable.replace("_", " "))


@pytest.mark.keras
@kind_names
def test_neuron_view_coloured_by_the_trained_weights(name, trained):
    trainer = trained(name)
    model, net, layer = trainer.model, resolve(trainer.design), added(trainer.design)
    kernels, biases = kernels_and_biases(layer_weights(model, net))
    dense = {lay.name for lay in model.layers if type(lay).__name__ == "Dense"}
    assert set(kernels) == dense
    for dense_layer in dense:
        np.testing.assert_array_equal(kernels[dense_layer], model.get_layer(dense_layer).kernel.numpy())
    assert set(biases) == {lay for lay in dense if model.get_layer(lay).use_bias}
    drawing = neurons.neuron_drawing(net, kernels, biases)
    edges = [edge for edge in drawing.get_edges() if edge.get_destination().strip('"').startswith(f"{layer}/")]
    if name == "dense_no_bias":
        kernel = model.get_layer(layer).kernel.numpy()
        tooltips = " ".join(edge.get("tooltip") for edge in edges)
        assert len(edges) == kernel.size
        assert f"weight {float(kernel[0, 0]):+.3f}" in tooltips
        unit_tooltips = [n.get("tooltip") for n in drawing.get_nodes() if n.get_name().strip('"').startswith(layer)]
        assert unit_tooltips and not any("bias" in (tip or "") for tip in unit_tooltips), unit_tooltips
    else:
        assert len(edges) == 8 and all("passed on" in edge.get("tooltip") for edge in edges)


@pytest.mark.keras
@kind_names
def test_maps_of_the_trained_model(name, trained):
    trainer = trained(name)
    plane = maps.plane(trainer.design, trainer.data, grid=7)
    layers = maps.unit_layers(trainer.design)
    assert (added(trainer.design) in layers) == NEW_KINDS[name].look.weighted
    found = maps.compute(trainer.model, trainer.design, trainer.data, plane, layers)
    for layer in layers:
        assert found.units[layer].shape == (trainer.model.get_layer(layer).output.shape[-1], 7, 7)
        assert np.isfinite(found.units[layer]).all()
    assert found.heads["species"]["predicted"].shape == (7, 7)


@pytest.mark.keras
@kind_names
def test_model_page_shows_its_weights(name):
    from designer.keras_model import build_model

    design = design_with(name)
    layer = added(design)
    at = open_session(MODEL_PAGE, state={"design": design}, timeout=120)
    choose_tab(at, "model-view", "Weight matrices")
    keyed(at.segmented_control, "weights:").set_value(layer).run()
    assert not at.exception, [e.message for e in at.exception]
    reference = build_model(design, seed=spec.training_settings(design)["seed"]).get_layer(layer)
    shown = {}
    for figure in charts(at):
        [heatmap] = figure["data"]
        z = shown[figure["layout"]["title"]["text"]] = plotly_values(heatmap["z"])
        assert (len(heatmap["y"]), len(heatmap["x"])) == z.shape, figure["layout"]["title"]["text"]
    assert all(title.startswith(f"{layer}: ") for title in shown), list(shown)
    assert sum(values.size for values in shown.values()) == reference.count_params()
    for values in reference.get_weights():
        assert any(np.array_equal(np.atleast_2d(values), z) for z in shown.values()) or any(
            any(np.array_equal(row, values) for row in z) for z in shown.values()
        ), f"{layer}: a variable of shape {values.shape} is not shown"
    choose_tab(at, "model-view", "Learned weights")
    assert at.get("graphviz_chart"), "the neuron view is not drawn"
