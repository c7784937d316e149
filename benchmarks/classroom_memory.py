"""Classroom memory: what many trainings of new networks cost the server and its workers.

Two measurements, each in a subprocess of its own (``classroom.py``'s
driver), with Streamlit ``AppTest`` sessions of the real app on the Train
page:

(a) One session, one learner: ``--runs`` (20) different networks, trained one
    after another (``--epochs``, 20 each), the design changed between runs as an
    accepted edit does. The session keeps every run (``session_state["runs"]``).
    The server's resident memory (VmRSS, MiB) is read after the first run and
    after the last; growth is the difference. Run on the current app and on the
    reference app (commit ``f39f89c``, which trains in the server's process;
    expected to grow by about 300 MB, TensorFlow keeping something of every
    traced network). Target, current app: growth < 40 MB.

(b) ``--sessions`` (30) sessions in threads, each training ``--runs-per-session``
    (10) networks one after another (20 epochs each): 300 different networks
    (first-layer units, depth and last layer vary; none is the lecture network
    the workers warm up on). The server's RSS before (sessions open, workers
    ready) and after, and, every 0.2 s, the server's RSS plus its child
    processes' (the workers') PSS (``/proc/PID/smaps_rollup``, which counts the
    pages the workers share once) and the same with their RSS summed. Current app
    only. Targets: the server grows by < 150 MB; server + workers (PSS) stays
    < 2700 MB at every sample.

    python benchmarks/classroom_memory.py [--part a|b|both] [--runs 20] [--epochs 20]
                                          [--sessions 30] [--runs-per-session 10]
    python benchmarks/classroom_memory.py --runs 3 --sessions 2 --runs-per-session 2   # a quick try

Writes ``benchmarks/results/classroom_memory.json``. Each run is bounded by
``--run-timeout`` (AppTest's ``default_timeout``), each part by ``--deadline``
(no run starts after it). Always exits 0: it is a measurement.
"""

from __future__ import annotations

import argparse
import os
import threading
import time

import classroom
from classroom import App, MemorySampler, emit, log, network, rounded, rss_mb, run_driver, run_in_threads
from report import run_benchmark, write_results

RESULTS = classroom.RESULTS / "classroom_memory.json"
ONE_SESSION_TARGET_MB = 40.0
SERVER_TARGET_MB = 150.0
TOTAL_TARGET_MB = 2700.0


