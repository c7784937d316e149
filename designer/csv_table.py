"""A learner's own CSV file: read, checked, and turned into a design's columns.

Untrusted bytes are read here and nowhere else. :func:`read` refuses anything
but a small table (at most 1 MB, 50 columns and 10,000 rows) with a
:class:`CsvError` that says what is wrong; whatever the bytes, it raises
nothing else. The separator (comma, semicolon, tab or bar) is sniffed, a
byte-order mark and Windows line endings are taken in their stride, and text
that is not UTF-8 is read as Latin-1. A number column holding infinity (``inf``,
``1e999``) is refused by name.

:func:`columns_for` turns the learner's choice of a role for each column
(input, class target, measurement target, unused) into the design's dataset
block, refusing a column that cannot take its role by name. :func:`conform`
checks a file opened for a shared design against the columns it needs.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from designer import datasets

INPUT, CLASS, MEASUREMENT, UNUSED = "input", "class target", "measurement target", "unused"
ROLES = (INPUT, CLASS, MEASUREMENT, UNUSED)
SEPARATORS = ",;\t|"
# The words read as a missing value: pandas' own list but "None", which a category may well hold.
MISSING = ("", "NA", "N/A", "n/a", "NaN", "nan", "-NaN", "null", "NULL", "#N/A", "#NA", "<NA>", "?")
PREVIEW_ROWS = 5


class CsvError(ValueError):
    """A file that cannot be used, or a role a column cannot take; the message names the column."""


def read(data: bytes) -> pd.DataFrame:
    """The table in ``data`` (the bytes of a CSV file): numbers as floats, text as text, missing values NaN."""
    if not isinstance(data, bytes | bytearray):
        raise CsvError(f"a CSV file must be bytes, got {type(data).__name__}")
    if len(data) > datasets.MAX_CSV_BYTES:
        raise CsvError(f"the file must be at most {datasets.MAX_CSV_BYTES:,} bytes, got {len(data):,}")
    text = _decode(bytes(data))
    if not text.strip():
        raise CsvError("the file is empty: a CSV file needs a header row and rows of values")
    separator = _separator(text)
    columns = _check_shape(text, separator)
    try:
        with warnings.catch_warnings():
            # Empty fields at a row's end (a trailing separator) are dropped; pandas' warning would only reach a log.
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            frame = pd.read_csv(
                io.StringIO(text),
                sep=separator,
                skipinitialspace=True,
                index_col=False,  # a row ending in a separator must not shift its values one column left
                usecols=None if columns is None else range(columns),  # nor stop the reader, if only some rows do
                keep_default_na=False,
                na_values=list(MISSING),
                dtype=str,  # every cell as its text; _plain decides a column's kind
            )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, csv.Error, OverflowError) as error:
        raise CsvError(
            f"the file is not a table of comma- or semicolon-separated values ({_first_line(error)})"
        ) from None
    return _checked(frame)


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise CsvError("the file holds NUL bytes, so it is not a text file; save the table as CSV")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1").removeprefix("\u00ef\u00bb\u00bf")  # a UTF-8 byte-order mark, misread


def _separator(text: str) -> str:
    """The separator Python's sniffer finds in the first 20 lines or, when their counts differ (a separator
    ending some rows), in the header alone, as pandas' own sniffer reads it; else a comma."""
    lines = text.splitlines()
    for sample in ("\n".join(lines[:20]), lines[0]):
        try:
            return csv.Sniffer().sniff(sample, delimiters=SEPARATORS).delimiter
        except csv.Error:
            continue
    return ","


def _check_shape(text: str, separator: str) -> int | None:
    """How many columns the header names, once it names each once (pandas would quietly rename a second
    ``name.1``) and no row has more values than it has names (pandas would quietly drop them); None when the
    text is no CSV that Python's reader takes. Empty fields at a row's end, left by a trailing separator, are
    not values."""
    try:
        rows = csv.reader(io.StringIO(text), delimiter=separator, skipinitialspace=True)  # as pandas reads it
        header = next(rows, [])
        names = [name.strip() for name in header]
        if "" in names:
            raise CsvError(f"every column needs a name in the header row; column {names.index('') + 1} has none")
        repeated = next((name for name in names if names.count(name) > 1), None)
        if repeated is not None:
            raise CsvError(f"column names must be different, got {repeated!r} twice")
        for row in rows:
            values = len(row)
            while values > len(names) and not row[values - 1].strip():  # a trailing separator's empty field
                values -= 1
            if values > len(names):
                raise CsvError(
                    f"line {rows.line_num} has {values} values but the header names {len(names)} columns; "
                    "every row needs one value per column"
                )
    except csv.Error:
        return None  # pandas' reader says what is wrong
    return len(names)


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0][:120] if str(error).strip() else type(error).__name__


