"""A map's names are data: a link's map part carries any column name and reads it back exactly, and a name
(a column, a class, a unit) reaches a figure as chart text and a caption or a label as escaped Markdown."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from apptest_support import markdown_tags
from hypothesis import given, settings
from hypothesis import strategies as st

from designer import csv_table, data, datasets, edits, maps, parsing, presets
from designer.sinks import chart_text

IMAGE = "![c](http://x/col.png)"  # a column whose name is a Markdown image
LINK = '<a href="http://x/cm">c</a>'  # a class value that is an HTML link, as Plotly would render it
UNIT = "<b>u</b>"


# --- a link's map part ------------------------------------------------------------------------------

names = st.text(min_size=1, max_size=datasets.MAX_COLUMN_NAME)
held_values = st.floats(allow_nan=False, allow_infinity=False) | names
plane_settings = st.fixed_dictionaries(
    {}, optional={"x": names, "y": names, "at": st.dictionaries(names, held_values, min_size=1, max_size=50)}
)


@settings(max_examples=300, deadline=None)
@given(plane_settings)
def test_any_settings_read_back_exactly(planned):
    text = parsing.map_text(planned)
    assert len(text) <= parsing.MAX_MAP_TEXT
    assert parsing.parse_map_text(text) == planned


@pytest.mark.parametrize(
    "planned",
    [
        {"x": "Age", "y": "z", "at": {"Height cm": 0.5}},
        {"x": "y", "y": "x", "at": {"x": 1.0, "y": -2.5}},  # columns named as the axes
        {"x": "größe", "y": "a,b", "at": {"c=d": 3.0, "e,f=g": 1e300, "h": 0.00012345678901234567}},
        {"x": "petal_length", "y": "sepal_length", "at": {"island": "Biscoe", "sex": "3", "n": "1e5"}},
        {"x": IMAGE, "y": "%{x}", "at": {LINK: "'quoted'", "%2C": 5e-324, " spaced ": "x=1,y=2"}},
    ],
)
def test_names_outside_plain_words_read_back_exactly(planned):
    assert parsing.parse_map_text(parsing.map_text(planned)) == planned


def test_fifty_of_the_longest_names_fit():
    """60 characters of 4 UTF-8 bytes each (12 characters each, encoded), for every column of the widest table."""
    wide = "\U0001f600" * (datasets.MAX_COLUMN_NAME - 1)
    planned = {"x": wide + "x", "y": wide + "y", "at": {wide + chr(0x4E00 + i): wide + "v" for i in range(48)}}
    planned["at"][wide + "n"] = -1.2345678901234567e-300
    text = parsing.map_text(planned)
    assert len(text) <= parsing.MAX_MAP_TEXT
    assert parsing.parse_map_text(text) == planned


def test_a_link_of_the_first_form_still_opens():
    assert parsing.parse_map_text("x=petal_length,y=sepal_length,sepal_width=3.4") == {
        "x": "petal_length",
        "y": "sepal_length",
        "at": {"sepal_width": 3.4},
    }


def test_a_map_part_refuses_more_parts_than_a_table_has_columns():
    text = ",".join(f"at.c{i}=1" for i in range(parsing.MAX_MAP_PARTS + 1))
    with pytest.raises(parsing.MapTextError, match="at most"):
        parsing.parse_map_text(text)


# --- names in figures and on the page ------------------------------------------------------------------


def hostile_csv(rows: int = 80) -> bytes:
    """Two plain inputs, one whose name is a Markdown image, one named x, a class whose value is a link, and a
    measurement."""
    chance = np.random.default_rng(4)
    a, b = chance.normal(0, 1, rows).round(4), chance.normal(0, 1, rows).round(4)
    frame = pd.DataFrame(
        {
            "a": a,
            "b": b,
            IMAGE: chance.normal(5, 1, rows).round(4),
            "x": chance.normal(0, 1, rows).round(4),  # named as an axis is
            "size": (10 + a + chance.normal(0, 0.2, rows)).round(4),
            "label": np.where(a + b > 0, LINK, "plain"),
        }
    )
    return frame.to_csv(index=False).encode()


def hostile_design(data_bytes: bytes) -> dict:
    read = csv_table.read(data_bytes)
    roles = {"a": "input", "b": "input", IMAGE: "input", "x": "input"}
    roles |= {"label": "class target", "size": "measurement target"}
    block, inputs, targets = csv_table.columns_for(read, roles, "names.csv")
    for column in block["columns"]:
        if column["name"] == "size":
            column["unit"] = UNIT  # a link may carry any unit of up to 10 characters
    design = edits.csv_design(presets.default_design(), block, inputs, targets)
    design["training"] = {**design.get("training", {}), "epochs": 2, "batch_size": 16}
    return design


def strings(value) -> list[str]:
    """Every text in a figure's dict."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in strings(item)]
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in strings(item)]
    return []


def assert_chart_text(texts: list[str]) -> None:
    """No tag a Plotly figure would render, and the hostile names there, escaped."""
    joined = "\n".join(texts)
    assert not re.search(r"<(?!extra>|/extra>)", joined), [t for t in texts if "<" in t.replace("<extra>", "")]
    assert "&lt;a href" in joined or "&lt;b&gt;" in joined


