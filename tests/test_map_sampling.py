"""A map of a big table draws a sample of its rows: at most MAX_DRAWN of each part, in proportion to the classes,
each a real row of its part, its red ring where the head is wrong on that very row; a small table draws all.
The caption counts each part on its own; the axes and the held values stay within the data's range (never
below 0 for a column that never is), and a held value reads as a person writes it."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from apptest_support import preset_design

from designer import csv_table, data, edits, maps, presets

ROWS = 6_000  # a test size of 0.25 and a validation split of 0.2: 1,500 test rows, 3,600 training rows


@pytest.fixture(scope="module")
def big():
    """A CSV design on a 6,000-row file of two measurements and an unbalanced 3-class target, prepared."""
    chance = np.random.default_rng(5)
    x, y = chance.normal(0, 1, ROWS), chance.normal(0, 1, ROWS)
    label = np.where(x + chance.normal(0, 0.3, ROWS) > 0.8, "c", np.where(y > 0.5, "b", "a"))
    frame = pd.DataFrame({"x": x.round(9), "y": y.round(9), "label": label})
    read = csv_table.read(frame.to_csv(index=False).encode())
    roles = {"x": csv_table.INPUT, "y": csv_table.INPUT, "label": csv_table.CLASS}
    block, inputs, targets = csv_table.columns_for(read, roles, "big.csv")
    design = edits.csv_design(presets.default_design(), block, inputs, targets)
    design["training"] = {**design.get("training", {}), "test_size": 0.25}
    prepared = data.prepare(design, read)
    assert (len(prepared.train.rows), len(prepared.test.rows)) == (3_600, 1_500)
    return frame, prepared, maps.default_plane(design, prepared)


def guesses(frame: pd.DataFrame, rows: np.ndarray) -> np.ndarray:
    """A head's made-up outputs on ``rows``: sure of "c" when x > 0, else of "a" (so often wrong)."""
    guess = np.where(frame["x"].to_numpy()[rows] > 0, 2, 0)
    return np.eye(3)[guess]


def test_each_part_draws_at_most_max_drawn_real_rows_of_its_own_part(big):
    frame, prepared, plane = big
    shown = maps.flowers(prepared, plane, "label")
    assert shown.test.sum() == maps.MAX_DRAWN and (~shown.test).sum() == maps.MAX_DRAWN
    points = {part: set(zip(frame["x"][rows], frame["y"][rows], strict=True))
              for part, rows in (("train", prepared.train.rows), ("test", prepared.test.rows))}  # fmt: skip
    drawn = list(zip(shown.x, shown.y, strict=True))
    assert all(p in points["test"] for p, t in zip(drawn, shown.test, strict=True) if t)
    assert all(p in points["train"] for p, t in zip(drawn, shown.test, strict=True) if not t)
    assert len(set(drawn)) == len(drawn)  # no row twice
    # The validation rows are not drawn.
    assert maps.drawn_counts(prepared) == ((maps.MAX_DRAWN, 3_600), (maps.MAX_DRAWN, 1_500))


def test_the_sample_keeps_each_classs_share_of_the_training_rows(big):
    frame, prepared, plane = big
    shown = maps.flowers(prepared, plane, "label")
    labels = frame["label"].to_numpy()[prepared.train.rows]
    for code, name in enumerate(shown.class_names):
        expected = maps.MAX_DRAWN * np.mean(labels == name)
        assert abs(np.sum(shown.classes[~shown.test] == code) - expected) <= 1, name


def test_a_red_ring_marks_the_drawn_test_rows_the_head_gets_wrong(big):
    frame, prepared, plane = big
    shown = maps.flowers(prepared, plane, "label", guesses(frame, prepared.test.rows))
    truth = {(frame["x"][r], frame["y"][r]): frame["label"][r] for r in prepared.test.rows}
    for x, y, test, wrong in zip(shown.x, shown.y, shown.test, shown.wrong, strict=True):
        if test:
            assert wrong == (("c" if x > 0 else "a") != truth[(x, y)])
        else:
            assert not wrong
    assert 0 < shown.wrong.sum() < maps.MAX_DRAWN


def test_the_same_sample_is_drawn_every_time(big):
    _, prepared, plane = big
    first, again = maps.flowers(prepared, plane, "label"), maps.flowers(prepared, plane, "label")
    assert np.array_equal(first.x, again.x) and np.array_equal(first.y, again.y)


