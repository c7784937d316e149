"""Exercises: a task, goals and locks an instructor hands out inside a design.

An exercise is the design's optional ``exercise`` field::

    {"title": "Smaller and better",
     "task": "Reach 95 % test accuracy with at most 100 parameters.",
     "goals": [{"metric": "species.accuracy", "at_least": 0.95},
               {"metric": "params", "at_most": 100}],
     "locks": ["inputs", "heads", "training.seed"],
     "hide": ["page:code"],
     "check": "5d0c6a8e3b1f2a47"}

A goal is a metric (:data:`METRICS`: the design's ``params``, the run's
``epochs``, the total ``loss``, or a head's ``accuracy``, ``mae`` or ``loss``
as ``species.accuracy``) with a threshold, ``at_least`` or ``at_most``; with
``seeds`` K, training must reach it with each of the K seeds from the
design's own. A part (:func:`part_value`) is a section (``inputs``,
``layers``, ``heads``, ``training``), a training setting (``training.seed``),
one field of one layer or head (``layers.hidden_1.units``) or, for ``hide``
only, a page (``page:code``). A hidden part is locked too.

``check`` seals the exercise: a hash of the exercise and of the values of its
locked parts (:func:`seal`). A learner's edits keep it, as they cannot touch a
locked part (:func:`refused_edit`); a link whose locked parts or exercise were
edited by hand no longer matches it, and validation refuses it. It is a
teaching aid, not security: anyone can compute the hash.

Pure Python: no Streamlit, no TensorFlow.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from designer import kinds, network, spec
from designer.constraints import Interval
from designer.runs import LOSS, METRIC, Run, metric_name

FIELD = "exercise"
MAX_TITLE = 100
MAX_TASK = spec.MAX_EXERCISE_TASK
MAX_GOALS = 8
MAX_PARTS = 40
MAX_SEEDS = 10
CHECK_LENGTH = 16
PAGES = ("train", "model", "code")  # the pages an exercise may hide; the Design page always shows
PAGE_PREFIX = "page:"
SECTIONS = ("inputs", "layers", "heads", "training")
SECTION_WORDS = {"inputs": "the inputs", "layers": "the hidden layers", "heads": "the output heads"}
LAYER_FIELDS = tuple(sorted({"from"} | {f.name for kind in kinds.LAYERS.values() for f in kind.fields}))
HEAD_FIELDS = tuple(sorted({"from"} | {f.name for f in kinds.HEAD.fields}))
MISSING = "(no such node)"  # the value of a field lock whose node is gone
# Test metrics are float32: 57 of 60 right is 0.949999988, which must count as 95 %.
ROUNDING = 1e-6


def _percent(value: float) -> str:
    return f"{value * 100:.1f} %"


def _whole(value: float) -> str:
    return f"{int(value):,}"


@dataclass(frozen=True)
class Metric:
    """One kind of goal: what it measures, its threshold's rule, and how its figures are written."""

    name: str  # as a goal spells it after the head: "accuracy"; or the whole metric: "params"
    words: str  # "accuracy", "parameters"
    threshold: Interval
    show: Callable[[float], str]
    per_head: bool = False
    target_kind: str | None = None  # "species" or "measurement": the heads it applies to (None: any)
    trained: bool = True  # measured by training (False: by the design alone)
    show_threshold: Callable[[float], str] | None = None
    counted: bool = False  # a count, written "59 parameters ≤ 60" rather than "accuracy 96.7 % ≥ 95 %"

    def written(self, value: float, threshold: bool = False) -> str:
        """A figure as the page writes it: ``96.7 %``, ``0.155 cm``, ``59``; a threshold as given (``95 %``)."""
        if threshold and self.show_threshold:
            return self.show_threshold(value)
        return self.show(value)


