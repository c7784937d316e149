"""Each run's budget of training time: refused before it is queued when its estimate is over it, stopped by the
worker when it spends it (keeping its curves and its model), and said so in the page's words.

The estimates are worked by hand from the constants of ``designer/cost.py`` (see tests/test_cost.py).
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from apptest_support import (
    TRAIN_PAGE,
    labelled,
    open_session,
    preset_design,
    press_train,
    set_epochs,
    train_button,
)

from designer import cost, csv_table, edits, presets, workers
from designer.keras_model import restore_model
from designer.training import Trainer
from ui.text import plain

TIMEOUT = 120  # s: a worker's first TensorFlow import can take a while on a busy machine


def ten_thousand_rows() -> bytes:
    """Three measurements and one of three classes, 10,000 rows: the most a CSV file may have."""
    chance = random.Random(5)
    lines = ["a,b,c,label"]
    for _ in range(10_000):
        lines.append(f"{chance.random():.3f},{chance.random():.3f},{chance.random():.3f},{chance.choice('xyz')}")
    return "\n".join(lines).encode()


def huge_csv_design() -> dict:
    """12 Dense layers of 1,024 units on the 10,000 rows, batch size 1, 2,000 epochs."""
    frame = csv_table.read(ten_thousand_rows())
    roles = {"a": "input", "b": "input", "c": "input", "label": "class target"}
    block, inputs, targets = csv_table.columns_for(frame, roles, "big.csv")
    design = edits.csv_design(presets.default_design(), block, inputs, targets)
    design["layers"] = [{"name": f"wide_{i}", "units": 1024} for i in range(12)]
    design["training"] = {"epochs": 2000, "batch_size": 1}
    return design


def test_a_huge_run_is_refused_with_its_estimate_and_what_to_change():
    design = huge_csv_design()
    # 3 inputs → 1,024, eleven 1,024 → 1,024, then 1,024 → the 3 classes; 13 layers with the head.
    parameters = (3 * 1024 + 1024) + 11 * (1024 * 1024 + 1024) + (1024 * 3 + 3)
    assert cost.estimate(design).parameters == parameters == 11_552_771
    # 10,000 rows: 2,000 for the test, 1,600 of the other 8,000 for validation, 6,400 to train on.
    tracing = 0.15 + 13 * 0.09 + parameters * 20e-9
    step = 70e-6 + 13 * 30e-6 + parameters * 2e-9
    arithmetic = parameters * (6400 * 0.1e-9 + 1600 * 0.035e-9 + 0.5e-9) + 0.2e-3

    def seconds(epochs: int, steps: int) -> float:
        return tracing + epochs * (steps * step + arithmetic)

    # 6,400 steps of batch size 1: 159 s an epoch, 317,734 s in all. Not one epoch fits in 60 s at batch size 1,
    # nor 2,000 at the largest batch size (1,000 rows: 7 steps, 8.2 s an epoch); 7 epochs of it do.
    assert round(seconds(2000, 6400)) == 317_734
    assert seconds(1, 6400) > 60 and seconds(2000, 7) > 60
    assert seconds(7, 7) <= 60 < seconds(8, 7)
    assert cost.over_budget(design, 60) == (
        "This run would take about 317,734 s of training; one run may use at most 60 s here. "
        "Raise the batch size to 1,000 and lower the epochs to 7 or fewer (or use fewer units)."
    )


def test_the_budget_is_the_pools_unless_a_run_says_otherwise(monkeypatch):
    monkeypatch.setenv("DESIGNER_RUN_SECONDS", "90")
    assert workers.Settings.from_environment().run_seconds == 90.0
    monkeypatch.delenv("DESIGNER_RUN_SECONDS")
    assert workers.Settings.from_environment().run_seconds == 60.0


@pytest.mark.keras
def test_a_run_that_spends_its_budget_stops_as_stop_does_and_keeps_what_it_learned():
    pool = workers.Pool(workers.Settings(workers=1, run_seconds=0.2))
    try:
        assert pool.wait_ready(TIMEOUT)
        design = presets.default_design()
        design["training"] = {**design.get("training", {}), "epochs": 2000}
        job = pool.submit(design, workers.Request(seconds=1.0))
        assert job.request.seconds == 1.0
        assert job.wait_done(TIMEOUT)
        assert job.state == workers.STOPPED  # not "stopped early": steps may go on from it
        assert 0 < job.epochs_done < 2000
        assert 1.0 <= job.seconds < 2.0  # the chunk under way at the budget ends, then the run
        assert job.message == (
            f"Stopped after {job.epochs_done} of 2000 epochs: this run reached its 1 s of training, the most one "
            "run may use here. Its curves and its model so far are kept; fewer epochs, a larger batch size or "
            "fewer units train within that time."
        )
        assert all(len(values) == job.epochs_done for values in job.history.values())
        assert job.result.out_of_time and job.result.test is not None
        model = restore_model(design, job.result.weights)  # the model of its last epoch, as Stop keeps it
        x = next(iter(Trainer(design).data.test.x.values()))
        assert np.allclose(model.predict(x, verbose=0), job.result.test_predictions["species"], atol=1e-6)
        # Without seconds of its own, a run has the pool's budget.
        short = pool.submit(design)
        assert short.request.seconds == 0.2
        assert short.wait_done(TIMEOUT) and short.state == workers.STOPPED
        assert "reached its 0.2 s of training" in short.message
    finally:
        pool.shutdown()


def test_the_train_button_is_disabled_with_the_budget_reason(monkeypatch):
    monkeypatch.setenv("DESIGNER_RUN_SECONDS", "60")
    design = presets.default_design()
    design["layers"] = [{"name": f"wide_{i}", "units": 1024} for i in range(4)]
    design["training"] = {**design.get("training", {}), "batch_size": 1}
    at = open_session(TRAIN_PAGE, state={"design": design})
    reason = cost.over_budget(design, 60)
    assert reason.startswith("This run would take about 67 s of training; one run may use at most 60 s here.")
    assert train_button(at).disabled
    assert train_button(at).proto.help == plain(reason)  # as Markdown, escaped
    assert [w.value for w in at.warning if w.value.startswith("This run would take")] == [plain(reason)]
    assert not labelled(at.button, "Reset").disabled  # a reset trains nothing; steps then have budgets of their own
    set_epochs(at, 80)  # within the budget now: the button is free, and the warning gone
    assert not train_button(at).disabled
    assert not [w for w in at.warning if w.value.startswith("This run would take")]
    assert not at.exception


@pytest.mark.keras
def test_on_the_page_a_run_that_spends_its_budget_says_so_and_goes_on_by_steps(monkeypatch):
    monkeypatch.setenv("DESIGNER_RUN_SECONDS", "1")
    monkeypatch.setattr(cost, "over_budget", lambda *args, **kwargs: None)  # the estimate lets it through
    at = open_session(TRAIN_PAGE)
    set_epochs(at, 2000)  # about 10 s of training
    assert workers.shared_pool().wait_ready(TIMEOUT)
    press_train(at)
    [run] = at.session_state["runs"]
    assert run.status == workers.STOPPED and 0 < run.epochs_done < 2000
    stopped = f"Stopped after {run.epochs_done} of 2000 epochs: this run reached its 1 s of training"
    assert any(info.value.startswith(plain(stopped)) for info in at.info), [info.value for info in at.info]
    assert run.model == run.number  # its model is kept
    ten_more = labelled(at.button, "+10 epochs")
    assert not ten_more.disabled  # a run stopped by its budget goes on by steps, each with a budget of its own
    ten_more.click().run()
    assert not at.exception
    [stepped] = at.session_state["runs"]
    assert stepped.epochs_done == run.epochs_done + 10


def test_the_seeds_button_is_disabled_when_each_seeds_run_is_over_the_budget(monkeypatch):
    monkeypatch.setenv("DESIGNER_RUN_SECONDS", "60")
    design = edits.set_training(preset_design("exercise_seeds"), "batch_size", 1)  # 100 epochs of 96 steps each
    design["layers"] = [{"name": f"wide_{i}", "units": 1024} for i in range(4)]  # the exercise locks no layer
    reason = cost.over_budget(design, 60)
    assert reason.startswith("This run would take about 67 s of training")  # each seed's run, as worked above
    at = open_session(TRAIN_PAGE, state={"design": design})
    seeds = labelled(at.button, "Train with seeds 42 to 46")
    assert seeds.disabled and seeds.proto.help == plain(reason)
