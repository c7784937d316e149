"""The designer's parameter counts, checked against Keras itself.

Keras is the reference here: for hundreds of random valid designs the model
``designer.keras_model.build_model`` builds is asked for its own per-layer and
total counts, output shapes, wiring and summary text, and those are compared
with what ``designer.params.summarize`` works out from the design alone.

The random designs come from :func:`random_design`, which is driven by
``random.Random(seed)`` so every failure names a seed that reproduces it. Each
picks one of the built-in datasets and takes its inputs and targets from that
dataset's columns, named and sized as the loaders have them
(``tests/reference_tables.py``, ``tests/test_datasets.py``), never as
``designer.datasets`` says: a category column one-hot as an input, a class
target as wide as its classes (one unit for two). The generator decides every
connection itself (including what an implicit ``from`` means), so it knows
which layers reach a head, and how wide every node is, without asking the
designer.
"""

from __future__ import annotations

import itertools
import math
import random
import re
from dataclasses import dataclass, field

import numpy as np
import pytest
from reference_tables import distinct_values, width_of
from test_datasets import BUILT_IN, SKLEARN, reference_names

from designer import params, presets, spec
from designer.keras_model import build_model
from designer.training import heads_of
from designer.validation import errors, validate

pytestmark = pytest.mark.keras

import keras  # noqa: E402

N_KERAS_DESIGNS = 600  # designs built and compared with Keras, over every built-in dataset
N_VALID_DESIGNS = 2000  # designs only validated (cheap, no Keras)

