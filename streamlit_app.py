"""Keras Network Designer: the entry file (Streamlit Community Cloud's default name)."""

import streamlit as st

from designer import workers
from ui import entry, exercise, plane_link, projector, session
from ui.text import plain

st.set_page_config(page_title="Keras Network Designer", page_icon=":material/hub:", layout="wide")
projector.switch()  # first: its callback sets the mode, which decides the styles and the navigation's place
st.html(projector.style_sheets())

design = session.design()  # from the share link, on whichever page it opens
pages = {
    "design": st.Page("pages/design.py", title="Design", icon=":material/hub:", default=True),
    "train": st.Page("pages/train.py", title="Train", icon=":material/monitoring:"),
    "model": st.Page("pages/model.py", title="Model", icon=":material/grid_on:"),
    "code": st.Page("pages/code.py", title="Code", icon=":material/code:"),
}
shown = [page for name, page in pages.items() if not exercise.page_hidden(design, name)]  # an exercise may hide some
page = st.navigation(shown, position="top")  # a top bar leaves the page's whole width to the editors and the graph
plane_link.settings()  # the maps' plane too
for problem in session.rejected("link"):
    st.error(plain(problem.message), icon=":material/link_off:")
exercise.banner(design)  # an edit's callback has run already; a run that ends on the page reruns it
with entry.app_running():
    page.run()
session.sync_link()  # after the page, whose callbacks may have changed the design
projector.sync_link()
plane_link.sync_link(session.design())
workers.start_soon(delay=1.0)  # the training workers import TensorFlow once the first page is drawn
entry.freeze_imports()