def fake_map(design: dict, prepared: data.Dataset, plane: maps.Plane) -> maps.Map:
    xs, ys = plane.values()
    shape = (len(xs),) if ys is None else (len(ys), len(xs))
    heads = {}
    for head in design["heads"]:
        if datasets.of(design).column(head["target"]).is_category:
            heads[head["name"]] = {"predicted": np.zeros(shape, int), "confidence": np.full(shape, 0.7)}
        else:
            heads[head["name"]] = {"predicted": np.linspace(8, 12, int(np.prod(shape))).reshape(shape)}
    units = {"hidden_1": np.random.default_rng(0).normal(size=(3, *shape))}
    return maps.Map(plane, xs, ys, heads, units)


@pytest.mark.parametrize("axes", [("a", "b"), (IMAGE, "a"), (IMAGE, None)])
def test_every_name_in_a_map_figure_is_chart_text(axes):
    from ui import map_charts

    design = hostile_design(hostile_csv())
    read = csv_table.read(hostile_csv())
    prepared = data.prepare(design, read)
    if axes[1] is None:  # one input column: a line
        design = {**design, "inputs": [IMAGE]}
        prepared = data.prepare(design, read)
    plane = maps.plane(design, prepared, *axes)
    found = fake_map(design, prepared, plane)
    texts = []
    for head in design["heads"]:
        guesses = np.eye(2)[np.zeros(len(prepared.test), int)]  # "plain" everywhere: some rows wrong
        predictions = guesses[:, 1:] if datasets.of(design).column(head["target"]).is_category else None
        shown = maps.flowers(prepared, plane, head["target"], predictions)
        figure = map_charts.head_map(found, head["name"], head["target"], shown)
        texts += strings(figure.to_plotly_json())
        if predictions is not None:
            names = [trace.name for trace in figure.data if trace.meta == map_charts.ROWS]
            assert chart_text(LINK) in names
    texts += strings(map_charts.unit_maps(found, "hidden_1").to_plotly_json())
    texts += strings(map_charts.unit_map(found, "hidden_1", 0).to_plotly_json())
    assert_chart_text(texts)
    if IMAGE in axes:
        assert any(chart_text(IMAGE) in text for text in texts)
    assert any(chart_text(UNIT) in text for text in texts)


def test_a_name_in_a_hover_template_is_not_filled_in():
    from ui import map_charts

    assert map_charts._hover("%{x}") == "&#37;{x}"
    assert map_charts._hover(LINK) == chart_text(LINK)


def test_the_caption_is_escaped_markdown():
    from ui import maps as ui_maps
    from ui.text import plain, unescape

    design = hostile_design(hostile_csv())
    prepared = data.prepare(design, csv_table.read(hostile_csv()))
    plane = maps.plane(design, prepared, "a", "b")
    heads = [type("Head", (), {"target": head["target"]}) for head in design["heads"]]
    words = ui_maps.caption(design, prepared, plane, heads)
    assert IMAGE in words
    shown = plain(words)
    assert markdown_tags(shown) == {"p"} and unescape(shown) == words


def assert_inert(text: str) -> None:
    """Markdown text that shows no link, image or HTML (CommonMark renders it to a paragraph, a heading or text)."""
    assert not markdown_tags(text) - {"p", "h1", "h2", "h3", "strong", "em"}, text
    assert not re.search(r"(?<!\\)<", text), text


@pytest.mark.keras
def test_the_map_section_shows_hostile_names_as_written_and_its_link_reopens():
    """A link's plane holding the columns named ``![c](...)`` and ``x`` opens as it was drawn, the address
    carries it back exactly, and every name on the page is shown as written."""
    from apptest_support import TRAIN_PAGE, charts, open_session, press_train

    from ui.text import plain

    csv_bytes = hostile_csv()
    state = {"design": hostile_design(csv_bytes), "csv_file": {"name": "names.csv", "data": csv_bytes}}
    planned = {"x": "a", "y": "b", "at": {IMAGE: 5.5, "x": 0.5}}
    at = open_session(TRAIN_PAGE, query={"map": parsing.map_text(planned)}, state=state, timeout=180)
    press_train(at)
    assert not at.exception and not at.error, [e.value for e in at.error]  # no "could not be shown"
    assert parsing.parse_map_text(at.query_params["map"]) == planned
    slider_labels = [slider.label for slider in at.slider]
    assert plain(f"{IMAGE} held at") in slider_labels, slider_labels
    captions = [caption.value for caption in at.caption]
    assert any(plain(f"{IMAGE} at 5.5, x at 0.5") in caption for caption in captions), captions
    labels = [w.label for kind in (at.slider, at.selectbox, at.expander) for w in kind]
    for text in captions + labels:  # the map section's; the rest of the page is other modules' to test
        assert_inert(text)
    figures = [f for f in charts(at) if any(trace.get("type") == "heatmap" for trace in f["data"])]
    figures = [f for f in figures if "predict" in f["layout"].get("title", {}).get("text", "")]  # the heads' maps
    assert len(figures) == 2
    assert_chart_text([text for figure in figures for text in strings(figure)])
