"""The neuron view (``designer.neurons``), checked against Keras and against its own graph structure.

The reference is never the neuron view itself: how many neurons and weights a
network has comes from the Keras model ``build_model`` makes of the design (its
layers' output widths, its kernels' shapes and its wiring), and what the view
draws is read from the pydot graph ``neuron_drawing`` returns (its nodes, edges
and their attributes); ``neuron_dot``, the DOT source the app shows, is checked
to parse back to that same graph. Of a layer wider than 16 the view shows the
first 8 neurons and an ellipsis, so the reference counts a layer of width ``w``
as ``w`` neurons if ``w <= 16``, else 8.

Random designs come from ``random_design(seed)`` of ``test_params_against_keras``:
a failure names the seed that reproduces it.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass

import numpy as np
import pydot
import pytest
from design_cases import PRESETS, cases, design_of, network_of
from test_params_against_keras import keras_sources

from designer import neurons, presets
from designer.keras_model import build_model
from designer.network import resolve
from designer.neurons import neuron_dot, neuron_drawing, neuron_graph
from designer.validation import ensure_valid
from designer.weights import kernels_and_biases, layer_weights

pytestmark = pytest.mark.keras

ALL_SHOWN = 16  # a layer this wide or narrower shows every neuron (documented in designer.neurons)
SHOWN_OF_WIDE = 8  # neurons a wider layer shows before its ellipsis
POSITIVE, NEGATIVE = "#1d4ed8", "#c2410c"  # the documented colours of positive and negative weights
N_RANDOM = 40

CASES = cases(N_RANDOM)


# --------------------------------------------------------------------------
# Designs, models and drawings (each built or parsed once per test session)
# --------------------------------------------------------------------------


@functools.cache
def model_of(case: str):
    return build_model(design_of(case), seed=0)


@dataclass(frozen=True)
class Drawing:
    """A neuron-view graph's nodes and edges with their attributes, quotes removed."""

    nodes: dict[str, dict[str, str]]  # node id -> attributes
    edges: list[tuple[str, str, dict[str, str]]]  # (tail, head, attributes)

    def neurons(self) -> dict[str, dict[str, str]]:
        """The drawn neurons: circles and boxes (not captions, not ellipses)."""
        return {name: attrs for name, attrs in self.nodes.items() if attrs.get("shape") in ("circle", "box")}

    def neurons_of(self, layer: str) -> list[str]:
        return [name for name in self.neurons() if owner(name) == layer]

    def weighted(self) -> list[tuple[str, str, dict[str, str]]]:
        return [edge for edge in self.edges if "dashed" not in edge[2].get("style", "")]

    def passed_on(self) -> list[tuple[str, str, dict[str, str]]]:
        return [edge for edge in self.edges if "dashed" in edge[2].get("style", "")]

    def position(self, name: str) -> tuple[float, float]:
        match = re.fullmatch(r"(-?[\d.]+),(-?[\d.]+)!", self.nodes[name]["pos"])
        assert match, f"{name}: pos={self.nodes[name]['pos']!r} is not pinned as 'x,y!'"
        return float(match[1]), float(match[2])


def unquote(value) -> str:
    value = str(value)
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value


def owner(neuron: str) -> str:
    """The layer a neuron id (``hidden_1/3``) belongs to."""
    return neuron.rsplit("/", 1)[0]


def index_of(neuron: str) -> int:
    return int(neuron.rsplit("/", 1)[1])


def read(graph: pydot.Dot) -> Drawing:
    """The nodes and edges of a pydot graph (the ``node``/``edge``/``graph`` defaults left out)."""
    assert graph.get_type() == "digraph"
    assert graph.get_subgraphs() == []
    nodes: dict[str, dict[str, str]] = {}
    for node in graph.get_nodes():
        name = unquote(node.get_name())
        if name in ("node", "edge", "graph"):  # default attribute statements
            continue
        assert name not in nodes, f"two statements for node {name}"
        nodes[name] = {key: unquote(value) for key, value in node.get_attributes().items()}
    edges = [
        (
            unquote(edge.get_source()),
            unquote(edge.get_destination()),
            {key: unquote(value) for key, value in edge.get_attributes().items()},
        )
        for edge in graph.get_edges()
    ]
    return Drawing(nodes, edges)


