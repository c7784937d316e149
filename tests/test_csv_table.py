"""Tests of ``designer.csv_table``: a learner's own CSV file read, checked, split and trained on.

The CSV is made here, row by row, from a seeded generator: a measurement
(``size``) that, with a category (``colour``), decides the class (``label``);
a noise measurement with gaps (``weight``); a free-text column with a text of
its own on each row (``note``, with a comma in every text); a constant number
column and a constant text column (a single class). Every expected value is
computed from those rows, or by scikit-learn or pandas on them, never by the
code under test: what comes from ``designer`` is only what is being checked.

Only the few tests marked ``keras`` train; the rest need no TensorFlow.
"""

from __future__ import annotations

import csv
import io
import json
import random

import numpy as np
import pandas as pd
import pytest
from cli_support import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.compose import make_column_transformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from designer import csv_table, data, datasets, edits, presets
from designer.csv_table import CLASS, INPUT, MEASUREMENT, UNUSED, CsvError
from designer.validation import errors, validate

SEED = 20240607
ROWS = 120
FILE = "plants.csv"
COLOURS = ("blue", "green", "red")  # in the order a category's values are listed: alphabetical
SHIFT = {"blue": -1.5, "green": 0.0, "red": 1.5}  # how far a colour moves the size at which the class flips
WORDS = ("looked fine", "bent stem", "café au lait", "naïve guess", "tiny; pale", 'said "ok"')
HEADER = ("size", "colour", "weight", "note", "constant", "kingdom", "label")
NUMBERS = ("size", "weight", "constant")
TEXTS = ("colour", "note", "kingdom", "label")
CHOSEN = {"size": INPUT, "colour": INPUT, "weight": INPUT, "label": CLASS}  # the roles most tests choose
EXIT_INVALID = 2


# ----------------------------------------------------------------------------------------- the hand-made CSV


def make_rows(rows: int = ROWS, seed: int = SEED) -> list[dict]:
    """The table as plain values, None where a cell is left empty.

    The class is "high" when the size, shifted by the colour, passes 5 (one
    label in twenty flipped); the sizes are all different, so a size finds its
    row. Gaps: weight every 10th row, colour every 13th, label every 29th, and
    the unused note every 17th.
    """
    generator = random.Random(seed)
    places = list(range(rows))
    generator.shuffle(places)
    made = []
    for i in range(rows):
        size = round((places[i] + 0.5) * 10 / rows, 4)
        colour = generator.choice(COLOURS)
        label = "high" if size + SHIFT[colour] > 5 else "low"
        if generator.random() < 0.05:
            label = "low" if label == "high" else "high"
        row = {
            "size": size,
            "colour": colour,
            "weight": round(generator.gauss(50, 8), 1),
            "note": f"sample {i}, {generator.choice(WORDS)}",
            "constant": 7.0,
            "kingdom": "plant",
            "label": label,
        }
        for column, every, at in (("weight", 10, 3), ("colour", 13, 6), ("label", 29, 11), ("note", 17, 2)):
            if i % every == at:
                row[column] = None
        made.append(row)
    return made


def cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}" if value.is_integer() else repr(value)
    return str(value)


def csv_text(rows: list[dict], sep: str = ",", newline: str = "\n", header=HEADER) -> str:
    """The rows as CSV text, quoted where the separator, a quote or a line break asks for it (as Excel saves)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator=newline)
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(row.get(name)) for name in header])
    return out.getvalue()


def csv_bytes(rows: list[dict], sep: str = ",", newline: str = "\n", encoding: str = "utf-8") -> bytes:
    return csv_text(rows, sep, newline).encode(encoding)


def complete(rows: list[dict], columns) -> list[dict]:
    """The rows with a value in every one of ``columns``."""
    return [row for row in rows if all(row[name] is not None for name in columns)]


def values(series: pd.Series) -> list:
    """A column's values with every kind of missing (NaN, None, pd.NA) as None."""
    return [None if pd.isna(value) else value for value in series]


