"""Every neuron and every connection, as the lecture drew the network on the whiteboard.

:func:`neuron_graph` lays a resolved network out as columns of neurons (one
per input column, unit or output) joined by connections: a dense layer or head
joins every neuron that feeds it to every one of its units (one weight each);
dropout, batch normalisation and concatenation pass each feature straight on.
Layers wider than :data:`MAX_DRAWN` show their first :data:`SHOWN_OF_WIDE`
units and an ellipsis with the count of the rest (``… +40``).

:func:`neuron_dot` draws it as Graphviz DOT. Given a layer's learned kernel,
each connection's colour shows its weight's sign and its width the weight's
size, and hovering a connection or a neuron shows its weight or bias. Like
:mod:`designer.graph`, this is pure Python: the weights come in as arrays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape

from designer import spec
from designer.network import Network, Node
from designer.params import describe

MAX_DRAWN = 16  # a layer this wide or narrower shows every neuron
SHOWN_OF_WIDE = 8  # neurons shown of a wider layer, before the ellipsis
POSITIVE, NEGATIVE = "#1d4ed8", "#c2410c"  # blue and orange: told apart also by most colour-blind eyes
PLAIN, FADED, FOCUS = "#64748b", "#e2e8f0", "#0f172a"


@dataclass(frozen=True)
class Column:
    """One node's neurons: those drawn, and how many more the ellipsis stands for."""

    node: Node
    labels: tuple[str, ...]  # a name for every feature the node outputs
    hidden: int  # features not drawn

    @property
    def drawn(self) -> int:
        return len(self.labels) - self.hidden


@dataclass(frozen=True)
class Connection:
    """One drawn connection: feature ``row`` of what feeds ``target`` to its feature ``unit``.

    ``row`` counts over the node's sources joined in order (the rows of its kernel).
    """

    source: str
    source_index: int
    target: str
    row: int
    unit: int
    weighted: bool  # a weight of a dense layer or head, rather than a feature passed on


@dataclass(frozen=True)
class NeuronGraph:
    """The columns of neurons of the used part of a network, and their connections."""

    columns: tuple[Column, ...]
    connections: tuple[Connection, ...] = field(repr=False)

    @property
    def neurons(self) -> int:
        """Neurons drawn."""
        return sum(column.drawn for column in self.columns)

    @property
    def weights(self) -> int:
        """Weighted connections drawn."""
        return sum(connection.weighted for connection in self.connections)


def feature_labels(net: Network) -> dict[str, tuple[str, ...]]:
    """A name for every feature each node outputs: the Iris columns, ``hidden_1 #3``, the species."""
    labels: dict[str, tuple[str, ...]] = {}
    for node in net.nodes:
        if node.kind == "input":
            labels[node.name] = tuple(node.entry["columns"])
        elif node.kind == "concatenate":
            labels[node.name] = tuple(label for source in node.sources for label in labels[source])
        elif node.is_head and spec.is_classification(node.entry["target"]):
            labels[node.name] = spec.SPECIES
        elif node.is_head:
            labels[node.name] = (node.entry["target"],)
        else:
            labels[node.name] = tuple(f"{node.name} #{i + 1}" for i in range(node.width))
    return labels


def neuron_graph(net: Network) -> NeuronGraph:
    """The neurons and connections to draw for the used nodes of ``net``."""
    labels = feature_labels(net)
    nodes = net.used_nodes
    columns = tuple(Column(node, labels[node.name], _hidden(node.width)) for node in nodes)
    drawn = {column.node.name: column.drawn for column in columns}
    connections = []
    for node in nodes:
        rows = [(source, i) for source in node.sources for i in range(net[source].width)]
        weighted = node.kind in ("dense", "head")
        for row, (source, index) in enumerate(rows):
            if index >= drawn[source]:
                continue
            units = range(drawn[node.name]) if weighted else [row] if row < drawn[node.name] else []
            connections += [Connection(source, index, node.name, row, unit, weighted) for unit in units]
    return NeuronGraph(columns, tuple(connections))


def _hidden(width: int) -> int:
    return width - SHOWN_OF_WIDE if width > MAX_DRAWN else 0


def neuron_dot(
    net: Network,
    kernels: Mapping[str, Sequence[Sequence[float]]] | None = None,
    biases: Mapping[str, Sequence[float]] | None = None,
    focus: str | None = None,
    font_size: int = 14,
    line_width: float = 1.0,
) -> str:
    """DOT source of the neuron view of ``net``.

    ``kernels`` and ``biases`` map a dense layer's or head's name to its learned
    kernel (rows: the features that feed it; columns: its units) and bias;
    without them the connections are drawn alike. ``focus`` names a node whose
    connections stand out while the others fade. The neurons are pinned where
    :func:`layout` puts them (Graphviz's ``neato`` engine keeps them there), so
    each layer's units stand in order, top to bottom.
    """
    graph = neuron_graph(net)
    kernels, biases = kernels or {}, biases or {}
    places = layout(graph, font_size)
    labels = {column.node.name: column.labels for column in graph.columns}
    lines = [
        "digraph neurons {",
        "  layout=neato; splines=false; outputorder=edgesfirst; bgcolor=transparent;",
        f'  node [fontname="Helvetica", fontsize={font_size}, penwidth={line_width * 1.5:g}, color="#0f172a",'
        ' style=filled, fillcolor="#ffffff"];',
        f'  edge [arrowhead=none, color="{PLAIN}", penwidth={line_width * 0.8:g}];',
    ]
    for column in graph.columns:
        lines += _column_lines(column, places, biases.get(column.node.name), column.node.name == focus, font_size)
    scale = {name: max((abs(float(w)) for row in kernel for w in row), default=0.0) for name, kernel in kernels.items()}
    for connection in sorted(graph.connections, key=lambda c: _strength(c, kernels, scale)):
        lines.append(_edge_line(connection, labels, kernels, scale, focus, line_width))
    lines.append("}")
    return "\n".join(lines)


