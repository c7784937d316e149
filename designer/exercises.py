"""Exercises: a task, goals and locks an instructor hands out inside a design.

An exercise is the design's optional ``exercise`` field::

    {"title": "Smaller and better",
     "task": "Reach 95 % test accuracy with at most 100 parameters.",
     "goals": [{"metric": "species.accuracy", "at_least": 0.95},
               {"metric": "params", "at_most": 100}],
     "locks": ["inputs", "heads", "training.seed"],
     "hide": ["page:code"],
     "check": "5d0c6a8e3b1f2a47"}

Its goals are :mod:`designer.goals`; how far they are, and the figures a
result link claims, :mod:`designer.results`. A part (:func:`part_value`) is a section (``inputs``,
``layers``, ``heads``, ``training``), a training setting (``training.seed``),
one field of one layer or head (``layers.hidden_1.units``) or, for ``hide``
only, a page (``page:code``). A hidden part is locked too.

``check`` seals the exercise: a hash of the exercise, of the values of its
locked parts and of its dataset (:func:`seal`). A learner's edits keep it, as they cannot touch a
locked part (:func:`refused_edit`); a link whose locked parts or exercise were
edited by hand no longer matches it, and validation refuses it. It is a
teaching aid, not security: anyone can compute the hash.

Pure Python: no Streamlit, no TensorFlow.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from designer import datasets, edits, goals, kinds, network, spec

FIELD = "exercise"
EXERCISE_FIELDS = ("title", "task", "goals", "locks", "hide", "check")
MAX_TITLE = 100
MAX_TASK = spec.MAX_EXERCISE_TASK
MAX_GOALS = 8
MAX_PARTS = 40
CHECK_LENGTH = 16
PAGES = ("train", "model", "code")  # the pages an exercise may hide; the Design page always shows
PAGE_PREFIX = "page:"
SECTIONS = ("inputs", "layers", "heads", "training")
SECTION_WORDS = {"inputs": "the inputs", "layers": "the hidden layers", "heads": "the output heads"}
LAYER_FIELDS = tuple(sorted({"from"} | {f.name for kind in kinds.LAYERS.values() for f in kind.fields}))
HEAD_FIELDS = tuple(sorted({"from"} | {f.name for f in kinds.HEAD.fields}))
DATASET = "dataset"  # not a part one locks: every exercise keeps its dataset (see seal)
MISSING = "(no such node)"  # the value of a field lock whose node is gone


# ------------------------------------------------------------------------------------------------ parts


def part_problem(part: object, design: dict, hiding: bool) -> str | None:
    """Why ``part`` is not a part of ``design`` an exercise may lock (or hide); None if it is."""
    allowed = "inputs, layers, heads, training, training.SETTING, layers.LAYER.FIELD, heads.HEAD.FIELD" + (
        ", or page:train, page:model, page:code" if hiding else ""
    )
    if not isinstance(part, str) or len(part) > 100:
        return f"must be one of {allowed}"
    if part in SECTIONS:
        return None
    if part.startswith(PAGE_PREFIX):
        page = part.removeprefix(PAGE_PREFIX)
        if not hiding:
            return "is a page: a page can be hidden (hide), not locked"
        return None if page in PAGES else f"must name a page an exercise can hide ({', '.join(PAGES)})"
    section, _, rest = part.partition(".")
    if section == "training":
        return None if rest in spec.TRAINING else f"must name a training setting ({', '.join(spec.TRAINING)})"
    if section in ("layers", "heads"):
        name, dot, field = rest.partition(".")
        fields = LAYER_FIELDS if section == "layers" else HEAD_FIELDS
        if not dot or field not in fields:
            return f"must be {section}.NAME.FIELD, FIELD one of {', '.join(fields)}"
        if _entry(design, section, name) is None:
            return f"names a {section[:-1]} the design does not have ({name})"
        return None
    return f"must be one of {allowed}"


def lockable_parts(design: dict) -> list[str]:
    """Every part of a (valid) design an exercise can lock: its sections, settings, and each layer's and head's
    fields, as the registry of kinds has them."""
    parts = [*SECTIONS, *(f"training.{name}" for name in spec.TRAINING)]
    for layer in design.get("layers", []):
        kind = kinds.layer_kind(layer)
        parts += [f"layers.{layer['name']}.{field}" for field in [*(f.name for f in kind.fields), "from"]]
    for head in design["heads"]:
        parts += [f"heads.{head['name']}.{field}" for field in [*(f.name for f in kinds.HEAD.fields), "from"]]
    return parts


# ------------------------------------------------------------------------------------------------ goals


def goal_problems(entry: object, design: dict) -> list[tuple[tuple, str, object]]:
    """What is wrong with one goal of ``design``'s exercise, as (path within the goal, requirement, value received):
    its form (:func:`designer.goals.goal_problems`), then the head, metric and target it names
    (:func:`goal_head_problem`)."""
    found = goals.goal_problems(entry)
    if found or not isinstance(entry, dict):
        return found
    why = goal_head_problem(design, goals.read_goal(entry))
    return [(("metric",), why, entry["metric"])] if why else []


def goal_head_problem(design: dict, goal: goals.Goal) -> str | None:
    """Why ``goal`` names a head, metric or target ``design`` does not have, as a requirement ("names no head
    ..."); None if it has them, or if a learner can add the head.

    A head's goal (``species.accuracy``) needs a head of that name whose target fits the metric (accuracy: a
    class target; mae: a measurement; loss: either), or, while the exercise leaves the heads free, a column of
    the dataset that fits it to add a head on, the head taking the column's name (``petal_width.mae`` on a
    design with the species head only), unless the column is an input the exercise locks. The design may be
    invalid elsewhere (validation names that): what cannot be read here is not held against the goal.
    """
    table = datasets.table_of(design)
    if goal.head is None or table is None:
        return None
    heads = {
        head["name"]: head.get("target") for head in _entries(design, "heads") if isinstance(head.get("name"), str)
    }
    named = f"its heads: {_listed(list(heads))}" if heads else "it has no heads"
    if goal.head in heads:
        column = table.column(heads[goal.head])
        if column is None or _fits(goal.metric, column):  # an unknown target: validation names the head's
            return None
    column = next((c for c in table.columns if goal.head in (c.name, edits.name_for(c.name))), None)
    locks = _parts(design)
    input_locked = column is not None and "inputs" in locks and column.name in _input_columns(design)
    if column is not None and _fits(goal.metric, column) and "heads" not in locks and not input_locked:
        return None  # a learner adds the head
    differ = "a class head has an accuracy, a measurement head a mean absolute error (mae)"
    if goal.head in heads:
        target = table.column(heads[goal.head])
        return f"asks for the {goal.metric.words} of {goal.head}, {_kind(target)} (on {target.name}): {differ}"
    if column is None:
        return f"names no head of the design ({named}) and no column of {table.title} to add one on"
    if not _fits(goal.metric, column):
        return f"asks for the {goal.metric.words} of a head on {column.name}, which would be {_kind(column)}: {differ}"
    if "heads" in locks:
        return f"names no head of the design ({named}), and the exercise locks the heads, so none can be added"
    return f"names a head on {column.name}, an input the exercise locks, so no head can predict it"


def _fits(metric: goals.Metric, column: datasets.Column) -> bool:
    """Whether a head on ``column`` has ``metric``: accuracy for classes, mae for a measurement, loss for either."""
    return metric.target_kind is None or column.is_category == (metric.target_kind == "species")


def _kind(column: datasets.Column) -> str:
    return "a class head" if column.is_category else "a measurement head"


def _input_columns(design: dict) -> list:
    return [column for columns in spec.input_groups(design).values() for column in columns]


def _listed(names: list[str], most: int = 8) -> str:
    return ", ".join(names[:most]) + (f" and {len(names) - most} more" if len(names) > most else "")


def _parts(design: dict) -> set[str]:
    """The parts the design's exercise locks or hides, as far as they can be read (validation names the rest)."""
    exercise = design.get(FIELD)
    if not isinstance(exercise, dict):
        return set()
    lists = [exercise.get(key) for key in ("locks", "hide")]
    return {part for parts in lists if isinstance(parts, list) for part in parts if isinstance(part, str)}


