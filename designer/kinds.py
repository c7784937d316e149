"""The registry of node kinds: everything the app knows about an input, a layer type or a head.

One :class:`Kind` per kind holds its fields (with defaults and constraints), its
Keras class and arguments, its output width, its parameter count as named terms
(``4 × 8 = 32 weights``, ``8 biases``) from which both the arithmetic and the
explainer's sentences are written, the words for its Keras variables (``γ
(scale)`` for ``gamma``), its label and description, and the name stem of new
nodes. Validation, edits, the resolved network, the counts, the explainer, the
Keras builder, the export, the graph, the weights and the editors ask this
registry instead of switching on a kind's name or on a weight's name. Adding a
layer type means adding one entry here (and, if it has fields of a new sort,
letting the editor draw them; :mod:`ui.editors` draws any field from its
constraint).
"""

from __future__ import annotations

import math
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
class Term:
    """Some of a node's parameters, counted, with the sentence that says what they are.

    ``Term((4, 8), "weight", "Every input connects to every unit")`` is 4 × 8 =
    32 weights. A count made of terms (:func:`counted`) takes its totals and its
    arithmetic from them, and the explainer (:func:`explain_terms`) its
    sentences, so the words and the numbers cannot disagree.
    """

    factors: tuple[int, ...]  # how many there are is their product: (4, 8) for 4 inputs × 8 units
    singular: str  # what one of them is: "weight", "bias", "trainable parameter"
    says: str  # the explainer's sentence up to the count: "Each unit adds one bias of its own"
    plural: str | None = None  # when not singular + "s": "biases"
    trainable: bool = True  # learned by gradient descent (else only updated, as batch norm's moving mean)
    after: str = ""  # the rest of the sentence, after the count: " (the kernel: 4 rows, 8 columns)"

    @property
    def count(self) -> int:
        return math.prod(self.factors)

    @property
    def product(self) -> str:
        """The factors as written: ``4 × 8`` (or one number)."""
        return " × ".join(map(str, self.factors))

    def counted(self) -> str:
        """``4 × 8 = 32 weights``; a single factor, just ``8 biases``."""
        if len(self.factors) > 1:
            return f"{self.product} = {self.count} {self.plural or self.singular + 's'}"
        return _count(self.count, self.singular, self.plural)

    def sentence(self) -> str:
        """The explainer's step for these parameters."""
        return f"{self.says}: {self.counted()}{self.after}."


@dataclass(frozen=True)
class Count:
    """A node's parameters and how they come about (see :func:`counted`, which makes one from its terms)."""

    trainable: int
    non_trainable: int
    arithmetic: str  # e.g. "4 × 8 + 8 = 40"; for a node with nothing to count, "0: why"
    worked: bool  # True when the arithmetic is a sum worth showing beside the count
    terms: tuple[Term, ...] = ()  # what the parameters are, for the explainer; () when nothing is counted

    @property
    def total(self) -> int:
        return self.trainable + self.non_trainable


def counted(*terms: Term, arithmetic: str | None = None) -> Count:
    """The count made of ``terms``: their totals, and by default their sum as the arithmetic (``4 × 8 + 8 = 40``)."""
    trainable = sum(term.count for term in terms if term.trainable)
    frozen = sum(term.count for term in terms if not term.trainable)
    worked = len(terms) > 1 or any(len(term.factors) > 1 for term in terms)
    if arithmetic is None:
        if not terms:
            arithmetic = "0: nothing to learn"
        elif worked:
            arithmetic = f"{' + '.join(term.product for term in terms)} = {trainable + frozen}"
        else:
            arithmetic = terms[0].counted()
    return Count(trainable, frozen, arithmetic, worked, terms)


def explain_terms(intro: str = "") -> Callable[..., list[str]]:
    """An explainer that says each term of the count, then the sum: what a kind counted by terms explains with.

    ``intro`` follows the sentence saying what the node receives (" It normalises each one on its own.").
    """

    def explain(name: str, entry: dict, sources, width: int, received: str, count: Count) -> list[str]:
        steps = [received + intro, *(term.sentence() for term in count.terms)]
        if len(count.terms) > 1:
            steps.append(f"Together: {' + '.join(str(term.count) for term in count.terms)} = {count.total} parameters.")
        elif count.terms:
            steps.append(f"In all: {count.total} parameters.")
        else:  # a count given without its terms: its own arithmetic is all there is to say
            steps.append(f"In all: {count.arithmetic.removeprefix('0: ')} parameters.")
        return steps

    return explain


