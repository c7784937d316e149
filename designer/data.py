"""A design's data, split and scaled the way its training settings say.

The built-in tables come from the packages that ship them (scikit-learn's
loaders, ``palmerpenguins``; never a download), a learner's CSV from
:mod:`designer.csv_table`. Rows missing a value in a column the design uses
are dropped. A stratified train/test split on the table's class column (Iris'
species, the wine's cultivar, ...); a validation part taken from the training
rows, also stratified; a ``StandardScaler`` for the number inputs and a
``OneHotEncoder`` for the category inputs, both fitted on the rows the model
is fitted on (never a validation or test row). A class target is one-hot (one
0-or-1 column for a two-class target: its second class); a measurement target
is kept in its own unit, so that errors read in cm, mm or g.

A network computes in 32-bit floats, so a number column the design uses may
hold no value larger than :data:`MAX_MAGNITUDE` in size (nor infinity): its
mean, its variance and a measurement's squared error must fit. Such a value is
refused here, by column and value, before anything trains; the parts are then
checked once more, scaled and in 32 bits, for any value that is not finite.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from designer import datasets, spec
from designer.network import resolve
from designer.validation import ensure_valid

# The largest value a number column may hold, in size: its square (a variance, a squared error) fits in a 32-bit
# float (at most 3.4e38) with room to spare.
MAX_MAGNITUDE = 1e19


class DataError(ValueError):
    """Data or settings that cannot make the parts; the message is for the learner."""


@dataclass(frozen=True)
class Part:
    """One part of the data: inputs by input name, targets by head name."""

    rows: np.ndarray  # indices into Dataset.frame
    x: dict[str, np.ndarray]  # float32, scaled (numbers) and one-hot (categories)
    y: dict[str, np.ndarray]  # float32: one-hot classes (n, k), a binary target (n, 1), or a measurement (n, 1)

    def __len__(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class Dataset:
    """The training, validation (possibly empty) and test parts, and the fitted scaler and encoder."""

    train: Part
    validation: Part
    test: Part
    scaler: StandardScaler | None  # of the number inputs, None when there are none
    input_columns: tuple[str, ...]  # the number columns the scaler was fitted on, in its order
    encoder: OneHotEncoder | None  # of the category inputs, None when there are none
    category_columns: tuple[str, ...]  # the category columns the encoder was fitted on, in its order
    frame: pd.DataFrame  # the rows kept (none missing a value the design uses), as the table holds them
    table: datasets.Table
    dropped: int = 0  # rows left out for a missing value

    def split_text(self) -> str:
        """How the rows were used, in words: "342 penguins: 218 to train on, 55 to validate on, 69 to test on;
        2 more left out, each missing a value the design uses"."""
        noun = self.table.row_noun
        parts = (
            f"{len(self.train):,} to train on, {len(self.validation):,} to validate on, {len(self.test):,} to test on"
        )
        text = f"{len(self.frame):,} {noun}s: {parts}"
        if self.dropped:
            one = self.dropped == 1
            text += f"; {self.dropped:,} more left out, {'it' if one else 'each'} missing a value the design uses"
        return text


# ----------------------------------------------------------------------------------------- the tables


@cache
def _built_in(name: str) -> pd.DataFrame:
    """A built-in table with the designer's column names, categories as text."""
    table = datasets.BUILT_IN[name]
    if name == "penguins":
        from palmerpenguins import load_penguins

        return load_penguins()[list(table.names)]
    from sklearn import datasets as sklearn_datasets

    bunch = getattr(sklearn_datasets, f"load_{name}")()
    frame = pd.DataFrame(np.asarray(bunch.data, dtype=np.float64), columns=list(table.numbers))
    frame[table.target] = np.asarray(bunch.target_names).astype(str)[bunch.target]
    return frame


def table_frame(design: dict, csv: pd.DataFrame | None = None) -> pd.DataFrame:
    """The design's whole table (a copy): the built-in one, or ``csv`` (read by :mod:`designer.csv_table`)."""
    table = datasets.of(design)
    if table.name != datasets.CSV:
        return _built_in(table.name).copy()
    if csv is None:
        raise DataError(f"this design trains on a CSV file ({table.file}); upload it (or pass --data FILE.csv)")
    from designer.csv_table import CsvError, conform

    try:
        return conform(csv, table)
    except CsvError as error:
        raise DataError(str(error)) from None


def iris() -> tuple[np.ndarray, np.ndarray]:
    """All 150 Iris rows: the four measurements (cm) and the species codes (0, 1, 2)."""
    frame = _built_in("iris")
    codes = frame["species"].map(datasets.IRIS.column("species").categories.index).to_numpy()
    return frame[list(datasets.IRIS.numbers)].to_numpy(), codes


def codes(frame: pd.DataFrame, column: datasets.Column) -> np.ndarray:
    """A category column's values as codes into its categories (0, 1, ...)."""
    return frame[column.name].map({value: i for i, value in enumerate(column.categories)}).to_numpy(dtype=int)


