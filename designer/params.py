"""Parameter counts from the design alone, with the arithmetic spelled out.

Each row is what a person would write on the whiteboard: a dense layer with 4
inputs and 8 units has ``4 × 8 + 8 = 40`` parameters (a weight for every
input-unit pair and one bias per unit). Totals match Keras' ``model.summary()``.
"""

from __future__ import annotations

from dataclasses import dataclass

from designer import kinds
from designer.network import Network, Node, resolve
from designer.validation import ensure_valid

BYTES_PER_PARAM = 4  # float32, as Keras counts memory in summary()


@dataclass(frozen=True)
class LayerCount:
    """The parameters of one layer or head, and how they come about."""

    name: str
    kind: str  # "input", a layer type, or "head"
    input_width: int
    output_shape: str  # as Keras prints it, e.g. "(None, 8)"
    trainable: int
    non_trainable: int
    arithmetic: str  # e.g. "4 × 8 + 8 = 40"; for a node with nothing to count, "0: why"
    worked: bool = True  # the arithmetic is a sum worth showing beside the count

    @property
    def total(self) -> int:
        return self.trainable + self.non_trainable

    @property
    def note(self) -> str:
        """What a table shows beside the count: the sum, or why there is nothing to count."""
        return self.arithmetic if self.worked else self.arithmetic.removeprefix("0: ")


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

    def sum_text(self, emphasis: str = "") -> str:
        """The total as the sum of the layers that have parameters: ``40 + 90 + 110 + 33 = 273``.

        ``emphasis`` wraps the total (``"**"`` for Markdown bold); one term alone is just the total.
        """
        terms = [f"{row.total:,}" for row in self.rows if row.total]
        total = f"{emphasis}{self.total:,}{emphasis}"
        return f"{' + '.join(terms)} = {total}" if len(terms) > 1 else total

    @property
    def summed(self) -> bool:
        """Whether more than one layer has parameters, so that the total is worth showing as a sum."""
        return sum(1 for row in self.rows if row.total) > 1

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
    count = node.spec.count(node.entry, source_widths, node.width)
    fan_in = node.width if node.is_input else sum(source_widths)
    return LayerCount(
        node.name,
        node.kind,
        fan_in,
        f"(None, {node.width})",
        count.trainable,
        count.non_trainable,
        count.arithmetic,
        count.worked,
    )


def keras_type(kind: str) -> str:
    """The Keras class name ``model.summary()`` shows for a node kind."""
    return kinds.of(kind).keras_class


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
    return node.spec.describe(node.entry, node.width)


def explain(net: Network, name: str) -> list[str]:
    """Where the parameters of node ``name`` come from, step by step, with its own numbers.

    The steps read as the lecture explains them: every input connects to every
    unit (in × out weights), one bias per unit, and the sum. They are written
    from the node's count (its terms, in the registry of kinds), so they add up
    to the count the tables show.
    """
    node = net[name]
    sources = [net[source] for source in node.sources]
    widths = [source.width for source in sources]
    received = f"{name} receives {_count(sum(widths), 'value')}: {_feeds(sources)}."
    count = node.spec.count(node.entry, widths, node.width)
    return node.spec.explain(name, node.entry, [(s.name, s.width) for s in sources], node.width, received, count)


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
        if source.is_input:
            described.append(f"the columns {', '.join(source.entry['columns'])}")
        else:
            described.append(f"what {source.name} outputs")
    return " and ".join(described)


def _count(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else plural or singular + 's'}"
