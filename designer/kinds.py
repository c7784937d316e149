"""The registry of node kinds: everything the app knows about an input, a layer type or a head.

One :class:`Kind` per kind holds its fields (with defaults and constraints), its
Keras class and arguments, its output width, its parameter count with the
arithmetic, its label and description, and the name stem of new nodes.
Validation, edits, the resolved network, the counts, the Keras builder, the
export, the graph and the editors ask this registry instead of switching on a
kind's name. Adding a layer type means adding one entry here (and, if it has
fields, letting the editor draw them; :mod:`ui.editors` draws any field from
its constraint).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from dataclasses import replace as dataclass_replace

from designer import datasets, spec
from designer.constraints import Interval, Options


@dataclass(frozen=True)
class Field:
    """One setting of a node, as the format stores it and the editor shows it."""

    name: str
    label: str  # the editor's label
    constraint: Interval | Options | Callable[[datasets.Table], Options]  # a callable: the rule depends on the table
    default: object = None  # filled in when the design leaves the field out; a callable takes the entry
    required: bool = False  # must be written in the design (then ``start`` is what a new node gets)
    start: object = None
    step: float | None = None  # the editor's step and format, for numbers
    format: str | None = None

    def default_for(self, entry: dict) -> object:
        """The value the field takes when ``entry`` leaves it out."""
        return self.default(entry) if callable(self.default) else self.default

    def rule(self, table: datasets.Table) -> Interval | Options:
        """The field's constraint on a design over ``table``."""
        return self.constraint(table) if callable(self.constraint) else self.constraint


Features = tuple[str, ...]


@dataclass(frozen=True)
class Look:
    """How a kind is drawn: its box in the network graph and its neurons in the neuron view."""

    style: Mapping[str, str]  # Graphviz attributes of its box in the network graph
    by_task: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # more, for a head, by what it predicts
    details: Callable[[dict], Sequence[str]] = lambda entry: ()  # label lines below its type (an input's columns)
    neuron: str = "circle"  # its neurons' shape: a numbered "circle" (a unit) or a "box" named by its feature
    # A name for each feature it outputs, given its name, entry, width and its sources' feature names.
    features: Callable[[str, dict, int, Sequence[Features]], Features] = lambda name, entry, width, sources: tuple(
        f"{name} #{i + 1}" for i in range(width)
    )
    weighted: bool = False  # joins every feature feeding it to every unit, one weight each (else passes each on)


LAYER_LOOK = Look({"fillcolor": "#ffffff", "color": "#334155"})


@dataclass(frozen=True)
class Count:
    """A node's parameters and how they come about."""

    trainable: int
    non_trainable: int
    arithmetic: str  # e.g. "4 × 8 + 8 = 40"; for a node with nothing to count, "0: why"
    worked: bool  # True when the arithmetic is a sum worth showing beside the count


@dataclass(frozen=True)
class Seeded:
    """The keyword argument that makes a layer's random part reproducible from a seed.

    ``initializer`` names the ``keras.initializers`` class the seed goes to
    (a seeded initializer draws the same values at every call); without one,
    the layer takes the seed itself (dropout's masks).
    """

    keyword: str
    initializer: str | None = None

    def value(self, keras, seed: int):
        """The argument's value for ``seed``, for the layer's constructor."""
        return getattr(keras.initializers, self.initializer)(seed=seed) if self.initializer else seed

    def source(self, seed: str) -> str:
        """The argument as Python source, with ``seed`` an expression: ``kernel_initializer=...(seed=SEED + 1)``."""
        value = f"keras.initializers.{self.initializer}(seed={seed})" if self.initializer else seed
        return f"{self.keyword}={value}"


# Keras' default kernel initializer, seeded.
SEEDED_KERNEL = Seeded("kernel_initializer", "GlorotUniform")