def test_a_small_table_draws_every_row():
    design = presets.default_design()
    prepared = data.prepare(design)
    shown = maps.flowers(prepared, maps.default_plane(design, prepared), "species")
    # Iris: 30 test rows, 24 validation rows (not drawn) and 96 training rows, all drawn.
    assert len(shown.x) == 126 and maps.drawn_counts(prepared) == ((96, 96), (30, 30))
    assert maps.drawn_text(prepared) == "Circles: the 96 rows it trained on; diamonds: the 30 test rows"


# --- the caption's counts ----------------------------------------------------------------------------


def test_the_digits_caption_counts_the_training_sample_and_the_test_rows_apart():
    """1,797 digits: 360 test rows, all drawn; 1,149 training rows, 1,000 of them drawn (it said "1,360 of its
    1,509" of the test rows)."""
    design = preset_design("digits")
    prepared = data.prepare(design)
    assert (len(prepared.train), len(prepared.test)) == (1_149, 360)
    words = maps.drawn_text(prepared)
    assert words == (
        "Circles: 1,000 of the 1,149 rows it trained on (a sample in proportion to the classes); "
        "diamonds: the 360 test rows"
    )
    from ui import maps as ui_maps

    plane = maps.default_plane(design, prepared)
    caption = ui_maps.caption(design, prepared, plane, heads_of(design))
    assert words in caption and "1,360" not in caption and "1,509" not in caption
    shown = maps.flowers(prepared, plane, "digit")
    assert (~shown.test).sum() == 1_000 and shown.test.sum() == 360


def test_a_sampled_test_part_is_counted_as_such(big):
    _, prepared, _ = big
    assert maps.drawn_text(prepared) == (
        "Circles: 1,000 of the 3,600 rows it trained on (a sample in proportion to the classes); "
        "diamonds: 1,000 of the 1,500 test rows (a sample in proportion to the classes)"
    )


# --- what the caption says of each kind of head ---------------------------------------------------------


def heads_of(design: dict) -> list[SimpleNamespace]:
    return [SimpleNamespace(name=head["name"], target=head["target"]) for head in design["heads"]]


def test_a_measurement_heads_caption_promises_no_red_ring():
    from ui import maps as ui_maps

    design = preset_design("lecture_two_outputs")
    design["heads"] = [head for head in design["heads"] if head["target"] == "petal_width"]
    prepared = data.prepare(design)
    plane = maps.default_plane(design, prepared)
    caption = ui_maps.caption(design, prepared, plane, heads_of(design))
    assert "red ring" not in caption and "wrong" not in caption
    assert "filled with its true value, in the map's colours" in caption


def test_a_design_with_both_kinds_of_head_says_what_each_map_shows():
    from ui import maps as ui_maps

    design = preset_design("lecture_two_outputs")
    prepared = data.prepare(design)
    caption = ui_maps.caption(design, prepared, maps.default_plane(design, prepared), heads_of(design))
    assert "A red ring: a test row the network puts in the wrong class." in caption
    assert "On a measurement's map each row is filled with its true value" in caption


def test_a_measurement_line_says_the_distance_from_the_line_is_the_error():
    from ui import maps as ui_maps

    design = {
        "version": 1,
        "inputs": {"petal": ["petal_length"]},
        "layers": [{"name": "hidden", "units": 4}],
        "heads": [{"name": "petal_width", "target": "petal_width"}],
    }
    prepared = data.prepare(design)
    caption = ui_maps.caption(design, prepared, maps.default_plane(design, prepared), heads_of(design))
    assert "how far it is from the line is the network's error" in caption and "red ring" not in caption


# --- the data's range ---------------------------------------------------------------------------------------


def weather_csv(rows: int = 1_461) -> pd.DataFrame:
    """Like seattle-weather: precipitation mostly 0 up to 55.9 mm, temperatures either side of 0, a bill > 3."""
    chance = np.random.default_rng(2)
    rain = np.where(chance.random(rows) < 0.55, 0.0, chance.exponential(6, rows)).round(1)
    rain[7] = 55.9
    temp_min = chance.normal(8, 5, rows).round(1)
    cold = -np.abs(chance.normal(5, 3, rows)).round(1) - 0.1  # a column that is never above 0
    bill = (3.07 + chance.gamma(3, 5, rows)).round(2)
    weather = np.where(rain > 2, "rain", np.where(temp_min > 10, "sun", "fog"))
    frame = pd.DataFrame({"precipitation": rain, "temp_min": temp_min, "cold": cold, "bill": bill, "weather": weather})
    return csv_table.read(frame.to_csv(index=False).encode())


