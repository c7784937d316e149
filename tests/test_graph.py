"""Tests of designer/graph.py: the network as a pydot graph (nodes, edges, attributes) and its DOT source."""

from __future__ import annotations

import pydot
import pytest
from design_cases import design_of

from designer import graph, presets
from designer.graph import design_to_dot, network_graph, network_to_dot
from designer.kinds import KINDS
from designer.network import Network, resolve
from designer.params import summarize
from designer.validation import InvalidDesign, ensure_valid, errors, validate

# pydot's parser (used here only, to read the DOT source back) calls pyparsing's old names.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

PRESETS = {p.key: p for p in presets.presets()}
README_KINDS = ("input", "dense", "dropout", "batch_norm", "concatenate", "head")  # the format's, as the README lists
N_RANDOM = 30


def _unused_last_layer() -> dict:
    design = PRESETS["lecture_sequential"].load()
    design["heads"][0]["from"] = "hidden_2"
    return design


def _unused_branch() -> dict:
    design = PRESETS["two_input_branches"].load()
    design["layers"].append({"name": "side", "type": "dropout", "rate": 0.5, "from": "joined"})
    design["layers"].append({"name": "side_dense", "units": 2, "from": "side"})
    design["heads"][0]["from"] = "hidden"
    return design


def _two_heads_numeric() -> dict:
    design = PRESETS["lecture_two_outputs"].load()
    design["heads"].append({"name": "sepal_out", "target": "sepal_length", "from": "hidden_1"})
    design["inputs"].remove("sepal_length")
    return design


def _keyword_names() -> dict:
    """Layers named as DOT's keywords: pydot would write a node called ``node`` as the node defaults."""
    return {
        "version": 1,
        "inputs": ["sepal_length", "sepal_width", "petal_length"],
        "layers": [
            {"name": "node", "units": 4},
            {"name": "edge", "type": "dropout", "rate": 0.1},
            {"name": "graph", "units": 3},
            {"name": "strict", "type": "batch_norm"},
        ],
        "heads": [
            {"name": "digraph", "target": "species"},
            {"name": "subgraph", "target": "petal_width", "from": "node"},
        ],
    }


DESIGNS = {key: p.load() for key, p in PRESETS.items()}
DESIGNS |= {
    "unused_last_layer": _unused_last_layer(),
    "unused_branch": _unused_branch(),
    "two_heads_numeric": _two_heads_numeric(),
    "keyword_names": _keyword_names(),
}
DESIGNS |= {f"seed:{seed}": design_of(f"seed:{seed}") for seed in range(N_RANDOM)}
UNUSED = {"unused_last_layer": {"hidden_3"}, "unused_branch": {"side", "side_dense"}}


def unquote(value) -> str:
    value = str(value)
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value


def nodes(dot: pydot.Dot) -> dict[str, dict[str, str]]:
    """The graph's nodes by name (the defaults' statements left out), each with its attributes."""
    found = {}
    for node in dot.get_nodes():
        name = node.get_name()
        if name in ("node", "edge", "graph"):  # the default attribute statements
            continue
        assert unquote(name) not in found, f"two statements for {name}"
        found[unquote(name)] = {key: unquote(value) for key, value in node.get_attributes().items()}
    return found


def edges(dot: pydot.Dot) -> list[tuple[str, str, dict[str, str]]]:
    return [
        (
            unquote(edge.get_source()),
            unquote(edge.get_destination()),
            {key: unquote(value) for key, value in edge.get_attributes().items()},
        )
        for edge in dot.get_edges()
    ]


def defaults(dot: pydot.Dot, which: str) -> dict[str, str]:
    """The graph's ``node [...]`` or ``edge [...]`` defaults."""
    [statement] = dot.get_node(which)
    return {key: unquote(value) for key, value in statement.get_attributes().items()}


