"""Classroom faults: how fast Stop takes under load, and what a killed worker costs (current app only).

(a) Stop under load: ``--jobs`` (10) long runs of different networks
    (``--stop-epochs``, 2000 each, far longer than the test) are submitted to
    ``workers.shared_pool()`` at once, as 10 sessions' Train presses (batch size
    ``--stop-batch-size``, 1: 2000 epochs, the most a design may ask, of the
    default batch of 5 take about 3 s here, less than the stops take); once 2 are
    training (as many as there are workers here), each is stopped, one at a time
    in a random order, after a random wait of 0.2-1 s. Measured per job: from
    ``job.stop()`` to the job's ``ended_at``. Reported separately for jobs that
    were training when stopped and jobs still waiting (among them, any that the
    dispatcher had handed to a worker which had not yet said it started). A job
    that has not ended ``--stop-timeout`` s after its stop, or that ended
    ``finished`` all the same, is counted as not stopped. Target: p95 < 1 s
    (training and waiting alike), every job stopped.

(b) Faults: ``--sessions`` (4) ``AppTest`` sessions of the real app, in threads,
    each pressing Train again and again (``--fault-epochs``, 400-epoch runs),
    while a killer thread sends SIGKILL ``--kills`` (10) times to the worker
    process of a run that is training at that moment, each time after the pool
    is ready again (``pool.wait_ready()``), so that every kill hits a warm pool.
    Once the kills are done, each session finishes the run it is in and stops.
    Reported: kills done (and how many hit a run still training), sessions lost
    (an AppTest that raised, or whose ``at.exception`` is not empty), tracebacks
    shown (``at.exception`` elements over all runs), runs failed by a kill
    (status ``failed``, message "stopped unexpectedly"), runs completed
    (``finished``) and any other run. Targets: 0 sessions lost, 0 tracebacks,
    every run that was not killed completed.

    python benchmarks/classroom_faults.py [--part a|b|both] [--jobs 10] [--kills 10] [--sessions 4]
    python benchmarks/classroom_faults.py --kills 2 --sessions 2     # a quick try

Each part runs in a subprocess of its own, with a pool of its own. Writes
``benchmarks/results/classroom_faults.json``. Bounded by ``--deadline`` per
part and ``--run-timeout`` per AppTest run. Always exits 0: it is a measurement.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import threading
import time

import classroom
from classroom import App, emit, log, network, percentile, rounded, run_driver
from report import run_benchmark, write_results

RESULTS = classroom.RESULTS / "classroom_faults.json"
STOP_TARGET_SECONDS = 1.0
KILLED = "stopped unexpectedly"


def spread(values: list[float]) -> dict:
    return {
        "count": len(values),
        "p50": rounded(percentile(values, 50)),
        "p95": rounded(percentile(values, 95)),
        "max": rounded(max(values) if values else None),
    }


def long_run(n: int, epochs: int, batch_size: int) -> dict:
    design = network(n, epochs)
    design["training"]["batch_size"] = batch_size
    return design


def stop_under_load(jobs: int, epochs: int, batch_size: int, stop_timeout: float, seed: int, deadline: float) -> dict:
    """(a): submit ``jobs`` long runs, then stop each in a random order; stop() -> ended_at per job."""
    from designer import workers

    rng = random.Random(seed)
    pool = workers.shared_pool()
    started = time.monotonic()
    if not pool.wait_ready(timeout=300):
        raise RuntimeError("the training workers were not ready within 300 s")
    warm_up = time.monotonic() - started
    submitted = [pool.submit(long_run(n, epochs, batch_size)) for n in range(jobs)]
    stop_at = time.monotonic() + deadline
    while sum(j.state == workers.RUNNING for j in submitted) < min(2, jobs):
        if time.monotonic() > stop_at or any(j.done for j in submitted):
            raise RuntimeError(f"never 2 running: {[(j.state, j.message) for j in submitted]}")
        time.sleep(0.02)
    stops = []
    for job in rng.sample(submitted, len(submitted)):
        time.sleep(rng.uniform(0.2, 1.0))
        now = job.snapshot()
        with pool._lock:  # only to tell a job handed to a worker from one still in the queue
            queued = job in pool._queue
        where = "running" if now.state == workers.RUNNING else "waiting" if now.state == workers.QUEUED else "ended"
        asked = time.monotonic()
        job.stop()
        ended = job.wait_done(timeout=stop_timeout)
        stops.append(
            {
                "job": job.id,
                "when_stopped": where,
                "handed_to_worker_not_started": now.state == workers.QUEUED and not queued,
                "epochs_done_at_stop": now.epochs_done,
                "seconds": rounded(job.ended_at - asked) if ended and where != "ended" else None,
                "state": job.state,
                "epochs_done": job.epochs_done,
                "message": job.message[:200],
            }
        )
        log(f"[faults a] job {job.id} ({where}): {stops[-1]['seconds']} s, {job.state}")
    for job in submitted:
        job.stop()
    groups = {}
    for where in ("running", "waiting"):
        chosen = [s for s in stops if s["when_stopped"] == where]
        groups[where] = spread([s["seconds"] for s in chosen if s["seconds"] is not None])
        groups[where]["not_stopped"] = sum(s["seconds"] is None for s in chosen)
        groups[where]["trained_to_the_end"] = sum(s["state"] == workers.FINISHED for s in chosen)  # stop lost
    every = [s["seconds"] for s in stops if s["seconds"] is not None]
    not_stopped = sum(g["not_stopped"] + g["trained_to_the_end"] for g in groups.values())
    p95 = percentile(every, 95)
    events: dict[str, int] = {}
    for event in pool.events:
        events[event.what] = events.get(event.what, 0) + 1
    return {
        "jobs": jobs,
        "epochs": epochs,
        "batch_size": batch_size,
        "warm_up_seconds": round(warm_up, 2),
        "all": spread(every) | {"not_stopped": not_stopped},
        **groups,
        "ended_before_their_stop": sum(s["when_stopped"] == "ended" for s in stops),
        "handed_to_worker_not_started": sum(s["handed_to_worker_not_started"] for s in stops),
        "stops": stops,
        "pool_events": events,
        "target_p95_seconds": STOP_TARGET_SECONDS,
        "verdict": "PASS" if not not_stopped and p95 is not None and p95 < STOP_TARGET_SECONDS else "FAIL",
    }


def faults(sessions: int, kills: int, epochs: int, run_timeout: float, seed: int, deadline: float) -> dict:
    """(b): sessions train again and again while the worker of a running job is killed ``kills`` times."""
    from designer import workers

    rng = random.Random(seed)
    app = App("current", run_timeout)
    opened = [app.open(network(s, epochs), learner=s) for s in range(sessions)]
    warm_up = app.warm_up()
    pool = app.pool()
    submitted: list = []
    submit = pool.submit

    def recorded_submit(design: dict):
        job = submit(design)
        submitted.append(job)
        return job

    pool.submit = recorded_submit  # the pages' workers.shared_pool().submit(...)
    records: list[dict] = []
    lost: list[dict] = []
    lock = threading.Lock()
    kills_over = threading.Event()
    started = time.monotonic()
    stop_at = started + deadline

    def learner(s: int) -> None:
        at = opened[s]
        while not kills_over.is_set() and time.monotonic() < stop_at:
            record = app.press(at, s)
            with lock:
                records.append(record)
            if record["error"] or record["exceptions"]:
                with lock:
                    lost.append({"session": s, "error": record["error"], "exceptions": record["exceptions"]})
                return

    kill_log: list[dict] = []

    def killer() -> None:
        while len(kill_log) < kills and time.monotonic() < stop_at and any(t.is_alive() for t in threads):
            ready_from = time.monotonic()
            if not pool.wait_ready(timeout=max(1.0, stop_at - time.monotonic())):
                break
            ready_after = time.monotonic() - ready_from
            time.sleep(rng.uniform(0.2, 0.8))  # into a run
            job = None
            looked_until = time.monotonic() + 2
            while job is None and time.monotonic() < looked_until:
                running = [j for j in submitted if j.state == workers.RUNNING and j.worker and not j.done]
                training = [j for j in running if j.epochs_done]  # past its first chunk, if one is
                if training or (running and time.monotonic() > looked_until - 0.5):
                    job = rng.choice(training or running)
                else:
                    time.sleep(0.01)
            if job is None:
                continue
            with_epochs = job.epochs_done
            try:
                os.kill(job.worker, signal.SIGKILL)
            except ProcessLookupError:
                continue
            job.wait_done(timeout=30)
            kill_log.append(
                {
                    "job": job.id,
                    "pid": job.worker,
                    "epochs_done": with_epochs,
                    "state": job.state,
                    "hit": job.state == workers.FAILED and KILLED in job.message,
                    "message": job.message[:200],
                    "waited_for_ready_seconds": round(ready_after, 2),
                }
            )
            log(f"[faults b] kill {len(kill_log)}: job {job.id} after {with_epochs} epochs -> {job.state}")
        kills_over.set()

    threads = [threading.Thread(target=learner, args=(s,), name=f"session-{s}", daemon=True) for s in range(sessions)]
    killing = threading.Thread(target=killer, name="killer", daemon=True)
    for thread in [*threads, killing]:
        thread.start()
    killing.join(timeout=deadline + 30)
    kills_over.set()
    for thread in threads:
        thread.join(timeout=run_timeout + 30)
    seconds = time.monotonic() - started

    killed_runs = [r for r in records if r["status"] == workers.FAILED and KILLED in r["message"]]
    completed = [r for r in records if r["completed"]]
    others = [r for r in records if r not in killed_runs and r not in completed]
    tracebacks = sum(len(r["exceptions"]) for r in records)
    return {
        "sessions": sessions,
        "epochs": epochs,
        "warm_up_seconds": round(warm_up, 2),
        "kills_planned": kills,
        "kills_done": len(kill_log),
        "kills_that_hit_a_training_run": sum(k["hit"] for k in kill_log),
        "sessions_lost": len(lost),
        "tracebacks_shown": tracebacks,
        "runs": len(records),
        "runs_failed_by_a_kill": len(killed_runs),
        "runs_completed": len(completed),
        "runs_other": len(others),
        "other_runs": [{k: r[k] for k in ("learner", "status", "message", "error")} for r in others],
        "lost": lost,
        "kills": kill_log,
        "seconds": round(seconds, 1),
        "verdict": "PASS" if not lost and not tracebacks and not others and len(kill_log) == kills else "FAIL",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("a", "b", "both"), default="both", help="which measurement (both)")
    parser.add_argument("--jobs", type=int, default=10, help="(a): long runs submitted at once (default 10)")
    parser.add_argument("--stop-epochs", type=int, default=2000, help="(a): epochs of each long run (default 2000)")
    parser.add_argument("--stop-batch-size", type=int, default=1, help="(a): batch size of the long runs (1)")
    parser.add_argument("--stop-timeout", type=float, default=30.0, help="(a): s a stopped job may take to end (30)")
    parser.add_argument("--sessions", type=int, default=4, help="(b): sessions training again and again (default 4)")
    parser.add_argument("--kills", type=int, default=10, help="(b): workers killed (default 10)")
    parser.add_argument("--fault-epochs", type=int, default=400, help="(b): epochs of each run (default 400)")
    parser.add_argument("--run-timeout", type=float, default=300.0, help="(b): s one run may take (default 300)")
    parser.add_argument("--seed", type=int, default=0, help="random order and waits (default 0)")
    parser.add_argument("--deadline", type=float, default=900.0, help="s each part may take (default 900)")
    parser.add_argument("--driver", choices=("a", "b"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.driver:
        try:
            if args.driver == "a":
                a = args
                emit(stop_under_load(a.jobs, a.stop_epochs, a.stop_batch_size, a.stop_timeout, a.seed, a.deadline))
            else:
                emit(faults(args.sessions, args.kills, args.fault_epochs, args.run_timeout, args.seed, args.deadline))
        except Exception as error:  # told to the parent
            emit({"error": repr(error)})
        return

    started = time.monotonic()
    common = ["--seed", str(args.seed), "--deadline", str(args.deadline), "--run-timeout", str(args.run_timeout)]
    timeout = args.deadline + args.run_timeout + 600
    figures: dict = {}
    script = "classroom_faults.py"
    if args.part in ("a", "both"):
        arguments = [*common, "--jobs", str(args.jobs), "--stop-epochs", str(args.stop_epochs)]
        arguments += ["--stop-batch-size", str(args.stop_batch_size), "--stop-timeout", str(args.stop_timeout)]
        arguments += ["--driver", "a"]
        a = figures["stop_under_load"] = run_driver("current", script, arguments, timeout)
        if a.get("error"):
            print(f"(a) ERROR {a['error']}")
        else:
            for where in ("running", "waiting"):
                g = a[where]
                print(
                    f"(a) stop -> end, {g['count']} {where}: p50 {g['p50']} s, p95 {g['p95']} s, max {g['max']} s"
                    + (f", {g['not_stopped']} not ended in time" if g["not_stopped"] else "")
                    + (f", {g['trained_to_the_end']} trained to the end" if g["trained_to_the_end"] else "")
                )
            print(f"(a) all: p95 {a['all']['p95']} s (target < {STOP_TARGET_SECONDS:g} s) {a['verdict']}")
    if args.part in ("b", "both"):
        arguments = [*common, "--sessions", str(args.sessions), "--kills", str(args.kills)]
        arguments += ["--fault-epochs", str(args.fault_epochs), "--driver", "b"]
        b = figures["faults"] = run_driver("current", script, arguments, timeout)
        if b.get("error"):
            print(f"(b) ERROR {b['error']}")
        else:
            print(
                f"(b) {b['kills_done']} kills ({b['kills_that_hit_a_training_run']} hit a training run), "
                f"{b['sessions_lost']} sessions lost, {b['tracebacks_shown']} tracebacks, {b['runs']} runs: "
                f"{b['runs_failed_by_a_kill']} failed by a kill, {b['runs_completed']} completed, "
                f"{b['runs_other']} other: {b['verdict']}"
            )
    figures["seconds"] = round(time.monotonic() - started, 1)
    write_results(RESULTS, figures)


if __name__ == "__main__":
    run_benchmark(main)