METRICS = {
    metric.name: metric
    for metric in (
        Metric("params", "parameters", Interval(int, 0, None), _whole, trained=False, counted=True),
        Metric("epochs", "epochs", Interval(int, 1, 2000), _whole, counted=True),
        Metric(
            "accuracy",
            "accuracy",
            Interval(float, 0, 1),
            _percent,
            per_head=True,
            target_kind="species",
            show_threshold=lambda v: f"{v * 100:g} %",
        ),
        Metric(
            "mae",
            "mean absolute error",
            Interval(float, 0, None),
            lambda v: f"{v:.3f} cm",
            per_head=True,
            target_kind="measurement",
            show_threshold=lambda v: f"{v:g} cm",
        ),
        Metric(
            "loss", "loss", Interval(float, 0, None), lambda v: f"{v:.4f}", per_head=True, show_threshold="{:g}".format
        ),
    )
}
WHOLE_METRICS = ("params", "epochs", "loss")  # written without a head ("loss": the total)
OPERATORS = {"at_least": "≥", "at_most": "≤"}
GOAL_FIELDS = ("metric", "at_least", "at_most", "seeds")
EXERCISE_FIELDS = ("title", "task", "goals", "locks", "hide", "check")
METRIC_RULE = (
    "must be params, epochs, loss, or a head's accuracy, mae or loss written as head.metric (species.accuracy)"
)
SEEDS_RULE = Interval(int, 1, MAX_SEEDS)


# ------------------------------------------------------------------------------------------------ goals


@dataclass(frozen=True)
class Goal:
    """A goal read from the format: its head (or None), its metric, its threshold and direction, its seeds."""

    head: str | None
    metric: Metric
    operator: str  # "at_least" or "at_most"
    threshold: float
    seeds: int = 1

    @property
    def subject(self) -> str:
        """``species accuracy``, ``parameters``."""
        if self.head is None:
            return "total loss" if self.metric.name == "loss" else self.metric.words
        return f"{self.head} {self.metric.words}"

    def holds(self, value: float) -> bool:
        """Whether ``value`` reaches the threshold (allowing for float32's rounding)."""
        slack = 0 if self.metric.counted else ROUNDING * max(1.0, abs(self.threshold))  # counts are exact
        if self.operator == "at_least":
            return value >= self.threshold - slack
        return value <= self.threshold + slack

    def describe(self) -> str:
        """``species accuracy ≥ 95 %``, ``parameters ≤ 60``, with ``with 5 of 5 seeds`` for several seeds."""
        text = f"{self.subject} {OPERATORS[self.operator]} {self.metric.written(self.threshold, threshold=True)}"
        return text + (f" with {self.seeds} of {self.seeds} seeds" if self.seeds > 1 else "")


def split_metric(text: object) -> tuple[str | None, Metric] | None:
    """``"species.accuracy"`` as (``"species"``, accuracy); ``"params"`` as (None, params); None if neither."""
    if not isinstance(text, str) or len(text) > 60:
        return None
    if text in WHOLE_METRICS:
        return None, METRICS[text]
    head, dot, name = text.rpartition(".")
    metric = METRICS.get(name)
    if not dot or metric is None or not metric.per_head or not _NAME.fullmatch(head):
        return None
    return head, metric


_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")


def read_goal(entry: dict) -> Goal:
    """A goal of a valid exercise as a :class:`Goal`."""
    head, metric = split_metric(entry["metric"])
    operator = "at_least" if "at_least" in entry else "at_most"
    return Goal(head, metric, operator, entry[operator], entry.get("seeds", 1))


