"""Training in worker processes: a small pool of warm TensorFlow workers behind one fair queue.

The server process never trains. :class:`Pool` keeps a few child processes
(``multiprocessing`` with the spawn start method), each of which imports
TensorFlow once, warms up on the lecture's network, then trains one run at a
time with :class:`designer.training.Trainer`. A run is a :class:`Job`: the
server's script thread submits it, a dispatcher thread hands it to the first
free worker, and the worker's progress (the history so far, epochs done, the
stop reason) comes back through the worker's pipe several times a second.
What a job ends with is plain data (:class:`Result`): the history, the test
metrics and predictions, the weights as arrays.

Sessions are kept apart by construction: a job is known only to whoever
submitted it, and the queue serves one job at a time in submission order;
a page allows a session one job at a time, so the queue is fair.

Workers are bounded: each is retired after ``max_runs`` runs (its replacement
starts first, so nobody waits for TensorFlow to import) and ended at once
above ``memory_mb``; one that dies (killed, out of memory, a TensorFlow crash)
costs only its own run, and the pool starts another. Stop reaches the worker
directly: an event its loop checks between chunks of epochs, and if a chunk
runs on past a grace period (the first epoch of a huge network), the worker
is ended.

This module imports neither TensorFlow nor Streamlit; the workers import
TensorFlow themselves, set up by :mod:`designer.tf_runtime` (which lists every
process-wide setting a worker makes).
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import itertools
import logging
import math
import multiprocessing
import os
import signal
import sys
import threading
import time
import types
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path

from designer import cost, spec, tf_runtime
from designer.validation import InvalidDesign

LOG = logging.getLogger(__name__)

QUEUED, RUNNING = "queued", "running"
FINISHED, STOPPED, STOPPED_EARLY, FAILED, REFUSED, CANCELLED = (
    "finished",
    "stopped",
    "stopped early",
    "failed",
    "refused",
    "cancelled",
)
FINAL = frozenset({FINISHED, STOPPED, STOPPED_EARLY, FAILED, REFUSED, CANCELLED})

STOP_GRACE_SECONDS = 0.75  # a worker that has not stopped by then is ended
WORKER_MB = 700  # a warm worker's resident memory (TensorFlow is most of it)
SERVER_RESERVE_MB = 600  # kept for the Streamlit server and its sessions when sizing the pool
RETIRE_SHARE = 0.75  # an idle worker above this share of the memory ceiling is retired
MONITOR_SECONDS = 0.1  # how often the dispatcher looks at memory, queue waits and stops


@dataclass(frozen=True)
class Settings:
    """How big the pool is and how long its workers live; :meth:`from_environment` reads overrides."""

    workers: int
    max_runs: int = 50  # runs before a worker is retired (TensorFlow keeps a few MB per new network)
    memory_mb: int = 1200  # a worker above this is ended
    queue_wait_seconds: float = 120.0  # a run waiting longer is refused
    run_seconds: float = cost.RUN_SECONDS  # a run's budget of training time, unless its request says otherwise
    warm_up: bool = True  # train the lecture network once at start, so a first run needs no warm-up

    @classmethod
    def from_environment(cls) -> Settings:
        """Defaults sized from the container, overridden by ``DESIGNER_WORKERS``, ``DESIGNER_WORKER_RUNS``,
        ``DESIGNER_WORKER_MEMORY_MB``, ``DESIGNER_QUEUE_WAIT_SECONDS`` and ``DESIGNER_RUN_SECONDS``."""
        env = os.environ.get
        return cls(
            workers=int(env("DESIGNER_WORKERS") or default_workers()),
            max_runs=int(env("DESIGNER_WORKER_RUNS") or cls.max_runs),
            memory_mb=int(env("DESIGNER_WORKER_MEMORY_MB") or cls.memory_mb),
            queue_wait_seconds=float(env("DESIGNER_QUEUE_WAIT_SECONDS") or cls.queue_wait_seconds),
            run_seconds=cost.run_seconds(),
        )


def default_workers() -> int:
    """One worker per whole CPU the container has, as many as its memory holds beside the server."""
    memory = _cgroup_memory_limit_mb()
    fit = cpu_budget() if memory is None else int((memory - SERVER_RESERVE_MB) // WORKER_MB)
    return max(1, min(cpu_budget(), fit))


def _cgroup_memory_limit_mb() -> float | None:
    """The cgroup's memory limit in MB (v2 ``memory.max`` or v1 ``limit_in_bytes``), or None when unlimited."""
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        with contextlib.suppress(OSError, ValueError):
            text = Path(path).read_text().strip()
            if text != "max" and int(text) < 2**60:
                return int(text) / 2**20
    return None


