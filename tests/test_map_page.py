"""The Train page's decision maps, through AppTest: a map per head and per unit after a run, redrawn without a run."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from apptest_support import (
    DESIGN_PAGE,
    TRAIN_PAGE,
    charts,
    choose_tab,
    keyed,
    labelled,
    load_preset,
    open_session,
    plotly_values,
    preset_design,
    press_train,
    set_epochs,
)
from sklearn.datasets import load_iris, load_wine
from test_maps import independent_inputs

from designer import datasets, maps, parsing, spec
from designer.keras_model import restore_model
from ui import map_charts
from ui.projector import PROJECTOR
from ui.text import plain, unescape

pytestmark = pytest.mark.keras

TWO_OUTPUTS = "lecture_two_outputs"


def trained_session(preset: str = TWO_OUTPUTS, epochs: int = 20):
    at = open_session(timeout=120)
    load_preset(at, preset)
    at.switch_page(TRAIN_PAGE).run()
    set_epochs(at, epochs)
    press_train(at)
    assert not at.exception
    return at


def titled(at, start: str) -> list[dict]:
    return [f for f in charts(at) if f["layout"].get("title", {}).get("text", "").startswith(start)]


def captions(at) -> str:
    """The captions' words, as a reader sees them."""
    return unescape(" ".join(c.value for c in at.caption))


def heatmaps(figure: dict) -> list[dict]:
    return [trace for trace in figure["data"] if trace.get("type") == "heatmap"]


def reference_map(at, x: str, y: str) -> maps.Map:
    """The map computed here from the session's kept weights, for the page's plane."""
    trained = at.session_state["trained"]
    from designer.data import prepare

    data = prepare(trained["design"])
    plane = maps.plane(trained["design"], data, x, y)
    return maps.compute(restore_model(trained["design"], trained["weights"]), trained["design"], data, plane)


def test_a_map_per_head_and_per_unit_after_training():
    at = trained_session()
    species = titled(at, "species: the species it predicts")
    width = titled(at, "petal_width: predicted petal_width")
    assert len(species) == 1 and len(width) == 1
    # Three layers of colour, one per species, where that species is predicted.
    assert [t["name"] for t in heatmaps(species[0])] == list(datasets.IRIS.column("species").categories)
    expected = reference_map(at, "petal_length", "sepal_length")
    shown = np.stack([plotly_values(t["z"]) for t in heatmaps(species[0])])
    predicted = np.nanargmax(np.nan_to_num(shown, nan=-1), axis=0)
    np.testing.assert_array_equal(predicted, expected.heads["species"]["predicted"])
    (value,) = heatmaps(width[0])
    np.testing.assert_allclose(plotly_values(value["z"]), expected.heads["petal_width"]["predicted"], rtol=1e-5)
    assert not titled(at, "hidden_1: each unit's activation")  # drawn once a layer is picked
    labelled(at.selectbox, "Layer").set_value("hidden_1").run()
    units = titled(at, "hidden_1: each unit's activation")
    assert len(units) == 1 and len(heatmaps(units[0])) == 8
    assert len(at.session_state["runs"]) == 1


def test_the_flowers_are_drawn_on_the_species_map():
    at = trained_session()
    (figure,) = titled(at, "species: the species it predicts")
    flowers = [
        t
        for t in figure["data"]
        if t.get("type") == "scatter" and t["name"] in datasets.IRIS.column("species").categories
    ]
    assert sum(len(plotly_values(t["x"])) for t in flowers) == 96 + 30  # the training and the test rows
    setosa = next(t for t in flowers if t["name"] == "setosa")
    iris = load_iris()
    assert set(np.round(plotly_values(setosa["x"]), 2)) <= set(np.round(iris.data[iris.target == 0, 2], 2))


def test_changing_an_axis_redraws_without_a_new_run():
    at = trained_session()
    runs = len(at.session_state["runs"])
    labelled(at.selectbox, "Up (y)").set_value("sepal_width").run()
    assert not at.exception
    assert len(at.session_state["runs"]) == runs
    (figure,) = titled(at, "species: the species it predicts")
    assert figure["layout"]["yaxis"]["title"]["text"] == "sepal_width (cm)"
    expected = reference_map(at, "petal_length", "sepal_width")
    (value,) = heatmaps(titled(at, "petal_width: predicted petal_width")[0])
    np.testing.assert_allclose(plotly_values(value["z"]), expected.heads["petal_width"]["predicted"], rtol=1e-5)


def test_picking_the_other_axis_column_swaps_the_axes():
    at = trained_session()
    labelled(at.selectbox, "Across (x)").set_value("sepal_length").run()
    (figure,) = titled(at, "species: the species it predicts")
    assert figure["layout"]["xaxis"]["title"]["text"] == "sepal_length (cm)"
    assert figure["layout"]["yaxis"]["title"]["text"] == "petal_length (cm)"


