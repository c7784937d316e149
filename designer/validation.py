"""Validation of a design, in one place.

:func:`validate` returns every problem in a design. Each names its field twice:
by its path, for the command line and files (``layers[1].units must be a whole
number from 1 to 1024, got 0``), and in the page's words, 1-based as the page
numbers things (``Layer 2 (hidden_2): units must be a whole number from 1 to
1024, got 0``). Errors make a design unusable; warnings teach (a species head
with a linear output, a layer that reaches no head) but leave it usable.

The rules of a field come from its constraint (:mod:`designer.constraints`) in
the registry of node kinds (:mod:`designer.kinds`) or the training settings
(:data:`designer.spec.TRAINING_SETTINGS`). Validation is linear in the size of
the design; the parser (:mod:`designer.parsing`) refuses oversized text first.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

from designer import datasets, exercises, kinds, network, spec
from designer.constraints import is_whole

NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
MAX_NAME_LENGTH = 40

TOP_LEVEL_FIELDS = {"version", "dataset", "inputs", "layers", "heads", "training", "exercise"}
CLASSIFIER_ACTIVATIONS = ("softmax", "log_softmax", "sparsemax")
SECTION_TITLES = {
    "": "The design",
    "version": "The design's version",
    "dataset": "The dataset",
    "inputs": "Inputs",
    "layers": "Hidden layers",
    "heads": "Output heads",
    "training": "Training",
    "exercise": "The exercise",
}
EXERCISE_LISTS = {"goals": "goal", "locks": "lock", "hide": "hidden part"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a design: where, what, and how serious."""

    field: str  # e.g. "layers[2].units"; "" for the design as a whole
    message: str  # a whole sentence that starts with the field (the command line's words)
    severity: str = "error"  # or "warning"
    page_message: str = ""  # the same sentence in the page's words, if they differ

    @property
    def on_page(self) -> str:
        """The sentence as the page shows it: ``Layer 2 (hidden_2): units must be ...``."""
        return self.page_message or self.message

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
        return [Problem("", f"a design must be a JSON object, got {show(design)}")]
    report = _Report(design)
    _check_top_level(design, report)
    names = _check_inputs(design, report)
    _check_layers(design, names, report)
    _check_heads(design, names, report)
    _check_training(design.get("training", {}), report)
    if not errors(report.problems):
        _check_fit(design, report)
    if not errors(report.problems):
        _check_reach(design, report)
    if exercises.FIELD in design:
        _check_exercise(design, report)
    return report.problems


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


def show(value: object) -> str:
    """A value as the learner wrote it, in JSON, shortened if long."""
    try:
        text = json.dumps(value, ensure_ascii=False)
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")  # a lone surrogate, spelled out
    except (TypeError, ValueError, RecursionError):
        text = repr(value)[:100]
    return text if len(text) <= 60 else text[:57] + "..."


def split_sizes(rows: int, test_size: float, validation_split: float) -> tuple[int, int, int]:
    """How many rows go to training, validation and test, as scikit-learn's ``train_test_split`` counts them.

    The test part takes ``ceil(test_size × rows)`` and the validation part takes
    ``ceil(validation_split × the rest)``: scikit-learn's rule for a fraction.
    """
    test = math.ceil(test_size * rows)
    rest = rows - test
    validation = math.ceil(validation_split * rest) if validation_split > 0 else 0
    return rest - validation, validation, test