def parse(dot: str) -> pydot.Dot:
    graphs = pydot.graph_from_dot_data(dot)
    assert graphs is not None and len(graphs) == 1, "the DOT source must parse to exactly one graph"
    return graphs[0]


def draw(*args, **kwargs) -> Drawing:
    return read(neuron_drawing(*args, **kwargs))


@functools.cache
def drawing_of(case: str) -> Drawing:
    return draw(network_of(case))


# --------------------------------------------------------------------------
# The reference: Keras
# --------------------------------------------------------------------------


def shown(width: int) -> int:
    return width if width <= ALL_SHOWN else SHOWN_OF_WIDE


@dataclass(frozen=True)
class KerasView:
    """What the neuron view should draw, worked out from the Keras model alone."""

    widths: dict[str, int]  # every layer's output width (inputs: their input shape)
    classes: dict[str, str]  # layer name -> Keras class name
    sources: dict[str, list[str]]  # layer name -> the layers feeding it, in order
    outputs: list[str]
    neurons: int
    weights: int  # weighted connections drawn
    passed_on: int  # pass-through connections drawn (dropout, batch norm, concatenate)

    def kernel_row(self, layer: str, source: str, index: int) -> int:
        """The kernel row of feature ``index`` of ``source`` in ``layer`` (rows run over the sources in order)."""
        offset = 0
        for name in self.sources[layer]:
            if name == source:
                return offset + index
            offset += self.widths[name]
        raise AssertionError(f"{source} does not feed {layer} in Keras")


def keras_view(model) -> KerasView:
    widths = {layer.name: int(layer.output.shape[-1]) for layer in model.layers}
    classes = {layer.name: type(layer).__name__ for layer in model.layers}
    sources = keras_sources(model)
    weights = passed = 0
    for layer in model.layers:
        feeding = sources[layer.name]
        if classes[layer.name] == "Dense":
            rows, units = (int(n) for n in layer.kernel.shape)
            assert rows == sum(widths[s] for s in feeding)
            weights += sum(shown(widths[s]) for s in feeding) * shown(units)
        elif classes[layer.name] != "InputLayer":
            # Feature r of the joined sources goes on to neuron r; both ends must be drawn.
            row = 0
            for source in feeding:
                for index in range(widths[source]):
                    passed += index < shown(widths[source]) and row < shown(widths[layer.name])
                    row += 1
    return KerasView(
        widths,
        classes,
        sources,
        list(model.output_names),
        sum(shown(width) for width in widths.values()),
        weights,
        passed,
    )


# --------------------------------------------------------------------------
# 1. Neurons and connections drawn, counted against Keras
# --------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_drawn_neurons_and_connections_match_keras(case):
    drawing, reference = drawing_of(case), keras_view(model_of(case))
    drawn = drawing.neurons()

    assert len(drawn) == reference.neurons
    assert len(drawing.weighted()) == reference.weights
    assert len(drawing.passed_on()) == reference.passed_on

    # Layer by layer: the first min(w, 8 or w) neurons, boxes for inputs and heads, circles for the rest.
    assert {owner(name) for name in drawn} == set(reference.widths)
    for layer, width in reference.widths.items():
        names = drawing.neurons_of(layer)
        assert sorted(index_of(name) for name in names) == list(range(shown(width))), layer
        box = reference.classes[layer] == "InputLayer" or layer in reference.outputs
        assert {drawn[name]["shape"] for name in names} == {"box" if box else "circle"}, layer
        ellipsis = drawing.nodes.get(neurons.neuron_id(layer, "more"))
        if width > ALL_SHOWN:
            assert ellipsis is not None, f"{layer} ({width} wide) has no ellipsis"
            assert ellipsis["shape"] == "plaintext"
            assert ellipsis["label"] == f"… +{width - SHOWN_OF_WIDE}"
        else:
            assert ellipsis is None, f"{layer} ({width} wide) has an ellipsis"

    # Every connection joins two drawn neurons that Keras wires together.
    for tail, head, _ in drawing.edges:
        assert tail in drawn and head in drawn, (tail, head)
        assert owner(tail) in reference.sources[owner(head)], (tail, head)
    for tail, head, _ in drawing.weighted():
        assert reference.classes[owner(head)] == "Dense", (tail, head)
    assert len({(tail, head) for tail, head, _ in drawing.edges}) == len(drawing.edges), "a connection drawn twice"


