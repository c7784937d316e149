"""The Model page's parts: which Keras model it shows, Keras' own views of it, and its weights.

The model is the latest run's trained model when it has the design's
architecture (rebuilt from the weights the session keeps as arrays); otherwise
an untrained build of the design. Either is built for the page run that shows
it and let go after: a session keeps no live Keras object.
"""

from __future__ import annotations

import streamlit as st

from designer import spec
from designer.keras_model import build_model, keras_dot, restore_model, summary_text
from designer.params import Summary
from designer.training import architecture_key
from designer.weights import LayerWeights
from ui import charts, projector, runs, views


def shown_model(design: dict):
    """The model to show, and a sentence saying which one it is."""
    run, trained = runs.latest()
    if trained is not None and architecture_key(trained["design"]) == architecture_key(design):
        with st.spinner("Building the trained Keras model…"):
            model = restore_model(trained["design"], trained["weights"])
        return model, f"The model trained in **{run.label}** ({trained['epochs']} epochs)."
    with st.spinner("Building the Keras model (the first time also loads TensorFlow: a few seconds)…"):
        model = build_model(design, seed=spec.training_settings(design)["seed"])
    return model, (
        "This design is not trained yet, so these are its **initial** weights: random kernels "
        "(Keras' Glorot uniform) and zero biases. Train it on the Train page to see what it learns."
    )


def keras_summary(model, summary: Summary) -> None:
    """``model.summary()`` exactly as Keras prints it, then the designer's own table.

    One above the other: Keras' table is about 80 characters wide, which beside
    another column would hide its Param # column behind a sideways scroll.
    """
    st.subheader("Keras: `model.summary()`")
    st.code(summary_text(model), language=None, width="content")
    st.subheader("The designer's count")
    views.totals(summary)
    views.parameter_table(summary)


def keras_graph(model) -> None:
    """The picture ``keras.utils.plot_model`` draws, from ``model_to_dot``."""
    st.caption("Drawn from `keras.utils.model_to_dot(model, show_shapes=True, show_layer_activations=True)`.")
    st.graphviz_chart(keras_dot(model))


def weights_inspector(weights: list[LayerWeights]) -> None:
    """A layer picker and that layer's weights as heatmaps."""
    if not weights:
        st.info("This design has no layer with weights.")
        return
    by_name = {layer.name: layer for layer in weights}
    names = list(by_name)
    chosen = st.segmented_control("Layer", names, default=names[0], key="weights:" + "|".join(names), required=True)
    layer = by_name[chosen or names[0]]
    shapes = " and ".join(f"the {m.title} ({' × '.join(map(str, m.values.shape))})" for m in layer.matrices)
    st.caption(f"What `model.get_layer('{layer.name}').get_weights()` returns: {shapes}. Hover a cell for its value.")
    for matrix in layer.matrices:
        figure = charts.weights_heatmap(matrix, layer.name)
        projector.plotly_chart(st, figure, width="stretch", key=f"heatmap-{layer.name}-{matrix.title}")


def neuron_legend() -> None:
    """How to read the coloured neuron view."""
    st.caption(
        "Each connection is one weight: **blue** positive, **orange** negative; the thicker, the larger "
        "(relative to the largest in its layer). Hover a connection for its weight, a neuron for its bias."
    )