def frame_of(rows: list[dict] | None = None) -> pd.DataFrame:
    return csv_table.read(csv_bytes(make_rows() if rows is None else rows))


def csv_design(frame: pd.DataFrame, roles: dict[str, str], **training) -> dict:
    """The default design moved onto ``frame`` with ``roles``, as the upload panel makes it."""
    block, inputs, targets = csv_table.columns_for(frame, roles, FILE)
    design = edits.csv_design(presets.default_design(), block, inputs, targets)
    if training:
        design["training"] = {**design.get("training", {}), **training}
    assert errors(validate(design)) == [], errors(validate(design))
    return design


def refusal(call, *args) -> str:
    """The message of the CsvError ``call(*args)`` raises."""
    with pytest.raises(CsvError) as caught:
        call(*args)
    return str(caught.value)


ROWS_MADE = make_rows()


def test_the_hand_made_table_has_what_the_tests_need():
    """A guard on the construction itself, so that no test below passes for want of a gap or a class."""
    assert len({row["size"] for row in ROWS_MADE}) == ROWS
    assert {row["colour"] for row in ROWS_MADE} == {*COLOURS, None}
    assert {row["label"] for row in ROWS_MADE} == {"high", "low", None}
    assert len({row["note"] for row in ROWS_MADE if row["note"]}) > datasets.MAX_CATEGORIES
    for column in ("weight", "colour", "label", "note"):
        assert any(row[column] is None for row in ROWS_MADE), column
    assert all("," in row["note"] for row in ROWS_MADE if row["note"])
    assert 10 <= len(complete(ROWS_MADE, CHOSEN)) < ROWS


# ----------------------------------------------------------------------------------------- reading


