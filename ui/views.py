"""Read-only views of a design: the parameter table and its totals."""

from __future__ import annotations

import streamlit as st

from designer.params import Summary, keras_type
from ui.text import plain


def totals(summary: Summary) -> None:
    """The totals as Keras' ``model.summary()`` prints them."""
    total, trainable, non_trainable = summary.totals_lines()
    st.markdown(f"### {total}")
    if summary.summed:
        st.markdown(summary.sum_text(emphasis="**"))
    st.caption(f"{trainable} · {non_trainable}")


def parameter_table(summary: Summary) -> None:
    """A row per layer with the arithmetic of its count."""
    lines = ["| Layer (type) | Output shape | Params | Arithmetic |", "|---|---|--:|---|"]
    for row in summary.rows:
        layer = f"**{plain(row.name)}** ({plain(keras_type(row.kind))})"
        lines.append(f"| {layer} | {plain(row.output_shape)} | {row.total:,} | {plain(row.note)} |")
    st.markdown("\n".join(lines))


def fresh_graph(dot: str, revision: int) -> None:
    """``st.graphviz_chart(dot)``, drawn afresh for each design revision rather than morphed from the last.

    Streamlit's chart hands a changed graph to d3-graphviz, which prepares an
    animated transition by sampling every outline and edge of both drawings,
    point by point: about 250 ms of the browser's time per edit, for a
    transition nobody sees. Two slots, used in turn, make each revision's chart
    a new one, which is simply drawn.
    """
    slots = st.empty(), st.empty()
    slots[revision % 2].graphviz_chart(dot)
