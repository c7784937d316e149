"""Decision maps: what a trained network computes over a plane of two number columns.

As TensorFlow Playground draws its network's output over the input plane, a
map here is a grid of points (in the columns' units) over two of the design's
number input columns (the ``x`` and ``y`` axes), the other input columns held
at fixed values (a number at its training mean, a category at its most
common value). A held value stays within its training rows' range, and an axis
spans the rows drawn on it and a twentieth more each side, never crossing 0
when the column does not (a precipitation is never below 0). Row
``i``, column ``j`` of a grid is the point ``(x[j], y[i])``. The points are
scaled exactly as training scaled the flowers (:func:`designer.data.model_inputs`)
and given to the trained Keras model: each head's prediction, and each unit's
activation of the layers asked for. A design with a single input column gets
a line instead of a plane (``y`` is None).

Planes are checked here, once, for the command line and the page alike:
every refusal names the setting and the value received.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from designer import datasets, kinds
from designer.constraints import Interval, Options
from designer.data import Dataset, codes, model_inputs
from designer.network import resolve
from designer.parsing import json_ready
from designer.validation import show

GRID = 50  # points along each axis
GRID_SIZES = Interval(int, 2, 200)
MARGIN = 0.05  # the axes span the drawn rows' range and a twentieth of it on each side (not crossing 0)
CONSTANT_MARGIN = 0.5  # each side of a column that holds one value, so that it still gets an axis
SIGNIFICANT = 4  # digits of a held value in words
# Iris' petals tell the species apart; the penguins' bills do. Other tables take their first number columns.
AXIS_PREFERENCE = ("petal_length", "petal_width", "sepal_length", "sepal_width", "bill_length_mm", "flipper_length_mm")
MAX_UNIT_MAPS = 16  # a wider layer shows its first 16 units
MAX_DRAWN = 1_000  # training (and test) rows a map draws; a CSV file's 10,000 made a 0.55 MB figure per redraw


class MapError(ValueError):
    """A plane that cannot be drawn for a design; the message names the setting and the value."""


@dataclass(frozen=True)
class Plane:
    """Where a map looks: two number columns (or one), the others' fixed values, the points per axis."""

    x: str
    y: str | None
    fixed: Mapping[str, float | str] = field(default_factory=dict)
    grid: int = GRID
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)  # the axes' spans
    units: Mapping[str, str] = field(default_factory=dict)  # the axes' units ("cm"), where they have one

    def values(self) -> tuple[np.ndarray, np.ndarray | None]:
        """The points along each axis, in the columns' units."""
        xs = np.linspace(*self.ranges[self.x], self.grid)
        return xs, None if self.y is None else np.linspace(*self.ranges[self.y], self.grid)


@dataclass(frozen=True)
class Map:
    """A map as plain data: the plane, the axes' values, each head's grid and each asked-for layer's units."""

    plane: Plane
    x: np.ndarray
    y: np.ndarray | None
    heads: dict[str, dict[str, np.ndarray]]  # head -> {"predicted": grid, "confidence": grid (species only)}
    units: dict[str, np.ndarray] = field(default_factory=dict)  # layer -> (units, *grid shape)

    def to_json(self) -> dict:
        """The map in the command line's JSON shape (lists of numbers), ready for strict JSON: ``None`` where a
        network that diverged gives NaN (:func:`designer.parsing.json_ready`)."""
        axes = {"x": {"column": self.plane.x, "values": self.x.tolist()}}
        if self.y is not None:
            axes["y"] = {"column": self.plane.y, "values": self.y.tolist()}
        heads = {name: {key: grid.tolist() for key, grid in grids.items()} for name, grids in self.heads.items()}
        result = {**axes, "fixed": dict(self.plane.fixed), "heads": heads}
        if self.units:
            result["units"] = {name: grids.tolist() for name, grids in self.units.items()}
        return json_ready(result)


