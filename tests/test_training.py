"""Tests of ``designer.training.Trainer`` against Keras' own ``fit`` and ``evaluate``.

The independent references are Keras itself (a model built from the same
design and seed, compiled with the same optimizer, losses, loss weights and
metrics, trained by ``model.fit``) and plain NumPy on ``load_iris()``.

Keras 3.15 notes, found while writing these tests:

* ``fit``'s history names for a multi-output model are the ones the trainer
  uses (``species_loss``, ``petal_width_mae``, ``val_species_accuracy``...):
  no mapping is needed.
* Keras records each head's own loss (``species_loss``...) with a tracker
  whose batch-size weight is the *static* batch dimension, which is unknown
  inside ``fit``'s compiled step; so each head's loss is the plain mean of the
  batch means, while the total ``loss`` and the metrics are weighted by batch
  size. With a last batch smaller than the others (96 rows in batches of 5)
  Keras' per-head losses are then off (by about 1 % over 5 epochs here, and
  up to 27 % over 100, once the losses are small; their weighted sum is not
  even Keras' own ``loss``). The trainer weights every batch by
  its size, as Keras does for ``loss``. So one multi-head comparison uses a
  batch size that divides both the training and the validation rows (all
  names compared), and a second one at batch size 5 compares each head's loss
  with the same loss given to Keras as a *metric* (which Keras does weight by
  batch size) instead of with Keras' per-head loss tracker.
* Dropout masks agree between the two paths (the seeded ``Dropout`` layers
  draw the same masks in the same order), so designs with dropout are
  compared too.
"""

from __future__ import annotations

import itertools
import math
import random
import threading

import numpy as np
import pytest
from sklearn.datasets import load_iris

from designer import edits, optimizers, presets, spec
from designer.keras_model import build_model
from designer.validation import InvalidDesign

pytestmark = pytest.mark.keras

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")
training = pytest.importorskip("designer.training")

IRIS = load_iris()
PETAL_WIDTH = 3  # load_iris()'s columns: sepal length, sepal width, petal length, petal width (cm)
# The lecture's settings, which a design without a training block trains with (stated here, not read from spec).
LECTURE_SETTINGS = {
    "optimizer": "adam",
    "learning_rate": 0.001,
    "epochs": 100,
    "batch_size": 5,
    "test_size": 0.2,
    "validation_split": 0.2,
    "seed": 42,
    "early_stopping_patience": None,
}
KERAS_OPTIMIZERS = {
    "adam": "Adam",
    "sgd": "SGD",
    "rmsprop": "RMSprop",
    "adamw": "AdamW",
    "adagrad": "Adagrad",
    "nadam": "Nadam",
    "lion": "Lion",
}
# Our curves against model.fit's, epoch by epoch: the largest relative difference measured (2026-12, Keras 3.15.1,
# TensorFlow 2.21, every comparison below) is 2.0e-7 over these tests' 5 epochs and 3.3e-7 over 100 epochs; the
# largest absolute one 1.2e-7. That is a rounding or two of float32 (epsilon 1.2e-7), and it does not grow with
# the epochs; the tolerance leaves room for three times as much.
RTOL, ATOL = 1e-6, 1e-7
ONE_HEAD_KEYS = {"loss", "accuracy", "val_loss", "val_accuracy"}
TWO_HEAD_TRAIN_KEYS = {"loss", "species_loss", "species_accuracy", "petal_width_loss", "petal_width_mae"}
TWO_HEAD_KEYS = TWO_HEAD_TRAIN_KEYS | {f"val_{k}" for k in TWO_HEAD_TRAIN_KEYS}
PER_HEAD_LOSSES = {"species_loss", "petal_width_loss", "val_species_loss", "val_petal_width_loss"}


def preset(key: str) -> dict:
    return next(p for p in presets.presets() if p.key == key).load()


def with_training(design: dict, **settings) -> dict:
    return {**design, "training": {**design.get("training", {}), **settings}}


