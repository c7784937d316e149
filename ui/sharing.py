"""Design files and share links in the app.

Uploads and links are data only: they are parsed by
:func:`designer.parsing.parse_design` (sizes, nesting and structure capped
before validation) and validated, never evaluated, imported or unpickled; an
invalid one changes nothing, and at most a few of its problems are shown.
"""

from __future__ import annotations

import streamlit as st

from designer import links, parsing, spec
from designer.validation import Problem, errors, validate
from ui import projector, session
from ui.text import plain

MAX_UPLOAD_BYTES = parsing.MAX_DESIGN_BYTES


def design_file(design: dict) -> None:
    """Download the design as JSON; upload one to replace it."""
    st.subheader("Design file")
    st.download_button(
        "Download design.json",
        spec.dumps(design),
        file_name="design.json",
        mime="application/json",
        icon=":material/download:",
    )
    # A file uploader cannot be emptied from the script, so each accepted edit gets a fresh one.
    upload_key = session.key("upload", session.revision())
    st.file_uploader(
        "Open a design file",
        type=["json"],
        key=upload_key,
        on_change=_upload,
        args=(upload_key,),
        help=f"A design saved from this app (JSON, at most {MAX_UPLOAD_BYTES // 1000} KB)",
    )
    for problem in session.rejected("upload"):
        st.error(plain(problem.on_page), icon=":material/error:")


def _upload(widget_key: str) -> None:
    uploaded = st.session_state.get(widget_key)
    if uploaded is not None:
        design, problems = read_upload(uploaded.getvalue())
        if problems:
            session.reject("upload", problems)
        else:
            session.commit(design, "upload")


def read_upload(data: bytes) -> tuple[dict | None, list[Problem]]:
    """The design in an uploaded file, or what is wrong with it (at most a few problems, each of bounded length)."""
    try:
        design = parsing.parse_design(data)
    except parsing.DesignTextError as error:
        return None, [Problem("", _refusal(error, len(data)))]
    found = errors(validate(design))
    if not found:
        return design, []
    messages = parsing.bounded([p.on_page for p in found])  # the first few, then "…and K more problems"
    shown = [Problem(p.field, message, p.severity) for p, message in zip(found, messages, strict=False)]
    return None, shown[: parsing.MAX_SHOWN] + [Problem("", message) for message in messages[parsing.MAX_SHOWN :]]


def _refusal(error: parsing.DesignTextError, size: int) -> str:
    if error.reason == parsing.SIZE:
        return f"The file is {size:,} bytes; a design file is at most {MAX_UPLOAD_BYTES:,}."
    message = parsing.shorten(error.message)
    if error.reason in (parsing.ENCODING, parsing.JSON):
        return f"The file is not a JSON design file. {message[:1].upper()}{message[1:]}"
    return message


def share_link(design: dict) -> None:
    """The link to this design (the address bar holds it too)."""
    st.subheader("Share link")
    st.caption(
        "The address bar always holds a link to what is on screen; this is the same link. "
        "It opens in projector mode if that is on now."
    )
    st.code(app_address() + links.query_string(design, projector.on()), language=None, wrap_lines=True)


def app_address() -> str:
    """The app's address without its query string (empty where it is not known), to put a link's query after."""
    return st.context.url.split("?")[0] if st.context.url else ""