class _Report:
    """Collects problems, writing each in the command line's words and in the page's."""

    def __init__(self, design: dict):
        self.design = design
        self.problems: list[Problem] = []

    def fail(self, path: tuple, requirement: str, value: object) -> None:
        """An error: the field at ``path`` ``requirement`` ("must be ..."), and what it held."""
        self._add(path, f"{requirement}, got {show(value)}", "error")

    def need(self, path: tuple, requirement: str) -> None:
        """An error that shows no value (the field is missing)."""
        self._add(path, requirement, "error")

    def warn(self, path: tuple, advice: str, severity: str = "warning") -> None:
        """A warning (or an error that is not a field's rule): advice about the field at ``path``."""
        field, subject, setting = self._names(path)
        where = f"{subject}, {setting}" if setting else subject
        self.problems.append(Problem(field, f"{field}: {advice}", severity, f"{where}: {advice}"))

    def _add(self, path: tuple, text: str, severity: str) -> None:
        field, subject, setting = self._names(path)
        message = f"{field} {text}" if field else text
        page = f"{subject}: {setting} {text}" if setting else f"{subject} {text}"
        self.problems.append(Problem(field, message, severity, page))

    def _names(self, path: tuple) -> tuple[str, str, str]:
        """The field's path (``layers[1].units``), its subject on the page and the setting's words."""
        field = ""
        for part in path:
            field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
        section = path[0] if path else ""
        if section in ("layers", "heads") and len(path) > 1 and isinstance(path[1], int):
            subject, rest = self._entry_title(section, path[1]), path[2:]
        elif section == "inputs" and len(path) > 1:
            subject, rest = self._input_title(path[1]), path[2:]
        elif section == "exercise" and len(path) > 2 and path[1] in EXERCISE_LISTS and isinstance(path[2], int):
            subject, rest = f"The exercise's {EXERCISE_LISTS[path[1]]} {path[2] + 1}", path[3:]
        else:
            subject, rest = SECTION_TITLES.get(section, section), path[1:]
        return field, subject, " ".join(_words(part) for part in rest)

    def _entry_title(self, section: str, index: int) -> str:
        entries = self.design.get(section)
        entry = entries[index] if isinstance(entries, list) and index < len(entries) else {}
        name = entry.get("name") if isinstance(entry, dict) else None
        title = f"{'Layer' if section == 'layers' else 'Output head'} {index + 1}"
        return f"{title} ({name})" if _is_name(name) else title

    def _input_title(self, part: object) -> str:
        if isinstance(part, int):
            return f"Inputs, column {part + 1}"
        return f"Input {part}" if _is_name(part) else f"Input {show(part)}"


def _words(part: object) -> str:
    return f"column {part + 1}" if isinstance(part, int) else str(part).replace("_", " ")


def _is_name(name: object) -> bool:
    return isinstance(name, str) and len(name) <= MAX_NAME_LENGTH and NAME_PATTERN.fullmatch(name) is not None


def _unknown_fields(entry: dict, allowed: set[str], path: tuple, report: _Report) -> None:
    for key in entry:
        if key not in allowed:
            name = key if _is_name(key) else show(key)
            report.fail((*path, name), f"is not a field here (allowed: {', '.join(sorted(allowed))})", entry[key])


def _check_top_level(design: dict, report: _Report) -> None:
    _unknown_fields(design, TOP_LEVEL_FIELDS, (), report)
    if "version" not in design:
        report.need(("version",), f"is required and must be {spec.FORMAT_VERSION}")
    elif design["version"] != spec.FORMAT_VERSION or not is_whole(design["version"]):
        report.fail(("version",), f"must be {spec.FORMAT_VERSION}", design["version"])
    _check_dataset(design.get("dataset", datasets.DEFAULT), report)


def _check_dataset(value: object, report: _Report) -> None:
    if isinstance(value, dict) and datasets.CSV in value:
        for where, requirement, received in datasets.csv_problems(value):
            report.fail(("dataset", *where), requirement, received)
    elif not isinstance(value, str) or value not in datasets.BUILT_IN:
        names = ", ".join(f'"{name}"' for name in datasets.BUILT_IN)
        report.fail(("dataset",), f"must be one of {names}, or a CSV file's columns", value)


class _Names:
    """The names defined so far: the valid ones (possible sources) and every one written (to keep quiet about)."""

    def __init__(self) -> None:
        self.valid: set[str] = set()
        self.written: set[object] = set()

    def check(self, name: object, path: tuple, report: _Report, subject: str = "") -> None:
        """Check one name; ``subject`` starts the requirement when the field is not the name itself."""
        if isinstance(name, str):
            self.written.add(name)
        if not _is_name(name):
            rule = f"must be letters, digits and _, starting with a letter (at most {MAX_NAME_LENGTH})"
            report.fail(path, subject + rule, name)
        elif name in self.valid:
            report.fail(path, subject + "must be unique among inputs, layers and heads", name)
        else:
            self.valid.add(name)

    def refused(self, name: object) -> bool:
        """A name that was written but refused: whatever takes it has already been told, once."""
        return isinstance(name, str) and name in self.written and name not in self.valid


def _check_inputs(design: dict, report: _Report) -> _Names:
    """Check `inputs`; return the names seen so far."""
    names = _Names()
    table = datasets.table_of(design)
    inputs = design.get("inputs", list(table.inputs if table else ()))
    if isinstance(inputs, list):
        groups = {spec.DEFAULT_INPUT: (("inputs",), inputs)}
    elif isinstance(inputs, dict) and inputs:
        groups = {name: (("inputs", name), cols) for name, cols in inputs.items()}
    else:
        report.fail(("inputs",), "must be a list of columns or an object of named column lists", inputs)
        return names
    taken: set[str] = set()
    for name, (path, columns) in groups.items():
        names.check(name, path, report, subject="name " if isinstance(inputs, dict) else "")
        _check_columns(columns, path, taken, table, report)
    return names