@pytest.mark.parametrize("case", CASES)
def test_neuron_graph_counts_match_keras(case):
    graph, reference = neuron_graph(network_of(case)), keras_view(model_of(case))
    assert graph.neurons == reference.neurons
    assert graph.weights == reference.weights
    assert len(graph.connections) - graph.weights == reference.passed_on


def test_random_cases_cover_wide_layers_and_pass_through():
    """The counts above are only as good as the designs they see."""
    views = [keras_view(model_of(case)) for case in CASES if case.startswith("seed:")]
    seen = {
        "wider than 16": sum(any(w > ALL_SHOWN for w in v.widths.values()) for v in views),
        "dense wider than 16 fed by one wider than 16": sum(
            any(
                v.classes[n] == "Dense" and v.widths[n] > ALL_SHOWN and v.widths[v.sources[n][0]] > ALL_SHOWN
                for n in v.widths
            )
            for v in views
        ),
        "concatenate": sum("Concatenate" in v.classes.values() for v in views),
        "dropout": sum("Dropout" in v.classes.values() for v in views),
        "batch norm": sum("BatchNormalization" in v.classes.values() for v in views),
        "2+ inputs": sum(list(v.classes.values()).count("InputLayer") >= 2 for v in views),
        "2+ heads": sum(len(v.outputs) >= 2 for v in views),
    }
    assert min(seen.values()) >= 3, seen


# --------------------------------------------------------------------------
# 2. A wide layer: eight neurons and an ellipsis
# --------------------------------------------------------------------------


def wide_design() -> dict:
    return {
        "version": 1,
        "layers": [
            {"name": "wide", "units": 48, "activation": "relu"},
            {"name": "narrow", "units": 5, "activation": "tanh"},
        ],
        "heads": [{"name": "species", "target": "species"}],
    }


def test_wide_layer_shows_eight_neurons_and_an_ellipsis():
    design = wide_design()
    model = build_model(design, seed=0)
    units = model.get_layer("wide").kernel.shape[1]
    assert units == 48
    drawing = draw(resolve(ensure_valid(design)))

    circles = [name for name, attrs in drawing.nodes.items() if owner(name) == "wide" and attrs["shape"] == "circle"]
    assert len(circles) == 8
    assert sorted(drawing.nodes[name]["label"] for name in circles) == sorted(str(i) for i in range(1, 9))
    ellipses = [attrs for attrs in drawing.nodes.values() if attrs.get("label", "").startswith("…")]
    assert [attrs["label"] for attrs in ellipses] == [f"… +{units - 8}"] == ["… +40"]
    assert ellipses[0]["shape"] == "plaintext"
    # Four inputs to eight drawn units, eight drawn units to five: the hidden forty stay undrawn.
    fed = [(owner(tail), owner(head)) for tail, head, _ in drawing.weighted()]
    assert fed.count(("input", "wide")) == 4 * 8
    assert fed.count(("wide", "narrow")) == 8 * 5
    assert fed.count(("narrow", "species")) == 5 * 3


