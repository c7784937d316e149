"""Streamlit's AppTest, put in the state a running server is in (not a test module).

The app keeps its pages in a folder named ``pages/``, so Streamlit starts in its
legacy "pages directory" mode, in which an address runs a page's file without
``streamlit_app.py``, until ``st.navigation`` is first called; a real server
then leaves that mode for good (and ``ui/entry.py`` covers the first request).
AppTest re-enters the mode before every run, so each rerun would run the entry
file twice over (the page runs it, and it runs the page). This puts AppTest in
the server's steady state.
"""

from __future__ import annotations

from streamlit.runtime.pages_manager import PagesManager


def navigation_steady_state(setattr_) -> None:
    """Make every PagesManager start in navigation mode; ``setattr_`` is e.g. ``monkeypatch.setattr``."""
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    setattr_(PagesManager, "__init__", init)