def two_outputs_weighted(**settings) -> dict:
    design = preset("lecture_two_outputs")
    design["heads"][0]["loss_weight"] = 1.0
    design["heads"][1]["loss_weight"] = 0.5
    return with_training(design, **settings)


def assert_finite_history(history: dict[str, list[float]]) -> None:
    for name, values in history.items():
        assert all(math.isfinite(v) for v in values), (name, values)


def settings_of(design: dict) -> dict:
    """A design's training settings: its own, and the lecture's where it says nothing."""
    return {**LECTURE_SETTINGS, **design.get("training", {})}


def default_loss(target: str) -> str:
    return "categorical_crossentropy" if target == "species" else "mean_squared_error"


def model_inputs(trainer, part):
    xs = [part.x[name] for name in trainer.input_names]
    return xs[0] if len(xs) == 1 else xs


def model_targets(trainer, part):
    if len(trainer.heads) == 1:
        return part.y[trainer.heads[0].name]
    return {head.name: part.y[head.name] for head in trainer.heads}


def compile_like(model, design: dict, extra_metrics: dict | None = None) -> None:
    """Compile a Keras model with the design's optimizer, losses, loss weights and metrics, as a learner would."""
    settings = settings_of(design)
    optimizer_class = getattr(keras.optimizers, KERAS_OPTIMIZERS[settings["optimizer"]])
    heads = design["heads"]
    model.compile(
        optimizer=optimizer_class(learning_rate=settings["learning_rate"]),
        loss={h["name"]: h.get("loss", default_loss(h["target"])) for h in heads},
        metrics={
            h["name"]: ["accuracy" if h["target"] == "species" else "mae", *(extra_metrics or {}).get(h["name"], [])]
            for h in heads
        },
        loss_weights={h["name"]: float(h.get("loss_weight", 1)) for h in heads},
    )


# --- trained once, shared ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def lecture():
    trainer = training.Trainer(preset("lecture_sequential"))
    trainer.train()
    return trainer


@pytest.fixture(scope="module")
def two_outputs():
    trainer = training.Trainer(preset("lecture_two_outputs"))
    trainer.train()
    return trainer


def test_a_design_without_settings_trains_as_the_lecture_did():
    design = preset("lecture_sequential")
    assert "training" not in design
    trainer = training.Trainer(design)
    assert trainer.settings == LECTURE_SETTINGS
    assert type(trainer.optimizer).__name__ == "Adam"
    assert float(trainer.optimizer.learning_rate) == pytest.approx(0.001)
    assert [(h.name, h.target, h.loss, h.weight) for h in trainer.heads] == [
        ("species", "species", "categorical_crossentropy", 1.0)
    ]
    # test_size 0.2 of 150 rows, then validation_split 0.2 of the other 120.
    assert (len(trainer.data.train), len(trainer.data.validation), len(trainer.data.test)) == (96, 24, 30)
    # Seed 42: the initial weights of a build with seed 42, and the shuffling of epoch_orders(42, ...).
    initial = build_model(design, seed=42).get_weights()
    for ours, theirs in zip(trainer.model.get_weights(), initial, strict=True):
        np.testing.assert_array_equal(ours, theirs)
    other = build_model(design, seed=43).get_weights()
    assert not all(np.array_equal(w, t) for w, t in zip(other, initial, strict=True))


def test_the_optimizer_table_names_every_optimizer_of_the_format():
    assert set(spec.OPTIMIZERS) == set(KERAS_OPTIMIZERS)
    assert {name: optimizers.keras_class_name(name) for name in KERAS_OPTIMIZERS} == KERAS_OPTIMIZERS


def test_each_epoch_visits_the_rows_in_an_order_drawn_from_the_seed():
    orders = list(itertools.islice(training.epoch_orders(42, 96), 3))
    for order in orders:
        assert sorted(order) == list(range(96))
    assert not np.array_equal(orders[0], np.arange(96))
    assert not np.array_equal(orders[0], orders[1])
    again = list(itertools.islice(training.epoch_orders(42, 96), 3))
    assert all(np.array_equal(a, b) for a, b in zip(orders, again, strict=True))
    assert not np.array_equal(next(training.epoch_orders(43, 96)), orders[0])


