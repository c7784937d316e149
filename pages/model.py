"""Model: the Keras model of the design, as Keras shows it, and its weights neuron by neuron."""

import streamlit as st

from designer import network, params
from designer.weights import kernels_and_biases, layer_weights
from ui import entry, model_view, projector, session, walkthrough

entry.require_app()

design = session.design()
net = network.resolve(design)
summary = params.summarize_network(net)

st.title("Inside the Keras model")
if not projector.on():
    st.caption("The design built as a Keras model: what it has learned, and how Keras itself describes it.")
model, which = model_view.shown_model(design)
st.markdown(which)
weights = layer_weights(model, net)

neurons_tab, weights_tab, summary_tab, graph_tab = st.tabs(
    ["Learned weights", "Weight matrices", "model.summary()", "Keras graph"], key="model-view", on_change="rerun"
)
if neurons_tab.open:
    with neurons_tab:
        model_view.neuron_legend()
        kernels, biases = kernels_and_biases(weights)
        walkthrough.neuron_view(net, projector.look(), kernels=kernels, biases=biases)
if weights_tab.open:
    with weights_tab:
        model_view.weights_inspector(weights)
if summary_tab.open:
    with summary_tab:
        model_view.keras_summary(model, summary)
if graph_tab.open:
    with graph_tab:
        model_view.keras_graph(model)