# --------------------------------------------------------------------------------------- preparing


def used_columns(design: dict) -> list[str]:
    """The columns a valid design reads: its inputs and its targets, in the table's order."""
    net = resolve(design)
    used = {c for node in net.inputs for c in node.entry["columns"]} | {h.entry["target"] for h in net.heads}
    return [name for name in datasets.of(design).names if name in used]


def prepare(design: dict, csv: pd.DataFrame | None = None) -> Dataset:
    """Split, scale and encode a valid design's table (``csv``: a CSV design's file, as read).

    A built-in table's parts are kept for the last few designs asked for (their
    arrays read-only): a live page asks again at every redraw, from every session.
    """
    if csv is None and datasets.name_of(design) != datasets.CSV:
        return _prepared(json.dumps(design, sort_keys=True))
    return _prepare(design, csv)


@lru_cache(maxsize=16)  # a Dataset of the largest table, digits, holds about 1.5 MB
def _prepared(design_text: str) -> Dataset:
    data = _prepare(json.loads(design_text), None)
    for part in (data.train, data.validation, data.test):
        for array in (part.rows, *part.x.values(), *part.y.values()):
            array.setflags(write=False)
    return data


def _prepare(design: dict, csv: pd.DataFrame | None) -> Dataset:
    net = resolve(ensure_valid(design))
    table = datasets.of(design)
    settings = spec.training_settings(design)
    whole = table_frame(design, csv)
    stratum = datasets.stratified_on(design)
    used = used_columns(design)
    needed = used + ([stratum.name] if stratum and stratum.name not in used else [])
    frame = whole.dropna(subset=needed).reset_index(drop=True)
    _check_magnitudes(frame, table, used)
    strata = codes(frame, stratum) if stratum else None
    train_rows, validation_rows, test_rows = split_rows(
        len(frame), strata, settings["test_size"], settings["validation_split"], settings["seed"]
    )
    groups = {node.name: node.entry["columns"] for node in net.inputs}
    taken = {c for cols in groups.values() for c in cols}
    numbers = tuple(c for c in table.numbers if c in taken)
    categories = tuple(c.name for c in table.columns if c.is_category and c.name in taken)
    fitted = frame.iloc[train_rows]
    scaler = StandardScaler().fit(fitted[list(numbers)].to_numpy(np.float64)) if numbers else None
    encoder = _encoder(table, categories, fitted)
    empty = Dataset(None, None, None, scaler, numbers, encoder, categories, frame, table)  # type: ignore[arg-type]
    targets = {head.name: table.column(head.entry["target"]) for head in net.heads}

    def part(rows: np.ndarray) -> Part:
        x = _encoded_inputs(empty, groups, frame.iloc[rows])
        y = {name: _target(frame.iloc[rows], column).astype(np.float32) for name, column in targets.items()}
        return Part(rows, x, y)

    parts = part(train_rows), part(validation_rows), part(test_rows)
    for checked in parts:
        _check_finite(checked, groups, targets, table)
    return Dataset(*parts, scaler, numbers, encoder, categories, frame, table, len(whole) - len(frame))


def _check_magnitudes(frame: pd.DataFrame, table: datasets.Table, used: list[str]) -> None:
    """Refuse a used number column holding a value that is not finite or is larger than MAX_MAGNITUDE in size,
    naming the column and its largest value."""
    for name in used:
        if table.column(name).is_category:
            continue
        values = frame[name].to_numpy(np.float64)
        finite = np.isfinite(values)
        if not finite.all():
            raise DataError(
                f"column {name!r} has a value that is not a finite number: {values[~finite][0]:g}; "
                "give the number itself, or leave the cell empty where the value is missing"
            )
        largest = values[np.argmax(np.abs(values))] if len(values) else 0.0
        if abs(largest) > MAX_MAGNITUDE:
            raise DataError(
                f"column {name!r} has a value too large to scale: {largest:g}. A network computes in 32-bit "
                f"floats, so the values it learns from must be at most {MAX_MAGNITUDE:g} in size; "
                "divide the column by a power of ten (say, give it in millions)"
            )


def _check_finite(
    part: Part, groups: dict[str, list[str]], targets: dict[str, datasets.Column], table: datasets.Table
) -> None:
    """Refuse a part whose scaled inputs or targets, in 32 bits, hold a value that is not finite, naming its
    column (a safeguard: values within MAX_MAGNITUDE always scale to finite ones)."""
    for name, columns in groups.items():
        start = 0
        for column in columns:
            width = len(table.column(column).categories) or 1
            block = part.x[name][:, start : start + width]
            if not np.isfinite(block).all():
                raise DataError(f"column {column!r} has a value too large to scale: it scales to {_bad(block)}")
            start += width
    for head, column in targets.items():
        values = part.y[head]
        if not (np.isfinite(values).all() and (np.abs(values) <= MAX_MAGNITUDE).all()):
            raise DataError(f"column {column.name!r} has a value too large to learn: {_bad(values)} in 32 bits")