def label_lines(label: str) -> list[str]:
    """The lines of an HTML-like label ``<line<br/>line>``."""
    assert label.startswith("<") and label.endswith(">"), label
    return label[1:-1].split("<br/>")


@pytest.fixture(params=list(DESIGNS))
def case(request) -> tuple[str, Network, pydot.Dot]:
    design = DESIGNS[request.param]
    assert errors(validate(design)) == []
    net = resolve(ensure_valid(design))
    return request.param, net, network_graph(net)


def test_dot_source_is_the_graph(case):
    """The DOT source parses (pydot's own parser) to one digraph with the same nodes, edges and attributes."""
    _, net, dot = case
    assert network_to_dot(net) == dot.to_string()
    parsed = pydot.graph_from_dot_data(network_to_dot(net))
    assert parsed is not None and len(parsed) == 1
    [source] = parsed
    assert source.get_type() == "digraph" and dot.get_type() == "digraph"
    assert source.get_subgraphs() == []
    assert nodes(source) == nodes(dot)
    assert edges(source) == edges(dot)
    assert defaults(source, "node") == defaults(dot, "node")
    assert defaults(source, "edge") == defaults(dot, "edge")
    assert {key: unquote(value) for key, value in source.get_attributes().items()} == {
        key: unquote(value) for key, value in dot.get_attributes().items()
    }


def test_design_to_dot_is_the_networks_source():
    design = DESIGNS["lecture_sequential"]
    assert design_to_dot(design, 20, 2.0) == network_to_dot(resolve(design), 20, 2.0)


def test_one_node_per_input_layer_and_head(case):
    _, net, dot = case
    assert list(nodes(dot)) == [node.name for node in net.nodes]


def test_one_edge_per_resolved_source(case):
    _, net, dot = case
    expected = [(source, node.name) for node in net.nodes for source in node.sources]
    assert sorted((tail, head) for tail, head, _ in edges(dot)) == sorted(expected)


def test_edges_are_labelled_with_the_source_width(case):
    _, net, dot = case
    widths = {node.name: node.width for node in net.nodes}
    for tail, _, attrs in edges(dot):
        assert attrs["label"] == f" {widths[tail]}"


def test_labels_show_name_and_parameter_count(case):
    _, net, dot = case
    drawn = nodes(dot)
    counts = summarize(DESIGNS[case[0]]).by_name()
    for node in net.nodes:
        lines = label_lines(drawn[node.name]["label"])
        assert lines[0] == f"<b>{node.name}</b>"
        if node.used:
            assert f"{counts[node.name].total:,} params" in lines
            assert counts[node.name].output_shape in lines
        else:
            assert not any("params" in line for line in lines)
            assert any("not used" in line for line in lines)


def test_input_labels_list_their_columns_a_line_each(case):
    """One fact a line keeps branches side by side narrow enough for the Design page's column."""
    _, net, dot = case
    for node in net.inputs:
        lines = label_lines(nodes(dot)[node.name]["label"])
        columns = node.entry["columns"]
        if len(columns) <= 6:
            assert all(column in lines for column in columns), lines
        else:  # a wide input lists its first columns and how many there are
            assert columns[0] in lines and f"{len(columns)} columns" in lines, lines
            assert len(lines) <= 10, lines  # name, type, at most 6 column lines, shape, count


def test_peripheries_only_on_heads(case):
    _, net, dot = case
    for node in net.nodes:
        attrs = nodes(dot)[node.name]
        if node.is_head:
            assert attrs.get("peripheries") == "2", node.name
        else:
            assert "peripheries" not in attrs, node.name


def test_heads_look_different_from_hidden_layers(case):
    _, net, dot = case
    drawn = nodes(dot)
    head_fills = {drawn[n.name]["fillcolor"] for n in net.heads}
    layer_fills = {drawn[n.name]["fillcolor"] for n in net.layers}
    input_fills = {drawn[n.name]["fillcolor"] for n in net.inputs}
    assert not head_fills & layer_fills
    assert not input_fills & layer_fills


