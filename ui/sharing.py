"""Design files and share links in the app.

Uploads and links are data only: they are parsed as JSON and validated, never
evaluated, imported or unpickled; an invalid one changes nothing.
"""

from __future__ import annotations

import json

import streamlit as st

from designer import links, spec
from designer.validation import Problem, errors, validate
from ui import projector, session
from ui.text import plain

MAX_UPLOAD_BYTES = 100_000


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
    st.file_uploader(
        "Open a design file",
        type=["json"],
        key=session.key("upload"),
        on_change=_upload,
        args=(session.key("upload"),),
        help=f"A design saved from this app (JSON, at most {MAX_UPLOAD_BYTES // 1000} KB)",
    )
    for problem in session.rejected("upload"):
        st.error(plain(problem.message), icon=":material/error:")


def _upload(widget_key: str) -> None:
    uploaded = st.session_state.get(widget_key)
    if uploaded is not None:
        design, problems = read_upload(uploaded.getvalue())
        if problems:
            session.reject("upload", problems)
        else:
            session.commit(design, "upload")


def read_upload(data: bytes) -> tuple[dict | None, list[Problem]]:
    """The design in an uploaded file, or what is wrong with it."""
    if len(data) > MAX_UPLOAD_BYTES:
        return None, [Problem("", f"The file is {len(data):,} bytes; a design file is at most {MAX_UPLOAD_BYTES:,}.")]
    try:
        design = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None, [Problem("", "The file is not a JSON design file.")]
    found = errors(validate(design))
    return (None, found) if found else (design, [])


def share_link(design: dict) -> None:
    """The link to this design (the address bar holds it too)."""
    st.subheader("Share link")
    st.caption(
        "The address bar always holds a link to what is on screen; this is the same link. "
        "It opens in projector mode if that is on now."
    )
    base = st.context.url.split("?")[0] if st.context.url else ""
    st.code(base + links.query_string(design, projector.on()), language=None, wrap_lines=True)