@dataclass(frozen=True)
class Kind:
    """A kind of node: an input, one of the layer types, or a head."""

    name: str  # as the design's "type" field spells it (or "input", "head")
    label: str  # as the page titles it: "Dense", "Batch norm"
    keras_class: str  # the Keras layer it becomes: "Dense"
    description: str  # one sentence for the editor and the add button's tooltip
    stem: str  # new nodes are named stem, stem_2, ... (or stem_1, stem_2, ... when numbered)
    numbered: bool = False  # new nodes count the layers of their kind: hidden_1, hidden_2, ...
    fields: tuple[Field, ...] = ()
    joins: bool = False  # takes a list of two or more sources (concatenate)
    behaves_differently_in_training: bool = False  # its call takes ``training=`` (dropout, batch norm)
    weights: str | None = None  # which weight matrices it has: "kernel and bias", "normalisation" or None
    width: Callable[[dict, list[int]], int] = lambda entry, widths: sum(widths)
    count: Callable[[dict, list[int], int], Count] = field(default=None)  # type: ignore[assignment]
    # explain(name, entry, [(source, width)...], width, "name receives ...: ...") -> the steps of its count
    explain: Callable[..., list[str]] = field(default=None)  # type: ignore[assignment]
    describe: Callable[[dict, int], str] = field(default=None)  # type: ignore[assignment]
    keras_arguments: Callable[[dict, int], tuple[tuple, dict]] = lambda entry, width: ((), {})
    look: Look = LAYER_LOOK
    seeded: Seeded | None = None  # how a seed makes its random part reproducible; None: it has none

    @property
    def field_names(self) -> set[str]:
        """Every field an entry of this kind may hold, with the ones all nodes share."""
        shared = {"name", "from"} | ({"type"} if self.name in LAYERS else set())
        return shared | {f.name for f in self.fields}

    def field(self, name: str) -> Field:
        """The field called ``name``."""
        return next(setting for setting in self.fields if setting.name == name)

    def normalise(self, entry: dict) -> dict:
        """The entry with every default filled in (the design's own dict is not changed)."""
        full = dict(entry)
        for setting in self.fields:
            if setting.name not in full and not setting.required:
                full[setting.name] = setting.default_for(entry)
        return full

    def new_entry(self, name: str) -> dict:
        """The entry of a new node of this kind: its name, its type (unless dense) and its required fields."""
        entry = {"name": name} if self.name == DEFAULT_LAYER_TYPE else {"name": name, "type": self.name}
        entry.update({setting.name: setting.start for setting in self.fields if setting.required})
        return entry


# --- counts and words, one small function per kind -------------------------------------------------


def _dense_count(entry: dict, widths: list[int], width: int) -> Count:
    fan_in = sum(widths)
    weights, biases = fan_in * width, width
    return Count(weights + biases, 0, f"{fan_in} × {width} + {width} = {weights + biases}", True)


def _dense_explain(name: str, entry: dict, sources: list[tuple[str, int]], width: int, received: str) -> list[str]:
    fan_in = sum(w for _, w in sources)
    weights = fan_in * width
    return [
        received,
        f"It has {_count(width, 'unit')}. Every one of the {fan_in} inputs connects to every unit, "
        f"and each connection has its own weight: {fan_in} × {width} = {weights} weights "
        f"(the kernel: {_count(fan_in, 'row')}, {_count(width, 'column')}).",
        f"Each unit adds one bias of its own: {_count(width, 'bias', 'biases')}.",
        f"Together: {weights} + {width} = {weights + width} parameters.",
    ]


def _dense_arguments(entry: dict, width: int) -> tuple[tuple, dict]:
    return (width,), {"activation": entry["activation"]}


def _batch_norm_count(entry: dict, widths: list[int], width: int) -> Count:
    fan_in = sum(widths)
    arithmetic = (
        f"4 × {fan_in} = {4 * fan_in}: {2 * fan_in} trainable (γ, β) "
        f"+ {2 * fan_in} non-trainable (moving mean, variance)"
    )
    return Count(2 * fan_in, 2 * fan_in, arithmetic, True)


