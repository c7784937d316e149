"""Weights as labelled matrices, their heatmaps, the parameter walk-through and Keras' own texts, against Keras.

``designer.weights.layer_weights`` reads a built model's weights and names
their rows and columns; ``designer.params.explain`` and ``running_total`` spell
out the parameter arithmetic; ``designer.keras_model.summary_text`` and
``keras_dot`` hand on what Keras prints and draws. Every expectation here is
read from the Keras model itself (kernel shapes, ``get_weights()``,
``count_params()``, its wiring) or from the design's own entries, never from the
code under test.

Random designs come from ``random_design(seed)`` of ``test_params_against_keras``:
a failure names the seed that reproduces it.
"""

from __future__ import annotations

import functools
import math
import re
import zlib

import numpy as np
import pydot
import pytest
from design_cases import PRESET_CASES, cases, design_of, network_of
from test_params_against_keras import keras_sources

from designer import datasets, params, presets
from designer.keras_model import build_model, keras_dot, summary_text
from designer.network import resolve
from designer.validation import ensure_valid
from designer.weights import layer_weights
from ui import charts

pytestmark = pytest.mark.keras

IRIS_COLUMNS = ("sepal_length", "sepal_width", "petal_length", "petal_width")
SPECIES = ("setosa", "versicolor", "virginica")
N_WEIGHT_DESIGNS = 30
N_EXPLAIN_DESIGNS = 40

WEIGHT_CASES = cases(N_WEIGHT_DESIGNS)
EXPLAIN_CASES = cases(N_EXPLAIN_DESIGNS)


# --------------------------------------------------------------------------
# Designs and models (each built once per test session)
# --------------------------------------------------------------------------


@functools.cache
def model_of(case: str):
    """The Keras model of a case, every weight random (Keras starts biases and batch norm at 0 and 1)."""
    model = build_model(design_of(case), seed=0)
    rng = np.random.default_rng(zlib.crc32(case.encode()))
    for layer in model.layers:
        values = layer.get_weights()
        if values:
            layer.set_weights([rng.normal(size=v.shape).astype(v.dtype) for v in values])
    return model


def kind_of(layer) -> str:
    return type(layer).__name__


def input_groups(design: dict) -> dict[str, tuple[str, ...]]:
    """Input name -> its columns, read from the design (no ``inputs``: the table's usual ones as ``input``)."""
    inputs = design.get("inputs", list(datasets.of(design).inputs))
    if isinstance(inputs, list):
        return {"input": tuple(inputs)}
    return {name: tuple(columns) for name, columns in inputs.items()}


def expected_labels(model, design: dict) -> dict[str, tuple[str, ...]]:
    """A name for each feature every Keras layer outputs, following Keras' wiring.

    Input columns by their name (a category's one-hot features as ``island=Dream``), a classification
    head's units by class (a two-class head's one unit as ``P(benign)``),
    a regression head's unit by its target, concatenate its sources' names
    joined in order; any other layer's features (dense, dropout, batch norm) as
    ``<layer> #<n>``, counting from 1 (as ``feature_labels`` documents ``hidden_1 #3``).
    """
    groups, sources = input_groups(design), keras_sources(model)
    targets = {head["name"]: head["target"] for head in design["heads"]}
    labels: dict[str, tuple[str, ...]] = {}
    table = datasets.of(design)  # its categories are checked against the loaders in test_datasets.py

    def one_hot(column: str) -> tuple[str, ...]:
        values = table.column(column).categories
        return tuple(f"{column}={value}" for value in values) if values else (column,)

    def head_units(target: str) -> tuple[str, ...]:
        classes = table.column(target).categories
        if len(classes) == 2:
            return (f"P({classes[1]})",)  # one sigmoid unit: the probability of the second class
        return classes or (target,)

    def label(name: str) -> tuple[str, ...]:
        if name not in labels:
            layer = model.get_layer(name)
            joined = tuple(feature for source in sources[name] for feature in label(source))
            if kind_of(layer) == "InputLayer":
                labels[name] = tuple(feature for column in groups[name] for feature in one_hot(column))
            elif name in targets:
                labels[name] = head_units(targets[name])
            elif kind_of(layer) == "Concatenate":
                labels[name] = joined
            else:
                labels[name] = tuple(f"{name} #{i + 1}" for i in range(layer.output.shape[-1]))
        return labels[name]

    for layer in model.layers:
        label(layer.name)
    return labels


# --------------------------------------------------------------------------
# 1. layer_weights: Keras' weights as labelled matrices
# --------------------------------------------------------------------------


