"""Plotly figures for training: curves per head, run comparison, confusion matrix, predictions.

Pure functions from numbers to figures (no Streamlit), so they can be tested
and timed on their own.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from designer.runs import LOSS, METRIC, Head, Run, metric_name
from designer.sinks import chart_text
from designer.weights import Matrix

FONT_SIZE = 16
TRAIN_COLOR, VALIDATION_COLOR = "#2563eb", "#ea580c"
RUN_COLORS = ["#2563eb", "#ea580c", "#16a34a", "#9333ea", "#dc2626", "#0891b2", "#ca8a04", "#db2777"]
# The neuron view's colours: orange for negative weights, blue for positive, white for zero.
WEIGHT_COLORS = [[0.0, "#c2410c"], [0.5, "#ffffff"], [1.0, "#1d4ed8"]]
MAX_CELLS_WITH_VALUES = 256  # bigger heatmaps show their values on hover only
METRIC_TITLES = {"loss": "loss", "accuracy": "accuracy", "mae": "mean absolute error"}


def _layout(figure: go.Figure, title: str, y_title: str, height: int = 320) -> go.Figure:
    """Titles, fonts and margins; ``title`` and ``y_title`` are escaped already (:func:`chart_text`)."""
    figure.update_layout(
        title={"text": title, "font": {"size": FONT_SIZE + 2}, "x": 0, "xanchor": "left", "xref": "paper"},
        font={"size": FONT_SIZE},
        height=height,
        margin={"l": 60, "r": 20, "t": 50, "b": 50},
        legend={"orientation": "h", "y": -0.25},
        xaxis_title="epoch",
        yaxis_title=y_title,
        hovermode="x unified",
    )
    return figure


def curves(history: dict[str, list[float]], key: str, title: str, y_title: str) -> go.Figure:
    """Training and (if any) validation curves of one history key (``title`` and ``y_title`` escaped already)."""
    figure = go.Figure()
    for prefix, label, color in (("", "training", TRAIN_COLOR), ("val_", "validation", VALIDATION_COLOR)):
        values = history.get(prefix + key)
        if values:
            epochs = np.arange(1, len(values) + 1)
            figure.add_scatter(x=epochs, y=values, name=label, mode="lines", line={"color": color, "width": 3})
    return _layout(figure, title, y_title)


def awaiting(figure: go.Figure, epochs: int) -> go.Figure:
    """An empty chart's axes spanning the run to come, with a word on what will appear."""
    figure.update_xaxes(range=[1, epochs])
    figure.update_yaxes(range=[0, 1], showticklabels=False)
    figure.add_annotation(
        text="drawn here as the network trains",
        showarrow=False,
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        font={"color": "#6b7280"},
    )
    return figure


def head_figures(history: dict[str, list[float]], heads: Sequence[Head]) -> dict[str, tuple[go.Figure, go.Figure]]:
    """For each head, its loss figure and its accuracy (or MAE) figure."""
    figures = {}
    for head in heads:
        metric = METRIC_TITLES[head.metric] + (f" ({head.unit})" if head.unit and head.metric == "mae" else "")
        figures[head.name] = (
            curves(history, metric_name(heads, head, LOSS), chart_text(f"{head.name}: loss"), "loss"),
            curves(history, metric_name(heads, head, METRIC), chart_text(f"{head.name}: {metric}"), chart_text(metric)),
        )
    return figures


def comparison(runs: list[Run], key: str) -> go.Figure:
    """One history key of several runs, overlaid on the same axes."""
    figure = go.Figure()
    for index, run in enumerate(runs):
        values = run.history.get(key, [])
        color = RUN_COLORS[index % len(RUN_COLORS)]
        figure.add_scatter(
            x=np.arange(1, len(values) + 1),
            y=values,
            name=chart_text(run.compared_label),
            mode="lines",
            line={"color": color, "width": 3},
        )
    return _layout(figure, chart_text(f"Runs compared: {key}"), chart_text(key), height=380)


def confusion_matrix(matrix: np.ndarray, head_name: str, classes: Sequence[str], target: str) -> go.Figure:
    """A confusion matrix labelled with the class names (of ``target``)."""
    figure = go.Figure(
        go.Heatmap(
            z=matrix,
            x=[chart_text(name) for name in classes],
            y=[chart_text(name) for name in classes],
            colorscale="Blues",
            showscale=False,
            text=matrix,
            texttemplate="%{text}",
            textfont={"size": FONT_SIZE + 6},
            hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>",
        )
    )
    figure.update_yaxes(autorange="reversed", title=chart_text(f"true {target}"), type="category")
    figure.update_xaxes(title=chart_text(f"predicted {target}"), side="bottom", type="category")
    figure.update_layout(
        title={"text": chart_text(f"{head_name}: confusion matrix (test rows)"), "font": {"size": FONT_SIZE + 2}},
        font={"size": FONT_SIZE},
        height=380,
        margin={"l": 100, "r": 20, "t": 50, "b": 60},
    )
    return figure