def _batch_norm_explain(name: str, entry: dict, sources: list[tuple[str, int]], width: int, received: str) -> list[str]:
    fan_in = sum(w for _, w in sources)
    return [
        f"{received} It normalises each one on its own.",
        f"Each feature has a scale γ and a shift β that training learns: 2 × {fan_in} = {2 * fan_in} "
        "trainable parameters.",
        f"Each feature also keeps a moving mean and a moving variance, updated while training but not "
        f"learned by gradient descent: 2 × {fan_in} = {2 * fan_in} non-trainable parameters.",
        f"Together: {2 * fan_in} + {2 * fan_in} = {4 * fan_in} parameters.",
    ]


def _dropout_explain(name: str, entry: dict, sources: list[tuple[str, int]], width: int, received: str) -> list[str]:
    return [
        received,
        f"While training it sets a random {entry['rate']:.0%} of them to zero (and scales up the rest); "
        "when predicting it passes them on unchanged.",
        "It has nothing to learn: 0 parameters.",
    ]


def _nothing(why: str) -> Callable[[dict, list[int], int], Count]:
    return lambda entry, widths, width: Count(0, 0, f"0: {why}", False)


def _concatenate_count(entry: dict, widths: list[int], width: int) -> Count:
    return Count(0, 0, f"0: joins {' + '.join(map(str, widths))} = {sum(widths)} features", False)


def _input_count(entry: dict, widths: list[int], width: int) -> Count:
    columns = entry["columns"]
    if width == len(columns):
        return Count(0, 0, f"0: {width} columns ({_listed(columns)})", False)
    return Count(0, 0, f"0: {width} values from {len(columns)} columns ({_listed(columns)}; categories one-hot)", False)


def _listed(names: Sequence[str], most: int = 6) -> str:
    """Names joined with commas; past ``most``, the first few and how many more."""
    if len(names) <= most:
        return ", ".join(names)
    return f"{', '.join(names[: most - 2])}, … {names[-1]}: {len(names)} in all"


def _input_explain(name: str, entry: dict, sources, width: int, received: str) -> list[str]:
    columns = entry["columns"]
    one_hot = entry["one_hot"]
    text = f"{name} hands the network {_count(width, 'value')} per {entry['row_noun']}: {_listed(columns)}."
    if one_hot:
        text += f" A category ({', '.join(one_hot)}) gives one value per category, 1 for its own and 0 else (one-hot)."
    return [text + " It has no parameters."]


def _details(columns: Sequence[str], most: int = 6) -> list[str]:
    """An input's columns as its box in the graph lists them: all of a few, or the first few and a count."""
    return list(columns) if len(columns) <= most else [*columns[: most - 2], "…", f"{len(columns)} columns"]