def neuron_id(node: str, index: int | str) -> str:
    """The DOT id of a node's ``index``-th neuron (``"more"``: its ellipsis; ``"title"``: its caption)."""
    return f"{node}/{index}"


def layout(graph: NeuronGraph, font_size: int = 14) -> dict[str, tuple[float, float]]:
    """Where each neuron, ellipsis and caption goes, in inches (y grows upwards).

    Each node stands in the column of its depth (inputs first, then one column
    per step away from them); nodes of the same depth are stacked, and each
    column is centred on the same line.
    """
    step = font_size / 72 * 2.3  # from one neuron to the next
    gap = font_size / 72 * 8  # from one column to the next: room for "sepal_length" and its connections
    depth: dict[str, int] = {}
    stacks: dict[int, list[Column]] = {}
    for column in graph.columns:
        node = column.node
        depth[node.name] = 1 + max((depth[s] for s in node.sources), default=-1)
        stacks.setdefault(depth[node.name], []).append(column)
    places = {}
    for level, stack in stacks.items():
        slots = [column.drawn + bool(column.hidden) + 1 for column in stack]  # + 1: the caption
        y = (sum(slots) + len(stack) - 1) * step / 2
        for column, slot in zip(stack, slots, strict=True):
            name = column.node.name
            places[neuron_id(name, "title")] = (level * gap, y + step * 0.4)  # a two-line caption
            for i in range(1, slot):
                index = i - 1 if i - 1 < column.drawn else "more"
                places[neuron_id(name, index)] = (level * gap, y - i * step)
            y -= (slot + 1) * step
    return places


def _column_lines(column: Column, places, bias: Sequence[float] | None, focused: bool, font_size: int) -> list[str]:
    node = column.node
    ids = [neuron_id(node.name, i) for i in range(column.drawn)]
    title = escape(describe(node))
    colour = NEGATIVE if focused else FOCUS  # the focused layer's caption in the app's orange
    lines = [
        f'  "{neuron_id(node.name, "title")}" [shape=plaintext, style="", fontcolor="{colour}",'
        f" label=<<b>{escape(node.name)}</b><br/>{title}>, {_pin(places, neuron_id(node.name, 'title'))}];"
    ]
    for i, neuron in enumerate(ids):
        lines.append(
            f'  "{neuron}" [{_neuron_attributes(column, i, bias, focused, font_size)}, {_pin(places, neuron)}];'
        )
    if column.hidden:
        more = neuron_id(node.name, "more")
        lines.append(f'  "{more}" [shape=plaintext, style="", label="… +{column.hidden}", {_pin(places, more)}];')
    return lines


def _pin(places, neuron: str) -> str:
    x, y = places[neuron]
    return f'pos="{x:.2f},{y:.2f}!"'


def _neuron_attributes(column: Column, index: int, bias: Sequence[float] | None, focused: bool, font_size: int) -> str:
    node, label = column.node, column.labels[index]
    tooltip = label if bias is None else f"{label}: bias {float(bias[index]):+.3f}"
    border = ', color="#c2410c", penwidth=3' if focused else ""
    if node.kind == "input" or node.is_head:
        fill = "#dbeafe" if node.kind == "input" else "#ffedd5"
        box = f'shape=box, style="rounded,filled", fillcolor="{fill}"{border}'
        return f'{box}, label="{escape(label)}", tooltip="{escape(tooltip)}"'
    size = font_size / 72 * 2  # a circle that fits a two-digit number
    circle = f"shape=circle, fixedsize=true, width={size:.2f}{border}"
    return f'{circle}, label="{index + 1}", tooltip="{escape(tooltip)}"'


def _strength(connection: Connection, kernels, scale) -> float:
    kernel = kernels.get(connection.target)
    if kernel is None or not connection.weighted or not scale.get(connection.target):
        return 0.0
    return abs(float(kernel[connection.row][connection.unit])) / scale[connection.target]


def _edge_line(connection: Connection, labels, kernels, scale, focus: str | None, line_width: float) -> str:
    source = labels[connection.source][connection.source_index]
    target = labels[connection.target][connection.unit]
    kernel = kernels.get(connection.target) if connection.weighted else None
    focused = connection.target == focus
    if kernel is not None:
        weight = float(kernel[connection.row][connection.unit])
        width = 0.3 + 3.7 * _strength(connection, kernels, scale)
        attributes = {
            "color": POSITIVE if weight >= 0 else NEGATIVE,
            "tooltip": f"{source} → {target}: weight {weight:+.3f}",
        }
    else:
        width = 1.6 if focused else 0.8
        attributes = {"tooltip": f"{source} → {target}" + ("" if connection.weighted else " (passed on)")}
        if focus is not None:
            attributes["color"] = FOCUS if focused else FADED
    if not connection.weighted:
        attributes["style"] = "dashed"
    if focus is not None and not focused and kernel is not None:
        attributes["color"] += "33"  # mostly transparent: the focused layer stands out
    attributes["penwidth"] = f"{line_width * width:.2f}"
    tail, head = neuron_id(connection.source, connection.source_index), neuron_id(connection.target, connection.unit)
    listed = ", ".join(f'{key}="{escape(value)}"' for key, value in attributes.items())
    return f'  "{tail}" -> "{head}" [{listed}];'
