"""The training pool: worker processes, the fair queue, Stop, dead and retired workers, reproducibility.

The reference for every history is :class:`designer.training.Trainer` run in
this test process (itself held to Keras' ``model.fit`` by test_training.py).
"""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pytest

from designer import presets, tf_runtime, workers
from designer.keras_model import restore_model
from designer.training import Trainer

pytestmark = pytest.mark.keras

TIMEOUT = 120  # s: a worker's first TensorFlow import can take a while on a busy machine


def lecture(**training) -> dict:
    design = presets.default_design()
    design["training"] = {**design.get("training", {}), "epochs": 5, **training}
    return design


def wider(units: int, **training) -> dict:
    design = lecture(**training)
    design["layers"][0]["units"] = units
    return design


@pytest.fixture(scope="module")
def pool():
    """Two warm workers, shared by the tests that leave them as they found them."""
    pool = workers.Pool(workers.Settings(workers=2))
    assert pool.wait_ready(TIMEOUT)
    yield pool
    pool.shutdown()


def finished(job: workers.Job) -> workers.Job:
    assert job.wait_done(TIMEOUT), f"job {job.id} still {job.state}"
    return job


def reference_history(design: dict) -> dict:
    return Trainer(design).train()


def test_a_run_trains_in_a_worker_process_and_matches_training_here(pool):
    design = wider(12, seed=3)
    job = finished(pool.submit(design))
    assert job.state == workers.FINISHED and job.message == ""
    assert job.worker in pool.pids() and job.worker != os.getpid()
    assert job.history == reference_history(design)
    assert job.result.history == job.history
    # The weights come back as arrays, and the model rebuilt from them predicts what the worker predicted.
    model = restore_model(design, job.result.weights)
    x = next(iter(Trainer(design).data.test.x.values()))
    assert np.allclose(model.predict(x, verbose=0), job.result.test_predictions["species"], atol=1e-6)
    assert job.result.test["accuracy"] == pytest.approx(
        np.mean(job.result.test_predictions["species"].argmax(1) == job.result.test_targets["species"].argmax(1))
    )


def test_the_same_design_and_seed_give_the_same_history_on_either_worker(pool):
    design = wider(9, seed=11)
    first, second = pool.submit(design), pool.submit(design)  # both free workers take one each
    finished(first), finished(second)
    assert first.worker != second.worker
    assert first.history == second.history == reference_history(design)


def test_progress_arrives_while_training(pool):
    job = pool.submit(lecture(epochs=400))
    reports = []
    while not job.done:
        job.wait(1)
        reports.append(job.snapshot().epochs_done)
    assert job.state == workers.FINISHED
    assert len(set(reports)) >= 3, reports  # several reports, not one at the end
    assert job.first_report_at - job.started_at < job.ended_at - job.started_at
    assert all(len(values) == 400 for values in job.history.values())


def test_the_queue_is_served_in_order_and_tells_each_run_its_place(pool):
    blockers = [pool.submit(lecture(epochs=2000)) for _ in range(2)]
    while any(b.state != workers.RUNNING for b in blockers):
        blockers[0].wait(0.2)
    waiting = [pool.submit(wider(10 + i, epochs=2)) for i in range(3)]
    assert [job.place() for job in waiting] == [0, 1, 2]
    assert pool.status()["waiting"] == 3
    waiting[1].stop()  # cancel while waiting
    assert waiting[1].state == workers.CANCELLED and waiting[1].done
    assert [waiting[0].place(), waiting[2].place()] == [0, 1]
    for blocker in blockers:
        blocker.stop()
    for job in (waiting[0], waiting[2]):
        finished(job)
    assert waiting[0].started_at <= waiting[2].started_at
    assert [b.state for b in blockers] == [workers.STOPPED] * 2
    assert waiting[1].history == {} and waiting[1].started_at is None