@dataclass(frozen=True)
class Flowers:
    """The rows drawn on a map: their values on the axes, their class, and which part they are in."""

    x: np.ndarray
    y: np.ndarray | None  # None on a line view
    classes: np.ndarray  # codes into class_names
    value: np.ndarray | None  # a measurement head's true value, else None
    test: np.ndarray  # True for a test row, False for a training row
    wrong: np.ndarray  # True for a test row the class head gets wrong
    class_names: tuple[str, ...] = ()  # the head's classes, or the table's for a measurement head
    unit: str = ""  # a measurement head's unit


def flowers(data: Dataset, plane_: Plane, target: str, test_predictions: np.ndarray | None = None) -> Flowers:
    """The training and test rows as a head's map draws them (a projection: the held columns are ignored).

    ``test_predictions`` (the head's outputs on the test rows, in their order)
    mark the test rows a class head gets wrong. A measurement head's rows are
    coloured by the table's class column, if it has one.
    """
    from designer.runs import predicted_classes

    frame = data.frame
    column = data.table.column(target)
    colour_by = column if column.is_category else data.table.column(data.table.target)
    found = codes(frame, colour_by) if colour_by is not None and colour_by.is_category else np.zeros(len(frame), int)
    train_at, test_at = _drawn(found[data.train.rows]), _drawn(found[data.test.rows])
    rows = np.concatenate([data.train.rows[train_at], data.test.rows[test_at]])
    test = np.arange(len(rows)) >= len(train_at)
    wrong = np.zeros(len(rows), dtype=bool)
    if column.is_category and test_predictions is not None:
        wrong[test] = (predicted_classes(test_predictions) != found[data.test.rows])[test_at]
    return Flowers(
        x=frame[plane_.x].to_numpy(np.float64)[rows],
        y=None if plane_.y is None else frame[plane_.y].to_numpy(np.float64)[rows],
        classes=found[rows],
        value=None if column.is_category else frame[target].to_numpy(np.float64)[rows],
        test=test,
        wrong=wrong,
        class_names=colour_by.categories if colour_by is not None else (),
        unit=column.unit,
    )


def _drawn(strata: np.ndarray) -> np.ndarray:
    """The positions of the rows of one part a map draws: all of them, or for more than MAX_DRAWN a sample of
    that many in proportion to their classes (the same sample every time), in order."""
    if len(strata) <= MAX_DRAWN:
        return np.arange(len(strata))
    from sklearn.utils import resample

    positions = np.arange(len(strata))
    return np.sort(resample(positions, n_samples=MAX_DRAWN, replace=False, stratify=strata, random_state=0))


def drawn_counts(data: Dataset) -> tuple[tuple[int, int], tuple[int, int]]:
    """How many training rows a map draws and of how many, then the same of the test rows: more than MAX_DRAWN
    of a part are sampled (the validation rows are not drawn)."""
    train, test = len(data.train), len(data.test)
    return (min(train, MAX_DRAWN), train), (min(test, MAX_DRAWN), test)


def drawn_text(data: Dataset) -> str:
    """What the circles and the diamonds of a map are, in words, with each part's count:
    "Circles: 1,000 of the 1,149 rows it trained on (a sample in proportion to the classes); diamonds: the 360
    test rows"."""
    target = data.table.column(data.table.target)
    how = "in proportion to the classes" if target is not None and target.is_category else "taken at random"

    def part(drawn: int, total: int, rows: str) -> str:
        if drawn < total:
            return f"{drawn:,} of the {total:,} {rows} (a sample {how})"
        return f"the {total:,} {rows}" if total != 1 else f"the one {rows.replace('rows', 'row', 1)}"

    (train_drawn, train_total), (test_drawn, test_total) = drawn_counts(data)
    circles = part(train_drawn, train_total, "rows it trained on")
    return f"Circles: {circles}; diamonds: {part(test_drawn, test_total, 'test rows')}"