def test_a_held_measurement_moves_the_map():
    at = trained_session()
    before = plotly_values(heatmaps(titled(at, "petal_width: predicted petal_width")[0])[0]["z"])
    slider = labelled(at.slider, plain("sepal_width held at (cm)"))
    assert (slider.min, slider.max) == (2.0, 3.9)  # the training rows' range (the test rows reach 4.4)
    assert (slider.step, slider.value, slider.proto.format) == (0.05, 3.0, "%.2f")  # 3.008, on the step
    slider.set_value(3.8).run()
    assert not at.exception
    after = plotly_values(heatmaps(titled(at, "petal_width: predicted petal_width")[0])[0]["z"])
    assert not np.allclose(before, after)
    assert "sepal_width at 3.8 cm" in captions(at)


def test_a_wide_tables_held_columns_wait_in_an_expander_and_still_move_the_map():
    at = trained_session("wine", epochs=5)
    held = len(load_wine().feature_names) - 2  # all but the two on the axes
    (panel,) = [e for e in at.expander if e.label == f"The other {held} inputs, held fixed"]
    assert len(panel.slider) == held
    caption = unescape(" ".join(c.value for c in at.caption))
    assert f"the other {held} inputs held fixed" in caption and "alcohol at" not in caption
    before = plotly_values(heatmaps(titled(at, "cultivar: the cultivar it predicts")[0])[0]["z"])
    proline = labelled(panel.slider, "proline held at")  # 325 to 1,515 in the training rows
    assert (proline.min, proline.max, proline.step, proline.proto.format) == (300.0, 1550.0, 50.0, "%,d")
    alcohol = labelled(panel.slider, "alcohol held at")
    alcohol.set_value(alcohol.max).run()
    assert not at.exception
    assert not np.allclose(before, plotly_values(heatmaps(titled(at, "cultivar: the cultivar it predicts")[0])[0]["z"]))


# --- step by step, reset, the baseline, the live map -----------------------------------------------


def step_button(at, label: str):
    return labelled(at.button, label)


def test_one_more_epoch_and_ten_more_go_on_with_the_same_run():
    at = trained_session("lecture_sequential", epochs=5)
    before = at.session_state["runs"][-1]
    step_button(at, "+1 epoch").click().run()
    step_button(at, "+10 epochs").click().run()
    assert not at.exception
    runs = at.session_state["runs"]
    assert len(runs) == 1
    after = runs[-1]
    assert after.epochs_done == 16 and after.status == "finished"
    assert after.history["loss"][:5] == before.history["loss"]
    assert at.session_state["trained"]["state"].epochs_done == 16


def test_reset_then_steps_reproduce_a_run_of_as_many_epochs():
    at = trained_session("lecture_sequential", epochs=3)
    first = at.session_state["runs"][-1]
    step_button(at, "Reset").click().run()
    reset = at.session_state["runs"][-1]
    assert len(at.session_state["runs"]) == 2 and reset.epochs_done == 0 and reset.test is not None
    assert titled(at, "species: the species it predicts")  # the untrained network's map
    for _ in range(3):
        step_button(at, "+1 epoch").click().run()
    again = at.session_state["runs"][-1]
    assert again.number == reset.number
    np.testing.assert_allclose(again.history["loss"], first.history["loss"], rtol=1e-5)
    assert again.test == pytest.approx(first.test, rel=1e-5)


def test_reset_with_a_new_seed_changes_the_designs_seed():
    at = trained_session("lecture_sequential", epochs=2)
    seed = at.session_state["design"]["training"].get("seed", spec.DEFAULT_TRAINING["seed"])
    step_button(at, "Reset, new seed").click().run()
    assert not at.exception
    assert at.session_state["design"]["training"]["seed"] != seed
    assert at.session_state["runs"][-1].design["training"]["seed"] == at.session_state["design"]["training"]["seed"]


def test_the_results_say_whether_the_network_beat_the_plain_models():
    at = trained_session()
    text = unescape(" ".join(m.value for m in at.markdown))
    run = at.session_state["runs"][-1]
    assert f"The network's accuracy on the test rows, {run.test['species_accuracy'] * 100:.1f} %," in text
    assert "logistic regression's" in text and "linear regression's" in text


def test_a_run_reports_its_map_as_it_trains():
    from designer import presets, workers
    from designer.data import prepare

    design = next(p.load() for p in presets.presets() if p.key == "lecture_sequential")
    plane = maps.plane(design, prepare(design), grid=20)
    job = workers.shared_pool().submit(design, workers.Request(epochs=30, plane=plane))
    assert job.wait_done(120)
    assert job.state == workers.FINISHED
    # The last report came after the last epoch: its map is the final model's, as Keras predicts it.
    data = prepare(design)
    model = restore_model(design, job.result.weights)
    inputs = independent_inputs(SimpleNamespace(design=design, data=data), plane)
    probabilities = model.predict(inputs[0], verbose=0)
    np.testing.assert_array_equal(job.live_map.heads["species"]["predicted"], probabilities.argmax(1).reshape(20, 20))
    np.testing.assert_allclose(
        job.live_map.heads["species"]["confidence"], probabilities.max(1).reshape(20, 20), rtol=1e-5
    )


