"""Names from a learner's CSV file reach the network graph and the neuron view as written, whatever they hold.

A CSV design's column names, category values (one-hot inputs, classes) and
targets are text a stranger may have written, up to 60 characters. Each
hostile name below is put in every such place of a valid CSV design; the
DOT source of the graph and of the neuron view is parsed back with pydot,
every node and edge must still be there, and every label and tooltip, read as
Graphviz reads it, must be the name as written (controls spelled out, as
everywhere a name is shown).

How Graphviz reads text (lib/common/labels.c and htmltable.c, and checked
against the SVG of Graphviz 16):

- a quoted string, as a plain label: the lexer turns ``\\"`` into ``"``; then
  ``\\N``, ``\\G``, ``\\E``, ``\\T``, ``\\H`` and ``\\L`` are replaced by the node's,
  graph's or edge's names; then entities are decoded; then ``\\n``, ``\\l`` and
  ``\\r`` break the line and any other ``\\x`` is ``x``;
- a quoted string, as a tooltip (lib/common/emit.c): the lexer; entities; any
  ``\\x`` is ``x`` (``\\n``, ``\\l``, ``\\r``: a line break); then ``\\N`` and the
  like are replaced by names and ``\\\\`` is a backslash;
- an HTML-like label's text: entities are decoded; then ``\\N`` and the like
  are replaced by names and ``\\\\`` is a backslash (any other ``\\x`` stays).

Where Graphviz's ``dot`` is installed, the SVG it draws must show each name as
written too; where it is not, that part is skipped (the app draws DOT in the
browser, with Graphviz compiled to WebAssembly, and needs no binary).
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pydot
import pytest

from designer import edits, presets
from designer.graph import network_graph
from designer.network import Network, resolve
from designer.neurons import neuron_drawing, neuron_id
from designer.sinks import dot_html, dot_text, dot_tooltip
from designer.validation import errors, validate

# pydot's parser calls pyparsing's old names.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

HOSTILE = (
    "a\\",  # ends in a backslash: would escape the closing quote
    "\\",
    "\\N",  # Graphviz's node name
    "\\G",  # the graph's name
    "\\l",  # a left-justified line break
    "&#92;N",  # an entity for a backslash, then N
    '"',
    '"q"',  # quoted: pydot passes a quoted value through as it is
    'a\\"]; b [label="x',  # would end the string and start a node
    "<b>x</b>",  # a tag
    "<x>",  # angle brackets: pydot passes <...> through as an HTML-like label
    "<",
    "&amp;",  # an entity
    "a\nb",  # a line break
    "\u202e",  # right-to-left override
    "\u200b",  # zero-width space
    "{}",  # record fields
    "|",
)
# How a name is shown: line breaks and bidirectional controls spelled out (as designer.parsing.escape_controls does).
SPELLED_OUT = {ord("\n"): "\\u000a", ord("\u202e"): "\\u202e"}
NAMES = "GNETHL"  # \G, \N, \E, \T, \H, \L: replaced by names
ENTITY = re.compile(r"&(?:[A-Za-z]+|#[0-9]+|#[xX][0-9a-fA-F]+);")
DOT = shutil.which("dot")
DEFAULTS = ("node", "edge", "graph")  # the statements of default attributes


def shown(text: str) -> str:
    """``text`` as it should read on screen."""
    return text.translate(SPELLED_OUT)


# --------------------------------------------------------------------------
# Reading DOT text as Graphviz does
# --------------------------------------------------------------------------


def lexed(value: str) -> str:
    """A DOT string as Graphviz's lexer reads it: in quotes, ``\\"`` is a quote and ``\\\\`` stays a pair."""
    if re.fullmatch(r"[^\W\d]\w*|-?(\.\d+|\d+(\.\d*)?)", value):  # an ID that needs no quotes: as it is
        return value
    assert len(value) >= 2 and value[0] == value[-1] == '"', f"not a DOT string: {value!r}"
    body, out, i = value[1:-1], [], 0
    while i < len(body):
        pair = body[i : i + 2]
        if pair in ('\\"', "\\\\"):
            out.append('"' if pair == '\\"' else pair)
            i += 2
        else:
            assert body[i] != '"', f"a bare quote ends {value!r} early"
            out.append(body[i])
            i += 1
    return "".join(out)


def entities_decoded(text: str) -> str:
    return ENTITY.sub(lambda match: html.unescape(match[0]), text)


def names_replaced(text: str, value: str, backslash: bool) -> str:
    """``text`` once Graphviz put names in place of ``\\N`` and the like (fails if it would).

    ``backslash``: ``\\\\`` becomes a backslash (in a tooltip, in an HTML-like label), else it stays.
    """

    def replace(match: re.Match) -> str:
        assert match[1] not in NAMES, f"Graphviz would put a name in place of {match[0]} in {value!r}"
        return "\\" if backslash and match[1] == "\\" else match[0]

    return re.sub(r"\\(.)", replace, text, flags=re.S)


