"""The entry file runs first, whichever page an address names.

Streamlit sees the ``pages/`` folder and, until a session has run
``streamlit_app.py`` (whose ``st.navigation`` takes over), a fresh server
answers an address such as ``/code?design=...`` by running ``pages/code.py``
alone: no navigation, no styles, no share link. Each page therefore asks for
the entry file; if it is not running, the page runs it, and it runs the page.
"""

from __future__ import annotations

import runpy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import streamlit as st

APP = Path(__file__).resolve().parent.parent / "streamlit_app.py"
_running = threading.local()  # one script run per thread


@contextmanager
def app_running() -> Iterator[None]:
    """Mark the pages run inside this block as run by the entry file."""
    _running.app = True
    try:
        yield
    finally:
        _running.app = False


def require_app() -> None:
    """Called first by every page: run the entry file instead, if it is not running."""
    if not getattr(_running, "app", False):
        runpy.run_path(str(APP), run_name="__main__")
        st.stop()
