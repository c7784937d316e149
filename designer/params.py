"""Parameter counts from the design alone, with the arithmetic spelled out.

Each row is what a person would write on the whiteboard: a dense layer with 4
inputs and 8 units has ``4 × 8 + 8 = 40`` parameters (a weight for every
input-unit pair and one bias per unit). Totals match Keras' ``model.summary()``.
"""

from __future__ import annotations

from dataclasses import dataclass

from designer import spec
from designer.network import Network, Node, resolve
from designer.validation import ensure_valid

BYTES_PER_PARAM = 4  # float32, as Keras counts memory in summary()
KERAS_TYPES = {
    "input": "InputLayer",
    "dense": "Dense",
    "head": "Dense",
    "dropout": "Dropout",
    "batch_norm": "BatchNormalization",
    "concatenate": "Concatenate",
}


@dataclass(frozen=True)
class LayerCount:
    """The parameters of one layer or head, and how they come about."""

    name: str
    kind: str  # "input", a layer type, or "head"
    input_width: int
    output_shape: str  # as Keras prints it, e.g. "(None, 8)"
    trainable: int
    non_trainable: int
    arithmetic: str  # e.g. "4 × 8 + 8 = 40"

    @property
    def total(self) -> int:
        return self.trainable + self.non_trainable


@dataclass(frozen=True)
class Summary:
    """Per-layer counts of the layers that reach a head, and their totals."""

    rows: tuple[LayerCount, ...]

    @property
    def trainable(self) -> int:
        return sum(row.trainable for row in self.rows)

    @property
    def non_trainable(self) -> int:
        return sum(row.non_trainable for row in self.rows)

    @property
    def total(self) -> int:
        return self.trainable + self.non_trainable

    def by_name(self) -> dict[str, LayerCount]:
        return {row.name: row for row in self.rows}

    def totals_lines(self) -> list[str]:
        """The three closing lines of Keras' ``model.summary()``."""
        return [
            f"Total params: {_keras_count(self.total)}",
            f"Trainable params: {_keras_count(self.trainable)}",
            f"Non-trainable params: {_keras_count(self.non_trainable)}",
        ]


def summarize(design: dict) -> Summary:
    """Count the parameters of every used input, layer and head of a valid design."""
    return summarize_network(resolve(ensure_valid(design)))


def summarize_network(net: Network) -> Summary:
    """Count the parameters of every used node of a resolved network."""
    widths = {node.name: node.width for node in net.nodes}
    return Summary(tuple(count_node(node, [widths[s] for s in node.sources]) for node in net.used_nodes))


def count_node(node: Node, source_widths: list[int]) -> LayerCount:
    """The parameters of one node, given the widths of what feeds it."""
    fan_in = sum(source_widths)
    shape = f"(None, {node.width})"
    if node.kind in ("dense", "head"):
        weights, biases = fan_in * node.width, node.width
        arithmetic = f"{fan_in} × {node.width} + {node.width} = {weights + biases}"
        return LayerCount(node.name, node.kind, fan_in, shape, weights + biases, 0, arithmetic)
    if node.kind == "batch_norm":
        arithmetic = (
            f"4 × {fan_in} = {4 * fan_in}: {2 * fan_in} trainable (γ, β) "
            f"+ {2 * fan_in} non-trainable (moving mean, variance)"
        )
        return LayerCount(node.name, node.kind, fan_in, shape, 2 * fan_in, 2 * fan_in, arithmetic)
    if node.kind == "concatenate":
        arithmetic = f"0: joins {' + '.join(map(str, source_widths))} = {fan_in} features"
        return LayerCount(node.name, node.kind, fan_in, shape, 0, 0, arithmetic)
    if node.kind == "dropout":
        return LayerCount(
            node.name, node.kind, fan_in, shape, 0, 0, "0: no weights, it only drops values while training"
        )
    columns = ", ".join(node.entry["columns"])
    return LayerCount(node.name, node.kind, node.width, shape, 0, 0, f"0: {node.width} columns ({columns})")


def keras_type(kind: str) -> str:
    """The Keras class name ``model.summary()`` shows for a node kind."""
    return KERAS_TYPES[kind]


