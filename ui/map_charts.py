"""Plotly figures of decision maps: a head's prediction over the plane, the flowers on top, a map per unit.

Pure functions from a :class:`designer.maps.Map` (plain arrays) to figures, no
Streamlit. Species are told apart by colour, the network's confidence by the
colour's strength, as in TensorFlow Playground; a measurement head is a
heatmap in cm with its colour scale.

Every name a figure shows (a column, a class, a unit, a layer or head) is data:
it goes through :func:`designer.sinks.chart_text`, so that Plotly shows its tags
and entities as written, and into a hover template with its ``%`` escaped too,
so that Plotly does not fill in a ``%{x}`` it holds. :func:`enlarge` restyles a
map for projector mode.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from designer.maps import MAX_UNIT_MAPS, Flowers, Map
from designer.sinks import chart_text
from ui import charts

FONT_SIZE = 16
# Iris' setosa, versicolor and virginica keep their colours; other tables' classes take the next ones.
CLASS_COLORS = (
    "#7c3aed", "#ea580c", "#0891b2", "#16a34a", "#db2777", "#ca8a04", "#2563eb", "#dc2626", "#0d9488", "#9333ea",
    "#65a30d", "#c026d3", "#0284c7", "#b45309", "#4f46e5", "#be123c", "#059669", "#a16207", "#7e22ce", "#475569",
)  # fmt: skip
WRONG_COLOR = "#dc2626"
VALUE_SCALE = "Viridis"
THUMBNAIL_STRIDE = 2  # the small maps show every second point: a quarter of the data to send, as sharp at their size
UNIT_SCALE = [[0.0, "#c2410c"], [0.5, "#ffffff"], [1.0, "#1d4ed8"]]  # the neuron view's: negative, 0, positive
TRAINING_SIZE, TEST_SIZE = 9, 12  # a training row's circle, a test row's diamond
RING_SIZE, RING_WIDTH = 22, 3  # the red ring around a test row the network gets wrong: well outside its diamond
ROWS, RING = "rows", "ring"  # the ``meta`` of the traces of rows and of rings, for enlarge()


def _text(name: object) -> str:
    """A name (a column, a class, a unit, a layer) as a figure shows it: as written."""
    return chart_text(name)


def _hover(name: object) -> str:
    """A name for a hover template: as written, and its ``%`` an entity, so that ``%{x}`` stays text."""
    return chart_text(name).replace("%", "&#37;")


def _colorbar(title: str = "", font_size: int = FONT_SIZE) -> dict:
    """A colour bar whose numbers and title are the size of the chart's other text."""
    return {"title": {"text": title, "font": {"size": font_size}}, "tickfont": {"size": font_size}}


def _layout(figure: go.Figure, title: str, x_title: str, y_title: str, height: int = 460) -> go.Figure:
    """The maps' common layout; ``title`` and the axes' titles are chart text already (see :func:`_unit`)."""
    figure.update_layout(
        title={"text": title, "font": {"size": FONT_SIZE + 2}},
        font={"size": FONT_SIZE},
        height=height,
        margin={"l": 70, "r": 20, "t": 60, "b": 60},
        legend={"orientation": "h", "y": -0.2},
        hovermode="closest",
        plot_bgcolor="#ffffff",
    )
    figure.update_xaxes(title=x_title, showgrid=False, zeroline=False)
    figure.update_yaxes(title=y_title, showgrid=False, zeroline=False)
    return figure


def _unit(column: str | None, units: Mapping[str, str] | str) -> str:
    """An axis title, as chart text: the column and its unit, if it has one."""
    if not column:
        return ""
    unit = units if isinstance(units, str) else units.get(column, "")
    return _text(f"{column} ({unit})" if unit else column)


def _x(found: Map) -> str:
    return _unit(found.plane.x, found.plane.units)


def _y(found: Map) -> str:
    return _unit(found.plane.y, found.plane.units)


def _classes(flowers: Flowers):
    return zip(flowers.class_names, CLASS_COLORS, strict=False)


def head_map(found: Map, head: str, target: str, flowers: Flowers) -> go.Figure:
    """A head's map: the species it predicts (a species head), or its prediction in cm (a measurement head)."""
    if found.heads[head].get("confidence") is not None:
        return species_map(found, head, flowers, target)
    return measurement_map(found, head, target, flowers)


def species_map(found: Map, head: str, flowers: Flowers, target: str = "species") -> go.Figure:
    """The predicted species over the plane, stronger where the network is surer, with the flowers on top."""
    grids = found.heads[head]
    if found.y is None:
        return _species_line(found, head, flowers, target)
    figure = go.Figure()
    for code, (name, color) in enumerate(_classes(flowers)):
        confidence = np.where(grids["predicted"] == code, grids["confidence"], np.nan)
        figure.add_heatmap(
            x=found.x,
            y=found.y,
            z=confidence,
            zmin=1 / max(2, len(flowers.class_names)),
            zmax=1,
            colorscale=[[0, "#ffffff"], [1, _tint(color, 0.55)]],
            showscale=False,
            name=_text(name),
            hovertemplate=f"{_hover(found.plane.x)} %{{x:.2f}}, {_hover(found.plane.y)} %{{y:.2f}}: "
            f"{_hover(name)}, %{{z:.0%}} sure<extra></extra>",
        )
    _add_flowers(figure, flowers)
    title = _text(f"{head}: the {target} it predicts")
    return _layout(figure, title, _x(found), _y(found))