@pytest.mark.parametrize("units", [15, 16, 17, 24])
def test_every_neuron_up_to_sixteen_then_eight_and_an_ellipsis(units):
    design = {
        "version": 1,
        "layers": [{"name": "hidden", "units": units}],
        "heads": [{"name": "y", "target": "species"}],
    }
    width = build_model(design, seed=0).get_layer("hidden").kernel.shape[1]
    drawing = draw(resolve(ensure_valid(design)))
    more = drawing.nodes.get(neurons.neuron_id("hidden", "more"))
    if width <= 16:
        assert len(drawing.neurons_of("hidden")) == width
        assert more is None
    else:
        assert len(drawing.neurons_of("hidden")) == 8
        assert more is not None and more["label"] == f"… +{width - 8}"


# --------------------------------------------------------------------------
# 3. Layout: units top to bottom, layers left to right
# --------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_units_stand_top_to_bottom_and_layers_left_to_right(case):
    drawing, reference = drawing_of(case), keras_view(model_of(case))
    column_x = {}
    for layer, width in reference.widths.items():
        places = [drawing.position(neurons.neuron_id(layer, i)) for i in range(shown(width))]
        xs, ys = [x for x, _ in places], [y for _, y in places]
        assert len(set(xs)) == 1, f"{layer}: its neurons are not in one column: {xs}"
        assert all(a > b for a, b in itertools.pairwise(ys)), f"{layer}: y does not fall with the unit: {ys}"
        more = neurons.neuron_id(layer, "more")
        if more in drawing.nodes:
            x, y = drawing.position(more)
            assert x == xs[0] and y < ys[-1], f"{layer}: the ellipsis is not below the last neuron"
        column_x[layer] = xs[0]
    for layer, feeding in reference.sources.items():
        for source in feeding:
            assert column_x[source] < column_x[layer], f"{source} feeds {layer} but is not left of it"
    places = [drawing.position(name) for name in drawing.nodes]
    assert len(set(places)) == len(places), "two nodes pinned to the same place"


def boxes(drawing: Drawing, font_size: int = 14) -> dict[str, tuple[float, float, float, float]]:
    """Every node's box (left, bottom, right, top, in inches) as its attributes size it.

    Neurons and boxes have their width (and height) set; a caption or an ellipsis
    is as wide as its text, estimated from Helvetica's metrics, and a line high each.
    """
    found = {}
    for name, attrs in drawing.nodes.items():
        x, y = drawing.position(name)
        if attrs["shape"] == "circle":
            width = height = float(attrs["width"])
        elif attrs["shape"] == "box":
            width, height = float(attrs["width"]), float(attrs["height"])
        else:
            lines = re.sub(r"</?b>", "", attrs["label"].removeprefix("<").removesuffix(">")).split("<br/>")
            width = max(neurons.text_width(line, font_size, bold=True) for line in lines)
            height = len(lines) * neurons.LINE * font_size / 72
        found[name] = (x - width / 2, y - height / 2, x + width / 2, y + height / 2)
    return found


@pytest.mark.parametrize("font_size", [12, 20])
@pytest.mark.parametrize("case", CASES)
def test_no_two_labels_overlap(case, font_size):
    """Neurons, boxes, ellipses and captions keep apart, captions of neighbouring columns too."""
    found = boxes(draw(network_of(case), font_size=font_size), font_size)
    for (a, p), (b, q) in itertools.combinations(found.items(), 2):
        apart = p[2] <= q[0] or q[2] <= p[0] or p[3] <= q[1] or q[3] <= p[1]
        assert apart, f"{a} {p} overlaps {b} {q}"


