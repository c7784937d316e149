"""Train: fit the design on its dataset and watch each output's loss and accuracy (or error) live."""

import streamlit as st

from designer import datasets
from ui import entry, maps, runs, session, settings, training
from ui.text import plain

entry.require_app()

design = session.design()
job = runs.active()

table = datasets.of(design)
st.title(plain(f"Train on {table.short_title}"))
st.caption(
    plain(f"The network on the Design page, trained with Keras on {table.rows_text()}:")
    + " curves for the training rows and for the validation rows held out from them, then a test on rows it never saw."
)
settings.settings_editor(design)
for problem in session.rejected("training"):
    st.error(plain(problem.on_page), icon=":material/error:")
training.cost_note(design)

refused = runs.why_not_trainable(design)
runs.controls(running=job is not None, refused=refused)
runs.show_refusal()
runs.show_why_not_trainable(design, refused)

if job is not None:
    while job is not None:  # a series (an exercise's seeds) starts its next run as one ends
        heading = st.empty()
        runs.follow(job, heading)  # until the run ends
        heading.empty()
        job = runs.active()
    # Drawn afresh: the controls free again, the run as any run, and the exercise's goals judged on it.
    st.rerun()

run, trained = runs.latest()
if run is not None:
    st.subheader(f"{run.label} · {run.state_text}")
    if run.history:
        st.caption(f"{run.epochs_done} epochs in {run.seconds:.1f} s of training.")
        training.curves(run.heads, run.history)
    elif run.untrained:
        st.info("Untrained, at epoch 0: **+1 epoch** and **+10 epochs** train it step by step from here.")
        training.preview(run.design)
    training.results(run, trained)
    if trained is not None:
        maps.section(run, trained)
elif not refused:
    st.info("Press **Train** to fit the network. Every run of this session is kept here for comparison.")
    training.preview(design)

compared = [r for r in runs.runs() if r.history]
if len(compared) > 1:
    st.subheader("Compare runs")
    training.comparison(compared)
