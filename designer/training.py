"""Training a design's Keras model on Iris: quickly, live, and reproducibly.

The model is the one :func:`designer.keras_model.build_model` makes, trained on
Keras' TensorFlow backend with Keras' own optimizers, losses and metric
functions. The speed comes from how training is driven: one compiled
TensorFlow function runs a whole chunk of epochs (every batch step, then the
validation pass, early stopping and a NaN check), so Python is visited once
per chunk rather than once per batch. :meth:`Trainer.run` sizes the chunks so
that the caller hears back several times a second.

The history uses Keras' metric names, as ``History.history`` would
(:func:`designer.runs.metric_name` spells out the rule): ``loss``,
``accuracy``, ``val_loss`` for one head; ``species_loss``,
``species_accuracy``, ``petal_width_mae``, ``val_petal_width_loss``... for
several. Nothing here touches process-wide random state: the weights, the
dropout masks and the shuffling (:func:`epoch_orders`) all derive from the
design's seed. TensorFlow's process-wide settings are made in
:mod:`designer.tf_runtime`, and listed there.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from designer import spec, tf_runtime
from designer.data import DataError, Dataset, Part, prepare
from designer.keras_model import build_model, import_keras
from designer.network import resolve
from designer.optimizers import keras_class_name
from designer.runs import Head, heads_of, history_csv, history_names, metric_names
from designer.validation import ensure_valid

UPDATES_PER_SECOND = 4  # how often run() reports back, at least
CHUNK_SHARE = 0.8  # a chunk aims at this share of the time between reports, leaving room for variation

STOP_NONE, STOP_NAN, STOP_EARLY = 0, 1, 2


__all__ = [
    "DataError",
    "Head",
    "Trainer",
    "epoch_orders",
    "heads_of",
    "history_csv",
    "metric_names",
]


def epoch_orders(seed: int, rows: int) -> Iterator[np.ndarray]:
    """The order in which each epoch visits the training rows: epoch after epoch, endlessly.

    Permutations of ``range(rows)`` drawn one per epoch from a generator of
    its own seeded with ``seed`` (the design's), never from process-wide
    random state. A :class:`Trainer` shuffles exactly so; feeding ``model.fit``
    the rows in these orders (``shuffle=False``) reproduces its training.
    """
    generator = np.random.default_rng(seed)
    while True:
        yield generator.permutation(rows)


def _tensorflow():
    """TensorFlow, imported and set up (see :mod:`designer.tf_runtime`)."""
    tf_runtime.configure()
    import_keras()
    import tensorflow as tf

    return tf


def make_optimizer(name: str, learning_rate: float):
    """A Keras optimizer by its design name."""
    return getattr(import_keras().optimizers, keras_class_name(name))(learning_rate=learning_rate)


def architecture_key(design: dict) -> str:
    """What a compiled training function depends on: the network, the heads' losses and the optimizer.

    Runs of designs with the same key can share an :class:`Engine`; the
    settings that change between runs (seed, learning rate, batch size, loss
    weights, splits, epochs, patience) are arguments of the compiled function.
    """
    heads = [{key: value for key, value in head.items() if key != "loss_weight"} for head in design["heads"]]
    optimizer = spec.training_settings(design)["optimizer"]
    network = {key: value for key, value in design.items() if key not in ("training", "heads", "exercise")}
    return json.dumps({**network, "heads": heads, "optimizer": optimizer}, sort_keys=True)


class Engine:
    """A design's Keras model, its optimizer and the compiled function that trains them.

    Tracing that function is most of the cost of a first run, and TensorFlow
    keeps every traced graph for the life of the process (as it does for
    ``model.fit``), so a session reuses its engine for every run of the same
    architecture: :meth:`reset` gives it the weights and optimizer state of a
    fresh build instead.
    """

    def __init__(self, design: dict):
        tf = _tensorflow()
        settings = spec.training_settings(design)
        self.key = architecture_key(design)
        self.input_names = [node.name for node in resolve(design).inputs]  # the model's inputs, in order
        self.model = build_model(design, seed=settings["seed"])
        self.optimizer = make_optimizer(settings["optimizer"], settings["learning_rate"])
        self.optimizer.build(self.model.trainable_variables)
        self.best = tf.Variable(math.inf, dtype=tf.float32, trainable=False)
        self.wait = tf.Variable(0, dtype=tf.int32, trainable=False)
        self.best_weights = [tf.Variable(v, trainable=False) for v in self.model.weights]
        self._heads = heads_of(design)
        self._chunk = None

    @property
    def chunk(self):
        """The compiled chunk function, traced on first use (as ``model.fit`` traces on its first step)."""
        if self._chunk is None:
            self._chunk = tf_runtime.traced_forgetting_custom_gradients(_compile_chunk(self, self._heads))
        return self._chunk

    def reset(self, design: dict) -> None:
        """Start afresh for a run of ``design``: the weights, dropout state and optimizer of a new build."""
        settings = spec.training_settings(design)
        fresh = build_model(design, seed=settings["seed"])
        optimizer = make_optimizer(settings["optimizer"], settings["learning_rate"])
        optimizer.build(fresh.trainable_variables)
        for mine, new in zip(self.model.variables, fresh.variables, strict=True):
            mine.assign(new)
        for mine, new in zip(self.optimizer.variables, optimizer.variables, strict=True):
            mine.assign(new)
        self.best.assign(math.inf)
        self.wait.assign(0)


@dataclass(frozen=True)
class TrainingState:
    """Where a run stands, as plain arrays: enough for another Trainer (in any process) to go on from it.

    The model's variables (weights, normalisation statistics, dropout's seed
    state), the optimizer's (its step count and moments), early stopping's
    best so far, and the history: continuing from it gives exactly the run
    that would have gone on.
    """

    variables: list[np.ndarray]
    optimizer: list[np.ndarray]
    best: float
    wait: int
    best_weights: list[np.ndarray]
    history: dict[str, list[float]]

    @property
    def epochs_done(self) -> int:
        return len(self.history.get("loss", []))

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (*self.variables, *self.optimizer, *self.best_weights))


class Trainer:
    """Trains one design's model; keeps the model and the history so far.

    ``run`` can be interrupted between two reports and called again: the
    model, the optimizer and the history stay consistent. Pass the previous
    run's ``engine`` to reuse its compiled function when the architecture is
    the same.
    """

    def __init__(
        self,
        design: dict,
        data: Dataset | None = None,
        engine: Engine | None = None,
        start: TrainingState | None = None,
        csv=None,
    ):
        self.design = ensure_valid(design)
        self.settings = spec.training_settings(design)
        self.data = data if data is not None else prepare(design, csv)
        self.heads = heads_of(design)
        if engine is not None and engine.key == architecture_key(design):
            engine.reset(design)
        else:
            engine = Engine(design)
        self.engine = engine
        self.history: dict[str, list[float]] = {}
        self.stop_reason: str | None = None  # why training ended before its last epoch
        self.note: str | None = None  # what else the learner should know of how it ended
        self.seconds = 0.0  # time spent in training chunks
        self.out_of_time = False  # whether run() ended because its budget of seconds was spent
        self._orders = epoch_orders(self.settings["seed"], len(self.data.train))
        if start is not None:
            self._go_on_from(start)
        self._arguments = None
        self._lock = threading.Lock()  # held while a chunk trains
        self._cancelled = False

    def state(self) -> TrainingState:
        """Where this run stands, as plain arrays (see :class:`TrainingState`)."""
        engine = self.engine
        return TrainingState(
            variables=[np.asarray(v.numpy()) for v in engine.model.variables],
            optimizer=[np.asarray(v.numpy()) for v in engine.optimizer.variables],
            best=float(engine.best.numpy()),
            wait=int(engine.wait.numpy()),
            best_weights=[np.asarray(v.numpy()) for v in engine.best_weights],
            history={name: list(values) for name, values in self.history.items()},
        )

    def _go_on_from(self, start: TrainingState) -> None:
        engine = self.engine
        for variable, value in zip(engine.model.variables, start.variables, strict=True):
            variable.assign(value)
        for variable, value in zip(engine.optimizer.variables, start.optimizer, strict=True):
            variable.assign(value)
        for variable, value in zip(engine.best_weights, start.best_weights, strict=True):
            variable.assign(value)
        engine.best.assign(start.best)
        engine.wait.assign(start.wait)
        self.history = {name: list(values) for name, values in start.history.items()}
        for _ in range(start.epochs_done):  # the epochs done visited the rows in their orders already
            next(self._orders)

    @property
    def model(self):
        """The Keras model being trained."""
        return self.engine.model

    @property
    def optimizer(self):
        """The Keras optimizer training it."""
        return self.engine.optimizer

    @property
    def input_names(self) -> list[str]:
        return self.engine.input_names

    @property
    def epochs_done(self) -> int:
        return len(self.history.get("loss", []))

    @property
    def has_validation(self) -> bool:
        return len(self.data.validation) > 0

    def run(
        self,
        epochs: int | None = None,
        updates_per_second: float = UPDATES_PER_SECOND,
        restore_best: bool = True,
        seconds: float | None = None,
    ) -> Iterator[int]:
        """Train up to ``epochs`` more epochs (default: the design's), yielding after each chunk.

        Each yield gives the number of epochs done so far; the history is
        already updated. Training ends early on NaN, by early stopping (with
        ``stop_reason`` saying why) or when :meth:`cancel` is called. With early
        stopping on, the best epoch's weights are restored at the end, as Keras
        does, unless ``restore_best`` is False (a step that the next one goes on from).

        ``seconds`` is this call's budget of training time: once its chunks
        have taken that long, training ends after the chunk under way, as a
        Stop would (``out_of_time`` says so; the best weights are not restored).

        Chunks are sized by this process's CPU time, at 80 % of ``1 / updates_per_second``,
        so that a caller checking for Stop between chunks hears back that often
        in the process's own progress, however busy the machine is.
        """
        target = self.epochs_done + (epochs if epochs is not None else self.settings["epochs"])
        deadline = None if seconds is None else self.seconds + seconds
        self.out_of_time = False
        chunk, aim = 1, CHUNK_SHARE / updates_per_second
        while self.epochs_done < target and self.stop_reason is None:
            if deadline is not None and self.seconds >= deadline:
                self.out_of_time = True
                return
            with self._lock:
                if self._cancelled:
                    return
                start, cpu_start = time.perf_counter(), time.process_time()
                done = self._train_chunk(min(chunk, target - self.epochs_done))
                self.seconds += time.perf_counter() - start
                cpu = time.process_time() - cpu_start
            if done:
                # Aim the next chunk at the CPU time aimed at, growing at most fourfold, as timings vary.
                chunk = max(1, min(4 * chunk, int(aim * done / max(cpu, 1e-6))))
            yield self.epochs_done
        patience = self.settings["early_stopping_patience"]
        if restore_best and patience and self.stop_reason is None and self.epochs_done:
            self._restore_best_at_the_end()

    def cancel(self) -> None:
        """Stop training: no chunk starts after this returns, and the one under way has ended."""
        self._cancelled = True
        with self._lock:
            pass

    def train(self, epochs: int | None = None, restore_best: bool = True) -> dict[str, list[float]]:
        """Train to the end (as fast as possible: one report only) and return the history."""
        for _ in self.run(epochs, updates_per_second=1e-9, restore_best=restore_best):
            pass
        return self.history

    def _train_chunk(self, epochs: int) -> int:
        tf = _tensorflow()
        perms = np.stack([next(self._orders) for _ in range(epochs)]).astype(np.int32)
        if self._arguments is None:
            self._arguments = self._chunk_arguments(tf)
        results, stop = self.engine.chunk(tf.constant(perms), *self._arguments)
        results, stop = results.numpy(), int(stop)
        names = history_names(self.heads, self.has_validation)
        if stop == STOP_NAN:
            results = results[:-1]  # the epoch whose loss was not a number
        for row in results:
            for name, value in zip(names, row[: len(names)], strict=True):
                self.history.setdefault(name, []).append(float(value))
        self._stopped(stop)
        return len(results)

    def _chunk_arguments(self, tf) -> tuple:
        """This run's data and settings, as the compiled function takes them."""
        data, heads = self.data, self.heads
        patience = self.settings["early_stopping_patience"] or 0
        return (
            tuple(tf.constant(data.train.x[name]) for name in self.input_names),
            tuple(tf.constant(data.train.y[h.name]) for h in heads),
            tuple(tf.constant(data.validation.x[name]) for name in self.input_names),
            tuple(tf.constant(data.validation.y[h.name]) for h in heads),
            tf.constant(self.settings["batch_size"], tf.int32),
            tf.constant([h.weight for h in heads], tf.float32),
            tf.constant(patience, tf.int32),
        )

    def _stopped(self, stop: int) -> None:
        if stop == STOP_NAN:
            self.stop_reason = (
                f"Training stopped at epoch {self.epochs_done + 1}: the loss became infinite or not a number. "
                f"The learning rate ({self.settings['learning_rate']:g}) is probably too high for "
                f"{self.settings['optimizer']}; try a smaller one, such as 0.001."
            )
        elif stop == STOP_EARLY:
            best = self._restore_best()
            self.stop_reason = (
                f"Early stopping after epoch {self.epochs_done}: {self._monitor()} had not improved for "
                f"{self.settings['early_stopping_patience']} epochs. The weights of epoch {best}, "
                "the best one, were restored."
            )

    def _restore_best(self) -> int:
        """Put back the weights of the best epoch so far (counted from 1), as early stopping keeps them."""
        for variable, best_value in zip(self.model.weights, self.engine.best_weights, strict=True):
            variable.assign(best_value)
        return int(np.argmin(self.history[self._monitor()])) + 1

    def _restore_best_at_the_end(self) -> None:
        """All the epochs ran: keep the best one's weights, as Keras' EarlyStopping does when ``fit`` ends."""
        best = self._restore_best()
        if best != self.epochs_done:
            self.note = (
                f"Trained all {self.epochs_done} epochs. As early stopping is on, the weights of epoch {best}, "
                f"the one with the lowest {self._monitor()}, were restored at the end."
            )

    def _monitor(self) -> str:
        return "val_loss" if self.has_validation else "loss"

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
        return keras.metrics.binary_accuracy if head.task.is_binary else keras.metrics.categorical_accuracy
    return keras.metrics.mean_absolute_error


def _summed_metric(tf, head: Head):
    """A head's metric summed over a batch, in plain TensorFlow ops: this runs at every step.

    The same quantities as Keras' ``categorical_accuracy``, ``binary_accuracy``
    (above 0.5 is the second class) and ``mean_absolute_error`` (the tests
    hold them to ``model.evaluate``), in fewer ops.
    """
    if head.task.is_binary:
        return lambda y, p: tf.reduce_sum(tf.cast(tf.equal(y > 0.5, p > 0.5), tf.float32))
    if head.metric == "accuracy":
        return lambda y, p: tf.reduce_sum(tf.cast(tf.equal(tf.argmax(y, -1), tf.argmax(p, -1)), tf.float32))
    return lambda y, p: tf.reduce_sum(tf.reduce_mean(tf.abs(y - p), -1))


def _compile_chunk(engine: Engine, heads: list[Head]):
    """The compiled function that trains a chunk of epochs.

    ``chunk(perms [k, rows], x_train, y_train, x_val, y_val, batch, weights, patience)``
    returns ``(results [k', m], stop)``: a row of metrics per epoch done (the
    validation ones after the training ones; NaN when there are no validation
    rows) and why it stopped early, if it did. Autograph is off: plain
    ``tf.while_loop``s trace faster.
    """
    keras = import_keras()
    tf = _tensorflow()
    model, optimizer = engine.model, engine.optimizer
    loss_fns = [keras.losses.get(h.loss) for h in heads]
    metric_fns = [_summed_metric(tf, h) for h in heads]
    variables = model.trainable_variables
    single_input = len(engine.input_names) == 1
    inputs_spec = tuple(tf.TensorSpec([None, shape[-1]], tf.float32) for shape in _input_shapes(model))
    outputs_spec = tuple(tf.TensorSpec([None, h.task.units], tf.float32) for h in heads)

    def forward(xs, training):
        outputs = model(xs[0] if single_input else list(xs), training=training)
        return outputs if isinstance(outputs, (list, tuple)) else [outputs]

    def measure(ys, outputs, weights):
        """Per-head mean losses and summed metrics, and the weighted total loss."""
        losses = [tf.reduce_mean(fn(y, p)) for fn, y, p in zip(loss_fns, ys, outputs, strict=True)]
        metrics = [fn(y, p) for fn, y, p in zip(metric_fns, ys, outputs, strict=True)]
        total = tf.reduce_sum(weights * tf.stack(losses))
        return total, losses, metrics

    def results(total, losses, metrics, count):
        """The row of an epoch, in the order of metric_names()."""
        if len(heads) == 1:
            return tf.stack([total, metrics[0] / count])
        return tf.stack([total, *losses, *(m / count for m in metrics)])

    @tf.function(
        input_signature=[
            tf.TensorSpec([None, None], tf.int32),
            inputs_spec,
            outputs_spec,
            inputs_spec,
            outputs_spec,
            tf.TensorSpec([], tf.int32),
            tf.TensorSpec([len(heads)], tf.float32),
            tf.TensorSpec([], tf.int32),
        ],
        autograph=False,
    )
    def chunk(perms, x_train, y_train, x_val, y_val, batch, weights, patience):
        rows = tf.shape(perms)[1]
        steps = (rows + batch - 1) // batch
        count = tf.cast(rows, tf.float32)
        val_count = tf.cast(tf.shape(x_val[0])[0], tf.float32)

        def step(epoch_x, epoch_y, index, sums):
            start, end = index * batch, tf.minimum((index + 1) * batch, rows)
            xs = [x[start:end] for x in epoch_x]
            ys = [y[start:end] for y in epoch_y]
            with tf.GradientTape() as tape:
                total, losses, metrics = measure(ys, forward(xs, training=True), weights)
                penalised = total + tf.add_n(model.losses) if model.losses else total
            optimizer.apply(tape.gradient(penalised, variables), variables)
            size = tf.cast(end - start, tf.float32)
            # Losses are averaged over the epoch weighted by batch size, as Keras' fit does.
            return index + 1, sums + tf.stack([total * size, *(loss * size for loss in losses), *metrics])

        def epoch(e, out, stop):
            # Shuffled once per epoch; each step then takes the next rows in order.
            epoch_x = [tf.gather(x, perms[e]) for x in x_train]
            epoch_y = [tf.gather(y, perms[e]) for y in y_train]
            _, sums = tf.while_loop(
                lambda index, _: index < steps,
                lambda index, sums: step(epoch_x, epoch_y, index, sums),
                (tf.constant(0), tf.zeros(1 + 2 * len(heads))),
                parallel_iterations=1,
            )
            mean = sums / count
            train_row = results(
                mean[0], tf.unstack(mean[1 : 1 + len(heads)]), tf.unstack(sums[1 + len(heads) :]), count
            )
            val_total, val_losses, val_metrics = measure(y_val, forward(x_val, training=False), weights)
            out = out.write(e, tf.concat([train_row, results(val_total, val_losses, val_metrics, val_count)], 0))
            monitored = tf.where(val_count > 0, val_total, mean[0])
            finite = tf.logical_and(
                tf.math.is_finite(mean[0]), tf.logical_or(val_count == 0, tf.math.is_finite(val_total))
            )
            stop = tf.where(finite, stop, STOP_NAN)
            stop = _early_stopping(tf, engine, monitored, patience, stop)
            return e + 1, out, stop

        _, out, stop = tf.while_loop(
            lambda e, _, stop: tf.logical_and(e < tf.shape(perms)[0], tf.equal(stop, STOP_NONE)),
            epoch,
            (tf.constant(0), tf.TensorArray(tf.float32, size=0, dynamic_size=True), tf.constant(STOP_NONE)),
            parallel_iterations=1,
        )
        return out.stack(), stop

    return chunk


def _input_shapes(model) -> list[tuple]:
    return [tuple(tensor.shape) for tensor in model.inputs]


def _early_stopping(tf, engine: Engine, monitored, patience, stop):
    """Keep the best weights so far; signal a stop after ``patience`` epochs without improvement.

    Written with ``tf.where`` rather than ``tf.cond``: branches would each be
    traced as a graph of their own, which costs more than these few copies.
    """
    improved = tf.logical_and(patience > 0, monitored < engine.best)
    updates = [
        best.assign(tf.where(improved, value, best))
        for best, value in zip(engine.best_weights, engine.model.weights, strict=True)
    ]
    updates.append(engine.best.assign(tf.where(improved, monitored, engine.best)))
    updates.append(engine.wait.assign(tf.where(improved, 0, engine.wait + 1)))
    with tf.control_dependencies(updates):
        patience_over = tf.logical_and(patience > 0, engine.wait >= patience)
        return tf.where(tf.logical_and(tf.equal(stop, STOP_NONE), patience_over), STOP_EARLY, stop)
