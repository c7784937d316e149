"""A session's runs: starting one in the shared worker pool, following it live, and keeping what it left.

Session state holds plain data only:

- ``"runs"``: every run of the session, oldest first, as
  :class:`designer.runs.Run` values (its design and settings, history,
  status, message and test metrics);
- ``"job"``: the session's run in the queue or in training, if any: a
  :class:`designer.workers.Job`, which the pool's dispatcher fills in;
- ``"trained"``: the latest run's model as arrays (a
  :class:`designer.runs.TrainedModel`: its weights, and its predictions on the
  test rows), for the results, the downloads and the Model page; the run's
  ``model`` handle is its number. Older runs keep their curves and figures,
  not their weights.

The training itself happens in a worker process; nothing here holds a
TensorFlow object. A click anywhere while a run trains only reruns the page,
which then follows the same run again; Stop ends it.
"""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from designer import cost, edits, exercises, spec, workers
from designer.params import summarize
from designer.runs import Run, TrainedModel, kept_model
from ui import session
from ui.text import plain

RUNS, JOB, REFUSAL, SERIES = "runs", "job", "train_refused", "series"
TRAINED = session.TRAINED
QUEUE_NOTICE_SECONDS = 0.3  # a run waiting longer is told its place
POLL_SECONDS = 0.2  # how often the live view looks at the run (the worker reports about 4 times a second)
CHART_REFRESH_SECONDS = 0.5  # curves redraw at most twice a second while training
KEEP_WEIGHTS_MB = 64  # a trained model larger than this keeps its curves and figures, not its weights
STEP_PARAMETERS = 250_000  # a network up to this size keeps its optimizer's state too (about 4 MB), to step on


def runs() -> list[Run]:
    """The session's runs, oldest first."""
    return st.session_state.setdefault(RUNS, [])


def active() -> workers.Job | None:
    """The session's run that is waiting or training; a run that has ended is settled first (and the next
    run of a series started)."""
    job = st.session_state.get(JOB)
    if job is not None and job.done:
        _settle(job)
        return st.session_state.get(JOB)
    return job


def start_series(designs: list[tuple[dict, int | None]]) -> None:
    """Queue runs of several designs (each with its epochs, None for its own) one after another, as one press.

    An exercise's seeds and a result link's re-training are series: the session
    still has one run in the queue at a time, the next submitted as one ends.
    Each run has its own budget of training time: a series with a run over it
    starts nothing, and the Train page says why.
    """
    if active() is not None or not designs:
        return
    for design, epochs in designs:
        if refused := cost.over_budget(_with_epochs(design, epochs), cost.run_seconds()):
            st.session_state.pop(SERIES, None)
            st.session_state[REFUSAL] = refused
            return
    (first, epochs), *rest = designs
    st.session_state[SERIES] = rest
    _submit(spec.clone(first), _request(first, epochs))


def _with_epochs(design: dict, epochs: int | None) -> dict:
    """The design as a run of ``epochs`` epochs from a fresh start trains it (None: its own epochs)."""
    if epochs is None:
        return design
    changed = spec.clone(design)
    changed.setdefault("training", {})["epochs"] = epochs
    return changed


def series_left() -> int:
    """How many runs of the session's series are still to start."""
    return len(st.session_state.get(SERIES, ()))


def _request(design: dict, epochs: int | None = None) -> workers.Request:
    return workers.Request(epochs=epochs, **_request_extras(design), keep_state=_steppable(design))


def _request_extras(design: dict) -> dict:
    """What every run's request carries beside its epochs: the map's plane, the CSV table, the budget checked."""
    # Imported here: an exercise's goals read the runs on the Design page, which loads no charts or data.
    from ui import data_source, maps

    return {**maps.current_view(design), "csv": data_source.frame_for(design), "seconds": cost.run_seconds()}


def _next_in_series(ended_state: str) -> None:
    """After a run of a series: start the next, unless this one was stopped or failed (which ends the series)."""
    pending = st.session_state.pop(SERIES, [])
    if pending and ended_state in (workers.FINISHED, workers.STOPPED_EARLY):
        start_series(pending)


