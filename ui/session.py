"""The session's one design, and the only way to change it.

``st.session_state["design"]`` holds the design (a plain dict); nothing else
holds any fact of it for long: editor widgets are keyed by the design's
revision, which every accepted edit bumps, so they are all created afresh from
the design (Streamlit then forgets the old ones). An edit whose result has
errors is not applied: the design stays as it was, the widget keeps what the
learner typed, and the errors stay beside the control that caused them until
the next edit.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from designer import links, presets
from designer.validation import Problem, errors, validate

DESIGN = "design"
REVISION = "revision"
REJECTED = "rejected"


def design() -> dict:
    """The session's design: from the share link it was opened with, else the default preset."""
    if DESIGN not in st.session_state:
        st.session_state[DESIGN] = _opening_design()
    return st.session_state[DESIGN]


def _opening_design() -> dict:
    value = st.query_params.get(links.PARAMETER)
    if value is not None:
        try:
            return links.decode(value)
        except links.LinkError as error:
            reject("link", [Problem("", f"This link could not be opened: {error}. The default design is shown.")])
    return presets.default_design()


def sync_link() -> None:
    """Keep the address bar a link to the design on screen (it follows every edit)."""
    value = links.encode(design())
    if st.query_params.get(links.PARAMETER) != value:
        st.query_params[links.PARAMETER] = value


def key(*parts: object) -> str:
    """The key of an editor widget, for the design's current revision: ``w3:layer-0:units``."""
    return f"w{st.session_state.get(REVISION, 0)}:" + ":".join(map(str, parts))


def commit(candidate: dict, origin: str = "") -> bool:
    """Make ``candidate`` the design if it has no errors; report whether it did."""
    found = errors(validate(candidate))
    if found:
        reject(origin, found)
        return False
    st.session_state[DESIGN] = candidate
    st.session_state[REVISION] = st.session_state.get(REVISION, 0) + 1
    st.session_state[REJECTED] = ("", [])
    return True


def reject(origin: str, problems: list[Problem]) -> None:
    """Show ``problems`` beside the controls of ``origin`` until the next accepted edit."""
    st.session_state[REJECTED] = (origin, problems)


def apply(origin: str, edit: Callable[..., dict], *args: object) -> None:
    """Callback: apply ``edit(design, *args)``."""
    try:
        candidate = edit(design(), *args)
    except (LookupError, TypeError, ValueError):
        # Two quick clicks can deliver the second against a design the first
        # already changed; refuse it rather than show a traceback.
        message = "That change no longer fits the design on screen, so it was not applied. Please try again."
        reject(origin, [Problem("", message)])
        return
    commit(candidate, origin)


def apply_value(origin: str, widget_key: str, edit: Callable[..., dict], *args: object) -> None:
    """Callback: apply ``edit(design, *args, value)`` with the widget's new value.

    Only widgets of the current revision edit: one from before the last
    accepted edit speaks of a design that is gone.
    """
    if widget_key.startswith(key()) and widget_key in st.session_state:
        apply(origin, edit, *args, st.session_state[widget_key])


def rejected(origin: str) -> list[Problem]:
    """The errors of the last refused edit, if it came from ``origin``."""
    where, found = st.session_state.get(REJECTED, ("", []))
    return found if where == origin else []