def test_classification_and_regression_heads_differ():
    drawn = nodes(network_graph(resolve(DESIGNS["lecture_two_outputs"])))
    species, petal = drawn["species"], drawn["petal_width"]
    assert species["fillcolor"] != petal["fillcolor"]
    assert species["color"] != petal["color"]


def test_unused_layers_are_dashed(case):
    key, net, dot = case
    unused = {node.name for node in net.nodes if not node.used}
    if key in UNUSED or not key.startswith("seed:"):
        assert unused == UNUSED.get(key, set())
    for name, attrs in nodes(dot).items():
        assert ("dashed" in attrs.get("style", "")) == (name in unused), name
    for _, head, attrs in edges(dot):
        assert (attrs.get("style") == "dashed") == (head in unused)


def test_keyword_names_are_nodes_not_defaults():
    dot = network_graph(resolve(DESIGNS["keyword_names"]))
    [source] = pydot.graph_from_dot_data(dot.to_string())
    names = {"node", "edge", "graph", "strict", "digraph", "subgraph"}
    assert names <= set(nodes(source))
    assert defaults(source, "node")["shape"] == "box", "a layer's attributes were written as the node defaults"
    assert ("node", "edge") in {(tail, head) for tail, head, _ in edges(source)}


def test_font_size_and_line_width_are_used():
    net = resolve(DESIGNS["lecture_sequential"])
    big, plain = network_graph(net, font_size=20, line_width=2), network_graph(net)
    assert defaults(big, "node")["fontsize"] == "20"
    assert defaults(big, "edge")["fontsize"] == "18"
    for which in ("node", "edge"):
        assert float(defaults(big, which)["penwidth"]) == 2 * float(defaults(plain, which)["penwidth"])


def test_invalid_design_is_refused():
    design = PRESETS["lecture_sequential"].load()
    design["layers"][0]["units"] = 0
    with pytest.raises(InvalidDesign):
        design_to_dot(design)


def test_every_kind_has_one_look():
    """The drawing of each kind lives in the registry of kinds, which covers every kind of the format."""
    assert set(KINDS) == set(README_KINDS)
    for kind in README_KINDS:
        assert KINDS[kind].look.neuron in ("box", "circle")


def test_no_kind_comparisons_outside_the_table():
    from pathlib import Path

    from designer import neurons

    for module in (graph, neurons):
        text = Path(module.__file__).read_text(encoding="utf-8")
        for kind in README_KINDS:
            assert f'kind == "{kind}"' not in text and f"kind == '{kind}'" not in text, (module.__name__, kind)
        assert "kind in (" not in text, module.__name__


@pytest.mark.keras
@pytest.mark.parametrize("key", [*PRESETS, "two_heads_numeric", "keyword_names", *(f"seed:{s}" for s in range(10))])
def test_nodes_and_edges_match_keras_model_to_dot(key):
    """Keras' own graph of the model built from the design has the used nodes and their edges.

    ``model_to_dot`` names its nodes by the layers' ids; the model's layers carry the design's names.
    """
    from designer.keras_model import build_model, import_keras

    design = DESIGNS[key]
    model = build_model(design, seed=0)
    keras_dot = import_keras().utils.model_to_dot(model, show_shapes=True, show_layer_names=True)
    names = {str(id(layer)): layer.name for layer in model.layers}
    keras_nodes = {names[unquote(node.get_name())] for node in keras_dot.get_nodes() if node.get_name() != "node"}
    keras_edges = {(names[unquote(e.get_source())], names[unquote(e.get_destination())]) for e in keras_dot.get_edges()}

    net = resolve(ensure_valid(design))
    dot = network_graph(net)
    used = {node.name for node in net.used_nodes}
    assert keras_nodes == used
    assert keras_edges == {(tail, head) for tail, head, _ in edges(dot) if head in used}
    assert set(nodes(dot)) - used == {node.name for node in net.nodes if not node.used}