def goal_problems(entry: object) -> list[tuple[tuple, str, object]]:
    """What is wrong with one goal, as (path within the goal, requirement, value received)."""
    if not isinstance(entry, dict):
        return [((), 'must be an object such as {"metric": "species.accuracy", "at_least": 0.95}', entry)]
    found = [((key,), f"is not a field of a goal (allowed: {', '.join(GOAL_FIELDS)})", entry[key])
             for key in entry if key not in GOAL_FIELDS]  # fmt: skip
    split = split_metric(entry.get("metric"))
    if split is None:
        return [*found, (("metric",), METRIC_RULE, entry.get("metric"))]
    metric = split[1]
    given = [key for key in OPERATORS if key in entry]
    if len(given) != 1:
        found.append(((), "must have one threshold, at_least or at_most", {k: entry[k] for k in given} or None))
    else:
        value = entry[given[0]]
        if not metric.threshold.is_valid(value):
            hint = " (0.95 for 95 %)" if metric.name == "accuracy" else ""
            found.append(((given[0],), metric.threshold.requirement + hint, value))
    if "seeds" in entry:
        if not metric.trained or metric.name == "epochs":
            found.append((("seeds",), f"applies only to a metric training measures, not {metric.name}", entry["seeds"]))
        elif not SEEDS_RULE.is_valid(entry["seeds"]):
            found.append((("seeds",), SEEDS_RULE.requirement, entry["seeds"]))
    return found


GOAL_TEXT = re.compile(
    r"\s*(?P<metric>[A-Za-z][A-Za-z0-9_.]*)\s*(?P<operator>>=|<=|≥|≤)\s*"
    r"(?P<value>[+-]?(?:\d{1,12}(?:\.\d{0,12})?|\.\d{1,12})(?:[eE][+-]?\d{1,3})?)\s*(?P<percent>%?)"
    r"(?:\s+with\s+(?P<seeds>\d{1,3})\s+seeds?)?\s*"
)


class GoalTextError(ValueError):
    """A goal written as text that cannot be read; the message says what was received."""


def parse_goal(text: str) -> dict:
    """A goal written as text, ``species.accuracy>=0.95`` or ``params<=60`` or
    ``species.accuracy>=0.93 with 5 seeds``, as the format's goal object (checked as validation checks it)."""
    match = GOAL_TEXT.fullmatch(text) if isinstance(text, str) and len(text) <= 200 else None
    if match is None:
        raise GoalTextError(
            "a goal must be a metric, >= or <=, and a number, such as species.accuracy>=0.95 or params<=60 "
            f'(add "with 5 seeds" to ask for several seeds). Received: {json.dumps(str(text)[:80])}'
        )
    value = float(match["value"]) / (100 if match["percent"] else 1)
    if value.is_integer() and not re.search(r"[.eE%]", match["value"] + match["percent"]):
        value = int(value)  # written as a whole number: kept one, as JSON and the threshold's rule have it
    operator = "at_least" if match["operator"] in (">=", "≥") else "at_most"
    goal: dict = {"metric": match["metric"], operator: value}
    if match["seeds"]:
        goal["seeds"] = int(match["seeds"])
    if found := goal_problems(goal):
        path, requirement, received = found[0]
        where = ".".join(map(str, path)) or "the goal"
        raise GoalTextError(f"{where} {requirement}. Received: {json.dumps(received)} in {json.dumps(text[:80])}")
    return goal


def goal_text(goal: dict) -> str:
    """A goal object as :func:`parse_goal` reads it: the inverse, for the command line and the page."""
    operator = "at_least" if "at_least" in goal else "at_most"
    text = f"{goal['metric']}{'>=' if operator == 'at_least' else '<='}{json.dumps(goal[operator])}"
    return text + (f" with {goal['seeds']} seeds" if goal.get("seeds", 1) > 1 else "")


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


def needs_training(exercise: dict) -> bool:
    """Whether any goal of a (valid) exercise is measured by training."""
    return any(read_goal(entry).metric.trained for entry in exercise["goals"])


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
    """The check of the design's exercise: a hash of the exercise (without its check) and its locked parts' values."""
    exercise = {key: value for key, value in design[FIELD].items() if key != "check"}
    locked = {part: part_value(design, part) for part in locked_parts(exercise)}
    text = json.dumps({"exercise": exercise, "locked": locked}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:CHECK_LENGTH]


