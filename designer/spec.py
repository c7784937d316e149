"""The design format (version 1): vocabulary, defaults, reading and writing.

A design is a plain JSON-serialisable ``dict``; this module never turns it into
objects. It names the columns, layer types, activations, losses and optimizers
the format allows, and reads and writes design files. Validation lives in
:mod:`designer.validation`; the resolved graph in :mod:`designer.network`.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

FORMAT_VERSION = 1

NUMERIC_COLUMNS = ("sepal_length", "sepal_width", "petal_length", "petal_width")
CLASS_COLUMN = "species"
SPECIES = ("setosa", "versicolor", "virginica")
TARGETS = (CLASS_COLUMN, *NUMERIC_COLUMNS)

LAYER_TYPES = ("dense", "dropout", "batch_norm", "concatenate")

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
    "categorical_crossentropy", "categorical_focal_crossentropy",
    "kl_divergence", "categorical_hinge",
)  # fmt: skip
REGRESSION_LOSSES = (
    "mean_squared_error", "mean_absolute_error", "huber", "log_cosh",
    "mean_squared_logarithmic_error",
)  # fmt: skip
LOSSES = CLASSIFICATION_LOSSES + REGRESSION_LOSSES

OPTIMIZERS = ("adam", "sgd", "rmsprop", "adamw", "adagrad", "nadam", "lion")

MAX_LAYERS = 32
MAX_HEADS = 8
MAX_UNITS = 1024

DEFAULT_INPUT = "input"
DEFAULT_ACTIVATION = "relu"
DEFAULT_TRAINING = {
    "optimizer": "adam",
    "learning_rate": 0.001,
    "epochs": 100,
    "batch_size": 5,
    "test_size": 0.2,
    "validation_split": 0.2,
    "seed": 42,
    "early_stopping_patience": None,
}


def is_classification(target: str) -> bool:
    """True for a head that predicts the species, False for a numeric column."""
    return target == CLASS_COLUMN


def head_units(target: str) -> int:
    """Output width of a head: one unit per species, or one number."""
    return len(SPECIES) if is_classification(target) else 1


def default_head_activation(target: str) -> str:
    """Softmax for the species, linear (no squashing) for a measurement."""
    return "softmax" if is_classification(target) else "linear"


def default_head_loss(target: str) -> str:
    """Categorical cross-entropy for the species, mean squared error otherwise."""
    return "categorical_crossentropy" if is_classification(target) else "mean_squared_error"


def input_groups(design: dict) -> dict[str, list[str]]:
    """The design's inputs as ``{input name: [columns]}``, defaults applied."""
    inputs = design.get("inputs", list(NUMERIC_COLUMNS))
    if isinstance(inputs, dict):
        return {name: list(cols) if isinstance(cols, list) else [] for name, cols in inputs.items()}
    return {DEFAULT_INPUT: list(inputs) if isinstance(inputs, list) else []}


def training_settings(design: dict) -> dict:
    """The design's training block with every default filled in."""
    return {**DEFAULT_TRAINING, **design.get("training", {})}


def loads(text: str) -> dict:
    """Parse a design from JSON text (not validated)."""
    design = json.loads(text)
    if not isinstance(design, dict):
        raise ValueError(f"a design must be a JSON object, got {type(design).__name__}")
    return design


def dumps(design: dict) -> str:
    """Serialise a design as indented JSON text."""
    return json.dumps(design, indent=2, ensure_ascii=False) + "\n"


def load(path: str | Path) -> dict:
    """Read a design file (UTF-8 JSON; not validated)."""
    return loads(Path(path).read_text(encoding="utf-8"))


def save(design: dict, path: str | Path) -> None:
    """Write a design file."""
    Path(path).write_text(dumps(design), encoding="utf-8")


def clone(design: dict) -> dict:
    """A deep copy, so an edit never changes the design it started from."""
    return copy.deepcopy(design)