def escapes_read(text: str, value: str) -> str:
    """``text`` once Graphviz read its ``\\x``: ``x`` (fails on ``\\n``, ``\\l``, ``\\r``: a line break)."""

    def replace(match: re.Match) -> str:
        assert match[1] and match[1] not in "nlr", f"a line break or a lone backslash in {value!r}"
        return match[1]

    return re.sub(r"\\(.?)", replace, text, flags=re.S)


def graphviz_text(value: str) -> str:
    """What Graphviz shows of a quoted string as a plain label."""
    return escapes_read(entities_decoded(names_replaced(lexed(value), value, backslash=False)), value)


def graphviz_tooltip(value: str) -> str:
    """What Graphviz shows of a quoted string as a tooltip."""
    return names_replaced(escapes_read(entities_decoded(lexed(value)), value), value, backslash=True)


def graphviz_html_lines(value: str) -> list[str]:
    """The lines Graphviz shows of an HTML-like label ``<line<br/>line>`` (its only tags: ``<br/>``, ``<b>``)."""
    assert value.startswith("<") and value.endswith(">"), f"not an HTML-like label: {value!r}"
    lines = []
    for line in value[1:-1].split("<br/>"):
        text = re.sub(r"</?b>", "", line)
        assert "<" not in text and ">" not in text, f"a tag in the text of {value!r}"
        assert "&" not in ENTITY.sub("", text), f"a bare & (not XML) in {value!r}"
        lines.append(names_replaced(entities_decoded(text), value, backslash=True))
    return lines


@pytest.mark.parametrize("name", HOSTILE)
def test_the_dot_escapes_read_back_as_the_name(name):
    assert graphviz_text(dot_text(name)) == shown(name)
    assert graphviz_tooltip(dot_tooltip(name)) == shown(name)
    assert graphviz_html_lines(f"<<b>{dot_html(name)}</b><br/>{dot_html(name)}>") == [shown(name)] * 2
    statement = pydot.Node('"n"', label=dot_text(name), tooltip=dot_tooltip(name)).to_string()
    assert statement == f'"n" [label={dot_text(name)}, tooltip={dot_tooltip(name)}];', "pydot changed the quoted string"


# --------------------------------------------------------------------------
# CSV designs with the name in every place outside text reaches
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A valid CSV design and the text its drawings must show, as written (controls spelled out)."""

    design: dict
    features: dict[str, list[str]]  # input column or target -> the names of its neurons (features or outputs)
    targets: list[str]

    @property
    def network(self) -> Network:
        return resolve(self.design)


def csv_case(columns: list[dict], inputs: list[str], targets: list[str]) -> Case:
    """A design on a CSV file of these columns, with one small hidden layer, as the upload panel makes it."""
    block = {"csv": "names.csv", "rows": 100, "columns": columns}
    design = edits.csv_design(presets.default_design(), block, inputs, targets)
    design["layers"] = [{"name": "hidden_1", "units": 2}]
    assert errors(validate(design)) == [], errors(validate(design))
    by_name = {column["name"]: column.get("categories", []) for column in columns}
    features = {}
    for column in inputs:  # a number is one feature; a category one per value (one-hot)
        features[column] = [f"{column}={value}" for value in by_name[column]] or [column]
    for column in targets:  # a measurement is one output; two classes one (the second's); more one per class
        classes = by_name[column]
        features[column] = [f"P({classes[1]})"] if len(classes) == 2 else list(classes) or [column]
    return Case(design, features, targets)


def cases_of(name: str) -> dict[str, Case]:
    """The name in each place of :data:`WHERE`."""
    return {
        "value": csv_case(  # a number input called so, and the value of a category input and of two class targets
            [
                {"name": name},
                {"name": "colour", "categories": [name, "plain"]},
                {"name": "label", "categories": [name, "k", "m"]},
                {"name": "flag", "categories": ["no", name]},
            ],
            [name, "colour"],
            ["label", "flag"],
        ),
        "category input": csv_case(
            [
                {"name": name, "categories": ["u", "v"]},
                {"name": "size"},
                {"name": "label", "categories": ["k", "m", "n"]},
            ],
            [name, "size"],
            ["label"],
        ),
        "measurement target": csv_case([{"name": "size"}, {"name": name}], ["size"], [name]),
        "class target": csv_case([{"name": "size"}, {"name": name, "categories": ["k", "m", "n"]}], ["size"], [name]),
    }


WHERE = ("value", "category input", "measurement target", "class target")
CASES = [(name, where) for name in HOSTILE for where in WHERE]


def case_id(value) -> str:
    return repr(value) if isinstance(value, str) and value in HOSTILE else str(value)


def parsed(graph: pydot.Dot) -> pydot.Dot:
    """``graph``'s DOT source parsed back, checked to hold every node and edge of ``graph``."""
    found = pydot.graph_from_dot_data(graph.to_string())
    assert found is not None and len(found) == 1, "the DOT source does not parse to one graph"
    [source] = found
    names, back = node_names(graph), node_names(source)
    assert back == names, f"{len(back)} nodes read back of {len(names)}"
    assert len(source.get_edges()) == len(graph.get_edges())
    return source


