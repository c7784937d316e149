"""Train: fit the design on Iris and watch each output's loss and accuracy (or error) live."""

import streamlit as st

from designer.validation import errors, validate
from ui import entry, session, training
from ui.text import plain

entry.require_app()

design = session.design()
training.settle_interrupted()

st.title("Train on Iris")
st.caption(
    "The network on the Design page, trained with Keras on 150 Iris flowers: "
    "curves for the training rows and for the validation rows held out from them, then a test on rows it never saw."
)
training.settings_editor(design)
for problem in session.rejected("training"):
    st.error(plain(problem.message), icon=":material/error:")

buttons = st.container(horizontal=True)
train_clicked = buttons.button(
    "Train", type="primary", icon=":material/play_arrow:", disabled=bool(errors(validate(design)))
)
stop_slot = buttons.empty()

if train_clicked and (started := training.start(design)):
    run, trainer = started
    heading = st.empty()
    heading.subheader(f"{run['label']} · training")
    stop_slot.button("Stop", icon=":material/stop:", help="Stop training; the model and curves so far are kept")
    training.train_live(run, trainer)
    heading.subheader(f"{run['label']} · {run['status']}")
    stop_slot.empty()
else:
    run, trainer = training.latest()
    if run is not None:
        st.subheader(f"{run['label']} · {run['status']}")
        training.curves(run)

if run is not None:
    training.results(run, trainer)

if len(training.runs()) > 1:
    st.subheader("Compare runs")
    training.comparison()
elif run is None:
    st.info("Press **Train** to fit the network. Every run of this session is kept here for comparison.")