def _check_columns(
    columns: object, path: tuple, taken: set[str], table: datasets.Table | None, report: _Report
) -> None:
    if table is None:
        return  # the dataset itself is refused; its columns cannot be checked
    rule = kinds.HEAD.field("target").rule(table)
    if not isinstance(columns, list) or not columns:
        report.fail(path, f"must be a non-empty list of columns, each {rule.requirement}", columns)
        return
    for i, column in enumerate(columns):
        if not rule.is_valid(column):
            report.fail((*path, i), rule.requirement, column)
        elif column in taken:
            report.fail((*path, i), "must not repeat a column already used as an input", column)
        else:
            taken.add(column)


def _check_layers(design: dict, names: _Names, report: _Report) -> None:
    layers = design.get("layers", [])
    if not isinstance(layers, list):
        report.fail(("layers",), "must be a list", layers)
        return
    if len(layers) > spec.MAX_LAYERS:
        report.fail(("layers",), f"must have at most {spec.MAX_LAYERS} layers", f"{len(layers)} layers")
        return  # the parser refuses such designs first; nothing more is worth saying
    sources = network.layer_sources(design)
    for i, layer in enumerate(layers):
        path = ("layers", i)
        if not isinstance(layer, dict):
            report.fail(path, "must be an object", layer)
            continue
        kind = kinds.layer_kind(layer)
        # Sources must be defined earlier, so check them before adding this name.
        _check_layer_from(layer, kind, sources[i], names, path, report)
        names.check(layer.get("name"), (*path, "name"), report)
        if kind is None:
            report.fail((*path, "type"), f"must be one of {', '.join(kinds.LAYER_TYPES)}", layer.get("type"))
            continue
        _unknown_fields(layer, kind.field_names, path, report)
        _check_fields(layer, kind, path, report)


def _check_fields(
    entry: dict, kind: kinds.Kind, path: tuple, report: _Report, table: datasets.Table = datasets.IRIS
) -> None:
    """Each field of ``entry`` against its constraint in the registry (defaults for the ones left out)."""
    for setting in kind.fields:
        rule = setting.rule(table)
        if setting.name not in entry and setting.required:
            report.fail((*path, setting.name), rule.requirement, None)
            continue
        value = entry.get(setting.name, setting.default_for(entry))
        if not rule.is_valid(value):
            report.fail((*path, setting.name), rule.requirement, value)


def _check_layer_from(
    layer: dict, kind: kinds.Kind | None, source: tuple, names: _Names, path: tuple, report: _Report
) -> None:
    if kind is not None and kind.joins:
        value = layer.get("from")
        if not isinstance(value, list) or len(value) < 2 or len(set(map(str, value))) != len(value):
            report.fail((*path, "from"), "must list two or more different inputs or earlier layers", value)
            return
    elif "from" in layer and not isinstance(layer["from"], str):
        report.fail((*path, "from"), "must be one name (only concatenate takes a list)", layer["from"])
        return
    for name in source:
        if not names.refused(name) and (not isinstance(name, str) or name not in names.valid):
            report.fail((*path, "from"), "must name an input or an earlier layer", name)


def _check_heads(design: dict, names: _Names, report: _Report) -> None:
    heads = design.get("heads")
    if not isinstance(heads, list) or not heads:
        report.fail(("heads",), "must be a non-empty list (a network needs at least one output)", heads)
        return
    if len(heads) > spec.MAX_HEADS:
        report.fail(("heads",), f"must have at most {spec.MAX_HEADS} heads", f"{len(heads)} heads")
        return
    sources = set(names.valid)  # every input and layer is a possible source
    input_columns = {c for cols in _input_columns(design) for c in cols if isinstance(c, str)}
    table = datasets.table_of(design)
    if table is None:
        return  # the dataset itself is refused; the heads' targets cannot be checked
    for i, head in enumerate(heads):
        path = ("heads", i)
        if not isinstance(head, dict):
            report.fail(path, "must be an object", head)
            continue
        names.check(head.get("name"), (*path, "name"), report)
        _unknown_fields(head, kinds.HEAD.field_names, path, report)
        _check_head(design, head, path, sources, names, input_columns, table, report)


