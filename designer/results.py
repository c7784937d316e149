"""How far an exercise's goals are, judged on the design and the session's runs, and what a result link claims.

:func:`progress` judges each goal on the design (its parameters) and on the
latest run of the design on screen (its test metrics; a goal over several
seeds, on the latest run with each seed). :func:`claims` is what a learner
hands back: the seed, epochs and test metrics of the runs the goals use, for
runs that training again reproduces (:func:`reproducible`); :func:`confirm`
holds them against the session's own runs of the same design and seeds,
trained again under the exercise's locks (:func:`retrain_epochs`), and refuses
a claim that contradicts them or its goals (:func:`claim_conflict`) untrained.

Pure Python: no Streamlit, no TensorFlow.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from designer import parsing, spec
from designer.exercises import FIELD, lock_reason, with_seed, without
from designer.goals import MAX_SEEDS, NAME, OPERATORS, Goal, read_goal
from designer.runs import LOSS, METRIC, Run, metric_name


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
    if run is not None and (why := locked_epochs_conflict(design, run.epochs_done)):
        return GoalState(goal, False, f"{goal.describe()}: its run trained {run.epochs_done} epochs, but {why}")
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
        article = "an" if goal.metric.words[0] in "aeiou" else "a"
        return None, f"{goal.head} must be a {kind} head to have {article} {goal.metric.words}"
    quantity = LOSS if goal.metric.name == "loss" else METRIC
    value = run.test.get(metric_name(run.heads, head, quantity))
    return (None, "its run has no such figure") if value is None else (float(value), "")


def _seeds_state(design: dict, goal: Goal, runs: Sequence[Run]) -> GoalState:
    seeds = seeds_of(design, goal)
    values = []
    for seed, run in ((seed, latest_run(with_seed(design, seed), runs)) for seed in seeds):
        if run is not None:
            if conflict := locked_epochs_conflict(design, run.epochs_done):
                said = f"the run with seed {seed} trained {run.epochs_done} epochs"
                return GoalState(goal, False, f"{goal.describe()}: {said}, but {conflict}")
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
    found = []
    for seed in trained_seeds(design):
        run = latest_run(with_seed(design, seed), runs)
        if run is None or not reproducible(design, run):
            continue
        claim = {"seed": seed, "epochs": run.epochs_done, "test": {k: float(v) for k, v in sorted(run.test.items())}}
        if claim_conflict(design, claim) is None:  # else checking it would only refuse it
            found.append(claim)
    return {"runs": found}


def trained_seeds(design: dict) -> list[int]:
    """The seeds the goals measured by training use, in order: the design's own, then a series' next ones."""
    seeds: dict[int, None] = {}
    for entry in design[FIELD]["goals"]:
        goal = read_goal(entry)
        if goal.metric.trained:
            seeds.update(dict.fromkeys(seeds_of(design, goal)))
    return list(seeds)


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
        return [f'a result must be {{"runs": [...]}}, got {parsing.show(result)}']
    runs = result["runs"]
    if not 1 <= len(runs) <= MAX_CLAIMED_RUNS:
        return [f"result.runs must hold 1 to {MAX_CLAIMED_RUNS} runs, got {len(runs)}"]
    found = []
    for i, run in enumerate(runs):
        where = f"result.runs[{i}]"
        if not isinstance(run, dict) or set(run) != {"seed", "epochs", "test"}:
            found.append(f"{where} must hold seed, epochs and test, got {parsing.show(run)}")
            continue
        if not spec.TRAINING["seed"].constraint.is_valid(run["seed"]):
            rule = spec.TRAINING["seed"].constraint.requirement
            found.append(f"{where}.seed {rule}, got {parsing.show(run['seed'])}")
        if not spec.TRAINING["epochs"].constraint.is_valid(run["epochs"]):
            rule = spec.TRAINING["epochs"].constraint.requirement
            found.append(f"{where}.epochs {rule}, got {parsing.show(run['epochs'])}")
        test = run["test"]
        if not isinstance(test, dict) or not 0 < len(test) <= 64:
            found.append(f"{where}.test must be an object of 1 to 64 metrics, got {parsing.show(test)}")
            continue
        for name, value in test.items():
            if not (NAME.fullmatch(name) and isinstance(value, (int, float)) and not isinstance(value, bool)
                    and math.isfinite(value)):  # fmt: skip
                found.append(f"{where}.test must map metric names to numbers, got {parsing.show({name: value})}")
                break
    return found


def epochs_locked(design: dict) -> bool:
    """Whether the design's exercise locks (or hides) the epochs, alone or with the training settings."""
    return lock_reason(design, "training.epochs") is not None


def locked_epochs_conflict(design: dict, epochs: int) -> str | None:
    """Why a run of ``epochs`` epochs is not one the exercise's epochs lock allows (None: it is, or none is set).

    Locked at N, a run trains N epochs; with early stopping, at most N.
    """
    if not epochs_locked(design):
        return None
    settings = spec.training_settings(design)
    locked = settings["epochs"]
    if epochs == locked or (settings["early_stopping_patience"] is not None and epochs < locked):
        return None
    return f"the exercise locks training at {locked} epochs"


