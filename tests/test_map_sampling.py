"""A map of a big table draws a sample of its rows: at most MAX_DRAWN of each part, in proportion to the classes,
each a real row of its part, its red ring where the head is wrong on that very row; a small table draws all."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

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
    assert maps.drawn_counts(prepared) == (2 * maps.MAX_DRAWN, 3_600 + 1_500)  # the validation rows are not drawn


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
    assert len(shown.x) == 126 and maps.drawn_counts(prepared) == (126, 126)