def latest() -> tuple[Run | None, TrainedModel | None]:
    """The latest run and, if the session still keeps it, its trained model (weights and test predictions)."""
    active()
    if not runs():
        return None, None
    run = runs()[-1]
    return run, kept_model(run, st.session_state.get(TRAINED))


def start() -> None:
    """Callback of the Train button: queue a run of the session's design, unless it cannot train.

    A callback, so that the page is drawn knowing a run is under way (its Train
    button disabled, its Stop button shown). A refusal waits in the session
    for :func:`show_refusal`.
    """
    if active() is not None:
        return
    design = session.design()
    if refused := why_not_trainable(design):  # the button is disabled then; a click from before an edit may come
        st.session_state[REFUSAL] = refused
        return
    st.session_state.pop(SERIES, None)
    _submit(spec.clone(design), _request(design))


def why_not_trainable(design: dict) -> str | None:
    """Why the session's design cannot train now, in the page's words (None: it can).

    Why it cannot run at all (:func:`why_not_runnable`), or that a run of its
    epochs would take longer than a run's budget of training time, and what to
    change.
    """
    return why_not_runnable(design) or cost.over_budget(design, cost.run_seconds())


def why_not_runnable(design: dict) -> str | None:
    """Why no run of the session's design can start, not even a reset (None: one can).

    Its first problem, or, for a design on a CSV file, that the file is not
    loaded (a link cannot carry it): a run would only be refused.
    """
    if problems := session.facts().errors:
        return problems[0].on_page
    from ui import data_source

    return data_source.missing_file(design)


def show_why_not_trainable(design: dict, refused: str | None) -> None:
    """Why the design cannot train, under the controls, when the Design page does not say it already: a CSV
    file to load, or a run too long for its budget."""
    if refused is None or session.facts().errors:  # a design's problems show on the Design page
        return
    from ui import data_source

    if data_source.missing_file(design):
        st.info(plain(refused), icon=":material/upload_file:")
    else:
        st.warning(plain(refused), icon=":material/timer_off:")


def step(epochs: int) -> None:
    """Callback of "+1 epoch" and "+10 epochs": train the latest run on from where it stands, as the same run."""
    run, trained = latest()
    if active() is not None or trained is None or trained.get("state") is None:
        return
    if refused := cost.over_budget(run.design, cost.run_seconds(), epochs=epochs):  # a click from before
        st.session_state[REFUSAL] = refused
        return
    request = workers.Request(epochs=epochs, start=trained["state"], **_request_extras(run.design), keep_state=True)
    st.session_state[JOB] = workers.shared_pool().submit(run.design, request)


def reset(new_seed: bool) -> None:
    """Callback of Reset: a fresh start of the design, untrained (epoch 0), to step from; a new seed if asked."""
    if active() is not None:
        return
    design = session.design()
    if new_seed:
        seed = int(np.random.default_rng().integers(0, spec.MAX_SEED + 1))
        if not session.commit(edits.set_training(design, "seed", seed), "training", f"A new seed: {seed}."):
            return
        design = session.design()
    if why_not_runnable(design):  # a reset trains nothing: a design too long to train whole may reset and step
        return
    request = workers.Request(epochs=0, **_request_extras(design), keep_state=_steppable(design))
    _submit(spec.clone(design), request)


def _why_no_step(run: Run | None, trained: TrainedModel | None, epochs: int) -> str | None:
    """Why the latest run cannot go on by a step of ``epochs`` epochs (None: it can)."""
    if run is None or trained is None:
        return "Train or reset first: a step goes on from the latest run"
    if trained.get("state") is None:
        return "This network is too large to go on step by step here: Train trains it whole"
    if run.status == workers.STOPPED_EARLY:
        return "This run stopped early (its message says why): Train or Reset to start again"
    if session.design() != run.design:
        return "The design has changed since this run: Train or Reset to use the new one"
    return cost.over_budget(run.design, cost.run_seconds(), epochs=epochs)


