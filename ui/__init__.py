"""Streamlit helpers shared by the pages: the session's design and its editors."""
