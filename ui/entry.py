"""The entry file runs first, whichever page an address names.

Streamlit sees the ``pages/`` folder and, until a session has run
``streamlit_app.py`` (whose ``st.navigation`` takes over), a fresh server
answers an address such as ``/code?design=...`` by running ``pages/code.py``
alone: no navigation, no styles, no share link. Each page therefore asks for
the entry file; if it is not running, the page runs it, and it runs the page.
"""

from __future__ import annotations

import gc
import runpy
import sys
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


_frozen_at = 0  # how many modules were loaded when the server's objects were last frozen


def freeze_imports() -> None:
    """Keep the server's imported modules out of the garbage collector's sight (call after each page run).

    Streamlit runs a full collection after every script run; with Streamlit,
    NumPy, scikit-learn and Plotly loaded that scanned several hundred thousand
    long-lived objects on every edit, a third of the server's CPU per edit.
    ``gc.freeze()`` moves the objects alive now into a generation no collection
    scans, so each collection sees only what runs created since. It runs again
    whenever a page has imported more modules (the Train page loads Plotly).
    """
    global _frozen_at
    if len(sys.modules) != _frozen_at:
        gc.collect()
        gc.freeze()
        _frozen_at = len(sys.modules)