def value_text(value: float) -> str:
    """A held number as a reader takes it in: at most 4 significant digits, thousands separated.

    ``3.4``, ``0.1235``, ``31,190,000`` (not ``3.1193e+07``); beyond 10^15 or
    below 0.001, ``2.5e-5``.
    """
    value = _significant(float(value))
    if not math.isfinite(value) or value == 0:
        return "0" if value == 0 else str(value)
    exponent = math.floor(math.log10(abs(value)))
    if 3 <= exponent < 15:
        return f"{value:,.0f}"
    if -3 <= exponent < 3:
        return f"{value:.{SIGNIFICANT}g}"
    mantissa, _, power = f"{value:.{SIGNIFICANT - 1}e}".partition("e")
    return f"{mantissa.rstrip('0').rstrip('.')}e{int(power)}"


def input_columns(design: dict) -> tuple[str, ...]:
    """The number columns a valid design takes as inputs, in the table's order: the possible axes."""
    taken = {column for node in resolve(design).inputs for column in node.entry["columns"]}
    return tuple(column for column in datasets.of(design).numbers if column in taken)


def held_columns(design: dict) -> tuple[str, ...]:
    """Every input column of a valid design, in the table's order: those off the axes are held fixed."""
    taken = {column for node in resolve(design).inputs for column in node.entry["columns"]}
    return tuple(column for column in datasets.of(design).names if column in taken)


def held_range(data: Dataset, column: str) -> tuple[float, float]:
    """The values a held number may take: its training rows' range, its ends rounded out to the slider's step
    (:func:`held_step`; so, on the rows' side of 0). A constant column gets half a unit each side (not crossing
    0)."""
    low, high = _widened(*_training_span(data, column), 0.0)
    step = _step(low, high)
    return _on_step(math.floor(low / step + 1e-9), step), _on_step(math.ceil(high / step - 1e-9), step)


def held_step(data: Dataset, column: str) -> float:
    """The step of a held number's slider: 5 times a power of ten, a 20th to a 200th of its training rows' range."""
    return _step(*_widened(*_training_span(data, column), 0.0))


def _training_span(data: Dataset, column: str) -> tuple[float, float]:
    values = data.frame[column].to_numpy(np.float64)[data.train.rows]
    return float(values.min()), float(values.max())


def _step(low: float, high: float) -> float:
    return 5.0 * 10.0 ** (math.floor(math.log10(high - low)) - 2)


def _on_step(steps: int, step: float) -> float:
    """``steps`` times ``step``, without the float's stray digits (0.35, not 0.35000000000000003)."""
    return round(steps * step, max(0, 1 - math.floor(math.log10(step))))


def axis_range(data: Dataset, column: str) -> tuple[float, float]:
    """The span of an axis: the range of the rows a map draws (training and test rows), and a twentieth of it
    each side, that does not cross 0 where the rows do not."""
    values = data.frame[column].to_numpy(np.float64)[np.concatenate([data.train.rows, data.test.rows])]
    return _widened(float(values.min()), float(values.max()), MARGIN)


def _widened(low: float, high: float, share: float) -> tuple[float, float]:
    """``low`` to ``high`` with ``share`` of the span each side (a constant column's, CONSTANT_MARGIN), kept on
    the rows' side of 0."""
    margin = share * (high - low) if high > low else CONSTANT_MARGIN
    wide_low, wide_high = low - margin, high + margin
    if low >= 0:
        wide_low = max(wide_low, 0.0)
    elif high <= 0:  # a column never above 0 (one of zeros only takes the positive side)
        wide_high = min(wide_high, 0.0)
    return wide_low, wide_high


def unit_layers(design: dict) -> list[str]:
    """The layers and heads whose units have a map of their own: the dense ones that reach a head."""
    return [node.name for node in resolve(design).dense_nodes]