def predicted_vs_actual(
    actual: np.ndarray, predicted: np.ndarray, head_name: str, target: str, unit: str = ""
) -> go.Figure:
    """Predicted against actual measurements (in ``unit``), with the line where they would be equal."""
    low, high = float(min(actual.min(), predicted.min())), float(max(actual.max(), predicted.max()))
    figure = go.Figure()
    figure.add_scatter(
        x=[low, high], y=[low, high], mode="lines", name="perfect", line={"color": "#94a3b8", "dash": "dash"}
    )
    figure.add_scatter(
        x=actual.ravel(),
        y=predicted.ravel(),
        mode="markers",
        name="test rows",
        marker={"size": 10, "color": TRAIN_COLOR},
    )
    in_unit = f" ({unit})" if unit else ""
    title = chart_text(f"{head_name}: predicted vs actual (test rows)")
    figure = _layout(figure, title, chart_text(f"predicted{in_unit}"), height=380)
    figure.update_xaxes(title=chart_text(f"actual {target}{in_unit}"))
    figure.update_layout(hovermode="closest")
    return figure


def weights_heatmap(matrix: Matrix, layer: str) -> go.Figure:
    """One weight matrix as a heatmap: its rows and columns named, the values written in and shown on hover."""
    rows, columns = matrix.values.shape
    limit = float(np.abs(matrix.values).max()) or 1.0
    written = rows * columns <= MAX_CELLS_WITH_VALUES
    figure = go.Figure(
        go.Heatmap(
            z=matrix.values,
            x=[chart_text(label) for label in _distinct(matrix.columns)],
            y=[chart_text(label) for label in _distinct(matrix.rows)],
            colorscale=WEIGHT_COLORS,
            zmin=-limit,
            zmax=limit,
            texttemplate="%{z:.2f}" if written else None,
            hovertemplate="%{y} → %{x}: %{z:+.4f}<extra></extra>",
            colorbar=_colorbar(rows),
        )
    )
    figure.update_yaxes(autorange="reversed", type="category")
    figure.update_xaxes(type="category", side="top")
    figure.update_layout(
        title={
            "text": chart_text(f"{layer}: {matrix.title} ({rows} × {columns})"),
            "font": {"size": FONT_SIZE + 2},
            "y": 0.98,
        },
        font={"size": FONT_SIZE},
        height=140 + 40 * rows + (SHORT_COLORBAR_MARGIN if rows <= SHORT_ROWS else 0),
        margin={"l": 140, "r": 20, "t": 110, "b": 20 + (SHORT_COLORBAR_MARGIN if rows <= SHORT_ROWS else 0)},
    )
    return figure


SHORT_ROWS = 2  # a heatmap this short (a bias) has its colour bar across the bottom: upright, its labels would clump
SHORT_COLORBAR_MARGIN = 60


def _colorbar(rows: int) -> dict:
    """A heatmap's colour bar: upright beside it, or across the bottom of a short one, with few labels."""
    if rows > SHORT_ROWS:
        return {"thickness": 14}
    return {"thickness": 12, "orientation": "h", "x": 0.5, "xanchor": "center", "y": 0, "yanchor": "top",
            "ypad": 10, "len": 0.8, "nticks": 5}  # fmt: skip


def _distinct(labels: tuple[str, ...]) -> list[str]:
    """Labels made unique for a category axis, which would merge repeats into one row:
    a concatenate can take the same feature twice (``petal_length``, ``petal_length (2)``)."""
    seen: dict[str, int] = {}
    distinct = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        distinct.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return distinct


def enlarge(figure: go.Figure, font_size: int, line_width: float) -> go.Figure:
    """Restyle a figure for a projector: larger black text, thicker lines and markers, a taller plot."""
    figure.update_layout(
        font={"size": font_size, "color": "#000000"},
        title_font_size=font_size + 4,
        legend_font_size=font_size,
        height=int((figure.layout.height or 320) * 1.15),
    )
    axes = {"tickfont_size": font_size, "title_font_size": font_size, "linewidth": 2, "linecolor": "#000000"}
    figure.update_xaxes(**axes)
    figure.update_yaxes(**axes)
    for trace in figure.data:
        if trace.type == "scatter":
            _enlarge_scatter(trace, line_width)
        if trace.type in ("heatmap", "contour"):
            trace.update(textfont_size=font_size + 2)
        if "colorbar" in trace:  # a heatmap's or a contour's own colour bar
            trace.update(colorbar_tickfont_size=font_size, colorbar_title_font_size=font_size)
        if trace.type == "scatter" and trace.marker.showscale:  # a scatter coloured by value, with its bar
            trace.update(marker_colorbar_tickfont_size=font_size, marker_colorbar_title_font_size=font_size)
    figure.update_annotations(font_size=font_size)  # subplot titles are annotations
    return figure


def _enlarge_scatter(trace, line_width: float) -> None:
    """Thicker lines, and markers grown in proportion: a ring drawn larger than its point stays larger."""
    trace.line.width = 2.5 * line_width
    size = trace.marker.size
    if size is None:
        trace.marker.size = 7 * line_width
    elif np.isscalar(size):
        trace.marker.size = size * line_width
    else:
        trace.marker.size = [value * line_width for value in size]
    if trace.marker.line.width is not None and np.isscalar(trace.marker.line.width):
        trace.marker.line.width = trace.marker.line.width * line_width


# The buttons a chart keeps above it: the camera, zoom and reset. The others would cover its title on hover.
CHART_CONFIG = {
    "displaylogo": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "pan2d", "zoomIn2d", "zoomOut2d", "autoScale2d"],
}