def _submit(design: dict, request: workers.Request) -> None:
    job = workers.shared_pool().submit(design, request)
    runs().append(Run.start(len(runs()) + 1, job.design))
    st.session_state[JOB] = job


def _steppable(design: dict) -> bool:
    """Whether a run of the design keeps its full state, to step on from (small networks only)."""
    return summarize(design).total <= STEP_PARAMETERS


def controls(running: bool, refused: str | None) -> None:
    """One row: the Train button (disabled while a run is under way, or with the reason the design cannot
    train), the Stop button while a run is under way, and the step buttons.

    Each is drawn straight into the row with a key of its own, so that every
    page run while a run trains draws the same widgets in the same places: the
    browser keeps their elements, and a click on Stop lands on the button it
    aimed at. The page reruns once the run has ended, drawing them afresh.
    """
    invalid = refused is not None
    with st.container(horizontal=True):
        st.button(
            "Train",
            type="primary",
            icon=":material/play_arrow:",
            disabled=invalid or running,
            help=plain(refused) if invalid else "A run is under way: Stop ends it" if running else None,
            on_click=start,
            key="train",
        )
        if running:
            st.button(
                "Stop", icon=":material/stop:", on_click=stop, help="Stop it; the curves so far are kept", key="stop"
            )
        _step_buttons(running or why_not_runnable(session.design()) is not None)


def _step_buttons(busy: bool) -> None:
    """One more epoch, ten more, and a fresh start (with the design's seed or a new one), as Playground has;
    grouped, so that they wrap onto a new line together."""
    run, trained = latest()
    seed_locked = exercises.lock_reason(session.design(), "training.seed")
    new_seed_help = seed_locked or "Start afresh with a new random seed: see how much the start matters"
    with st.container(horizontal=True):
        for epochs in (1, 10):
            why = None if busy else _why_no_step(run, trained, epochs)
            label = f"+{epochs} epoch{'s' if epochs > 1 else ''}"
            disabled = busy or why is not None
            st.button(label, on_click=step, args=(epochs,), disabled=disabled, help=why, key=f"step-{epochs}")
        for new_seed, label, help_text in (
            (False, "Reset", "Start afresh, untrained, with the design's seed"),
            (True, "Reset, new seed", new_seed_help),
        ):
            st.button(
                label,
                icon=":material/restart_alt:" if not new_seed else ":material/casino:",
                on_click=reset,
                args=(new_seed,),
                disabled=busy or bool(new_seed and seed_locked),
                help=help_text,
                key="reset-new-seed" if new_seed else "reset",
            )


def show_refusal() -> None:
    """Why the last press of Train started nothing, once."""
    message = st.session_state.pop(REFUSAL, None)
    if message:
        st.error(plain(message), icon=":material/error:")


def stop() -> None:
    """Callback of the Stop button: cancel the waiting run, or stop the one training."""
    st.session_state.pop(SERIES, None)
    job = st.session_state.get(JOB)
    if job is not None:
        job.stop()


def follow(job: workers.Job, heading) -> None:
    """Show the run live until it ends: its place in the queue, then progress and curves as they come.

    ``heading`` is the placeholder of the run's heading, which names its state.
    """
    from ui import maps
    from ui.training import curves

    run = runs()[-1]
    shown_state = None
    before = run.history if job.request.start is not None else {}
    total = run.epochs_done + job.request.epochs if job.request.epochs is not None else run.settings["epochs"]
    status, progress, view = st.empty(), st.empty(), st.empty()
    drawn_at, drawn_epochs, drawings = 0.0, 0, 0
    while True:
        now = job.snapshot()
        if now.state != shown_state:
            heading.subheader(f"{run.label} · {'waiting' if now.state == workers.QUEUED else now.state}")
            shown_state = now.state
        if now.state == workers.QUEUED:
            # Shown only to a run that waits: a free trainer takes a run within milliseconds.
            waiting = waiting_text(job) if time.monotonic() - now.submitted_at > QUEUE_NOTICE_SECONDS else None
            if waiting:
                status.info(waiting, icon=":material/hourglass_top:")
        else:
            status.empty()
            progress.progress(min(1.0, now.epochs_done / max(total, 1)), text=_progress_text(now, total))
            due = time.monotonic() - drawn_at >= CHART_REFRESH_SECONDS
            if now.epochs_done > drawn_epochs and (due or drawn_epochs == 0):
                drawings += 1
                # Keyed by the run too: a series follows several runs in one page run.
                drawing = f"live-{run.number}-{drawings}"
                with view.container():
                    curves(run.heads, _joined(before, now.history), key=drawing)
                    if now.live_map is not None:
                        maps.live(run, now.live_map, key=drawing)
                drawn_at, drawn_epochs = time.monotonic(), now.epochs_done
        if now.done:
            break
        job.wait(POLL_SECONDS)
    _settle(job)
    for placeholder in (status, progress, view):
        placeholder.empty()