def _checked(frame: pd.DataFrame) -> pd.DataFrame:
    names = [str(name).strip() for name in frame.columns]
    if len(names) > datasets.MAX_CSV_COLUMNS:
        raise CsvError(f"the file must have at most {datasets.MAX_CSV_COLUMNS} columns, got {len(names)}")
    if len(names) < 2:
        raise CsvError(f"the file must have at least 2 columns (an input and a target), got {len(names)}")
    if len(frame) > datasets.MAX_CSV_ROWS:
        raise CsvError(f"the file must have at most {datasets.MAX_CSV_ROWS:,} rows, got {len(frame):,}")
    if len(frame) < 10:
        raise CsvError(f"the file must have at least 10 rows to split into training and test rows, got {len(frame)}")
    for name in names:
        if not name or len(name) > datasets.MAX_COLUMN_NAME:
            raise CsvError(f"column names must be 1 to {datasets.MAX_COLUMN_NAME} characters, got {name!r}")
    if len(set(names)) != len(names):
        repeated = next(name for name in names if names.count(name) > 1)
        raise CsvError(f"column names must be different, got {repeated!r} twice")
    frame.columns = names
    table = pd.DataFrame({name: _plain(frame[name]) for name in names})
    for name in names:
        if not is_number(table[name]):
            table[name] = table[name].astype(object)  # text as Python strings, NaN where missing
    return table


def _plain(series: pd.Series) -> pd.Series:
    """A column as floats if every value present is a number, else as text (stripped), NaN where missing.

    A number column holding infinity (``inf``, ``-Infinity``, ``1e999``: too large for a float) is refused
    by name: no network can learn from it, and it is no missing value either.
    """
    numbers = pd.to_numeric(series, errors="coerce")
    present = series.notna()
    if bool((numbers.notna() | ~present).all()):
        values = numbers.astype("float64")
        infinite = present & ~np.isfinite(values.fillna(0))
        if infinite.any():
            text = str(series[infinite].iloc[0]).strip()
            raise CsvError(
                f"column {series.name!r} holds {text!r}, which is not a finite number; give the number itself, "
                "or leave the cell empty where the value is missing"
            )
        return values
    text = series.astype(object).map(lambda value: value.strip() if isinstance(value, str) else value)
    return text.where(present & (text != ""), np.nan)


def is_number(series: pd.Series) -> bool:
    """True for a column read as numbers."""
    return pd.api.types.is_float_dtype(series)


def as_text(series: pd.Series) -> pd.Series:
    """A column's values as category text: whole numbers without ".0", NaN kept."""
    if not is_number(series):
        return series
    return series.map(lambda v: v if pd.isna(v) else str(int(v)) if float(v).is_integer() else repr(float(v)))


@dataclass(frozen=True)
class Summary:
    """What the upload panel shows of one column."""

    name: str
    kind: str  # "numbers" or "text"
    distinct: int
    missing: int
    role: str  # the role it starts with

    def describe(self) -> str:
        return f"{self.kind}, {self.distinct:,} different, {self.missing:,} missing"


def summaries(frame: pd.DataFrame) -> list[Summary]:
    """Each column's kind, distinct values and missing count, and a first guess at its role.

    The last column with few values (a category) starts as the class target;
    the other number columns and the text columns with few values as inputs.
    """
    found = []
    for name in frame.columns:
        series = frame[name]
        distinct, missing = int(series.nunique(dropna=True)), int(series.isna().sum())
        few = 2 <= distinct <= datasets.MAX_CATEGORIES
        found.append(
            Summary(
                name,
                "numbers" if is_number(series) else "text",
                distinct,
                missing,
                INPUT if is_number(series) or few else UNUSED,
            )
        )
    categories = [i for i, s in enumerate(found) if 2 <= s.distinct <= datasets.MAX_CATEGORIES and s.kind == "text"]
    target = categories[-1] if categories else len(found) - 1
    role = CLASS if found[target].distinct <= datasets.MAX_CATEGORIES else MEASUREMENT
    found[target] = dataclasses.replace(found[target], role=role)
    return found


