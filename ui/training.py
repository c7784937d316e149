"""The Train page's parts: settings, the live view of a run, its results, and the session's runs.

``st.session_state["runs"]`` keeps every run of the session (a snapshot of
its design and settings, its history and test metrics); ``"trainer"`` keeps
the latest run's trainer, with its model. Nothing is shared between sessions.
"""

from __future__ import annotations

import time

import streamlit as st
from sklearn.metrics import confusion_matrix

from designer import edits, spec, training
from designer.keras_model import model_file_bytes
from ui import charts, projector
from ui.editors import bind
from ui.text import plain

RUNS, TRAINER = "runs", "trainer"
CHART_REFRESH_SECONDS = 0.5  # curves redraw at most twice a second while training


def runs() -> list[dict]:
    """The session's runs, oldest first."""
    return st.session_state.setdefault(RUNS, [])


def latest() -> tuple[dict | None, training.Trainer | None]:
    """The latest run and its trainer."""
    return (runs()[-1] if runs() else None), st.session_state.get(TRAINER)


def settle_interrupted() -> None:
    """A run still marked running was stopped (by the Stop button or any other click)."""
    run, trainer = latest()
    if run is not None and run["status"] == "running":
        trainer.cancel()  # an earlier script run may still be inside a chunk
        run["status"] = "stopped"
        run["message"] = f"Stopped after {trainer.epochs_done} of {run['settings']['epochs']} epochs."
        _finish(run, trainer)


def settings_editor(design: dict) -> None:
    """The design's training settings; each change is an edit of the design."""
    settings = spec.training_settings(design)
    first = st.columns(4)
    first[0].selectbox(
        "Optimizer",
        spec.OPTIMIZERS,
        index=spec.OPTIMIZERS.index(settings["optimizer"]),
        **bind("training", "optimizer", edits.set_training, "optimizer"),
    )
    first[1].number_input(
        "Learning rate",
        value=float(settings["learning_rate"]),
        step=0.0005,
        format="%g",
        **bind("training", "learning_rate", edits.set_training, "learning_rate"),
    )
    first[2].number_input(
        "Epochs", value=settings["epochs"], step=10, **bind("training", "epochs", edits.set_training, "epochs")
    )
    first[3].number_input(
        "Batch size",
        value=settings["batch_size"],
        step=1,
        **bind("training", "batch_size", edits.set_training, "batch_size"),
    )
    with _tucked_away("More settings: splits, seed, early stopping"):
        second = st.columns(4, vertical_alignment="bottom")
        second[0].number_input(
            "Test size",
            value=float(settings["test_size"]),
            step=0.05,
            format="%.2f",
            **bind("training", "test_size", edits.set_training, "test_size"),
        )
        second[1].number_input(
            "Validation split",
            value=float(settings["validation_split"]),
            step=0.05,
            format="%.2f",
            **bind("training", "validation_split", edits.set_training, "validation_split"),
        )
        second[2].number_input(
            "Seed", value=settings["seed"], step=1, **bind("training", "seed", edits.set_training, "seed")
        )
        patience = settings["early_stopping_patience"]
        with second[3]:
            st.toggle(
                "Early stopping", value=patience is not None, **bind("training", "early", edits.set_early_stopping)
            )
            if patience is not None:
                st.number_input(
                    "Patience (epochs)",
                    value=patience,
                    step=1,
                    **bind("training", "patience", edits.set_training, "early_stopping_patience"),
                )
    weights = ", ".join(f"{h.name} × {h.weight:g}" for h in training.heads_of(design))
    st.caption(f"Loss weights are set on each head, on the Design page: {weights}.")


def start(design: dict) -> tuple[dict, training.Trainer] | None:
    """A new run of the design, or None (with the reason shown) if it cannot train."""
    try:
        with st.spinner("Building the model (the first run also loads TensorFlow: a few seconds)…"):
            previous = st.session_state.get(TRAINER)
            trainer = training.Trainer(design, engine=previous.engine if previous else None)
    except (training.TrainingError, training.DataError) as error:
        st.error(plain(str(error)), icon=":material/error:")
        return None
    number = len(runs()) + 1
    settings = trainer.settings
    run = {
        "label": f"Run {number}: {settings['optimizer']}, lr {settings['learning_rate']:g}, "
        f"batch {settings['batch_size']}",
        "design": spec.clone(design),
        "settings": dict(settings),
        "heads": trainer.heads,
        "history": trainer.history,  # the trainer fills it in place
        "status": "running",
        "message": "",
        "test": None,
    }
    runs().append(run)
    st.session_state[TRAINER] = trainer  # the latest model only: older ones are let go
    return run, trainer


def train_live(run: dict, trainer: training.Trainer) -> None:
    """Train, showing progress and curves as they come; a click anywhere stops it."""
    total = run["settings"]["epochs"]
    progress = st.progress(0.0, text="Starting…")
    view = st.empty()
    started, last_drawn, drawings = time.perf_counter(), 0.0, 0
    first = None  # (time, epochs) at the first report: the pace is measured after the one-off compilation
    for done in trainer.run():
        now = time.perf_counter()
        if first is None or done == first[1]:
            first, left = (now, done), "estimating the time left"
        else:
            left = f"about {(now - first[0]) / (done - first[1]) * (total - done):.1f} s left"
        text = f"Epoch {done} of {total} · {now - started:.1f} s elapsed · {left}"
        progress.progress(done / total, text=text)
        if time.perf_counter() - last_drawn >= CHART_REFRESH_SECONDS:
            drawings += 1
            with view.container():
                curves(run, key=f"live-{drawings}")
            last_drawn = time.perf_counter()
    with view.container():
        curves(run, key="final")
    progress.progress(1.0, text=f"{trainer.epochs_done} epochs in {trainer.seconds:.1f} s")
    run["status"] = "stopped early" if trainer.stop_reason else "finished"
    run["message"] = trainer.stop_reason or ""
    _finish(run, trainer)