def test_stop_ends_a_run_promptly_and_keeps_what_it_learned(pool):
    job = pool.submit(lecture(epochs=2000))
    while job.epochs_done < 3:
        job.wait(1)
    asked = time.monotonic()
    job.stop()
    finished(job)
    assert job.ended_at - asked < 1.0
    assert job.state == workers.STOPPED
    assert job.message == f"Stopped after {job.epochs_done} of 2000 epochs."
    assert 3 <= job.epochs_done < 2000
    assert all(len(values) == job.epochs_done for values in job.history.values())
    assert job.result.weights is not None and job.result.test is not None


def test_workers_run_niced_on_one_tensorflow_thread_and_say_so_when_ready(pool):
    assert pool.wait_ready(TIMEOUT)
    facts = pool.worker_facts()
    assert sorted(facts) == sorted(pool.pids())
    niceness = min(19, os.getpriority(os.PRIO_PROCESS, 0) + tf_runtime.WORKER_NICENESS)  # ours, and 5 more
    for fact in facts.values():
        assert fact["niceness"] == niceness
        assert fact["intra_op_threads"] == fact["inter_op_threads"] == 1
        assert fact["environment"] == {
            "TF_NUM_INTRAOP_THREADS": "1",
            "TF_NUM_INTEROP_THREADS": "1",
            "OMP_NUM_THREADS": "1",
        }
        assert fact["tensorflow_imported_first"] is False  # the environment was set before TensorFlow read it


def test_a_run_that_waits_too_long_is_refused():
    pool = workers.Pool(workers.Settings(workers=1, queue_wait_seconds=0.5, warm_up=False))
    try:
        assert pool.wait_ready(TIMEOUT)
        blocker = pool.submit(lecture(epochs=2000))
        late = pool.submit(lecture())
        finished(late)
        assert late.state == workers.REFUSED
        assert late.message.startswith("The server is busy: this run waited 0 s")  # 0.5 s, as the limit says
        blocker.stop()
        finished(blocker)
    finally:
        pool.shutdown()


def test_a_killed_worker_costs_only_its_own_run(pool):
    victim = pool.submit(lecture(epochs=2000))
    while victim.epochs_done < 2:
        victim.wait(1)
    bystander = pool.submit(wider(7, epochs=300))
    os.kill(victim.worker, signal.SIGKILL)
    finished(victim)
    assert victim.state == workers.FAILED
    assert "stopped unexpectedly (signal 9 (SIGKILL))" in victim.message
    assert "press Train to try again" in victim.message
    finished(bystander)
    assert bystander.state == workers.FINISHED
    # The pool replaced the dead worker, and the next run trains as usual.
    assert pool.wait_ready(TIMEOUT)
    assert len(pool.pids()) == 2 and victim.worker not in pool.pids()
    after = finished(pool.submit(lecture()))
    assert after.state == workers.FINISHED


def test_a_worker_is_retired_after_its_runs_and_replaced_before_it_goes():
    pool = workers.Pool(workers.Settings(workers=1, max_runs=2, warm_up=False))
    try:
        assert pool.wait_ready(TIMEOUT)
        first, second = finished(pool.submit(lecture())), finished(pool.submit(lecture()))
        assert first.worker == second.worker
        old = first.worker
        deadline = time.monotonic() + TIMEOUT
        while old in pool.pids() and time.monotonic() < deadline:
            time.sleep(0.05)
        third = finished(pool.submit(lecture()))
        assert third.worker != old
        assert third.history == first.history  # the same design and seed, on the new worker
        events = [(e.what, e.pid) for e in pool.events]
        new = third.worker
        # The replacement was started, and was ready, before the old worker went.
        assert events.index(("spawn", new)) < events.index(("exit:retired", old))
        assert events.index(("ready", new)) < events.index(("exit:retired", old))
    finally:
        pool.shutdown()


