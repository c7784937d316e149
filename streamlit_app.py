"""Keras Network Designer: the entry file (Streamlit Community Cloud's default name)."""

from pathlib import Path

import streamlit as st

from ui import entry, session
from ui.text import plain

st.set_page_config(page_title="Keras Network Designer", page_icon=":material/hub:", layout="wide")
st.html(f"<style>{(Path(__file__).parent / 'assets' / 'style.css').read_text(encoding='utf-8')}</style>")

pages = [
    st.Page("pages/design.py", title="Design", icon=":material/hub:", default=True),
    st.Page("pages/train.py", title="Train", icon=":material/monitoring:"),
    st.Page("pages/code.py", title="Code", icon=":material/code:"),
]
page = st.navigation(pages)
session.design()  # from the share link, on whichever page it opens
for problem in session.rejected("link"):
    st.error(plain(problem.message), icon=":material/link_off:")
with entry.app_running():
    page.run()
session.sync_link()  # after the page, whose callbacks may have changed the design
