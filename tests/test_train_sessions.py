"""Many learners, one server: sessions train in worker processes and never see each other's runs.

Each session is a Streamlit ``AppTest`` of the real app; they share this
process, as the sessions of one server do, and so share its one pool.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import sys
import threading
import time

import pytest
from apptest_support import TRAIN_PAGE, open_session, press_train, train_button
from streamlit.testing.v1 import AppTest

from designer import presets, training, workers
from ui import runs

pytestmark = pytest.mark.keras

EPOCHS = 30


def design_with(units: int, seed: int) -> dict:
    design = presets.default_design()
    design["layers"][0]["units"] = units
    design["training"] = {"epochs": EPOCHS, "seed": seed}
    return design


def session_with(design: dict) -> AppTest:
    """A session on the Train page whose design is ``design`` (as a share link would open it)."""
    return open_session(TRAIN_PAGE, state={"design": design}, timeout=180)


def test_training_never_runs_in_the_server_process(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("a training function was traced in the server process")

    monkeypatch.setattr(training, "_compile_chunk", forbidden)
    monkeypatch.setattr(training.Trainer, "run", forbidden)
    at = session_with(design_with(8, seed=5))
    press_train(at)
    [run] = at.session_state["runs"]
    assert run.status == "finished", run.message
    assert run.worker != os.getpid()
    assert len(run.history["loss"]) == EPOCHS


def test_a_session_keeps_plain_data_only():
    """No TensorFlow or Keras object in a session's state after training: arrays, numbers and text."""
    at = session_with(design_with(8, seed=6))
    press_train(at)
    tensorflow_types = tuple(
        t for t in (getattr(sys.modules.get("tensorflow"), "Variable", None), _keras_model()) if t is not None
    )

    def walk(value, path: str) -> None:
        assert not isinstance(value, tensorflow_types), path
        if dataclasses.is_dataclass(value):
            for field in dataclasses.fields(value):
                walk(getattr(value, field.name), f"{path}.{field.name}")
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{path}.{key}")
        elif isinstance(value, (list, tuple)):
            for index, item in enumerate(value):
                walk(item, f"{path}[{index}]")

    for key in ("runs", "trained"):
        walk(at.session_state[key], key)
    assert type(at.session_state["trained"]["weights"][0]).__module__ == "numpy"


def _keras_model():
    keras = sys.modules.get("keras")
    return keras.Model if keras is not None else None


def test_a_killed_worker_shows_a_plain_message_and_the_learner_trains_again():
    pool = workers.shared_pool()
    assert pool.wait_ready(180)
    design = design_with(8, seed=7)
    design["training"]["epochs"] = 2000
    at = session_with(design)
    pressing = threading.Thread(target=press_train, args=(at,))
    pressing.start()
    deadline = time.monotonic() + 120
    while not pool.busy_pids() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # some epochs in
    [victim] = pool.busy_pids()
    os.kill(victim, signal.SIGKILL)
    pressing.join()
    assert not at.exception
    [run] = at.session_state["runs"]
    assert run.status == "failed"
    assert "stopped unexpectedly (signal 9 (SIGKILL))" in run.message
    assert any("press Train to try again" in e.value for e in at.error)
    assert not train_button(at).disabled
    at.session_state["design"]["training"]["epochs"] = 5
    press_train(at)
    assert [r.status for r in at.session_state["runs"]] == ["failed", "finished"]


def test_a_waiting_learner_is_told_their_place():
    pool = workers.shared_pool()
    assert pool.wait_ready(180)
    long = design_with(6, seed=8)
    long["training"]["epochs"] = 2000
    blockers = [pool.submit(long) for _ in range(pool.settings.workers)]
    try:
        while pool.status()["training"] < len(blockers):
            time.sleep(0.05)
        waiting = [pool.submit(design_with(5, seed=9)) for _ in range(3)]
        texts = [runs.waiting_text(job) for job in waiting]
        trainers = pool.settings.workers
        assert texts[0].startswith(f"Waiting for a free trainer: your run is next, {trainers} training now")
        assert texts[2].startswith("Waiting for a free trainer: 2 runs ahead of yours")
        assert texts[2].endswith("Stop cancels it.")
        for job in waiting:
            job.stop()
    finally:
        for job in blockers:
            job.stop()
            job.wait_done(30)


def test_a_huge_network_is_announced_before_it_trains():
    design = presets.default_design()
    design["layers"] = [{"name": f"wide_{i}", "units": 1024} for i in range(32)]
    at = session_with(design)
    [warning] = [w.value for w in at.warning if "parameters" in w.value]
    assert warning.startswith("This network has 32,545,795 parameters: expect about ")
    assert "807 MB of memory while it trains" in warning
    assert f"at most {workers.shared_pool().settings.memory_mb:,} MB here, so it will probably be ended" in warning
    lecture = session_with(presets.default_design())
    assert not [w for w in lecture.warning if "parameters" in w.value]