EXPLAINED_BY_TERMS = explain_terms()  # a kind's explainer unless it has its own


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
    # Words for its Keras variables, by their names, where the name alone would not do: {"gamma": "γ (scale)"}.
    # The weights read a layer's variables from Keras itself; a name not listed shows as it is ("moving mean").
    variables: Mapping[str, str] = field(default_factory=dict)
    width: Callable[[dict, list[int]], int] = lambda entry, widths: sum(widths)
    # count(entry, source widths, width): its parameters, best made of named terms (see counted)
    count: Callable[[dict, list[int], int], Count] = field(default=None)  # type: ignore[assignment]
    # explain(name, entry, [(source, width)...], width, "name receives ...: ...", its count) -> the steps of its
    # count; by default each term of the count, then their sum
    explain: Callable[..., list[str]] = EXPLAINED_BY_TERMS
    describe: Callable[[dict, int], str] = field(default=None)  # type: ignore[assignment]
    keras_arguments: Callable[[dict, int], tuple[tuple, dict]] = lambda entry, width: ((), {})
    look: Look = LAYER_LOOK
    seeded: Seeded | None = None  # how a seed makes its random part reproducible; None: it has none

    def variable_label(self, name: str) -> str:
        """How this kind's Keras variable ``name`` is shown: ``γ (scale)``, ``kernel``, ``moving mean``."""
        return self.variables.get(name, name.replace("_", " "))

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


def dense_count(bias: bool = True) -> Callable[[dict, list[int], int], Count]:
    """A dense layer's count: a weight per input-unit pair (the kernel) and, with ``bias``, one bias per unit."""

    def count(entry: dict, widths: list[int], width: int) -> Count:
        fan_in = sum(widths)
        weights = Term(
            (fan_in, width),
            "weight",
            f"It has {_count(width, 'unit')}. Every one of the {fan_in} inputs connects to every unit, "
            "and each connection has its own weight",
            after=f" (the kernel: {_count(fan_in, 'row')}, {_count(width, 'column')})",
        )
        biases = Term((width,), "bias", "Each unit adds one bias of its own", plural="biases")
        return counted(weights, biases) if bias else counted(weights)

    return count


def dense_arguments(bias: bool = True) -> Callable[[dict, int], tuple[tuple, dict]]:
    """A dense layer's Keras arguments: ``Dense(units, activation=...)``, and ``use_bias=False`` without ``bias``."""

    def arguments(entry: dict, width: int) -> tuple[tuple, dict]:
        return (width,), {"activation": entry["activation"]} | ({} if bias else {"use_bias": False})

    return arguments


def _batch_norm_count(entry: dict, widths: list[int], width: int) -> Count:
    fan_in = sum(widths)
    learned = Term((2, fan_in), "trainable parameter", "Each feature has a scale γ and a shift β that training learns")
    kept = Term(
        (2, fan_in),
        "non-trainable parameter",
        "Each feature also keeps a moving mean and a moving variance, updated while training but not "
        "learned by gradient descent",
        trainable=False,
    )
    arithmetic = (
        f"4 × {fan_in} = {4 * fan_in}: {learned.count} trainable (γ, β) "
        f"+ {kept.count} non-trainable (moving mean, variance)"
    )
    return counted(learned, kept, arithmetic=arithmetic)


def _dropout_explain(name: str, entry: dict, sources, width: int, received: str, count: Count) -> list[str]:
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


def _input_explain(name: str, entry: dict, sources, width: int, received: str, count: Count) -> list[str]:
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
    width=lambda entry, widths: entry["units"],
    count=dense_count(),
    describe=lambda entry, width: f"Dense {width}, {entry['activation']}",
    keras_arguments=dense_arguments(),
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
    variables={
        "gamma": "γ (scale)",
        "beta": "β (shift)",
        "moving_mean": "moving mean",
        "moving_variance": "moving variance",
    },
    count=_batch_norm_count,
    explain=explain_terms(" It normalises each one on its own."),
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
    explain=lambda name, entry, sources, width, received, count: [
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
    width=lambda entry, widths: entry[TASK].units,
    count=dense_count(),
    describe=lambda entry, width: f"Dense {width}, {entry['activation']} → {entry['target']}",
    keras_arguments=dense_arguments(),
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
