"""Training a design's Keras model on Iris: quickly, live, and reproducibly.

The model is the one :func:`designer.keras_model.build_model` makes, trained on
Keras' TensorFlow backend with Keras' own optimizers, losses and metric
functions. The speed comes from how training is driven: one compiled
TensorFlow function runs a whole chunk of epochs (every batch step, then the
validation pass, early stopping and a NaN check), so Python is visited once
per chunk rather than once per batch. :meth:`Trainer.run` sizes the chunks so
that the caller hears back several times a second.

The history uses Keras' metric names, as ``History.history`` would:
``loss``, ``accuracy``, ``val_loss`` for one head; ``species_loss``,
``species_accuracy``, ``petal_width_mae``, ``val_petal_width_loss``... for
several. Nothing here touches process-wide random state: the weights, the
dropout masks and the shuffling all derive from the design's seed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from designer import spec
from designer.data import DataError, Dataset, Part, prepare
from designer.keras_model import build_model, import_keras
from designer.network import resolve
from designer.validation import ensure_valid

OPTIMIZERS = {  # design name -> Keras optimizer class name
    "adam": "Adam",
    "sgd": "SGD",
    "rmsprop": "RMSprop",
    "adamw": "AdamW",
    "adagrad": "Adagrad",
    "nadam": "Nadam",
    "lion": "Lion",
}
UPDATES_PER_SECOND = 4  # how often run() reports back, at least

STOP_NONE, STOP_NAN, STOP_EARLY = 0, 1, 2


__all__ = ["DataError", "Head", "Trainer", "TrainingError", "heads_of", "metric_names"]


class TrainingError(ValueError):
    """Settings that cannot train; the message is for the learner."""


@dataclass(frozen=True)
class Head:
    """What training needs to know of one output head."""

    name: str
    target: str
    loss: str
    weight: float

    @property
    def metric(self) -> str:
        """Keras' name of the head's metric: accuracy for the species, MAE for a measurement."""
        return "accuracy" if spec.is_classification(self.target) else "mae"


def heads_of(design: dict) -> list[Head]:
    """The heads of a valid design, defaults applied."""
    return [
        Head(
            node.name,
            node.entry["target"],
            node.entry.get("loss", spec.default_head_loss(node.entry["target"])),
            float(node.entry.get("loss_weight", 1)),
        )
        for node in resolve(design).heads
    ]


def metric_names(heads: list[Head]) -> list[str]:
    """Keras' names of the training metrics, in the order the compiled function returns them."""
    if len(heads) == 1:
        return ["loss", heads[0].metric]
    return ["loss", *(f"{h.name}_loss" for h in heads), *(f"{h.name}_{h.metric}" for h in heads)]


def _tensorflow():
    """Import TensorFlow, tuned once for this app's many tiny graphs.

    Grappler's graph rewrites cost more than they save on graphs this small,
    and one thread per op avoids scheduling overhead that dwarfs the work;
    both are process-wide settings that change speed, never results.
    """
    import_keras()
    import tensorflow as tf

    if not getattr(_tensorflow, "done", False):
        tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": True})
        try:
            tf.config.threading.set_inter_op_parallelism_threads(1)
            tf.config.threading.set_intra_op_parallelism_threads(1)
        except RuntimeError:
            pass  # TensorFlow's runtime had already started; the defaults stay
        _tensorflow.done = True
    return tf


def make_optimizer(name: str, learning_rate: float):
    """A Keras optimizer by its design name."""
    return getattr(import_keras().optimizers, OPTIMIZERS[name])(learning_rate=learning_rate)


