"""A built model's weights, named as the designer names its inputs and units.

What the lecture printed with ``model.layers[0].get_weights()``, as labelled
matrices: a dense layer's kernel has a row per feature that feeds it (an Iris
column, or a unit of the layer before) and a column per unit; its bias is one
row. A batch-normalisation layer has a row each for γ, β, the moving mean and
the moving variance. This module reads a Keras model handed to it and never
imports Keras or TensorFlow itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from designer.network import Network
from designer.neurons import feature_labels

BATCH_NORM_ROWS = ("γ (scale)", "β (shift)", "moving mean", "moving variance")


@dataclass(frozen=True)
class Matrix:
    """Named values: ``values[i, j]`` belongs to ``rows[i]`` and ``columns[j]``."""

    title: str
    values: np.ndarray  # 2-D
    rows: tuple[str, ...]
    columns: tuple[str, ...]


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
        if node.spec.weights is None:
            continue
        values = model.get_layer(node.name).get_weights()
        rows = tuple(label for source in node.sources for label in labels[source])
        matrices = MATRICES[node.spec.weights](values, rows, labels[node.name])
        found.append(LayerWeights(node.name, node.kind, matrices))
    return found


def _kernel_and_bias(values: list, rows: tuple[str, ...], columns: tuple[str, ...]) -> tuple[Matrix, ...]:
    kernel, bias = values
    return Matrix("kernel", kernel, rows, columns), Matrix("bias", bias[np.newaxis, :], ("bias",), columns)


def _normalisation(values: list, rows: tuple[str, ...], columns: tuple[str, ...]) -> tuple[Matrix, ...]:
    return (Matrix("γ, β, moving mean and variance", np.stack(values), BATCH_NORM_ROWS, rows),)


# How each kind's weights (``Kind.weights`` in the registry) read as matrices.
MATRICES = {"kernel and bias": _kernel_and_bias, "normalisation": _normalisation}


def kernels_and_biases(weights: list[LayerWeights]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The kernels and biases of the dense layers and heads, by name (what the neuron view colours by)."""
    kernels, biases = {}, {}
    for layer in weights:
        if [matrix.title for matrix in layer.matrices] == ["kernel", "bias"]:
            kernel, bias = layer.matrices
            kernels[layer.name], biases[layer.name] = kernel.values, bias.values[0]
    return kernels, biases
