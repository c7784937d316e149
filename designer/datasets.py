"""The tables a design can train on, as a small table of their columns (never their data).

Pure Python: the Design page reads a dataset's column names, category values
and row count from here, so it stays fast and imports neither scikit-learn nor
TensorFlow. :mod:`designer.data` loads the rows themselves.

A design names its dataset in ``"dataset"``: one of :data:`BUILT_IN` (Iris when
the field is left out), or, for a learner's own CSV file, an object that
records the file's name, its complete rows and the columns the design uses::

    {"csv": "penguins.csv", "rows": 333,
     "columns": [{"name": "bill_length_mm"}, {"name": "species", "categories": ["Adelie", "Chinstrap", "Gentoo"]}]}

A column is a number or a category (its values, in order). Any column may be
an input: a number is scaled, a category one-hot encoded (one feature per
value). A category column may be a class target, a number column a
measurement target; a target with two classes gets a binary head.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

DEFAULT = "iris"
CSV = "csv"  # the name of a learner's own table, and the key of its block in the design
MAX_CATEGORIES = 20  # values of one category column, or classes of one class target
MAX_CSV_COLUMNS = 50
MAX_CSV_ROWS = 10_000
MAX_CSV_BYTES = 1_000_000
MAX_COLUMN_NAME = 60  # characters of a column's name or of one of its values


@dataclass(frozen=True)
class Column:
    """One column of a table: a number (``categories`` empty) or a category with its values in order."""

    name: str
    categories: tuple[str, ...] = ()
    unit: str = ""  # a number's unit ("cm", "g"), for axes and errors; "" when it has none

    @property
    def is_category(self) -> bool:
        return bool(self.categories)

    @property
    def features(self) -> tuple[str, ...]:
        """The features it gives an input: itself, or one per category value (one-hot)."""
        return tuple(f"{self.name}={value}" for value in self.categories) if self.is_category else (self.name,)

    def to_json(self) -> dict:
        """The column as a CSV design records it."""
        entry: dict = {"name": self.name}
        if self.categories:
            entry["categories"] = list(self.categories)
        if self.unit:
            entry["unit"] = self.unit
        return entry


@dataclass(frozen=True)
class Task:
    """What a head on a target column predicts: its classes (none for a measurement) and what follows from them."""

    target: str
    classes: tuple[str, ...] = ()
    unit: str = ""

    @property
    def is_classification(self) -> bool:
        return bool(self.classes)

    @property
    def is_binary(self) -> bool:
        return len(self.classes) == 2

    @property
    def units(self) -> int:
        """One sigmoid unit for two classes, one unit per class for more, one for a measurement."""
        return len(self.classes) if len(self.classes) > 2 else 1

    @property
    def activation(self) -> str:
        """The default activation, as Keras teaches it."""
        return "sigmoid" if self.is_binary else "softmax" if self.classes else "linear"

    @property
    def loss(self) -> str:
        """The default loss, as Keras teaches it."""
        if self.is_binary:
            return "binary_crossentropy"
        return "categorical_crossentropy" if self.classes else "mean_squared_error"

    @property
    def metric(self) -> str:
        """Keras' name of the head's metric: accuracy for classes, mean absolute error for a measurement."""
        return "accuracy" if self.classes else "mae"

    @property
    def features(self) -> tuple[str, ...]:
        """A name for each output unit: the classes, the positive class of a binary head, or the target."""
        if self.is_binary:
            return (f"P({self.classes[1]})",)
        return self.classes or (self.target,)

    @property
    def kind(self) -> str:
        """ "binary", "multiclass" or "regression"."""
        return "binary" if self.is_binary else "multiclass" if self.classes else "regression"


@dataclass(frozen=True)
class Table:
    """A dataset as the designer knows it without loading it: its columns, rows and defaults."""

    name: str  # "iris", ... or "csv"
    title: str
    rows: int  # rows with every value present
    columns: tuple[Column, ...]
    inputs: tuple[str, ...]  # a new design's inputs
    target: str  # a new head's target
    row_noun: str = "row"  # what a row is: "flower", "penguin"
    about: str = ""  # one sentence for the picker
    file: str = ""  # a CSV's file name
    all_rows: int = 0  # a built-in's rows, those lacking a value included (0: rows, it has no gaps)
    short: str = ""  # a shorter title for headings ("Iris"); "" when the title is short already

    @property
    def short_title(self) -> str:
        """The table's name in a heading: "Train on Iris", "Train on school.csv"."""
        return self.short or self.title

    def rows_text(self) -> str:
        """The rows a design trains on, in words: "150 flowers", or for a table with gaps (which rows lack a
        value it uses depends on the design) "the penguins with every value it uses (at least 333 of 344)"."""
        if self.all_rows > self.rows:
            return f"the {self.row_noun}s with every value it uses (at least {self.rows:,} of {self.all_rows:,})"
        return f"{self.rows:,} {self.row_noun}s"

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def column(self, name: object) -> Column | None:
        """The column called ``name``, or None."""
        return next((column for column in self.columns if column.name == name), None)

    def task(self, target: object) -> Task | None:
        """What a head on ``target`` predicts, or None if the table has no such column."""
        column = self.column(target)
        return None if column is None else Task(column.name, column.categories, column.unit)

    @property
    def numbers(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns if not column.is_category)

    def to_json(self) -> object:
        """The design's ``dataset`` field for this table."""
        if self.name != CSV:
            return self.name
        return {CSV: self.file, "rows": self.rows, "columns": [column.to_json() for column in self.columns]}


