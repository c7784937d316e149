"""Every neuron and every connection, as the lecture drew the network on the whiteboard.

:func:`neuron_graph` lays a resolved network out as columns of neurons (one
per input column, unit or output) joined by connections: a dense layer or head
joins every neuron that feeds it to every one of its units (one weight each);
dropout, batch normalisation and concatenation pass each feature straight on.
Layers wider than :data:`MAX_DRAWN` show their first :data:`SHOWN_OF_WIDE`
units and an ellipsis with the count of the rest (``… +40``).

:func:`neuron_drawing` draws it as a pydot graph (:func:`neuron_dot`: its DOT
source). Given a layer's learned kernel, each connection's colour shows its
weight's sign and its width the weight's size, and hovering a connection or a
neuron shows its weight or bias. What each kind of node looks like comes from
each kind's ``look`` in :mod:`designer.kinds`. Like :mod:`designer.graph`, this is pure Python:
the weights come in as arrays.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pydot

from designer.graph import FONT, description_lines, dot_source, html_label, look_of, new_graph, style_of
from designer.network import Network, Node
from designer.parsing import escape_controls
from designer.sinks import dot_text, dot_tooltip

MAX_DRAWN = 16  # a layer this wide or narrower shows every neuron
SHOWN_OF_WIDE = 8  # neurons shown of a wider layer, before the ellipsis
POSITIVE, NEGATIVE = "#1d4ed8", "#c2410c"  # blue and orange: told apart also by most colour-blind eyes
PLAIN, FADED, FOCUS = "#64748b", "#e2e8f0", "#0f172a"

# Sizes in ems (the font size), so that the drawing grows with it.
STEP = 2.3  # from one neuron to the next, down a column
CIRCLE = 2.0  # a unit's circle: fits a two-digit number
BOX_HEIGHT = 1.7  # a named feature's box: less than STEP, so boxes of a column never touch
BOX_MARGIN = (0.4, 0.15)  # around a box's name
ROOM = 3.0  # clear room between neighbouring columns, for their connections
CAPTION_GAP = 0.8  # between two captions side by side, and between the captions and the neurons
LINE = 1.2  # the height of a line of text (Graphviz's line spacing)

# Helvetica's advance widths of printable ASCII, space to tilde, in thousandths of an em (its AFM metrics);
# bold is about a tenth wider, and anything else (→, …) is counted as a whole em.
HELVETICA = (
    (278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278)
    + (556,) * 10
    + (278, 278, 584, 584, 584, 556, 1015)
    + (667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833)
    + (722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611)
    + (278, 278, 278, 469, 556, 333)
    + (556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833)
    + (556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500)
    + (334, 260, 334, 584)
)
BOLD = 1.1


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
        sources = [labels[source] for source in node.sources]
        labels[node.name] = look_of(node).features(node.name, node.entry, node.width, sources)
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
        weighted = look_of(node).weighted
        for row, (source, index) in enumerate(rows):
            if index >= drawn[source]:
                continue
            units = range(drawn[node.name]) if weighted else [row] if row < drawn[node.name] else []
            connections += [Connection(source, index, node.name, row, unit, weighted) for unit in units]
    return NeuronGraph(columns, tuple(connections))


def _hidden(width: int) -> int:
    return width - SHOWN_OF_WIDE if width > MAX_DRAWN else 0


def neuron_dot(net: Network, *args, **kwargs) -> str:
    """DOT source of :func:`neuron_drawing` (same arguments), for ``st.graphviz_chart``."""
    return dot_source(neuron_drawing(net, *args, **kwargs))


def neuron_drawing(
    net: Network,
    kernels: Mapping[str, Sequence[Sequence[float]]] | None = None,
    biases: Mapping[str, Sequence[float]] | None = None,
    focus: str | None = None,
    font_size: int = 14,
    line_width: float = 1.0,
) -> pydot.Dot:
    """The neuron view of ``net`` as a pydot graph.

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
    drawing = new_graph(
        "neurons",
        {"layout": "neato", "splines": "false", "outputorder": "edgesfirst", "bgcolor": "transparent"},
        {
            "fontname": FONT,
            "fontsize": font_size,
            "penwidth": f"{line_width * 1.5:g}",
            "color": "#0f172a",
            "style": "filled",
            "fillcolor": "#ffffff",
        },
        {"arrowhead": "none", "color": PLAIN, "penwidth": f"{line_width * 0.8:g}"},
    )
    for column in graph.columns:
        name = column.node.name
        for node in _column_nodes(column, places, biases.get(name), name == focus, font_size):
            drawing.add_node(node)
    scale = {name: max((abs(float(w)) for row in kernel for w in row), default=0.0) for name, kernel in kernels.items()}
    for connection in sorted(graph.connections, key=lambda c: _strength(c, kernels, scale)):
        drawing.add_edge(_edge(connection, labels, kernels, scale, focus, line_width))
    return drawing