def _finish(run: dict, trainer: training.Trainer) -> None:
    run["seconds"] = trainer.seconds
    run["test"] = trainer.evaluate(trainer.data.test) if trainer.epochs_done else None


def curves(run: dict, key: str = "curves") -> None:
    """One row per head: its loss and its accuracy (or error); then the total loss for several heads.

    ``key`` tells apart the drawings of one script run (the live view redraws).
    """
    heads = run["heads"]
    for name, (loss_figure, metric_figure) in charts.head_figures(run["history"], heads).items():
        left, right = st.columns(2)
        projector.plotly_chart(
            left, loss_figure, width="stretch", key=f"{key}-{name}-loss", config=_image_button(f"{name}_loss")
        )
        projector.plotly_chart(
            right, metric_figure, width="stretch", key=f"{key}-{name}-metric", config=_image_button(f"{name}_metric")
        )
    if len(heads) > 1:
        total = charts.curves(run["history"], "loss", "total loss (weighted sum of the heads)", "loss")
        projector.plotly_chart(st, total, width="stretch", key=f"{key}-total")


def results(run: dict, trainer: training.Trainer | None) -> None:
    """Test metrics per head; a confusion matrix or predicted-vs-actual plot per head."""
    if run["message"]:
        st.info(run["message"], icon=":material/info:")
    if not run["test"]:
        return
    st.subheader("On the test rows")
    st.table([_test_row(head, run["test"], len(run["heads"]) == 1) for head in run["heads"]])
    if trainer is None or trainer.history is not run["history"]:
        return  # an older run: its model is gone
    with _tucked_away("Downloads: the trained model and its history"):
        downloads(run, trainer)
    predictions = trainer.predict(trainer.data.test)
    columns = st.columns(min(len(run["heads"]), 2))
    for index, head in enumerate(run["heads"]):
        actual, predicted = trainer.data.test.y[head.name], predictions[head.name]
        with columns[index % len(columns)]:
            if head.metric == "accuracy":
                matrix = confusion_matrix(actual.argmax(1), predicted.argmax(1), labels=range(len(spec.SPECIES)))
                projector.plotly_chart(st, charts.confusion_matrix(matrix, head.name), width="stretch")
            else:
                projector.plotly_chart(
                    st, charts.predicted_vs_actual(actual, predicted, head.name, head.target), width="stretch"
                )


def _image_button(file_name: str) -> dict:
    """Plotly's camera button, saving a sharp PNG under a telling name."""
    return {"toImageButtonOptions": {"format": "png", "filename": file_name, "scale": 2}}


def downloads(run: dict, trainer: training.Trainer) -> None:
    """The trained model, the history and (through each chart's camera button) the charts."""
    name = run["label"].split(":")[0].lower().replace(" ", "_")
    with st.container(horizontal=True):
        st.download_button(
            "Trained model (.keras)",
            lambda: model_file_bytes(trainer.model),
            file_name=f"{name}.keras",
            mime="application/octet-stream",
            icon=":material/download:",
            on_click="ignore",
        )
        st.download_button(
            "History (.csv)",
            training.history_csv(run["history"]),
            file_name=f"{name}_history.csv",
            mime="text/csv",
            icon=":material/download:",
            on_click="ignore",
        )
    st.caption("Each chart's camera button (top right of the chart) saves it as a PNG image.")


def _test_row(head: training.Head, test: dict, single: bool) -> dict:
    loss = test["loss"] if single else test[f"{head.name}_loss"]
    metric = test[head.metric if single else f"{head.name}_{head.metric}"]
    shown = f"accuracy {metric:.1%}" if head.metric == "accuracy" else f"mean absolute error {metric:.3f} cm"
    return {"head": head.name, "predicts": head.target, "loss": f"{loss:.4f}", "score": shown}


def comparison() -> None:
    """Any runs overlaid on the same axes, for one history key at a time."""
    keys = sorted({key for run in runs() for key in run["history"]}, key=lambda k: (k.startswith("val_"), k))
    labels = [run["label"] for run in runs()]
    # Keyed by the number of runs, so that a new run joins the comparison.
    chosen = st.multiselect("Runs", labels, default=labels[-3:], key=f"compare_runs_{len(labels)}")
    default = "val_loss" if "val_loss" in keys else "loss"
    key = st.selectbox("Curve", keys, index=keys.index(default), key=f"compare_key_{len(labels)}")
    projector.plotly_chart(
        st, charts.comparison([run for run in runs() if run["label"] in chosen], key), width="stretch"
    )


def _tucked_away(title: str):
    """Where secondary controls go: in projector mode, a closed expander; otherwise in line."""
    return st.expander(title) if projector.on() else st.container()