def node_names(graph: pydot.Dot) -> list[str]:
    return [node.get_name().strip('"') for node in graph.get_nodes() if node.get_name() not in DEFAULTS]


def attributes(graph: pydot.Dot) -> dict[str, dict[str, str]]:
    return {node.get_name().strip('"'): node.get_attributes() for node in graph.get_nodes()}


def expected_neurons(case: Case) -> dict[str, str]:
    """The neuron view's input and output neurons (by id) and the name each shows."""
    net = case.network
    [source] = net.inputs
    inputs = [feature for column in source.entry["columns"] for feature in case.features[column]]
    expected = {neuron_id(source.name, i): feature for i, feature in enumerate(inputs)}
    for head in net.heads:
        target = head.entry["target"]
        expected |= {neuron_id(head.name, i): feature for i, feature in enumerate(case.features[target])}
    return expected


@pytest.mark.parametrize(("name", "where"), CASES, ids=case_id)
def test_the_neuron_view_shows_every_name_as_written(name, where):
    case = cases_of(name)[where]
    drawing = parsed(neuron_drawing(case.network))
    nodes = attributes(drawing)
    expected = expected_neurons(case)
    assert name in "".join(expected.values()) + "".join(case.targets)
    for neuron, feature in expected.items():
        assert graphviz_text(nodes[neuron]["label"]) == shown(feature), neuron
        assert graphviz_tooltip(nodes[neuron]["tooltip"]) == shown(feature), neuron
    for head in case.network.heads:
        lines = graphviz_html_lines(nodes[neuron_id(head.name, "title")]["label"])
        assert lines[0] == head.name and lines[-1] == f"→ {shown(head.entry['target'])}", lines
    names = {neuron: graphviz_tooltip(attrs["tooltip"]) for neuron, attrs in nodes.items() if "tooltip" in attrs}
    for edge in drawing.get_edges():
        tail, head = edge.get_source().strip('"'), edge.get_destination().strip('"')
        assert graphviz_tooltip(edge.get("tooltip")) == f"{names[tail]} → {names[head]}"
    if DOT:
        svg = drawn_svg(drawing.to_string())
        for neuron, feature in expected.items():
            assert svg.texts[neuron] == [shown(feature)], neuron
            assert svg.tooltips[neuron] == shown(feature), neuron


@pytest.mark.parametrize(("name", "where"), CASES, ids=case_id)
def test_the_network_graph_shows_every_name_as_written(name, where):
    case = cases_of(name)[where]
    net = case.network
    nodes = attributes(parsed(network_graph(net)))
    [source] = net.inputs
    expected = {source.name: [shown(column) for column in source.entry["columns"]]}
    expected |= {head.name: [f"→ {shown(head.entry['target'])}"] for head in net.heads}
    for node, lines in expected.items():
        shows = graphviz_html_lines(nodes[node]["label"])
        assert shows[0] == node and all(line in shows for line in lines), (lines, shows)
    if DOT:
        svg = drawn_svg(network_graph(net).to_string())
        for node, lines in expected.items():
            assert all(line in svg.texts[node] for line in lines), (lines, svg.texts[node])


# --------------------------------------------------------------------------
# What Graphviz draws, where it is installed
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Svg:
    texts: dict[str, list[str]]  # node id -> the text of each of its lines
    tooltips: dict[str, str]  # node id -> its tooltip


def drawn_svg(dot: str) -> Svg:
    """The SVG ``dot -Tsvg`` draws of ``dot`` (a graph's ``layout`` attribute picks the engine), read back."""
    svg = subprocess.run([DOT, "-Tsvg"], input=dot, capture_output=True, text=True, check=True, timeout=60).stdout
    root = ET.fromstring(svg)
    space = {"svg": "http://www.w3.org/2000/svg", "xlink": "http://www.w3.org/1999/xlink"}
    texts, tooltips = {}, {}
    for group in root.iterfind(".//svg:g[@class='node']", space):
        node = group.find("svg:title", space).text
        texts[node] = ["".join(text.itertext()) for text in group.iterfind(".//svg:text", space)]
        link = group.find(".//svg:a", space)
        if link is not None:
            tooltips[node] = link.get(f"{{{space['xlink']}}}title")
    return Svg(texts, tooltips)
