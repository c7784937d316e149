"""The Train page's parts: the settings, a run's curves and results, the downloads, the comparison.

A run is a :class:`designer.runs.Run`, plain data (see :mod:`ui.runs`); a
trained model comes as its weights and its test predictions, so nothing here
holds a TensorFlow object, and the ``.keras`` file is built only when it is
downloaded.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from designer import cost, spec, workers
from designer.baseline import baselines, verdict
from designer.data import Dataset, input_scaling
from designer.keras_model import model_file_bytes, take_home_model
from designer.runs import (
    METRIC,
    Head,
    Run,
    TrainedModel,
    confusion_matrix,
    heads_of,
    history_csv,
    metric_name,
    results_table,
)
from ui import charts, data_source, projector, session
from ui.text import plain

BASELINES = "baselines"  # (run number, {head: Baseline}) of the latest run shown


def cost_note(design: dict) -> None:
    """For a large network, how long an epoch and how much memory it will roughly take, before it trains."""
    if session.facts().errors:
        return
    estimate = cost.estimate(design)
    if not estimate.heavy:
        return
    ceiling = workers.shared_pool().settings.memory_mb
    note = (
        f"This network has {estimate.parameters:,} parameters: expect about {estimate.seconds_per_epoch:,.1f} s "
        f"an epoch and {estimate.megabytes:,.0f} MB of memory while it trains."
    )
    if estimate.megabytes + workers.WORKER_MB > ceiling:
        note += (
            f" One training may use at most {ceiling:,} MB here, so it will probably be ended; "
            "fewer or narrower layers will train."
        )
    st.warning(note, icon=":material/speed:")


def preview(design: dict) -> None:
    """The empty charts of a valid design's next run: what will be drawn, and Plotly loaded before it is."""
    epochs = spec.training_settings(design)["epochs"]
    curves(heads_of(design), {}, key="preview", epochs=epochs)


def curves(
    heads: Sequence[Head], history: dict[str, list[float]], key: str = "curves", epochs: int | None = None
) -> None:
    """One row per head: its loss and its accuracy (or error); then the total loss for several heads.

    ``key`` tells apart the drawings of one script run (the live view redraws);
    ``epochs`` spans the axes of charts with nothing drawn yet.
    """
    for name, (loss_figure, metric_figure) in charts.head_figures(history, heads).items():
        if epochs is not None:
            for figure in (loss_figure, metric_figure):
                charts.awaiting(figure, epochs)
        left, right = st.columns(2)
        projector.plotly_chart(
            left, loss_figure, width="stretch", key=f"{key}-{name}-loss", config=_image_button(f"{name}_loss")
        )
        projector.plotly_chart(
            right, metric_figure, width="stretch", key=f"{key}-{name}-metric", config=_image_button(f"{name}_metric")
        )
    if len(heads) > 1:
        total = charts.curves(history, metric_name(heads), "total loss (weighted sum of the heads)", "loss")
        projector.plotly_chart(st, total, width="stretch", key=f"{key}-total")


def results(run: Run, trained: TrainedModel | None) -> None:
    """Test metrics per head; a confusion matrix or predicted-vs-actual plot per head."""
    if run.message:
        if run.status in (workers.FAILED, workers.REFUSED):
            st.error(plain(run.message), icon=":material/error:")
        else:
            st.info(plain(run.message), icon=":material/info:")
    if not run.test:
        return
    data = data_source.prepared_if_fits(run.design)
    st.subheader("On the test rows")
    if data is None:
        st.info(plain(data_source.file_wanted(run.design)), icon=":material/upload_file:")
    else:
        st.caption(plain(f"The rows: {data.split_text()}."))
    st.table([{column: plain(text) for column, text in row.items()} for row in results_table(run.heads, run.test)])
    for sentence in _against_baselines(run, data) if data is not None else ():
        st.markdown(plain(sentence))
    if trained is None:
        return  # an older run: only its curves and figures are kept
    with _tucked_away("Downloads: the trained model and its history"):
        downloads(run, trained, data)
    columns = st.columns(min(len(run.heads), 2))
    for index, head in enumerate(run.heads):
        actual, predicted = trained["test_targets"][head.name], trained["test_predictions"][head.name]
        with columns[index % len(columns)]:
            if head.metric == "accuracy":
                matrix = confusion_matrix(actual, predicted, len(head.classes))
                figure = charts.confusion_matrix(matrix, head.name, head.classes, head.target)
                projector.plotly_chart(st, figure, width="stretch")
            else:
                projector.plotly_chart(
                    st,
                    charts.predicted_vs_actual(actual, predicted, head.name, head.target, head.unit),
                    width="stretch",
                )


def _against_baselines(run: Run, data: Dataset) -> list[str]:
    """Per head, whether the network beat scikit-learn's plain model on the same rows (kept per run)."""
    kept = st.session_state.get(BASELINES)
    if kept is None or kept[0] != run.number:
        kept = (run.number, baselines(run.design, data))
        st.session_state[BASELINES] = kept
    return [verdict(kept[1][head.name], run.test[metric_name(run.heads, head, METRIC)]) for head in run.heads]


def _image_button(file_name: str) -> dict:
    """Plotly's camera button, saving a sharp PNG under a telling name."""
    return {"toImageButtonOptions": {"format": "png", "filename": file_name, "scale": 2}}


def downloads(run: Run, trained: TrainedModel, data: Dataset | None) -> None:
    """The trained model (when its rows' scaling is at hand: ``data``), the history and (through each chart's
    camera button) the charts."""
    with st.container(horizontal=True):
        st.download_button(
            "Trained model (.keras)",
            lambda: model_file_bytes(_take_home(trained, data)),
            file_name=f"{run.stem}.keras",
            mime="application/octet-stream",
            icon=":material/download:",
            on_click="ignore",
            disabled=data is None,
        )
        st.download_button(
            "History (.csv)",
            history_csv(run.history),
            file_name=f"{run.stem}_history.csv",
            mime="text/csv",
            icon=":material/download:",
            on_click="ignore",
        )
    st.caption(
        "The model file takes the columns in their own units (categories one-hot): in front of each input it has "
        "a Normalization layer set to the "
        "training rows' mean and variance, which scales them as the app did. "
        "Each chart's camera button (top right of the chart) saves it as a PNG image."
    )


def _take_home(trained: TrainedModel, data: Dataset):
    """The trained model as it downloads: the network behind the app's scaling (``data``'s), taking raw values."""
    design = trained["design"]
    return take_home_model(design, trained["weights"], input_scaling(data, design))


def comparison(runs: list[Run]) -> None:
    """Runs (with a history each) overlaid on the same axes, for one history key at a time."""
    keys = sorted({key for run in runs for key in run.history}, key=lambda k: (k.startswith("val_"), k))
    labels = [run.compared_label for run in runs]
    # Keyed by the number of runs, so that a new run joins the comparison.
    chosen = st.multiselect("Runs", labels, default=labels[-3:], key=f"compare_runs_{len(labels)}")
    default = "val_loss" if "val_loss" in keys else "loss"
    key = st.selectbox("Curve", keys, index=keys.index(default), key=f"compare_key_{len(labels)}")
    projector.plotly_chart(
        st, charts.comparison([run for run in runs if run.compared_label in chosen], key), width="stretch"
    )


def _tucked_away(title: str):
    """Where secondary controls go: in projector mode, a closed expander; otherwise in line."""
    return st.expander(title) if projector.on() else st.container()