def default_plane(design: dict, data: Dataset) -> Plane:
    """Petal length against petal width when the design takes both, else its two most telling number columns
    (the preferred ones, then those whose values spread most).

    The other input columns are held at the training rows' mean (a category, at its most common value).
    """
    columns = input_columns(design)
    if not columns:
        raise MapError("a map needs a number column among the inputs; this design takes only categories")
    axes = list(dict.fromkeys([column for column in AXIS_PREFERENCE if column in columns] + _spread(data, columns)))[:2]
    x, y = axes[0], axes[1] if len(axes) > 1 else None
    held = [c for c in held_columns(design) if c not in axes]
    return Plane(x, y, _training_means(data, held), GRID, _ranges(data, x, y), _units(data, x, y))


def _spread(data: Dataset, columns: Sequence[str]) -> list[str]:
    """The columns by how much their training values spread over their range, widest first.

    Without a preferred pair, a map looks along the columns that vary most: the
    middle pixels of a digit rather than its always-blank corners.
    """
    training = data.frame.iloc[data.train.rows]

    def spread(column: str) -> float:
        values = training[column].to_numpy(np.float64)
        span = float(values.max() - values.min())
        return float(values.std()) / span if span > 0 else 0.0

    return sorted(columns, key=spread, reverse=True)


def _units(data: Dataset, x: str, y: str | None) -> dict[str, str]:
    return {column: data.table.column(column).unit for column in (x, y) if column is not None}


def _ranges(data: Dataset, x: str, y: str | None) -> dict[str, tuple[float, float]]:
    return {column: axis_range(data, column) for column in (x, y) if column is not None}


def plane(
    design: dict,
    data: Dataset,
    x: str | None = None,
    y: str | None = None,
    fixed: Mapping[str, object] | None = None,
    grid: object = GRID,
) -> Plane:
    """A checked plane of a valid design: the defaults where a setting is not given.

    Raises MapError naming the setting and the value when ``x`` or ``y`` is not
    one of the design's input columns, both are the same, a fixed value is
    not a number within the column's range, or ``grid`` is out of bounds.
    """
    columns = input_columns(design)
    default = default_plane(design, data)
    x = default.x if x is None else x
    if y is None and len(columns) > 1:
        y = default.y if default.y != x else next(c for c in columns if c != x)
    axes = Options(columns, describe_as=f"the design's input columns ({', '.join(columns)})")
    for name, value in (("x", x), ("y", y)):
        if value is not None and not axes.is_valid(value):
            raise MapError(f"map {name} {axes.requirement}, got {show(value)}")
    if x == y:
        raise MapError(f"map x and y must be two different columns, got {show(x)} for both")
    if not GRID_SIZES.is_valid(grid):
        raise MapError(f"map grid {GRID_SIZES.requirement}, got {show(grid)}")
    held = [c for c in held_columns(design) if c not in (x, y)]
    values = {**_training_means(data, held), **_checked_fixed(data, fixed or {}, held)}
    return Plane(x, y, values, int(grid), _ranges(data, x, y), _units(data, x, y))


def _checked_fixed(data: Dataset, fixed: Mapping[str, object], held: Sequence[str]) -> dict[str, float | str]:
    checked: dict[str, float | str] = {}
    for column, value in fixed.items():
        if column not in held:
            options = ", ".join(held) if held else "none: every input column is on an axis"
            raise MapError(f"map at: only the input columns off the axes can be held ({options}), got {show(column)}")
        categories = data.table.column(column).categories
        if categories:
            if value not in categories:
                raise MapError(f"map at {column} must be one of {', '.join(categories)}, got {show(value)}")
            checked[column] = str(value)
            continue
        bounds = Interval(float, *held_range(data, column))
        if not bounds.is_valid(value):
            unit = data.table.column(column).unit
            raise MapError(f"map at {column} {bounds.requirement}{f' ({unit})' if unit else ''}, got {show(value)}")
        checked[column] = float(value)
    return checked


