"""Train: fit the design on Iris and watch each output's loss and accuracy (or error) live."""

import streamlit as st

from designer.validation import errors, validate
from ui import entry, runs, session, training
from ui.text import plain

entry.require_app()

design = session.design()
job = runs.active()

st.title("Train on Iris")
st.caption(
    "The network on the Design page, trained with Keras on 150 Iris flowers: "
    "curves for the training rows and for the validation rows held out from them, then a test on rows it never saw."
)
training.settings_editor(design)
for problem in session.rejected("training"):
    st.error(plain(problem.message), icon=":material/error:")
training.cost_note(design)

invalid = bool(errors(validate(design)))
with st.container(horizontal=True):
    st.button(
        "Train",
        type="primary",
        icon=":material/play_arrow:",
        disabled=invalid or job is not None,
        help="A run is under way: Stop ends it" if job is not None else None,
        on_click=runs.start,
    )
    if job is not None:
        st.button(
            "Stop",
            icon=":material/stop:",
            on_click=runs.stop,
            help="Stop training; the model and curves so far are kept",
        )
runs.show_refusal()

if job is not None:
    runs.follow(job, st.empty())
    st.rerun()  # drawn afresh: the Train button enabled, the Stop button gone, the results below

run, trained = runs.latest()
if run is not None:
    st.subheader(f"{run['label']} · {run['status']}")
    if run["history"]:
        st.caption(f"{len(run['history']['loss'])} epochs in {run['seconds']:.1f} s of training.")
    training.curves(run)
    training.results(run, trained)
elif not invalid:
    st.info("Press **Train** to fit the network. Every run of this session is kept here for comparison.")
    training.preview(design)

compared = [r for r in runs.runs() if r["history"]]
if len(compared) > 1:
    st.subheader("Compare runs")
    training.comparison(compared)
