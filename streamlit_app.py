"""Keras Network Designer: the entry file (Streamlit Community Cloud's default name)."""

from pathlib import Path

import streamlit as st

st.set_page_config(page_title="Keras Network Designer", page_icon=":material/hub:", layout="wide")
st.html(f"<style>{(Path(__file__).parent / 'assets' / 'style.css').read_text(encoding='utf-8')}</style>")

pages = [
    st.Page("pages/design.py", title="Design", icon=":material/hub:", default=True),
    st.Page("pages/train.py", title="Train", icon=":material/monitoring:"),
]
st.navigation(pages).run()