def _training_means(data: Dataset, columns: Sequence[str]) -> dict[str, float | str]:
    """Each column's value over the training rows: a number's mean (to the step of its slider, on which the slider
    would put it anyway, and within the range a held value may take), a category's most common value."""
    training = data.frame.iloc[data.train.rows]
    held: dict[str, float | str] = {}
    for column in columns:
        if data.table.column(column).is_category:
            held[column] = str(training[column].mode().iloc[0])
        else:
            low, high = held_range(data, column)
            step = held_step(data, column)
            held[column] = min(max(_on_step(round(float(training[column].mean()) / step), step), low), high)
    return held


def _significant(value: float, digits: int = SIGNIFICANT) -> float:
    """``value`` rounded to ``digits`` significant digits (3.7583 to 3.758, 31,193,412 to 31,190,000)."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def grid_measurements(plane_: Plane) -> dict[str, np.ndarray]:
    """Every point of the plane as measurements in cm, column -> flat array (row-major over y, then x)."""
    xs, ys = plane_.values()
    if ys is None:
        points = {plane_.x: xs}
    else:
        grid_x, grid_y = np.meshgrid(xs, ys)  # grid_x[i, j] = xs[j], grid_y[i, j] = ys[i]
        points = {plane_.x: grid_x.ravel(), plane_.y: grid_y.ravel()}
    count = len(next(iter(points.values())))
    return {**points, **{column: np.full(count, value) for column, value in plane_.fixed.items()}}


def compute(model, design: dict, data: Dataset, plane_: Plane, layers: Sequence[str] = ()) -> Map:
    """The map of a trained Keras model of ``design``: every head's prediction, and the units of ``layers``.

    ``model`` is the network itself (taking scaled inputs, as
    :func:`designer.keras_model.build_model` makes it); the grid is scaled as
    ``data``'s training rows were. A species head gives the predicted species
    (an index into ``spec.SPECIES``) and its probability; a measurement head,
    the value in cm.
    """
    return Prober(model, design, data, plane_, layers)()


class Prober:
    """The map of one model over one plane, again and again as the model trains: call it for the map now.

    The grid's scaled inputs and the Keras sub-model that reads the heads' and
    the layers' outputs are made once; each call is one forward pass.
    """

    def __init__(self, model, design: dict, data: Dataset, plane_: Plane, layers: Sequence[str] = ()):
        keras = _keras()
        net = resolve(design)
        inputs = model_inputs(data, design, grid_measurements(plane_))
        self._inputs = [inputs[node.name] for node in net.inputs]
        self._heads = [(node.name, node.entry[kinds.TASK]) for node in net.heads]
        self._layers = list(layers)
        wanted = [model.get_layer(name).output for name, _ in self._heads]
        wanted += [model.get_layer(name).output for name in self._layers]
        self._probe = keras.Model(model.inputs, wanted)
        self._plane = plane_
        self._x, self._y = plane_.values()

    def __call__(self) -> Map:
        outputs = self._probe(self._inputs, training=False)
        outputs = [np.asarray(out) for out in (outputs if isinstance(outputs, (list, tuple)) else [outputs])]
        shape = (len(self._x),) if self._y is None else (len(self._y), len(self._x))
        count = len(self._heads)
        heads = {name: _head_grids(t, out, shape) for (name, t), out in zip(self._heads, outputs[:count], strict=True)}
        layers = zip(self._layers, outputs[count:], strict=True)
        units = {name: out.T.reshape(-1, *shape) for name, out in layers}
        return Map(self._plane, self._x, self._y, heads, units)


def _head_grids(task: datasets.Task, output: np.ndarray, shape: tuple[int, ...]) -> dict[str, np.ndarray]:
    if task.is_binary:
        second = output[:, 0] > 0.5
        confidence = np.where(second, output[:, 0], 1 - output[:, 0])
        return {"predicted": second.astype(int).reshape(shape), "confidence": confidence.reshape(shape)}
    if task.is_classification:
        return {"predicted": output.argmax(1).reshape(shape), "confidence": output.max(1).reshape(shape)}
    return {"predicted": output[:, 0].reshape(shape)}


def _keras():
    from designer.keras_model import import_keras

    return import_keras()