def make(
    design: dict,
    title: str,
    goals: Sequence[dict],
    task: str = "",
    locks: Sequence[str] = (),
    hide: Sequence[str] = (),
) -> dict:
    """``design`` with a new exercise, sealed over its parts as they are now (not validated)."""
    new = {key: value for key, value in design.items() if key != FIELD}
    exercise: dict = {"title": title}
    if task:
        exercise["task"] = task
    exercise["goals"] = [dict(goal) for goal in goals]
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
    return [
        Refusal(part, f"The exercise locks {describe_part(part)}, so that change was not applied.")
        for part in locked_parts(exercise)
        if part_value(before, part) != part_value(after, part)
    ]


# ------------------------------------------------------------------------------------------- progress


@dataclass(frozen=True)
class GoalState:
    """How far a goal is: met (True), not met (False) or not known yet (None), and the figures in words."""

    goal: Goal
    met: bool | None
    figures: str  # "species accuracy 96.7 % ≥ 95 %", or what is missing


def seeds_of(design: dict, goal: Goal) -> list[int]:
    """The seeds a goal is trained with: the design's own, then the next ones."""
    first = spec.training_settings(design)["seed"]
    return [(first + i) % (spec.MAX_SEED + 1) for i in range(goal.seeds)]


def with_seed(design: dict, seed: int) -> dict:
    """What trains ``design`` with another seed: the design without its exercise (whose check covers a locked
    seed), the seed changed."""
    return {**without(design), "training": {**design.get("training", {}), "seed": seed}}


def same_design(one: dict, other: dict) -> bool:
    """Whether two designs train alike: the same but for their exercises, a default left out or written out."""
    return _trained_part(one) == _trained_part(other)


def _trained_part(design: dict) -> dict:
    return {**without(design), "training": spec.training_settings(design)}


def latest_run(design: dict, runs: Sequence[Run]) -> Run | None:
    """The latest run of ``design`` (:func:`same_design`) that trained and has test metrics (a Reset does not count)."""
    return next(
        (run for run in reversed(runs) if run.test and run.epochs_done and same_design(run.design, design)), None
    )


def progress(design: dict, total_params: int, runs: Sequence[Run]) -> list[GoalState]:
    """Each goal of the design's exercise, judged on the design (parameters) and its latest runs (metrics)."""
    return [_state(design, read_goal(entry), total_params, runs) for entry in design[FIELD]["goals"]]


def _state(design: dict, goal: Goal, total_params: int, runs: Sequence[Run]) -> GoalState:
    if goal.metric.name == "params":
        return _judged(goal, total_params)
    if goal.seeds > 1:
        return _seeds_state(design, goal, runs)
    run = latest_run(design, runs)
    if goal.metric.name == "epochs":
        epochs = run.epochs_done if run else spec.training_settings(design)["epochs"]
        return _judged(goal, epochs, "" if run else " (the design's setting; train to confirm)", known=run is not None)
    if run is None:
        return GoalState(goal, None, f"{goal.describe()}: train the design on screen to see")
    value, why = run_figure(goal, run)
    return GoalState(goal, None, f"{goal.describe()}: {why}") if value is None else _judged(goal, value)


def _judged(goal: Goal, value: float, note: str = "", known: bool = True) -> GoalState:
    met = goal.holds(value)
    sign = OPERATORS[goal.operator] if met else _opposite(goal.operator)
    threshold = goal.metric.written(goal.threshold, threshold=True)
    if goal.metric.counted:  # "59 parameters ≤ 60"
        figures = f"{goal.metric.written(value)} {goal.subject} {sign} {threshold}{note}"
    else:  # "species accuracy 96.7 % ≥ 95 %"
        figures = f"{goal.subject} {goal.metric.written(value)} {sign} {threshold}{note}"
    return GoalState(goal, met if known else (False if not met else None), figures)


def _opposite(operator: str) -> str:
    return "<" if operator == "at_least" else ">"