def columns_for(frame: pd.DataFrame, roles: dict[str, str], file: str) -> tuple[dict, list[str], list[str]]:
    """The dataset block, the input columns and the target columns of the roles chosen for ``frame``'s columns.

    Raises CsvError naming the column when one cannot take its role: text as
    a measurement, text with too many different values as an input, a class
    target with one class or too many.
    """
    columns, inputs, targets = [], [], []
    for name in frame.columns:
        role = roles.get(name, UNUSED)
        if role not in ROLES:
            raise CsvError(f"column {name!r}: the role must be one of {', '.join(ROLES)}, got {role!r}")
        if role == UNUSED:
            continue
        column = _column(frame[name], name, role)
        columns.append(column)
        (inputs if role == INPUT else targets).append(name)
    if not inputs:
        raise CsvError("mark at least one column as an input")
    if not targets:
        raise CsvError("mark at least one column as a class target or a measurement target")
    rows = complete_rows(frame, [c.name for c in columns])
    if rows < 10:
        raise CsvError(f"only {rows} rows have a value in every chosen column; at least 10 are needed")
    block = {datasets.CSV: file[:100] or "data.csv", "rows": rows, "columns": [c.to_json() for c in columns]}
    return block, inputs, targets


def _column(series: pd.Series, name: str, role: str) -> datasets.Column:
    values = sorted(as_text(series).dropna().unique(), key=_natural)
    if role == MEASUREMENT:
        if not is_number(series):
            raise CsvError(f"column {name!r} holds text (such as {values[0]!r}), so it cannot be a measurement target")
        return datasets.Column(name)
    if role == INPUT and is_number(series):
        return datasets.Column(name)
    if len(values) > datasets.MAX_CATEGORIES:
        what = "a class target" if role == CLASS else "a category input"
        kind = "values" if is_number(series) else "text values"
        raise CsvError(
            f"column {name!r} has {len(values):,} different {kind}, so it cannot be {what} "
            f"(at most {datasets.MAX_CATEGORIES}); mark it unused"
        )
    if role == CLASS and len(values) < 2:
        raise CsvError(f"column {name!r} has a single class ({values[0] if values else 'none'}): nothing to tell apart")
    if any(len(v) > datasets.MAX_COLUMN_NAME for v in values):
        raise CsvError(f"column {name!r} has a value longer than {datasets.MAX_COLUMN_NAME} characters")
    return datasets.Column(name, tuple(values))


def _natural(value: str) -> tuple:
    """Numbers in numeric order, before text in alphabetical order."""
    try:
        number = float(value)
        return (0, number if math.isfinite(number) else 0.0, value)
    except ValueError:
        return (1, 0.0, value)


def complete_rows(frame: pd.DataFrame, columns: Sequence[str]) -> int:
    """How many rows have a value in every one of ``columns``: the rows a design on them trains on."""
    return int(frame[list(columns)].notna().all(axis=1).sum())


def conform(frame: pd.DataFrame, table: datasets.Table) -> pd.DataFrame:
    """``frame`` checked against a CSV design's columns: each present, numbers where numbers are, known categories.

    The category columns come back as text, as the design records them.
    """
    missing = [name for name in table.names if name not in frame.columns]
    if missing:
        raise CsvError(
            f"the file lacks the column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))} "
            f"that the design needs (it needs {', '.join(map(repr, table.names))})"
        )
    out = pd.DataFrame(index=frame.index)
    for column in table.columns:
        series = frame[column.name]
        if not column.is_category:
            if not is_number(series):
                raise CsvError(f"column {column.name!r} must hold numbers, as it did when the design was made")
            out[column.name] = series
            continue
        text = as_text(series)
        unknown = sorted(set(text.dropna()) - set(column.categories))
        if unknown:
            raise CsvError(
                f"column {column.name!r} has the value {unknown[0]!r}, which is not one of its categories "
                f"({', '.join(column.categories)})"
            )
        out[column.name] = text
    return out