def _input_columns(design: dict) -> list[list]:
    inputs = design.get("inputs", list((datasets.table_of(design) or datasets.IRIS).inputs))
    if isinstance(inputs, dict):
        return [cols for cols in inputs.values() if isinstance(cols, list)]
    return [inputs] if isinstance(inputs, list) else []


def _check_head(
    design: dict,
    head: dict,
    path: tuple,
    sources: set[str],
    names: _Names,
    input_columns: set,
    table: datasets.Table,
    report: _Report,
) -> None:
    target, rule = head.get("target"), kinds.HEAD.field("target").rule(table)
    if not rule.is_valid(target):
        report.fail((*path, "target"), rule.requirement, target)
        return
    task = table.task(target)
    if len(task.classes) == 1:
        report.fail((*path, "target"), "has a single class: there is nothing to tell apart", target)
    if target in input_columns:
        report.fail(
            (*path, "target"),
            "is also an input: the network would be handed the answer. Remove it from the inputs",
            target,
        )
    source = network.head_source(design, head)
    if not names.refused(source) and (not isinstance(source, str) or source not in sources):
        report.fail((*path, "from"), "must name an input or a layer", source)
    before = len(errors(report.problems))
    entry = network.head_entry(table, head)
    _check_fields(entry, kinds.HEAD, path, report, table)
    if len(errors(report.problems)) == before:
        full = kinds.HEAD.normalise(entry)
        _teach_head(task, full["activation"], full["loss"], path, report)


def _teach_head(task: datasets.Task, activation: str, loss: str, path: tuple, report: _Report) -> None:
    """Warnings for choices that run but rarely do what a learner wants."""
    target = task.target
    if task.is_binary:
        _teach_binary(task, activation, loss, path, report)
    elif task.is_classification:
        if activation in ("linear", "sigmoid"):
            report.warn(
                (*path, "activation"),
                f'"{activation}" does not turn the {task.units} outputs into probabilities that sum to 1; '
                f'a {target} head usually uses "softmax"',
            )
        if loss in spec.REGRESSION_LOSSES:
            report.warn(
                (*path, "loss"), f'"{loss}" is a regression loss; {target} usually uses categorical_crossentropy'
            )
        elif loss in spec.BINARY_LOSSES:
            report.warn(
                (*path, "loss"),
                f'"{loss}" scores each of the {task.units} outputs on its own, as if it were a yes-or-no question; '
                f"{target} has {task.units} classes and usually uses categorical_crossentropy",
            )
    else:
        if activation in CLASSIFIER_ACTIVATIONS:
            report.warn(
                (*path, "activation"),
                f'"{activation}" over a single output always gives 1.0; a measurement head usually uses "linear"',
            )
        if loss in spec.CLASSIFICATION_LOSSES:
            report.warn(
                (*path, "loss"), f'"{loss}" is a classification loss; a measurement usually uses mean_squared_error'
            )


def _teach_binary(task: datasets.Task, activation: str, loss: str, path: tuple, report: _Report) -> None:
    """Warnings for a head with one unit that tells two classes apart."""
    target, positive = task.target, task.classes[1]
    if activation in CLASSIFIER_ACTIVATIONS:
        report.warn(
            (*path, "activation"),
            f'"{activation}" over a single output always gives 1.0, so it never learns; a two-class head '
            f'such as {target} usually uses "sigmoid" (the probability of {positive})',
        )
    elif activation != "sigmoid":
        report.warn(
            (*path, "activation"),
            f'"{activation}" does not give a probability from 0 to 1; a two-class head usually uses "sigmoid"',
        )
    if loss in spec.REGRESSION_LOSSES:
        report.warn((*path, "loss"), f'"{loss}" is a regression loss; {target} usually uses binary_crossentropy')
    elif loss not in spec.BINARY_LOSSES:
        report.warn(
            (*path, "loss"),
            f'"{loss}" over a single output compares it with itself and is always 0, so nothing is learned; '
            "a sigmoid head usually uses binary_crossentropy",
        )


def _check_training(training: object, report: _Report) -> None:
    if not isinstance(training, dict):
        report.fail(("training",), "must be an object", training)
        return
    _unknown_fields(training, set(spec.TRAINING), ("training",), report)
    for name, setting in spec.TRAINING.items():
        if name in training and not setting.constraint.is_valid(training[name]):
            report.fail(("training", name), setting.constraint.requirement, training[name])


