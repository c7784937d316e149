"""Keras Network Designer: the entry file (Streamlit Community Cloud's default name)."""

import streamlit as st

st.set_page_config(page_title="Keras Network Designer", page_icon=":material/hub:", layout="wide")

pages = [st.Page("pages/design.py", title="Design", icon=":material/hub:", default=True)]
st.navigation(pages).run()