def statuses_of(records: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record in records:
        counts[record["status"]] = counts.get(record["status"], 0) + 1
    return counts


def one_session(kind: str, runs: int, epochs: int, run_timeout: float, deadline: float) -> dict:
    """(a): one session trains ``runs`` different networks one after another; the server's RSS after each."""
    app = App(kind, run_timeout)
    at = app.open(network(0, epochs), learner=0)
    warm_up = app.warm_up()
    sampler = MemorySampler()
    stop_at = time.monotonic() + deadline
    records, server_mb, workers_pss_mb = [], [], []
    started = time.monotonic()
    for n in range(runs):
        if time.monotonic() > stop_at:
            break
        if n:
            app.change_design(at, network(n, epochs))
        record = app.press(at, 0)
        records.append(record)
        reading = sampler.sample()
        server_mb.append(round(reading["server_mb"], 1))
        workers_pss_mb.append(round(reading["workers_pss_mb"], 1))
        log(f"[{kind} a] run {n + 1}: {record['status']}, server {server_mb[-1]:.0f} MB")
        if record["error"] or record["exceptions"]:
            break
    kept = at.session_state.get("runs", [])
    growth = server_mb[-1] - server_mb[0] if server_mb else None
    figures = {
        "app": kind,
        "runs": len(records),
        "epochs": epochs,
        "runs_completed": sum(r["completed"] for r in records),
        "statuses": statuses_of(records),
        "runs_kept_in_session": len(kept),
        "networks": len({str(_design(run)["layers"]) for run in kept}),
        "warm_up_seconds": round(warm_up, 2),
        "server_mb_at_end_of_each_run": server_mb,
        "workers_pss_mb_at_end_of_each_run": workers_pss_mb,
        "server_mb_after_first": server_mb[0] if server_mb else None,
        "server_mb_after_last": server_mb[-1] if server_mb else None,
        "server_mb_growth": rounded(growth, 1),
        "seconds": round(time.monotonic() - started, 1),
        "errors": sorted({r["error"] for r in records if r["error"]} | {e for r in records for e in r["exceptions"]}),
    }
    if kind == "current":
        figures["target_mb"] = ONE_SESSION_TARGET_MB
        figures["verdict"] = "PASS" if growth is not None and growth < ONE_SESSION_TARGET_MB else "FAIL"
    return figures


def many_sessions(sessions: int, runs: int, epochs: int, run_timeout: float, deadline: float) -> dict:
    """(b): ``sessions`` threads each train ``runs`` different networks; server and worker memory throughout."""
    server = os.getpid()
    app = App("current", run_timeout)
    before_sessions = rss_mb(server)
    opened = [app.open(network(s * runs, epochs), learner=s) for s in range(sessions)]
    warm_up = app.warm_up()
    pool = app.pool()
    before = rss_mb(server)
    log(f"[current b] {sessions} sessions open, workers ready; server {before:.0f} MB")
    sampler = MemorySampler().start()
    records: list[dict] = []
    lock = threading.Lock()
    started = time.monotonic()
    stop_at = started + deadline

    def learner(s: int) -> None:
        at = opened[s]
        for r in range(runs):
            if time.monotonic() > stop_at:
                return
            if r:
                app.change_design(at, network(s * runs + r, epochs))
            record = app.press(at, s)
            with lock:
                records.append(record)
                done = len(records)
            if done % 25 == 0:
                log(f"[current b] {done} runs done, server {rss_mb(server):.0f} MB")
            if record["error"] or record["exceptions"]:
                return

    run_in_threads(learner, sessions, "session", join_by=stop_at + run_timeout + 30)
    seconds = time.monotonic() - started
    peaks = sampler.stop()
    after = rss_mb(server)
    growth = after - before
    over = sum(s["total_pss_mb"] >= TOTAL_TARGET_MB for s in sampler.samples)
    events: dict[str, int] = {}
    for event in pool.events:
        events[event.what] = events.get(event.what, 0) + 1
    every_second = sampler.samples[:: max(1, round(1 / sampler.interval))]
    return {
        "app": "current",
        "sessions": sessions,
        "runs_per_session": runs,
        "epochs": epochs,
        "runs": len(records),
        "runs_completed": sum(r["completed"] for r in records),
        "statuses": statuses_of(records),
        "networks": len({str(_design(run)["layers"]) for at in opened for run in at.session_state.get("runs", [])}),
        "warm_up_seconds": round(warm_up, 2),
        "server_mb_before_sessions": rounded(before_sessions, 1),
        "server_mb_before": rounded(before, 1),
        "server_mb_after": rounded(after, 1),
        "server_mb_growth": rounded(growth, 1),
        **peaks,
        "samples_at_or_over_total_target": over,
        "pool_events": events,
        "seconds": round(seconds, 1),
        "timeline_every_second": [
            {name: round(value, 1) for name, value in s.items() if name in ("at", "server_mb", "total_pss_mb")}
            for s in every_second
        ],
        "server_target_mb": SERVER_TARGET_MB,
        "total_target_mb": TOTAL_TARGET_MB,
        "verdict_server": "PASS" if growth < SERVER_TARGET_MB else "FAIL",
        "verdict_total": "PASS" if over == 0 else "FAIL",
        "errors": sorted({r["error"] for r in records if r["error"]} | {e for r in records for e in r["exceptions"]}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("a", "b", "both"), default="both", help="which measurement (both)")
    parser.add_argument("--runs", type=int, default=20, help="(a): networks trained in one session (default 20)")
    parser.add_argument("--epochs", type=int, default=20, help="epochs of each run (default 20)")
    parser.add_argument("--sessions", type=int, default=30, help="(b): sessions training at once (default 30)")
    parser.add_argument("--runs-per-session", type=int, default=10, help="(b): runs of each session (default 10)")
    parser.add_argument("--run-timeout", type=float, default=300.0, help="seconds one run may take (default 300)")
    parser.add_argument("--deadline", type=float, default=1800.0, help="no run of a part starts after (1800 s)")
    parser.add_argument("--driver", choices=("a-current", "a-reference", "b"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.driver:
        try:
            if args.driver == "b":
                emit(many_sessions(args.sessions, args.runs_per_session, args.epochs, args.run_timeout, args.deadline))
            else:
                kind = args.driver.partition("-")[2]
                emit(one_session(kind, args.runs, args.epochs, args.run_timeout, args.deadline))
        except Exception as error:  # told to the parent
            emit({"error": repr(error)})
        return

    started = time.monotonic()
    common = ["--epochs", str(args.epochs), "--run-timeout", str(args.run_timeout), "--deadline", str(args.deadline)]
    timeout = args.deadline + args.run_timeout + 600
    figures: dict = {"epochs": args.epochs}
    script = "classroom_memory.py"
    if args.part in ("a", "both"):
        for kind in ("current", "reference"):
            arguments = [*common, "--runs", str(args.runs), "--driver", f"a-{kind}"]
            figures[f"one_session_{kind}"] = run_driver(kind, script, arguments, timeout)
        for kind in ("current", "reference"):
            a = figures[f"one_session_{kind}"]
            print(
                f"(a) {kind:9}: {a.get('runs', 0)} runs, server {a.get('server_mb_after_first')} MB after the first, "
                f"{a.get('server_mb_after_last')} MB after the last: growth {a.get('server_mb_growth')} MB"
                + (f" (target < {ONE_SESSION_TARGET_MB:g} MB) {a.get('verdict')}" if kind == "current" else "")
                + (f" ERROR {a['error']}" if a.get("error") else "")
            )
    if args.part in ("b", "both"):
        arguments = [*common, "--sessions", str(args.sessions), "--runs-per-session", str(args.runs_per_session)]
        b = figures["many_sessions"] = run_driver("current", script, [*arguments, "--driver", "b"], timeout)
        print(
            f"(b) {b.get('runs', 0)} runs ({b.get('runs_completed', 0)} completed) from {args.sessions} sessions: "
            f"server {b.get('server_mb_before')} -> {b.get('server_mb_after')} MB, growth {b.get('server_mb_growth')} "
            f"MB (target < {SERVER_TARGET_MB:g}) {b.get('verdict_server')}; server+workers max "
            f"{b.get('total_pss_mb_max')} MB PSS (target < {TOTAL_TARGET_MB:g}) {b.get('verdict_total')}, "
            f"{b.get('total_rss_mb_max')} MB RSS summed" + (f" ERROR {b['error']}" if b.get("error") else "")
        )
    figures["seconds"] = round(time.monotonic() - started, 1)
    write_results(RESULTS, figures)


if __name__ == "__main__":
    run_benchmark(main)


def _design(run) -> dict:
    """A run's design: a dict's key in the app before the pool (the reference), an attribute since."""
    return run["design"] if isinstance(run, dict) else run.design