VARIANTS = {
    "comma, LF, UTF-8": dict(sep=",", newline="\n", encoding="utf-8"),
    "comma, CRLF, UTF-8 with a BOM": dict(sep=",", newline="\r\n", encoding="utf-8-sig"),
    "semicolon": dict(sep=";", newline="\n", encoding="utf-8"),
    "semicolon, CRLF, BOM": dict(sep=";", newline="\r\n", encoding="utf-8-sig"),
    "tab, CRLF": dict(sep="\t", newline="\r\n", encoding="utf-8"),
    "bar": dict(sep="|", newline="\n", encoding="utf-8"),
    "comma, Latin-1": dict(sep=",", newline="\n", encoding="latin-1"),
    "semicolon, CRLF, Latin-1": dict(sep=";", newline="\r\n", encoding="latin-1"),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_every_variant_of_the_file_reads_as_the_rows_it_was_made_from(variant):
    """Separator, line ending, BOM and encoding change nothing: names, numbers, texts and gaps are the rows'."""
    data_bytes = csv_bytes(ROWS_MADE, **VARIANTS[variant])
    if variant.endswith("BOM"):
        assert data_bytes.startswith(b"\xef\xbb\xbf")
    frame = csv_table.read(data_bytes)
    assert list(frame.columns) == list(HEADER)  # no BOM stuck to the first name, no "\r" on the last
    assert len(frame) == ROWS
    for name in NUMBERS:
        assert frame[name].dtype == np.float64, name
        expected = np.array([np.nan if row[name] is None else row[name] for row in ROWS_MADE])
        np.testing.assert_array_equal(frame[name].to_numpy(), expected, err_msg=name)
    for name in TEXTS:
        assert values(frame[name]) == [row[name] for row in ROWS_MADE], name


def test_the_first_column_name_keeps_no_byte_order_mark():
    frame = csv_table.read(csv_bytes(ROWS_MADE, newline="\r\n", encoding="utf-8-sig"))
    assert frame.columns[0] == "size"
    assert not any("\ufeff" in name or "\r" in name for name in frame.columns)


def test_latin_1_bytes_are_not_utf_8_and_still_read_as_their_text():
    data_bytes = csv_bytes(ROWS_MADE, encoding="latin-1")
    with pytest.raises(UnicodeDecodeError):
        data_bytes.decode("utf-8")
    notes = values(csv_table.read(data_bytes)["note"])
    assert "café au lait" in " ".join(n for n in notes if n)
    assert "naïve guess" in " ".join(n for n in notes if n)


def test_padded_cells_are_stripped_and_numbers_stay_numbers():
    lines = ["size, colour"] + [f"{i}.5,  {COLOURS[i % 3]}  " for i in range(12)]
    frame = csv_table.read("\n".join(lines).encode())
    assert list(frame.columns) == ["size", "colour"]
    assert frame["size"].tolist() == [i + 0.5 for i in range(12)]
    assert values(frame["colour"]) == [COLOURS[i % 3] for i in range(12)]


def test_rows_ending_in_a_separator_keep_their_columns_in_place():
    """Some exports end every row with a separator. The values must stay under their own names (or be refused)."""
    rows = ROWS_MADE[:20]
    text = "size,weight,label\n" + "".join(f"{cell(r['size'])},{cell(r['weight'])},{r['label'] or ''},\n" for r in rows)
    try:
        frame = csv_table.read(text.encode())
    except CsvError:
        return  # a refusal is as good as a correct table
    assert frame["size"].tolist() == [r["size"] for r in rows]


@pytest.mark.parametrize(
    ("rows", "line"),
    [(["1,2,9"] + ["5,6"] * 11, 2), (["5,6"] * 6 + ["3,4,9"] + ["5,6"] * 5, 8), (["5,6,7"] * 12, 2)],
    ids=["the first row", "a middle row", "every row"],
)
def test_a_row_with_more_values_than_the_header_has_names_is_refused_by_its_line(rows, line):
    """A value with no column name would be dropped; every row with one (pandas drops the first row's quietly)."""
    message = refusal(csv_table.read, ("a,b\n" + "\n".join(rows) + "\n").encode())
    assert message.startswith(f"line {line} has 3 values but the header names 2 columns"), message


@pytest.mark.parametrize("sep", [",", ";"])
@pytest.mark.parametrize("ending", ["every row", "some rows"])
def test_a_separator_ending_rows_leaves_no_value_behind(ending, sep):
    """Rows whose separators differ in number make Python's sniffer give up on the sample: the header decides."""
    rows = [f"5{sep}{i}" + (f"{sep} " if ending == "every row" or i % 3 == 1 else "") for i in range(12)]
    frame = csv_table.read((f"a{sep}b\n" + "\n".join(rows) + "\n").encode())
    assert list(frame.columns) == ["a", "b"] and frame["b"].tolist() == [float(i) for i in range(12)]


def test_a_quoted_value_after_a_space_keeps_its_separator():
    frame = csv_table.read(('a,b\n1, "x,y"\n' + "2,z\n" * 11).encode())
    assert values(frame["b"])[:2] == ["x,y", "z"]


def test_a_column_of_true_and_false_is_read_as_text():
    text = "size,passed\n" + "".join(f"{i},{'True' if i % 2 else 'False'}\n" for i in range(12))
    frame = csv_table.read(text.encode())
    assert values(frame["passed"]) == ["True" if i % 2 else "False" for i in range(12)]


# ----------------------------------------------------------------------------------------- refusals by read


def test_fewer_than_10_rows_are_refused_and_10_are_read():
    assert len(csv_table.read(csv_bytes(ROWS_MADE[:10]))) == 10
    assert "10 rows" in refusal(csv_table.read, csv_bytes(ROWS_MADE[:9]))


def test_more_than_10_000_rows_are_refused_and_10_000_are_read():
    def table(rows: int) -> bytes:
        return ("a,b\n" + "".join(f"{i % 7},{i % 3}\n" for i in range(rows))).encode()

    assert len(csv_table.read(table(10_000))) == 10_000
    message = refusal(csv_table.read, table(10_001))
    assert "rows" in message
    assert "10,001" in message


def test_more_than_50_columns_are_refused_and_50_are_read():
    def table(columns: int) -> bytes:
        header = ",".join(f"c{j}" for j in range(columns))
        return (
            header + "\n" + "".join(",".join(str(i + j) for j in range(columns)) + "\n" for i in range(12))
        ).encode()

    assert csv_table.read(table(50)).shape == (12, 50)
    message = refusal(csv_table.read, table(51))
    assert "columns" in message
    assert "51" in message


def test_more_than_a_million_bytes_are_refused_and_a_million_are_read():
    """The same two-column table padded to exactly 1,000,000 bytes, then one byte more."""

    def table(size: int) -> bytes:
        head = "n,pad\n" + "".join(f"{i},x\n" for i in range(11))
        last = "11,"
        return (head + last + "y" * (size - len(head) - len(last) - 1) + "\n").encode()

    assert len(table(1_000_000)) == 1_000_000
    assert len(csv_table.read(table(1_000_000))) == 12
    message = refusal(csv_table.read, table(1_000_001))
    assert "bytes" in message
    assert "1,000,001" in message


@pytest.mark.parametrize(
    "data_bytes, says",
    [
        (b"", "empty"),
        (b" \r\n\t\n", "empty"),
        (b"size,label\n" + b"1,a\n" * 5 + b"\x00\n" * 6, "NUL"),
        (b"size\n" + b"1\n" * 12, "2 columns"),
        (b"size,size \n" + b"1,2\n" * 12, "'size' twice"),
        (b"size,\xe9" + b"x" * 70 + b"\n" + b"1,2\n" * 12, "characters"),
    ],
    ids=["empty", "blank", "NUL bytes", "one column", "names alike but for a space", "a long name"],
)
def test_files_that_are_no_table_are_refused_saying_why(data_bytes, says):
    assert says in refusal(csv_table.read, data_bytes)


@pytest.mark.parametrize("thing", ["a,b\n1,2\n", None, 12, ["a,b"]])
def test_anything_but_bytes_is_refused(thing):
    assert "bytes" in refusal(csv_table.read, thing)


# ----------------------------------------------------------------------------------------- summaries


def test_summaries_give_each_columns_kind_distinct_values_and_gaps():
    found = {s.name: s for s in csv_table.summaries(frame_of())}
    assert list(found) == list(HEADER)
    for name in HEADER:
        present = [row[name] for row in ROWS_MADE if row[name] is not None]
        assert found[name].kind == ("numbers" if name in NUMBERS else "text"), name
        assert found[name].distinct == len(set(present)), name
        assert found[name].missing == ROWS - len(present), name
    gaps = sum(row["colour"] is None for row in ROWS_MADE)
    assert found["colour"].describe() == f"text, 3 different, {gaps} missing"


def test_summaries_guess_the_last_category_as_the_class_and_leave_free_text_unused():
    """The docstring's rule: the last text column with a few values is the class target; numbers and
    few-valued texts are inputs; a text with a value on (nearly) every row is left unused."""
    roles = {s.name: s.role for s in csv_table.summaries(frame_of())}
    assert roles["label"] == CLASS
    assert roles["size"] == roles["weight"] == roles["colour"] == INPUT
    assert roles["note"] == UNUSED
    assert roles["kingdom"] != CLASS  # a single value is not a class


def test_with_no_category_the_last_column_is_a_measurement_target():
    frame = csv_table.read(b"a,b\n" + b"".join(f"{i},{i * 1.5}\n".encode() for i in range(30)))
    assert [s.role for s in csv_table.summaries(frame)] == [INPUT, MEASUREMENT]


# ----------------------------------------------------------------------------------------- roles into a design


def test_columns_for_makes_the_block_of_the_chosen_columns():
    block, inputs, targets = csv_table.columns_for(frame_of(), {**CHOSEN, "note": UNUSED}, FILE)
    assert inputs == ["size", "colour", "weight"]
    assert targets == ["label"]
    assert block == {
        "csv": FILE,
        "rows": len(complete(ROWS_MADE, CHOSEN)),
        "columns": [
            {"name": "size"},
            {"name": "colour", "categories": list(COLOURS)},
            {"name": "weight"},
            {"name": "label", "categories": ["high", "low"]},
        ],
    }
    assert datasets.csv_problems(block) == []


def test_a_number_column_can_be_a_class_target_its_values_as_text_in_numeric_order():
    rows = [{"size": float(i), "grade": float([10, 2, 1][i % 3])} for i in range(30)]
    frame = csv_table.read(csv_text(rows, header=("size", "grade")).encode())
    block, _, _ = csv_table.columns_for(frame, {"size": INPUT, "grade": CLASS}, FILE)
    assert block["columns"][1] == {"name": "grade", "categories": ["1", "2", "10"]}


@pytest.mark.parametrize(
    "roles, column",
    [
        ({"size": INPUT, "colour": MEASUREMENT}, "colour"),
        ({"size": INPUT, "label": MEASUREMENT}, "label"),
        ({"note": INPUT, "size": INPUT, "label": CLASS}, "note"),
        ({"size": INPUT, "note": CLASS}, "note"),
        ({"size": INPUT, "kingdom": CLASS}, "kingdom"),
        ({"size": INPUT, "constant": CLASS}, "constant"),
        ({"size": INPUT, "label": "target"}, "label"),
    ],
    ids=[
        "text as a measurement",
        "a class as a measurement",
        "free text as an input",
        "free text as a class",
        "a single text class",
        "a single number class",
        "an unknown role",
    ],
)
def test_a_column_that_cannot_take_its_role_is_refused_by_name(roles, column):
    message = refusal(csv_table.columns_for, frame_of(), roles, FILE)
    assert repr(column) in message
    assert not any(repr(other) in message for other in HEADER if other != column)


def test_a_single_class_message_names_the_class():
    message = refusal(csv_table.columns_for, frame_of(), {"size": INPUT, "kingdom": CLASS}, FILE)
    assert "plant" in message


@pytest.mark.parametrize(
    "roles, says",
    [({"size": INPUT}, "target"), ({"label": CLASS}, "input"), ({}, "input")],
    ids=["no target", "no input", "nothing"],
)
def test_a_choice_without_an_input_or_a_target_is_refused(roles, says):
    assert says in refusal(csv_table.columns_for, frame_of(), roles, FILE)


def test_fewer_than_10_complete_rows_in_the_chosen_columns_are_refused():
    """Twelve rows, but a weight on only nine: with weight chosen, too few rows are left."""
    rows = [{**row, "weight": row["weight"] if i < 9 else None} for i, row in enumerate(complete(ROWS_MADE, CHOSEN))]
    frame = frame_of(rows[:12])
    assert "9 rows" in refusal(csv_table.columns_for, frame, CHOSEN, FILE)
    block, _, _ = csv_table.columns_for(frame, {"size": INPUT, "label": CLASS}, FILE)
    assert block["rows"] == 12


# ----------------------------------------------------------------------------------------- prepared data


def test_rows_missing_a_chosen_value_are_dropped_and_counted():
    """The gaps in the unused note drop nothing; those in size, colour, weight and label do."""
    frame = frame_of()
    prepared = data.prepare(csv_design(frame, CHOSEN), frame)
    kept = complete(ROWS_MADE, CHOSEN)
    assert prepared.dropped == ROWS - len(kept)
    assert sorted(prepared.frame["size"]) == sorted(row["size"] for row in kept)
    assert len(prepared.train) + len(prepared.validation) + len(prepared.test) == len(kept)
    every = np.concatenate([prepared.train.rows, prepared.validation.rows, prepared.test.rows])
    assert sorted(every) == list(range(len(kept)))


def test_a_class_target_of_two_classes_is_one_column_of_its_second_class():
    frame = frame_of()
    prepared = data.prepare(csv_design(frame, CHOSEN), frame)
    by_size = {row["size"]: row["label"] for row in ROWS_MADE}
    for part in (prepared.train, prepared.test):
        sizes = prepared.frame["size"].to_numpy()[part.rows]
        expected = np.array([[by_size[s] == "low"] for s in sizes], dtype=np.float32)  # "low" is the second class
        np.testing.assert_array_equal(part.y["label"], expected)


def test_a_category_input_is_one_hot_as_scikit_learn_encodes_it():
    """The input is size, colour (one-hot), weight: its width and its colour block are OneHotEncoder's."""
    frame = frame_of()
    prepared = data.prepare(csv_design(frame, CHOSEN), frame)
    present = pd.DataFrame({"colour": [row["colour"] for row in complete(ROWS_MADE, CHOSEN)]})
    reference = OneHotEncoder(sparse_output=False).fit(present)
    width = len(reference.categories_[0])
    assert width == 3
    by_size = {row["size"]: row["colour"] for row in ROWS_MADE}
    for part in (prepared.train, prepared.validation, prepared.test):
        x = part.x["input"]
        assert x.shape == (len(part), 1 + width + 1)
        colours = pd.DataFrame({"colour": [by_size[s] for s in prepared.frame["size"].to_numpy()[part.rows]]})
        np.testing.assert_array_equal(x[:, 1 : 1 + width], reference.transform(colours))


def test_a_constant_input_is_scaled_to_zero():
    """StandardScaler leaves a constant column's scale at 1, so after taking its mean away it is all 0."""
    frame = frame_of()
    prepared = data.prepare(csv_design(frame, {"size": INPUT, "constant": INPUT, "label": CLASS}), frame)
    reference = StandardScaler().fit(np.full((5, 1), 7.0))
    assert reference.scale_.tolist() == [1.0]
    where = prepared.input_columns.index("constant")
    assert prepared.scaler.scale_[where] == reference.scale_[0]
    assert prepared.scaler.mean_[where] == 7.0
    for part in (prepared.train, prepared.validation, prepared.test):
        assert part.x["input"].shape[1] == 2
        np.testing.assert_array_equal(part.x["input"][:, 1], np.zeros(len(part)))


def test_a_rare_value_of_a_category_input_does_not_stop_the_split():
    """One row is "purple": a class target's split does not care, as the split is stratified on the label."""
    rows = [{**row, "colour": "purple" if i == 7 else row["colour"]} for i, row in enumerate(ROWS_MADE)]
    frame = frame_of(rows)
    prepared = data.prepare(csv_design(frame, CHOSEN), frame)
    labels = prepared.frame["label"]
    tested = labels.iloc[prepared.test.rows]
    for label in ("high", "low"):
        assert abs((tested == label).sum() - 0.2 * (labels == label).sum()) <= 1, label


# ----------------------------------------------------------------------------------------- conform


def made_on_the_table() -> tuple[dict, datasets.Table]:
    design = csv_design(frame_of(), CHOSEN)
    return design, datasets.of(design)


def test_a_file_like_the_one_the_design_was_made_on_conforms():
    _, table = made_on_the_table()
    other = make_rows(60, seed=SEED + 1)
    shuffled = csv_table.read(csv_text(other, header=("label", "note", "weight", "colour", "size")).encode())
    conformed = csv_table.conform(shuffled, table)
    assert list(conformed.columns) == ["size", "colour", "weight", "label"]
    assert values(conformed["colour"]) == [row["colour"] for row in other]


@pytest.mark.parametrize("column", ["size", "colour", "weight", "label"])
def test_a_file_lacking_a_column_is_refused_by_name(column):
    design, table = made_on_the_table()
    header = [name for name in HEADER if name != column]
    frame = csv_table.read(csv_text(ROWS_MADE, header=header).encode())
    message = refusal(csv_table.conform, frame, table)
    assert f"lacks the column {column!r}" in message
    with pytest.raises(data.DataError, match=repr(column)):
        data.prepare(design, frame)


@pytest.mark.parametrize("column, value", [("colour", "purple"), ("label", "medium")])
def test_a_file_with_an_unknown_category_is_refused_by_name(column, value):
    design, table = made_on_the_table()
    rows = [{**row, column: value if i == 30 else row[column]} for i, row in enumerate(ROWS_MADE)]
    frame = frame_of(rows)
    message = refusal(csv_table.conform, frame, table)
    assert repr(column) in message
    assert repr(value) in message
    with pytest.raises(data.DataError, match=repr(value)):
        data.prepare(design, frame)


def test_a_number_column_holding_text_in_a_new_file_is_refused_by_name():
    _, table = made_on_the_table()
    rows = [{**row, "weight": "heavy" if i == 5 else row["weight"]} for i, row in enumerate(ROWS_MADE)]
    assert "'weight'" in refusal(csv_table.conform, frame_of(rows), table)


def test_a_csv_design_without_its_file_is_refused_naming_the_file():
    design, _ = made_on_the_table()
    with pytest.raises(data.DataError, match=FILE):
        data.prepare(design)


# ----------------------------------------------------------------------------------------- anything at all


def read_or_refuse(data_bytes: bytes) -> None:
    """``read`` returns a table as promised, or raises CsvError: never anything else."""
    try:
        frame = csv_table.read(data_bytes)
    except CsvError as error:
        assert str(error)
        return
    assert isinstance(frame, pd.DataFrame)
    assert 2 <= frame.shape[1] <= 50
    assert 10 <= len(frame) <= 10_000
    names = list(frame.columns)
    assert all(isinstance(name, str) and 1 <= len(name) <= 60 and name == name.strip() for name in names)
    assert len(set(names)) == len(names)
    for name in names:
        series = frame[name]
        assert series.dtype == np.float64 or series.dtype == object, (name, series.dtype)
        if series.dtype == np.float64:
            assert np.isfinite(series.dropna()).all()
        else:
            assert all(isinstance(v, str) and v and v == v.strip() for v in series.dropna()), name


FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PIECES = [*"ab1.5e-+,;\t|\"' \r\n\ufeffé∞", "NA", "inf", "1e999", "True", '""']
CELLS = st.lists(st.sampled_from(PIECES), max_size=6).map("".join)


@FUZZ
@given(st.binary(max_size=4000))
def test_arbitrary_bytes_are_read_or_refused(data_bytes):
    read_or_refuse(data_bytes)


@FUZZ
@given(
    rows=st.lists(st.lists(CELLS, min_size=1, max_size=6), min_size=1, max_size=30),
    sep=st.sampled_from(",;\t|"),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "cp1252"]),
)
def test_tables_of_separators_quotes_and_line_breaks_are_read_or_refused(rows, sep, newline, encoding):
    text = newline.join(sep.join(row) for row in rows)
    read_or_refuse(text.encode(encoding, errors="replace"))