def _entries(design: dict, section: str) -> list[dict]:
    entries = design.get(section, [])
    return [entry for entry in entries if isinstance(entry, dict)] if isinstance(entries, list) else []


def needs_training(exercise: dict) -> bool:
    """Whether any goal of a (valid) exercise is measured by training."""
    return any(goals.read_goal(entry).metric.trained for entry in exercise["goals"])


def locked_parts(exercise: dict) -> list[str]:
    """The parts a learner may not change: the locked ones and the hidden ones (pages aside), in order."""
    parts = [*exercise.get("locks", []), *exercise.get("hide", [])]
    return list(dict.fromkeys(p for p in parts if not p.startswith(PAGE_PREFIX)))


def part_value(design: dict, part: str) -> object:
    """The value of a part in ``design``, defaults filled in, as JSON data (for :func:`seal` and comparisons)."""
    if part == "inputs":
        return spec.input_groups(design)
    if part in ("layers", "heads"):
        return design.get(part, [])
    if part == "training":
        return spec.training_settings(design)
    section, _, rest = part.partition(".")
    if section == "training":
        return spec.training_settings(design).get(rest, MISSING)  # an unknown setting: validation names it
    name, _, field = rest.partition(".")
    entry = _entry(design, section, name)
    if entry is None:
        return MISSING
    if field == "from":
        return list(_source(design, section, entry))
    if section == "heads":
        entry = network.head_entry(datasets.table_of(design) or datasets.IRIS, entry)
    kind = kinds.HEAD if section == "heads" else kinds.layer_kind(entry)
    return (kind.normalise(entry) if kind else entry).get(field)