def _check_fit(design: dict, report: _Report) -> None:
    """Settings that cannot split the rows into parts with every class, or a batch larger than the training rows."""
    settings = spec.training_settings(design)
    table = datasets.of(design)
    test_size, validation_split = settings["test_size"], settings["validation_split"]
    train, validation, test = split_sizes(table.rows, test_size, validation_split)
    stratum = datasets.stratified_on(design)
    classes = len(stratum.categories) if stratum else 1
    # scikit-learn's stratified split needs a row of each species in each part, and (to split again for
    # validation) at least two of each species left for training and validation.
    parts = (test, train + validation) if validation_split == 0 else (test, train, validation)
    per_species_left = (train + validation) // classes
    if min(parts) < classes or (validation_split > 0 and per_species_left < 2):
        report.fail(
            ("training", "test_size"),
            f"and validation_split {validation_split:g} leave too few rows of each class in some part "
            "(try a test size around 0.2 and a validation split around 0.2)",
            test_size,
        )
    elif settings["batch_size"] > train:
        report.fail(("training", "batch_size"), f"must be at most the {train} training rows", settings["batch_size"])


def _check_reach(design: dict, report: _Report) -> None:
    used = network.reachable(design)
    for name in spec.input_groups(design):
        if name not in used:
            path = ("inputs",) if not isinstance(design.get("inputs"), dict) else ("inputs", name)
            report.warn(path, f"input {name!r} reaches no head; connect it to a layer or remove it", "error")
    for i, layer in enumerate(design.get("layers", [])):
        if layer["name"] not in used:
            report.warn(
                ("layers", i), f"{layer['name']!r} reaches no head, so it is left out of the model and the counts"
            )


def _check_exercise(design: dict, report: _Report) -> None:
    """The exercise's fields, then (if they and the design are sound) its check against the locked parts."""
    exercise = design[exercises.FIELD]
    path = (exercises.FIELD,)
    if not isinstance(exercise, dict):
        report.fail(path, "must be an object with a title, goals and a check", exercise)
        return
    _unknown_fields(exercise, set(exercises.EXERCISE_FIELDS), path, report)
    _check_text(exercise, "title", exercises.MAX_TITLE, report, required=True)
    _check_text(exercise, "task", exercises.MAX_TASK, report)
    goal_list = exercise.get("goals")
    if not isinstance(goal_list, list) or not 1 <= len(goal_list) <= exercises.MAX_GOALS:
        report.fail((*path, "goals"), f"must be a list of 1 to {exercises.MAX_GOALS} goals", goal_list)
    else:
        for i, goal in enumerate(goal_list):
            for where, requirement, value in exercises.goal_problems(goal, design):
                report.fail((*path, "goals", i, *where), requirement, value)
    for key in ("locks", "hide"):
        _check_parts(design, exercise, key, report)
    hide = exercise.get("hide", [])
    if not errors(report.problems) and "page:train" in hide and exercises.needs_training(exercise):
        where = (exercises.FIELD, "hide", hide.index("page:train"))
        report.fail(where, "must not hide the Train page: a goal is measured by training", "page:train")
    check = exercise.get("check")
    if not isinstance(check, str) or len(check) != exercises.CHECK_LENGTH:
        report.fail((*path, "check"), f"must be the exercise's check, {exercises.CHECK_LENGTH} hex digits", check)
    elif not errors(report.problems) and exercises.seal(design) != check:
        report.fail(
            (*path, "check"),
            "does not match the exercise and its locked parts: the exercise, or a part it locks, was changed "
            "after it was made. Ask for the exercise's link again",
            check,
        )


def _check_text(exercise: dict, key: str, limit: int, report: _Report, required: bool = False) -> None:
    value = exercise.get(key, None if required else "")
    if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
        least = "1" if required else "0"
        report.fail((exercises.FIELD, key), f"must be a text of {least} to {limit:,} characters", value)


def _check_parts(design: dict, exercise: dict, key: str, report: _Report) -> None:
    parts = exercise.get(key, [])
    path = (exercises.FIELD, key)
    if not isinstance(parts, list) or len(parts) > exercises.MAX_PARTS:
        report.fail(path, f"must be a list of at most {exercises.MAX_PARTS} parts of the design", parts)
        return
    for i, part in enumerate(parts):
        why = exercises.part_problem(part, design, hiding=key == "hide")
        if why is None and parts.index(part) != i:
            why = "must not repeat a part listed before"
        if why:
            report.fail((*path, i), why, part)
