"""Design: build a network by clicking, and see its graph and parameters live."""

import streamlit as st

from designer import network, params, presets
from designer.graph import network_to_dot
from designer.validation import validate, warnings
from ui import editors, session, views

design = session.design()
net = network.resolve(design)
summary = params.summarize_network(net)
advice = warnings(validate(design))

PRESETS = {preset.key: preset for preset in presets.presets()}


def load_preset() -> None:
    chosen = st.session_state.pop("preset")
    if chosen is not None:
        session.commit(PRESETS[chosen].load(), "preset")


st.title("Design a network")
st.selectbox(
    "Start from a preset",
    list(PRESETS),
    index=None,
    placeholder="Choose a preset design…",
    format_func=lambda key: PRESETS[key].title,
    key="preset",
    on_change=load_preset,
)

controls, picture = st.columns([11, 9], gap="large")
with controls:
    st.subheader("Inputs")
    editors.inputs_editor(design, advice)
    st.subheader("Hidden layers")
    editors.layers_editor(design, advice)
    st.subheader("Output heads")
    editors.heads_editor(design, advice)
with picture:
    views.totals(summary)
    st.graphviz_chart(network_to_dot(net))
    views.parameter_table(summary)