def run_figure(goal: Goal, run: Run) -> tuple[float | None, str]:
    """The goal's figure in a run's test metrics, or None and why it has none (no such head, another kind)."""
    if goal.metric.name == "epochs":
        return float(run.epochs_done), ""
    if goal.head is None:
        return run.test.get(metric_name(run.heads)), ""
    head = next((h for h in run.heads if h.name == goal.head), None)
    if head is None:
        return None, f"the design has no head named {goal.head}"
    if goal.metric.name != "loss" and head.metric != goal.metric.name:
        kind = "species" if goal.metric.target_kind == "species" else "measurement"
        return None, f"{goal.head} must be a {kind} head to have a {goal.metric.words}"
    quantity = LOSS if goal.metric.name == "loss" else METRIC
    value = run.test.get(metric_name(run.heads, head, quantity))
    return (None, "its run has no such figure") if value is None else (float(value), "")


def _seeds_state(design: dict, goal: Goal, runs: Sequence[Run]) -> GoalState:
    seeds = seeds_of(design, goal)
    values = []
    for run in (latest_run(with_seed(design, seed), runs) for seed in seeds):
        if run is not None:
            value, why = run_figure(goal, run)
            if value is None:
                return GoalState(goal, None, f"{goal.describe()}: {why}")
            values.append(value)
    reached = sum(goal.holds(v) for v in values)
    figures = f"{goal.describe()}: {len(values)} of {goal.seeds} seeds trained ({seeds[0]} to {seeds[-1]})"
    if values:
        lowest = goal.operator == "at_least"
        worst = min(values) if lowest else max(values)
        figures += f", {reached} reach it; the {'lowest' if lowest else 'highest'} {goal.metric.written(worst)}"
    if reached < len(values):
        return GoalState(goal, False, figures)
    return GoalState(goal, True if len(values) == goal.seeds else None, figures)


def verdict(states: Sequence[GoalState]) -> str | None:
    """``Goal met: species accuracy 96.7 % ≥ 95 % with 59 parameters ≤ 60`` once every goal is met; else None."""
    if not states or not all(state.met for state in states):
        return None
    figures = [state.figures for state in states]
    joined = figures[0] + (" with " + " and ".join(figures[1:]) if len(figures) > 1 else "")
    return f"Goal met: {joined}"


# ------------------------------------------------------------------------------------------- result links


def claims(design: dict, runs: Sequence[Run]) -> dict:
    """The figures a result link carries: for each run the goals use, its seed, epochs and test metrics."""
    wanted: dict[int, Run] = {}
    for entry in design[FIELD]["goals"]:
        goal = read_goal(entry)
        if not goal.metric.trained:
            continue
        for seed in seeds_of(design, goal):
            run = latest_run(with_seed(design, seed), runs)
            if run is not None and reproducible(design, run):
                wanted[seed] = run
    return {
        "runs": [
            {"seed": seed, "epochs": run.epochs_done, "test": {k: float(v) for k, v in sorted(run.test.items())}}
            for seed, run in wanted.items()
        ]
    }


def reproducible(design: dict, run: Run) -> bool:
    """Whether training again reproduces ``run`` (:func:`retrain_epochs`), so that a result link may claim it.

    Without early stopping any run is as many epochs trained in one go (steps
    and Stop included). With it, only a whole run is: one that ran the design's
    epochs or that early stopping ended (and that restored its best epoch).
    """
    from designer.workers import FINISHED, STOPPED_EARLY  # here: workers imports validation, which imports this

    settings = spec.training_settings(design)
    if run.epochs_done > spec.TRAINING["epochs"].constraint.high:
        return False
    if settings["early_stopping_patience"] is None:
        return True
    return run.status == STOPPED_EARLY or (run.status == FINISHED and run.epochs_done == settings["epochs"])


CLAIM_TOLERANCE = 1e-4  # a re-trained figure this close to the claimed one confirms it (the export's tolerance)
MAX_CLAIMED_RUNS = MAX_SEEDS