def _numbers(names: str, unit: str = "") -> tuple[Column, ...]:
    return tuple(Column(name, unit=unit) for name in names.split())


IRIS = Table(
    "iris",
    "Iris flowers",
    150,
    (
        *_numbers("sepal_length sepal_width petal_length petal_width", "cm"),
        Column("species", ("setosa", "versicolor", "virginica")),
    ),
    inputs=("sepal_length", "sepal_width", "petal_length", "petal_width"),
    target="species",
    row_noun="flower",
    about="150 flowers of 3 species, 4 measurements in cm (the lecture's dataset).",
    short="Iris",
)
WINE = Table(
    "wine",
    "Wine",
    178,
    (
        *_numbers(
            "alcohol malic_acid ash alcalinity_of_ash magnesium total_phenols flavanoids nonflavanoid_phenols "
            "proanthocyanins color_intensity hue od280_od315 proline"
        ),
        Column("cultivar", ("class_0", "class_1", "class_2")),
    ),
    inputs=(),  # every measurement (filled in below)
    target="cultivar",
    row_noun="wine",
    about="178 wines from 3 cultivars, 13 chemical measurements (scikit-learn's load_wine).",
)
BREAST_CANCER = Table(
    "breast_cancer",
    "Breast cancer",
    569,
    (
        *(
            Column(pattern.format(feature))
            for pattern in ("mean_{}", "{}_error", "worst_{}")
            for feature in [
                "radius",
                "texture",
                "perimeter",
                "area",
                "smoothness",
                "compactness",
                "concavity",
                "concave_points",
                "symmetry",
                "fractal_dimension",
            ]
        ),
        Column("diagnosis", ("malignant", "benign")),
    ),
    inputs=(),
    target="diagnosis",
    row_noun="tumour",
    about="569 tumours, malignant or benign, 30 measurements of their cells (scikit-learn's load_breast_cancer).",
)
PENGUINS = Table(
    "penguins",
    "Palmer penguins",
    333,
    (
        Column("species", ("Adelie", "Chinstrap", "Gentoo")),
        Column("island", ("Biscoe", "Dream", "Torgersen")),
        *_numbers("bill_length_mm bill_depth_mm flipper_length_mm", "mm"),
        Column("body_mass_g", unit="g"),
        Column("sex", ("female", "male")),
        Column("year"),
    ),
    inputs=("island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "sex"),
    target="species",
    row_noun="penguin",
    about="344 penguins of 3 species (333 with every value), island and sex as categories, 4 measurements.",
    all_rows=344,
)
DIGITS = Table(
    "digits",
    "Handwritten digits",
    1797,
    (
        *(Column(f"pixel_{row}_{col}") for row in range(8) for col in range(8)),
        Column("digit", tuple(str(d) for d in range(10))),
    ),
    inputs=(),
    target="digit",
    row_noun="image",
    about="1,797 images of digits 0 to 9, 8 × 8 pixels of 0 to 16 (scikit-learn's load_digits).",
)


def _all_numbers(table: Table) -> Table:
    """A table whose new designs take every number column, when it names no inputs of its own."""
    return table if table.inputs else replace(table, inputs=table.numbers)


BUILT_IN = {table.name: _all_numbers(table) for table in (IRIS, WINE, BREAST_CANCER, PENGUINS, DIGITS)}
MAX_TABLE_COLUMNS = max(MAX_CSV_COLUMNS, *(len(table.columns) for table in BUILT_IN.values()))


def name_of(design: dict) -> object:
    """The dataset's name as the design gives it: a built-in's name, "csv" for a CSV block, else what it holds."""
    value = design.get("dataset", DEFAULT)
    return CSV if isinstance(value, dict) and CSV in value else value


def table_of(design: dict) -> Table | None:
    """The design's table, or None when its ``dataset`` field is not a valid one (validation says why)."""
    value = design.get("dataset", DEFAULT)
    if isinstance(value, str):
        return BUILT_IN.get(value)
    if isinstance(value, dict) and not csv_problems(value):
        columns = tuple(Column(c["name"], tuple(c.get("categories", ())), c.get("unit", "")) for c in value["columns"])
        names = tuple(c.name for c in columns)
        targets = [c.name for c in columns if c.is_category] or [names[-1]]
        return Table(CSV, value[CSV], value["rows"], columns, names, targets[0], file=value[CSV])
    return None


def of(design: dict) -> Table:
    """The table of a valid design."""
    table = table_of(design)
    if table is None:
        raise ValueError(f"dataset must be one of {', '.join(BUILT_IN)} or a CSV block, got {design.get('dataset')!r}")
    return table


def stratified_on(design: dict) -> Column | None:
    """The class column a valid design's split keeps in proportion, or None (then the split is plain).

    A built-in table's usual class (Iris' species, whatever the heads predict,
    so an old design splits as it always did); a CSV design's first class target.
    """
    table = of(design)
    if table.name != CSV:
        column = table.column(table.target)
        return column if column.is_category else None
    targets = [head.get("target") for head in design.get("heads", []) if isinstance(head, dict)]
    columns = [table.column(target) for target in targets]
    return next((column for column in columns if column is not None and column.is_category), None)


def _is_text(value: object, limit: int = MAX_COLUMN_NAME) -> bool:
    return isinstance(value, str) and 0 < len(value) <= limit


def csv_problems(block: dict) -> list[tuple[tuple, str, object]]:
    """What is wrong with a CSV block, as ``(path under dataset, requirement, value received)``; empty if sound."""
    problems: list[tuple[tuple, str, object]] = []
    for key in block:
        if key not in (CSV, "rows", "columns"):
            problems.append(((key,), "is not a field here (allowed: columns, csv, rows)", block[key]))
    if not _is_text(block.get(CSV), 100):
        problems.append(((CSV,), "must be the CSV file's name, 1 to 100 characters", block.get(CSV)))
    rows = block.get("rows")
    if not isinstance(rows, int) or isinstance(rows, bool) or not 1 <= rows <= MAX_CSV_ROWS:
        problems.append((("rows",), f"must be a whole number from 1 to {MAX_CSV_ROWS:,}", rows))
    columns = block.get("columns")
    if not isinstance(columns, list) or not 1 <= len(columns) <= MAX_CSV_COLUMNS:
        problems.append((("columns",), f"must be a list of 1 to {MAX_CSV_COLUMNS} columns", columns))
        return problems
    seen: set[str] = set()
    for i, column in enumerate(columns):
        problems += [((("columns", i, *where)), why, value) for where, why, value in _column_problems(column, seen)]
    return problems


def _column_problems(column: object, seen: set[str]) -> list[tuple[tuple, str, object]]:
    if not isinstance(column, dict):
        return [((), "must be an object with a name (and categories, for a category)", column)]
    found = [((key,), "is not a field here (allowed: categories, name, unit)", column[key])
             for key in column if key not in ("name", "categories", "unit")]  # fmt: skip
    name = column.get("name")
    if not _is_text(name):
        found.append((("name",), f"must be a column name of 1 to {MAX_COLUMN_NAME} characters", name))
    elif name in seen:
        found.append((("name",), "must not repeat a column listed before", name))
    else:
        seen.add(name)
    values = column.get("categories", [])
    if not isinstance(values, list) or len(values) > MAX_CATEGORIES or not all(map(_is_text, values)):
        found.append((("categories",), f"must be a list of at most {MAX_CATEGORIES} values (texts)", values))
    elif len(set(values)) != len(values):
        found.append((("categories",), "must not repeat a value", values))
    if not isinstance(column.get("unit", ""), str) or len(column.get("unit", "")) > 10:
        found.append((("unit",), "must be a unit of at most 10 characters", column.get("unit")))
    return found
