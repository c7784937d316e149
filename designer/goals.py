"""An exercise's goals: the metrics a goal can name, its threshold's rule, and goals written as text.

A goal is a metric (:data:`METRICS`: the design's ``params``, the run's
``epochs``, the total ``loss``, or a head's ``accuracy``, ``mae`` or ``loss``
written ``species.accuracy``) with a threshold, ``at_least`` or ``at_most``;
with ``seeds`` K, training must reach it with each of the K seeds from the
design's own::

    {"metric": "species.accuracy", "at_least": 0.93, "seeds": 5}

which the command line and the instructor's panel write as
``species.accuracy>=0.93 with 5 seeds`` (:func:`parse_goal`, :func:`goal_text`).
How far a goal is, from the session's runs, is :mod:`designer.results`.

Pure Python: no Streamlit, no TensorFlow.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from designer.constraints import Interval

MAX_SEEDS = 10
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
    if not dot or metric is None or not metric.per_head or not NAME.fullmatch(head):
        return None
    return head, metric


NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")


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
