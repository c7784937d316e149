"""The session's one design, and the only way to change it.

``st.session_state["design"]`` holds the design (a plain dict); nothing else
holds any fact of it for long. Editor widgets have stable keys (``layer-1:units``),
so they keep their identity across edits, and before each is drawn its value is
set from the design (:func:`bind`): a widget can never show anything else for
longer than one rerun. An edit whose result has errors is not applied: the
design stays as it was, the widget goes back to the design's value, and the
errors stay beside the control that caused them until the next edit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from designer import derived, exercises, links, presets
from designer.validation import Problem, errors, validate

DESIGN = "design"
REVISION = "revision"  # counts accepted edits; the derived facts are kept for one revision
DERIVED = "derived"
REJECTED = "rejected"
NOTICE = "notice"
TRAINED = "trained"  # the latest run's trained model, as plain arrays (kept by ui.runs; read by the pages)
CLAIMS = "claims"  # (the design a result link opened with, the figures it claims), while that design is shown


def design() -> dict:
    """The session's design: from the share link it was opened with, else the default preset."""
    if DESIGN not in st.session_state:
        st.session_state[DESIGN] = _opening_design()
    return st.session_state[DESIGN]


def revision() -> int:
    """How many edits the session's design has taken (0 for the design it opened with)."""
    return st.session_state.get(REVISION, 0)


def facts() -> derived.Derived:
    """The design's network, counts and problems, derived once per revision."""
    kept = st.session_state.get(DERIVED)
    if kept is None or kept[0] != revision():
        kept = (revision(), derived.derive(design()))
        st.session_state[DERIVED] = kept
    return kept[1]


def _opening_design() -> dict:
    value = st.query_params.get(links.PARAMETER)
    if value is not None:
        try:
            opened = links.decode(value)
        except links.LinkError as error:
            reject("link", [Problem("", f"This link could not be opened: {error}. The default design is shown.")])
        else:
            _opening_claims(opened)
            return opened
    return presets.default_design()


def _opening_claims(opened: dict) -> None:
    """Keep a result link's claimed figures beside the design they are about; refuse unreadable ones."""
    value = st.query_params.get(links.RESULT)
    if value is None:
        return
    try:
        result = links.decode_result(value)
    except links.LinkError as error:
        reject("link", [Problem("", f"This link's result could not be read: {error}. The design is shown without it.")])
        return
    if exercises.FIELD not in opened:
        reject("link", [Problem("", "This link carries a result but no exercise, so its figures are not shown.")])
        return
    st.session_state[CLAIMS] = (opened, result, value)


def claims() -> dict | None:
    """The figures the session's result link claims, while its design is the one on screen; else None."""
    kept = st.session_state.get(CLAIMS)
    return kept[1] if kept is not None and kept[0] == design() else None


def sync_link() -> None:
    """Keep the address bar a link to the design on screen (it follows every edit), and to its claims while
    they still apply."""
    value = links.encode(design())
    if st.query_params.get(links.PARAMETER) != value:
        st.query_params[links.PARAMETER] = value
    kept = st.session_state.get(CLAIMS)
    if claims() is not None:  # a page switch empties the query string: the claims go back in
        if st.query_params.get(links.RESULT) != kept[2]:
            st.query_params[links.RESULT] = kept[2]
    elif links.RESULT in st.query_params:
        del st.query_params[links.RESULT]


def key(*parts: object) -> str:
    """The key of an editor widget: ``layer-1:units``. It names a place on the page, not a revision."""
    return ":".join(map(str, parts))


def commit(candidate: dict, origin: str = "", note: str | None = None) -> bool:
    """Make ``candidate`` the design if it has no errors; report whether it did.

    ``note`` is a sentence saying what the edit did besides the obvious, shown beside ``origin``.
    """
    found = errors(validate(candidate))
    locked = exercises.refused_edit(design(), candidate)
    if found or locked:
        reject(origin, [Problem("exercise.locks", refusal.message) for refusal in locked] or found)
        return False
    st.session_state[DESIGN] = candidate
    st.session_state[REVISION] = st.session_state.get(REVISION, 0) + 1
    st.session_state[REJECTED] = ("", [])
    st.session_state[NOTICE] = (origin, note) if note else ("", None)
    return True


def reject(origin: str, problems: list[Problem]) -> None:
    """Show ``problems`` beside the controls of ``origin`` until the next accepted edit."""
    st.session_state[REJECTED] = (origin, problems)


@dataclass(frozen=True)
class Edit:
    """An edit a control sends: ``function(design, *args)``, and how to say what it did."""

    function: Callable[..., dict]
    args: tuple = ()
    note: Callable[[dict, dict], str | None] | None = None  # (before, after) -> a sentence, or None


def apply(origin: str, edit: Edit, *value: object) -> None:
    """Callback: apply ``edit`` to the design (with the widget's ``value``, if any)."""
    before = design()
    try:
        candidate = edit.function(before, *edit.args, *value)
    except (LookupError, TypeError, ValueError):
        # Two quick clicks can deliver the second against a design the first
        # already changed; refuse it rather than show a traceback.
        message = "That change no longer fits the design on screen, so it was not applied. Please try again."
        reject(origin, [Problem("", message)])
        return
    commit(candidate, origin, edit.note(before, candidate) if edit.note else None)


def _apply_value(origin: str, widget_key: str, edit: Edit) -> None:
    if widget_key in st.session_state:
        apply(origin, edit, st.session_state[widget_key])


def bind(origin: str, field: str, value: object, edit: Edit) -> dict:
    """Keyword arguments for a widget that shows ``value`` (the design's) and sends changes as ``edit``.

    The widget's state is set to the design's value before it is drawn, so a
    refused value goes back at once, and an edit elsewhere (a layer removed
    above this one) shows here without creating the widget afresh.
    """
    widget_key = key(origin, field)
    if st.session_state.get(widget_key, _MISSING) != value:
        st.session_state[widget_key] = value
    return {"key": widget_key, "on_change": _apply_value, "args": (origin, widget_key, edit)}


_MISSING = object()


def rejected(origin: str) -> list[Problem]:
    """The errors of the last refused edit, if it came from ``origin``."""
    where, found = st.session_state.get(REJECTED, ("", []))
    return found if where == origin else []


def notice(origin: str) -> str | None:
    """What the last accepted edit from ``origin`` did besides the obvious, if it said."""
    where, note = st.session_state.get(NOTICE, ("", None))
    return note if where == origin else None
