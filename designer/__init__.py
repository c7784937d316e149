"""The designer's core: design files, validation, parameter counts and the graph.

Pure Python: nothing here imports Streamlit, and only
:mod:`designer.keras_model` imports Keras (lazily, when a model is built).
"""