def test_the_lecture_design_learns_iris(lecture):
    assert lecture.epochs_done == 100
    assert lecture.stop_reason is None
    assert lecture.evaluate(lecture.data.test)["accuracy"] >= 0.9


def test_the_lecture_accuracy_is_the_share_of_test_rows_predicted_right(lecture):
    test = lecture.data.test
    predicted = np.argmax(lecture.model(test.x["input"], training=False), axis=1)
    share = float(np.mean(predicted == IRIS.target[test.rows]))
    assert lecture.evaluate(test)["accuracy"] == pytest.approx(share, abs=1e-6)
    assert share >= 0.9


def test_the_two_output_design_learns_species_and_petal_width(two_outputs):
    scores = two_outputs.evaluate(two_outputs.data.test)
    assert scores["species_accuracy"] >= 0.85
    assert scores["petal_width_mae"] <= 0.35


def test_the_petal_width_error_is_in_centimetres(two_outputs):
    test = two_outputs.data.test
    _, width = two_outputs.model(test.x["input"], training=False)
    actual = IRIS.data[test.rows, PETAL_WIDTH]  # cm, from load_iris()
    mae = float(np.mean(np.abs(np.asarray(width)[:, 0] - actual)))
    assert two_outputs.evaluate(test)["petal_width_mae"] == pytest.approx(mae, abs=1e-5)
    assert mae <= 0.35


def test_one_head_history_has_keras_names(lecture):
    assert set(lecture.history) == ONE_HEAD_KEYS
    assert all(len(values) == 100 for values in lecture.history.values())
    assert_finite_history(lecture.history)


def test_two_head_history_has_keras_names(two_outputs):
    assert set(two_outputs.history) == TWO_HEAD_KEYS
    assert all(len(values) == 100 for values in two_outputs.history.values())
    assert_finite_history(two_outputs.history)


@pytest.mark.parametrize("part_name", ["test", "validation"])
@pytest.mark.parametrize("fixture", ["lecture", "two_outputs"])
def test_evaluate_agrees_with_keras_evaluate(fixture, part_name, request):
    trainer = request.getfixturevalue(fixture)
    part = getattr(trainer.data, part_name)
    ours = trainer.evaluate(part)
    compile_like(trainer.model, trainer.design)
    # One batch for the whole part: Keras' per-head loss trackers ignore batch sizes (see the module docstring).
    theirs = trainer.model.evaluate(
        model_inputs(trainer, part), model_targets(trainer, part), batch_size=len(part), verbose=0, return_dict=True
    )
    assert set(ours) == set(theirs)
    for name, value in theirs.items():
        assert ours[name] == pytest.approx(value, rel=1e-4, abs=1e-6), name


def test_evaluate_with_loss_weights_agrees_with_keras_evaluate():
    design = two_outputs_weighted()
    trainer = training.Trainer(design)
    trainer.train(15)
    part = trainer.data.test
    ours = trainer.evaluate(part)
    compile_like(trainer.model, design)
    theirs = trainer.model.evaluate(
        model_inputs(trainer, part), model_targets(trainer, part), batch_size=len(part), verbose=0, return_dict=True
    )
    assert set(ours) == set(theirs) == TWO_HEAD_TRAIN_KEYS
    for name, value in theirs.items():
        assert ours[name] == pytest.approx(value, rel=1e-4, abs=1e-6), name
    assert ours["loss"] == pytest.approx(ours["species_loss"] + 0.5 * ours["petal_width_loss"], rel=1e-5)


# --- the training loop against Keras' fit ------------------------------------------------------


def rows_of(value, order: np.ndarray):
    """Inputs or targets (an array, a list or a dict of arrays) with their rows in ``order``."""
    if isinstance(value, dict):
        return {name: array[order] for name, array in value.items()}
    if isinstance(value, list):
        return [array[order] for array in value]
    return value[order]