def crosses(tail: tuple[float, float], head: tuple[float, float], box: tuple[float, float, float, float]) -> bool:
    """Whether the straight line from ``tail`` to ``head`` (a connection, centre to centre) passes through ``box``."""
    (x0, y0), (x1, y1) = tail, head
    left, bottom, right, top = box
    low, high = 0.0, 1.0  # the part of the line inside the box, as fractions of its length (Liang-Barsky)
    for p, q in ((x0 - x1, x0 - left), (x1 - x0, right - x0), (y0 - y1, y0 - bottom), (y1 - y0, top - y0)):
        if p == 0:
            if q < 0:
                return False
        elif p < 0:
            low = max(low, q / p)
        else:
            high = min(high, q / p)
    return low < high


def captions_of(drawing: Drawing) -> dict[str, str]:
    """Each layer's caption id, but of a layer stacked below another in its column (its caption stands between)."""
    found = {}
    for name in drawing.nodes:
        if name.endswith("/title"):
            x, y = drawing.position(name)
            above = [n for n in drawing.neurons() if owner(n) != owner(name) and drawing.position(n)[0] == x]
            if not any(drawing.position(n)[1] > y for n in above):
                found[owner(name)] = name
    return found


@pytest.mark.parametrize("case", CASES)
def test_captions_sit_right_above_or_below_their_neurons_clear_of_other_connections(case):
    """A caption is centred on its neurons, no neuron stands between them, and no connection into another layer passes
    through it (those into its own converge on its neurons). A preset's has nothing at all between, and is nearer
    its neurons than its own height and a box; a long name's may have to go round its neighbours' captions."""
    drawing = drawing_of(case)
    preset = case.startswith("preset:")
    found = boxes(drawing)
    for layer, caption in captions_of(drawing).items():
        x, _ = drawing.position(caption)
        mine = [found[n] for n in drawing.nodes if owner(n) == layer and n != caption]
        assert all(abs((box[0] + box[2]) / 2 - x) < 1e-9 for box in mine), f"{caption} is not centred on its neurons"
        _, bottom, _, top = found[caption]
        above = bottom >= max(box[3] for box in mine)
        gap = bottom - max(box[3] for box in mine) if above else min(box[1] for box in mine) - top
        if preset:
            assert 0 < gap <= top - bottom + neurons.BOX_HEIGHT * 14 / 72, f"{caption} is {gap:.2f} in off its neurons"
        narrowest = min(box[2] - box[0] for box in mine) / 2
        between = (x - narrowest, bottom - gap if above else top, x + narrowest, bottom if above else top + gap)
        for name, box in found.items():
            apart = box[2] <= between[0] or between[2] <= box[0] or box[3] <= between[1] or between[3] <= box[1]
            mine_or_allowed = owner(name) == layer or (not preset and name.endswith("/title"))
            assert mine_or_allowed or apart, f"{name} stands between {caption} and its neurons"
        for tail, head, _ in drawing.edges:
            through = crosses(drawing.position(tail), drawing.position(head), found[caption])
            assert owner(head) == layer or not through, f"{tail} -> {head} passes through {caption}"


def test_a_head_on_an_inner_layer_has_a_column_of_its_own_after_its_source():
    """lecture_two_outputs_inner: petal_width takes hidden_1. Its neurons and caption stand right of hidden_1 and left
    of hidden_2 (not in hidden_2's column), its caption within a box's height of its neuron, and none of hidden_1's
    other connections passes through them."""
    drawing = drawing_of("preset:lecture_two_outputs_inner")
    found = boxes(drawing)
    head = [found[name] for name in drawing.nodes if owner(name) == "petal_width"]
    column = (min(b[0] for b in head), min(b[1] for b in head), max(b[2] for b in head), max(b[3] for b in head))
    assert column[0] > max(found[name][2] for name in drawing.neurons_of("hidden_1")), "not right of hidden_1"
    assert column[2] < min(found[name][0] for name in drawing.neurons_of("hidden_2")), "in hidden_2's column"
    caption, neuron = found["petal_width/title"], found["petal_width/0"]
    gap = max(caption[1] - neuron[3], neuron[1] - caption[3])
    assert 0 < gap <= float(drawing.nodes["petal_width/0"]["height"]), f"its caption is {gap:.2f} in off its neuron"
    assert [tail for tail, head, _ in drawing.edges if head == "petal_width/0"] == drawing.neurons_of("hidden_1")
    for tail, head, _ in drawing.edges:
        if owner(tail) == "hidden_1" and owner(head) != "petal_width":
            assert not crosses(drawing.position(tail), drawing.position(head), column), (tail, head, column)