@FUZZ
@given(st.data())
def test_the_hand_made_file_damaged_anywhere_is_read_or_refused(draw):
    """A valid file with bytes cut out, put in or changed: the damage reaches the checks past parsing."""
    original = bytearray(csv_bytes(ROWS_MADE[:20], newline="\r\n", encoding="utf-8-sig"))
    for _ in range(draw.draw(st.integers(1, 5))):
        where = draw.draw(st.integers(0, len(original)))
        action = draw.draw(st.sampled_from(["cut", "put", "change"]))
        junk = draw.draw(st.binary(min_size=1, max_size=8))
        if action == "cut":
            del original[where : where + len(junk)]
        elif action == "put":
            original[where:where] = junk
        else:
            original[where : where + len(junk)] = junk
    read_or_refuse(bytes(original))


@FUZZ
@given(
    st.binary(max_size=3000)
    | st.lists(st.lists(CELLS, min_size=2, max_size=4), min_size=11, max_size=25).map(
        lambda rows: "\n".join(",".join(row) for row in rows).encode()
    )
)
def test_the_guessed_roles_of_whatever_is_read_make_a_block_or_a_refusal(data_bytes):
    """What a learner gets by pressing on with the upload panel's first guess: a sound block, or a CsvError."""
    try:
        frame = csv_table.read(data_bytes)
        roles = {s.name: s.role for s in csv_table.summaries(frame)}
        block, _, _ = csv_table.columns_for(frame, roles, FILE)
    except CsvError:
        return
    assert datasets.csv_problems(block) == []


