"""The design format (version 1): vocabulary, defaults, reading and writing.

A design is a plain JSON-serialisable ``dict``; this module never turns it into
objects. It names the layer types, activations, losses and optimizers the
format allows, and reads and writes design files; the datasets' columns are in
:mod:`designer.datasets`. Validation lives in
:mod:`designer.validation`; the resolved graph in :mod:`designer.network`.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path

from designer import datasets
from designer.constraints import Interval, Optional, Options

FORMAT_VERSION = 1

# Keras' built-in activations that take no extra arguments and keep the width.
# (`glu` halves the width and `threshold` needs arguments, so they are left out.)
ACTIVATIONS = (
    "relu", "sigmoid", "softmax", "tanh", "linear", "elu", "selu", "gelu",
    "silu", "swish", "softplus", "softsign", "leaky_relu", "relu6", "mish",
    "celu", "exponential", "hard_sigmoid", "hard_silu", "hard_tanh",
    "log_sigmoid", "log_softmax", "sparse_plus", "sparsemax", "squareplus",
    "tanh_shrink", "hard_shrink", "soft_shrink",
)  # fmt: skip

CLASSIFICATION_LOSSES = (
    "categorical_crossentropy", "binary_crossentropy", "binary_focal_crossentropy", "categorical_focal_crossentropy",
    "kl_divergence", "categorical_hinge",
)  # fmt: skip
REGRESSION_LOSSES = (
    "mean_squared_error", "mean_absolute_error", "huber", "log_cosh",
    "mean_squared_logarithmic_error",
)  # fmt: skip
LOSSES = CLASSIFICATION_LOSSES + REGRESSION_LOSSES
BINARY_LOSSES = ("binary_crossentropy", "binary_focal_crossentropy")  # for one sigmoid unit

OPTIMIZERS = ("adam", "sgd", "rmsprop", "adamw", "adagrad", "nadam", "lion")

MAX_LAYERS = 32
MAX_HEADS = 8
MAX_UNITS = 1024
MAX_EXERCISE_TASK = 2000  # characters of an exercise's task, the one long text a design holds

MAX_SEED = 2**32 - 1  # what NumPy's and Keras' seeding accept
DEFAULT_INPUT = "input"
DEFAULT_ACTIVATION = "relu"


@dataclass(frozen=True)
class Setting:
    """One training setting: its default, its rule, and how the Train page's editor shows it."""

    name: str
    label: str
    default: object
    constraint: Interval | Options | Optional
    step: float | None = None
    format: str | None = None
    advanced: bool = False  # tucked away under "More settings"


# The training block's settings, in the order the Train page shows them. The defaults are the lecture's.
TRAINING_SETTINGS = (
    Setting("optimizer", "Optimizer", "adam", Options(OPTIMIZERS)),
    Setting("learning_rate", "Learning rate", 0.001, Interval(float, 0, None, closed="neither"), 0.0005, "%g"),
    Setting("epochs", "Epochs", 100, Interval(int, 1, 2000), 10),
    Setting("batch_size", "Batch size", 5, Interval(int, 1, 1000), 1),
    Setting("test_size", "Test size", 0.2, Interval(float, 0, 1, closed="neither"), 0.05, "%.2f", advanced=True),
    Setting(
        "validation_split", "Validation split", 0.2, Interval(float, 0, 1, closed="left"), 0.05, "%.2f", advanced=True
    ),
    Setting("seed", "Seed", 42, Interval(int, 0, MAX_SEED), 1, advanced=True),
    Setting(
        "early_stopping_patience",
        "Patience (epochs)",
        None,
        Optional(Interval(int, 1, 2000), "no early stopping"),
        1,
        advanced=True,
    ),
)
TRAINING = {setting.name: setting for setting in TRAINING_SETTINGS}
DEFAULT_TRAINING = {setting.name: setting.default for setting in TRAINING_SETTINGS}


def input_groups(design: dict) -> dict[str, list[str]]:
    """The design's inputs as ``{input name: [columns]}``, defaults applied."""
    inputs = design.get("inputs", list((datasets.table_of(design) or datasets.IRIS).inputs))
    if isinstance(inputs, dict):
        return {name: list(cols) if isinstance(cols, list) else [] for name, cols in inputs.items()}
    return {DEFAULT_INPUT: list(inputs) if isinstance(inputs, list) else []}


def training_settings(design: dict) -> dict:
    """The design's training block with every default filled in."""
    return {**DEFAULT_TRAINING, **design.get("training", {})}


def loads(text: str) -> dict:
    """Parse a design from JSON text the app wrote itself (not validated).

    For the presets shipped with the app and the files it saves. Text from
    outside (a link, an upload, a file on the command line) goes through
    :func:`designer.parsing.parse_design`, which refuses oversized text first.
    """
    design = json.loads(text)
    if not isinstance(design, dict):
        raise ValueError(f"a design must be a JSON object, got {type(design).__name__}")
    return design


def dumps(design: dict) -> str:
    """Serialise a design as indented JSON text."""
    return json.dumps(design, indent=2, ensure_ascii=False) + "\n"


def load(path: str | Path) -> dict:
    """Read a design file the app wrote itself, such as a preset (UTF-8 JSON; not validated)."""
    return loads(Path(path).read_text(encoding="utf-8"))


def save(design: dict, path: str | Path) -> None:
    """Write a design file."""
    Path(path).write_text(dumps(design), encoding="utf-8")


def clone(design: dict) -> dict:
    """A deep copy, so an edit never changes the design it started from."""
    return copy.deepcopy(design)