LAYER_TYPES = ("dense", "dropout", "batch_norm", "concatenate")  # the format's, as the README lists them
KERAS_CLASS = {
    "input": "InputLayer",
    "dense": "Dense",
    "head": "Dense",
    "dropout": "Dropout",
    "batch_norm": "BatchNormalization",
    "concatenate": "Concatenate",
}
DATASETS = BUILT_IN  # iris, wine, breast_cancer, digits, penguins
# What a design without `inputs` takes: every measurement of a scikit-learn table (all but its class), and
# for the penguins every column but the species and the year: the defaults this test holds the designer to.
DEFAULT_INPUTS = {
    **{name: reference_names(name)[:-1] for name in SKLEARN},
    "penguins": ("island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "sex"),
}


# --------------------------------------------------------------------------
# The generator of random valid designs
# --------------------------------------------------------------------------


@dataclass
class Truth:
    """What the generator knows about the design it made, independently of the designer."""

    seed: int
    dataset: str
    inputs: dict[str, list[str]]  # group name -> columns, in order
    widths: dict[str, int] = field(default_factory=dict)  # input/head name -> its width, from the loaders
    classes: dict[str, int] = field(default_factory=dict)  # head name -> its target's classes (0: a measurement)
    kinds: dict[str, str] = field(default_factory=dict)  # layer/head name -> kind
    sources: dict[str, list[str]] = field(default_factory=dict)  # layer/head -> resolved sources
    layers: list[str] = field(default_factory=list)  # layer names in design order
    heads: list[str] = field(default_factory=list)  # head names in design order
    entries: dict[str, dict] = field(default_factory=dict)  # layer/head name -> its design entry

    def used(self) -> set[str]:
        """Inputs and layers that feed some head (walked backwards from the heads)."""
        seen: set[str] = set()
        stack = [s for head in self.heads for s in self.sources[head]]
        while stack:
            name = stack.pop()
            if name not in seen:
                seen.add(name)
                stack.extend(self.sources.get(name, []))
        return seen

    def ancestors(self, name: str) -> set[str]:
        """The input groups a node depends on."""
        if name in self.inputs:
            return {name}
        return set().union(*(self.ancestors(s) for s in self.sources[name]))

    def expected_model_names(self) -> list[str]:
        """Names the model must hold, in design order: used inputs and layers, then every head."""
        used = self.used()
        return [n for n in [*self.inputs, *self.layers] if n in used] + self.heads

    @property
    def unused_layers(self) -> list[str]:
        used = self.used()
        return [n for n in self.layers if n not in used]

    def width(self, name: str) -> int:
        """A node's output width: an input's or a head's from the loaders, a layer's from its units and sources."""
        if name in self.widths:
            return self.widths[name]
        kind, fan_in = self.kinds[name], sum(self.width(s) for s in self.sources[name])
        return self.entries[name]["units"] if kind == "dense" else fan_in

    def expected_params(self) -> tuple[int, int]:
        """Trainable and non-trainable parameters of the nodes that reach a head, worked out here."""
        trainable = non_trainable = 0
        used = self.used()
        for name in [*self.layers, *self.heads]:
            if name not in used and name not in self.heads:
                continue
            kind, fan_in, width = self.kinds[name], sum(self.width(s) for s in self.sources[name]), self.width(name)
            if kind in ("dense", "head"):
                trainable += fan_in * width + width
            elif kind == "batch_norm":
                trainable, non_trainable = trainable + 2 * fan_in, non_trainable + 2 * fan_in
        return trainable, non_trainable


class Names:
    """Unique, valid names (letters, digits, _; starting with a letter; at most 40)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.taken: set[str] = set()

    def make(self, *prefixes: str) -> str:
        while True:
            prefix = self.rng.choice(prefixes)
            if self.rng.random() < 0.05:  # a long name, right at the limit
                name = (prefix + "_" + "x" * 40)[:36] + f"{self.rng.randrange(1000):04d}"
            else:
                name = f"{prefix}{self.rng.randrange(100)}"
            if len(name) <= 40 and name not in self.taken:
                self.taken.add(name)
                return name


def _units(rng: random.Random) -> int:
    return rng.randint(1, 64) if rng.random() < 0.93 else rng.randint(65, spec.MAX_UNITS)


def _n_inputs(rng: random.Random, columns: int) -> int:
    """How many columns a design takes as inputs: at least one, and one fewer than all (a target is left)."""
    return columns - 1 if rng.random() < 0.15 else rng.randint(1, columns - 1)


def random_design(seed: int) -> tuple[dict, Truth]:
    """A random valid design over one of the built-in datasets, and what the generator knows about it."""
    rng = random.Random(seed)
    names = Names(rng)
    dataset = rng.choice(DATASETS)
    table = reference_names(dataset)  # every column, in the loader's order
    columns = list(table)
    rng.shuffle(columns)

    design: dict = {"version": 1}
    if dataset != "iris" or rng.random() < 0.3:  # Iris is the dataset a design without one trains on
        design["dataset"] = dataset
    form = rng.choices(["default", "list", "dict"], weights=[1, 4, 6])[0]
    if form == "default":  # no `inputs`: the dataset's usual columns as one input called "input"
        groups = {spec.DEFAULT_INPUT: list(DEFAULT_INPUTS[dataset])}
    elif form == "list":
        groups = {spec.DEFAULT_INPUT: columns[: _n_inputs(rng, len(columns))]}
        design["inputs"] = list(groups[spec.DEFAULT_INPUT])
    else:
        n_columns = _n_inputs(rng, len(columns))
        n_groups = rng.randint(1, min(3, n_columns))
        cuts = sorted(rng.sample(range(1, n_columns), n_groups - 1))
        bounds = [0, *cuts, n_columns]
        groups = {}
        for a, b in itertools.pairwise(bounds):
            groups[names.make("in_", "features", "Group", "x")] = columns[a:b]
        design["inputs"] = {name: list(cols) for name, cols in groups.items()}
    names.taken.update(groups)
    truth = Truth(seed, dataset, groups)
    for name, cols in groups.items():  # one feature per number column, one per value of a category column
        truth.widths[name] = sum(width_of(dataset, table.index(c), as_target=False) for c in cols)

    # Layers. `previous` is what an implicit `from` means: the previous layer, else the first input.
    layers: list[dict] = []
    previous = next(iter(groups))
    for _ in range(rng.choices(range(9), weights=[2, 3, 3, 3, 3, 2, 2, 1, 1])[0]):
        available = [*groups, *truth.layers]
        kind = rng.choices(LAYER_TYPES, weights=[5, 1.5, 1.5, 1.5])[0]
        if kind == "concatenate" and len(available) < 2:
            kind = "dense"
        kind_names = {
            "dense": ("dense", "hidden_", "h", "Layer", "branch_"),
            "dropout": ("drop", "dropout_"),
            "batch_norm": ("norm", "bn_"),
            "concatenate": ("join", "concat_", "merge"),
        }[kind]
        layer: dict = {"name": names.make(*kind_names)}
        if kind != "dense" or rng.random() < 0.3:
            layer["type"] = kind
        if kind == "concatenate":
            sources = rng.sample(available, rng.randint(2, min(3, len(available))))
            layer["from"] = list(sources)
        elif rng.random() < 0.5:
            sources = [rng.choice(available)]
            layer["from"] = sources[0]
        else:
            sources = [previous]
        if kind == "dense":
            layer["units"] = _units(rng)
            if rng.random() < 0.8:
                layer["activation"] = rng.choice(spec.ACTIVATIONS)
        elif kind == "dropout":
            layer["rate"] = 0.0 if rng.random() < 0.1 else round(rng.random(), rng.choice([1, 2, 6]))
            if layer["rate"] >= 1:
                layer["rate"] = 0.5
        layers.append(layer)
        truth.layers.append(layer["name"])
        truth.kinds[layer["name"]] = kind
        truth.sources[layer["name"]] = sources
        truth.entries[layer["name"]] = layer
        previous = layer["name"]

    # Heads: any column that is not an input (a category half the time, when one is left),
    # from an input or any layer.
    input_columns = {c for cols in groups.values() for c in cols}
    targets = [c for c in table if c not in input_columns]
    class_targets = [c for c in targets if distinct_values()[dataset][table.index(c)]]
    heads: list[dict] = []
    head_sources: list[str] = []
    implicit_head = truth.layers[-1] if truth.layers else next(iter(groups))
    for _ in range(rng.randint(1, 4)):
        target = rng.choice(class_targets if class_targets and rng.random() < 0.5 else targets)
        head: dict = {"name": names.make(target, "out_", "y")}
        head["target"] = target
        truth.widths[head["name"]] = width_of(dataset, table.index(target), as_target=True)
        truth.classes[head["name"]] = distinct_values()[dataset][table.index(target)]
        if rng.random() < 0.6:
            head["from"] = rng.choice([*groups, *truth.layers])
        if rng.random() < 0.4:
            head["activation"] = rng.choice(spec.ACTIVATIONS)
        if rng.random() < 0.3:
            head["loss"] = rng.choice(spec.LOSSES)
        if rng.random() < 0.2:
            head["loss_weight"] = rng.choice([0.5, 1, 2.5])
        heads.append(head)
        head_sources.append(head.get("from", implicit_head))

    # Every input group must reach a head: if some does not, join it in with a concatenate
    # that the first head hangs from.
    truth.heads = [h["name"] for h in heads]
    for head, source in zip(heads, head_sources, strict=True):
        truth.kinds[head["name"]] = "head"
        truth.sources[head["name"]] = [source]
        truth.entries[head["name"]] = head
    missing = set(groups) - set().union(*(truth.ancestors(s) for s in head_sources))
    if missing:
        # The join becomes the last layer, so heads without `from` move onto it: it takes what they had.
        join_from = [head_sources[0]]
        if any("from" not in head for head in heads) and implicit_head not in join_from:
            join_from.append(implicit_head)
        for name in sorted(missing):
            if name in set().union(*(truth.ancestors(s) for s in join_from)):
                continue
            candidates = [n for n in [*groups, *truth.layers] if name in truth.ancestors(n) and n not in join_from]
            join_from.append(rng.choice(candidates))
        join = {"name": names.make("join_all", "rescue"), "type": "concatenate", "from": join_from}
        layers.append(join)
        truth.layers.append(join["name"])
        truth.kinds[join["name"]] = "concatenate"
        truth.sources[join["name"]] = join_from
        truth.entries[join["name"]] = join
        if rng.random() < 0.5:
            heads[0]["from"] = join["name"]
        else:
            heads[0].pop("from", None)  # the implicit `from` of a head is the last layer: the join
        for head in heads:  # implicit heads now hang from the join, the new last layer
            truth.sources[head["name"]] = [head.get("from", join["name"])]

    if layers or rng.random() < 0.5:
        design["layers"] = layers
    design["heads"] = heads
    return design, truth


def keras_designs() -> list[tuple[dict, Truth]]:
    return [random_design(seed) for seed in range(N_KERAS_DESIGNS)]


# --------------------------------------------------------------------------
# Helpers that read Keras
# --------------------------------------------------------------------------


def weight_count(weights) -> int:
    return sum(math.prod(w.shape) for w in weights)


def keras_sources(model) -> dict[str, list[str]]:
    """For each layer of a functional model, the layers feeding it, read from its config."""

    def histories(value):
        if isinstance(value, dict):
            if "keras_history" in value:
                yield value["keras_history"][0]
            for item in value.values():
                yield from histories(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                yield from histories(item)

    return {
        layer["name"]: list(histories([node.get("args", []) for node in layer["inbound_nodes"]]))
        for layer in model.get_config()["layers"]
    }


def default_activation(kind: str, classes: int) -> str:
    """The README's defaults: relu for a dense layer; for a head softmax over 3+ classes, sigmoid for two
    (one unit), linear for a measurement (``classes`` 0)."""
    if kind == "dense":
        return "relu"
    return "linear" if classes == 0 else "sigmoid" if classes == 2 else "softmax"


def compare_with_keras(design: dict, truth: Truth | None) -> list[str]:
    """Every disagreement between Keras' model of ``design`` and the designer's counts."""
    problems: list[str] = []
    model = build_model(design)
    summary = params.summarize(design)
    rows = summary.by_name()
    layer_names = [layer.name for layer in model.layers]

    if truth is not None:
        expected = truth.expected_model_names()
        if sorted(layer_names) != sorted(expected):
            problems.append(f"model layers {sorted(layer_names)} != used nodes {sorted(expected)}")
        if [row.name for row in summary.rows] != expected:
            problems.append(f"summary rows {[r.name for r in summary.rows]} != used nodes {expected}")
        present = set(layer_names) & set(truth.unused_layers)
        if present:
            problems.append(f"layers that reach no head are in the model: {sorted(present)}")
        if model.output_names != truth.heads:
            problems.append(f"output_names {model.output_names} != heads {truth.heads}")
        if [t.name for t in model.inputs] != list(truth.inputs):
            problems.append(f"model inputs {[t.name for t in model.inputs]} != groups {list(truth.inputs)}")
        widths = {t.name: t.shape[-1] for t in model.inputs}
        for name in truth.inputs:
            if widths.get(name) != truth.widths[name]:
                problems.append(
                    f"{name}: input of {widths.get(name)} features, the loaders' columns give {truth.widths[name]}"
                )
        by_keras = weight_count(model.trainable_weights), weight_count(model.non_trainable_weights)
        if by_keras != truth.expected_params():
            problems.append(
                f"Keras counts {by_keras} (trainable, non-trainable), the generator {truth.expected_params()}"
            )
        wiring = keras_sources(model)
        for name in layer_names:
            if name in truth.sources and wiring[name] != truth.sources[name]:
                problems.append(f"{name}: Keras wires it from {wiring[name]}, the design from {truth.sources[name]}")
        for name in layer_names:
            if name in truth.inputs:
                continue
            layer, entry, kind = model.get_layer(name), truth.entries[name], truth.kinds[name]
            if type(layer).__name__ != KERAS_CLASS[kind]:
                problems.append(f"{name}: Keras {type(layer).__name__}, design {kind}")
            if kind in ("dense", "head"):
                default = default_activation(kind, truth.classes.get(name, 0))
                if layer.activation is not keras.activations.get(entry.get("activation", default)):
                    problems.append(f"{name}: activation {layer.activation} != {entry.get('activation', default)}")
            if kind == "head" and layer.units != truth.widths[name]:
                problems.append(f"{name}: head of {entry['target']} has {layer.units} units, not {truth.widths[name]}")
            if kind == "dropout" and layer.rate != entry["rate"]:
                problems.append(f"{name}: dropout rate {layer.rate} != {entry['rate']}")
    elif model.output_names != [h["name"] for h in design["heads"]]:
        problems.append(f"output_names {model.output_names} != heads {[h['name'] for h in design['heads']]}")

    if sorted(rows) != sorted(layer_names):
        problems.append(f"summary rows {sorted(rows)} != model layers {sorted(layer_names)}")
    for name in layer_names:
        if name not in rows:
            continue
        layer, row = model.get_layer(name), rows[name]
        got = {
            "count_params": layer.count_params(),
            "trainable": weight_count(layer.trainable_weights),
            "non_trainable": weight_count(layer.non_trainable_weights),
            "output_shape": str(tuple(layer.output.shape)),
            "kind": type(layer).__name__,
            "keras_type": type(layer).__name__,
        }
        want = {
            "count_params": row.total,
            "trainable": row.trainable,
            "non_trainable": row.non_trainable,
            "output_shape": row.output_shape,
            "kind": KERAS_CLASS[row.kind],
            "keras_type": params.keras_type(row.kind),
        }
        if type(layer).__name__ != "InputLayer":
            got["input_width"] = sum(t.shape[-1] for t in keras.tree.flatten(layer.input))
            want["input_width"] = row.input_width
        else:
            got["input_width"] = layer.output.shape[-1]
            want["input_width"] = row.input_width
        for key in got:
            if got[key] != want[key]:
                problems.append(f"{name}.{key}: Keras {got[key]!r}, designer {want[key]!r}")

    totals = {
        "count_params": (model.count_params(), summary.total),
        "trainable": (weight_count(model.trainable_weights), summary.trainable),
        "non_trainable": (weight_count(model.non_trainable_weights), summary.non_trainable),
    }
    for key, (got_total, want_total) in totals.items():
        if got_total != want_total:
            problems.append(f"model {key}: Keras {got_total}, designer {want_total}")
    return problems


MARKUP = re.compile(r"\[/?[a-z0-9_ ()#]*\]", re.IGNORECASE)


def keras_summary_lines(model) -> list[str]:
    """The lines Keras' own ``model.summary()`` prints, markup and extra spaces removed."""
    printed: list[str] = []
    model.summary(print_fn=lambda text, *args, **kwargs: printed.append(text))
    lines = "\n".join(printed).splitlines()
    return [" ".join(MARKUP.sub("", line).split()) for line in lines]


def totals_mismatch(design: dict) -> list[str]:
    """The designer's totals lines that Keras' summary does not print."""
    keras_lines = keras_summary_lines(build_model(design))
    ours = [" ".join(line.split()) for line in params.summarize(design).totals_lines()]
    return [line for line in ours if line not in keras_lines]


# --------------------------------------------------------------------------
# The generator itself: reproducible, valid, and covering what it should
# --------------------------------------------------------------------------


def test_generator_is_reproducible():
    assert [random_design(s)[0] for s in range(20)] == [random_design(s)[0] for s in range(20)]


def test_generated_designs_are_valid():
    invalid = {}
    for seed in range(N_VALID_DESIGNS):
        design, _ = random_design(seed)
        found = errors(validate(design))
        if found:
            invalid[seed] = [p.message for p in found]
    assert invalid == {}, f"{len(invalid)} generated designs are invalid, e.g. {next(iter(invalid.items()))}"


def test_generated_designs_cover_the_format():
    """The Keras comparison below is only as good as the designs it sees."""
    designs = keras_designs()
    seen: dict[str, int] = dict.fromkeys(
        [
            "list form",
            "default inputs",
            "2+ input groups",
            "3 input groups",
            "no layers",
            "dense",
            "wide dense",
            "dropout",
            "batch_norm used",
            "concatenate of 3",
            "explicit from",
            "implicit from",
            "measurement head",
            "4 heads",
            "head from an input",
            "implicit head",
            "unused layer",
            "dataset left out (Iris)",
            "category input",
            "category input among numbers",
            "two-class head",
            "10-class head",
            "3-class head",
            "category target of a penguin other than species",
            "64 columns in",
            *(f"default inputs of {name}" for name in DATASETS),
        ],
        0,
    )
    per_dataset = dict.fromkeys(DATASETS, 0)
    for design, truth in designs:
        layers = design.get("layers", [])
        used = truth.used()
        per_dataset[truth.dataset] += 1
        categories = [
            c
            for cols in truth.inputs.values()
            for c in cols
            if distinct_values()[truth.dataset][reference_names(truth.dataset).index(c)]
        ]
        columns = [c for cols in truth.inputs.values() for c in cols]
        checks = {
            "list form": isinstance(design.get("inputs"), list),
            "default inputs": "inputs" not in design,
            "2+ input groups": len(truth.inputs) >= 2,
            "3 input groups": len(truth.inputs) == 3,
            "no layers": not layers,
            "dense": any(truth.kinds[n] == "dense" for n in used if n in truth.kinds),
            "wide dense": any(layer.get("units", 0) > 64 for layer in layers),
            "dropout": any(truth.kinds[n] == "dropout" for n in used if n in truth.kinds),
            "batch_norm used": any(truth.kinds[n] == "batch_norm" for n in used if n in truth.kinds),
            "concatenate of 3": any(len(truth.sources[n]) == 3 for n in truth.layers),
            "explicit from": any("from" in layer and layer.get("type") != "concatenate" for layer in layers),
            "implicit from": any("from" not in layer for layer in layers),
            "measurement head": any(truth.classes[h] == 0 for h in truth.heads),
            "4 heads": len(design["heads"]) == 4,
            "head from an input": any(truth.sources[h][0] in truth.inputs for h in truth.heads),
            "implicit head": any("from" not in h for h in design["heads"]),
            "unused layer": bool(truth.unused_layers),
            "dataset left out (Iris)": "dataset" not in design,
            "category input": bool(categories),
            "category input among numbers": any(
                len(cols) > 1 and set(cols) & set(categories) and set(cols) - set(categories)
                for cols in truth.inputs.values()
            ),
            "two-class head": any(truth.classes[h] == 2 for h in truth.heads),
            "10-class head": any(truth.classes[h] == 10 for h in truth.heads),
            "3-class head": any(truth.classes[h] == 3 for h in truth.heads),
            "category target of a penguin other than species": truth.dataset == "penguins"
            and any(h["target"] in ("island", "sex") for h in design["heads"]),
            "64 columns in": len(columns) >= 64,
            **{f"default inputs of {name}": "inputs" not in design and truth.dataset == name for name in DATASETS},
        }
        for key, hit in checks.items():
            seen[key] += bool(hit)
    rare = {key: count for key, count in seen.items() if count < 5}
    assert rare == {}, f"the generator rarely makes these (out of {len(designs)}): {rare}"
    few = {name: count for name, count in per_dataset.items() if count < len(designs) / len(DATASETS) / 2}
    assert few == {}, f"designs per dataset, out of {len(designs)}: {per_dataset}"


# --------------------------------------------------------------------------
# Keras as the reference
# --------------------------------------------------------------------------


def test_counts_shapes_and_outputs_match_keras_for_random_designs():
    failures = {}
    for seed in range(N_KERAS_DESIGNS):
        design, truth = random_design(seed)
        try:
            problems = compare_with_keras(design, truth)
        except Exception as error:  # a design the designer accepts must build
            problems = [f"{type(error).__name__}: {error}"]
        if problems:
            failures[seed] = problems
    report = "\n".join(
        f"seed {seed} (random_design({seed})): " + "; ".join(problems[:5]) for seed, problems in failures.items()
    )
    assert not failures, f"{len(failures)} of {N_KERAS_DESIGNS} designs disagree with Keras:\n{report[:4000]}"


@pytest.mark.parametrize("name", spec.ACTIVATIONS)
def test_every_activation_is_a_keras_activation_that_keeps_the_width(name):
    function = keras.activations.get(name)
    x = keras.ops.convert_to_tensor(np.linspace(-3, 3, 12, dtype="float32").reshape(2, 6))
    y = function(x)
    assert tuple(y.shape) == (2, 6)
    assert np.all(np.isfinite(keras.ops.convert_to_numpy(y)))


@pytest.mark.parametrize("name", spec.LOSSES)
def test_every_loss_is_a_keras_loss(name):
    loss = keras.losses.get(name)
    assert callable(loss)
    value = loss(np.array([[0.0, 1.0, 0.0]], dtype="float32"), np.array([[0.2, 0.7, 0.1]], dtype="float32"))
    assert np.all(np.isfinite(keras.ops.convert_to_numpy(value)))


@pytest.mark.parametrize("name", spec.OPTIMIZERS)
def test_every_optimizer_is_a_keras_optimizer(name):
    assert isinstance(keras.optimizers.get(name), keras.optimizers.Optimizer)


PRESETS = presets.presets()


@pytest.mark.parametrize("preset", PRESETS, ids=[p.key for p in PRESETS])
def test_every_preset_builds_and_matches_keras(preset):
    design = preset.load()
    model = build_model(design)
    assert model.count_params() == params.summarize(design).total
    assert compare_with_keras(design, None) == []


@pytest.mark.parametrize("preset", PRESETS, ids=[p.key for p in PRESETS])
def test_preset_totals_lines_appear_in_keras_summary(preset):
    assert totals_mismatch(preset.load()) == []


def test_lecture_preset_counts_273_as_keras_does():
    first = PRESETS[0]
    assert first.key == "lecture_sequential"
    design = first.load()
    model = build_model(design)
    dense = [layer for layer in model.layers if type(layer).__name__ == "Dense"]
    keras_per_layer = [layer.count_params() for layer in dense]
    # The lecture's network is 4 -> 8 -> 10 -> 10 -> 3 with 273 parameters in all.
    assert model.count_params() == 273
    assert sum(keras_per_layer) == 273
    assert keras_per_layer == [4 * 8 + 8, 8 * 10 + 10, 10 * 10 + 10, 10 * 3 + 3]
    rows = params.summarize(design).by_name()
    assert [rows[layer.name].total for layer in dense] == keras_per_layer
    assert params.summarize(design).total == 273


# A design that leaves every default to the designer: no activation, loss, loss weight or training block.
BARE = {
    "version": 1,
    "inputs": ["sepal_length", "sepal_width", "petal_length"],
    "layers": [{"name": "hidden", "units": 8}],
    "heads": [{"name": "species", "target": "species"}, {"name": "width", "target": "petal_width"}],
}


def test_a_bare_design_gets_the_readme_defaults():
    """The defaults the README promises, written out here, so that a wrong default in the code fails.

    (The training settings' defaults, Adam at 0.001, batch 5, 100 epochs..., are tests/test_training.py's.)
    """
    model = build_model(BARE)
    assert model.get_layer("hidden").activation is keras.activations.get("relu")
    assert model.get_layer("species").activation is keras.activations.get("softmax")
    assert model.get_layer("width").activation is keras.activations.get("linear")
    assert [(head.name, head.loss, head.weight) for head in heads_of(BARE)] == [
        ("species", "categorical_crossentropy", 1.0),
        ("width", "mean_squared_error", 1.0),
    ]


def summary_designs() -> list[tuple[int, dict]]:
    """About ten random designs for the summary-text check, most with a used batch_norm."""
    chosen, plain = [], []
    for seed in range(N_KERAS_DESIGNS):
        design, truth = random_design(seed)
        if any(truth.kinds.get(n) == "batch_norm" for n in truth.used()):
            chosen.append((seed, design))
        elif len(plain) < 2 and len(truth.inputs) > 1:
            plain.append((seed, design))
    return chosen[:8] + plain


def big_design() -> dict:
    """Over a million parameters, so the summary prints thousands separators and MB."""
    return {
        "version": 1,
        "inputs": ["sepal_length", "sepal_width", "petal_length"],
        "layers": [
            {"name": "wide_1", "units": 1024},
            {"name": "norm", "type": "batch_norm"},
            {"name": "wide_2", "units": 1024, "activation": "tanh"},
        ],
        "heads": [{"name": "species", "target": "species"}, {"name": "width", "target": "petal_width"}],
    }


def test_totals_lines_appear_in_keras_summary_for_random_designs():
    cases = summary_designs()
    assert len(cases) >= 8
    failures = {seed: missing for seed, design in cases if (missing := totals_mismatch(design))}
    assert failures == {}, f"totals lines missing from Keras' summary, by seed: {failures}"
    assert totals_mismatch(big_design()) == []


def test_summary_designs_include_batch_norm_and_large_counts():
    """The summary check must see non-trainable weights and a thousands separator."""
    summaries = [params.summarize(design) for _, design in summary_designs()] + [params.summarize(big_design())]
    assert sum(s.non_trainable > 0 for s in summaries) >= 5
    assert any(s.total >= 1000 for s in summaries)
    assert any(s.total >= 1024 * 1024 / 4 for s in summaries)  # at least 1 MB of float32
