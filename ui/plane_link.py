"""The plane the maps look at, carried by the address bar's ``map`` parameter (light: the Design page loads it).

The session keeps the learner's plane settings in one plain dict
(``PLANE``: the axes, the held columns' values, the layer whose units are
shown); :mod:`ui.maps` checks them against the trained design at every run.
A link's ``map=x=petal_length,y=sepal_length,at.sepal_width=3.4`` gives the
settings a session opens with (:func:`designer.parsing.parse_map_text`: the
columns percent-encoded, so any name a CSV file gives survives the trip, and
links of the first form, ``sepal_width=3.4``, still open); a part that cannot
be read is refused with a message, and the default plane is shown.
"""

from __future__ import annotations

import streamlit as st

from designer import parsing
from designer.network import resolve

PARAMETER = "map"
PLANE = "map_plane"
REFUSED = "map_refused"  # why the link's plane was not used, until shown once
UNCHECKED = "map_from_link"  # set while the settings are a link's, not yet checked against a design


def settings() -> dict:
    """The session's plane settings: at first, those the address asked for (unchecked), else none."""
    if PLANE not in st.session_state:
        text = st.query_params.get(PARAMETER)
        opening: dict = {}
        if text:
            try:
                opening = parsing.parse_map_text(text)
                st.session_state[UNCHECKED] = True
            except parsing.MapTextError as error:
                refuse(str(error))
        st.session_state[PLANE] = opening
    return st.session_state[PLANE]


def from_link() -> bool:
    """Whether the settings are a link's, checked now for the first time (asked once)."""
    return st.session_state.pop(UNCHECKED, False)


def refuse(reason: str) -> None:
    """Say once, beside the maps, why the link's plane was not used."""
    st.session_state[REFUSED] = f"The map this link asks for could not be shown: {reason}. The default map is shown."


def refusal() -> str | None:
    """Why the link's plane was not used, once."""
    return st.session_state.pop(REFUSED, None)


def sync_link(design: dict) -> None:
    """Keep the address bar's ``map`` parameter in step with the plane the maps show (once they have).

    Only what fits ``design`` (the session's, which the link carries) is written:
    a held column the design no longer takes is left out, and when an axis is
    not one of its inputs, the link carries no plane at all.
    """
    plane = st.session_state.get(PLANE)
    if not plane or st.session_state.get(UNCHECKED):
        return  # no map shown yet: a link's parameter stays as it came
    columns = {column for node in resolve(design).inputs for column in node.entry["columns"]}
    if not {plane.get("x"), plane.get("y")} - {None} <= columns:
        st.query_params.pop(PARAMETER, None)
        return
    held = {column: value for column, value in plane.get("at", {}).items() if column in columns}
    text = parsing.map_text({**plane, "at": held})
    if st.query_params.get(PARAMETER) != text:
        st.query_params[PARAMETER] = text
