"""Keras Network Designer: the entry file (Streamlit Community Cloud's default name)."""

import streamlit as st

from designer import workers
from ui import entry, plane_link, projector, session
from ui.text import plain

st.set_page_config(page_title="Keras Network Designer", page_icon=":material/hub:", layout="wide")
projector.switch()  # first: its callback sets the mode, which decides the styles and the navigation's place
st.html(projector.style_sheets())

pages = [
    st.Page("pages/design.py", title="Design", icon=":material/hub:", default=True),
    st.Page("pages/train.py", title="Train", icon=":material/monitoring:"),
    st.Page("pages/model.py", title="Model", icon=":material/grid_on:"),
    st.Page("pages/code.py", title="Code", icon=":material/code:"),
]
page = st.navigation(pages, position="top")  # a top bar leaves the page's whole width to the editors and the graph
session.design()  # from the share link, on whichever page it opens
plane_link.settings()  # the maps' plane too
for problem in session.rejected("link"):
    st.error(plain(problem.message), icon=":material/link_off:")
with entry.app_running():
    page.run()
session.sync_link()  # after the page, whose callbacks may have changed the design
projector.sync_link()
plane_link.sync_link(session.design())
workers.start_soon(delay=1.0)  # the training workers import TensorFlow once the first page is drawn
entry.freeze_imports()
