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

buttons = st.container(horizontal=True)
train_clicked = buttons.button(
    "Train",
    type="primary",
    icon=":material/play_arrow:",
    disabled=bool(errors(validate(design))) or job is not None,
    help="A run is under way: stop it first" if job is not None else None,
)
stop_slot = buttons.empty()

if train_clicked and job is None:
    job = runs.start(design)
if job is not None:
    heading = st.empty()
    stop_slot.button(
        "Stop", icon=":material/stop:", on_click=runs.stop, help="Stop training; the model and curves so far are kept"
    )
    runs.follow(job, heading)
    stop_slot.empty()
    heading.empty()

run, trained = runs.latest()
if run is not None:
    st.subheader(f"{run['label']} · {run['status']}")
    training.curves(run)
    training.results(run, trained)

compared = [r for r in runs.runs() if r["history"]]
if len(compared) > 1:
    st.subheader("Compare runs")
    training.comparison(compared)
elif run is None:
    st.info("Press **Train** to fit the network. Every run of this session is kept here for comparison.")