def _joined(before: dict[str, list[float]], after: dict[str, list[float]]) -> dict[str, list[float]]:
    return {name: [*before.get(name, []), *after.get(name, [])] for name in {**before, **after}}


def waiting_text(job: workers.Job) -> str | None:
    """What a learner whose run waits is told: their place, and how busy the trainers are (None: not waiting)."""
    view = workers.shared_pool().queue_view(job)
    if not view["queued"]:
        return None
    ahead = view["ahead"]
    runs_ahead = "your run is next" if ahead == 0 else f"{ahead} run{'s' if ahead > 1 else ''} ahead of yours"
    if view["workers"] == 0:
        return f"The trainers are starting (TensorFlow is loading: a few seconds); {runs_ahead}. Stop cancels it."
    return (
        f"Waiting for a free trainer: {runs_ahead}, {view['training']} training now on "
        f"{view['workers']} trainer{'s' if view['workers'] > 1 else ''}. Stop cancels it."
    )


def _progress_text(job: workers.Job, total: int) -> str:
    if job.state == workers.RUNNING and not job.epochs_done:
        return "Starting…"
    left = job.seconds_left(total)
    left = "estimating the time left" if left is None else f"about {left:.1f} s left"
    return f"Epoch {job.epochs_done} of {total} · {job.seconds:.1f} s of training · {left}"


def _settle(job: workers.Job) -> None:
    """Record an ended job in its run (the latest); keep its weights as the session's latest trained model."""
    if st.session_state.get(JOB) is not job:
        return  # settled already: the session's job is another one, or none
    ended = job.snapshot()
    result = ended.result
    run = runs()[-1]
    stepped = job.request.start is not None  # a step goes on with the same run
    if stepped and (result is None or result.test is None):  # cancelled, failed or refused: the run stays
        fallback = f"The step ended before it trained: the run stands at epoch {run.epochs_done}."
        runs()[-1] = run.replace(message=ended.message or fallback)
        del st.session_state[JOB]
        return
    changes = {
        "status": ended.state,
        "message": ended.message,
        "history": _joined(run.history, ended.history) if stepped else ended.history,
        "seconds": ended.seconds + (run.seconds if stepped else 0.0),
        "test": result.test if result else None,
        "worker": ended.worker,
    }
    st.session_state.pop(TRAINED, None)  # older runs let go of their weights
    if result is not None and result.weights is not None and result.test is not None:
        size_mb = sum(w.nbytes for w in result.weights) / 2**20
        if size_mb <= KEEP_WEIGHTS_MB:
            st.session_state[TRAINED] = TrainedModel(
                number=run.number,
                design=run.design,
                epochs=ended.epochs_done,
                weights=result.weights,
                test_predictions=result.test_predictions,
                test_targets=result.test_targets,
                state=result.state,
                map=result.map,
            )
            changes["model"] = run.number
        else:
            changes["message"] = (ended.message + " " if ended.message else "") + (
                f"Its trained weights ({size_mb:,.0f} MB) are too large to keep here, so there is no model "
                "to download or inspect; its curves and test metrics are kept."
            )
    runs()[-1] = run.replace(**changes)
    del st.session_state[JOB]
    _next_in_series(ended.state)