def _species_line(found: Map, head: str, flowers: Flowers, target: str) -> go.Figure:
    grids = found.heads[head]
    figure = go.Figure()
    for code, (name, color) in enumerate(_classes(flowers)):
        figure.add_scatter(
            x=found.x,
            y=np.where(grids["predicted"] == code, grids["confidence"], np.nan),
            mode="lines",
            name=_text(f"predicts {name}"),
            line={"color": color, "width": 5},
            hovertemplate=f"{_hover(found.plane.x)} %{{x:.2f}}: {_hover(name)}, %{{y:.0%}} sure<extra></extra>",
        )
    strip = dataclasses.replace(flowers, y=np.full(len(flowers.x), 0.25), value=None)
    _add_flowers(figure, strip)
    figure.update_yaxes(range=[0.2, 1.02], tickformat=".0%")
    x_title = _x(found)
    return _layout(figure, _text(f"{head}: the {target} it predicts, and how sure"), x_title, "confidence")


def measurement_map(found: Map, head: str, target: str, flowers: Flowers) -> go.Figure:
    """A measurement head's prediction over the plane, in cm, with the flowers coloured by their true value."""
    predicted = found.heads[head]["predicted"]
    low, high = _span(predicted, flowers.value)
    figure = go.Figure()
    x, y, unit, measured = _hover(found.plane.x), _hover(found.plane.y), _hover(flowers.unit), _hover(target)
    title = _text(f"{head}: predicted {target}")
    if found.y is None:
        figure.add_scatter(
            x=found.x, y=predicted, mode="lines", name="predicted", line={"color": "#1e293b", "width": 4}
        )
        figure.add_scatter(
            x=flowers.x,
            y=flowers.value,
            mode="markers",
            name="flowers",
            marker={
                "color": np.where(flowers.test, "#0f172a", "#94a3b8"),
                "size": np.where(flowers.test, TEST_SIZE, TRAINING_SIZE),
                "symbol": np.where(flowers.test, "diamond", "circle"),
            },
            meta=ROWS,
            hovertemplate=f"{x} %{{x:.2f}}, {measured} %{{y:.2f}} {unit}<extra></extra>",
        )
        return _layout(figure, title, _x(found), _unit(target, flowers.unit))
    figure.add_heatmap(
        x=found.x,
        y=found.y,
        z=predicted,
        coloraxis="coloraxis",
        hovertemplate=f"{x} %{{x:.2f}}, {y} %{{y:.2f}}: {measured} %{{z:.2f}} {unit}<extra></extra>",
    )
    figure.add_scatter(
        x=flowers.x,
        y=flowers.y,
        mode="markers",
        name="flowers (true value)",
        marker={
            "color": flowers.value,
            "coloraxis": "coloraxis",
            "size": np.where(flowers.test, TEST_SIZE, TRAINING_SIZE),
            "symbol": np.where(flowers.test, "diamond", "circle"),
            "line": {"color": np.where(flowers.test, "#000000", "#ffffff"), "width": 1.5},
        },
        meta=ROWS,
        hovertemplate=f"a row: {measured} %{{marker.color:.2f}} {unit}<extra></extra>",
    )
    figure.update_layout(
        coloraxis={
            "colorscale": VALUE_SCALE,
            "cmin": low,
            "cmax": high,
            "colorbar": _colorbar(_unit(target, flowers.unit)),
        }
    )
    return _layout(figure, title, _x(found), _y(found))


