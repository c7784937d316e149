"""Projector mode: one switch that makes every page legible from the back of a lecture hall.

The mode is a way of showing the design, not part of it, so it is not in the
design file. Like the design it has one home, ``st.session_state["projector"]``:
it is read from the address the session was opened with (``?projector=true``)
and written back to the address bar after every run (:func:`sync_link`), so a
link copied from the address bar, or made by the Code page, opens in the same
mode. The switch (a button) is keyed by the mode it shows, so it is made
afresh from that one value and never holds a copy that could drift.

(Streamlit's own ``bind="query-params"`` would do the same, but a page switch
followed by a quick click can leave the parameter behind in the address bar.)

Streamlit cannot change its theme's font size at run time, so the mode adds the
app's own style sheet, ``assets/projector.css``, and pages ask :func:`look` for
the sizes of graph labels, chart text and lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from designer import links

PARAMETER = links.PROJECTOR
STATE = "projector"  # the session state key of the mode
ASSETS = Path(__file__).resolve().parent.parent / "assets"


@dataclass(frozen=True)
class Look:
    """Sizes for what the app draws itself: graphs and charts."""

    font_size: int  # graph labels and chart text, in px
    line_width: float  # a multiplier for graph and chart lines


NORMAL = Look(font_size=12, line_width=1.0)  # drawn at 16 px: an SVG point is 4/3 px
PROJECTOR = Look(font_size=20, line_width=2.0)


def on() -> bool:
    """Whether the session is in projector mode (at first, whether the address asked for it)."""
    if STATE not in st.session_state:
        st.session_state[STATE] = st.query_params.get(PARAMETER) == links.PROJECTOR_ON
    return st.session_state[STATE]


def look() -> Look:
    """The sizes to draw with in the session's mode."""
    return PROJECTOR if on() else NORMAL


def style_sheets() -> str:
    """The app's styles for the session's mode, as one ``<style>`` element."""
    names = ["style.css", "projector.css"] if on() else ["style.css"]
    css = "\n".join((ASSETS / name).read_text(encoding="utf-8") for name in names)
    return f"<style>{css}</style>"


def switch() -> None:
    """The one-click switch, pinned to the top bar of every page (see ``assets/style.css``).

    A button rather than a toggle: the page already loads the button's code, and a
    toggle's would add half a second to the app's first appearance. Filled while on.
    """
    mode = on()
    with st.container(key="projector-switch"):
        st.button(
            "Projector mode",
            key=f"projector-{mode}",
            icon=":material/co_present:",
            type="primary" if mode else "secondary",
            on_click=_flip,
            help="Leave projector mode" if mode else "Large text, thick lines and strong colours, for a projector",
        )


def _flip() -> None:
    st.session_state[STATE] = not on()


def sync_link() -> None:
    """Keep the address bar's ``projector`` parameter in step with the mode."""
    if on():
        if st.query_params.get(PARAMETER) != links.PROJECTOR_ON:
            st.query_params[PARAMETER] = links.PROJECTOR_ON
    elif PARAMETER in st.query_params:
        del st.query_params[PARAMETER]


def plotly_chart(where, figure, enlarge=None, **arguments) -> None:
    """``where.plotly_chart(figure, ...)``, with the app's few chart buttons; enlarged in projector mode, by
    ``enlarge(figure, font_size, line_width)`` when a kind of chart has its own (a map), else as every chart."""
    from ui import charts  # here, not at the top: the Design page never loads Plotly figures

    if on():
        (enlarge or charts.enlarge)(figure, PROJECTOR.font_size, PROJECTOR.line_width)
    config = {**charts.CHART_CONFIG, **arguments.pop("config", {})}
    where.plotly_chart(figure, config=config, **arguments)