def fit_both(design: dict, epochs: int = 5, extra_metrics: dict | None = None):
    """The trainer's history and Keras fit's, from the same initial weights, each epoch visiting the same rows.

    The trainer shuffles as its public ``epoch_orders`` says; Keras' ``fit``
    (which would shuffle its own way) is given each epoch's rows in that order,
    one epoch per call, with ``shuffle=False``. ``extra_metrics`` (head name ->
    Keras metrics) are added to Keras' side only.
    """
    trainer = training.Trainer(design)
    ours = trainer.train(epochs)
    settings = settings_of(design)
    model = build_model(design, seed=settings["seed"])
    compile_like(model, design, extra_metrics)
    data = trainer.data
    x, y = model_inputs(trainer, data.train), model_targets(trainer, data.train)
    validation = (model_inputs(trainer, data.validation), model_targets(trainer, data.validation))
    theirs: dict[str, list[float]] = {}
    for order in itertools.islice(training.epoch_orders(settings["seed"], len(data.train)), epochs):
        fitted = model.fit(
            rows_of(x, order),
            rows_of(y, order),
            batch_size=settings["batch_size"],
            epochs=1,
            shuffle=False,
            validation_data=validation,
            verbose=0,
        )
        for name, values in fitted.history.items():
            theirs.setdefault(name, []).extend(values)
    return trainer, ours, theirs


def assert_histories_agree(ours, theirs, names) -> None:
    for name in names:
        np.testing.assert_allclose(ours[name], theirs[name], rtol=RTOL, atol=ATOL, err_msg=name)


@pytest.mark.parametrize(
    "design",
    [
        pytest.param(preset("lecture_sequential"), id="lecture"),
        pytest.param(two_outputs_weighted(batch_size=8), id="two_outputs_weights_1_0.5"),
        pytest.param(preset("regularised"), id="dropout_batch_norm"),
        pytest.param(preset("two_input_branches"), id="two_inputs"),
        pytest.param(
            with_training(preset("regularised"), optimizer="sgd", learning_rate=0.05, batch_size=12),
            id="dropout_batch_norm_sgd",
        ),
    ],
)
def test_training_agrees_with_keras_fit(design):
    _, ours, theirs = fit_both(design)
    assert set(ours) == set(theirs)  # Keras 3.15 uses the same names: nothing to map
    assert all(len(values) == 5 for values in ours.values())
    assert_histories_agree(ours, theirs, ours)