@pytest.mark.parametrize("case", WEIGHT_CASES)
def test_layer_weights_are_keras_weights_labelled(case):
    design, model = design_of(case), model_of(case)
    found = layer_weights(model, network_of(case))
    by_name = {layer.name: layer for layer in found}
    assert len(by_name) == len(found), "a layer listed twice"
    weighted = {layer.name: layer for layer in model.layers if kind_of(layer) in ("Dense", "BatchNormalization")}
    assert sorted(by_name) == sorted(weighted)

    groups, sources, labels = input_groups(design), keras_sources(model), expected_labels(model, design)
    targets = {head["name"]: head["target"] for head in design["heads"]}
    for name, layer in weighted.items():
        got = by_name[name]
        feeding = tuple(feature for source in sources[name] for feature in labels[source])
        if kind_of(layer) == "BatchNormalization":
            assert got.kind == "batch_norm"
            (matrix,) = got.matrices
            features = layer.input.shape[-1]
            assert matrix.values.shape == (4, features)
            np.testing.assert_array_equal(matrix.values, np.stack(layer.get_weights()))
            assert len(matrix.rows) == 4
            assert matrix.columns == feeding
            continue
        assert got.kind == ("head" if name in model.output_names else "dense")
        kernel, bias = got.matrices
        assert (kernel.title, bias.title) == tuple(variable.name for variable in layer.weights)  # Keras' own names
        keras_kernel, keras_bias = layer.get_weights()
        assert kernel.values.shape == tuple(layer.kernel.shape)
        np.testing.assert_array_equal(kernel.values, keras_kernel)
        assert bias.values.shape == (1, layer.units)
        np.testing.assert_array_equal(bias.values[0], keras_bias)
        for matrix in (kernel, bias):
            assert len(matrix.rows) == matrix.values.shape[0]
            assert len(matrix.columns) == matrix.values.shape[1]
        assert kernel.rows == feeding
        assert kernel.columns == bias.columns == labels[name]
        if sources[name] and sources[name][0] in groups and len(sources[name]) == 1:
            assert kernel.rows == labels[sources[name][0]], f"{name} is fed by the input {sources[name][0]}"
        if targets.get(name) == "species" and datasets.of(design) is datasets.IRIS:
            assert kernel.columns == SPECIES


def test_weight_cases_cover_every_kind():
    kinds = [{kind_of(layer) for layer in model_of(case).layers} for case in WEIGHT_CASES]
    assert sum("BatchNormalization" in k for k in kinds) >= 3
    assert sum("Concatenate" in k for k in kinds) >= 3
    fed_by_input = 0
    for case in WEIGHT_CASES:
        model = model_of(case)
        sources = keras_sources(model)
        fed_by_input += any(
            kind_of(layer) == "Dense" and kind_of(model.get_layer(sources[layer.name][0])) == "InputLayer"
            for layer in model.layers
        )
    assert fed_by_input >= len(WEIGHT_CASES) // 2


# --------------------------------------------------------------------------
# 2. Heatmaps of the matrices
# --------------------------------------------------------------------------


@pytest.mark.parametrize("case", WEIGHT_CASES[: len(PRESET_CASES) + 10])
def test_weights_heatmap_has_the_matrix_shape_and_names(case):
    model = model_of(case)
    for layer in layer_weights(model, network_of(case)):
        for matrix in layer.matrices:
            figure = charts.weights_heatmap(matrix, layer.name)
            heatmap = figure.data[0]
            assert np.shape(heatmap.z) == matrix.values.shape
            np.testing.assert_array_equal(np.asarray(heatmap.z), matrix.values)
            assert len(heatmap.x) == len(matrix.columns) == matrix.values.shape[1]
            assert len(heatmap.y) == len(matrix.rows) == matrix.values.shape[0]
            assert list(heatmap.x) == list(matrix.columns)
            assert list(heatmap.y) == list(matrix.rows)


def repeated_input() -> dict:
    """A valid design whose head is fed ``petal_length`` twice: once directly, once through ``both``."""
    return {
        "version": 1,
        "inputs": {"sepal": ["sepal_length", "sepal_width"], "petal": ["petal_length"]},
        "layers": [
            {"name": "both", "type": "concatenate", "from": ["sepal", "petal"]},
            {"name": "again", "type": "concatenate", "from": ["both", "petal"]},
        ],
        "heads": [{"name": "species", "target": "species"}],
    }


def test_heatmap_gives_every_kernel_row_a_row_of_its_own():
    design = repeated_input()
    model = build_model(design, seed=0)
    kernel_rows = model.get_layer("species").kernel.shape[0]
    assert kernel_rows == 4
    (head,) = layer_weights(model, resolve(ensure_valid(design)))
    heatmap = charts.weights_heatmap(head.matrices[0], head.name)
    assert heatmap.layout.yaxis.type == "category"
    assert len(set(heatmap.data[0].y)) == kernel_rows, list(heatmap.data[0].y)


# --------------------------------------------------------------------------
# 3. explain(): the arithmetic of each layer, ending in Keras' count
# --------------------------------------------------------------------------

TOTAL = re.compile(r"= ([\d,]+) parameters\.$")
NOTHING = re.compile(r"\b(0|no) parameters\.$")


