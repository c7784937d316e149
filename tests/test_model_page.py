"""The Model page, driven through Streamlit's AppTest (no browser), checked against Keras itself.

The page's tabs are lazy (``st.tabs(..., key="model-view", on_change="rerun")``): only the open tab's
content runs. AppTest has no element to click a tab with (its ``Tab`` blocks are not widgets), but the
tab container is a widget keyed ``model-view`` whose value is the open tab's label, so a test opens a
tab by setting ``at.session_state["model-view"]`` before the next run; the value then persists over
reruns like any widget's.
"""

from __future__ import annotations

import numpy as np
import pydot
import pytest
from apptest_support import (
    DESIGN_PAGE,
    MODEL_PAGE,
    TRAIN_PAGE,
    charts,
    choose_tab,
    keyed,
    navigation_steady_state,
    open_session,
    plotly_values,
    press_train,
    set_epochs,
    widget,
)
from streamlit.testing.v1 import AppTest

from designer import presets, spec
from designer.keras_model import build_model, summary_text
from designer.network import resolve
from designer.neurons import neuron_dot
from designer.training import Trainer
from ui.projector import NORMAL

pytestmark = [
    pytest.mark.keras,
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),  # pydot's own use of old pyparsing names
]

TABS = ["Learned weights", "Weight matrices", "model.summary()", "Keras graph"]
EPOCHS = 3  # a run of a second or so


def open_model_page() -> AppTest:
    """A fresh session opened on the Model page, with the default design."""
    at = open_session(MODEL_PAGE, timeout=120)
    assert [t.label for t in at.tabs] == TABS
    return at


def open_tab(at: AppTest, label: str) -> AppTest:
    """Open one of the page's tabs (the value of the tab container's widget) and rerun."""
    return choose_tab(at, "model-view", label)


def reference_model(design: dict):
    """The design's untrained Keras model, built here as the page builds it (same seed)."""
    return build_model(design, seed=spec.training_settings(design)["seed"])


def code_text(text: str) -> str:
    """``text`` as ``st.code`` keeps it: Streamlit drops one leading and one trailing newline."""
    return text.removeprefix("\n").removesuffix("\n")


def heatmaps(at: AppTest) -> dict[str, np.ndarray]:
    """The z values of each heatmap on the page, by its figure's title."""
    found = {}
    for figure in charts(at):
        [trace] = figure["data"]
        assert trace["type"] == "heatmap"
        found[figure["layout"]["title"]["text"]] = plotly_values(trace["z"])
    return found


def layer_heatmaps(at: AppTest, layer: str) -> tuple[np.ndarray, np.ndarray]:
    """The kernel and bias heatmaps of ``layer``, and nothing else on the page."""
    shown = heatmaps(at)
    assert len(shown) == 2, list(shown)
    kernel = next(z for title, z in shown.items() if title.startswith(f"{layer}: kernel "))
    bias = next(z for title, z in shown.items() if title.startswith(f"{layer}: bias "))
    return kernel, bias


def layer_picker(at: AppTest):
    return keyed(at.segmented_control, "weights:")


def train_a_run(epochs: int = EPOCHS) -> AppTest:
    """A session that trained the default design on the Train page, as a learner does."""
    at = open_session(TRAIN_PAGE, timeout=120)
    set_epochs(at, epochs)
    press_train(at)
    assert len(at.session_state["runs"]) == 1
    assert at.session_state["trained"]["epochs"] == epochs
    return at


def trained_model(at: AppTest):
    """The reference: the session's design trained here, in the test process, with the same seed.

    The page's model was trained in a worker process; training is reproducible, so the two are the same.
    """
    trainer = Trainer(at.session_state["runs"][-1].design)
    trainer.train()
    return trainer.model


@pytest.fixture(scope="module")
def trained() -> AppTest:
    """One trained session, on the Model page (shared by the tests that only look).

    A module fixture is set up before the autouse, function-scoped ``navigation_mode`` of conftest.py,
    so it puts AppTest in the server's steady state itself for its own runs.
    """
    with pytest.MonkeyPatch.context() as patch:
        navigation_steady_state(patch.setattr)
        at = train_a_run()
        at.switch_page(MODEL_PAGE).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


# ----------------------------------------------------------------------------------------- untrained


def test_the_summary_tab_shows_what_keras_prints():
    at = open_model_page()
    design = at.session_state["design"]
    assert design == presets.default_design()
    assert not at.code, "the summary tab is closed: its content must not run"
    open_tab(at, "model.summary()")
    expected = code_text(summary_text(reference_model(design)))
    assert [c.value for c in at.code] == [expected]
    assert "Total params: 273" in expected  # Keras' own count of the lecture's network
    at.run()
    assert [c.value for c in at.code] == [expected], "the open tab stays open over a rerun"


def test_the_page_says_the_model_is_untrained():
    at = open_model_page()
    assert any("not trained yet" in m.value for m in at.markdown)
    assert not any("Run 1" in m.value for m in at.markdown)