def cpu_budget() -> int:
    """Whole CPUs this process may use: the affinity mask, capped by a cgroup CPU quota (at least 1)."""
    count = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    quota = _cgroup_cpu_quota()
    if quota is not None:
        count = min(count, math.floor(quota))
    return max(1, count)


def _cgroup_cpu_quota() -> float | None:
    """The cgroup's CPU limit in CPUs (v2 ``cpu.max``, or v1 ``cfs_quota_us``), or None when unlimited."""
    with contextlib.suppress(OSError, ValueError):
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    with contextlib.suppress(OSError, ValueError):
        quota = int(Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us").read_text())
        period = int(Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us").read_text())
        return None if quota <= 0 else quota / period
    return None


def resident_mb(pid: int) -> float | None:
    """A process's resident memory in MB (from ``/proc``), or None if it is gone."""
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return None


@dataclass
class Result:
    """What a finished run leaves: plain data only."""

    history: dict[str, list[float]]
    stop_reason: str | None
    seconds: float  # time spent in training chunks
    test: dict[str, float] | None  # test metrics, Keras' names
    test_predictions: dict[str, object]  # head name -> array (rows, units)
    test_targets: dict[str, object]
    weights: list | None  # model.get_weights(); None if the worker was ended before it could send them
    worker: int  # the worker's process id
    note: str | None = None  # how a run that went to its last epoch ended, if there is more to say
    state: object = None  # a designer.training.TrainingState, when the request asked for it
    map: object = None  # the map (designer.maps.Map) of the end, with the units asked for, if a plane was
    out_of_time: bool = False  # training ended because the run's budget of seconds was spent


@dataclass(frozen=True)
class Request:
    """What a run asks of its worker beyond the design: how far to train, from where, and what to draw.

    ``epochs`` None trains the design's epochs from a fresh start; a step
    gives a few epochs and the ``start`` (a :class:`designer.training.TrainingState`)
    to go on from, and 0 epochs is a reset: a fresh start, not trained.
    ``plane`` (a :class:`designer.maps.Plane`) asks for the heads' map after
    every report, and at the end for the map with the units of ``layers``;
    ``keep_state`` asks for the state at the end, to step on from. With
    ``weights`` (a trained model's), nothing trains: the worker draws the map
    of that model, so that the server never needs TensorFlow. ``seconds`` is
    the run's budget of training time (None: the pool's ``run_seconds``); a
    run that spends it stops as a Stop would, keeping what it learned.
    """

    epochs: int | None = None
    start: object = None
    plane: object = None
    layers: tuple[str, ...] = ()
    keep_state: bool = False
    weights: list | None = None
    csv: object = None  # a CSV design's table (a pandas DataFrame, as designer.csv_table read it)
    seconds: float | None = None


@dataclass(eq=False)  # a job is itself: two runs of one design are two jobs
class Job:
    """One run of one design, from the queue to its result. Thread-safe to read while it changes."""

    design: dict
    request: Request = field(default_factory=Request)
    id: int = 0
    state: str = QUEUED
    history: dict[str, list[float]] = field(default_factory=dict)
    epochs_done: int = 0
    seconds: float = 0.0  # training time so far, measured in the worker
    first_chunk: tuple[int, float] | None = None  # (epochs, seconds) of the first report: includes tracing
    message: str = ""  # why it ended, for the learner
    live_map: object = None  # the heads' map (designer.maps.Map) at the latest report, if the request asked
    result: Result | None = None
    worker: int | None = None
    submitted_at: float = field(default_factory=time.monotonic)
    started_at: float | None = None
    first_report_at: float | None = None
    ended_at: float | None = None
    stop_requested_at: float | None = None
    _changed: threading.Condition = field(default_factory=threading.Condition, repr=False, compare=False)
    _pool: Pool | None = field(default=None, repr=False, compare=False)

    @property
    def done(self) -> bool:
        return self.state in FINAL

    def snapshot(self) -> Job:
        """A copy of the job as it is now, safe to read while the job goes on changing."""
        with self._changed:
            copy = Job(**{name: getattr(self, name) for name in self.__dataclass_fields__ if name != "_changed"})
            copy.history = {name: list(values) for name, values in self.history.items()}
            return copy

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` s for any change (progress, a start, an end); report whether one came."""
        with self._changed:
            return self._changed.wait(timeout)

    def wait_done(self, timeout: float | None = None) -> bool:
        """Wait until the job has ended (or ``timeout`` s have passed); report whether it has."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._changed:
            while not self.done:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._changed.wait(left)
        return True

    def stop(self) -> None:
        """Stop it: a queued job is cancelled, a running one ends after its current chunk (or is ended)."""
        if self._pool is not None:
            self._pool.stop(self)

    def place(self) -> int:
        """How many queued runs are ahead of this one (0 when it is next, or not waiting)."""
        return self._pool.place(self) if self._pool is not None else 0

    def seconds_left(self, total_epochs: int) -> float | None:
        """Time left, from the pace of the epochs measured after the first report (which includes tracing)."""
        if self.first_chunk is None or self.epochs_done <= self.first_chunk[0]:
            return None
        pace = (self.seconds - self.first_chunk[1]) / (self.epochs_done - self.first_chunk[0])
        return pace * max(0, total_epochs - self.epochs_done)

    def _update(self, **changes) -> None:
        with self._changed:
            for name, value in changes.items():
                setattr(self, name, value)
            self._changed.notify_all()

    def _extend(self, rows: dict[str, list[float]], epochs: int, seconds: float, live_map=None) -> None:
        with self._changed:
            if live_map is not None:
                self.live_map = live_map
            for name, values in rows.items():
                self.history.setdefault(name, []).extend(values)
            if self.first_chunk is None:
                self.first_chunk = (epochs, seconds)
                self.first_report_at = time.monotonic()
            self.epochs_done, self.seconds = epochs, seconds
            self._changed.notify_all()


# ------------------------------------------------------------------------------------------ the worker side


def _worker_main(connection, stop_event, warm_up: bool) -> None:
    """A worker process: import TensorFlow, warm up, then train the jobs it is sent until told to quit."""
    tf_runtime.single_threaded()  # before TensorFlow is imported: its thread pools read the environment
    tf_runtime.lower_priority()  # the server's pages come first when the CPUs are busy
    tf_runtime.configure()  # TensorFlow imported and set up before anything runs an op
    from designer import training

    engines = _EngineCache()
    if warm_up:
        _warm_up(training, engines)
    connection.send(("ready", os.getpid(), tf_runtime.worker_facts()))
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return  # the server went away
        if message is None:
            return
        job_id, design, request = message
        try:
            if request.weights is not None:
                _draw_map(connection, job_id, design, request)
            else:
                _train(training, engines, connection, stop_event, job_id, design, request)
        except (InvalidDesign, training.DataError) as error:
            connection.send(("refused", job_id, str(error)))
        except Exception as error:  # reported to the server, which logs it and tells the learner plainly
            LOG.exception("training failed")
            connection.send(("failed", job_id, f"{type(error).__name__}: {error}"))


class _EngineCache:
    """A worker's last engines by architecture, so a network trained again skips tracing.

    Each engine holds about 20 MB (its model and traced function), so only two are kept.
    """

    SIZE = 2

    def __init__(self):
        self._engines: dict[str, object] = {}

    def get(self, key: str):
        return self._engines.get(key)

    def keep(self, engine) -> None:
        self._engines.pop(engine.key, None)
        self._engines[engine.key] = engine
        while len(self._engines) > self.SIZE:
            self._engines.pop(next(iter(self._engines)))


def _warm_up(training, engines: _EngineCache) -> None:
    """Train the default design for a few epochs: TensorFlow's kernels load, its function is traced."""
    from designer import presets

    design = presets.default_design()
    design["training"] = {**design.get("training", {}), "epochs": 2}
    trainer = training.Trainer(design)
    trainer.train()
    trainer.evaluate(trainer.data.test)
    engines.keep(trainer.engine)


def _train(
    training, engines: _EngineCache, connection, stop_event, job_id: int, design: dict, request: Request
) -> None:
    engine = engines.get(training.architecture_key(design))
    trainer = training.Trainer(design, engine=engine, start=request.start, csv=request.csv)
    engines.keep(trainer.engine)
    live_map = _live_map(design, trainer, request.plane, request.epochs)
    sent = trainer.epochs_done  # a step sends only its own epochs
    if stop_event.is_set():  # stopped while the model was being built
        return _send_result(connection, job_id, trainer, request, stopped=True)
    for done in trainer.run(request.epochs, restore_best=request.epochs is None, seconds=request.seconds):
        rows = {name: values[sent:] for name, values in trainer.history.items()}
        connection.send(("progress", job_id, rows, done, trainer.seconds, live_map() if live_map else None))
        sent = done
        if stop_event.is_set():
            break
    _send_result(connection, job_id, trainer, request, stopped=stop_event.is_set())


def _draw_map(connection, job_id: int, design: dict, request: Request) -> None:
    """A map job: the map of a trained model (its weights sent along), as a result with nothing trained."""
    from designer import data, keras_model, maps

    model = keras_model.restore_model(design, request.weights)
    found = maps.compute(model, design, data.prepare(design, request.csv), request.plane, request.layers)
    result = Result({}, None, 0.0, None, {}, {}, None, os.getpid(), map=found)
    connection.send(("done", job_id, result, False))


def _live_map(design: dict, trainer, plane, request_epochs: int | None):
    """What computes the heads' map of the model as it trains, or None when the run asked for none."""
    if plane is None or request_epochs == 0:  # a reset trains nothing, so reports nothing
        return None
    from designer import maps

    return maps.Prober(trainer.model, design, trainer.data, plane)


def _end_map(design: dict, trainer, request: Request):
    if request.plane is None:
        return None
    from designer import maps

    return maps.compute(trainer.model, design, trainer.data, request.plane, request.layers)


def _send_result(connection, job_id: int, trainer, request: Request, stopped: bool) -> None:
    """The run's end, as plain data: test metrics and predictions, the weights (and state) as arrays."""
    data = trainer.data
    trained = trainer.epochs_done > 0 or request.epochs == 0  # a reset is measured untrained
    result = Result(
        history={},  # the history already came in the progress messages
        stop_reason=trainer.stop_reason,
        seconds=trainer.seconds,
        test=trainer.evaluate(data.test) if trained else None,
        test_predictions=trainer.predict(data.test) if trained else {},
        test_targets={head.name: data.test.y[head.name] for head in trainer.heads},
        weights=trainer.model.get_weights(),
        worker=os.getpid(),
        note=trainer.note,
        state=trainer.state() if request.keep_state else None,
        map=_end_map(trainer.design, trainer, request),
        out_of_time=trainer.out_of_time,
    )
    connection.send(("done", job_id, result, stopped))


# ------------------------------------------------------------------------------------------ the server side


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    connection: object
    stop_event: object
    state: str = "starting"  # starting, idle, busy, retiring, gone
    runs: int = 0
    job: Job | None = None
    replacement: _Worker | None = None  # the worker started to take this one's place
    retire: bool = False
    started_at: float = field(default_factory=time.monotonic)
    facts: dict = field(default_factory=dict)  # what it said when ready: its niceness, TensorFlow's threads


@dataclass(frozen=True)
class Event:
    """Something the pool did, for tests and benchmarks: ``("ready", pid, time)``, ``("exit", pid, time)``..."""

    what: str
    pid: int
    at: float


class Pool:
    """Worker processes, a FIFO queue of jobs, and the dispatcher thread that joins the two."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings.from_environment()
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.RLock()
        self._queue: deque[Job] = deque()
        self._workers: list[_Worker] = []
        self._ids = itertools.count(1)
        self._wake_reader, self._wake_writer = self._context.Pipe(duplex=False)
        self._closed = False
        self.events: list[Event] = []
        with self._lock:
            for _ in range(self.settings.workers):
                self._spawn()
        self._thread = threading.Thread(target=self._dispatch, name="training-pool", daemon=True)
        self._thread.start()
        atexit.register(self.shutdown)  # before multiprocessing's own handler ends the workers under it

    # ---- what the pages call

    def submit(self, design: dict, request: Request | None = None) -> Job:
        """Queue a run of a valid design; the returned job fills in as it trains.

        A map job (a request with ``weights``) takes a few milliseconds: it goes
        to the front of the queue, so a learner turning an axis waits for the
        next free worker only, not for every run queued.
        """
        request = request or Request()
        if request.seconds is None:
            request = dataclasses.replace(request, seconds=self.settings.run_seconds)
        job = Job(design=design, request=request, id=next(self._ids), _pool=self)
        with self._lock:
            if self._closed:
                raise RuntimeError("the training pool is shut down")
            if request.weights is not None:
                self._queue.appendleft(job)
            else:
                self._queue.append(job)
        self._wake()
        return job

    def place(self, job: Job) -> int:
        """How many queued jobs are ahead of ``job``."""
        return self.queue_view(job)["ahead"]

    def queue_view(self, job: Job) -> dict:
        """What a waiting job's learner is told, read at one moment: ``ahead``, ``training``, ``workers``,
        and whether the job is still ``queued``."""
        with self._lock:
            queued = job in self._queue
            return {**self.status(), "ahead": self._queue.index(job) if queued else 0, "queued": queued}

    def stop(self, job: Job) -> None:
        """Cancel a queued job, or ask its worker to stop it."""
        with self._lock:
            if job in self._queue:
                self._queue.remove(job)
                job._update(state=CANCELLED, message="Cancelled before it started.", ended_at=time.monotonic())
                return
            if job.state == RUNNING and job.stop_requested_at is None:
                job._update(stop_requested_at=time.monotonic())
                worker = self._worker_of(job)
                if worker is not None:
                    worker.stop_event.set()
        self._wake()

    def status(self) -> dict:
        """Counts for the page: workers ready, runs training, runs waiting."""
        with self._lock:
            return {
                "workers": sum(w.state in ("idle", "busy") for w in self._workers),
                "training": sum(w.state == "busy" for w in self._workers),
                "waiting": len(self._queue),
            }

    def pids(self) -> list[int]:
        """Process ids of the workers alive now (for memory readings and fault tests)."""
        with self._lock:
            return [w.process.pid for w in self._workers if w.state != "gone" and w.process.pid]

    def worker_facts(self) -> dict[int, dict]:
        """What each ready worker reported of itself, by process id: its ``niceness`` and TensorFlow's threads
        (see :func:`designer.tf_runtime.worker_facts`)."""
        with self._lock:
            return {w.process.pid: w.facts for w in self._workers if w.state in ("idle", "busy")}

    def busy_pids(self) -> list[int]:
        """Process ids of the workers training a run now."""
        with self._lock:
            return [w.process.pid for w in self._workers if w.state == "busy"]

    def wait_ready(self, timeout: float = 120.0) -> bool:
        """Wait until every worker has started and none is starting; report whether that happened."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if all(w.state in ("idle", "busy") for w in self._workers) and self._workers:
                    return True
            time.sleep(0.05)
        return False

    def shutdown(self) -> None:
        """End every worker and the dispatcher; queued jobs are cancelled."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for job in self._queue:
                job._update(state=CANCELLED, message="The server is shutting down.", ended_at=time.monotonic())
            self._queue.clear()
        self._wake()
        self._thread.join(timeout=5)
        for worker in list(self._workers):
            self._end(worker, "shutdown")

    # ---- the dispatcher thread

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_writer.send_bytes(b"!")

    def _dispatch(self) -> None:
        while not self._closed:
            with self._lock:
                waitables = {w.connection: w for w in self._workers if w.state != "gone"}
                sentinels = {w.process.sentinel: w for w in self._workers if w.state != "gone"}
            ready = wait([self._wake_reader, *waitables, *sentinels], timeout=MONITOR_SECONDS)
            with self._lock:
                for item in ready:
                    if item is self._wake_reader:
                        with contextlib.suppress(EOFError, OSError):
                            while self._wake_reader.poll():
                                self._wake_reader.recv_bytes()
                    elif item in waitables:
                        self._receive(waitables[item])
                for item in ready:
                    if item in sentinels and not sentinels[item].process.is_alive():
                        self._died(sentinels[item])
                self._watch()
                self._assign()

    def _receive(self, worker: _Worker) -> None:
        try:
            while worker.state != "gone" and worker.connection.poll():
                self._handle(worker, worker.connection.recv())
        except (EOFError, OSError):
            self._died(worker)

    def _handle(self, worker: _Worker, message: tuple) -> None:
        said = message[0]
        if said == "ready":
            worker.state, worker.facts = "idle", message[2]
            self._note("ready", worker)
            self._retire_replaced()
            return
        job = worker.job
        if job is None or message[1] != job.id:
            return  # news of a job that has already ended (stopped by ending its worker)
        if said == "progress":
            _, _, rows, epochs, seconds, live_map = message
            job._extend(rows, epochs, seconds, live_map)
        elif said == "done":
            _, _, result, stopped = message
            self._finished(worker, job, result, stopped)
        elif said in ("refused", "failed"):
            if said == "failed":
                LOG.error("training job %s failed in worker %s: %s", job.id, worker.process.pid, message[2])
                text = (
                    "Training failed inside TensorFlow, so this run ended. Nothing else was affected; "
                    f"press Train to try again. ({message[2]})"
                )
            else:
                text = message[2]
            self._release(worker, job, state=FAILED if said == "failed" else REFUSED, message=text)

    def _finished(self, worker: _Worker, job: Job, result: Result, stopped: bool) -> None:
        result.history = job.history
        if stopped:
            state = STOPPED
            message = f"Stopped after {job.epochs_done} of {_epochs(job)} epochs."
        elif result.out_of_time:
            state, message = STOPPED, _out_of_time(job)
        elif result.stop_reason:
            state, message = STOPPED_EARLY, result.stop_reason
        else:
            state, message = FINISHED, result.note or ""
        self._release(worker, job, state=state, message=message, result=result)

    def _release(self, worker: _Worker, job: Job, **changes) -> None:
        """The worker is done with ``job``: make the worker free (or retire it), then record how the job ended."""
        ended_at = time.monotonic()
        worker.job = None
        worker.runs += 1
        worker.stop_event.clear()
        worker.state = "idle"
        rss = resident_mb(worker.process.pid) or 0
        if worker.runs >= self.settings.max_runs or rss > RETIRE_SHARE * self.settings.memory_mb:
            self._begin_retirement(worker)
        self._retire_replaced()
        job._update(ended_at=ended_at, **changes)

    def _watch(self) -> None:
        """Memory ceilings, stops that take too long, runs that waited too long."""
        now = time.monotonic()
        for worker in list(self._workers):
            job = worker.job
            if worker.state == "gone":
                continue
            rss = resident_mb(worker.process.pid) if worker.process.pid else None
            if job is not None and rss is not None and rss > self.settings.memory_mb:
                self._end(worker, "memory")
                message = (
                    f"This network needed more than {self.settings.memory_mb:,} MB of memory, the most one "
                    f"training may use here, so its training was ended after {job.epochs_done} epochs. "
                    "Try fewer or narrower layers."
                )
                job._update(state=FAILED, message=message, ended_at=now)
            elif job is not None and job.stop_requested_at and now - job.stop_requested_at > STOP_GRACE_SECONDS:
                self._end(worker, "stopped")  # the chunk under way is too long to wait for
                message = (
                    f"Stopped after {job.epochs_done} of {_epochs(job)} epochs, in the middle of an epoch; "
                    "the weights of that moment were not kept."
                )
                job._update(state=STOPPED, message=message, ended_at=now)
        limit = self.settings.queue_wait_seconds
        while self._queue and now - self._queue[0].submitted_at > limit:
            job = self._queue.popleft()
            message = (
                f"The server is busy: this run waited {limit:.0f} s for a free trainer and was not started. "
                "Press Train again in a minute."
            )
            job._update(state=REFUSED, message=message, ended_at=now)

    def _assign(self) -> None:
        """Give queued jobs to idle workers, oldest job first."""
        for worker in self._workers:
            if not self._queue:
                return
            if worker.state != "idle" or (worker.retire and worker.replacement.state in ("idle", "busy")):
                continue  # a retiring worker serves only until its replacement is ready
            job = self._queue.popleft()
            worker.job, worker.state = job, "busy"
            job._update(state=RUNNING, started_at=time.monotonic(), worker=worker.process.pid)
            try:
                worker.connection.send((job.id, job.design, job.request))
            except (OSError, ValueError):
                job._update(state=QUEUED, started_at=None, worker=None)
                self._queue.appendleft(job)
                self._died(worker)

    def _spawn(self) -> _Worker:
        parent, child = self._context.Pipe()
        stop_event = self._context.Event()
        process = self._context.Process(
            target=_worker_main, args=(child, stop_event, self.settings.warm_up), name="training-worker", daemon=True
        )
        with _bare_main():
            process.start()
        child.close()
        worker = _Worker(process, parent, stop_event)
        self._workers.append(worker)
        self._note("spawn", worker)
        return worker

    def _begin_retirement(self, worker: _Worker) -> None:
        """Start ``worker``'s replacement; the old one serves on until it is ready."""
        if worker.retire or self._closed:
            return
        worker.retire = True
        worker.replacement = self._spawn()
        self._retire_replaced()

    def _retire_replaced(self) -> None:
        for worker in list(self._workers):
            if worker.retire and worker.state == "idle" and worker.replacement.state in ("idle", "busy"):
                self._end(worker, "retired")

    def _died(self, worker: _Worker) -> None:
        """A worker ended without being asked: its job fails, and a new worker takes its place."""
        if worker.state == "gone":
            return
        worker.process.join(timeout=1)  # its pipe may close a moment before it is reaped
        code = worker.process.exitcode
        job = worker.job
        self._end(worker, "died")
        if job is not None and not job.done:
            how = f"signal {-code} ({signal.Signals(-code).name})" if code and code < 0 else f"exit code {code}"
            message = (
                f"The process training this run stopped unexpectedly ({how}) after {job.epochs_done} epochs, "
                "so this run ended. Nothing else was affected: press Train to try again."
            )
            job._update(state=FAILED, message=message, ended_at=time.monotonic())
        if not worker.retire:
            self._replace(worker)

    def _replace(self, worker: _Worker) -> None:
        """Start a worker in place of one that is gone; a worker it was to replace waits for the new one."""
        if self._closed:
            return
        new = self._spawn()
        for other in self._workers:
            if other.replacement is worker:
                other.replacement = new

    def _end(self, worker: _Worker, why: str) -> None:
        """Take ``worker`` out of the pool: a retired one is asked to quit, any other is killed at once."""
        if worker.state == "gone":
            return
        replace = why in ("memory", "stopped") and not worker.retire
        worker.state = "gone"
        self._workers.remove(worker)
        self._note(f"exit:{why}", worker)
        polite = why in ("retired", "shutdown")
        with contextlib.suppress(OSError, ValueError):
            if polite:
                worker.connection.send(None)
        if not polite:
            with contextlib.suppress(OSError):
                worker.process.kill()
        if why == "shutdown":  # no new threads at interpreter exit
            _reap(worker, timeout=2)
        else:  # joined on a thread of its own: the dispatcher must not wait for a process to wind down
            threading.Thread(target=_reap, args=(worker,), name="training-reaper", daemon=True).start()
        if replace:
            self._replace(worker)

    def _worker_of(self, job: Job) -> _Worker | None:
        return next((w for w in self._workers if w.job is job), None)

    def _note(self, what: str, worker: _Worker) -> None:
        self.events.append(Event(what, worker.process.pid or 0, time.monotonic()))


@contextlib.contextmanager
def _bare_main():
    """Start a process with an empty ``__main__``, so that the child does not run the server's main script.

    The spawn method re-runs the parent's ``__main__`` in the child; Streamlit
    runs each page script as ``__main__``, and the child would run the page
    (and start a pool of its own). The pool's lock keeps spawns one at a time.
    """
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def _epochs(job: Job) -> int:
    """The epoch the job trains to: the design's epochs, or a step's end."""
    request = job.request
    if request.epochs is None:
        return spec.training_settings(job.design)["epochs"]
    return (request.start.epochs_done if request.start is not None else 0) + request.epochs


def _out_of_time(job: Job) -> str:
    """Why a run that spent its budget of training time stopped, and what would fit."""
    seconds = cost.seconds_text(job.request.seconds)
    return (
        f"Stopped after {job.epochs_done} of {_epochs(job)} epochs: this run reached its {seconds} s of training, "
        "the most one run may use here. Its curves and its model so far are kept; fewer epochs, a larger batch "
        "size or fewer units train within that time."
    )


def _reap(worker: _Worker, timeout: float = 10) -> None:
    """Wait for a worker that was told to go; kill it if it lingers."""
    worker.process.join(timeout=timeout)
    if worker.process.is_alive():
        worker.process.kill()
        worker.process.join(timeout=5)
    with contextlib.suppress(OSError):
        worker.connection.close()


# The pool outlives this module: Streamlit reloads the app's modules when one of
# their files changes, and a second pool would start while the first one's
# workers lived on. A module without a file is never reloaded, so it holds the pool.
_REGISTRY = sys.modules.setdefault("_keras_designer_training_pool", types.ModuleType("_keras_designer_training_pool"))
if not hasattr(_REGISTRY, "lock"):
    _REGISTRY.lock, _REGISTRY.pool = threading.Lock(), None


def shared_pool() -> Pool:
    """The server's one pool, started on first use (all sessions share it)."""
    with _REGISTRY.lock:
        if _REGISTRY.pool is None:
            _REGISTRY.pool = Pool()
        return _REGISTRY.pool


def start_soon(delay: float) -> None:
    """Start the shared pool ``delay`` seconds from now (once), unless something needs it sooner.

    The workers' TensorFlow imports take a few CPU-seconds each; started a
    moment after the first page is sent, they leave the CPUs to the page.
    """
    with _REGISTRY.lock:
        if _REGISTRY.pool is not None or getattr(_REGISTRY, "timer", None) is not None:
            return
        _REGISTRY.timer = threading.Timer(delay, shared_pool)
        _REGISTRY.timer.daemon = True
        _REGISTRY.timer.start()