def _count(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


TASK = "task"  # a head's entry as the network resolves it holds its datasets.Task under this key


def _target_rule(table: datasets.Table) -> Options:
    return Options(table.names, describe_as=f"one of the {table.title} columns ({_listed(table.names)})")


ACTIVATION = Options(spec.ACTIVATIONS, "Keras' activations (relu, sigmoid, softmax, tanh, linear, ...)")

INPUT = Kind(
    name="input",
    label="Input",
    keras_class="InputLayer",
    description="Hands the network some of the dataset's columns.",
    stem="extra",
    width=lambda entry, widths: len(entry["features"]),
    count=_input_count,
    explain=_input_explain,
    describe=lambda entry, width: f"Input {width}",
    look=Look(
        {"fillcolor": "#dbeafe", "color": "#1d4ed8"},
        details=lambda entry: _details(entry["columns"]),
        neuron="box",
        features=lambda name, entry, width, sources: tuple(entry["features"]),
    ),
)

DENSE = Kind(
    name="dense",
    label="Dense",
    keras_class="Dense",
    description="Every input connects to every unit: a weight per connection and a bias per unit.",
    stem="hidden",
    numbered=True,
    fields=(
        Field("units", "Units", Interval(int, 1, spec.MAX_UNITS), required=True, start=8, step=1),
        Field("activation", "Activation", ACTIVATION, default=spec.DEFAULT_ACTIVATION),
    ),
    weights="kernel and bias",
    width=lambda entry, widths: entry["units"],
    count=_dense_count,
    explain=_dense_explain,
    describe=lambda entry, width: f"Dense {width}, {entry['activation']}",
    keras_arguments=_dense_arguments,
    seeded=SEEDED_KERNEL,
    look=dataclass_replace(LAYER_LOOK, weighted=True),
)

DROPOUT = Kind(
    name="dropout",
    label="Dropout",
    keras_class="Dropout",
    description="While training, sets a random share of its inputs to zero; it has no weights.",
    stem="dropout",
    fields=(
        Field("rate", "Rate", Interval(float, 0, 1, closed="left"), required=True, start=0.2, step=0.05, format="%.2f"),
    ),
    behaves_differently_in_training=True,
    count=_nothing("no weights, it only drops values while training"),
    explain=_dropout_explain,
    describe=lambda entry, width: f"Dropout {entry['rate']:g}",
    keras_arguments=lambda entry, width: ((entry["rate"],), {}),
    seeded=Seeded("seed"),
)

BATCH_NORM = Kind(
    name="batch_norm",
    label="Batch norm",
    keras_class="BatchNormalization",
    description="Normalises each feature: 4 numbers per feature, 2 of them learned.",
    stem="norm",
    behaves_differently_in_training=True,
    weights="normalisation",
    count=_batch_norm_count,
    explain=_batch_norm_explain,
    describe=lambda entry, width: "BatchNormalization",
)

CONCATENATE = Kind(
    name="concatenate",
    label="Concatenate",
    keras_class="Concatenate",
    description="Joins its sources side by side.",
    stem="joined",
    joins=True,
    count=_concatenate_count,
    explain=lambda name, entry, sources, width, received: [
        f"{name} puts {' and '.join(f'the {w} of {source}' for source, w in sources)} side by side: {width} features.",
        "It only joins, so it has nothing to learn: 0 parameters.",
    ],
    describe=lambda entry, width: "Concatenate",
    look=dataclass_replace(
        LAYER_LOOK, features=lambda name, entry, width, sources: tuple(f for names in sources for f in names)
    ),
)

HEAD = Kind(
    name="head",
    label="Output head",
    keras_class="Dense",
    description="A dense output layer that predicts one target: a class, or a measurement.",
    stem="output",
    fields=(
        Field("target", "Predicts", _target_rule, required=True),
        Field("activation", "Activation", ACTIVATION, default=lambda e: e[TASK].activation),
        Field("loss", "Loss", Options(spec.LOSSES), default=lambda e: e[TASK].loss),
        Field(
            "loss_weight",
            "Loss weight",
            Interval(float, 0, None, closed="neither"),
            default=1,
            step=0.1,
            format="%.2f",
        ),
    ),
    weights="kernel and bias",
    width=lambda entry, widths: entry[TASK].units,
    count=_dense_count,
    explain=_dense_explain,
    describe=lambda entry, width: f"Dense {width}, {entry['activation']} → {entry['target']}",
    keras_arguments=_dense_arguments,
    seeded=SEEDED_KERNEL,
    look=Look(
        {"peripheries": "2"},
        by_task={
            "classification": {"fillcolor": "#ffedd5", "color": "#c2410c"},
            "regression": {"fillcolor": "#ede9fe", "color": "#6d28d9"},
        },
        neuron="box",
        features=lambda name, entry, width, sources: entry[TASK].features,
        weighted=True,
    ),
)

DEFAULT_LAYER_TYPE = "dense"  # a layer without "type" is dense
LAYERS = {kind.name: kind for kind in (DENSE, DROPOUT, BATCH_NORM, CONCATENATE)}
LAYER_TYPES = tuple(LAYERS)
KINDS = {kind.name: kind for kind in (INPUT, *LAYERS.values(), HEAD)}


def of(name: str) -> Kind:
    """The kind called ``name`` ("input", a layer type, or "head")."""
    return KINDS[name]


def layer_kind(layer: dict) -> Kind | None:
    """The kind of a design's layer entry (dense when it has no "type"), or None if the type is unknown."""
    return LAYERS.get(layer.get("type", DEFAULT_LAYER_TYPE)) if isinstance(layer.get("type", ""), str) else None
