"""Charts in projector mode at 1280 × 720: readable from the back, nothing covering or shrinking what matters.

Found on a projector: colour-bar numbers stayed at 12 px, the chart toolbar
covered the titles on hover, the red ring round a misclassified flower shrank
to a dot (every marker was set to one size), and the one-row bias heatmap's
colour-bar labels overlapped into a clump.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from designer.weights import Matrix
from ui import charts
from ui.projector import PROJECTOR


def enlarged(figure: go.Figure) -> go.Figure:
    return charts.enlarge(figure, PROJECTOR.font_size, PROJECTOR.line_width)


def test_a_ring_drawn_larger_than_its_point_stays_larger():
    figure = go.Figure()
    figure.add_scatter(x=[1], y=[1], mode="markers", marker={"size": 8})  # a test row
    figure.add_scatter(x=[1], y=[1], mode="markers", marker={"size": 16, "symbol": "circle-open"})  # its ring
    point, ring = enlarged(figure).data
    assert ring.marker.size > point.marker.size
    assert (point.marker.size, ring.marker.size) == (8 * PROJECTOR.line_width, 16 * PROJECTOR.line_width)


def test_a_colour_bar_follows_the_projectors_font_size():
    figure = go.Figure(go.Heatmap(z=[[0, 1], [1, 0]]))
    figure.add_scatter(x=[1], y=[1], mode="markers", marker={"color": [0.5], "showscale": True})
    heatmap, scatter = enlarged(figure).data
    assert heatmap.colorbar.tickfont.size == PROJECTOR.font_size
    assert scatter.marker.colorbar.tickfont.size == PROJECTOR.font_size


def test_a_one_row_weight_matrix_lays_its_colour_bar_across_the_bottom_with_few_labels():
    bias = Matrix("bias", np.array([[0.1, -0.2, 0.3]]), ("bias",), ("unit 1", "unit 2", "unit 3"))
    figure = charts.weights_heatmap(bias, "hidden_1")
    colorbar = figure.data[0].colorbar
    assert colorbar.orientation == "h" and colorbar.nticks <= 5
    kernel = Matrix("kernel", np.ones((4, 3)), ("a", "b", "c", "d"), ("1", "2", "3"))
    assert charts.weights_heatmap(kernel, "hidden_1").data[0].colorbar.orientation is None  # upright beside it


def test_titles_start_at_the_left_and_the_toolbar_keeps_only_its_few_buttons():
    figure = charts.curves({"loss": [1.0, 0.5]}, "loss", "species: loss", "loss")
    assert figure.layout.title.xanchor == "left" and figure.layout.title.x == 0
    removed = set(charts.CHART_CONFIG["modeBarButtonsToRemove"])
    assert {"lasso2d", "select2d", "pan2d", "zoomIn2d", "zoomOut2d", "autoScale2d"} <= removed
    assert charts.CHART_CONFIG["displaylogo"] is False


def test_a_measurements_charts_name_its_own_unit():
    """Grams for body mass, not the centimetres the Iris charts had written in."""
    from designer.runs import Head

    head = Head("body_mass", "body_mass_g", "mae", 1.0, unit="g")
    _, metric = charts.head_figures({"body_mass_mae": [1.0]}, [head])["body_mass"]
    assert metric.layout.title.text == "body_mass: mean absolute error (g)"
    figure = charts.predicted_vs_actual(np.array([[1.0]]), np.array([[2.0]]), "body_mass", "body_mass_g", "g")
    assert figure.layout.xaxis.title.text == "actual body_mass_g (g)"
    assert figure.layout.yaxis.title.text == "predicted (g)"


def test_a_scatter_without_a_colour_scale_gets_no_colour_bar_when_enlarged():
    figure = charts.predicted_vs_actual(np.array([[1.0]]), np.array([[2.0]]), "petal_width", "petal_width", "cm")
    assert not any(trace.marker.showscale for trace in enlarged(figure).data)
