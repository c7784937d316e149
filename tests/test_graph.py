"""Tests of designer/graph.py: the network as Graphviz DOT source."""

from __future__ import annotations

import re

import pytest

from designer import presets
from designer.graph import design_to_dot
from designer.network import resolve
from designer.params import summarize
from designer.validation import InvalidDesign, errors, validate

PRESETS = {p.key: p for p in presets.presets()}

NODE = re.compile(r'^\s*"(?P<name>[^"]+)" \[label=<(?P<label>.*)>, (?P<attrs>.*)\];$')
EDGE = re.compile(r'^\s*"(?P<source>[^"]+)" -> "(?P<target>[^"]+)" \[(?P<attrs>.*)\];$')


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


DESIGNS = {key: p.load() for key, p in PRESETS.items()}
DESIGNS |= {
    "unused_last_layer": _unused_last_layer(),
    "unused_branch": _unused_branch(),
    "two_heads_numeric": _two_heads_numeric(),
}
UNUSED = {"unused_last_layer": {"hidden_3"}, "unused_branch": {"side", "side_dense"}}


@pytest.fixture(params=list(DESIGNS))
def case(request):
    design = DESIGNS[request.param]
    assert errors(validate(design)) == []
    return request.param, design, design_to_dot(design)


def parse(dot: str):
    nodes, edges = {}, []
    for line in dot.splitlines():
        if match := NODE.match(line):
            assert match["name"] not in nodes, f"two statements for {match['name']}"
            nodes[match["name"]] = match
        elif match := EDGE.match(line):
            edges.append(match)
    return nodes, edges


def attributes(text: str) -> dict[str, str]:
    return dict(re.findall(r'(\w+)="([^"]*)"', text))


def test_dot_is_a_digraph(case):
    _, _, dot = case
    assert dot.startswith("digraph")
    assert dot.rstrip().endswith("}")
    assert dot.count("{") == dot.count("}")


def test_one_node_per_input_layer_and_head(case):
    _, design, dot = case
    nodes, _ = parse(dot)
    assert list(nodes) == [node.name for node in resolve(design).nodes]


def test_one_edge_per_resolved_source(case):
    _, design, dot = case
    _, edges = parse(dot)
    expected = [(source, node.name) for node in resolve(design).nodes for source in node.sources]
    assert sorted((e["source"], e["target"]) for e in edges) == sorted(expected)


def test_edges_are_labelled_with_the_source_width(case):
    _, design, dot = case
    widths = {node.name: node.width for node in resolve(design).nodes}
    for edge in parse(dot)[1]:
        assert f'label=" {widths[edge["source"]]}"' in edge["attrs"]


def test_labels_show_name_and_parameter_count(case):
    _, design, dot = case
    nodes, _ = parse(dot)
    counts = summarize(design).by_name()
    for node in resolve(design).nodes:
        label = nodes[node.name]["label"]
        assert f"<b>{node.name}</b>" in label
        if node.used:
            assert f"{counts[node.name].total:,} params" in label
            assert counts[node.name].output_shape in label
        else:
            assert "params" not in label
            assert "not used" in label


def test_peripheries_only_on_heads(case):
    _, design, dot = case
    nodes, _ = parse(dot)
    for node in resolve(design).nodes:
        attrs = attributes(nodes[node.name]["attrs"])
        if node.is_head:
            assert attrs.get("peripheries") == "2", node.name
        else:
            assert "peripheries" not in attrs, node.name


def test_heads_look_different_from_hidden_layers(case):
    _, design, dot = case
    nodes, _ = parse(dot)
    net = resolve(design)
    head_fills = {attributes(nodes[n.name]["attrs"])["fillcolor"] for n in net.heads}
    layer_fills = {attributes(nodes[n.name]["attrs"])["fillcolor"] for n in net.layers}
    assert not head_fills & layer_fills


def test_classification_and_regression_heads_differ():
    nodes, _ = parse(design_to_dot(DESIGNS["lecture_two_outputs"]))
    species, petal = attributes(nodes["species"]["attrs"]), attributes(nodes["petal_width"]["attrs"])
    assert species["fillcolor"] != petal["fillcolor"]


def test_unused_layers_are_dashed(case):
    key, design, dot = case
    nodes, edges = parse(dot)
    unused = {node.name for node in resolve(design).nodes if not node.used}
    assert unused == UNUSED.get(key, set())
    for name, match in nodes.items():
        dashed = "dashed" in attributes(match["attrs"]).get("style", "")
        assert dashed == (name in unused), name
    for edge in edges:
        assert ("style=dashed" in edge["attrs"]) == (edge["target"] in unused)


def test_font_size_is_used():
    dot = design_to_dot(DESIGNS["lecture_sequential"], font_size=20)
    assert "fontsize=20" in dot and "fontsize=18" in dot


def test_invalid_design_is_refused():
    design = PRESETS["lecture_sequential"].load()
    design["layers"][0]["units"] = 0
    with pytest.raises(InvalidDesign):
        design_to_dot(design)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pydot's own use of old pyparsing names
def test_dot_parses_with_pydot(case):
    import pydot

    _, design, dot = case
    graphs = pydot.graph_from_dot_data(dot)
    assert graphs and len(graphs) == 1
    graph = graphs[0]
    assert graph.get_type() == "digraph"
    net = resolve(design)
    nodes = {n.get_name().strip('"'): n for n in graph.get_nodes() if n.get_name() not in ("node", "edge", "graph")}
    assert sorted(nodes) == sorted(node.name for node in net.nodes)
    edges = sorted((e.get_source().strip('"'), e.get_destination().strip('"')) for e in graph.get_edges())
    assert edges == sorted((s, node.name) for node in net.nodes for s in node.sources)
    for node in net.nodes:
        attrs = nodes[node.name].get_attributes()
        assert (attrs.get("peripheries", "").strip('"') == "2") == node.is_head
        assert node.name in attrs["label"]
