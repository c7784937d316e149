"""Read-only views of a design: the parameter table and its totals."""

from __future__ import annotations

import streamlit as st

from designer.params import Summary, keras_type


def totals(summary: Summary) -> None:
    """The totals as Keras' ``model.summary()`` prints them."""
    total, trainable, non_trainable = summary.totals_lines()
    st.markdown(f"### {total}")
    terms = [f"{row.total:,}" for row in summary.rows if row.total]
    if len(terms) > 1:
        st.markdown(f"{' + '.join(terms)} = **{summary.total:,}**")
    st.caption(f"{trainable} · {non_trainable}")


def parameter_table(summary: Summary) -> None:
    """A row per layer with the arithmetic of its count."""
    lines = ["| Layer (type) | Output shape | Params | Arithmetic |", "|---|---|--:|---|"]
    for row in summary.rows:
        arithmetic = (
            row.arithmetic if row.kind in ("dense", "head", "batch_norm") else row.arithmetic.removeprefix("0: ")
        )
        lines.append(f"| **{row.name}** ({keras_type(row.kind)}) | {row.output_shape} | {row.total:,} | {arithmetic} |")
    st.markdown("\n".join(lines))
