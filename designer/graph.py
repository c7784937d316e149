"""The network as a Graphviz graph, built from the design alone.

:func:`network_graph` builds it as a :class:`pydot.Dot`, the structure
``keras.utils.model_to_dot`` returns too: nodes, edges and their attributes,
which tests and callers read without parsing text. :func:`network_to_dot` is
its DOT source, which the app hands to ``st.graphviz_chart`` (it draws DOT in
the browser, without a Graphviz binary; it does not take a pydot graph).
:mod:`designer.neurons` draws the neuron view with the same helpers.

How each kind of node looks, in both drawings, is its ``look`` in the registry (:mod:`designer.kinds`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pydot

from designer import kinds
from designer.network import Network, Node, resolve
from designer.params import LayerCount, describe, summarize_network
from designer.sinks import dot_html
from designer.validation import ensure_valid

Features = tuple[str, ...]


UNUSED = {"fillcolor": "#f1f5f9", "color": "#94a3b8", "fontcolor": "#64748b", "style": "rounded,filled,dashed"}
UNUSED_EDGE = {"style": "dashed", "color": "#94a3b8"}
FONT = "Helvetica"  # Graphviz's own text metrics know it, so its boxes fit the browser's text


def look_of(node: Node) -> kinds.Look:
    """How ``node``'s kind is drawn (the registry of kinds knows)."""
    return node.spec.look


def style_of(node: Node) -> dict[str, str]:
    """The Graphviz attributes of ``node``'s box in the network graph (also the fill of its neuron boxes)."""
    look = look_of(node)
    style = dict(look.style)
    if look.by_task:  # a head: drawn by what it predicts
        task = "classification" if node.entry[kinds.TASK].is_classification else "regression"
        style |= look.by_task.get(task, {})
    return style


# --- the structure, shared with designer.neurons ------------------------------------------------------------


def dot_id(name: str) -> str:
    """``name`` as a pydot node id, always quoted: ``"hidden_1"``.

    pydot leaves quoting to the caller for DOT keywords (a layer may be called
    ``node`` or ``graph``, which unquoted would set the defaults), so every id is
    quoted, keyword or not: the DOT reads the same for every name.
    """
    return f'"{name}"'


def new_graph(name: str, graph: Mapping[str, object], nodes: Mapping[str, object], edges: Mapping[str, object]):
    """An empty directed pydot graph with these graph attributes and node and edge defaults."""
    dot = pydot.Dot(name, graph_type="digraph", **graph)
    dot.set_node_defaults(**nodes)
    dot.set_edge_defaults(**edges)
    return dot


def html_label(lines: Sequence[str]) -> str:
    """An HTML-like Graphviz label of lines of text, the first in bold (pydot passes ``<...>`` through unquoted).

    Every line is text as written (a name, a column, a class): :func:`designer.sinks.dot_html` escapes it.
    """
    escaped = [dot_html(line) for line in lines]
    return f"<{'<br/>'.join([f'<b>{escaped[0]}</b>', *escaped[1:]])}>"


def dot_source(graph: pydot.Dot) -> str:
    """The DOT source of a pydot graph, for ``st.graphviz_chart``."""
    return graph.to_string()


# --- the network graph --------------------------------------------------------------------------------------


def design_to_dot(design: dict, font_size: int = 14, line_width: float = 1.0) -> str:
    """DOT source for a valid design."""
    return network_to_dot(resolve(ensure_valid(design)), font_size, line_width)


def network_to_dot(net: Network, font_size: int = 14, line_width: float = 1.0) -> str:
    """DOT source of :func:`network_graph`, for ``st.graphviz_chart``."""
    return dot_source(network_graph(net, font_size, line_width))


def network_graph(net: Network, font_size: int = 14, line_width: float = 1.0) -> pydot.Dot:
    """The graph of a resolved network: a node per input, layer and head, an edge per source.

    Top to bottom, one fact per label line, so that branches side by side stay
    narrow enough for the Design page's column without being shrunk. Each edge
    is labelled with the width it carries. ``line_width`` multiplies the width
    of every border and arrow (2 for a projector).
    """
    counts = {row.name: row for row in summarize_network(net).rows}
    graph = new_graph(
        "network",
        {"rankdir": "TB", "nodesep": 0.25, "ranksep": 0.3, "bgcolor": "transparent"},
        {
            "shape": "box",
            "style": "rounded,filled",
            "fontname": FONT,
            "fontsize": font_size,
            "margin": "0.1,0.05",
            "penwidth": f"{1.5 * line_width:g}",
        },
        {
            "fontname": FONT,
            "fontsize": font_size - 2,
            "color": "#334155",
            "fontcolor": "#334155",
            "penwidth": f"{1.3 * line_width:g}",
        },
    )
    for node in net.nodes:
        graph.add_node(pydot.Node(dot_id(node.name), label=_label(node, counts.get(node.name)), **_style(node)))
    widths = {node.name: node.width for node in net.nodes}
    for node in net.nodes:
        for source in node.sources:
            style = {} if node.used else UNUSED_EDGE
            graph.add_edge(pydot.Edge(dot_id(source), dot_id(node.name), label=f" {widths[source]}", **style))
    return graph


def _style(node: Node) -> dict[str, str]:
    style = style_of(node)
    return style | UNUSED if not node.used else style


def _label(node: Node, count: LayerCount | None) -> str:
    """Name, type and settings, then (an input's columns and) the output shape and the count, a line each."""
    lines = [node.name, *description_lines(node), *look_of(node).details(node.entry)]
    if count is None:
        lines += ["not used:", "reaches no head"]
    else:
        lines += [count.output_shape, f"{count.total:,} params"]
    return html_label(lines)


def description_lines(node: Node) -> list[str]:
    """``describe(node)`` broken before its arrow: ``Dense 3, softmax`` / ``→ species`` (text, not yet escaped)."""
    first, arrow, rest = describe(node).partition(" → ")
    return [first] + ([f"→ {rest}"] if arrow else [])