def unit_maps(found: Map, layer: str, columns: int = 4) -> go.Figure:
    """A small map per unit of ``layer`` (the first 16): its activation over the plane, as Playground draws neurons."""
    activations = found.units[layer][:MAX_UNIT_MAPS]
    count = len(activations)
    rows = -(-count // columns)
    figure = make_subplots(
        rows=rows,
        cols=min(columns, count),
        subplot_titles=[f"unit {i + 1}" for i in range(count)],
        horizontal_spacing=0.04,
        vertical_spacing=0.12 / max(rows, 1) + 0.04,
    )
    for unit, activation in enumerate(activations):
        limit = float(np.nanmax(np.abs(activation))) or 1.0
        row, column = divmod(unit, columns)
        trace = _unit_trace(found, activation, limit, unit, stride=THUMBNAIL_STRIDE)
        figure.add_trace(trace, row=row + 1, col=column + 1)
    frame = {"showticklabels": False, "showgrid": False, "zeroline": False, "showline": True, "mirror": True}
    figure.update_xaxes(**frame, linecolor="#cbd5e1")
    figure.update_yaxes(**frame, linecolor="#cbd5e1")
    total = found.units[layer].shape[0]
    more = f" (the first {MAX_UNIT_MAPS}; {total - MAX_UNIT_MAPS} more not shown)" if total > MAX_UNIT_MAPS else ""
    axes = found.plane.x if found.y is None else f"{found.plane.x} across, {found.plane.y} up"
    figure.update_layout(
        title={"text": _text(f"{layer}: each unit's activation{more}; {axes}"), "font": {"size": FONT_SIZE + 2}},
        font={"size": FONT_SIZE},
        height=120 + 190 * rows,
        margin={"l": 20, "r": 20, "t": 80, "b": 20},
        showlegend=False,
        plot_bgcolor="#ffffff",
    )
    return figure


def unit_map(found: Map, layer: str, unit: int) -> go.Figure:
    """One unit's map, large, with its colour scale."""
    activation = found.units[layer][unit]
    limit = float(np.nanmax(np.abs(activation))) or 1.0
    figure = go.Figure(_unit_trace(found, activation, limit, unit, scale=True))
    y_title = _y(found) if found.y is not None else "activation"
    x_title = _x(found)
    return _layout(figure, _text(f"{layer}, unit {unit + 1}: its activation"), x_title, y_title, height=420)


def _unit_trace(found: Map, activation: np.ndarray, limit: float, unit: int, scale: bool = False, stride: int = 1):
    """A unit's activation as a heatmap (a line for one input column); every ``stride``-th point of the grid."""
    x = found.x[::stride]
    if found.y is None:
        return go.Scatter(x=x, y=activation[::stride], mode="lines", line={"color": "#1d4ed8", "width": 3})
    return go.Heatmap(
        x=x,
        y=found.y[::stride],
        z=activation[::stride, ::stride],
        colorscale=UNIT_SCALE,
        zmin=-limit,
        zmax=limit,
        showscale=scale,
        colorbar=_colorbar() if scale else None,
        hovertemplate=f"unit {unit + 1} at ({_hover(found.plane.x)} %{{x:.2f}}, {_hover(found.plane.y)} %{{y:.2f}}): "
        "%{z:.3f}<extra></extra>",
    )


def _add_flowers(figure: go.Figure, flowers: Flowers) -> None:
    for code, (name, color) in enumerate(_classes(flowers)):
        mine = flowers.classes == code
        test = flowers.test[mine]
        figure.add_scatter(
            x=flowers.x[mine],
            y=flowers.y[mine],
            mode="markers",
            name=_text(name),
            marker={
                "color": color,
                "size": np.where(test, TEST_SIZE, TRAINING_SIZE),
                "symbol": np.where(test, "diamond", "circle"),
                "line": {"color": np.where(test, "#000000", "#ffffff"), "width": 1.5},
            },
            meta=ROWS,
            hovertemplate=f"a {_hover(name)} (%{{customdata}})<extra></extra>",
            customdata=np.where(test, "test row", "training row"),
        )
    if flowers.wrong.any():
        figure.add_scatter(
            x=flowers.x[flowers.wrong],
            y=flowers.y[flowers.wrong],
            mode="markers",
            name="test row it gets wrong",
            marker={"symbol": "circle-open", "size": RING_SIZE, "color": WRONG_COLOR, "line": {"width": RING_WIDTH}},
            meta=RING,
            hoverinfo="skip",
        )


def enlarge(figure: go.Figure, font_size: int, line_width: float) -> go.Figure:
    """A map restyled for a projector: as :func:`ui.charts.enlarge` restyles every chart (larger text, thicker
    lines), and its colour bars' numbers and titles at the projector's font size; its rows' circles and diamonds
    and the red rings around the wrong ones grow together, each ring still well outside its diamond (the other
    charts' markers all take one size)."""
    charts.enlarge(figure, font_size, line_width)
    grow = 1 + (line_width - 1) / 2  # 1.5 on a projector: less than the lines grow, or the rows would crowd
    for trace in figure.data:
        if trace.meta == ROWS:
            test = np.asarray(trace.marker.symbol) == "diamond"
            trace.marker.size = np.where(test, TEST_SIZE * grow, TRAINING_SIZE * grow)
        elif trace.meta == RING:
            trace.marker.size = RING_SIZE * grow
            trace.marker.line.width = RING_WIDTH * grow
    sizes = {"tickfont": {"size": font_size}, "title": {"font": {"size": font_size}}}
    if any(getattr(trace, "coloraxis", None) for trace in figure.data):
        figure.update_layout(coloraxis_colorbar=sizes)
    figure.update_traces(colorbar=sizes, selector={"type": "heatmap", "showscale": True})
    return figure


def _span(predicted: np.ndarray, values: np.ndarray | None) -> tuple[float, float]:
    """One colour scale for the map and the flowers' true values."""
    pool = [np.asarray(predicted).ravel()] + ([np.asarray(values).ravel()] if values is not None else [])
    joined = np.concatenate(pool)
    return float(np.nanmin(joined)), float(np.nanmax(joined))


def _tint(color: str, strength: float) -> str:
    """``color`` mixed with white: ``strength`` 1 is the colour itself, 0 is white."""
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    mix = [round(255 + (channel - 255) * strength) for channel in (red, green, blue)]
    return "#{:02x}{:02x}{:02x}".format(*mix)
