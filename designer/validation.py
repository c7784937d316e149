"""Validation of a design, in one place.

:func:`validate` returns every problem in a design, each naming the field and
the value it got, for example ``layers[2].units must be an integer from 1 to
1024, got 0``. Errors make a design unusable; warnings teach (a species head
with a linear output, a layer that reaches no head) but leave it usable.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

from designer import network, spec

NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
MAX_NAME_LENGTH = 40

TOP_LEVEL_FIELDS = {"version", "dataset", "inputs", "layers", "heads", "training"}
LAYER_FIELDS = {
    "dense": {"name", "type", "from", "units", "activation"},
    "dropout": {"name", "type", "from", "rate"},
    "batch_norm": {"name", "type", "from"},
    "concatenate": {"name", "type", "from"},
}
HEAD_FIELDS = {"name", "target", "from", "activation", "loss", "loss_weight"}

CLASSIFIER_ACTIVATIONS = ("softmax", "log_softmax", "sparsemax")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a design: where, what, and how serious."""

    field: str  # e.g. "layers[2].units"; "" for the design as a whole
    message: str  # a whole sentence that starts with the field
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        return self.message


class InvalidDesign(ValueError):
    """Raised where a valid design is required; carries every error."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(p.message for p in problems))


def validate(design: object) -> list[Problem]:
    """Every error and warning in ``design``; an empty list means all is well."""
    if not isinstance(design, dict):
        return [Problem("", f"a design must be a JSON object, got {_show(design)}")]
    problems: list[Problem] = []
    report = problems.append
    _check_top_level(design, report)
    names = _check_inputs(design, report)
    _check_layers(design, names, report)
    _check_heads(design, names, report)
    _check_training(design.get("training", {}), report)
    if not errors(problems):
        _check_reach(design, report)
    return problems


def errors(problems: list[Problem]) -> list[Problem]:
    """Only the errors among ``problems``."""
    return [p for p in problems if p.severity == "error"]


def warnings(problems: list[Problem]) -> list[Problem]:
    """Only the warnings among ``problems``."""
    return [p for p in problems if p.severity == "warning"]


def ensure_valid(design: object) -> dict:
    """Return ``design`` if it has no errors, else raise :class:`InvalidDesign`."""
    found = errors(validate(design))
    if found:
        raise InvalidDesign(found)
    return design  # type: ignore[return-value]


def _show(value: object) -> str:
    """A value as the learner wrote it, in JSON, shortened if long."""
    try:
        text = json.dumps(value, ensure_ascii=False)
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")  # a lone surrogate, spelled out
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _fail(report, field: str, requirement: str, value: object) -> None:
    report(Problem(field, f"{field} {requirement}, got {_show(value)}"))


def _warn(report, field: str, message: str) -> None:
    report(Problem(field, f"{field}: {message}", "warning"))


def _unknown_fields(entry: dict, allowed: set[str], where: str, report) -> None:
    for key in entry:
        if key not in allowed:
            prefix = f"{where}." if where else ""
            name = (
                key
                if isinstance(key, str) and NAME_PATTERN.fullmatch(key) and len(key) <= MAX_NAME_LENGTH
                else _show(key)
            )
            _fail(report, f"{prefix}{name}", f"is not a field here (allowed: {', '.join(sorted(allowed))})", entry[key])


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    """A finite int or float (JSON may hold integers too large for a float)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _check_top_level(design: dict, report) -> None:
    _unknown_fields(design, TOP_LEVEL_FIELDS, "", report)
    if "version" not in design:
        report(Problem("version", f"version is required and must be {spec.FORMAT_VERSION}"))
    elif design["version"] != spec.FORMAT_VERSION or not _is_int(design["version"]):
        _fail(report, "version", f"must be {spec.FORMAT_VERSION}", design["version"])
    if design.get("dataset", "iris") != "iris":
        _fail(report, "dataset", 'must be "iris"', design["dataset"])


