"""What training a design will cost, estimated from its size before it trains (pure Python).

A run's time in its worker is, in the model below:

- **tracing**: a network's first chunk in a worker traces its training
  function: a fixed part, a part per layer (each layer's forward and
  backward ops and its optimizer update) and a small part per parameter (the
  first touch of the weights and the optimizer's moments);
- **every batch step**: a fixed overhead and one per layer (TensorFlow runs
  each op, however small), the optimizer's update of every parameter, and the
  forward and backward passes, whose arithmetic grows with the batch's rows
  times the parameters: so a larger batch size, with fewer steps, trains an
  epoch faster;
- **every epoch**: the validation pass (a forward pass over the validation
  rows), and early stopping's copy of the weights.

The constants were fitted with ``benchmarks/cost_accuracy.py`` (the presets
and eight large designs trained in a worker, one thread, niced) on the
project's 2-core machine while a test run kept it busy (load 2.3 to 2.6; the
worker had 0.95 of a CPU or more): 0.73 to 1.35 times the measured time on
those runs. The estimate is meant to be within 2× either way, not exact. Training holds about 26
bytes per parameter beside the worker's own 700 MB (the weights, their
gradients, the optimizer's moments, the best weights kept for early stopping,
and TensorFlow's buffers).

Each run has a budget of training time (:func:`run_seconds`); a run whose
estimate is over it is refused before it is queued (:func:`over_budget`), in
the page's words, saying what to change first.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from designer import datasets, exercises, spec
from designer.network import resolve
from designer.params import summarize
from designer.validation import split_sizes

TRACE_SECONDS = 0.15  # tracing a network's training function: a fixed part...
TRACE_SECONDS_PER_LAYER = 0.09  # ...a part per layer or head...
TRACE_SECONDS_PER_PARAMETER = 20e-9  # ...and the first touch of its weights and the optimizer's moments
STEP_SECONDS = 70e-6  # a batch step of a tiny network
STEP_SECONDS_PER_LAYER = 30e-6  # each layer's ops at every step
SECONDS_PER_PARAMETER_STEP = 2e-9  # the optimizer's update, and the gradients' small-batch overheads
SECONDS_PER_PARAMETER_ROW = 0.1e-9  # the forward and backward arithmetic, per training row
SECONDS_PER_PARAMETER_VALIDATION_ROW = 0.035e-9  # a forward pass only, per validation row
EPOCH_SECONDS = 0.2e-3  # shuffling, the validation pass's fixed part, early stopping's checks
SECONDS_PER_PARAMETER_EPOCH = 0.5e-9  # early stopping's copy of the best weights
BYTES_PER_PARAMETER = 26
SLOW_EPOCH_SECONDS = 2.0  # past this, the page says how long a run will take
LARGE_MEMORY_MB = 300  # past this, the page says how much memory it takes
RUN_SECONDS = 60.0  # each run's budget of training time, unless DESIGNER_RUN_SECONDS says otherwise


def run_seconds() -> float:
    """Each run's budget of training time in a worker: ``DESIGNER_RUN_SECONDS``, 60 s by default."""
    return float(os.environ.get("DESIGNER_RUN_SECONDS") or RUN_SECONDS)


@dataclass(frozen=True)
class Size:
    """What a design's training time depends on: its parameters, its layers and heads, and its rows."""

    parameters: int
    layers: int  # layers and heads that reach a head
    train_rows: int
    validation_rows: int

    def tracing_seconds(self) -> float:
        """Tracing the training function, in a network's first chunk in a worker."""
        return TRACE_SECONDS + TRACE_SECONDS_PER_LAYER * self.layers + TRACE_SECONDS_PER_PARAMETER * self.parameters

    def epoch_seconds(self, batch_size: int) -> float:
        """One epoch: every batch step, then the validation pass and early stopping's bookkeeping."""
        steps = math.ceil(self.train_rows / batch_size)
        per_step = STEP_SECONDS + STEP_SECONDS_PER_LAYER * self.layers + SECONDS_PER_PARAMETER_STEP * self.parameters
        arithmetic = self.parameters * (
            SECONDS_PER_PARAMETER_ROW * self.train_rows
            + SECONDS_PER_PARAMETER_VALIDATION_ROW * self.validation_rows
            + SECONDS_PER_PARAMETER_EPOCH
        )
        return steps * per_step + arithmetic + EPOCH_SECONDS

    def seconds(self, epochs: int, batch_size: int) -> float:
        """A run of ``epochs`` epochs in a worker that has not traced the network yet."""
        return self.tracing_seconds() + epochs * self.epoch_seconds(batch_size)

    def most_epochs(self, budget: float, batch_size: int) -> int:
        """The most epochs that fit in ``budget`` seconds at ``batch_size`` (0: not even one)."""
        return max(0, math.floor((budget - self.tracing_seconds()) / self.epoch_seconds(batch_size)))

    def least_batch_size(self, budget: float, epochs: int, largest: int) -> int | None:
        """The smallest batch size up to ``largest`` with which ``epochs`` epochs fit in ``budget`` (None: none)."""
        if self.seconds(epochs, largest) > budget:
            return None
        low, high = 1, largest  # the time falls as the batch size grows: bisect for the first that fits
        while low < high:
            middle = (low + high) // 2
            low, high = (low, middle) if self.seconds(epochs, middle) <= budget else (middle + 1, high)
        return low


