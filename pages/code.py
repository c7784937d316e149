"""Code: the design as Keras code in the three API styles, as a design file, and as a link."""

import streamlit as st

from designer import export
from ui import entry, session, sharing
from ui.text import plain

entry.require_app()

design = session.design()

st.title("Keras code")
st.caption(
    "The network on the Design page as a complete script: the same data preparation, a `build_model()`, "
    "then compile, fit and evaluate with the design's settings. With the same seed it prints the test "
    "metrics the Train page shows: the same split, initial weights, dropout masks and batch order."
)

TITLES = {"sequential": "Sequential API", "functional": "Functional API", "subclassing": "Model subclassing"}
*code_tabs, file_tab = st.tabs([*TITLES.values(), "Design file and link"])
for tab, style in zip(code_tabs, TITLES, strict=True):
    with tab:
        problem = export.sequential_problem(design) if style == "sequential" else None
        if problem:
            refusal = plain(f"The Sequential API cannot express this design: {problem}")
            st.info(refusal + " See the **Functional API** tab.")
            continue
        try:
            code = export.export(design, style)
        except export.ExportError as refusal:
            st.error(plain(str(refusal)), icon=":material/error:")
            continue
        st.download_button(
            f"Download {export.file_name(style, design)}",
            code,
            file_name=export.file_name(style, design),
            mime="text/x-python",
            icon=":material/download:",
        )
        st.code(code, language="python", line_numbers=True)

with file_tab:
    sharing.design_file(design)
    sharing.share_link(design)
