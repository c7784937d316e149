"""Design: build a network by clicking, and see its graph and parameters live."""

import streamlit as st

from designer import exercises, presets
from designer.graph import network_to_dot
from ui import data_source, editors, entry, exercise_maker, projector, session, views, walkthrough
from ui.session import Edit

entry.require_app()

design = session.design()
facts = session.facts()
net, summary, advice = facts.network, facts.summary, facts.warnings
look = projector.look()

PRESETS = {preset.key: preset for preset in presets.presets()}
SECTIONS = (
    ("Inputs", "inputs", editors.inputs_editor),
    ("Hidden layers", "layers", editors.layers_editor),
    ("Output heads", "heads", editors.heads_editor),
)


def preset_design(_design: dict, key: str) -> dict:
    """The edit that replaces the design with a preset."""
    return PRESETS[key].load()


title, picker = st.columns([3, 2], vertical_alignment="bottom")
title.title("Design a network")
in_exercise = exercises.FIELD in design
picker.selectbox(
    "Start from a preset",
    list(PRESETS),
    placeholder="Choose a preset design…",
    format_func=lambda key: PRESETS[key].title,
    disabled=in_exercise,
    help="This design is an exercise: leave it (at the top) to start from a preset" if in_exercise else None,
    **session.bind("preset", "preset", presets.matching(design), Edit(preset_design)),
)

if not projector.on():
    st.caption(
        "Add layers, choose activations, hang output heads on any layer: "
        "the graph and the parameter count follow every edit."
    )
build, walk = st.tabs(["Build", "Neuron by neuron"], key="design-view", on_change="rerun")
if build.open:
    with build:
        controls, picture = st.columns([11, 9], gap="large")
        with picture:  # drawn first: what an edit changes reaches the screen before the controls are sent again
            views.totals(summary)
            views.fresh_graph(network_to_dot(net, look.font_size, look.line_width), session.revision())
            views.parameter_table(summary)
        with controls:
            data_source.picker(design)
            for heading, part, editor in SECTIONS:
                if not exercises.hidden(design, part):  # an exercise may hide a whole section
                    st.subheader(heading)
                    editor(design, advice)
            if not in_exercise:  # an exercise's learner leaves it first (its button keeps the design)
                exercise_maker.panel(design, summary)
if walk.open:
    with walk:
        walkthrough.walkthrough(net, summary, look)
