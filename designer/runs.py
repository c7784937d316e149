"""Training runs as values, and the names Keras gives their metrics.

Pure Python (NumPy for the arrays; scikit-learn only inside
:func:`confusion_matrix`): no Streamlit, no TensorFlow. The trainer, the
charts, the results table and the command line all take Keras' metric names
from :func:`metric_name`, the one place that spells out Keras' rule:

- one head: ``loss`` and ``accuracy`` (the species) or ``mae`` (a measurement);
- several heads: the weighted total ``loss``, then per head ``species_loss``,
  ``petal_width_loss``..., and ``species_accuracy``, ``petal_width_mae``...;
- on the validation rows, the same names with ``val_`` in front.

A :class:`Run` is what a session keeps of one training: frozen, plain data
only (numbers, strings, lists and dicts of them, :class:`Head` values), so it
can sit in a Streamlit session and be compared with ``==``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypedDict

import numpy as np

from designer import datasets, kinds, spec
from designer.network import resolve

LOSS, METRIC = "loss", "metric"


@dataclass(frozen=True)
class Head:
    """What training needs to know of one output head."""

    name: str
    target: str
    loss: str
    weight: float
    classes: tuple[str, ...] = ()  # a class target's classes; none for a measurement
    unit: str = ""  # a measurement's unit

    @property
    def task(self) -> datasets.Task:
        """What the head predicts."""
        return datasets.Task(self.target, self.classes, self.unit)

    @property
    def metric(self) -> str:
        """Keras' name of the head's metric: accuracy for classes, MAE for a measurement."""
        return self.task.metric


def heads_of(design: dict) -> list[Head]:
    """The heads of a valid design (the resolved network has filled in every default)."""
    return [
        Head(
            node.name,
            node.entry["target"],
            node.entry["loss"],
            float(node.entry["loss_weight"]),
            node.entry[kinds.TASK].classes,
            node.entry[kinds.TASK].unit,
        )
        for node in resolve(design).heads
    ]


def metric_name(heads: Sequence[Head], head: Head | None = None, quantity: str = LOSS, validation: bool = False) -> str:
    """Keras' name (in ``History.history`` and ``evaluate(return_dict=True)``) of one quantity of a model.

    ``head=None`` is the total loss; otherwise ``quantity`` is ``"loss"`` or
    ``"metric"`` (the head's accuracy or MAE). With one head, its loss is the
    total ``loss`` and its metric is plain ``accuracy``/``mae``; with several,
    each is prefixed with the head's name. ``validation`` adds ``val_``.
    """
    if quantity not in (LOSS, METRIC):
        raise ValueError(f"quantity must be {LOSS!r} or {METRIC!r}, got {quantity!r}")
    if head is None:
        if quantity != LOSS:
            raise ValueError("only the total loss has no head")
        name = "loss"
    else:
        own = "loss" if quantity == LOSS else head.metric
        name = own if len(heads) == 1 else f"{head.name}_{own}"
    return f"val_{name}" if validation else name


def metric_names(heads: Sequence[Head], validation: bool = False) -> list[str]:
    """Keras' names of a model's training metrics, in Keras' order (the order the compiled function returns).

    One head: ``loss``, its metric. Several: ``loss``, every head's loss, every head's metric.
    """
    if len(heads) == 1:
        quantities = [(None, LOSS), (heads[0], METRIC)]
    else:
        quantities = [(None, LOSS), *((h, LOSS) for h in heads), *((h, METRIC) for h in heads)]
    return [metric_name(heads, head, quantity, validation) for head, quantity in quantities]


def history_names(heads: Sequence[Head], validation: bool) -> list[str]:
    """The names of a history's columns: the training metrics, then (with validation rows) the same with ``val_``."""
    names = metric_names(heads)
    return names + metric_names(heads, validation=True) if validation else names


@dataclass(frozen=True)
class Run:
    """One training of a session, from the press of Train to its end: plain data, compared by value.

    ``model`` is the handle of its trained model: the run number under which
    the session keeps the weights (the page checks the kept weights carry the
    same number), or None when it never had a model worth keeping.
    """

    number: int
    label: str  # for the learner: "Run 2: adam, lr 0.01, batch 5, seed 42"
    stem: str  # for file names: "run_2" (run_2.keras, run_2_history.csv)
    design: dict
    settings: dict
    heads: tuple[Head, ...]
    status: str = "queued"  # one of designer.workers' job states
    message: str = ""  # why it ended as it did, for the learner ("" when it just finished)
    history: Mapping[str, list[float]] = field(default_factory=dict)  # Keras' names -> one value per epoch
    test: Mapping[str, float] | None = None  # test metrics, Keras' names (None until it has some)
    seconds: float = 0.0  # time spent training
    worker: int | None = None  # process id of the worker that trained it
    model: int | None = None

    def __post_init__(self):
        # Copies, so that a run never shares a list with the trainer, the job or another run.
        object.__setattr__(self, "heads", tuple(self.heads))
        object.__setattr__(self, "history", {name: [float(v) for v in values] for name, values in self.history.items()})
        if self.test is not None:
            object.__setattr__(self, "test", {name: float(value) for name, value in self.test.items()})

    @classmethod
    def start(cls, number: int, design: dict) -> Run:
        """A new run of a valid design (its defaults filled in), before it trains."""
        settings = spec.training_settings(design)
        return cls(
            number=number,
            label=f"Run {number}: {settings['optimizer']}, lr {settings['learning_rate']:g}, "
            f"batch {settings['batch_size']}, seed {settings['seed']}",
            stem=f"run_{number}",
            design=design,
            settings=settings,
            heads=tuple(heads_of(design)),
        )

    def replace(self, **changes) -> Run:
        """The same run with some fields changed (it is frozen)."""
        return dataclasses.replace(self, **changes)

    @property
    def epochs_done(self) -> int:
        return len(self.history.get("loss", ()))

    @property
    def untrained(self) -> bool:
        """A fresh start at epoch 0 (Reset): it finished having trained nothing, to step on from."""
        return self.status == "finished" and self.epochs_done == 0

    @property
    def state_text(self) -> str:
        """Its state as its heading says it: "finished", "stopped", ..., "reset, untrained (epoch 0)"."""
        return "reset, untrained (epoch 0)" if self.untrained else self.status

    @property
    def compared_label(self) -> str:
        """Its label where runs are compared, with what tells apart runs of the same settings: how far it went."""
        epochs = f"{self.epochs_done} epoch{'' if self.epochs_done == 1 else 's'}"
        return f"{self.label}, {epochs}" + ("" if self.status == "finished" else f" ({self.status})")


class TrainedModel(TypedDict):
    """A run's trained model as plain data (NumPy arrays): enough to rebuild it, show it and download it."""

    number: int  # the number of the run it belongs to: that run's ``model`` handle
    design: dict
    epochs: int  # epochs trained
    weights: list[np.ndarray]  # model.get_weights()
    test_predictions: dict[str, np.ndarray]  # head name -> (rows, units)
    test_targets: dict[str, np.ndarray]
    state: object  # a designer.training.TrainingState to step on from, or None (a large network)
    map: object  # the map (designer.maps.Map) the run ended with, or None


def kept_model(run: Run, kept: TrainedModel | None) -> TrainedModel | None:
    """``kept`` if it is ``run``'s trained model (matched by run number), else None: it was never kept, or let go."""
    if run.model is None or kept is None or kept["number"] != run.model:
        return None
    return kept


def predicted_classes(outputs: np.ndarray) -> np.ndarray:
    """The class codes a class head's outputs say: the largest of several, or a sigmoid's output above 0.5."""
    outputs = np.asarray(outputs)
    return (outputs[:, 0] > 0.5).astype(int) if outputs.shape[1] == 1 else outputs.argmax(1)


def confusion_matrix(actual: np.ndarray, predicted: np.ndarray, classes: int | None = None) -> np.ndarray:
    """Counts of test rows by true class (rows) and predicted class (columns), in the classes' order.

    ``actual`` is the targets as training had them (one-hot, or one 0-or-1 column
    for two classes) and ``predicted`` the head's outputs, of the same shape.
    Every one of the ``classes`` (by default the outputs' width, 2 for one column)
    has its row and column, also one that never occurs.
    """
    from sklearn.metrics import confusion_matrix as counts

    width = np.asarray(predicted).shape[1]
    labels = list(range(classes or (2 if width == 1 else width)))
    return counts(predicted_classes(actual), predicted_classes(predicted), labels=labels)


def results_table(heads: Sequence[Head], test: Mapping[str, float]) -> list[dict[str, str]]:
    """The results table: per head what it predicts, its test loss and its score (accuracy, or MAE in cm)."""
    rows = []
    for head in heads:
        loss, metric = test[metric_name(heads, head, LOSS)], test[metric_name(heads, head, METRIC)]
        score = (
            f"accuracy {metric:.1%}" if head.metric == "accuracy" else f"mean absolute error {measured(metric, head)}"
        )
        rows.append({"head": head.name, "predicts": head.target, "loss": f"{loss:.4f}", "score": score})
    return rows


def measured(value: float, head: Head) -> str:
    """A measurement head's error as the learner reads it: three significant decimals and its unit."""
    return f"{value:.3f} {head.unit}".strip() if abs(value) < 100 else f"{value:,.1f} {head.unit}".strip()


def history_csv(history: Mapping[str, list[float]]) -> str:
    """A history as CSV text: an ``epoch`` column, then one column per Keras metric name."""
    names = list(history)
    lines = [",".join(["epoch", *names])]
    for epoch, values in enumerate(zip(*(history[name] for name in names), strict=True), start=1):
        lines.append(",".join([str(epoch), *(repr(value) for value in values)]))
    return "\n".join(lines) + "\n"