def test_a_worker_above_its_memory_ceiling_is_ended_and_the_learner_told():
    pool = workers.Pool(workers.Settings(workers=1, memory_mb=100, warm_up=False))
    try:
        assert pool.wait_ready(TIMEOUT)
        job = finished(pool.submit(lecture()))
        assert job.state == workers.FAILED
        assert job.message.startswith("This network needed more than 100 MB of memory")
        assert pool.wait_ready(TIMEOUT)  # replaced
        assert [e.what for e in pool.events].count("exit:memory") >= 1
    finally:
        pool.shutdown()


def test_runs_from_many_threads_each_get_their_own_history(pool):
    designs = [wider(4 + i, seed=i) for i in range(6)]
    results: dict[int, dict] = {}

    def train(index: int) -> None:
        results[index] = finished(pool.submit(designs[index])).history

    threads = [threading.Thread(target=train, args=(i,)) for i in range(len(designs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for index, design in enumerate(designs):
        assert results[index] == reference_history(design), index


def test_a_refused_design_comes_back_with_its_reason(pool):
    job = finished(pool.submit(lecture(batch_size=500)))
    assert job.state == workers.REFUSED
    assert job.message == "training.batch_size must be at most the 96 training rows, got 500"  # validated by the worker


def test_the_pool_is_sized_by_the_cpu_quota(monkeypatch):
    monkeypatch.setattr(workers, "_cgroup_cpu_quota", lambda: 0.078)
    assert workers.cpu_budget() == 1
    monkeypatch.setattr(workers, "_cgroup_cpu_quota", lambda: 2.0)
    assert workers.cpu_budget() == min(2, len(os.sched_getaffinity(0)))
    monkeypatch.setattr(workers, "_cgroup_cpu_quota", lambda: None)
    assert workers.cpu_budget() == len(os.sched_getaffinity(0))
    monkeypatch.setattr(workers, "_cgroup_memory_limit_mb", lambda: 690.0)
    assert workers.default_workers() == 1


def test_stop_ends_even_the_first_epoch_of_a_huge_network(pool):
    huge = lecture(epochs=5, batch_size=1)
    huge["layers"] = [{"name": f"wide_{i}", "units": 1024} for i in range(8)]  # 7.4 million parameters
    job = pool.submit(huge)
    while job.state != workers.RUNNING:
        job.wait(1)
    time.sleep(0.3)
    assert job.epochs_done == 0  # an epoch of 96 batch steps takes seconds
    asked = time.monotonic()
    job.stop()
    finished(job)
    assert job.ended_at - asked < workers.STOP_GRACE_SECONDS + 0.5
    assert job.state == workers.STOPPED
    assert (
        job.message
        == "Stopped after 0 of 5 epochs, in the middle of an epoch; the weights of that moment were not kept."
    )
    assert pool.wait_ready(TIMEOUT) and len(pool.pids()) == 2  # the ended worker was replaced


def test_stop_just_after_a_worker_takes_the_run_is_not_lost(pool):
    job = pool.submit(wider(37, epochs=2000))  # a new network: building and tracing it takes a moment
    while job.state == workers.QUEUED:
        time.sleep(0.001)
    job.stop()
    finished(job)
    assert job.state == workers.STOPPED
    assert job.epochs_done < 2000


def test_a_replacement_that_dies_while_starting_is_replaced_and_the_old_worker_still_retires():
    pool = workers.Pool(workers.Settings(workers=1, max_runs=1, warm_up=False))
    try:
        assert pool.wait_ready(TIMEOUT)
        old = finished(pool.submit(lecture())).worker
        [replacement] = [e.pid for e in pool.events if e.what == "spawn" and e.pid != old]
        os.kill(replacement, signal.SIGKILL)
        deadline = time.monotonic() + TIMEOUT
        while (old in pool.pids() or not pool.wait_ready(1)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert old not in pool.pids() and replacement not in pool.pids()
        assert len(pool.pids()) == 1  # one worker, as the pool's size says: none left behind
        assert finished(pool.submit(lecture())).state == workers.FINISHED
    finally:
        pool.shutdown()