@dataclass(frozen=True)
class Cost:
    """A design's size and what one run of it will roughly take."""

    parameters: int
    seconds_per_epoch: float
    tracing_seconds: float  # the first chunk of a network new to its worker
    epochs: int  # the design's
    megabytes: float  # on top of a worker's own memory

    @property
    def seconds(self) -> float:
        """A run of the design's epochs, tracing included."""
        return self.tracing_seconds + self.epochs * self.seconds_per_epoch

    @property
    def heavy(self) -> bool:
        return self.seconds_per_epoch > SLOW_EPOCH_SECONDS or self.megabytes > LARGE_MEMORY_MB


def size(design: dict) -> Size:
    """What a valid design's training time depends on."""
    settings = spec.training_settings(design)
    summary = summarize(design)
    train, validation, _ = split_sizes(datasets.of(design).rows, settings["test_size"], settings["validation_split"])
    layers = sum(1 for row in summary.rows if row.kind != "input")
    return Size(summary.total, layers, train, validation)


def estimate(design: dict) -> Cost:
    """The cost of training a valid design with its settings."""
    settings = spec.training_settings(design)
    found = size(design)
    return Cost(
        parameters=found.parameters,
        seconds_per_epoch=found.epoch_seconds(settings["batch_size"]),
        tracing_seconds=found.tracing_seconds(),
        epochs=settings["epochs"],
        megabytes=found.parameters * BYTES_PER_PARAMETER / 2**20,
    )


def over_budget(design: dict, budget: float, epochs: int | None = None) -> str | None:
    """Why a run of a valid design would not fit in ``budget`` seconds of training, in the page's words; None
    if it fits.

    A run trains the design's epochs and says what to change first: fewer
    epochs, then a larger batch size (fewer steps), then fewer units, leaving
    out what the design's exercise locks. A step (``epochs`` more epochs of
    the same run) has nothing to change: it only says so.
    """
    settings = spec.training_settings(design)
    found = size(design)
    batch = settings["batch_size"]
    if epochs is not None:
        seconds = found.seconds(epochs, batch)
        if seconds <= budget:
            return None
        more = f"{epochs} more epoch{'s' if epochs != 1 else ''}"
        return f"{more} would take about {seconds_text(seconds)} s of training; {_limit(budget)}"
    seconds = found.seconds(settings["epochs"], batch)
    if seconds <= budget:
        return None
    advice = _advice(design, found, budget)
    return f"This run would take about {seconds_text(seconds)} s of training; {_limit(budget)} {advice}"


def _advice(design: dict, found: Size, budget: float) -> str:
    """What to change first so that a run fits in ``budget``, among the fields the exercise leaves free."""
    settings = spec.training_settings(design)
    epochs, batch = settings["epochs"], settings["batch_size"]
    largest = min(found.train_rows, int(spec.TRAINING["batch_size"].constraint.high))
    free = {
        "epochs": not exercises.lock_reason(design, "training.epochs"),
        "batch": not exercises.lock_reason(design, "training.batch_size") and batch < largest,
        "units": _units_free(design),
    }
    most = found.most_epochs(budget, batch)
    if free["epochs"] and most >= 1:
        return _with_others(f"Lower the epochs to {most:,} or fewer", free, "batch", "units")
    least = found.least_batch_size(budget, epochs, largest) if free["batch"] else None
    if least is not None:
        return _with_others(f"Raise the batch size to {least:,} or more", free, "units")
    both = found.most_epochs(budget, largest) if free["epochs"] and free["batch"] else 0
    if both >= 1:
        change = f"Raise the batch size to {largest:,} and lower the epochs to {both:,} or fewer"
        return _with_others(change, free, "units")
    if free["units"]:
        return "Use fewer units, or fewer layers."
    return "This exercise's locks leave nothing to change that would fit it: ask your instructor."


OTHERS = {"batch": "raise the batch size", "units": "use fewer units"}


def _with_others(first: str, free: dict[str, bool], *others: str) -> str:
    """The advice, then the other changes that would help too, in brackets."""
    alternatives = [OTHERS[name] for name in others if free[name]]
    return first + (f" (or {', or '.join(alternatives)})" if alternatives else "") + "."


def _units_free(design: dict) -> bool:
    """Whether the learner may narrow a layer: one with units that the exercise does not lock."""
    return any(
        "units" in node.spec.field_names and not exercises.lock_reason(design, f"layers.{node.name}.units")
        for node in resolve(design).layers
    )


def _limit(budget: float) -> str:
    return f"one run may use at most {seconds_text(budget)} s here."


def seconds_text(seconds: float) -> str:
    """Seconds as the page writes them: whole ones with thousands separated, tenths below 10."""
    return f"{seconds:,.0f}" if seconds >= 10 else f"{seconds:.2g}"