def _entry(design: dict, section: str, name: str) -> dict | None:
    entries = design.get(section, [])
    if not isinstance(entries, list):  # validation reports it; a part cannot name anything in it
        return None
    return next((e for e in entries if isinstance(e, dict) and e.get("name") == name), None)


def _source(design: dict, section: str, entry: dict) -> tuple:
    if section == "heads":
        return (network.head_source(design, entry),)
    return network.layer_sources(design)[design["layers"].index(entry)]


def hidden(design: dict, part: str) -> bool:
    """Whether the design's exercise hides ``part`` (a page as ``page:code``), or the section it is in."""
    exercise = design.get(FIELD)
    if not exercise:
        return False
    return any(part == p or part.startswith(p + ".") for p in exercise.get("hide", []))


def lock_reason(design: dict, part: str, inner: bool = False) -> str | None:
    """Why the control of ``part`` is disabled, or None if it is free.

    ``part`` is locked when it, or the section it is in, is; with ``inner``,
    also when a part inside it is (renaming a layer whose units are locked).
    """
    exercise = design.get(FIELD)
    if not exercise:
        return None
    for locked in locked_parts(exercise):
        if part == locked or part.startswith(locked + ".") or (inner and locked.startswith(part + ".")):
            return f"Locked by the exercise: {describe_part(locked)} stays as it is"
    return None


def describe_part(part: str) -> str:
    """A part in the page's words: ``the hidden layers``, ``the seed``, ``hidden_1's units``."""
    if part in SECTION_WORDS:
        return SECTION_WORDS[part]
    if part == "training":
        return "the training settings"
    section, _, rest = part.partition(".")
    if section == "training":
        return f"the {spec.TRAINING[rest].label.lower()}"
    name, _, field = rest.partition(".")
    return f"{name}'s {field.replace('_', ' ')}"


# ----------------------------------------------------------------------------------------- making, sealing


def seal(design: dict) -> str:
    """The check of the design's exercise: a hash of the exercise (without its check), its locked parts' values
    and its dataset.

    An exercise is always set on its dataset, locked or not: a goal of 0.95 accuracy means one thing on Iris
    and another on digits. Iris, the default, adds nothing to the hash, so checks made before there were
    other datasets still match.
    """
    exercise = {key: value for key, value in design[FIELD].items() if key != "check"}
    sealed: dict = {"exercise": exercise, "locked": {part: part_value(design, part) for part in locked_parts(exercise)}}
    if design.get(DATASET, datasets.DEFAULT) != datasets.DEFAULT:
        sealed[DATASET] = design[DATASET]
    text = json.dumps(sealed, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:CHECK_LENGTH]


def make(
    design: dict,
    title: str,
    goal_list: Sequence[dict],
    task: str = "",
    locks: Sequence[str] = (),
    hide: Sequence[str] = (),
) -> dict:
    """``design`` with a new exercise, sealed over its parts as they are now (not validated)."""
    new = {key: value for key, value in design.items() if key != FIELD}
    exercise: dict = {"title": title}
    if task:
        exercise["task"] = task
    exercise["goals"] = [dict(goal) for goal in goal_list]
    if locks:
        exercise["locks"] = list(dict.fromkeys(locks))
    if hide:
        exercise["hide"] = list(dict.fromkeys(hide))
    new[FIELD] = exercise
    exercise["check"] = seal(new)
    return new


def without(design: dict) -> dict:
    """``design`` with no exercise: what a learner who leaves the exercise keeps."""
    return {key: value for key, value in design.items() if key != FIELD}


def code(design: dict) -> str:
    """The exercise's short code (the start of its check), for a learner's result and an instructor to compare."""
    return design[FIELD]["check"][:6]


@dataclass(frozen=True)
class Refusal:
    """A locked part an edit would change: the part and the sentence for the page."""

    part: str
    message: str


def refused_edit(before: dict, after: dict) -> list[Refusal]:
    """The locked parts of ``before``'s exercise that ``after`` changes (an edit that keeps the exercise).

    An edit that replaces or removes the exercise (the instructor's panel, or
    leaving the exercise) is not refused here: its new exercise is sealed afresh.
    """
    exercise = before.get(FIELD)
    if not exercise or after.get(FIELD) != exercise:
        return []
    refusals = [
        Refusal(part, f"The exercise locks {describe_part(part)}, so that change was not applied.")
        for part in locked_parts(exercise)
        if part_value(before, part) != part_value(after, part)
    ]
    if before.get(DATASET, datasets.DEFAULT) != after.get(DATASET, datasets.DEFAULT):
        title = datasets.of(before).title
        refusals.append(Refusal(DATASET, f"The exercise is set on {title}, so its dataset cannot change."))
    return refusals


def with_seed(design: dict, seed: int) -> dict:
    """What trains ``design`` with another seed: the design without its exercise (whose check covers a locked
    seed), the seed changed."""
    return {**without(design), "training": {**design.get("training", {}), "seed": seed}}