def readable_memory_size(size: float) -> str:
    """Bytes as Keras' summary prints them: ``1.07 KB``."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def _keras_count(count: int) -> str:
    return f"{count:,} ({readable_memory_size(count * BYTES_PER_PARAM)})"


def describe(node: Node) -> str:
    """A node's type and settings in a few words: ``Dense 8, relu``."""
    entry = node.entry
    if node.kind == "input":
        return f"Input {node.width}"
    if node.kind == "dense":
        return f"Dense {node.width}, {entry.get('activation', spec.DEFAULT_ACTIVATION)}"
    if node.kind == "head":
        activation = entry.get("activation", spec.default_head_activation(entry["target"]))
        return f"Dense {node.width}, {activation} → {entry['target']}"
    if node.kind == "dropout":
        return f"Dropout {entry['rate']:g}"
    return {"batch_norm": "BatchNormalization", "concatenate": "Concatenate"}[node.kind]


def explain(net: Network, name: str) -> list[str]:
    """Where the parameters of node ``name`` come from, step by step, with its own numbers.

    The steps read as the lecture explains them: every input connects to every
    unit (in × out weights), one bias per unit, and the sum.
    """
    node = net[name]
    sources = [net[source] for source in node.sources]
    fan_in = sum(source.width for source in sources)
    feeds = _feeds(sources)
    count = count_node(node, [source.width for source in sources])
    if node.kind in ("dense", "head"):
        weights, units = fan_in * node.width, node.width
        return [
            f"{name} receives {_values(fan_in)}: {feeds}.",
            f"It has {_count(units, 'unit')}. Every one of the {fan_in} inputs connects to every unit, "
            f"and each connection has its own weight: {fan_in} × {units} = {weights} weights "
            f"(the kernel: {_count(fan_in, 'row')}, {_count(units, 'column')}).",
            f"Each unit adds one bias of its own: {_count(units, 'bias', 'biases')}.",
            f"Together: {weights} + {units} = {count.total} parameters.",
        ]
    if node.kind == "batch_norm":
        return [
            f"{name} receives {_values(fan_in)}: {feeds}. It normalises each one on its own.",
            f"Each feature has a scale γ and a shift β that training learns: 2 × {fan_in} = {2 * fan_in} "
            "trainable parameters.",
            f"Each feature also keeps a moving mean and a moving variance, updated while training but not "
            f"learned by gradient descent: 2 × {fan_in} = {2 * fan_in} non-trainable parameters.",
            f"Together: {2 * fan_in} + {2 * fan_in} = {count.total} parameters.",
        ]
    if node.kind == "dropout":
        return [
            f"{name} receives {_values(fan_in)}: {feeds}.",
            f"While training it sets a random {node.entry['rate']:.0%} of them to zero (and scales up the rest); "
            "when predicting it passes them on unchanged.",
            "It has nothing to learn: 0 parameters.",
        ]
    if node.kind == "concatenate":
        parts = " and ".join(f"the {source.width} of {source.name}" for source in sources)
        return [
            f"{name} puts {parts} side by side: {fan_in} features.",
            "It only joins, so it has nothing to learn: 0 parameters.",
        ]
    columns = ", ".join(node.entry["columns"])
    return [f"{name} hands the network {_values(node.width)} per flower: {columns}. It has no parameters."]


def running_total(summary: Summary, name: str) -> str:
    """The parameters of every layer up to ``name``, added up: ``40 + 90 = 130 of 273``."""
    names = [row.name for row in summary.rows]
    counted = [row.total for row in summary.rows[: names.index(name) + 1] if row.total]
    if not counted:
        return f"0 of {summary.total:,}"
    sum_so_far = f"{' + '.join(f'{count:,}' for count in counted)} = {sum(counted):,}" if len(counted) > 1 else ""
    return f"{sum_so_far or f'{counted[0]:,}'} of {summary.total:,}"


def _feeds(sources: list[Node]) -> str:
    described = []
    for source in sources:
        if source.kind == "input":
            described.append(f"the columns {', '.join(source.entry['columns'])}")
        else:
            described.append(f"what {source.name} outputs")
    return " and ".join(described)


def _values(count: int) -> str:
    return _count(count, "value")


def _count(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else plural or singular + 's'}"
