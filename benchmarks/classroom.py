"""Classroom: N learners press Train at once on one server; how long they wait, what completes, what memory it takes.

Each learner is a Streamlit ``AppTest`` session of the real app (``streamlit_app.py``
on the Train page), driven from a thread of its own, as the sessions of one
server share its process. Learner ``i`` opens its own network (the default
design with ``4 + i`` units in its first layer, never 8, the lecture network the
workers warm up on, and seed ``i``) with ``training.epochs`` set to ``--epochs``,
then presses Train ``--runs`` times, one run after another. All sessions are
opened first; the clock starts when every learner presses Train for the first
time.

Per run: the press (just before ``click().run()``), the first live drawing of
the curves (the page's live loop calls the module-level ``curves`` function,
``ui.training.curves`` in both apps (the current one's ``ui.runs`` imports it at draw time);
a wrapper records its first call keyed ``"live-1"`` in the session, told apart
by ``session_state["bench_learner"]``), the end (``run()`` returns), and the
run's status: ``finished`` completes it; any other status, an ``at.exception``
or an AppTest error (such as the per-run timeout) fails it.

Reported: runs completed and failed, p50/p95 of press -> first curve and of
press -> end (completed runs), runs per minute (completed / wall time), the
server's resident memory (this process, VmRSS in MiB) before and after, and
the peak of server + workers, sampled every 0.2 s: the server's RSS plus its
child processes' (the training workers and multiprocessing's resource
tracker) PSS from ``/proc/PID/smaps_rollup`` (the workers share their
libraries' pages; PSS counts each shared page once in all), and the same with
the children's RSS summed.

Two apps, each in a subprocess of its own so that neither's memory is in the
other's figures:

- ``current``: this tree; training runs in the worker pool. The clock starts
  once ``workers.shared_pool().wait_ready()`` returns, as a real server starts
  its workers at its first page load; the time from the first page load to
  that is reported as the warm-up.
- ``reference``: the app before the worker pool (commit ``f39f89c``, extracted
  with ``git archive`` into a temporary folder, which is the subprocess's cwd
  and comes first on its ``PYTHONPATH``), which trains in the server's script
  threads. Its warm-up is importing TensorFlow (``import_keras()``), done before
  the clock as an old server had done it by its first training.

Targets: none fixed here; the figures are read side by side (the current app
should complete every run, show a first curve within a few seconds, and keep
the server's memory flat).

    python benchmarks/classroom.py [--learners 10] [--runs 3] [--epochs 20] [--app current|reference]
    python benchmarks/classroom.py --learners 30 --epochs 10    # the "lighter" N=30 run

Without ``--app`` both apps run, one after the other, and
``benchmarks/results/classroom.json`` holds both side by side (a short table
is printed); with ``--app`` only that one runs, into ``classroom_<app>.json``.
Each run is bounded by ``--run-timeout`` (AppTest's ``default_timeout``), the
measured part by ``--deadline`` (no run is started after it). AppTest polls
every 1 ms for each session's script to end, which costs the server some CPU
a real one would not spend; and AppTest clears the process-wide Runtime at
the end of every run, so the sessions are given one that stays
(:func:`one_runtime`), as a server's sessions share its one. Always exits 0:
it is a measurement.

The helpers here (memory sampling, the app under test, designs, the
subprocess driver) are shared by ``classroom_memory.py``,
``classroom_faults.py`` and ``classroom_csv.py``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from report import run_benchmark, write_results

ROOT = Path(__file__).resolve().parent.parent  # the app this copy drives (the reference's folder in its copy)
RESULTS = ROOT / "benchmarks" / "results"
REFERENCE_COMMIT = "f39f89c"
LEARNER_KEY = "bench_learner"
SAMPLE_SECONDS = 0.2
MARKER = "BENCHMARK-FIGURES "  # the driver's line of JSON on stdout starts with this
APPS = ("current", "reference")


# ------------------------------------------------------------------------------------------ memory


def rss_mb(pid: int) -> float | None:
    """A process's resident set size in MiB (as ``designer.workers.resident_mb``), or None if it is gone."""
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return None