def neuron_id(node: str, index: int | str) -> str:
    """The DOT id of a node's ``index``-th neuron (``"more"``: its ellipsis; ``"title"``: its caption)."""
    return f"{node}/{index}"


def text_width(text: str, font_size: float, bold: bool = False) -> float:
    """About how wide ``text`` is in Helvetica at ``font_size`` points, in inches, shown as the graph shows it.

    A control or bidirectional character is shown spelled out (``\\u202e``), so it is measured so.
    """
    thousandths = sum(HELVETICA[ord(c) - 32] if 32 <= ord(c) < 127 else 1000 for c in escape_controls(text))
    return thousandths / 1000 * font_size / 72 * (BOLD if bold else 1)


def caption_lines(node: Node) -> list[str]:
    """A column's caption, a line each (text, escaped only where it is drawn): its name, then its type and settings."""
    return [node.name, *description_lines(node)]


def _caption_size(node: Node, font_size: int) -> tuple[float, float]:
    lines = caption_lines(node)
    width = max(text_width(line, font_size, bold=i == 0) for i, line in enumerate(lines))
    return width, len(lines) * LINE * font_size / 72


def _box_width(column: Column, font_size: int) -> float:
    """The width of a column's named boxes (one width for all of them): its longest name and margins."""
    em = font_size / 72
    return max(text_width(label, font_size) for label in column.labels[: column.drawn]) + 2 * BOX_MARGIN[0] * em


def _half_width(column: Column, font_size: int) -> float:
    """Half the width of what a column draws in its own place: its neurons and its ellipsis."""
    em = font_size / 72
    neuron = _box_width(column, font_size) if look_of(column.node).neuron == "box" else CIRCLE * em
    more = text_width(f"… +{column.hidden}", font_size) if column.hidden else 0.0
    return max(neuron, more) / 2


def layout(graph: NeuronGraph, font_size: int = 14) -> dict[str, tuple[float, float]]:
    """Where each neuron, ellipsis and caption goes, in inches (y grows upwards).

    Each node stands in the column of its depth (inputs first, then one column
    per step away from them); nodes of the same depth are stacked, and each
    column is centred on the same line. A head that takes an inner layer (one
    that stands before the deepest column) has a column of its own right after
    its source's, hung below every connection that passes over it, so none
    crosses it. Neighbouring columns leave :data:`ROOM` between them for their
    connections.

    Each caption sits with its node's neurons: a stacked node's between it and
    the node above; an inner head's right below its neurons; any other
    column's right above its neurons, or right below them if that is nearer,
    as close as it can be without touching a neuron, an ellipsis or another
    caption, nor a connection but those into its own neurons (which converge
    on them from every neuron before: a caption clear of them all would float
    far off a short column). Text widths are estimated from Helvetica's metrics,
    so no two labels overlap.
    """
    em = font_size / 72
    step, gap = STEP * em, CAPTION_GAP * em
    slots = _slots(graph)
    captions = {column.node.name: _caption_size(column.node, font_size) for column in graph.columns}

    # Down each column: the stacked nodes' neurons, ellipses and (but the first's) captions, from y = 0 down.
    ys: list[dict[str, float]] = []
    halves: list[float] = []
    for slot in slots:
        placed, y, half = {}, 0.0, 0.0
        for k, column in enumerate(slot.stack):
            name = column.node.name
            half = max(half, _half_width(column, font_size))
            if k or slot.side:  # a stacked node's caption; an inner head's, below it, is placed with the others
                half = max(half, captions[name][0] / 2)
            if k:
                y -= step / 2
                placed[neuron_id(name, "title")] = y - captions[name][1] / 2
                y -= captions[name][1]
            for i in range(column.drawn + bool(column.hidden)):
                placed[neuron_id(name, i if i < column.drawn else "more")] = y - step / 2 - i * step
            y -= (column.drawn + bool(column.hidden)) * step
        ys.append(placed if slot.side else {key: value - y / 2 for key, value in placed.items()})
        halves.append(half)

    # Across: each column as close to the one before as its connections allow.
    xs = [0.0]
    for before, half in itertools.pairwise(halves):
        xs.append(xs[-1] + before + ROOM * em + half)
    places: dict[str, tuple[float, float]] = {}
    for slot, x, placed in zip(slots, xs, ys, strict=True):
        if not slot.side:
            places |= {key: (x, y) for key, y in placed.items()}

    # An inner head's column, from the right: its top a gap below the lowest connection passing over it.
    sizes = _sizes(graph, captions, font_size)
    for slot, x, half, placed in reversed(list(zip(slots, xs, halves, ys, strict=True))):
        if slot.side:
            name = slot.stack[0].node.name
            spans = _connection_spans(graph.connections, places, x - half, x + half, gap / 2)  # its own: not placed
            lowest = min((low for low, _ in spans), default=0.0)
            first = neuron_id(name, 0)
            shift = lowest - gap - (placed[first] + sizes[first][1])
            places |= {key: (x, y + shift) for key, y in placed.items()}

    # The captions of the columns' first nodes (an inner head's first: it has one place only).
    boxes = [_box(places[key], sizes[key]) for key in places]
    for slot, x in sorted(zip(slots, xs, strict=True), key=lambda pair: not pair[0].side):
        name = slot.stack[0].node.name
        width, height = captions[name]
        own = {column.node.name for column in slot.stack}
        drawn = [_box(places[key], sizes[key]) for key in places if _owner(key) in own]
        top, bottom = max(box[3] for box in drawn), min(box[1] for box in drawn)
        left, right = x - width / 2, x + width / 2
        spans = [(box[1] - gap, box[3] + gap) for box in boxes if box[0] - gap < right and box[2] + gap > left]
        others = [connection for connection in graph.connections if connection.target != name]  # not its own
        spans += _connection_spans(others, places, left, right, gap / 2)
        options = []
        if not slot.side:  # right above its first node's neurons
            low = _free_above(top, height, spans)
            options.append((low - top, low + height / 2))
        if slot.side or len(slot.stack) == 1:  # right below its neurons
            high = _free_below(bottom, height, spans)
            options.append((bottom - high, high - height / 2))
        _, y = min(options, key=lambda option: round(option[0], 2))  # the nearer; above if as near
        places[neuron_id(name, "title")] = (x, y)
        boxes.append(_box((x, y), (width / 2, height / 2)))
    return places