@pytest.mark.parametrize("case", EXPLAIN_CASES)
def test_explain_ends_with_keras_count(case):
    net, model = network_of(case), model_of(case)
    assert sorted(node.name for node in net.used_nodes) == sorted(layer.name for layer in model.layers)
    for layer in model.layers:
        steps = params.explain(net, layer.name)
        assert steps and all(isinstance(step, str) and step for step in steps)
        count, last = layer.count_params(), steps[-1]
        if count:
            match = TOTAL.search(last)
            assert match, f"{layer.name}: {last!r} does not end with its total"
            assert int(match[1].replace(",", "")) == count, f"{layer.name}: {last!r}, Keras counts {count}"
        else:
            assert kind_of(layer) in ("InputLayer", "Dropout", "Concatenate")
            assert NOTHING.search(last), f"{layer.name}: {last!r} does not say it has no parameters"
        text = " ".join(steps)
        if kind_of(layer) == "Dense":
            fan_in, units = (int(n) for n in layer.kernel.shape)
            assert f"{fan_in} × {units} = {fan_in * units} weights" in text, (layer.name, text)
        elif kind_of(layer) == "BatchNormalization":
            trainable = sum(math.prod(w.shape) for w in layer.trainable_weights)
            frozen = sum(math.prod(w.shape) for w in layer.non_trainable_weights)
            features = layer.input.shape[-1]
            assert f"2 × {features} = {trainable} trainable" in text, (layer.name, text)
            assert f"2 × {features} = {frozen} non-trainable" in text, (layer.name, text)


# --------------------------------------------------------------------------
# 4. running_total(): the counts so far, added up to Keras' total
# --------------------------------------------------------------------------


def design_order(design: dict, model) -> list[str]:
    """The model's layers in the order the design lists them: inputs, layers, heads."""
    names = [*input_groups(design), *(layer["name"] for layer in design.get("layers", []))]
    names += [head["name"] for head in design["heads"]]
    present = {layer.name for layer in model.layers}
    return [name for name in names if name in present]


@pytest.mark.parametrize("case", EXPLAIN_CASES)
def test_running_total_adds_up_to_keras_count(case):
    design, model = design_of(case), model_of(case)
    summary = params.summarize_network(network_of(case))
    total = model.count_params()
    order = design_order(design, model)
    assert len(order) == len(model.layers)

    last = params.running_total(summary, order[-1])
    counted = [model.get_layer(name).count_params() for name in order if model.get_layer(name).count_params()]
    if len(counted) > 1:
        assert last.endswith(f"= {total:,} of {total:,}"), last
    else:
        assert last == f"{total:,} of {total:,}"

    for position, name in enumerate(order):
        so_far = [n for n in (model.get_layer(m).count_params() for m in order[: position + 1]) if n]
        text = params.running_total(summary, name)
        if not so_far:
            assert text == f"0 of {total:,}"
        elif len(so_far) == 1:
            assert text == f"{so_far[0]:,} of {total:,}"
        else:
            terms, rest = text.split(" = ")
            assert sorted(int(t.replace(",", "")) for t in terms.split(" + ")) == sorted(so_far), text
            assert rest == f"{sum(so_far):,} of {total:,}", text


# --------------------------------------------------------------------------
# 5. Keras' own summary and graph
# --------------------------------------------------------------------------


def keras_printed(model) -> str:
    printed: list[str] = []
    model.summary(print_fn=lambda text, *args, **kwargs: printed.append(text))
    return "\n".join(printed)


@pytest.mark.parametrize("case", [*PRESET_CASES, "seed:3", "seed:6"])
def test_summary_text_is_what_keras_prints(case):
    model = model_of(case)
    text = summary_text(model)
    assert text == keras_printed(model)
    assert f"Total params: {model.count_params():,}" in text
    for layer in model.layers:
        assert layer.name in text


def test_summary_text_of_the_default_design_counts_273():
    text = summary_text(build_model(presets.default_design(), seed=0))
    assert "Total params: 273" in text


@pytest.mark.parametrize("case", [*PRESET_CASES, "seed:3", "seed:6"])
def test_keras_dot_has_one_node_per_layer(case):
    model = model_of(case)
    graphs = pydot.graph_from_dot_data(keras_dot(model))
    assert graphs is not None and len(graphs) == 1
    graph = graphs[0]
    nodes = [node for node in graph.get_nodes() if node.get_name().strip('"') not in ("node", "edge", "graph")]
    assert len(nodes) == len(model.layers)
    labels = [str(node.get("label")) for node in nodes]
    for layer in model.layers:
        assert sum(f"<b>{layer.name}</b>" in label for label in labels) == 1, layer.name
    wiring = keras_sources(model)
    assert len(graph.get_edges()) == sum(len(feeding) for feeding in wiring.values())