@pytest.fixture(scope="module")
def weather():
    frame = weather_csv()
    roles = {name: csv_table.INPUT for name in ("precipitation", "temp_min", "cold", "bill")}
    block, inputs, targets = csv_table.columns_for(frame, {**roles, "weather": csv_table.CLASS}, "weather.csv")
    design = edits.csv_design(presets.default_design(), block, inputs, targets)
    return frame, design, data.prepare(design, frame)


@pytest.mark.parametrize("column", ["precipitation", "temp_min", "cold", "bill"])
def test_a_held_sliders_range_is_the_training_rows_range(weather, column):
    frame, _, prepared = weather
    training = frame[column].to_numpy()[prepared.train.rows]
    low, high = maps.held_range(prepared, column)
    step = maps.held_step(prepared, column)
    assert training.min() - step < low <= training.min() and training.max() <= high < training.max() + step
    if training.min() >= 0:
        assert low >= 0  # precipitation: from 0 (not -5.59) to 55.9 (not 61.49)


@pytest.mark.parametrize("column", ["precipitation", "temp_min", "cold", "bill"])
def test_a_maps_axes_span_the_drawn_rows_and_never_cross_0_where_they_do_not(weather, column):
    frame, design, prepared = weather
    others = [c for c in ("precipitation", "temp_min", "cold", "bill") if c != column]
    plane = maps.plane(design, prepared, column, others[0])
    low, high = plane.ranges[column]
    drawn = frame[column].to_numpy()[np.concatenate([prepared.train.rows, prepared.test.rows])]
    span = drawn.max() - drawn.min()
    assert low <= drawn.min() and drawn.max() <= high
    assert high - low <= 1.1 * span + 1e-9  # a small margin
    if drawn.min() >= 0:
        assert low >= 0
    if drawn.max() <= 0:
        assert high <= 0
    held = plane.fixed[others[1]]
    assert maps.held_range(prepared, others[1])[0] <= held <= maps.held_range(prepared, others[1])[1]


def test_a_held_value_outside_the_training_rows_is_refused(weather):
    _, design, prepared = weather
    with pytest.raises(maps.MapError, match="map at precipitation must be a number from 0"):
        maps.plane(design, prepared, "temp_min", "bill", {"precipitation": -5.59})


# --- held values in words --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (31_193_412.0, "31,190,000"),
        (3.4, "3.4"),
        (3.7583, "3.758"),
        (0.12345, "0.1235"),
        (1234.5, "1,234"),
        (999.99, "1,000"),
        (-2_500_000.0, "-2,500,000"),
        (0.0, "0"),
        (2.5e-5, "2.5e-5"),
        (3.1193e17, "3.119e17"),
    ],
)
def test_a_held_value_reads_as_a_person_writes_it(value, words):
    assert maps.value_text(value) == words


def test_a_held_population_is_written_with_thousands_separators():
    from ui import maps as ui_maps

    chance = np.random.default_rng(3)
    pop = chance.uniform(1e5, 1.3e9, 200).round()
    frame = pd.DataFrame({"pop": pop, "gdp": chance.uniform(300, 5e4, 200).round(1),
                          "life": chance.uniform(30, 80, 200).round(1),
                          "continent": chance.choice(["Africa", "Asia"], 200)})  # fmt: skip
    read = csv_table.read(frame.to_csv(index=False).encode())
    roles = {"pop": "input", "gdp": "input", "life": "input", "continent": "class target"}
    block, inputs, targets = csv_table.columns_for(read, roles, "gapminder.csv")
    design = edits.csv_design(presets.default_design(), block, inputs, targets)
    prepared = data.prepare(design, read)
    plane = maps.plane(design, prepared, "gdp", "life")
    caption = ui_maps.caption(design, prepared, plane, heads_of(design))
    held = plane.fixed["pop"]
    assert f"pop at {maps.value_text(held)}" in caption and "e+" not in caption
    assert re.search(r"pop at \d{1,3}(,\d{3})+", caption), caption