def pss_mb(pid: int) -> float | None:
    """A process's proportional set size in MiB (shared pages divided among their sharers), or None."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def process_stats() -> list[tuple[int, list[str]]]:
    """Every live process's ``/proc/PID/stat`` fields after its name: ``[(pid, [state, ppid, pgrp, ...])]``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                found.append((int(entry), stat.read().rpartition(")")[2].split()))
        except OSError:
            continue
    return found


def child_pids(parent: int) -> list[int]:
    """The processes whose parent is ``parent`` (the pool's workers, retiring ones included)."""
    return [pid for pid, fields in process_stats() if len(fields) > 1 and int(fields[1]) == parent]


class MemorySampler:
    """Samples the server (this process) and its children every ``interval`` s in a thread; keeps the peaks."""

    def __init__(self, interval: float = SAMPLE_SECONDS):
        self.interval = interval
        self.samples: list[dict] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="memory-sampler", daemon=True)
        self._t0 = time.monotonic()

    def sample(self) -> dict:
        server = os.getpid()
        children = child_pids(server)
        pss = [pss_mb(pid) for pid in children]
        rss = [rss_mb(pid) for pid in children]
        reading = {
            "at": round(time.monotonic() - self._t0, 2),
            "server_mb": rss_mb(server) or 0.0,
            "workers_pss_mb": sum(v for v in pss if v is not None),
            "workers_rss_mb": sum(v for v in rss if v is not None),
            "children": sum(v is not None for v in rss),
        }
        reading["total_pss_mb"] = reading["server_mb"] + reading["workers_pss_mb"]
        reading["total_rss_mb"] = reading["server_mb"] + reading["workers_rss_mb"]
        return reading

    def start(self) -> MemorySampler:
        self._t0 = time.monotonic()
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.samples.append(self.sample())
            self._stop.wait(self.interval)

    def stop(self) -> dict:
        """Stop sampling; the peaks (MiB) and how many samples they are of."""
        self._stop.set()
        self._thread.join(timeout=5)
        self.samples.append(self.sample())
        peak = {name: max(s[name] for s in self.samples) for name in ("server_mb", "total_pss_mb", "total_rss_mb")}
        return {
            "samples": len(self.samples),
            "sample_seconds": self.interval,
            "server_mb_max": round(peak["server_mb"], 1),
            "total_pss_mb_max": round(peak["total_pss_mb"], 1),
            "total_rss_mb_max": round(peak["total_rss_mb"], 1),
            "children_max": max(s["children"] for s in self.samples),
        }


# ------------------------------------------------------------------------------------------ figures


def run_in_threads(target, count: int, name: str, join_by: float) -> None:
    """Run ``target(0)`` ... ``target(count - 1)`` each on a daemon thread; wait for them until ``join_by``."""
    threads = [threading.Thread(target=target, args=(i,), name=f"{name}-{i}", daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, join_by - time.monotonic()))


def percentile(values: list[float], q: float) -> float | None:
    """The ``q``-th percentile (0..100) by linear interpolation, or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def rounded(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


# ------------------------------------------------------------------------------------------ designs


def first_units(learner: int) -> int:
    """Learner ``i``'s first-layer units: ``4 + i``, skipping 8 (the lecture network the workers warm up on)."""
    return 4 + learner if 4 + learner < 8 else 5 + learner


def design_of(units: int, seed: int, epochs: int, layers: int = 3, last_units: int = 10) -> dict:
    """The default design with ``units`` in its first layer, ``layers`` layers (the last of ``last_units``)."""
    from designer import presets

    design = presets.default_design()
    template = design["layers"][0]
    widths = [units] + [10] * (layers - 2) + [last_units] if layers > 1 else [units]
    design["layers"] = [{**template, "name": f"hidden_{k + 1}", "units": w} for k, w in enumerate(widths)]
    design["training"] = {**design.get("training", {}), "epochs": epochs, "seed": seed}
    return design


