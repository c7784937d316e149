"""The classroom features, driven through Streamlit's AppTest (no browser): the Design page's walk through
the network neuron by neuron, and projector mode on every page, in share links and on the command line.

Expected values come from the designer's pure functions and from Keras, computed here, never from the app.
The Design page's tabs are lazy (``st.tabs(..., key="design-view", on_change="rerun")``); AppTest cannot
click a tab, so a test opens one by setting the tab container's widget value,
``at.session_state["design-view"]``, before the next run.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs

import pydot
import pytest
from apptest_support import CODE_PAGE, DESIGN_PAGE, TRAIN_PAGE, choose_tab, graph_source, keyed, open_session
from cli_support import preset_path, run_cli
from streamlit.testing.v1 import AppTest

from designer import links, params, presets, spec
from designer.graph import network_to_dot
from designer.network import resolve
from designer.neurons import neuron_dot
from ui.projector import NORMAL, PROJECTOR
from ui.text import unescape

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pydot's own use of old pyparsing names

PROJECTOR_CSS = (Path(__file__).resolve().parent.parent / "assets" / "projector.css").read_text(encoding="utf-8")
NEURON_SHAPES = ("circle", "box")  # a unit of a layer; an input column or an output


def open_app(page: str = DESIGN_PAGE, projector: bool = False) -> AppTest:
    """A fresh session opened on ``page``, with ``?projector=true`` in its address if asked."""
    return open_session(page, query={"projector": "true"} if projector else None)


def open_walkthrough(at: AppTest) -> AppTest:
    """Open the Design page's "Neuron by neuron" tab."""
    return choose_tab(at, "design-view", "Neuron by neuron")


def walk_picker(at: AppTest):
    return keyed(at.segmented_control, "walk:")


def parse(dot: str) -> pydot.Dot:
    [graph] = pydot.graph_from_dot_data(dot)
    return graph


def nodes(graph: pydot.Dot) -> dict[str, pydot.Node]:
    """The graph's nodes by name, without the ``node``/``edge``/``graph`` default statements."""
    return {node.get_name(): node for node in graph.get_nodes() if node.get_name() not in ("node", "edge", "graph")}


def default_font_size(dot: str) -> int:
    """The ``fontsize`` of the graph's ``node [...]`` defaults."""
    [defaults] = parse(dot).get_node("node")
    return int(defaults.get("fontsize"))


def session_net(at: AppTest):
    return resolve(at.session_state["design"])


def styles(at: AppTest) -> str:
    """Every ``st.html`` body the page sent."""
    return "\n".join(element.proto.body for element in at.get("html"))


def projector_switch(at: AppTest):
    """The one "Projector mode" switch (found by its label: its key is the app's business)."""
    [switch] = [b for b in at.button if b.label == "Projector mode"]
    return switch


def switch_shows_on(at: AppTest) -> bool:
    """Whether the switch shows the mode as on (a filled, primary button)."""
    return projector_switch(at).proto.type == "primary"


def in_expander(at: AppTest, label: str) -> bool:
    """Whether the number input labelled ``label`` is inside an expander (there must be exactly one)."""
    assert [n.label for n in at.number_input].count(label) == 1, [n.label for n in at.number_input]
    return any(label in [n.label for n in expander.number_input] for expander in at.expander)


def share_link(at: AppTest) -> str:
    """The link on the Code page's "Design file and link" tab."""
    [file_tab] = [t for t in at.tabs if t.label == "Design file and link"]
    [code] = file_tab.code
    return code.value


# ----------------------------------------------------------------------------------- neuron by neuron


def test_the_neuron_view_draws_a_neuron_per_unit():
    at = open_app()
    assert not at.segmented_control, "the walk-through tab is closed: its content must not run"
    open_walkthrough(at)
    net = session_net(at)
    assert at.session_state["design"] == presets.default_design()
    shown = parse(graph_source(at))
    reference = parse(neuron_dot(net, font_size=NORMAL.font_size, line_width=NORMAL.line_width))
    assert set(nodes(shown)) == set(nodes(reference))
    neurons = [node for node in nodes(shown).values() if node.get("shape") in NEURON_SHAPES]
    widths = sum(node.width for node in net.used_nodes)
    assert len(neurons) == widths == 4 + 8 + 10 + 10 + 3
    assert walk_picker(at).options == [node.name for node in net.used_nodes if node.kind != "input"]
    assert walk_picker(at).value is None