def test_the_picture_stays_compact():
    """The lecture's network fits the Design page's picture column (515 px at 1280 wide) without shrinking."""
    found = boxes(draw(network_of("preset:lecture_sequential"), font_size=12), 12)
    width = max(box[2] for box in found.values()) - min(box[0] for box in found.values())
    assert width * 96 <= 515, f"{width * 96:.0f} px wide"


def test_captions_name_the_layer_and_describe_it():
    net = resolve(ensure_valid(presets.default_design()))
    drawing = draw(net)
    for node in net.used_nodes:
        caption = drawing.nodes[neurons.neuron_id(node.name, "title")]
        assert caption["shape"] == "plaintext"
        assert caption["label"].startswith(f"<<b>{node.name}</b><br/>"), caption["label"]
    assert drawing.nodes["species/title"]["label"] == "<<b>species</b><br/>Dense 3, softmax<br/>→ species>"


def test_boxes_are_filled_as_the_network_graph_fills_their_node():
    from designer.graph import network_graph

    net = resolve(ensure_valid(PRESETS["lecture_two_outputs"].load()))
    fills = {unquote(n.get_name()): n.get("fillcolor") for n in network_graph(net).get_nodes()}
    drawing = draw(net)
    for name, attrs in drawing.neurons().items():
        if attrs["shape"] == "box":
            assert attrs["fillcolor"] == unquote(fills[owner(name)]), name
    assert drawing.nodes["species/0"]["fillcolor"] != drawing.nodes["petal_width/0"]["fillcolor"]


# --------------------------------------------------------------------------
# 4. Weights: colour, width and tooltips from the learned kernels
# --------------------------------------------------------------------------