# --- the plane in a link ---------------------------------------------------------------------------


def linked_session(map_text: str, epochs: int = 3):
    """A session opened by a link with the two-output design and ``map=map_text``, trained on the Train page."""
    from designer import links

    design = preset_design(TWO_OUTPUTS)
    query = {links.PARAMETER: links.encode(design), "map": map_text}
    at = open_session(TRAIN_PAGE, query=query, timeout=120)
    set_epochs(at, epochs)
    press_train(at)
    return at


def test_a_link_opens_on_its_plane_and_the_address_follows_the_plane():
    at = linked_session("x=sepal_length,y=petal_length,sepal_width=2.5")
    (figure,) = titled(at, "species: the species it predicts")
    assert figure["layout"]["xaxis"]["title"]["text"] == "sepal_length (cm)"
    assert "sepal_width at 2.5 cm" in captions(at)
    assert not at.error
    labelled(at.selectbox, "Up (y)").set_value("sepal_width").run()
    assert at.query_params["map"] == "x=sepal_length,y=sepal_width,at.petal_length=3.75"
    assert parsing.parse_map_text(at.query_params["map"])["at"] == {"petal_length": 3.75}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x=species", "map x must be one of the design's input columns"),
        ("x=petal_length,y=petal_length", 'map x and y must be two different columns, got "petal_length" for both'),
        ("x=petal_length,y=sepal_length,sepal_width=1e300", "map at sepal_width must be a number from"),
        ("x=petal_length,y=sepal_length,sepal_width=abc", 'got "abc"'),
        ("nonsense", "the map part of a link must be like x=petal_length,y=petal_width"),
        ("x=" + "a" * parsing.MAX_MAP_TEXT, f"at most {parsing.MAX_MAP_TEXT:,} characters"),
        ("x=petal_length,y=sepal_length,at.sepal_width=3.95", "map at sepal_width must be a number from 2 to 3.9"),
    ],
)
def test_a_links_bad_plane_is_refused_with_the_reason_and_changes_nothing_else(text, expected):
    at = linked_session(text)
    messages = [unescape(e.value) for e in at.error]
    assert len(messages) == 1 and expected in messages[0] and "The default map is shown" in messages[0], messages
    assert titled(at, "species: the species it predicts")  # the default plane's map
    linked = preset_design(TWO_OUTPUTS)  # the link's design, with only the epochs the test typed
    assert at.session_state["design"] == {**linked, "training": {**linked.get("training", {}), "epochs": 3}}


def test_the_neuron_view_leads_to_a_trained_layers_unit_maps():
    at = trained_session("lecture_sequential", epochs=3)
    at.switch_page(DESIGN_PAGE).run()
    choose_tab(at, "design-view", "Neuron by neuron")
    keyed(at.segmented_control, "walk:").set_value("hidden_2").run()
    labelled(at.button, "See what each unit of hidden_2 computes").click().run()
    assert not at.exception
    assert titled(at, "hidden_2: each unit's activation")
    assert labelled(at.selectbox, "Layer").value == "hidden_2"


def species_grid(at) -> np.ndarray:
    (figure,) = titled(at, "species: the species it predicts")
    shown = np.stack([plotly_values(t["z"]) for t in heatmaps(figure)])
    return np.nanargmax(np.nan_to_num(shown, nan=-1), axis=0)


def test_the_map_after_a_step_is_the_stepped_networks():
    at = trained_session(epochs=2)
    before = species_grid(at)
    step_button(at, "+10 epochs").click().run()
    expected = reference_map(at, "petal_length", "sepal_length").heads["species"]["predicted"]
    np.testing.assert_array_equal(species_grid(at), expected)
    assert (before != expected).any(), "ten more epochs should move the map"


def test_no_step_after_early_stopping_or_a_changed_design():
    at = open_session(timeout=120)
    load_preset(at, "regularised")
    at.switch_page(TRAIN_PAGE).run()
    design = at.session_state["design"]
    early = {**design, "training": {**design.get("training", {}), "early_stopping_patience": 2, "epochs": 500}}
    at.session_state["design"] = early  # as an upload would set it
    at.run()
    press_train(at)
    assert at.session_state["runs"][-1].status == "stopped early"
    assert step_button(at, "+1 epoch").disabled
    assert "stopped early" in step_button(at, "+1 epoch").proto.help

    at = trained_session("lecture_sequential", epochs=2)
    assert not step_button(at, "+1 epoch").disabled
    set_epochs(at, 7)
    assert step_button(at, "+1 epoch").disabled
    assert "The design has changed" in step_button(at, "+10 epochs").proto.help


