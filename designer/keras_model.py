"""Build the Keras model a design describes (Keras is imported here, lazily).

The result is a functional ``keras.Model`` whose layer names are the design's
names and whose outputs are the heads, in order. Layers that reach no head are
left out, exactly as the parameter counts leave them out.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from designer import datasets, tf_runtime
from designer.network import Network, Node, resolve
from designer.validation import ensure_valid


def import_keras():
    """Import Keras (and TensorFlow under it), set up once for this app's many tiny graphs.

    The process-wide settings this takes, and why, are listed in :mod:`designer.tf_runtime`.
    """
    tf_runtime.configure()
    import keras

    return keras


def seed_offsets(net: Network) -> dict[str, int]:
    """What each node adds to the design's seed to seed its own layer: its place among the used nodes."""
    return {node.name: place for place, node in enumerate(net.used_nodes)}


def build_model(design: dict, name: str = "designer", seed: int | None = None):
    """A functional ``keras.Model`` of a valid design (imports Keras on first use).

    With a ``seed``, every layer's initial weights and dropout masks derive from
    it (each layer its own seed), so the same seed gives the same model without
    touching any process-wide random state.
    """
    keras = import_keras()
    net = resolve(ensure_valid(design))
    tensors = {}
    offsets = seed_offsets(net)
    for node in net.used_nodes:
        if node.is_input:
            tensors[node.name] = keras.Input(shape=(node.width,), name=node.name)
        else:
            sources = [tensors[s] for s in node.sources]
            layer = make_layer(node, None if seed is None else seed + offsets[node.name])
            tensors[node.name] = layer(sources if node.spec.joins else sources[0])
    inputs = [tensors[node.name] for node in net.inputs]
    outputs = [tensors[head.name] for head in net.heads]
    return keras.Model(
        inputs=inputs[0] if len(inputs) == 1 else inputs,
        outputs=outputs[0] if len(outputs) == 1 else outputs,
        name=name,
    )


def restore_model(design: dict, weights: list):
    """The model of a valid design with the given weights (as ``model.get_weights()`` returned them)."""
    model = build_model(design)
    model.set_weights(weights)
    return model


def make_layer(node: Node, seed: int | None = None):
    """The Keras layer for one layer or head of a resolved network."""
    keras = import_keras()
    kind = node.spec
    positional, keywords = kind.keras_arguments(node.entry, node.width)
    seeded = {kind.seeded.keyword: kind.seeded.value(keras, seed)} if kind.seeded and seed is not None else {}
    return getattr(keras.layers, kind.keras_class)(*positional, **keywords, **seeded, name=node.name)


def take_home_model(design: dict, weights: list, scaling: dict[str, tuple[list[float], list[float]]]):
    """The trained network behind a ``Normalization`` per input, so that it takes measurements in cm.

    As Keras' guides recommend for a model used outside its training code: the
    inputs keep the design's names, each is scaled with the training rows' mean
    and variance (``scaling``, from :func:`designer.data.input_scaling`), and the
    heads' outputs are in the targets' own units (probabilities of each species,
    or cm), named by head. The network inside is the one the designer counts.
    """
    keras = import_keras()
    net = resolve(ensure_valid(design))
    network = restore_model(design, weights)
    raw = [keras.Input(shape=(node.width,), name=node.name) for node in net.inputs]
    scaled = []
    for node, x in zip(net.inputs, raw, strict=True):
        mean, variance = scaling[node.name]
        scaled.append(keras.layers.Normalization(mean=mean, variance=variance, name=f"{node.name}_scaling")(x))
    outputs = network(scaled[0] if len(scaled) == 1 else scaled)
    heads = [head.name for head in net.heads]
    named = outputs if len(heads) == 1 else dict(zip(heads, outputs, strict=True))
    return keras.Model(
        inputs=raw[0] if len(raw) == 1 else raw, outputs=named, name=f"{datasets.of(design).name}_take_home"
    )


def model_file_bytes(model) -> bytes:
    """A Keras model as the bytes of a ``.keras`` file (Keras' own format: its config and weights)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.keras"
        model.save(path)
        return path.read_bytes()


def summary_text(model) -> str:
    """The text ``model.summary()`` prints, as one string."""
    printed = []
    model.summary(print_fn=lambda text, line_break=False: printed.append(text))
    return "\n".join(printed)


def keras_dot(model) -> str:
    """DOT source of the picture ``keras.utils.plot_model`` draws, from ``keras.utils.model_to_dot`` (needs pydot).

    Its resolution is set to Graphviz's 72 dpi (Keras asks for 200, for print):
    the browser draws the source as SVG, whose size then matches its labels' point sizes.
    """
    dot = import_keras().utils.model_to_dot(model, show_shapes=True, show_layer_names=True, show_layer_activations=True)
    dot.set("dpi", 72)
    dot.set("bgcolor", "transparent")
    return dot.to_string()
