"""The Train page's decision maps: the plane's controls, each head's map, and a map per unit.

The plane the learner looks at is one plain dict in the session (``PLANE``:
the two axes, the held columns' values, the layer whose units are
shown), checked by :func:`designer.maps.plane` at every run of the page; its
widgets are set from it before they are drawn. A map is computed from the
kept weights of the latest run (the Keras model called eagerly in this
process: no traced function), once per plane, and kept as plain arrays.

Every name here is data (a CSV file's columns, classes and units): a caption or
a widget's label takes it through :func:`ui.text.plain`, a figure through
:func:`designer.sinks.chart_text` (in :mod:`ui.map_charts`).
"""

from __future__ import annotations

import json
import math

import streamlit as st

from designer import datasets, maps, workers
from designer.data import Dataset
from designer.runs import Run, TrainedModel
from ui import data_source, map_charts, plane_link, projector
from ui.plane_link import PLANE  # the session's plane settings: one dict, see ui.plane_link
from ui.text import plain

KEPT = "map_kept"
MANY_HELD = 6  # more held columns than this (wine has 11, digits 62) are listed in an expander, not beside the axes
MAP_WAIT_SECONDS = 30  # a map job waits for the next free worker at most this long


def section(run: Run, trained: TrainedModel) -> None:
    """The maps of the latest run's trained network, with the controls of the plane they show."""
    design = trained["design"]
    data = data_source.prepared_if_fits(design)
    if data is None:
        return  # its CSV file is no longer loaded: the results above say so
    plane, layer = _plane(design, data)
    st.subheader("What the network learned")
    if refused := plane_link.refusal():
        st.error(plain(refused), icon=":material/error:")
    _controls(design, data, plane)
    found = _computed(trained, plane, layer)
    if found is None:
        st.info("The trainers are all busy, so the map could not be drawn just now; change a setting to try again.")
        return
    st.caption(plain(caption(design, data, plane, run.heads)))
    _head_maps(run, found, data, trained["test_predictions"], key="map")
    _units(design, found, layer)


def caption(design: dict, data: Dataset, plane: maps.Plane, heads) -> str:
    """What the maps show, in words (plain text: the page escapes it): the held columns, what the circles and
    the diamonds are and how many, and how a map shows the rows the network gets wrong, for the kinds of heads
    ``heads`` (the run's) has."""
    text = "Each point of the plane is coloured by what the network predicts there"
    if plane.fixed:
        noun = datasets.of(design).row_noun
        text += f", with {_held_text(design, plane.fixed)}. Each {noun} is drawn where its own two values put it, "
        text += "whatever its other values: a projection"
    text += f". {maps.drawn_text(data)}."
    table = datasets.of(design)
    kinds = {table.column(head.target).is_category for head in heads}
    if True in kinds:
        text += " A red ring: a test row the network puts in the wrong class."
    if False in kinds:
        which = "On a measurement's map" if True in kinds else "Here"
        if plane.y is None:
            text += f" {which} each row sits at its true value: how far it is from the line is the network's error."
        else:
            text += (
                f" {which} each row is filled with its true value, in the map's colours: "
                "a row whose colour stands out from the colour around it is one the network is far off on."
            )
    return text


def _held_text(design: dict, fixed: dict) -> str:
    """The held columns in words: each with its value, or for a wide table how many, and where to set them."""
    if len(fixed) > MANY_HELD:
        return f"the other {len(fixed)} inputs held fixed at the values listed above"
    return ", ".join(_held(design, column, value) for column, value in fixed.items())


def _held(design: dict, column: str, value: object) -> str:
    if isinstance(value, str):
        return f"{column} {value}"
    unit = datasets.of(design).column(column).unit
    return f"{column} at {maps.value_text(value)} {unit}".rstrip()


def live(run: Run, found: maps.Map, key: str) -> None:
    """The heads' maps of a run as it trains (from the worker's latest report), without their controls."""
    data = data_source.prepared_if_fits(run.design)
    if data is not None:  # None: its CSV file was replaced while it trained
        _head_maps(run, found, data, {}, key=key)