def claim_conflict(design: dict, claim: dict, earlier: Sequence[dict] = ()) -> str | None:
    """Why a (readable) claimed run contradicts the exercise, before anything trains; None if it does not.

    A claim names a seed and a number of epochs; the exercise fixes both: the
    seeds are those its goals train with (the design's, locked or not, and a
    series' next ones), the epochs are the locked ones (:func:`locked_epochs_conflict`),
    at most the design's with early stopping, and at most an ``epochs<=`` goal's
    on the seed that goal is judged on. The other settings (batch size,
    learning rate...) are the design's own, which the exercise's check holds to
    its locks: a claim cannot say otherwise. ``earlier``: the claims before it
    in the same result (a seed is claimed once).
    """
    seed, epochs = claim["seed"], claim["epochs"]
    seeds = trained_seeds(design)
    if seed not in seeds:
        own = spec.training_settings(design)["seed"]
        if lock_reason(design, "training.seed") is not None:
            also = f" (its goals train with {_seeds_text(seeds)})" if len(seeds) > 1 else ""
            return f"the claim says seed {seed}, but the exercise locks the seed at {own}{also}"
        if not seeds:
            return f"the claim says seed {seed}, but no goal of the exercise is measured by training"
        return f"the claim says seed {seed}, but the exercise's goals train with {_seeds_text(seeds)}"
    if any(other["seed"] == seed for other in earlier):
        return f"the claim says seed {seed} a second time"
    said = f"the claim says {epochs} epochs"
    if why := locked_epochs_conflict(design, epochs):
        return f"{said}, but {why}"
    settings = spec.training_settings(design)
    if settings["early_stopping_patience"] is not None and epochs > settings["epochs"]:
        return f"{said}, but with early stopping the design trains at most {settings['epochs']} epochs"
    for entry in design[FIELD]["goals"]:
        goal = read_goal(entry)
        at_most = goal.metric.name == "epochs" and goal.operator == "at_most"
        if at_most and seed in seeds_of(design, goal) and not goal.holds(epochs):
            return f"{said}, but the exercise's goal is {goal.describe()}"
    return None


def claim_conflicts(design: dict, result: dict) -> list[str | None]:
    """:func:`claim_conflict` for each claimed run of a (readable) result, in order."""
    claimed = result["runs"]
    return [claim_conflict(design, claim, claimed[:i]) for i, claim in enumerate(claimed)]


def _seeds_text(seeds: Sequence[int]) -> str:
    if len(seeds) == 1:
        return f"seed {seeds[0]}"
    return f"seeds {seeds[0]} to {seeds[-1]}"


def retrain_epochs(design: dict, claim: dict) -> int | None:
    """The epochs to train a claimed run again with, as a worker's request takes them, under the exercise's locks.

    With early stopping, None: the design's own run, which stops and restores
    as the claimed one did (only such runs are claimed, :func:`reproducible`).
    Otherwise the locked epochs if the exercise locks them, else the claimed
    number, trained in one go. Only a claim without :func:`claim_conflict` is
    trained again: with the epochs locked, the claimed number is the locked one.
    """
    settings = spec.training_settings(design)
    if settings["early_stopping_patience"] is not None:
        return None
    return settings["epochs"] if epochs_locked(design) else claim["epochs"]


@dataclass(frozen=True)
class Confirmation:
    """A claimed run against its training again: confirmed (True), not (False) or not trained yet (None)."""

    seed: int
    epochs: int
    confirmed: bool | None
    difference: float | None = None  # the largest difference of a test metric
    retrained_epochs: int | None = None
    refused: str | None = None  # why the claim contradicts the exercise (:func:`claim_conflict`): not re-trained

    def describe(self) -> str:
        """``confirmed by re-training (largest difference 3e-08)``, or why not."""
        if self.refused is not None:
            return f"refused, not re-trained: {self.refused}"
        if self.confirmed is None:
            return "claimed, not re-trained yet"
        if self.retrained_epochs != self.epochs:
            return f"not confirmed: re-training ran {self.retrained_epochs} epochs, not the {self.epochs} claimed"
        if self.confirmed:
            return f"confirmed by re-training (largest difference {self.difference:.1g})"
        return f"not confirmed: re-training differs by up to {self.difference:.4f}"


def confirm(design: dict, result: dict, runs: Sequence[Run]) -> list[Confirmation]:
    """Each claimed run against the session's latest run of the design with its seed (None until there is one);
    a claim that contradicts the exercise (:func:`claim_conflict`) is refused, whatever the runs."""
    found = []
    for claim, conflict in zip(result["runs"], claim_conflicts(design, result), strict=True):
        if conflict is not None:
            found.append(Confirmation(claim["seed"], claim["epochs"], False, refused=conflict))
            continue
        run = latest_run(with_seed(design, claim["seed"]), runs)
        if run is None:
            found.append(Confirmation(claim["seed"], claim["epochs"], None))
            continue
        names = set(claim["test"]) | set(run.test)
        difference = max(abs(claim["test"].get(n, math.inf) - run.test.get(n, -math.inf)) for n in names)
        same = difference <= CLAIM_TOLERANCE and run.epochs_done == claim["epochs"]
        found.append(Confirmation(claim["seed"], claim["epochs"], same, difference, run.epochs_done))
    return found