class Trainer:
    """Trains one design's model; keeps the model and the history so far.

    ``run`` can be interrupted between two reports and called again: the
    model, the optimizer and the history stay consistent.
    """

    def __init__(self, design: dict, data: Dataset | None = None):
        self.design = ensure_valid(design)
        self.settings = spec.training_settings(design)
        self.data = data if data is not None else prepare(design)
        self.heads = heads_of(design)
        self.input_names = [node.name for node in resolve(design).inputs]  # the model's inputs, in order
        self._check_settings()
        tf = _tensorflow()
        self.model = build_model(design, seed=self.settings["seed"])
        self.optimizer = make_optimizer(self.settings["optimizer"], self.settings["learning_rate"])
        self.optimizer.build(self.model.trainable_variables)
        self.history: dict[str, list[float]] = {}
        self.stop_reason: str | None = None  # why training ended before its last epoch
        self.seconds = 0.0  # time spent in training chunks
        self._rng = np.random.default_rng(self.settings["seed"])
        self._best = tf.Variable(math.inf, dtype=tf.float32, trainable=False)
        self._wait = tf.Variable(0, dtype=tf.int32, trainable=False)
        self._best_weights = [tf.Variable(v, trainable=False) for v in self.model.weights]
        self._chunk = None

    @property
    def epochs_done(self) -> int:
        return len(self.history.get("loss", []))

    @property
    def has_validation(self) -> bool:
        return len(self.data.validation) > 0

    def _check_settings(self) -> None:
        rows, batch = len(self.data.train), self.settings["batch_size"]
        if batch > rows:
            raise TrainingError(
                f"training.batch_size {batch} is larger than the {rows} training rows; choose at most {rows}"
            )

    def run(self, epochs: int | None = None, updates_per_second: float = UPDATES_PER_SECOND) -> Iterator[int]:
        """Train up to ``epochs`` more epochs (default: the design's), yielding after each chunk.

        Each yield gives the number of epochs done so far; the history is
        already updated. Training ends early on NaN or by early stopping, with
        ``stop_reason`` saying why.
        """
        target = self.epochs_done + (epochs if epochs is not None else self.settings["epochs"])
        chunk, seconds_per_epoch = 1, None
        while self.epochs_done < target and self.stop_reason is None:
            if seconds_per_epoch is not None:
                chunk = max(1, int(1 / (updates_per_second * seconds_per_epoch)))
            chunk = min(chunk, target - self.epochs_done)
            start = time.perf_counter()
            done = self._train_chunk(chunk)
            elapsed = time.perf_counter() - start
            self.seconds += elapsed
            if done:
                seconds_per_epoch = elapsed / done
            yield self.epochs_done

    def train(self, epochs: int | None = None) -> dict[str, list[float]]:
        """Train to the end (as fast as possible: one report only) and return the history."""
        for _ in self.run(epochs, updates_per_second=1e-9):
            pass
        return self.history

    def _train_chunk(self, epochs: int) -> int:
        tf = _tensorflow()
        rows = len(self.data.train)
        perms = np.stack([self._rng.permutation(rows) for _ in range(epochs)]).astype(np.int32)
        if self._chunk is None:
            self._chunk = self._compile()
        results, stop = self._chunk(tf.constant(perms))
        results, stop = results.numpy(), int(stop)
        names = metric_names(self.heads)
        if self.has_validation:
            names = names + [f"val_{name}" for name in names]
        if stop == STOP_NAN:
            results = results[:-1]  # the epoch whose loss was not a number
        for row in results:
            for name, value in zip(names, row, strict=True):
                self.history.setdefault(name, []).append(float(value))
        self._stopped(stop)
        return len(results)

    def _stopped(self, stop: int) -> None:
        if stop == STOP_NAN:
            self.stop_reason = (
                f"Training stopped at epoch {self.epochs_done + 1}: the loss became infinite or not a number. "
                f"The learning rate ({self.settings['learning_rate']:g}) is probably too high for "
                f"{self.settings['optimizer']}; try a smaller one, such as 0.001."
            )
        elif stop == STOP_EARLY:
            best = int(np.argmin(self.history[self._monitor()])) + 1
            for variable, best_value in zip(self.model.weights, self._best_weights, strict=True):
                variable.assign(best_value)
            self.stop_reason = (
                f"Early stopping after epoch {self.epochs_done}: {self._monitor()} had not improved for "
                f"{self.settings['early_stopping_patience']} epochs. The weights of epoch {best}, "
                "the best one, were restored."
            )

    def _monitor(self) -> str:
        return "val_loss" if self.has_validation else "loss"

    def _compile(self):
        """The compiled function that trains a chunk of epochs: ``perms [k, rows] -> (results [k', m], stop)``."""
        return _compile_chunk(self)

    def predict(self, part: Part) -> dict[str, np.ndarray]:
        """Each head's predictions for a part of the data."""
        xs = [part.x[name] for name in self.input_names]
        outputs = self.model(xs[0] if len(xs) == 1 else xs, training=False)
        outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
        return {head.name: np.asarray(out) for head, out in zip(self.heads, outputs, strict=True)}

    def evaluate(self, part: Part) -> dict[str, float]:
        """Loss and metric of every head on a part, with the names ``model.evaluate`` gives."""
        keras = import_keras()
        predictions = self.predict(part)
        losses = {
            h.name: float(np.mean(keras.losses.get(h.loss)(part.y[h.name], predictions[h.name]))) for h in self.heads
        }
        metrics = {h.name: float(np.mean(_metric(h)(part.y[h.name], predictions[h.name]))) for h in self.heads}
        total = sum(h.weight * losses[h.name] for h in self.heads)
        values = [total, *(losses[h.name] for h in self.heads), *(metrics[h.name] for h in self.heads)]
        if len(self.heads) == 1:
            values = [total, metrics[self.heads[0].name]]
        return dict(zip(metric_names(self.heads), values, strict=True))


def _metric(head: Head):
    keras = import_keras()
    if head.metric == "accuracy":
        return keras.metrics.categorical_accuracy
    return keras.metrics.mean_absolute_error