@dataclass(frozen=True)
class _Slot:
    """One column of the drawing: the nodes stacked in it, top to bottom."""

    stack: tuple[Column, ...]
    side: bool  # an inner head's column of its own, hung below the connections passing over it


def _slots(graph: NeuronGraph) -> list[_Slot]:
    """The drawing's columns, left to right: one per depth, each inner head's right after its source's."""
    depth: dict[str, int] = {}
    for column in graph.columns:
        depth[column.node.name] = 1 + max((depth[s] for s in column.node.sources), default=-1)
    deepest = max(depth.values(), default=0)
    feeding = {source for column in graph.columns for source in column.node.sources}
    levels: dict[int, list[Column]] = {}
    sides: dict[int, list[Column]] = {}
    for column in graph.columns:
        name = column.node.name
        inner_head = name not in feeding and depth[name] < deepest  # nothing draws from it: a head
        (sides if inner_head else levels).setdefault(depth[name] - inner_head, []).append(column)
    slots = []
    for level in sorted(levels):
        slots += [_Slot(tuple(levels[level]), False), *(_Slot((column,), True) for column in sides.get(level, []))]
    return slots


def _sizes(graph: NeuronGraph, captions, font_size: int) -> dict[str, tuple[float, float]]:
    """Half the width and half the height of every neuron, ellipsis and stacked caption, by id."""
    em = font_size / 72
    sizes = {}
    for column in graph.columns:
        name = column.node.name
        neuron = (
            (_box_width(column, font_size) / 2, BOX_HEIGHT * em / 2)
            if look_of(column.node).neuron == "box"
            else (CIRCLE * em / 2, CIRCLE * em / 2)
        )
        sizes |= {neuron_id(name, i): neuron for i in range(column.drawn)}
        sizes[neuron_id(name, "more")] = (text_width(f"… +{column.hidden}", font_size) / 2, LINE * em / 2)
        sizes[neuron_id(name, "title")] = (captions[name][0] / 2, captions[name][1] / 2)
    return sizes


def _owner(key: str) -> str:
    return key.rsplit("/", 1)[0]


def _box(place: tuple[float, float], size: tuple[float, float]) -> tuple[float, float, float, float]:
    """Left, bottom, right and top of what is drawn at ``place`` with half its width and height ``size``."""
    (x, y), (w, h) = place, size
    return x - w, y - h, x + w, y + h


