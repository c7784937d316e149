"""A built model's weights, named as the designer names its inputs and units.

What the lecture printed with ``model.layers[0].get_weights()``, as labelled
matrices, read from the layer's own Keras variables (``layer.weights``) and
laid out by their shapes, whatever they are called:

- a 2-D variable with a row per feature that feeds the node and a column per
  unit (a dense layer's kernel) is a matrix with those rows and columns;
- a 1-D variable with a value per unit (a dense layer's bias) is one row over
  the units;
- the 1-D variables with a value per feature that feeds the node (batch
  normalisation's γ, β, moving mean and moving variance) are stacked, a row
  each, over those features;
- anything else is shown as it comes, its values numbered.

A row or a matrix is titled by its variable's name, in the words the registry
of kinds gives it (``γ (scale)`` for ``gamma``; the name itself, ``kernel``,
otherwise). No kind and no variable name is written here. This module reads a
Keras model handed to it and never imports Keras or TensorFlow itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from designer.kinds import Kind
from designer.network import Network
from designer.neurons import feature_labels

# How a matrix lays out its variables (``Matrix.layout``).
CONNECTIONS = "connections"  # rows: the features that feed the node; columns: its units (a kernel)
PER_UNIT = "units"  # one row over the node's units (a bias)
PER_FEATURE = "features"  # a row per variable over the features that feed the node (batch norm's γ, β, ...)
OTHER = "values"  # any other shape, numbered


@dataclass(frozen=True)
class Matrix:
    """Named values: ``values[i, j]`` belongs to ``rows[i]`` and ``columns[j]``."""

    title: str
    values: np.ndarray  # 2-D
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    layout: str = OTHER  # what its rows and columns are: CONNECTIONS, PER_UNIT, PER_FEATURE or OTHER


@dataclass(frozen=True)
class LayerWeights:
    """The weights of one layer or head of a design, as labelled matrices."""

    name: str
    kind: str
    matrices: tuple[Matrix, ...]


def layer_weights(model, net: Network) -> list[LayerWeights]:
    """The weights of every layer and head of ``net`` that has any, read from ``model`` (a Keras model of it)."""
    labels = feature_labels(net)
    found = []
    for node in net.used_nodes:
        variables = model.get_layer(node.name).weights
        if not variables:
            continue
        feeding = tuple(label for source in node.sources for label in labels[source])
        matrices = _matrices(node.spec, variables, feeding, labels[node.name])
        found.append(LayerWeights(node.name, node.kind, matrices))
    return found


def variable_name(variable) -> str:
    """A Keras variable's own name, without its layer's path: ``kernel`` for ``hidden_1/kernel``."""
    return str(getattr(variable, "path", None) or variable.name).rsplit("/", 1)[-1].split(":")[0]


def _matrices(kind: Kind, variables, feeding: tuple[str, ...], units: tuple[str, ...]) -> tuple[Matrix, ...]:
    """A layer's variables as matrices, in the layer's order (the stacked per-feature rows where the first was)."""
    named = [(kind.variable_label(variable_name(v)), np.asarray(v.numpy())) for v in variables]
    connecting = (len(feeding), len(units))
    connects = any(values.shape == connecting for _, values in named)
    laid_out: list[Matrix | None] = []
    per_feature: list[tuple[str, np.ndarray]] = []
    for label, values in named:
        if values.shape == connecting:
            laid_out.append(Matrix(label, values, feeding, units, CONNECTIONS))
        elif values.shape == (len(units),) and (connects or len(units) != len(feeding)):
            laid_out.append(Matrix(label, values[np.newaxis, :], (label,), units, PER_UNIT))
        elif values.shape == (len(feeding),):
            if not per_feature:
                laid_out.append(None)  # where the stacked rows go
            per_feature.append((label, values))
        else:
            laid_out.append(_as_it_comes(label, values))
    if per_feature:
        rows = tuple(label for label, _ in per_feature)
        stacked = Matrix(_joined(rows), np.stack([values for _, values in per_feature]), rows, feeding, PER_FEATURE)
        laid_out[laid_out.index(None)] = stacked
    return tuple(laid_out)


def _as_it_comes(label: str, values: np.ndarray) -> Matrix:
    """A variable of any other shape: a scalar or a vector as one row, more dimensions as a row per first index."""
    table = values.reshape(1, -1) if values.ndim <= 1 else values.reshape(values.shape[0], -1)
    rows = (label,) if values.ndim <= 1 else tuple(f"{label} [{i}]" for i in range(table.shape[0]))
    return Matrix(label, table, rows, tuple(str(j + 1) for j in range(table.shape[1])), OTHER)


def _joined(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def kernels_and_biases(weights: list[LayerWeights]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The kernels and biases of the layers and heads that have a kernel, by name (what the neuron view colours by).

    Told apart by their shapes, not their names: the kernel is the one matrix
    over the features that feed the layer and its units, its bias the one row
    over its units. A layer with a kernel and no bias (a dense layer without
    biases) has no entry among the biases.
    """
    kernels, biases = {}, {}
    for layer in weights:
        kernel = [matrix for matrix in layer.matrices if matrix.layout == CONNECTIONS]
        if len(kernel) != 1:
            continue
        kernels[layer.name] = kernel[0].values
        bias = [matrix for matrix in layer.matrices if matrix.layout == PER_UNIT]
        if len(bias) == 1:
            biases[layer.name] = bias[0].values[0]
    return kernels, biases