def _compile_chunk(trainer: Trainer):
    """Build the chunk function of a trainer (autograph off: plain ``tf.while_loop``s trace faster)."""
    keras = import_keras()
    tf = _tensorflow()
    model, optimizer, heads, data = trainer.model, trainer.optimizer, trainer.heads, trainer.data
    names = trainer.input_names
    x_train = [tf.constant(data.train.x[name]) for name in names]
    y_train = [tf.constant(data.train.y[h.name]) for h in heads]
    x_val = [tf.constant(data.validation.x[name]) for name in names]
    y_val = [tf.constant(data.validation.y[h.name]) for h in heads]
    loss_fns = [keras.losses.get(h.loss) for h in heads]
    metric_fns = [_metric(h) for h in heads]
    weights = [tf.constant(h.weight, tf.float32) for h in heads]
    rows, batch = len(data.train), trainer.settings["batch_size"]
    steps = -(-rows // batch)
    patience = trainer.settings["early_stopping_patience"]
    variables = model.trainable_variables
    single_input = len(names) == 1

    def forward(xs, training):
        outputs = model(xs[0] if single_input else xs, training=training)
        return outputs if isinstance(outputs, (list, tuple)) else [outputs]

    def measure(ys, outputs):
        """Per-head mean losses and summed metrics, and the weighted total loss."""
        losses = [tf.reduce_mean(fn(y, p)) for fn, y, p in zip(loss_fns, ys, outputs, strict=True)]
        metrics = [tf.reduce_sum(fn(y, p)) for fn, y, p in zip(metric_fns, ys, outputs, strict=True)]
        total = tf.add_n([w * loss for w, loss in zip(weights, losses, strict=True)])
        return total, losses, metrics

    def step(perm, index, sums):
        batch_rows = perm[index * batch : (index + 1) * batch]
        xs = [tf.gather(x, batch_rows) for x in x_train]
        ys = [tf.gather(y, batch_rows) for y in y_train]
        with tf.GradientTape() as tape:
            outputs = forward(xs, training=True)
            total, losses, metrics = measure(ys, outputs)
            total_with_penalties = total + tf.add_n(model.losses) if model.losses else total
        optimizer.apply(tape.gradient(total_with_penalties, variables), variables)
        size = tf.cast(tf.shape(batch_rows)[0], tf.float32)
        # Losses are averaged over the epoch weighted by batch size, as Keras' fit does.
        return index + 1, sums + tf.stack([total * size, *(loss * size for loss in losses), *metrics])

    def results(total, losses, metrics, count):
        """The row of an epoch, in the order of metric_names()."""
        if len(heads) == 1:
            return tf.stack([total, metrics[0] / count])
        return tf.stack([total, *losses, *(m / count for m in metrics)])

    def epoch(e, perms, out, stop):
        zeros = tf.zeros(1 + 2 * len(heads))
        _, sums = tf.while_loop(
            lambda index, _: index < steps,
            lambda index, sums: step(perms[e], index, sums),
            (tf.constant(0), zeros),
            parallel_iterations=1,
        )
        mean = sums / rows
        row = results(mean[0], tf.unstack(mean[1 : 1 + len(heads)]), tf.unstack(sums[1 + len(heads) :]), rows)
        monitored = mean[0]
        if len(data.validation):
            total, losses, metrics = measure(y_val, forward(x_val, training=False))
            row = tf.concat([row, results(total, losses, metrics, len(data.validation))], axis=0)
            monitored = total
        out = out.write(e, row)
        stop = tf.where(tf.math.is_finite(mean[0]), stop, STOP_NAN)
        if patience is not None:
            stop = _early_stopping(tf, trainer, monitored, patience, stop)
        return e + 1, perms, out, stop

    @tf.function(input_signature=[tf.TensorSpec([None, rows], tf.int32)], autograph=False)
    def chunk(perms):
        out = tf.TensorArray(tf.float32, size=0, dynamic_size=True)
        _, _, out, stop = tf.while_loop(
            lambda e, _, __, stop: tf.logical_and(e < tf.shape(perms)[0], tf.equal(stop, STOP_NONE)),
            epoch,
            (tf.constant(0), perms, out, tf.constant(STOP_NONE)),
            parallel_iterations=1,
        )
        return out.stack(), stop

    return chunk


def _early_stopping(tf, trainer: Trainer, monitored, patience: int, stop):
    """Keep the best weights so far; signal a stop after ``patience`` epochs without improvement."""

    def improved():
        copies = [best.assign(value) for best, value in zip(trainer._best_weights, trainer.model.weights, strict=True)]
        with tf.control_dependencies(copies):
            return tf.group(trainer._best.assign(monitored), trainer._wait.assign(0))

    def worse():
        return tf.group(trainer._wait.assign_add(1))

    update = tf.cond(monitored < trainer._best, improved, worse)
    with tf.control_dependencies([update]):
        return tf.where(tf.logical_and(tf.equal(stop, STOP_NONE), trainer._wait >= patience), STOP_EARLY, stop)