def _check_name(name: object, field: str, names: set[str], report, subject: str = "") -> None:
    """Check one name; ``subject`` starts the requirement when the field is not the name itself."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name) or len(name) > MAX_NAME_LENGTH:
        rule = f"must be letters, digits and _, starting with a letter (at most {MAX_NAME_LENGTH})"
        _fail(report, field, subject + rule, name)
    elif name in names:
        _fail(report, field, subject + "must be unique among inputs, layers and heads", name)
    else:
        names.add(name)


def _check_inputs(design: dict, report) -> set[str]:
    """Check `inputs`; return the input names seen so far."""
    names: set[str] = set()
    inputs = design.get("inputs", list(spec.NUMERIC_COLUMNS))
    if isinstance(inputs, list):
        groups = {spec.DEFAULT_INPUT: ("inputs", inputs)}
    elif isinstance(inputs, dict) and inputs:
        groups = {name: (f"inputs.{name}", cols) for name, cols in inputs.items()}
    else:
        _fail(report, "inputs", "must be a list of columns or an object of named column lists", inputs)
        return names
    taken: set[str] = set()
    for name, (field, columns) in groups.items():
        _check_name(name, field, names, report, subject="name " if isinstance(inputs, dict) else "")
        _check_columns(columns, field, taken, report)
    return names


def _check_columns(columns: object, field: str, taken: set[str], report) -> None:
    if not isinstance(columns, list) or not columns:
        _fail(report, field, f"must be a non-empty list of columns from {', '.join(spec.NUMERIC_COLUMNS)}", columns)
        return
    for i, column in enumerate(columns):
        if column not in spec.NUMERIC_COLUMNS:
            _fail(report, f"{field}[{i}]", f"must be one of {', '.join(spec.NUMERIC_COLUMNS)}", column)
        elif column in taken:
            _fail(report, f"{field}[{i}]", "must not repeat a column already used as an input", column)
        else:
            taken.add(column)


def _check_layers(design: dict, names: set[str], report) -> None:
    layers = design.get("layers", [])
    if not isinstance(layers, list):
        _fail(report, "layers", "must be a list", layers)
        return
    if len(layers) > spec.MAX_LAYERS:
        _fail(report, "layers", f"must have at most {spec.MAX_LAYERS} layers", f"{len(layers)} layers")
    for i, layer in enumerate(layers):
        field = f"layers[{i}]"
        if not isinstance(layer, dict):
            _fail(report, field, "must be an object", layer)
            continue
        # Sources must be defined earlier, so check them before adding this name.
        _check_layer_from(layer, i, design, set(names), field, report)
        _check_name(layer.get("name"), f"{field}.name", names, report)
        kind = layer.get("type", "dense")
        if kind not in spec.LAYER_TYPES:
            _fail(report, f"{field}.type", f"must be one of {', '.join(spec.LAYER_TYPES)}", kind)
            continue
        _unknown_fields(layer, LAYER_FIELDS[kind], field, report)
        _check_layer_settings(layer, kind, field, report)


def _check_layer_settings(layer: dict, kind: str, field: str, report) -> None:
    if kind == "dense":
        units = layer.get("units")
        if not _is_int(units) or not 1 <= units <= spec.MAX_UNITS:
            _fail(report, f"{field}.units", f"must be an integer from 1 to {spec.MAX_UNITS}", units)
        _check_activation(layer.get("activation", spec.DEFAULT_ACTIVATION), f"{field}.activation", report)
    elif kind == "dropout":
        rate = layer.get("rate")
        if not _is_number(rate) or not 0 <= rate < 1:
            _fail(report, f"{field}.rate", "must be a number with 0 ≤ rate < 1", rate)


def _check_activation(activation: object, field: str, report) -> None:
    if activation not in spec.ACTIVATIONS:
        _fail(
            report, field, "must be one of Keras' activations (relu, sigmoid, softmax, tanh, linear, ...)", activation
        )


def _check_layer_from(layer: dict, index: int, design: dict, earlier: set[str], field: str, report) -> None:
    source = network.layer_sources(design)[index]
    if layer.get("type", "dense") == "concatenate":
        value = layer.get("from")
        if not isinstance(value, list) or len(value) < 2 or len(set(map(str, value))) != len(value):
            _fail(report, f"{field}.from", "must list two or more different inputs or earlier layers", value)
            return
    elif "from" in layer and not isinstance(layer["from"], str):
        _fail(report, f"{field}.from", "must be one name (only concatenate takes a list)", layer["from"])
        return
    for name in source:
        if not isinstance(name, str) or name not in earlier:
            _fail(report, f"{field}.from", "must name an input or an earlier layer", name)


def _check_heads(design: dict, names: set[str], report) -> None:
    heads = design.get("heads")
    if not isinstance(heads, list) or not heads:
        _fail(report, "heads", "must be a non-empty list (a network needs at least one output)", heads)
        return
    if len(heads) > spec.MAX_HEADS:
        _fail(report, "heads", f"must have at most {spec.MAX_HEADS} heads", f"{len(heads)} heads")
    sources = set(names)  # every input and layer is a possible source
    input_columns = {c for cols in _input_columns(design) for c in cols if isinstance(c, str)}
    for i, head in enumerate(heads):
        field = f"heads[{i}]"
        if not isinstance(head, dict):
            _fail(report, field, "must be an object", head)
            continue
        _check_name(head.get("name"), f"{field}.name", names, report)
        _unknown_fields(head, HEAD_FIELDS, field, report)
        _check_head(design, head, field, sources, input_columns, report)


def _input_columns(design: dict) -> list[list[str]]:
    inputs = design.get("inputs", list(spec.NUMERIC_COLUMNS))
    if isinstance(inputs, dict):
        return [cols for cols in inputs.values() if isinstance(cols, list)]
    return [inputs] if isinstance(inputs, list) else []


def _check_head(design: dict, head: dict, field: str, sources: set[str], input_columns: set, report) -> None:
    target = head.get("target")
    if target not in spec.TARGETS:
        _fail(report, f"{field}.target", f"must be one of {', '.join(spec.TARGETS)}", target)
        return
    if target in input_columns:
        _fail(
            report,
            f"{field}.target",
            "is also an input: the network would be handed the answer. Remove it from the inputs",
            target,
        )
    source = network.head_source(design, head)
    if not isinstance(source, str) or source not in sources:
        _fail(report, f"{field}.from", "must name an input or a layer", source)
    activation = head.get("activation", spec.default_head_activation(target))
    _check_activation(activation, f"{field}.activation", report)
    loss = head.get("loss", spec.default_head_loss(target))
    if loss not in spec.LOSSES:
        _fail(report, f"{field}.loss", f"must be one of {', '.join(spec.LOSSES)}", loss)
    weight = head.get("loss_weight", 1)
    if not _is_number(weight) or weight <= 0:
        _fail(report, f"{field}.loss_weight", "must be a number greater than 0", weight)
    _teach_head(target, activation, loss, field, report)


def _teach_head(target: str, activation: str, loss: str, field: str, report) -> None:
    """Warnings for choices that run but rarely do what a learner wants."""
    if spec.is_classification(target):
        if activation in ("linear", "sigmoid"):
            _warn(
                report,
                f"{field}.activation",
                f'"{activation}" does not turn the 3 outputs into probabilities that sum to 1; '
                'a species head usually uses "softmax"',
            )
        if loss in spec.REGRESSION_LOSSES:
            _warn(
                report,
                f"{field}.loss",
                f'"{loss}" is a regression loss; the species usually uses categorical_crossentropy',
            )
    else:
        if activation in CLASSIFIER_ACTIVATIONS:
            _warn(
                report,
                f"{field}.activation",
                f'"{activation}" over a single output always gives 1.0; a measurement head usually uses "linear"',
            )
        if loss in spec.CLASSIFICATION_LOSSES:
            _warn(
                report,
                f"{field}.loss",
                f'"{loss}" is a classification loss; a measurement usually uses mean_squared_error',
            )


TRAINING_RULES = {
    "optimizer": (lambda v: v in spec.OPTIMIZERS, f"must be one of {', '.join(spec.OPTIMIZERS)}"),
    "learning_rate": (lambda v: _is_number(v) and v > 0, "must be a number greater than 0"),
    "epochs": (lambda v: _is_int(v) and 1 <= v <= 2000, "must be an integer from 1 to 2000"),
    "batch_size": (lambda v: _is_int(v) and 1 <= v <= 1000, "must be an integer from 1 to 1000"),
    "test_size": (lambda v: _is_number(v) and 0 < v < 1, "must be a number with 0 < test_size < 1"),
    "validation_split": (lambda v: _is_number(v) and 0 <= v < 1, "must be a number with 0 ≤ validation_split < 1"),
    "seed": (_is_int, "must be an integer"),
    "early_stopping_patience": (
        lambda v: v is None or (_is_int(v) and v > 0),
        "must be null (no early stopping) or a positive integer",
    ),
}


def _check_training(training: object, report) -> None:
    if not isinstance(training, dict):
        _fail(report, "training", "must be an object", training)
        return
    _unknown_fields(training, set(TRAINING_RULES), "training", report)
    for key, (is_ok, requirement) in TRAINING_RULES.items():
        if key in training and not is_ok(training[key]):
            _fail(report, f"training.{key}", requirement, training[key])


def _check_reach(design: dict, report) -> None:
    used = network.reachable(design)
    for name in spec.input_groups(design):
        if name not in used:
            field = "inputs" if not isinstance(design.get("inputs"), dict) else f"inputs.{name}"
            report(Problem(field, f"{field}: input {name!r} reaches no head; connect it to a layer or remove it"))
    for i, layer in enumerate(design.get("layers", [])):
        if layer["name"] not in used:
            _warn(
                report,
                f"layers[{i}]",
                f"{layer['name']!r} reaches no head, so it is left out of the model and the counts",
            )
