"""The graph a design describes: which node feeds which, and how wide each is.

``resolve`` turns a design (already validated) into a :class:`Network`: the
inputs, layers and heads in order, each with its resolved sources, its output
width and whether it reaches a head. Layers that reach no head stay in the
network marked ``used=False``; the model and the counts leave them out.
"""

from __future__ import annotations

from dataclasses import dataclass

from designer import datasets, kinds, spec


@dataclass(frozen=True)
class Node:
    """One input, layer or head of a design, with its wiring resolved."""

    name: str
    kind: str  # "input", a layer type ("dense", ...), or "head"
    sources: tuple[str, ...]
    width: int  # features this node outputs
    entry: dict  # the design's entry with every default filled in (see input_entry and head_entry)
    used: bool = True

    @property
    def is_head(self) -> bool:
        return self.spec is kinds.HEAD

    @property
    def is_input(self) -> bool:
        return self.spec is kinds.INPUT

    @property
    def spec(self) -> kinds.Kind:
        """What the registry knows about this node's kind."""
        return kinds.of(self.kind)


@dataclass(frozen=True)
class Network:
    """Inputs, layers and heads of a design, in design order."""

    nodes: tuple[Node, ...]

    def __getitem__(self, name: str) -> Node:
        return next(node for node in self.nodes if node.name == name)

    @property
    def inputs(self) -> list[Node]:
        return [node for node in self.nodes if node.is_input]

    @property
    def layers(self) -> list[Node]:
        return [node for node in self.nodes if not (node.is_input or node.is_head)]

    @property
    def heads(self) -> list[Node]:
        return [node for node in self.nodes if node.is_head]

    @property
    def used_nodes(self) -> list[Node]:
        return [node for node in self.nodes if node.used]

    @property
    def dense_nodes(self) -> list[Node]:
        """The used layers and heads whose units each join every feature feeding them: those whose units each have
        a map of their own."""
        return [node for node in self.used_nodes if node.spec.look.weighted]


def layer_sources(design: dict) -> list[tuple[str, ...]]:
    """Each layer's sources, with the default `from` applied.

    Without `from`, a layer takes the previous layer in the list; the first
    layer takes the first input.
    """
    previous = next(iter(spec.input_groups(design)), spec.DEFAULT_INPUT)
    sources = []
    for layer in _entries(design.get("layers")):
        source = layer.get("from", previous)
        sources.append(tuple(source) if isinstance(source, list) else (source,))
        previous = layer.get("name")
    return sources


def _entries(items: object) -> list[dict]:
    """The entries of a list, with anything that is not an object as ``{}``.

    Validation resolves the wiring of designs that may be malformed, so these
    helpers must not fail on them.
    """
    if not isinstance(items, list):
        return []
    return [item if isinstance(item, dict) else {} for item in items]


def head_source(design: dict, head: dict) -> str:
    """A head's source: its `from`, else the last layer, else the first input."""
    if "from" in head:
        return head["from"]
    layers = _entries(design.get("layers"))
    if layers:
        return layers[-1].get("name")
    return next(iter(spec.input_groups(design)), spec.DEFAULT_INPUT)


def reachable(design: dict) -> set[str]:
    """Names of the inputs and layers whose output reaches some head."""
    feeds = dict(
        zip([layer.get("name") for layer in _entries(design.get("layers"))], layer_sources(design), strict=True)
    )
    seen: set[str] = set()
    stack = [head_source(design, head) for head in _entries(design.get("heads"))]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        stack.extend(feeds.get(name, ()))
    return seen


def resolve(design: dict) -> Network:
    """The network of a valid design (see :func:`designer.validation.validate`), every default filled in."""
    used = reachable(design)
    widths: dict[str, int] = {}
    nodes = []

    def add(name: str, kind: kinds.Kind, sources: tuple[str, ...], entry: dict, is_used: bool) -> None:
        full = kind.normalise(entry)
        widths[name] = kind.width(full, [widths[s] for s in sources])
        nodes.append(Node(name, kind.name, sources, widths[name], full, is_used))

    table = datasets.of(design)
    for name, columns in spec.input_groups(design).items():
        add(name, kinds.INPUT, (), input_entry(table, columns), name in used)
    for layer, sources in zip(design.get("layers", []), layer_sources(design), strict=True):
        add(layer["name"], kinds.layer_kind(layer), sources, layer, layer["name"] in used)
    for head in design["heads"]:
        add(head["name"], kinds.HEAD, (head_source(design, head),), head_entry(table, head), True)
    return Network(tuple(nodes))


def input_entry(table: datasets.Table, columns: list[str]) -> dict:
    """An input's entry as the network holds it: its columns, the features they give, which are one-hot."""
    chosen = [table.column(name) for name in columns]
    return {
        "columns": list(columns),
        "features": [feature for column in chosen for feature in column.features],
        "one_hot": [column.name for column in chosen if column.is_category],
        "row_noun": table.row_noun,
    }


def head_entry(table: datasets.Table, head: dict) -> dict:
    """A head's entry with what its target is (:class:`designer.datasets.Task`), which its defaults follow."""
    return {**head, kinds.TASK: table.task(head.get("target")) or datasets.Task(str(head.get("target")))}
