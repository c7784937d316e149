"""Build the Keras model a design describes (Keras is imported here, lazily).

The result is a functional ``keras.Model`` whose layer names are the design's
names and whose outputs are the heads, in order. Layers that reach no head are
left out, exactly as the parameter counts leave them out.
"""

from __future__ import annotations

from designer import spec
from designer.network import Node, resolve
from designer.validation import ensure_valid


def build_model(design: dict, name: str = "designer"):
    """A functional ``keras.Model`` of a valid design (imports Keras on first use)."""
    import keras

    net = resolve(ensure_valid(design))
    tensors = {}
    for node in net.used_nodes:
        if node.kind == "input":
            tensors[node.name] = keras.Input(shape=(node.width,), name=node.name)
        else:
            sources = [tensors[s] for s in node.sources]
            layer = make_layer(node)
            tensors[node.name] = layer(sources if node.kind == "concatenate" else sources[0])
    inputs = [tensors[node.name] for node in net.inputs]
    outputs = [tensors[head.name] for head in net.heads]
    return keras.Model(
        inputs=inputs[0] if len(inputs) == 1 else inputs,
        outputs=outputs[0] if len(outputs) == 1 else outputs,
        name=name,
    )


def make_layer(node: Node):
    """The Keras layer for one layer or head of a resolved network."""
    from keras import layers

    entry = node.entry
    if node.kind == "dense":
        return layers.Dense(node.width, activation=entry.get("activation", spec.DEFAULT_ACTIVATION), name=node.name)
    if node.kind == "head":
        activation = entry.get("activation", spec.default_head_activation(entry["target"]))
        return layers.Dense(node.width, activation=activation, name=node.name)
    if node.kind == "dropout":
        return layers.Dropout(entry["rate"], name=node.name)
    if node.kind == "batch_norm":
        return layers.BatchNormalization(name=node.name)
    if node.kind == "concatenate":
        return layers.Concatenate(name=node.name)
    raise ValueError(f"node.kind must be a layer type or 'head', got {node.kind!r}")
