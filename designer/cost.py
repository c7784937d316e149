"""What training a design will cost, estimated from its size before it trains (pure Python).

The figures were measured on the project's 2-core machine, one thread per
worker: a batch step costs about 2.5 ns per parameter (forward, backward and
the optimizer's update), and training holds about 26 bytes per parameter
beside the worker's own 700 MB (the weights, their gradients, the optimizer's
moments, the best weights kept for early stopping, and TensorFlow's buffers).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from designer import datasets, spec
from designer.params import summarize

SECONDS_PER_PARAMETER_STEP = 2.5e-9
STEP_OVERHEAD_SECONDS = 60e-6  # a step of a tiny network
BYTES_PER_PARAMETER = 26
SLOW_EPOCH_SECONDS = 2.0  # past this, the page says how long a run will take
LARGE_MEMORY_MB = 300  # past this, the page says how much memory it takes


@dataclass(frozen=True)
class Cost:
    """A design's size and what one run of it will roughly take."""

    parameters: int
    seconds_per_epoch: float
    megabytes: float  # on top of a worker's own memory

    @property
    def heavy(self) -> bool:
        return self.seconds_per_epoch > SLOW_EPOCH_SECONDS or self.megabytes > LARGE_MEMORY_MB


def estimate(design: dict) -> Cost:
    """The cost of training a valid design with its settings."""
    settings = spec.training_settings(design)
    parameters = summarize(design).total
    rows = datasets.of(design).rows * (1 - settings["test_size"]) * (1 - settings["validation_split"])
    steps = math.ceil(rows / settings["batch_size"])
    seconds = steps * (STEP_OVERHEAD_SECONDS + parameters * SECONDS_PER_PARAMETER_STEP)
    return Cost(parameters, seconds, parameters * BYTES_PER_PARAMETER / 2**20)