def current_view(design: dict) -> dict:
    """What a run of a valid ``design`` should map: the session's plane and layer, as Request arguments."""
    try:
        plane, layer = _plane(design, data_source.prepared(design))
    except (ValueError, LookupError):  # a design the data cannot split: the run will say why
        return {}
    return {"plane": plane, "layers": (layer,) if layer else ()}


def _head_maps(run: Run, found: maps.Map, data: Dataset, test_predictions: dict, key: str) -> None:
    columns = st.columns(min(len(run.heads), 2))
    for index, head in enumerate(run.heads):
        shown = maps.flowers(data, found.plane, head.target, test_predictions.get(head.name))
        figure = map_charts.head_map(found, head.name, head.target, shown)
        _chart(columns[index % len(columns)], figure, key=f"{key}-{head.name}")


def _chart(where, figure, key: str) -> None:
    """A map, as every chart is drawn (its buttons), enlarged in projector mode as :func:`ui.map_charts.enlarge`
    does (its colour bars and rings too)."""
    projector.plotly_chart(where, figure, enlarge=map_charts.enlarge, width="stretch", key=key)


def _plane(design: dict, data: Dataset) -> tuple[maps.Plane, str | None]:
    """The session's plane for this design, or the default one when it does not fit.

    Settings a link brought that do not fit are refused with the reason; the
    settings of another design (the learner changed the inputs) give way silently.
    """
    opening = plane_link.from_link()
    settings = plane_link.settings()
    try:
        plane = maps.plane(design, data, settings.get("x"), settings.get("y"), settings.get("at"))
    except maps.MapError as error:
        if opening:
            plane_link.refuse(str(error))
        plane = maps.default_plane(design, data)
    layers = maps.unit_layers(design)
    layer = settings.get("layer") if settings.get("layer") in layers else None  # units drawn once one is picked
    st.session_state[PLANE] = {"x": plane.x, "y": plane.y, "at": dict(plane.fixed), "layer": layer}
    return plane, layer


def _controls(design: dict, data: Dataset, plane: maps.Plane) -> None:
    columns = list(maps.input_columns(design))
    if len(columns) == 1:
        return
    with st.container(horizontal=True):
        st.selectbox("Across (x)", columns, **_bound("x", plane.x), width=200)  # options are shown as written
        st.selectbox("Up (y)", columns, **_bound("y", plane.y), width=200)
        if len(plane.fixed) <= MANY_HELD:
            _held_controls(design, data, plane.fixed)
    if len(plane.fixed) > MANY_HELD:  # a wide table (digits: 62) would bury the map under its sliders
        with st.expander(_held_title(plane.fixed)), st.container(horizontal=True):
            _held_controls(design, data, plane.fixed)


def _held_title(fixed: dict) -> str:
    return f"The other {len(fixed)} inputs, held fixed"


def _held_controls(design: dict, data: Dataset, fixed: dict) -> None:
    """A slider (a number, over its training rows' range) or a picker (a category) for each held column."""
    for column, value in fixed.items():
        if isinstance(value, str):  # a category, held at one of its values
            categories = list(datasets.of(design).column(column).categories)
            st.selectbox(plain(f"{column} held at"), categories, **_bound(column, value, held=True), width=200)
            continue
        low, high = maps.held_range(data, column)
        unit = datasets.of(design).column(column).unit
        label = plain(f"{column} held at{f' ({unit})' if unit else ''}")
        step = maps.held_step(data, column)
        shown = _slider_format(step)
        bound = _bound(column, value, held=True)
        st.slider(label, min_value=low, max_value=high, step=step, format=shown, **bound, width=220)


def _slider_format(step: float) -> str:
    """How a held number's slider shows its values: as many decimals as its step has, or whole numbers with
    thousands separated (a population reads 650,000,000, not 650000000.00)."""
    places = max(0, -math.floor(math.log10(step)))
    return f"%.{places}f" if places else "%,d"