# ----------------------------------------------------------------------------------------- training (TensorFlow)


def reference_accuracy(prepared: data.Dataset) -> float:
    """A scikit-learn logistic regression fitted on the same training rows, scored on the same test rows."""
    features = make_column_transformer(
        (StandardScaler(), ["size", "weight"]), (OneHotEncoder(handle_unknown="ignore"), ["colour"])
    )
    model = make_pipeline(features, LogisticRegression(max_iter=1000))
    train, test = prepared.frame.iloc[prepared.train.rows], prepared.frame.iloc[prepared.test.rows]
    return float(model.fit(train, train["label"]).score(test, test["label"]))


@pytest.mark.keras
def test_the_category_and_missing_values_csv_trains_and_learns():
    """30 epochs of the default network: well above the majority class, and near a logistic regression."""
    from designer.training import Trainer

    frame = frame_of()
    trainer = Trainer(csv_design(frame, CHOSEN, epochs=30, learning_rate=0.01, seed=1), csv=frame)
    history = trainer.train()
    assert len(history["loss"]) == 30
    accuracy = trainer.evaluate(trainer.data.test)["accuracy"]
    labels = list(trainer.data.frame["label"].to_numpy()[trainer.data.test.rows])
    majority = max(labels.count("high"), labels.count("low")) / len(labels)
    reference = reference_accuracy(trainer.data)
    assert reference >= majority + 0.15  # the table is learnable, as it was made to be
    assert accuracy >= majority + 0.15, (accuracy, majority)
    assert accuracy >= reference - 0.15, (accuracy, reference)


