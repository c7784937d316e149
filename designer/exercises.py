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

from designer import datasets, goals, kinds, network, spec

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