def test_a_design_of_one_input_column_gets_a_line_and_no_axis_controls():
    at = open_session(TRAIN_PAGE, timeout=120)
    one_column = {
        "version": 1,
        "inputs": {"petal": ["petal_length"]},
        "layers": [{"name": "hidden", "units": 20}],
        "heads": [{"name": "species", "target": "species"}],
        "training": {"epochs": 3},
    }
    at.session_state["design"] = one_column  # as an uploaded file would set it
    at.run()
    press_train(at)
    (figure,) = titled(at, "species: the species it predicts, and how sure")
    lines = [t for t in figure["data"] if t.get("mode") == "lines"]
    assert [t["name"] for t in lines] == [f"predicts {name}" for name in datasets.IRIS.column("species").categories]
    assert not [s for s in at.selectbox if s.label in ("Across (x)", "Up (y)")]
    labelled(at.selectbox, "Layer").set_value("hidden").run()
    (units,) = titled(at, "hidden: each unit's activation")
    assert "the first 16; 4 more not shown" in units["layout"]["title"]["text"]


# --- projector mode -------------------------------------------------------------------------------------


def ring_and_rows(figure: dict) -> tuple[float, float]:
    """The red ring's size, and the largest size of a row's circle or diamond, in a figure's JSON."""
    (ring,) = [t for t in figure["data"] if t.get("meta") == map_charts.RING]
    rows = [t for t in figure["data"] if t.get("meta") == map_charts.ROWS]
    largest = max(float(np.max(plotly_values(t["marker"]["size"]))) for t in rows)
    return float(ring["marker"]["size"]), largest


def colorbar_sizes(figure: dict) -> tuple[int, int]:
    bar = figure["layout"]["coloraxis"]["colorbar"]
    return bar["tickfont"]["size"], bar["title"]["font"]["size"]


def two_output_figures(font_size: int | None = None) -> tuple[dict, dict]:
    """The two-output design's species and petal width maps of a made-up map, every test row wrong; enlarged
    for a projector when ``font_size`` is given."""
    from designer.data import prepare

    design = preset_design(TWO_OUTPUTS)
    data = prepare(design)
    plane = maps.default_plane(design, data)
    xs, ys = plane.values()
    shape = (len(ys), len(xs))
    found = maps.Map(
        plane,
        xs,
        ys,
        {
            "species": {"predicted": np.zeros(shape, int), "confidence": np.full(shape, 0.9)},
            "petal_width": {"predicted": np.linspace(0, 2.5, xs.size * ys.size).reshape(shape)},
        },
    )
    figures = []
    wrong = np.eye(3)[(data.test.y["species"].argmax(1) + 1) % 3]
    for head, target, guesses in (("species", "species", wrong), ("petal_width", "petal_width", None)):
        figure = map_charts.head_map(found, head, target, maps.flowers(data, plane, target, guesses))
        if font_size is not None:
            map_charts.enlarge(figure, font_size, PROJECTOR.line_width)
        figures.append(figure.to_plotly_json())
    return figures[0], figures[1]


def test_a_maps_colour_bar_and_rings_follow_the_mode():
    species, width = two_output_figures()
    assert colorbar_sizes(width) == (map_charts.FONT_SIZE, map_charts.FONT_SIZE)
    ring, rows = ring_and_rows(species)
    assert ring >= 1.5 * rows
    species, width = two_output_figures(PROJECTOR.font_size)
    assert colorbar_sizes(width) == (PROJECTOR.font_size, PROJECTOR.font_size)  # not Streamlit's 12 and 14 px
    assert width["layout"]["coloraxis"]["colorbar"]["title"]["text"] == "petal_width (cm)"
    projected_ring, projected_rows = ring_and_rows(species)
    assert projected_ring >= 1.5 * projected_rows and projected_ring > ring  # a ring, not a dot
    assert projected_rows > rows


def test_projector_mode_draws_the_maps_colour_bar_and_rings_large():
    at = open_session(query={"projector": "true"}, timeout=120)
    load_preset(at, TWO_OUTPUTS)
    at.switch_page(TRAIN_PAGE).run()
    set_epochs(at, 1)
    press_train(at)
    (width,) = titled(at, "petal_width: predicted petal_width")
    assert colorbar_sizes(width) == (PROJECTOR.font_size, PROJECTOR.font_size)
    (species,) = titled(at, "species: the species it predicts")
    ring, rows = ring_and_rows(species)  # one epoch leaves test rows wrong
    assert ring >= 1.5 * rows