def network(n: int, epochs: int) -> dict:
    """The ``n``-th of a series of different networks: first-layer units, depth and last layer all vary.

    ``(4 + n % 30, 11 + n // 30)`` differs for every ``n``, and no network is the lecture's (8, 10, 10).
    """
    return design_of(4 + n % 30, seed=n, epochs=epochs, layers=2 + n % 3, last_units=11 + n // 30)


# ------------------------------------------------------------------------------------------ the app under test


def one_runtime() -> None:
    """Keep a Runtime for every session, as a server has one for all.

    AppTest sets the process-wide ``Runtime._instance`` to a mock of its own at
    the start of each run and to None at its end; with sessions in threads, a
    script that starts (or draws a download button) just after another
    session's run ended would fail with "Runtime hasn't been created!", a fault
    of the test harness, not of the app. Once any run has set one, the last
    Runtime stands in while none is set.
    """
    from streamlit.runtime.runtime import Runtime

    last: list = []

    def instance(cls):
        current = cls._instance
        if current is not None:
            last[:] = [current]
            return current
        if last:
            return last[0]
        raise RuntimeError("Runtime hasn't been created!")

    Runtime.instance = classmethod(instance)
    Runtime.exists = classmethod(lambda cls: cls._instance is not None or bool(last))


class App:
    """The app of this tree (``current`` or ``reference``) in this process, set up as a running server is."""

    def __init__(self, kind: str, run_timeout: float):
        if kind not in APPS:
            raise ValueError(f"unknown app {kind!r}")
        import designer
        from tests.apptest_support import navigation_steady_state

        if not Path(designer.__file__).resolve().is_relative_to(ROOT):
            raise RuntimeError(f"designer imported from {designer.__file__}, not from {ROOT}")
        has_pool = (ROOT / "designer" / "workers.py").exists()
        if has_pool != (kind == "current"):
            raise RuntimeError(f"{ROOT} does not hold the {kind} app")
        navigation_steady_state(lambda obj, name, value: setattr(obj, name, value))
        one_runtime()
        # Importing the pages' modules outside a script run says so, harmlessly, a few times over.
        context_logger = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
        context_logger.addFilter(lambda record: "missing ScriptRunContext" not in record.getMessage())
        self.kind = kind
        self.run_timeout = run_timeout
        self.first_curve: dict[int, float] = {}
        self._wrap_curves()

    def _wrap_curves(self) -> None:
        """Record when each learner's live view first draws its curves (``key == "live-1"``)."""
        import streamlit as st

        module = importlib.import_module("ui.training")  # ui.runs imports it from there when a run draws
        original = module.curves

        def curves(*args, **kwargs):
            result = original(*args, **kwargs)
            if kwargs.get("key") == "live-1":
                learner = st.session_state.get(LEARNER_KEY)
                if learner is not None:
                    self.first_curve.setdefault(learner, time.monotonic())
            return result

        module.curves = curves

    def pool(self):
        """The server's worker pool (current app only)."""
        from designer import workers

        return workers.shared_pool()

    def warm_up(self) -> float:
        """Current: wait for the pool's workers (started by the first page load). Reference: import TensorFlow."""
        started = time.monotonic()
        if self.kind == "current":
            if not self.pool().wait_ready(timeout=300):
                raise RuntimeError("the training workers were not ready within 300 s")
        else:
            from designer.keras_model import import_keras

            import_keras()
        return time.monotonic() - started

    def open(self, design: dict, learner: int, state: dict | None = None):
        """A session on the Train page whose design is ``design``, as a share link opens it (with ``state``
        in its session too: an uploaded file)."""
        from streamlit.testing.v1 import AppTest

        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=self.run_timeout)
        for key, value in (state or {}).items():
            at.session_state[key] = value
        at.session_state["design"] = design
        at.session_state[LEARNER_KEY] = learner
        at.run()
        at.switch_page("pages/train.py").run()
        if at.exception:
            raise RuntimeError(f"learner {learner}'s Train page failed: {[e.message for e in at.exception]}")
        return at

    @staticmethod
    def change_design(at, design: dict) -> None:
        """Give the session another design, as an accepted edit does (which bumps the revision)."""
        at.session_state["design"] = design
        revision = at.session_state.get("revision", 0)
        at.session_state["revision"] = revision + 1

    def press(self, at, learner: int) -> dict:
        """Press Train and wait for the run to end; what happened, with monotonic times. Never raises."""
        self.first_curve.pop(learner, None)
        error, exceptions, run = None, [], None
        pressed = time.monotonic()
        try:
            runs_before = len(at.session_state.get("runs", []))
            [button] = [b for b in at.button if b.label == "Train"]
            pressed = time.monotonic()
            button.click().run()
        except Exception as caught:  # a timeout or a broken session: the run fails, the benchmark goes on
            error = f"{type(caught).__name__}: {caught}"
        ended = time.monotonic()
        try:
            exceptions = [] if error else [e.message for e in at.exception]
            runs = at.session_state.get("runs", [])
            run = runs[-1] if len(runs) > runs_before else None
            job = at.session_state.get("job") if error and self.kind == "current" else None
            if job is not None:
                job.stop()  # left behind by a timed-out script run
        except Exception as caught:
            error = error or f"{type(caught).__name__}: {caught}"
        status = field(run, "status", "no run")
        return {
            "learner": learner,
            "pressed": pressed,
            "first_curve": self.first_curve.pop(learner, None),
            "ended": ended,
            "status": status,
            "message": field(run, "message", ""),
            "worker": field(run, "worker"),
            "error": error,
            "exceptions": exceptions,
            "completed": status == "finished" and not error and not exceptions,
        }


