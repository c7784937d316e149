"""The Design page's walk through the network, neuron by neuron, layer by layer.

The lecture drew every neuron and connection on the whiteboard and counted
``4 × 8 + 8 = 40`` aloud; here a learner (or an instructor, on a projector)
picks a layer, its connections stand out, and its count is worked out beside
the picture, with a running total up to the model's.
"""

from __future__ import annotations

import streamlit as st

from designer import neurons
from designer.network import Network, resolve
from designer.params import Summary, explain, running_total
from ui import plane_link, session
from ui.projector import Look
from ui.text import plain


def walkthrough(net: Network, summary: Summary, look: Look) -> None:
    """A layer picker, the neuron view with that layer's connections standing out, and its arithmetic."""
    names = [node.name for node in net.used_nodes if not node.is_input]
    chosen = st.segmented_control(
        "Walk through the layers",
        names,
        key="walk:" + "|".join(names),  # a new picker when the layers change
        help="Pick a layer to see its connections and where its parameters come from",
    )
    picture, words = st.columns([2, 1], gap="large")
    with picture:
        neuron_view(net, look, focus=chosen)
    with words:
        if chosen is None:
            st.markdown("Pick a layer above: its connections stand out, and its parameters are counted here.")
            st.markdown(f"All together: {summary.sum_text(emphasis='**')} parameters.")
        else:
            explanation(net, summary, chosen)
            units_of_trained(chosen)


def units_of_trained(name: str) -> None:
    """Once a network with this layer is trained: a way to the map of what each of its units computes."""
    trained = st.session_state.get(session.TRAINED)
    if trained is None or name not in {node.name for node in resolve(trained["design"]).dense_nodes}:
        return
    if st.button(f"See what each unit of {name} computes", icon=":material/grid_view:", key="walk:units"):
        plane_link.settings()["layer"] = name
        st.switch_page("pages/train.py")


def neuron_view(net: Network, look: Look, focus: str | None = None, kernels=None, biases=None) -> None:
    """Every neuron and connection of ``net`` (coloured by weight if ``kernels`` are given), and what is drawn."""
    graph = neurons.neuron_graph(net)
    dot = neurons.neuron_dot(net, kernels, biases, focus, look.font_size, look.line_width)
    st.graphviz_chart(dot)  # its own size, shrunk to fit the column if need be
    note = f"{graph.neurons} neurons and {graph.weights:,} weighted connections drawn."
    wide = [column.node.name for column in graph.columns if column.hidden]
    if wide:
        note += (
            f" Layers wider than {neurons.MAX_DRAWN} units ({', '.join(wide)}) show their first "
            f"{neurons.SHOWN_OF_WIDE} units; “… +N” stands for the rest and their connections."
        )
    st.caption(plain(note))


def explanation(net: Network, summary: Summary, name: str) -> None:
    """Where the parameters of layer ``name`` come from, step by step, and the running total."""
    count = summary.by_name()[name]
    st.subheader(plain(f"{name}: {count.total:,} parameters"))
    st.markdown("\n".join(f"{number}. {plain(step)}" for number, step in enumerate(explain(net, name), 1)))
    st.markdown(f"**Running total:** {running_total(summary, name)}")