@pytest.mark.keras
def test_walking_to_hidden_2_explains_its_count():
    from designer.keras_model import build_model

    at = open_walkthrough(open_app())
    walk_picker(at).set_value("hidden_2").run()
    assert not at.exception
    assert at.session_state["design-view"] == "Neuron by neuron"
    design = at.session_state["design"]
    net = resolve(design)
    summary = params.summarize_network(net)
    steps = params.explain(net, "hidden_2")
    numbered = "\n".join(f"{number}. {step}" for number, step in enumerate(steps, 1))
    assert numbered in [unescape(m.value) for m in at.markdown]
    total = params.running_total(summary, "hidden_2")
    assert any(total in m.value and "Running total" in m.value for m in at.markdown), [m.value for m in at.markdown]
    keras_count = build_model(design, seed=spec.training_settings(design)["seed"]).get_layer("hidden_2").count_params()
    assert keras_count == 90
    assert f"hidden_2: {keras_count} parameters" in [unescape(s.value) for s in at.subheader]
    # The chosen layer stands out in the picture: the designer's drawing with that focus.
    focused = neuron_dot(net, focus="hidden_2", font_size=NORMAL.font_size, line_width=NORMAL.line_width)
    assert graph_source(at) == focused


# ------------------------------------------------------------------------------------------ projector mode


def test_opening_with_projector_true_turns_projector_mode_on():
    at = open_app(projector=True)
    assert switch_shows_on(at) is True
    assert PROJECTOR_CSS in styles(at)
    dot = graph_source(at)
    assert default_font_size(dot) == PROJECTOR.font_size == 20
    assert dot == network_to_dot(session_net(at), PROJECTOR.font_size, PROJECTOR.line_width)
    open_walkthrough(at)
    assert default_font_size(graph_source(at)) == PROJECTOR.font_size


def test_without_the_parameter_the_mode_is_off():
    at = open_app()
    assert switch_shows_on(at) is False
    assert PROJECTOR_CSS not in styles(at)
    assert "<style>" in styles(at)  # the app's own style sheet is still there
    dot = graph_source(at)
    assert default_font_size(dot) == NORMAL.font_size
    assert dot == network_to_dot(session_net(at), NORMAL.font_size, NORMAL.line_width)


def test_the_toggle_switches_the_mode_across_pages():
    """The mode follows the switch on every page (the address bar's copy is checked in Chromium by
    tests/test_browser_projector.py: how it gets there is Streamlit's and the browser's business)."""
    at = open_app()
    projector_switch(at).click().run()
    assert not at.exception
    assert PROJECTOR_CSS in styles(at)
    assert default_font_size(graph_source(at)) == PROJECTOR.font_size
    at.switch_page(TRAIN_PAGE).run()
    assert not at.exception
    assert switch_shows_on(at) is True
    assert in_expander(at, "Test size"), "projector mode tucks the secondary settings away"
    at.switch_page(DESIGN_PAGE).run()
    projector_switch(at).click().run()
    assert not at.exception
    assert PROJECTOR_CSS not in styles(at)
    assert default_font_size(graph_source(at)) == NORMAL.font_size


@pytest.mark.parametrize("projector", [False, True], ids=["normal", "projector"])
def test_the_train_page_tucks_secondary_settings_away_only_in_projector_mode(projector):
    at = open_app(TRAIN_PAGE, projector=projector)
    assert in_expander(at, "Test size") is projector
    assert not in_expander(at, "Epochs")  # the main settings stay in view


# ------------------------------------------------------------------------------------------- share links


@pytest.mark.parametrize("projector", [False, True], ids=["normal", "projector"])
def test_the_share_link_carries_the_mode(projector):
    at = open_app(CODE_PAGE, projector=projector)
    link = share_link(at)
    query = link.partition("?")[2]
    assert ("projector=true" in link) is projector
    assert parse_qs(query).get("projector", []) == (["true"] if projector else [])
    assert links.from_query_string(query) == at.session_state["design"]
    assert links.from_query_string(query) == presets.default_design()


def test_the_share_link_follows_the_toggle():
    at = open_app(CODE_PAGE)
    assert "projector=true" not in share_link(at)
    projector_switch(at).click().run()
    assert not at.exception
    assert "projector=true" in share_link(at)
    assert links.from_query_string(share_link(at).partition("?")[2]) == at.session_state["design"]


# -------------------------------------------------------------------------------------------- command line


@pytest.mark.parametrize("projector", [False, True], ids=["normal", "projector"])
def test_the_cli_link_carries_the_mode(projector):
    key = "lecture_two_outputs"
    result = run_cli("link", *(["--projector"] if projector else []), preset_path(key))
    assert result.returncode == 0, result.stderr
    [line] = result.stdout.splitlines()
    assert re.fullmatch(r"\?\S+", line), line
    query = parse_qs(line.removeprefix("?"))
    assert query.get("projector", []) == (["true"] if projector else [])
    assert links.from_query_string(line) == spec.load(preset_path(key))
