"""Decision maps: what a trained network computes over a plane of two measurements.

As TensorFlow Playground draws its network's output over the input plane, a
map here is a grid of points in cm over two of the design's input columns
(the ``x`` and ``y`` axes), the other input columns held at fixed values. Row
``i``, column ``j`` of a grid is the point ``(x[j], y[i])``. The points are
scaled exactly as training scaled the flowers (:func:`designer.data.model_inputs`)
and given to the trained Keras model: each head's prediction, and each unit's
activation of the layers asked for. A design with a single input column gets
a line instead of a plane (``y`` is None).

Planes are checked here, once, for the command line and the page alike:
every refusal names the setting and the value received.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from designer import spec
from designer.constraints import Interval, Options
from designer.data import Dataset, iris, model_inputs
from designer.network import resolve
from designer.validation import show

GRID = 50  # points along each axis
GRID_SIZES = Interval(int, 2, 200)
MARGIN = 0.1  # the axes span the 150 flowers' range and a tenth of it on each side
AXIS_PREFERENCE = ("petal_length", "petal_width", "sepal_length", "sepal_width")  # the petals tell species apart
MAX_UNIT_MAPS = 16  # a wider layer shows its first 16 units


class MapError(ValueError):
    """A plane that cannot be drawn for a design; the message names the setting and the value."""


@dataclass(frozen=True)
class Plane:
    """Where a map looks: two input columns (or one), the others' values in cm, the points per axis."""

    x: str
    y: str | None
    fixed: Mapping[str, float] = field(default_factory=dict)
    grid: int = GRID

    def values(self) -> tuple[np.ndarray, np.ndarray | None]:
        """The points along each axis, in cm."""
        return axis_values(self.x, self.grid), None if self.y is None else axis_values(self.y, self.grid)


@dataclass(frozen=True)
class Map:
    """A map as plain data: the plane, the axes' values, each head's grid and each asked-for layer's units."""

    plane: Plane
    x: np.ndarray
    y: np.ndarray | None
    heads: dict[str, dict[str, np.ndarray]]  # head -> {"predicted": grid, "confidence": grid (species only)}
    units: dict[str, np.ndarray] = field(default_factory=dict)  # layer -> (units, *grid shape)

    def to_json(self) -> dict:
        """The map in the command line's JSON shape (lists of numbers)."""
        axes = {"x": {"column": self.plane.x, "values": self.x.tolist()}}
        if self.y is not None:
            axes["y"] = {"column": self.plane.y, "values": self.y.tolist()}
        heads = {name: {key: grid.tolist() for key, grid in grids.items()} for name, grids in self.heads.items()}
        result = {**axes, "fixed": dict(self.plane.fixed), "heads": heads}
        if self.units:
            result["units"] = {name: grids.tolist() for name, grids in self.units.items()}
        return result


@dataclass(frozen=True)
class Flowers:
    """The flowers drawn on a map: their measurements on the axes (cm), what they are, and which part."""

    x: np.ndarray
    y: np.ndarray | None  # None on a line view
    species: np.ndarray  # codes into spec.SPECIES
    value: np.ndarray | None  # a measurement head's true value in cm, else None
    test: np.ndarray  # True for a test row, False for a training row
    wrong: np.ndarray  # True for a test row the species head gets wrong


def flowers(data: Dataset, plane_: Plane, target: str, test_predictions: np.ndarray | None = None) -> Flowers:
    """The training and test rows as a head's map draws them (a projection: the held columns are ignored).

    ``test_predictions`` (the head's outputs on the test rows, in their order)
    mark the test rows a species head gets wrong.
    """
    measurements, species = iris()
    rows = np.concatenate([data.train.rows, data.test.rows])
    test = np.arange(len(rows)) >= len(data.train.rows)
    column = spec.NUMERIC_COLUMNS.index
    wrong = np.zeros(len(rows), dtype=bool)
    if spec.is_classification(target) and test_predictions is not None:
        wrong[test] = np.asarray(test_predictions).argmax(1) != species[data.test.rows]
    return Flowers(
        x=measurements[rows, column(plane_.x)],
        y=None if plane_.y is None else measurements[rows, column(plane_.y)],
        species=species[rows],
        value=None if spec.is_classification(target) else measurements[rows, column(target)],
        test=test,
        wrong=wrong,
    )


def input_columns(design: dict) -> tuple[str, ...]:
    """The measurements a valid design takes as inputs, in the data's column order: the possible axes."""
    taken = {column for node in resolve(design).inputs for column in node.entry["columns"]}
    return tuple(column for column in spec.NUMERIC_COLUMNS if column in taken)


def column_range(column: str) -> tuple[float, float]:
    """The span of an axis or a fixed value, in cm: the 150 flowers' range and a margin on each side."""
    values = iris()[0][:, spec.NUMERIC_COLUMNS.index(column)]
    low, high = float(values.min()), float(values.max())
    margin = MARGIN * (high - low)
    return round(low - margin, 2), round(high + margin, 2)


def axis_values(column: str, grid: int = GRID) -> np.ndarray:
    """``grid`` evenly spaced points over the column's range, in cm."""
    return np.linspace(*column_range(column), grid)


def unit_layers(design: dict) -> list[str]:
    """The layers and heads whose units have a map of their own: the dense ones that reach a head."""
    return [node.name for node in resolve(design).dense_nodes]


def default_plane(design: dict, data: Dataset) -> Plane:
    """Petal length against petal width when the design takes both, else its two most telling input columns.

    The other input columns are held at the training rows' mean.
    """
    columns = input_columns(design)
    axes = [column for column in AXIS_PREFERENCE if column in columns][:2]
    x, y = axes[0], axes[1] if len(axes) > 1 else None
    return Plane(x, y, _training_means(data, [c for c in columns if c not in axes]))


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
    held = [c for c in columns if c not in (x, y)]
    values = {**_training_means(data, held), **_checked_fixed(fixed or {}, held)}
    return Plane(x, y, values, int(grid))


def _checked_fixed(fixed: Mapping[str, object], held: Sequence[str]) -> dict[str, float]:
    checked = {}
    for column, value in fixed.items():
        if column not in held:
            options = ", ".join(held) if held else "none: every input column is on an axis"
            raise MapError(f"map at: only the input columns off the axes can be held ({options}), got {show(column)}")
        bounds = Interval(float, *column_range(column))
        if not bounds.is_valid(value):
            raise MapError(f"map at {column} {bounds.requirement} (cm), got {show(value)}")
        checked[column] = float(value)
    return checked


def _training_means(data: Dataset, columns: Sequence[str]) -> dict[str, float]:
    where = {column: i for i, column in enumerate(data.input_columns)}
    return {column: round(float(data.scaler.mean_[where[column]]), 2) for column in columns}


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
        self._heads = [(node.name, node.entry["target"]) for node in net.heads]
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


def _head_grids(target: str, output: np.ndarray, shape: tuple[int, ...]) -> dict[str, np.ndarray]:
    if spec.is_classification(target):
        return {"predicted": output.argmax(1).reshape(shape), "confidence": output.max(1).reshape(shape)}
    return {"predicted": output[:, 0].reshape(shape)}


def _keras():
    from designer.keras_model import import_keras

    return import_keras()