def field(run, name: str, missing=None):
    """A run's field: the reference app's runs are dicts, the current app's are ``designer.runs.Run``s."""
    if run is None:
        return missing
    return run.get(name, missing) if isinstance(run, dict) else getattr(run, name, missing)


# ------------------------------------------------------------------------------------------ subprocesses


def extract_reference(folder: Path, scripts: list[str]) -> None:
    """The reference app (``git archive``) into ``folder``, with this benchmark's ``scripts`` beside its own."""
    archive = subprocess.Popen(["git", "archive", REFERENCE_COMMIT], cwd=ROOT, stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", str(folder)], stdin=archive.stdout, check=True)
    archive.stdout.close()
    if archive.wait() != 0:
        raise RuntimeError(f"git archive {REFERENCE_COMMIT} failed")
    for script in scripts:
        shutil.copy(ROOT / "benchmarks" / script, folder / "benchmarks" / script)


def run_driver(kind: str, script: str, arguments: list[str], timeout: float, helpers: tuple[str, ...] = ()) -> dict:
    """Run ``script --driver ...`` for app ``kind`` in a subprocess (the reference in its own folder); its figures.

    The subprocess's progress goes to stderr; its figures come back as one line of JSON on stdout.
    """
    with tempfile.TemporaryDirectory(prefix=f"classroom-{kind}-") as temporary:
        root = ROOT
        if kind == "reference":
            root = Path(temporary)
            extract_reference(root, sorted({"classroom.py", script, *helpers}))
        command = [sys.executable, str(root / "benchmarks" / script), *arguments]
        print(f"[{kind}] {' '.join(command[1:])} (cwd {root})", file=sys.stderr, flush=True)
        environment = {**os.environ, "PYTHONPATH": str(root)}  # its own designer/, ui/ and tests/ before any installed
        try:
            done = subprocess.run(
                command, cwd=root, env=environment, stdout=subprocess.PIPE, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            return {"app": kind, "error": f"the {kind} driver did not finish within {timeout:.0f} s"}
        for line in reversed(done.stdout.splitlines()):
            if line.startswith(MARKER):
                return json.loads(line[len(MARKER) :])
        return {"app": kind, "error": f"the {kind} driver gave no figures (exit code {done.returncode})"}


def emit(figures: dict) -> None:
    """The driver's answer to its parent."""
    print(MARKER + json.dumps(figures), flush=True)


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------ the classroom


def lecture_learner(i: int, epochs: int) -> tuple[dict, dict]:
    """Learner ``i``'s design (the default one, ``first_units(i)`` wide, seed ``i``) and no other session state."""
    return design_of(first_units(i), seed=i, epochs=epochs), {}


def classroom(
    kind: str, learners: int, runs: int, epochs: int, run_timeout: float, deadline: float, learner_of=lecture_learner
) -> dict:
    """Run the classroom in this process with the app of this tree; its figures.

    ``learner_of(i, epochs)`` gives learner ``i``'s design and any other session state it opens with.
    """
    server = os.getpid()
    at_start = rss_mb(server)
    app = App(kind, run_timeout)
    opened = time.monotonic()
    openings = [learner_of(i, epochs) for i in range(learners)]
    sessions = [app.open(design, learner=i, state=state) for i, (design, state) in enumerate(openings)]
    open_seconds = time.monotonic() - opened
    warm_up = app.warm_up()
    warm_up_seconds = time.monotonic() - opened if kind == "current" else warm_up  # from the first page load
    log(f"[{kind}] {learners} sessions open in {open_seconds:.1f} s; warm-up {warm_up_seconds:.1f} s")

    before = rss_mb(server)
    sampler = MemorySampler().start()
    records: list[dict] = []
    lock = threading.Lock()
    clock = time.monotonic()
    stop_at = clock + deadline

    def learner(i: int) -> None:
        for number in range(runs):
            if time.monotonic() > stop_at:
                return
            record = app.press(sessions[i], i) | {"run": number + 1}
            with lock:
                records.append(record)
            if record["error"] or record["exceptions"]:
                return  # the session is broken: its learner stops here

    run_in_threads(learner, learners, "learner", join_by=stop_at + run_timeout + 30)
    wall = time.monotonic() - clock
    peaks = sampler.stop()
    after = rss_mb(server)

    completed = [r for r in records if r["completed"]]
    to_curve = [r["first_curve"] - r["pressed"] for r in completed if r["first_curve"] is not None]
    to_end = [r["ended"] - r["pressed"] for r in completed]
    statuses: dict[str, int] = {}
    for record in records:
        statuses[record["status"]] = statuses.get(record["status"], 0) + 1
    return {
        "app": kind,
        "app_root": str(ROOT),
        "learners": learners,
        "runs_per_learner": runs,
        "epochs": epochs,
        "workers": len(app.pool().pids()) if kind == "current" else 0,
        "runs_planned": learners * runs,
        "runs_completed": len(completed),
        "runs_failed": len(records) - len(completed),
        "runs_not_started": learners * runs - len(records),
        "statuses": statuses,
        "first_curve_seconds_p50": rounded(percentile(to_curve, 50)),
        "first_curve_seconds_p95": rounded(percentile(to_curve, 95)),
        "end_seconds_p50": rounded(percentile(to_end, 50)),
        "end_seconds_p95": rounded(percentile(to_end, 95)),
        "runs_without_live_curve": sum(r["first_curve"] is None for r in completed),
        "wall_seconds": round(wall, 2),
        "runs_per_minute": round(len(completed) / wall * 60, 2) if wall > 0 else None,
        "warm_up_seconds": round(warm_up_seconds, 2),
        "sessions_open_seconds": round(open_seconds, 2),
        "server_mb_at_start": rounded(at_start, 1),
        "server_mb_before": rounded(before, 1),
        "server_mb_after": rounded(after, 1),
        "server_mb_growth": rounded(after - before, 1) if after and before else None,
        **peaks,
        "errors": sorted({r["error"] for r in records if r["error"]} | {e for r in records for e in r["exceptions"]}),
        "records": [
            {
                "learner": r["learner"],
                "run": r["run"],
                "status": r["status"],
                "pressed": round(r["pressed"] - clock, 3),
                "first_curve": rounded(r["first_curve"] - r["pressed"]) if r["first_curve"] else None,
                "end": round(r["ended"] - r["pressed"], 3),
                "worker": r["worker"],
                "message": r["message"][:200],
            }
            for r in sorted(records, key=lambda r: (r["learner"], r["run"]))
        ],
    }


ROWS = [
    ("runs completed", "runs_completed", "{:.0f}"),
    ("runs failed", "runs_failed", "{:.0f}"),
    ("press -> first curve p50 s", "first_curve_seconds_p50", "{:.2f}"),
    ("press -> first curve p95 s", "first_curve_seconds_p95", "{:.2f}"),
    ("press -> end p50 s", "end_seconds_p50", "{:.2f}"),
    ("press -> end p95 s", "end_seconds_p95", "{:.2f}"),
    ("runs per minute", "runs_per_minute", "{:.1f}"),
    ("wall s", "wall_seconds", "{:.1f}"),
    ("warm-up s", "warm_up_seconds", "{:.1f}"),
    ("server MB before", "server_mb_before", "{:.0f}"),
    ("server MB after", "server_mb_after", "{:.0f}"),
    ("peak server+workers MB (PSS)", "total_pss_mb_max", "{:.0f}"),
    ("peak server+workers MB (RSS)", "total_rss_mb_max", "{:.0f}"),
]


def table(results: dict[str, dict]) -> str:
    """The figures of each app side by side."""

    def cell(figures: dict, name: str, form: str) -> str:
        value = figures.get(name)
        return "-" if value is None else form.format(value)

    lines = [f"{'':30}" + "".join(f"{kind:>12}" for kind in results)]
    for label, name, form in ROWS:
        lines.append(f"{label:30}" + "".join(f"{cell(f, name, form):>12}" for f in results.values()))
    for kind, figures in results.items():
        if figures.get("error"):
            lines.append(f"{kind}: {figures['error']}")
    return "\n".join(lines)


def classroom_parser(description: str, runs: int, epochs: int, run_timeout: float) -> argparse.ArgumentParser:
    """The settings every classroom benchmark takes, with its own defaults; a script adds what it alone has."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--learners", type=int, default=10, help="sessions training at once (default 10)")
    parser.add_argument("--runs", type=int, default=runs, help=f"runs each learner trains in turn (default {runs})")
    parser.add_argument("--epochs", type=int, default=epochs, help=f"epochs of each run (default {epochs})")
    parser.add_argument(
        "--run-timeout", type=float, default=run_timeout, help=f"seconds one run may take (default {run_timeout:g})"
    )
    parser.add_argument("--deadline", type=float, default=1800.0, help="no run starts after this many s (1800)")
    parser.add_argument("--driver", action="store_true", help=argparse.SUPPRESS)  # the subprocess's own side
    return parser


def driver_arguments(args: argparse.Namespace) -> list[str]:
    """The command line of the driver subprocess: the parent's settings, and ``--driver``."""
    return [
        *("--learners", str(args.learners), "--runs", str(args.runs), "--epochs", str(args.epochs)),
        *("--run-timeout", str(args.run_timeout), "--deadline", str(args.deadline), "--driver"),
    ]


def main() -> None:
    parser = classroom_parser(__doc__.splitlines()[0], runs=3, epochs=20, run_timeout=300.0)
    parser.add_argument("--app", choices=APPS, help="run only this app (default: both, side by side)")
    args = parser.parse_args()

    if args.driver:
        try:
            emit(classroom(args.app, args.learners, args.runs, args.epochs, args.run_timeout, args.deadline))
        except Exception as error:  # told to the parent, which reports it beside the other app's figures
            emit({"app": args.app, "error": repr(error)})
        return

    started = time.monotonic()
    arguments = driver_arguments(args)
    timeout = args.deadline + args.run_timeout + 600  # sessions, warm-up and the last runs
    apps = (args.app,) if args.app else APPS
    results = {kind: run_driver(kind, "classroom.py", [*arguments, "--app", kind], timeout) for kind in apps}
    print(table(results))
    name = "classroom.json" if args.app is None else f"classroom_{args.app}.json"
    settings = {"learners": args.learners, "runs": args.runs, "epochs": args.epochs}
    write_results(RESULTS / name, {**settings, **results, "seconds": round(time.monotonic() - started, 1)})


if __name__ == "__main__":
    run_benchmark(main)