def write_files(folder, rows: list[dict], header=HEADER) -> tuple[str, str]:
    """The design (made on the whole hand-made table) and a CSV of ``rows`` as files in ``folder``."""
    design = csv_design(frame_of(), CHOSEN)
    design_file, csv_file = folder / "design.json", folder / FILE
    design_file.write_text(json.dumps(design), encoding="utf-8")
    csv_file.write_bytes(csv_text(rows, ";", "\r\n", header).encode("utf-8-sig"))
    return str(design_file), str(csv_file)


@pytest.mark.keras
def test_the_command_line_trains_a_csv_design_on_its_file(tmp_path):
    design_file, csv_file = write_files(tmp_path, ROWS_MADE)
    done = run_cli("train", design_file, "--data", csv_file, "--epochs", "3")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "Trained 3 epochs" in done.stdout
    assert {line.split()[0] for line in done.stdout.splitlines()[1:] if line.strip()} == {"loss", "accuracy"}


@pytest.mark.keras
@pytest.mark.parametrize("what", ["no --data", "a file lacking weight"])
def test_the_command_line_refuses_a_missing_file_or_column_by_name(tmp_path, what):
    header = [name for name in HEADER if name != "weight"]
    design_file, csv_file = write_files(tmp_path, ROWS_MADE, header)
    arguments = ["train", design_file, "--epochs", "3"] + ([] if what == "no --data" else ["--data", csv_file])
    done = run_cli(*arguments)
    assert done.returncode == EXIT_INVALID, done.stdout + done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert "Trained" not in done.stdout
    assert (FILE if what == "no --data" else "'weight'") in done.stderr
