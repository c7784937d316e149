"""A baseline to beat: what scikit-learn's plain models score on the same rows as the network.

For each head of a design, a plain model is fitted on the training rows (never
a validation or test row), with the inputs the network sees (the design's
input arrays, already scaled, side by side in the design's input order), and
scored on the test rows: logistic regression's accuracy for the species,
linear regression's mean absolute error (in the target's unit) for a measurement. No Keras,
no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import accuracy_score, mean_absolute_error

from designer.data import Dataset, Part, prepare
from designer.network import resolve
from designer.runs import Head, heads_of, predicted_classes

LOGISTIC, LINEAR = "logistic regression", "linear regression"


@dataclass(frozen=True)
class Baseline:
    """What a plain model scores on one head's test rows: accuracy (a fraction) or MAE in cm."""

    head: str
    model: str  # "logistic regression" or "linear regression"
    metric: str  # "accuracy" or "mae", as the head's Keras metric
    score: float
    unit: str = ""  # a measurement's unit


def baselines(design: dict, data: Dataset | None = None) -> dict[str, Baseline]:
    """Each head's baseline (head name -> :class:`Baseline`), on ``data`` (by default ``prepare(design)``)."""
    data = prepare(design) if data is None else data
    names = [node.name for node in resolve(design).inputs]
    return {head.name: _baseline(head, names, data) for head in heads_of(design)}


def _features(part: Part, names: list[str]) -> np.ndarray:
    """A part's inputs side by side, in the order of ``names`` (the design's inputs): one row per flower."""
    return np.concatenate([np.asarray(part.x[name], dtype=np.float64) for name in names], axis=1)


def _baseline(head: Head, names: list[str], data: Dataset) -> Baseline:
    x_train, x_test = _features(data.train, names), _features(data.test, names)
    y_train, y_test = (np.asarray(part.y[head.name], dtype=np.float64) for part in (data.train, data.test))
    if head.task.is_classification:
        model = LogisticRegression(max_iter=1000).fit(x_train, predicted_classes(y_train))
        score = accuracy_score(predicted_classes(y_test), model.predict(x_test))
        return Baseline(head.name, LOGISTIC, head.metric, float(score))
    model = LinearRegression().fit(x_train, y_train.ravel())
    score = mean_absolute_error(y_test.ravel(), model.predict(x_test))
    return Baseline(head.name, LINEAR, head.metric, float(score), head.unit)


def _shown(metric: str, score: float, unit: str = "") -> str:
    """A score as the learner reads it: accuracy in percent with one decimal, MAE in its unit with three."""
    if metric == "accuracy":
        return f"{score * 100:.1f} %"
    if metric == "mae":
        return f"{score:.3f} {unit}".strip()
    raise ValueError(f"metric must be 'accuracy' or 'mae', got {metric!r}")


def verdict(baseline: Baseline, network_score: float) -> str:
    """One sentence for the learner: does the network's test score beat, tie with or not beat the baseline's?

    Higher accuracy is better, lower mean absolute error is better; a tie is
    the same score at the precision shown.
    """
    network = _shown(baseline.metric, network_score, baseline.unit)
    plain = _shown(baseline.metric, baseline.score, baseline.unit)
    if network == plain:
        relation = "ties with"
    else:
        better = network_score > baseline.score if baseline.metric == "accuracy" else network_score < baseline.score
        relation = "beats" if better else "does not beat"
    quantity = "accuracy" if baseline.metric == "accuracy" else "mean absolute error"
    return (
        f"The network's {quantity} on the test rows, {network}, {relation} "
        f"{baseline.model}'s {plain} on the same inputs."
    )