def randomize(model, seed: int) -> None:
    """Give every weight of ``model`` a random value (Keras starts biases at zero, which proves nothing)."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        values = layer.get_weights()
        if values:
            layer.set_weights([rng.normal(size=v.shape).astype(v.dtype) for v in values])


KERNEL_CASES = {
    "default": presets.default_design,
    "two_input_branches": lambda: PRESETS["two_input_branches"].load(),
    "wide": wide_design,
}


@pytest.mark.parametrize("key", list(KERNEL_CASES))
def test_edges_show_keras_weights_and_neurons_their_bias(key):
    design = KERNEL_CASES[key]()
    model = build_model(design, seed=1)
    randomize(model, seed=2)
    first_dense = next(layer for layer in model.layers if type(layer).__name__ == "Dense")
    kernel = first_dense.get_weights()
    kernel[0][0, 0] = 0.0  # a zero weight counts as positive
    first_dense.set_weights(kernel)
    net = resolve(ensure_valid(design))
    kernels, biases = kernels_and_biases(layer_weights(model, net))
    drawing = draw(net, kernels, biases)
    reference = keras_view(model)

    by_layer: dict[str, list[tuple[float, float]]] = {}
    colours = set()
    for tail, head, attrs in drawing.weighted():
        layer = model.get_layer(owner(head))
        row = reference.kernel_row(layer.name, owner(tail), index_of(tail))
        weight = float(layer.get_weights()[0][row][index_of(head)])
        assert f"{weight:+.3f}" in attrs["tooltip"], (tail, head, attrs["tooltip"])
        assert attrs["color"] == (POSITIVE if weight >= 0 else NEGATIVE), (tail, head, weight)
        colours.add(attrs["color"])
        by_layer.setdefault(layer.name, []).append((abs(weight), float(attrs["penwidth"])))
    assert colours == {POSITIVE, NEGATIVE}
    assert set(by_layer) == {name for name, cls in reference.classes.items() if cls == "Dense"}
    for layer, edges in by_layer.items():
        widths = [width for _, width in sorted(edges)]
        assert max(edges)[1] == max(widths), f"{layer}: its largest weight is not its widest connection"
        assert widths == sorted(widths), f"{layer}: a larger weight is drawn thinner"
        assert widths[0] < widths[-1], f"{layer}: all connections are drawn alike"

    for name, attrs in drawing.neurons().items():
        layer = owner(name)
        if reference.classes[layer] == "Dense":
            bias = float(model.get_layer(layer).get_weights()[1][index_of(name)])
            assert f"{bias:+.3f}" in attrs["tooltip"], (name, attrs["tooltip"])
        else:
            assert "bias" not in attrs["tooltip"], (name, attrs["tooltip"])


def test_without_kernels_weighted_connections_are_drawn_alike():
    drawing = drawing_of("preset:lecture_sequential")
    assert {(attrs.get("color"), attrs["penwidth"]) for _, _, attrs in drawing.edges} == {(None, "0.80")}


# --------------------------------------------------------------------------
# 5. Focus on one layer
# --------------------------------------------------------------------------


def test_focus_draws_the_layers_connections_in_the_focus_colour_and_fades_the_rest():
    net = resolve(ensure_valid(presets.default_design()))
    drawing = draw(net, focus="hidden_2")
    into = [attrs for _, head, attrs in drawing.edges if owner(head) == "hidden_2"]
    others = [attrs for _, head, attrs in drawing.edges if owner(head) != "hidden_2"]
    assert len(into) == 8 * 10 and others
    assert {attrs["color"] for attrs in into} == {neurons.FOCUS}
    assert {attrs["color"] for attrs in others} == {neurons.FADED}
    assert neurons.FOCUS != neurons.FADED
    assert min(float(a["penwidth"]) for a in into) > max(float(a["penwidth"]) for a in others)


def test_focus_with_kernels_keeps_the_sign_colours_and_fades_the_rest():
    design = presets.default_design()
    model = build_model(design, seed=3)
    net = resolve(ensure_valid(design))
    kernels, biases = kernels_and_biases(layer_weights(model, net))
    drawing = draw(net, kernels, biases, focus="hidden_2")
    for _, head, attrs in drawing.weighted():
        if owner(head) == "hidden_2":
            assert attrs["color"] in (POSITIVE, NEGATIVE)
        else:
            assert attrs["color"] in (POSITIVE + "33", NEGATIVE + "33")  # mostly transparent


# --------------------------------------------------------------------------
# 6. The DOT source the app shows is the graph
# --------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pydot's parser calls pyparsing's old names
@pytest.mark.parametrize("case", [*(c for c in CASES if c.startswith("preset:")), "seed:0", "seed:1"])
def test_dot_source_parses_back_to_the_drawing(case):
    net = network_of(case)
    model = build_model(design_of(case), seed=1)
    kernels, biases = kernels_and_biases(layer_weights(model, net))
    focus = net.used_nodes[-1].name
    for arguments in ((), (kernels, biases, focus, 20, 2.0)):
        graph = neuron_drawing(net, *arguments)
        source = parse(neuron_dot(net, *arguments))
        assert read(source) == read(graph)
        for which in ("node", "edge"):
            [mine], [theirs] = graph.get_node(which), source.get_node(which)
            assert {k: unquote(v) for k, v in theirs.get_attributes().items()} == {
                k: unquote(v) for k, v in mine.get_attributes().items()
            }
        assert unquote(source.get("layout")) == "neato", "the pinned positions need the neato engine"
    assert int(parse(neuron_dot(net, font_size=20)).get_node("node")[0].get("fontsize")) == 20