def _bad(values: np.ndarray) -> str:
    """The first value of ``values`` that is not finite, or else the largest, as text."""
    flat = np.asarray(values, dtype=np.float64).ravel()
    wrong = flat[~np.isfinite(flat)]
    return f"{(wrong[0] if len(wrong) else flat[np.argmax(np.abs(flat))]):g}"


def _encoder(table: datasets.Table, categories: tuple[str, ...], fitted: pd.DataFrame) -> OneHotEncoder | None:
    if not categories:
        return None
    values = [list(table.column(c).categories) for c in categories]
    # The categories are the table's, so every input has the same width whatever rows training saw.
    encoder = OneHotEncoder(categories=values, sparse_output=False, handle_unknown="ignore", dtype=np.float64)
    return encoder.fit(fitted[list(categories)].astype(str))


def input_scaling(data: Dataset, design: dict) -> dict[str, tuple[list[float], list[float]]]:
    """Each input's scaling, as plain lists: ``{input name: (means, variances)}`` of its features.

    A number column's training mean and the variance the scaler divided by
    (1 for a constant column, as scikit-learn does); a one-hot feature's 0 and
    1 (it is left as it is). A ``keras.layers.Normalization`` set to them does
    what the app did, given the number columns raw and the categories one-hot.
    """
    where = {column: i for i, column in enumerate(data.input_columns)}
    scaling = {}
    for node in resolve(design).inputs:
        means: list[float] = []
        variances: list[float] = []
        for column in node.entry["columns"]:
            if column in where:
                means.append(float(data.scaler.mean_[where[column]]))
                variances.append(float(data.scaler.scale_[where[column]] ** 2))
            else:
                width = len(data.encoder.categories_[data.category_columns.index(column)])
                means += [0.0] * width
                variances += [1.0] * width
        scaling[node.name] = (means, variances)
    return scaling


def model_inputs(data: Dataset, design: dict, values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The model's inputs for any rows given as raw values (column -> values), encoded exactly as training did.

    Every input column must be given, each as an array of the same length: a
    number column in its unit, a category column as its values (text).
    """
    groups = {node.name: node.entry["columns"] for node in resolve(design).inputs}
    return _encoded_inputs(data, groups, pd.DataFrame({c: np.asarray(v) for c, v in values.items()}))


def _encoded_inputs(data: Dataset, groups: dict[str, list[str]], rows: pd.DataFrame) -> dict[str, np.ndarray]:
    """Raw rows scaled and one-hot encoded, split into the model's inputs (float32), each in its columns' order."""
    blocks: dict[str, np.ndarray] = {}
    if data.input_columns:
        raw = rows[list(data.input_columns)].to_numpy(np.float64)
        scaled = data.scaler.transform(raw) if len(raw) else np.empty((0, len(data.input_columns)))
        blocks.update({c: scaled[:, [i]] for i, c in enumerate(data.input_columns)})
    if data.category_columns:
        encoded = data.encoder.transform(rows[list(data.category_columns)].astype(str)) if len(rows) else None
        start = 0
        for column, values in zip(data.category_columns, data.encoder.categories_, strict=True):
            width = len(values)
            blocks[column] = encoded[:, start : start + width] if encoded is not None else np.empty((0, width))
            start += width
    with np.errstate(over="ignore"):  # a value past 32 bits becomes inf, which prepare refuses by column
        return {
            name: np.concatenate([blocks[c] for c in columns], axis=1).astype(np.float32)
            for name, columns in groups.items()
        }


def split_rows(rows: int, strata: np.ndarray | None, test_size: float, validation_split: float, seed: int):
    """Row indices of the training, validation and test parts, stratified on ``strata`` (class codes) if given."""
    everything = np.arange(rows)
    try:
        train, test = train_test_split(everything, test_size=test_size, random_state=seed, stratify=strata)
        validation = np.array([], dtype=int)
        if validation_split > 0:
            train, validation = train_test_split(
                train,
                test_size=validation_split,
                random_state=seed,
                stratify=None if strata is None else strata[train],
            )
    except ValueError:
        raise DataError(
            f"training.test_size {test_size} and training.validation_split {validation_split} leave too few "
            f"rows of each class in some part ({rows} rows in all); try a test size around 0.2 and a "
            "validation split around 0.2"
        ) from None
    return np.sort(train), np.sort(validation), np.sort(test)


def _target(rows: pd.DataFrame, column: datasets.Column) -> np.ndarray:
    if not column.is_category:
        return rows[column.name].to_numpy(np.float64).reshape(-1, 1)
    found = codes(rows, column)
    if len(column.categories) == 2:
        return (found == 1).astype(np.float64).reshape(-1, 1)
    return np.eye(len(column.categories))[found]