def _connection_spans(connections, places, left: float, right: float, margin: float) -> list[tuple[float, float]]:
    """The heights (low, high) the connections between placed neurons take up between ``left`` and ``right``.

    A connection is drawn straight from the centre of one neuron to the centre of the other.
    """
    spans = []
    for connection in connections:
        tail = places.get(neuron_id(connection.source, connection.source_index))
        head = places.get(neuron_id(connection.target, connection.unit))
        if tail is None or head is None:
            continue
        (x0, y0), (x1, y1) = sorted((tail, head))
        a, b = max(x0, left - margin), min(x1, right + margin)
        if a > b or x1 == x0:
            continue
        ya, yb = (y0 + (y1 - y0) * (x - x0) / (x1 - x0) for x in (a, b))
        spans.append((min(ya, yb) - margin, max(ya, yb) + margin))
    return spans


def _free_above(start: float, height: float, spans) -> float:
    """The lowest bottom, at ``start`` or above, of a band ``height`` high that meets none of ``spans``."""
    y = start
    for low, high in sorted(spans):
        if low < y + height and high > y:
            y = high
    return y


def _free_below(start: float, height: float, spans) -> float:
    """The highest top, at ``start`` or below, of a band ``height`` high that meets none of ``spans``."""
    y = start
    for low, high in sorted(spans, key=lambda span: -span[1]):
        if high > y - height and low < y:
            y = low
    return y


def _column_nodes(column: Column, places, bias: Sequence[float] | None, focused: bool, font_size: int):
    node = column.node
    colour = NEGATIVE if focused else FOCUS  # the focused layer's caption in the app's orange
    lines = caption_lines(node)
    title = neuron_id(node.name, "title")
    yield pydot.Node(
        title,
        shape="plaintext",
        style="",
        margin=0,
        fontcolor=colour,
        label=html_label(lines),
        pos=_pin(places, title),
    )
    for i in range(column.drawn):
        neuron = neuron_id(node.name, i)
        yield pydot.Node(neuron, **_neuron_attributes(column, i, bias, focused, font_size), pos=_pin(places, neuron))
    if column.hidden:
        more = neuron_id(node.name, "more")
        yield pydot.Node(more, shape="plaintext", style="", label=f"… +{column.hidden}", pos=_pin(places, more))


def _pin(places, neuron: str) -> str:
    x, y = places[neuron]
    return f"{x:.2f},{y:.2f}!"


def _neuron_attributes(column: Column, index: int, bias: Sequence[float] | None, focused: bool, font_size: int):
    node, label = column.node, column.labels[index]
    em = font_size / 72
    attributes = {"tooltip": dot_tooltip(label if bias is None else f"{label}: bias {float(bias[index]):+.3f}")}
    if focused:
        attributes |= {"color": NEGATIVE, "penwidth": "3"}
    if look_of(node).neuron == "box":
        return {
            "shape": "box",
            "style": "rounded,filled",
            "fillcolor": style_of(node).get("fillcolor", "#ffffff"),
            "width": f"{_box_width(column, font_size):.2f}",
            "height": f"{BOX_HEIGHT * em:.2f}",
            "margin": f"{BOX_MARGIN[0] * em:.2f},{BOX_MARGIN[1] * em:.2f}",
            "label": dot_text(label),
        } | attributes
    return {"shape": "circle", "fixedsize": "true", "width": f"{CIRCLE * em:.2f}", "label": str(index + 1)} | attributes


def _strength(connection: Connection, kernels, scale) -> float:
    kernel = kernels.get(connection.target)
    if kernel is None or not connection.weighted or not scale.get(connection.target):
        return 0.0
    return abs(float(kernel[connection.row][connection.unit])) / scale[connection.target]


def _edge(connection: Connection, labels, kernels, scale, focus: str | None, line_width: float) -> pydot.Edge:
    source = labels[connection.source][connection.source_index]
    target = labels[connection.target][connection.unit]
    kernel = kernels.get(connection.target) if connection.weighted else None
    focused = connection.target == focus
    if kernel is not None:
        weight = float(kernel[connection.row][connection.unit])
        width = 0.3 + 3.7 * _strength(connection, kernels, scale)
        attributes = {
            "color": POSITIVE if weight >= 0 else NEGATIVE,
            "tooltip": dot_tooltip(f"{source} → {target}: weight {weight:+.3f}"),
        }
    else:
        width = 1.6 if focused else 0.8
        attributes = {"tooltip": dot_tooltip(f"{source} → {target}" + ("" if connection.weighted else " (passed on)"))}
        if focus is not None:
            attributes["color"] = FOCUS if focused else FADED
    if not connection.weighted:
        attributes["style"] = "dashed"
    if focus is not None and not focused and kernel is not None:
        attributes["color"] += "33"  # mostly transparent: the focused layer stands out
    attributes["penwidth"] = f"{line_width * width:.2f}"
    tail, head = neuron_id(connection.source, connection.source_index), neuron_id(connection.target, connection.unit)
    return pydot.Edge(tail, head, **attributes)