def _bound(setting: str, value: object, held: bool = False) -> dict:
    """Keyword arguments for a widget showing ``value`` that stores what the learner picks in the plane.

    ``setting`` is ``x``, ``y`` or ``layer``, or with ``held`` a held column's name (keyed apart: a column may
    well be named x, or layer).
    """
    widget = f"map:at:{setting}" if held else f"map:{setting}"
    if widget not in st.session_state or st.session_state[widget] != value:  # None too: a picker left empty
        st.session_state[widget] = value
    return {"key": widget, "on_change": _store, "args": (setting, widget, held)}


def _store(setting: str, widget: str, held: bool = False) -> None:
    """Callback: put the widget's value in the plane (picking the other axis's column swaps the two)."""
    settings = dict(st.session_state.get(PLANE, {}))
    value = st.session_state[widget]
    if not held:
        other = {"x": "y", "y": "x"}.get(setting)
        if other and settings.get(other) == value:
            settings[other] = settings.get(setting)
        settings[setting] = value
        # A column now on an axis is no longer held; the one that left an axis starts at its mean.
        axes = (settings.get("x"), settings.get("y"))
        settings["at"] = {c: v for c, v in settings.get("at", {}).items() if c not in axes}
    else:  # a held category keeps its value's text
        settings["at"] = {**settings.get("at", {}), setting: value if isinstance(value, str) else float(value)}
    st.session_state[PLANE] = settings


def _computed(trained: TrainedModel, plane: maps.Plane, layer: str | None) -> maps.Map | None:
    """The map of the plane, kept as arrays once per run, plane and layer (None: a worker could not draw it).

    The run's own end came with the map of the plane it was trained on; any
    other is drawn by a worker from the kept weights, so that this process
    never imports TensorFlow.
    """
    # A step keeps the run's number and adds epochs: the epochs are part of what the map is of.
    of = [trained["number"], trained["epochs"], plane.x, plane.y, sorted(plane.fixed.items()), plane.grid, layer]
    wanted = json.dumps(of)
    kept = st.session_state.get(KEPT)
    if kept is None or kept[0] != wanted:
        ended = trained.get("map")
        if ended is not None and ended.plane == plane and (layer is None or layer in ended.units):
            found = ended
        else:
            found = _drawn_by_a_worker(trained, plane, layer)
            if found is None:
                return None
        kept = (wanted, found)
        st.session_state[KEPT] = kept
    return kept[1]


def _drawn_by_a_worker(trained: TrainedModel, plane: maps.Plane, layer: str | None) -> maps.Map | None:
    csv = data_source.frame_for(trained["design"])
    request = workers.Request(plane=plane, layers=(layer,) if layer else (), weights=trained["weights"], csv=csv)
    job = workers.shared_pool().submit(trained["design"], request)
    with st.spinner("Drawing the map…"):
        job.wait_done(MAP_WAIT_SECONDS)
    if not job.done:
        job.stop()
    return job.result.map if job.done and job.result is not None else None


def _units(design: dict, found: maps.Map, layer: str | None) -> None:
    """The units of the dense layer or head picked, each a small map; one of them enlarged."""
    st.markdown("**Inside the network: one map per unit**")
    with st.container(horizontal=True):
        st.selectbox(
            "Layer", maps.unit_layers(design), placeholder="Pick a layer…", **_bound("layer", layer), width=240
        )
        if layer is None:
            st.caption("Pick a dense layer or head: a small map for each of its units shows what that unit computes.")
            return
        count = min(len(found.units[layer]), maps.MAX_UNIT_MAPS)
        unit = st.selectbox(
            "Enlarge", range(count), format_func=lambda i: f"unit {i + 1}", key=f"map:unit:{layer}", width=160
        )
    _chart(st, map_charts.unit_maps(found, layer), key=f"units-{layer}")
    enlarged, _ = st.columns(2)
    _chart(enlarged, map_charts.unit_map(found, layer, unit), key=f"unit-{layer}")
