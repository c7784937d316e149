"""Numbers no network can learn from are refused by name before anything trains, and every JSON the command
line writes is strict JSON (``null``, never ``NaN`` or ``Infinity``)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from designer import cli, csv_table, data, edits, parsing, presets, spec

ROWS = 60


def strict_json(text: str) -> object:
    """``text`` read as strict JSON: ``NaN``, ``Infinity`` and ``-Infinity`` are refused, as other readers do."""

    def refuse(constant: str):
        raise ValueError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def table(**changes: object) -> pd.DataFrame:
    """Two number inputs, a measurement and a class, as a CSV file reads; ``changes`` set row 3's values."""
    chance = np.random.default_rng(1)
    x, y = chance.normal(0, 1, ROWS), chance.normal(0, 1, ROWS)
    frame = pd.DataFrame({"x": x, "y": y, "size": 10 + x, "label": np.where(x + y > 0, "a", "b")})
    read = csv_table.read(frame.to_csv(index=False).encode())
    for column, value in changes.items():
        read.loc[3, column] = value
    return read


def design_on(frame: pd.DataFrame, target: str = "label") -> dict:
    roles = {"x": "input", "y": "input", target: "measurement target" if target == "size" else "class target"}
    block, inputs, targets = csv_table.columns_for(frame, roles, "numbers.csv")
    return edits.csv_design(presets.default_design(), block, inputs, targets)


# --- refused as the data is prepared ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("x", 1e300, "column 'x' has a value too large to scale: 1e+300"),
        ("x", -1e300, "column 'x' has a value too large to scale: -1e+300"),
        ("y", 1e20, "column 'y' has a value too large to scale: 1e+20"),
        ("x", math.inf, "column 'x' has a value that is not a finite number: inf"),
        ("y", -math.inf, "column 'y' has a value that is not a finite number: -inf"),
    ],
)
def test_an_input_too_large_to_scale_is_refused_by_column_and_value(column, value, words):
    frame = table(**{column: value})
    with pytest.raises(data.DataError) as refused:
        data.prepare(design_on(frame), frame)
    assert words in str(refused.value)


@pytest.mark.parametrize(("value", "words"), [(1e308, "1e+308"), (3e19, "3e+19"), (-2e30, "-2e+30")])
def test_a_measurement_target_whose_square_overflows_32_bits_is_refused(value, words):
    frame = table(size=value)
    with pytest.raises(data.DataError) as refused:
        data.prepare(design_on(frame, "size"), frame)
    assert f"column 'size' has a value too large to scale: {words}" in str(refused.value)


def test_a_large_value_a_network_can_take_is_prepared_finite():
    frame = table(x=9e18, size=-9e18)
    prepared = data.prepare(design_on(frame, "size"), frame)
    for part in (prepared.train, prepared.validation, prepared.test):
        for array in (*part.x.values(), *part.y.values()):
            assert array.dtype == np.float32 and np.isfinite(array).all()
            assert np.isfinite(np.square(array.astype(np.float64))).all()


def test_a_value_that_scales_past_32_bits_is_refused_by_column():
    """Tiny training values scale by a tiny spread: a large test value then scales beyond any 32-bit float."""
    frame = table()
    design = design_on(frame)
    split = spec.training_settings(design)
    codes = (frame["label"] == "b").to_numpy(int)  # the strata prepare splits on: "a" is class 0, "b" class 1
    _, _, test_rows = data.split_rows(ROWS, codes, split["test_size"], split["validation_split"], split["seed"])
    frame["y"] = np.arange(ROWS) * 1e-150
    frame.loc[test_rows[0], "y"] = 1e18
    with pytest.raises(data.DataError) as refused:
        data.prepare(design, frame)
    assert "column 'y' has a value too large to scale" in str(refused.value)


def test_the_trainer_refuses_before_training():
    from designer.training import Trainer

    frame = table(x=1e300)
    with pytest.raises(data.DataError, match="column 'x'"):
        Trainer(design_on(frame), csv=frame)


@pytest.mark.parametrize("text", ["inf", "-inf", "Infinity", "1e999", "-1E400"])
def test_the_csv_reader_refuses_infinity_by_column(text):
    lines = ["x,label"] + [f"{i / 10},{'ab'[i % 2]}" for i in range(12)] + [f"{text},a"]
    with pytest.raises(csv_table.CsvError) as refused:
        csv_table.read("\n".join(lines).encode())
    assert f"column 'x' holds {text!r}, which is not a finite number" in str(refused.value)


def test_the_csv_reader_still_reads_missing_values_and_large_finite_ones():
    lines = ["x,label"] + [f"{i / 10},{'ab'[i % 2]}" for i in range(12)] + ["NaN,a", "1e300,b", ",a"]
    frame = csv_table.read("\n".join(lines).encode())
    assert frame["x"].isna().sum() == 2 and frame["x"].max() == 1e300


# --- strict JSON ----------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
        max_leaves=12,
    )
)
def test_json_ready_values_are_strict_json_and_keep_every_finite_value(value):
    ready = parsing.json_ready(value)
    read = strict_json(json.dumps(ready, allow_nan=False))
    assert read == json.loads(json.dumps(ready))


def test_json_ready_takes_numpy_arrays_and_numbers():
    value = {"grid": np.array([[1.0, np.nan], [np.inf, -2.0]], dtype=np.float32), "n": np.float64("nan")}
    assert parsing.json_ready(value) == {"grid": [[1.0, None], [None, -2.0]], "n": None}


@pytest.fixture(scope="module")
def diverging(tmp_path_factory):
    """A design file whose learning rate makes the loss NaN at once: the network's outputs are NaN."""
    design = next(p.load() for p in presets.presets() if p.key == "lecture_sequential")
    design["training"] = {**design.get("training", {}), "learning_rate": 1e30, "epochs": 2}
    path = tmp_path_factory.mktemp("nan") / "diverging.json"
    path.write_text(json.dumps(design))
    return path


@pytest.mark.keras
def test_cli_train_writes_strict_json_when_the_loss_is_nan(diverging, tmp_path, capsys):
    out = tmp_path / "result.json"
    assert cli.main(["train", str(diverging), "--out", str(out)]) == 0
    written = strict_json(out.read_text())
    assert written["test"]["loss"] is None  # NaN, written as null


@pytest.mark.keras
def test_cli_map_writes_strict_json_when_the_network_diverged(diverging, tmp_path, capsys):
    out = tmp_path / "map.json"
    assert cli.main(["map", str(diverging), "--grid", "4", "--out", str(out)]) == 0
    written = strict_json(out.read_text())
    assert np.array(written["heads"]["species"]["confidence"]).shape == (4, 4)
    assert written["heads"]["species"]["confidence"][0][0] is None