def test_training_agrees_with_keras_fit_when_the_last_batch_is_smaller():
    """96 rows in batches of 5 (the last batch is 1 row): everything agrees but Keras' per-head loss trackers.

    Each head's loss is compared with the same loss computed by Keras as a *metric*, which Keras
    does weight by batch size: ``species_xent`` and ``petal_width_mse``.
    """
    extra = {
        "species": [keras.metrics.CategoricalCrossentropy(name="xent")],
        "petal_width": [keras.metrics.MeanSquaredError(name="mse")],
    }
    trainer, ours, theirs = fit_both(two_outputs_weighted(), extra_metrics=extra)
    assert set(theirs) == TWO_HEAD_KEYS | {"species_xent", "petal_width_mse", "val_species_xent", "val_petal_width_mse"}
    assert set(ours) == TWO_HEAD_KEYS
    assert_histories_agree(ours, theirs, TWO_HEAD_KEYS - PER_HEAD_LOSSES)
    for prefix in ("", "val_"):
        np.testing.assert_allclose(ours[f"{prefix}species_loss"], theirs[f"{prefix}species_xent"], rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(
            ours[f"{prefix}petal_width_loss"], theirs[f"{prefix}petal_width_mse"], rtol=RTOL, atol=ATOL
        )
    # The last epoch's validation losses per head, computed here with the final weights.
    validation = trainer.data.validation
    species, width = trainer.model(validation.x["input"], training=False)
    species_loss = np.mean(keras.losses.categorical_crossentropy(validation.y["species"], species))
    width_loss = np.mean((np.asarray(width)[:, 0] - IRIS.data[validation.rows, PETAL_WIDTH]) ** 2)
    assert ours["val_species_loss"][-1] == pytest.approx(float(species_loss), rel=1e-5)
    assert ours["val_petal_width_loss"][-1] == pytest.approx(float(width_loss), rel=1e-5)
    assert ours["val_loss"][-1] == pytest.approx(float(species_loss + 0.5 * width_loss), rel=1e-5)


# --- reproducibility ---------------------------------------------------------------------------


def history_of(design: dict, epochs: int = 15) -> dict[str, list[float]]:
    return training.Trainer(design).train(epochs)


@pytest.mark.parametrize("key", ["lecture_sequential", "regularised", "lecture_two_outputs"])
def test_the_same_seed_gives_the_same_history(key):
    first, second = history_of(preset(key)), history_of(preset(key))
    assert first == second


def test_the_same_seed_gives_the_same_history_in_two_threads_at_once():
    for key in ("lecture_sequential", "regularised"):
        sequential = history_of(preset(key))
        start = threading.Barrier(2)
        results: dict[int, object] = {}

        def train(slot: int, key=key, start=start, results=results) -> None:
            try:
                trainer = training.Trainer(preset(key))
                start.wait(timeout=60)
                results[slot] = trainer.train(15)
            except BaseException as error:  # reported below, in the test's thread
                results[slot] = error

        threads = [threading.Thread(target=train, args=(slot,)) for slot in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads)
        for slot in range(2):
            assert results[slot] == sequential, (key, slot, results[slot])


def test_a_different_seed_gives_a_different_history():
    assert history_of(preset("lecture_sequential")) != history_of(with_training(preset("lecture_sequential"), seed=43))


def test_the_model_and_the_shuffling_depend_on_the_seed_not_only_the_split():
    """Same split (one Dataset), different seed: the history still differs."""
    design = preset("lecture_sequential")
    data = training.prepare(design)
    first = training.Trainer(design, data=data).train(5)
    second = training.Trainer(with_training(design, seed=43), data=data).train(5)
    assert first != second


def test_report_chunks_do_not_change_the_history():
    design = preset("regularised")
    in_one = training.Trainer(design).train(12)
    trainer = training.Trainer(design)
    reports = list(trainer.run(12, updates_per_second=1e9))  # one epoch per chunk
    assert reports == list(range(1, 13))
    assert trainer.history == in_one


def test_no_process_wide_random_state_is_set_or_used(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("process-wide random state must not be touched")

    import keras.src.utils.rng_utils as rng_utils

    monkeypatch.setattr(keras.utils, "set_random_seed", forbidden)
    monkeypatch.setattr(rng_utils, "set_random_seed", forbidden)
    monkeypatch.setattr(np.random, "seed", forbidden)
    monkeypatch.setattr(random, "seed", forbidden)
    monkeypatch.setattr(tf.random, "set_seed", forbidden)
    numpy_state, python_state = np.random.get_state(), random.getstate()
    for design in (preset("regularised"), preset("lecture_two_outputs")):
        trainer = training.Trainer(design)
        history = trainer.train(3)
        assert len(history["loss"]) == 3
    # Nor drawn from: the global generators are where they were.
    after = np.random.get_state()
    assert after[0] == numpy_state[0] and np.array_equal(after[1], numpy_state[1]) and after[2:] == numpy_state[2:]
    assert random.getstate() == python_state


# --- stopping ----------------------------------------------------------------------------------


def test_a_huge_learning_rate_stops_training_with_a_reason():
    design = with_training(preset("lecture_sequential"), optimizer="sgd", learning_rate=1e6, epochs=20)
    trainer = training.Trainer(design)
    history = trainer.train()
    assert trainer.epochs_done < 20
    assert trainer.stop_reason is not None
    assert "learning rate" in trainer.stop_reason.lower()
    assert_finite_history(history)
    assert all(len(values) == trainer.epochs_done for values in history.values())


def test_no_nan_reaches_the_history_when_the_weights_blow_up_at_the_end_of_an_epoch():
    # 96 rows in 3 batches of 32: the epoch-1 training loss is finite (huge), the weights after it are not.
    design = with_training(preset("lecture_sequential"), optimizer="sgd", learning_rate=1e6, batch_size=32, epochs=20)
    trainer = training.Trainer(design)
    history = trainer.train()
    assert trainer.epochs_done < 20
    assert "learning rate" in trainer.stop_reason.lower()
    assert_finite_history(history)


def test_early_stopping_stops_and_restores_the_best_weights():
    design = with_training(preset("lecture_sequential"), early_stopping_patience=3, epochs=500)
    trainer = training.Trainer(design)
    history = trainer.train()
    assert trainer.epochs_done < 500
    assert all(len(values) == trainer.epochs_done for values in history.values())
    assert trainer.stop_reason is not None and "early stopping" in trainer.stop_reason.lower()
    best = int(np.argmin(history["val_loss"]))
    # Keras' EarlyStopping (min_delta 0): stop once `patience` epochs in a row did not beat the best.
    assert trainer.epochs_done == best + 1 + 3
    assert all(value >= history["val_loss"][best] for value in history["val_loss"][best + 1 :])
    assert f"epoch {best + 1}" in trainer.stop_reason
    assert trainer.evaluate(trainer.data.validation)["loss"] == pytest.approx(min(history["val_loss"]), rel=1e-5)


def test_early_stopping_that_never_stops_keeps_the_best_epoch_as_keras_does():
    # Keras' EarlyStopping(restore_best_weights=True) restores the best epoch when fit ends, stopped or not.
    design = with_training(preset("lecture_sequential"), early_stopping_patience=50, epochs=60)
    trainer = training.Trainer(design)
    history = trainer.train()
    assert trainer.epochs_done == 60 and trainer.stop_reason is None
    best = int(np.argmin(history["val_loss"]))
    assert best + 1 < 60, "the case needs a best epoch before the last"
    assert trainer.evaluate(trainer.data.validation)["loss"] == pytest.approx(history["val_loss"][best], rel=1e-5)
    assert f"epoch {best + 1}" in trainer.note


def test_without_early_stopping_the_last_epoch_is_kept():
    trainer = training.Trainer(with_training(preset("lecture_sequential"), epochs=60))
    history = trainer.train()
    assert trainer.evaluate(trainer.data.validation)["loss"] == pytest.approx(history["val_loss"][-1], rel=1e-5)
    assert trainer.note is None


def test_early_stopping_restores_batch_norm_statistics_too():
    design = with_training(preset("regularised"), early_stopping_patience=2, epochs=500, learning_rate=0.01)
    trainer = training.Trainer(design)
    history = trainer.train()
    assert trainer.epochs_done < 500
    assert trainer.evaluate(trainer.data.validation)["loss"] == pytest.approx(min(history["val_loss"]), rel=1e-5)


# --- settings, interruption --------------------------------------------------------------------


def test_a_batch_larger_than_the_training_rows_is_refused():
    with pytest.raises(InvalidDesign) as caught:  # validation refuses it, before anything trains
        training.Trainer(with_training(preset("lecture_sequential"), batch_size=97))
    assert "training.batch_size" in str(caught.value)
    assert "96" in str(caught.value)


def test_a_batch_of_all_the_training_rows_trains():
    trainer = training.Trainer(with_training(preset("lecture_sequential"), batch_size=96))
    history = trainer.train(3)
    assert len(history["loss"]) == 3
    assert_finite_history(history)


def test_run_can_be_interrupted_and_resumed():
    design = preset("lecture_sequential")
    trainer = training.Trainer(design)
    reports = trainer.run(10)
    assert next(reports) == 1  # the first chunk is a single epoch
    reports.close()  # the learner pressed Stop
    assert trainer.epochs_done == 1
    assert {name: len(values) for name, values in trainer.history.items()} == dict.fromkeys(ONE_HEAD_KEYS, 1)
    for _ in trainer.run(9):
        pass
    assert trainer.epochs_done == 10
    assert all(len(values) == 10 for values in trainer.history.values())
    assert trainer.history == training.Trainer(design).train(10)  # as if never interrupted


def test_run_without_epochs_trains_the_designs_epochs_more():
    trainer = training.Trainer(with_training(preset("logistic_regression"), epochs=4))
    reports = trainer.run()
    assert next(reports) == 1
    reports.close()
    assert list(trainer.run())[-1] == 1 + 4
    assert all(len(values) == 5 for values in trainer.history.values())


def with_clocks(monkeypatch, cpu_per_epoch: float, wall_per_epoch: float) -> None:
    """Clocks in which every epoch trained takes these CPU and wall seconds (only training's chunks move them)."""
    clock = {"cpu": 0.0, "wall": 0.0}
    original = training.Trainer._train_chunk

    def timed(self, epochs):
        done = original(self, epochs)
        clock["cpu"] += cpu_per_epoch * done
        clock["wall"] += wall_per_epoch * done
        return done

    monkeypatch.setattr(training.Trainer, "_train_chunk", timed)
    monkeypatch.setattr(training.time, "process_time", lambda: clock["cpu"])
    monkeypatch.setattr(training.time, "perf_counter", lambda: clock["wall"])


def test_chunks_are_sized_by_the_process_cpu_time_at_80_percent_of_a_quarter_second(monkeypatch):
    # 1/64 s of CPU an epoch, and 10 times that of wall time (a busy machine): chunks of at most
    # 0.8 × 0.25 × 64 = 12.8 epochs, growing at most fourfold, so that the worker checks for Stop every
    # 0.2 s of its own progress, however long that takes on the wall clock.
    with_clocks(monkeypatch, cpu_per_epoch=1 / 64, wall_per_epoch=10 / 64)
    reports = list(training.Trainer(preset("lecture_sequential")).run(100))
    assert list(np.diff([0, *reports])) == [1, 4, *[12] * 7, 11]


def test_a_run_ends_after_the_chunk_that_spends_its_seconds(monkeypatch):
    with_clocks(monkeypatch, cpu_per_epoch=1 / 64, wall_per_epoch=1 / 64)
    trainer = training.Trainer(with_training(preset("lecture_sequential"), early_stopping_patience=1000))
    reports = list(trainer.run(2000, seconds=0.5))
    # Chunks of 1, 4, 12, 12 and 12 epochs: 29/64 = 0.45 s after the fourth, 41/64 = 0.64 s after the fifth.
    assert reports == [1, 5, 17, 29, 41]
    assert trainer.out_of_time and trainer.stop_reason is None and trainer.note is None  # not early stopping
    assert trainer.seconds == 41 / 64
    assert all(len(values) == 41 for values in trainer.history.values())
    assert list(trainer.run(10, seconds=0.5)) == [42, 46, 51]  # a step has a budget of its own


# --- optimizers and shapes of network ----------------------------------------------------------


@pytest.mark.parametrize("optimizer", KERAS_OPTIMIZERS)
def test_every_optimizer_trains(optimizer):
    trainer = training.Trainer(with_training(preset("lecture_sequential"), optimizer=optimizer, learning_rate=0.01))
    assert type(trainer.optimizer).__name__ == KERAS_OPTIMIZERS[optimizer]
    assert float(trainer.optimizer.learning_rate) == pytest.approx(0.01)
    history = trainer.train(3)
    assert set(history) == ONE_HEAD_KEYS
    assert all(len(values) == 3 for values in history.values())
    assert_finite_history(history)
    assert trainer.stop_reason is None
    assert history["loss"][-1] < history["loss"][0]


@pytest.mark.parametrize("key", ["two_input_branches", "logistic_regression"])
def test_two_input_groups_and_a_head_on_the_input_train(key):
    trainer = training.Trainer(preset(key))
    history = trainer.train(20)
    assert set(history) == ONE_HEAD_KEYS
    assert all(len(values) == 20 for values in history.values())
    assert_finite_history(history)
    assert history["loss"][-1] < history["loss"][0]
    scores = trainer.evaluate(trainer.data.test)
    assert set(scores) == {"loss", "accuracy"}
    assert scores["accuracy"] > 0.5  # better than guessing one of three species


def test_a_head_on_the_input_agrees_with_keras_fit():
    _, ours, theirs = fit_both(preset("logistic_regression"))
    assert set(ours) == set(theirs)
    assert_histories_agree(ours, theirs, ours)


# A session reuses its engine (model, optimizer, compiled function) for runs of the same architecture.


def test_a_reused_engine_gives_the_history_of_a_fresh_one():
    design = with_training(preset("regularised"), epochs=8, seed=5)
    first = training.Trainer(design)
    first.train()
    other = with_training(preset("regularised"), epochs=8, seed=9, learning_rate=0.01, batch_size=7)
    reused = training.Trainer(other, engine=first.engine)
    assert reused.engine is first.engine
    assert float(reused.optimizer.learning_rate) == pytest.approx(0.01)
    assert reused.train() == training.Trainer(other).train()


def test_an_engine_is_not_reused_for_another_architecture():
    first = training.Trainer(with_training(preset("lecture_sequential"), epochs=2))
    changed = edits.set_field(with_training(preset("lecture_sequential"), epochs=2), "layers", 0, "units", 5)
    assert training.Trainer(changed, engine=first.engine).engine is not first.engine
    optimizer = with_training(preset("lecture_sequential"), epochs=2, optimizer="sgd")
    assert training.Trainer(optimizer, engine=first.engine).engine is not first.engine
    weights = edits.set_field(preset("lecture_two_outputs"), "heads", 1, "loss_weight", 0.5)
    two = training.Trainer(preset("lecture_two_outputs"))
    assert training.Trainer(weights, engine=two.engine).engine is two.engine  # loss weights are arguments


# --- step by step ------------------------------------------------------------------------------


def step_by_step(design: dict, steps: list[int], reuse_engine: bool = True) -> training.Trainer:
    """A run trained in steps of ``steps`` epochs, each step a new Trainer going on from the last one's state.

    Reusing the engine (as a worker does) still resets its weights before the state goes back in.
    """
    state, trainer = None, None
    for epochs in steps:
        engine = trainer.engine if trainer is not None and reuse_engine else None
        trainer = training.Trainer(design, engine=engine, start=state)
        trainer.train(epochs, restore_best=False)
        state = trainer.state()
    return trainer


@pytest.mark.parametrize("key", ["lecture_sequential", "regularised"])  # regularised: dropout and batch norm
def test_a_hundred_single_steps_give_the_hundred_epoch_run(key):
    design = with_training(preset(key), epochs=100)
    whole = training.Trainer(design)
    whole.train()
    stepped = step_by_step(design, [1] * 100)
    assert stepped.epochs_done == 100
    for name, values in whole.history.items():
        np.testing.assert_allclose(stepped.history[name], values, rtol=1e-5, atol=1e-7, err_msg=name)
    ours, theirs = stepped.evaluate(stepped.data.test), whole.evaluate(whole.data.test)
    assert ours == pytest.approx(theirs, rel=1e-5, abs=1e-7)


def test_steps_of_ten_give_the_same_run_as_one_and_the_state_is_plain_data():
    design = with_training(preset("lecture_two_outputs"), epochs=30)
    whole = training.Trainer(design)
    whole.train()
    stepped = step_by_step(design, [10, 10, 10], reuse_engine=False)
    np.testing.assert_allclose(stepped.history["loss"], whole.history["loss"], rtol=1e-5)
    state = stepped.state()
    assert all(isinstance(a, np.ndarray) for a in (*state.variables, *state.optimizer, *state.best_weights))
    assert state.epochs_done == 30


def test_a_fresh_start_with_the_same_seed_gives_the_same_first_epochs():
    design = with_training(preset("lecture_sequential"), epochs=5)
    first, again = training.Trainer(design), training.Trainer(design)
    assert first.train() == again.train()
    other = training.Trainer(with_training(preset("lecture_sequential"), epochs=5, seed=43))
    assert other.train()["loss"] != first.history["loss"]
