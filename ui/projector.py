"""Projector mode: one switch that makes every page legible from the back of a lecture hall.

The mode is a way of showing the design, not part of it, so it is not in the
design file. Its one home is the switch itself, a toggle bound to the address
bar's ``projector`` query parameter (Streamlit's ``bind="query-params"``): the
address, and so every link copied from it or made by the Code page, carries
the mode, and it survives page switches. Nothing else keeps a copy.

Streamlit cannot change its theme's font size at run time, so the mode adds the
app's own style sheet, ``assets/projector.css``, and pages ask :func:`look` for
the sizes of graph labels, chart text and lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from designer import links

PARAMETER = KEY = links.PROJECTOR  # bound: the key names the query parameter
LINK_VALUE = "true"  # how a bound toggle writes True in the address
ASSETS = Path(__file__).resolve().parent.parent / "assets"


@dataclass(frozen=True)
class Look:
    """Sizes for what the app draws itself: graphs and charts."""

    font_size: int  # graph labels and chart text, in px
    line_width: float  # a multiplier for graph and chart lines


NORMAL = Look(font_size=14, line_width=1.0)
PROJECTOR = Look(font_size=20, line_width=2.0)


def on() -> bool:
    """Whether the session is in projector mode.

    Before the switch first runs, its value is still only in the address it was opened with.
    """
    if KEY in st.session_state:
        return bool(st.session_state[KEY])
    return st.query_params.get(PARAMETER) == LINK_VALUE


def look() -> Look:
    """The sizes to draw with in the session's mode."""
    return PROJECTOR if on() else NORMAL


def style_sheets() -> str:
    """The app's styles for the session's mode, as one ``<style>`` element."""
    names = ["style.css", "projector.css"] if on() else ["style.css"]
    css = "\n".join((ASSETS / name).read_text(encoding="utf-8") for name in names)
    return f"<style>{css}</style>"


def switch() -> bool:
    """The one-click switch, pinned to the top bar of every page (see ``assets/style.css``)."""
    with st.container(key="projector-switch"):
        return st.toggle(
            "Projector mode",
            key=KEY,
            bind="query-params",
            help="Large text, thick lines and strong colours, for showing the app on a projector",
        )