def test_the_weight_matrices_are_the_keras_kernels_and_biases():
    at = open_tab(open_model_page(), "Weight matrices")
    model = reference_model(at.session_state["design"])
    picker = layer_picker(at)
    dense = [layer.name for layer in model.layers if layer.weights]
    assert picker.options == dense
    first = picker.value
    assert first == dense[0]
    kernel, bias = layer_heatmaps(at, first)
    keras_kernel, keras_bias = model.get_layer(first).get_weights()
    assert kernel.shape == keras_kernel.shape
    assert bias.shape == (1, model.get_layer(first).units)
    # The same seed gives the same initial weights: the page shows this model's numbers.
    assert np.array_equal(kernel, keras_kernel)
    assert np.array_equal(bias[0], keras_bias)


@pytest.mark.parametrize("name", ["hidden_2", "species"])
def test_choosing_another_layer_shows_its_matrices(name):
    at = open_tab(open_model_page(), "Weight matrices")
    layer_picker(at).set_value(name).run()
    assert not at.exception
    assert at.session_state["model-view"] == "Weight matrices"
    assert layer_picker(at).value == name
    layer = reference_model(at.session_state["design"]).get_layer(name)
    kernel, bias = layer_heatmaps(at, name)
    assert kernel.shape == tuple(layer.kernel.shape)
    assert bias.shape == (1, layer.units)
    assert np.array_equal(kernel, layer.get_weights()[0])


def test_the_keras_graph_has_a_node_per_layer():
    at = open_tab(open_model_page(), "Keras graph")
    [chart] = at.get("graphviz_chart")
    [graph] = pydot.graph_from_dot_data(chart.proto.spec)
    nodes = [node for node in graph.get_nodes() if node.get_name() not in ("node", "edge", "graph")]
    model = reference_model(at.session_state["design"])
    assert len(nodes) == len(model.layers)
    labels = [node.get("label") for node in nodes]
    for layer in model.layers:
        assert sum(f"<b>{layer.name}</b>" in label for label in labels) == 1, layer.name
    assert len(graph.get_edges()) == len(model.layers) - 1  # the lecture's network is one chain


# ------------------------------------------------------------------------------------------- trained


def test_after_training_the_page_names_the_run(trained):
    run, record = trained.session_state["runs"][-1], trained.session_state["trained"]
    assert run.label.startswith("Run 1:")
    [which] = [m.value for m in trained.markdown if "Run 1" in m.value]
    assert f"**{run.label}**" in which
    assert f"({record['epochs']} epochs)" in which
    assert record["epochs"] == len(run.history["loss"]) == EPOCHS


@pytest.mark.parametrize("name", ["hidden_1", "hidden_3", "species"])
def test_after_training_the_weights_are_the_trained_models(trained, name):
    at = open_tab(trained, "Weight matrices")
    layer_picker(at).set_value(name).run()
    assert not at.exception
    kernel, bias = layer_heatmaps(at, name)
    learned_kernel, learned_bias = trained_model(at).get_layer(name).get_weights()
    assert np.allclose(kernel, learned_kernel)
    assert np.allclose(bias[0], learned_bias)
    initial = reference_model(at.session_state["design"]).get_layer(name).get_weights()[0]
    assert not np.allclose(kernel, initial), "training changed the weights, and the page shows the new ones"


def test_after_training_the_summary_is_the_trained_models(trained):
    at = open_tab(trained, "model.summary()")
    assert [c.value for c in at.code] == [code_text(summary_text(trained_model(at)))]


def test_after_training_the_neuron_view_is_coloured_by_the_trained_weights(trained):
    at = open_tab(trained, "Learned weights")
    design, model = at.session_state["design"], trained_model(at)
    kernels, biases = {}, {}
    for layer in model.layers:
        if layer.weights:
            kernels[layer.name], biases[layer.name] = layer.get_weights()
    expected = neuron_dot(resolve(design), kernels, biases, None, NORMAL.font_size, NORMAL.line_width)
    [chart] = at.get("graphviz_chart")
    assert chart.proto.spec == expected


def test_after_an_edit_the_page_shows_the_edited_design_untrained():
    at = train_a_run()
    at.switch_page(DESIGN_PAGE).run()
    widget(at.number_input, "layer-0:units").set_value(16).run()
    assert at.session_state["design"]["layers"][0]["units"] == 16
    at.switch_page(MODEL_PAGE).run()
    assert not at.exception
    assert any("not trained yet" in m.value for m in at.markdown)
    assert not any("Run 1" in m.value for m in at.markdown)
    open_tab(at, "Weight matrices")
    layer = reference_model(at.session_state["design"]).get_layer("hidden_1")
    kernel, bias = layer_heatmaps(at, "hidden_1")
    assert kernel.shape == tuple(layer.kernel.shape) == (4, 16)
    assert bias.shape == (1, 16)
    assert np.array_equal(kernel, layer.get_weights()[0])
