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