def claim_problems(result: object) -> list[str]:
    """What is wrong with a result link's claims, each naming the field and the value (empty: they can be read)."""
    if not isinstance(result, dict) or set(result) != {"runs"} or not isinstance(result["runs"], list):
        return [f'a result must be {{"runs": [...]}}, got {_short(result)}']
    runs = result["runs"]
    if not 1 <= len(runs) <= MAX_CLAIMED_RUNS:
        return [f"result.runs must hold 1 to {MAX_CLAIMED_RUNS} runs, got {len(runs)}"]
    found = []
    for i, run in enumerate(runs):
        where = f"result.runs[{i}]"
        if not isinstance(run, dict) or set(run) != {"seed", "epochs", "test"}:
            found.append(f"{where} must hold seed, epochs and test, got {_short(run)}")
            continue
        if not spec.TRAINING["seed"].constraint.is_valid(run["seed"]):
            found.append(f"{where}.seed {spec.TRAINING['seed'].constraint.requirement}, got {_short(run['seed'])}")
        if not spec.TRAINING["epochs"].constraint.is_valid(run["epochs"]):
            rule = spec.TRAINING["epochs"].constraint.requirement
            found.append(f"{where}.epochs {rule}, got {_short(run['epochs'])}")
        test = run["test"]
        if not isinstance(test, dict) or not 0 < len(test) <= 64:
            found.append(f"{where}.test must be an object of 1 to 64 metrics, got {_short(test)}")
            continue
        for name, value in test.items():
            if not (_NAME.fullmatch(name) and isinstance(value, (int, float)) and not isinstance(value, bool)
                    and math.isfinite(value)):  # fmt: skip
                found.append(f"{where}.test must map metric names to numbers, got {_short({name: value})}")
                break
    return found


def _short(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, default=repr)
    return text if len(text) <= 60 else text[:57] + "..."


def retrain_epochs(design: dict, claim: dict) -> int | None:
    """The epochs to train a claimed run again with, as a worker's request takes them.

    With early stopping, None: the design's own run, which stops and restores
    as the claimed one did (only such runs are claimed, :func:`reproducible`).
    Otherwise the claimed number, trained in one go.
    """
    patience = spec.training_settings(design)["early_stopping_patience"]
    return None if patience is not None else claim["epochs"]


@dataclass(frozen=True)
class Confirmation:
    """A claimed run against its training again: confirmed (True), not (False) or not trained yet (None)."""

    seed: int
    epochs: int
    confirmed: bool | None
    difference: float | None = None  # the largest difference of a test metric
    retrained_epochs: int | None = None

    def describe(self) -> str:
        """``confirmed by re-training (largest difference 3e-08)``, or why not."""
        if self.confirmed is None:
            return "claimed, not re-trained yet"
        if self.retrained_epochs != self.epochs:
            return f"not confirmed: re-training ran {self.retrained_epochs} epochs, not the {self.epochs} claimed"
        if self.confirmed:
            return f"confirmed by re-training (largest difference {self.difference:.1g})"
        return f"not confirmed: re-training differs by up to {self.difference:.4f}"


def confirm(design: dict, result: dict, runs: Sequence[Run]) -> list[Confirmation]:
    """Each claimed run against the session's latest run of the design with its seed (None until there is one)."""
    found = []
    for claim in result["runs"]:
        run = latest_run(with_seed(design, claim["seed"]), runs)
        if run is None:
            found.append(Confirmation(claim["seed"], claim["epochs"], None))
            continue
        names = set(claim["test"]) | set(run.test)
        difference = max(abs(claim["test"].get(n, math.inf) - run.test.get(n, -math.inf)) for n in names)
        same = difference <= CLAIM_TOLERANCE and run.epochs_done == claim["epochs"]
        found.append(Confirmation(claim["seed"], claim["epochs"], same, difference, run.epochs_done))
    return found
