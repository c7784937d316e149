"""Tests of ``designer.runs``: Keras' metric names, runs as plain values, the confusion matrix and the results table.

The expected values are worked out by hand here (or, for the metric names,
taken from Keras' own ``fit`` and ``evaluate``), not computed with the module.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from designer import presets
from designer.runs import (
    Head,
    Run,
    confusion_matrix,
    heads_of,
    history_csv,
    history_names,
    kept_model,
    metric_name,
    metric_names,
    results_table,
)

IRIS_SPECIES = ("setosa", "versicolor", "virginica")
SPECIES = Head("species", "species", "categorical_crossentropy", 1.0, IRIS_SPECIES)
WIDTH = Head("petal_width", "petal_width", "mean_squared_error", 0.5, (), "cm")


def one_hot(indices: list[int]) -> np.ndarray:
    return np.eye(3, dtype="float32")[indices]


def lecture(**training) -> dict:
    design = presets.default_design()
    if training:
        design["training"] = training
    return design


# --- Keras' metric names -----------------------------------------------------------------------


def test_one_head_names_are_keras_plain_names():
    heads = [SPECIES]
    assert metric_name(heads) == "loss"
    assert metric_name(heads, SPECIES, "loss") == "loss"
    assert metric_name(heads, SPECIES, "metric") == "accuracy"
    assert metric_name(heads, SPECIES, "metric", validation=True) == "val_accuracy"
    assert metric_names(heads) == ["loss", "accuracy"]
    assert history_names(heads, validation=True) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert history_names(heads, validation=False) == ["loss", "accuracy"]
    assert metric_names([WIDTH]) == ["loss", "mae"]


def test_several_heads_are_prefixed_with_their_names():
    heads = [SPECIES, WIDTH]
    assert metric_name(heads) == "loss"
    assert metric_name(heads, validation=True) == "val_loss"
    assert metric_name(heads, SPECIES, "loss") == "species_loss"
    assert metric_name(heads, WIDTH, "metric") == "petal_width_mae"
    assert metric_name(heads, WIDTH, "loss", validation=True) == "val_petal_width_loss"
    assert metric_names(heads) == ["loss", "species_loss", "petal_width_loss", "species_accuracy", "petal_width_mae"]
    assert history_names(heads, validation=True)[5:] == [
        "val_loss",
        "val_species_loss",
        "val_petal_width_loss",
        "val_species_accuracy",
        "val_petal_width_mae",
    ]


def test_a_quantity_that_is_not_there_is_refused():
    with pytest.raises(ValueError):
        metric_name([SPECIES], SPECIES, "accuracy")
    with pytest.raises(ValueError):
        metric_name([SPECIES], None, "metric")


@pytest.mark.keras
@pytest.mark.parametrize("heads", [[SPECIES], [SPECIES, WIDTH]], ids=["one_head", "two_heads"])
def test_the_names_are_the_ones_keras_fit_and_evaluate_give(heads):
    """A tiny model with the same heads, compiled as a learner would, trained one epoch by Keras itself."""
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    x, x_val = rng.normal(size=(12, 2)).astype("float32"), rng.normal(size=(6, 2)).astype("float32")
    inputs = keras.Input(shape=(2,), name="input")
    outputs, targets, validation_targets = [], {}, {}
    for head in heads:
        if head.target == "species":
            outputs.append(keras.layers.Dense(3, activation="softmax", name=head.name)(inputs))
            targets[head.name], validation_targets[head.name] = one_hot([0, 1, 2] * 4), one_hot([0, 1, 2] * 2)
        else:
            outputs.append(keras.layers.Dense(1, name=head.name)(inputs))
            targets[head.name], validation_targets[head.name] = rng.normal(size=(12, 1)), rng.normal(size=(6, 1))
    single = len(heads) == 1
    model = keras.Model(inputs, outputs[0] if single else outputs)
    metrics = {h.name: ["accuracy" if h.target == "species" else "mae"] for h in heads}
    model.compile(
        optimizer="adam",
        loss=heads[0].loss if single else {h.name: h.loss for h in heads},
        metrics=metrics[heads[0].name] if single else metrics,
        loss_weights=None if single else {h.name: h.weight for h in heads},
    )
    y = targets[heads[0].name] if single else targets
    y_val = validation_targets[heads[0].name] if single else validation_targets
    history = model.fit(x, y, validation_data=(x_val, y_val), epochs=1, batch_size=4, verbose=0).history
    assert sorted(history) == sorted(history_names(heads, validation=True))
    scores = model.evaluate(x_val, y_val, verbose=0, return_dict=True)
    assert sorted(scores) == sorted(metric_names(heads))


# --- the confusion matrix and the results table --------------------------------------------------


def test_the_confusion_matrix_counts_true_species_by_row_and_predicted_by_column():
    # Six test rows: true setosa, setosa, versicolor, virginica, virginica, versicolor.
    actual = one_hot([0, 0, 1, 2, 2, 1])
    # The softmax outputs: their largest entries say setosa, versicolor, versicolor, virginica, setosa, versicolor.
    predicted = np.array(
        [
            [0.8, 0.1, 0.1],
            [0.3, 0.6, 0.1],
            [0.2, 0.7, 0.1],
            [0.1, 0.2, 0.7],
            [0.5, 0.1, 0.4],
            [0.1, 0.5, 0.4],
        ]
    )
    expected = [
        [1, 1, 0],  # setosa: one right, one taken for versicolor
        [0, 2, 0],  # versicolor: both right
        [1, 0, 1],  # virginica: one right, one taken for setosa
    ]
    assert confusion_matrix(actual, predicted).tolist() == expected


def test_the_confusion_matrix_keeps_a_species_that_never_occurs():
    actual, predicted = one_hot([0, 1]), one_hot([0, 0])
    assert confusion_matrix(actual, predicted).tolist() == [[1, 0, 0], [1, 0, 0], [0, 0, 0]]


def test_the_results_table_of_one_head():
    rows = results_table([SPECIES], {"loss": 0.123456, "accuracy": 0.96666})
    assert rows == [{"head": "species", "predicts": "species", "loss": "0.1235", "score": "accuracy 96.7%"}]


def test_the_results_table_of_two_heads():
    test = {
        "loss": 0.4,
        "species_loss": 0.151349,
        "petal_width_loss": 0.04781,
        "species_accuracy": 0.9,
        "petal_width_mae": 0.15524,
    }
    assert results_table([SPECIES, WIDTH], test) == [
        {"head": "species", "predicts": "species", "loss": "0.1513", "score": "accuracy 90.0%"},
        {"head": "petal_width", "predicts": "petal_width", "loss": "0.0478", "score": "mean absolute error 0.155 cm"},
    ]


def test_the_history_as_csv():
    history = {"loss": [1.5, 0.25], "accuracy": [0.5, 0.75]}
    assert history_csv(history) == "epoch,loss,accuracy\n1,1.5,0.5\n2,0.25,0.75\n"


# --- runs as values ------------------------------------------------------------------------------


def test_heads_of_the_two_output_preset():
    design = next(p for p in presets.presets() if p.key == "lecture_two_outputs").load()
    assert [(h.name, h.target, h.loss, h.metric) for h in heads_of(design)] == [
        ("species", "species", "categorical_crossentropy", "accuracy"),
        ("petal_width", "petal_width", "mean_squared_error", "mae"),
    ]


def test_a_new_run_is_labelled_and_named_from_its_number_and_settings():
    run = Run.start(2, lecture(learning_rate=0.01))
    assert run.label == "Run 2: adam, lr 0.01, batch 5, seed 42"
    assert run.stem == "run_2"
    assert run.settings["learning_rate"] == 0.01 and run.settings["epochs"] == 100 and run.settings["seed"] == 42
    assert run.heads == (Head("species", "species", "categorical_crossentropy", 1.0, IRIS_SPECIES),)
    assert (run.status, run.message, run.history, run.test, run.model) == ("queued", "", {}, None, None)
    assert run.epochs_done == 0


def test_a_run_copies_its_history_and_is_frozen():
    history = {"loss": [1.0, 0.5]}
    run = Run.start(1, lecture()).replace(history=history, status="finished")
    history["loss"].append(0.25)
    assert run.history == {"loss": [1.0, 0.5]}
    assert run.epochs_done == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        run.status = "failed"
    assert run == Run.start(1, lecture()).replace(history={"loss": [1.0, 0.5]}, status="finished")


def test_a_run_is_plain_data():
    """What a session keeps: JSON-like values only (no TensorFlow, Keras or NumPy object)."""
    run = Run.start(1, lecture()).replace(
        history={"loss": [np.float32(0.5)]}, test={"loss": np.float64(0.25), "accuracy": 0.9}, worker=123, model=1
    )
    plain = dataclasses.asdict(run)
    as_lists = [{**head, "classes": list(head["classes"])} for head in plain["heads"]]
    assert json.loads(json.dumps(plain)) == {**plain, "heads": as_lists}  # JSON has no tuples
    assert type(run.history["loss"][0]) is float and type(run.test["loss"]) is float


def test_a_kept_model_belongs_to_the_run_with_its_number():
    kept = {"number": 2, "design": lecture(), "epochs": 5, "weights": [], "test_predictions": {}, "test_targets": {}}
    first, second = Run.start(1, lecture()).replace(model=1), Run.start(2, lecture()).replace(model=2)
    assert kept_model(second, kept) is kept
    assert kept_model(first, kept) is None  # let go when the second run's model was kept
    assert kept_model(Run.start(2, lecture()), kept) is None  # a run without a model (failed, too large)
    assert kept_model(second, None) is None


def test_runs_compared_are_told_apart_by_how_far_they_went():
    """Two runs of the same settings, one stopped after 1,019 epochs, one of 100: their labels differ in both."""
    design = presets.default_design()
    stopped = Run.start(1, design).replace(status="stopped", history={"loss": [1.0] * 1019})
    finished = Run.start(2, design).replace(status="finished", history={"loss": [1.0] * 100})
    assert stopped.compared_label == "Run 1: adam, lr 0.001, batch 5, seed 42, 1019 epochs (stopped)"
    assert finished.compared_label == "Run 2: adam, lr 0.001, batch 5, seed 42, 100 epochs"


def test_a_reset_run_reads_as_untrained_not_finished():
    design = presets.default_design()
    reset = Run.start(1, design).replace(status="finished")
    assert reset.untrained and reset.state_text == "reset, untrained (epoch 0)"
    trained = reset.replace(history={"loss": [1.0]})
    assert not trained.untrained and trained.state_text == "finished"
