"""The Design page, driven through Streamlit's AppTest (no browser)."""

from __future__ import annotations

import pytest
from apptest_support import button, graph_source, load_preset, open_session, shown_total, widget
from streamlit.testing.v1 import AppTest

from designer import exercises, kinds, params, presets
from designer.validation import validate, warnings
from ui.text import unescape


@pytest.fixture
def app() -> AppTest:
    return open_session(timeout=30)


def table_rows(at: AppTest) -> list[str]:
    table = next(m.value for m in at.markdown if m.value.startswith("| Layer (type)"))
    return [unescape(line) for line in table.splitlines()[2:]]  # as a reader sees it: names are escaped


def test_opens_on_the_lecture_network(app):
    assert shown_total(app) == 273
    assert any(m.value == "40 + 90 + 110 + 33 = **273**" for m in app.markdown)
    rows = table_rows(app)
    for expected in ("4 × 8 + 8 = 40", "8 × 10 + 10 = 90", "10 × 10 + 10 = 110", "10 × 3 + 3 = 33"):
        assert any(expected in row for row in rows), expected
    dot = graph_source(app)
    assert all(name in dot for name in ("hidden_1", "hidden_2", "hidden_3", "species"))


def test_adding_a_layer_changes_total_graph_and_table(app):
    button(app, "Add a Dense layer at the end").click().run()
    design = app.session_state["design"]
    assert len(design["layers"]) == 4
    new_name = design["layers"][-1]["name"]
    assert shown_total(app) == params.summarize(design).total != 273
    assert f'"{new_name}"' in graph_source(app)
    assert any(new_name in row for row in table_rows(app))


@pytest.mark.parametrize("kind", ["dropout", "batch_norm", "concatenate"])
def test_every_layer_type_can_be_added(app, kind):
    button(app, f"Add a {kinds.LAYERS[kind].label} layer at the end").click().run()
    assert not app.exception
    design = app.session_state["design"]
    assert design["layers"][-1]["type"] == kind
    assert shown_total(app) == params.summarize(design).total


def test_changing_units_updates_the_count(app):
    widget(app.number_input, "layer-0:units").set_value(16).run()
    assert app.session_state["design"]["layers"][0]["units"] == 16
    assert shown_total(app) == 273 - 40 - 90 + (4 * 16 + 16) + (16 * 10 + 10)
    assert any("4 × 16 + 16 = 80" in row for row in table_rows(app))


def test_invalid_units_show_a_message_and_keep_the_design(app):
    widget(app.number_input, "layer-2:units").set_value(0).run()
    assert not app.exception
    assert [unescape(e.value) for e in app.error] == [
        "Layer 3 (hidden_3): units must be a whole number from 1 to 1024, got 0"
    ]
    assert app.session_state["design"]["layers"][2]["units"] == 10
    assert shown_total(app) == 273


def test_units_of_3_point_5_are_refused_in_words_not_cut_to_3(app):
    """A whole-number box would have cut 3.5 to 3 without a word; the box takes any number, the rule refuses."""
    widget(app.number_input, "layer-0:units").set_value(3.5).run()
    assert not app.exception
    assert [unescape(e.value) for e in app.error] == [
        "Layer 1 (hidden_1): units must be a whole number from 1 to 1024, got 3.5"
    ]
    assert app.session_state["design"]["layers"][0]["units"] == 8
    widget(app.number_input, "layer-0:units").set_value(3.0).run()  # a whole number, however typed
    assert not app.error and app.session_state["design"]["layers"][0]["units"] == 3
    assert isinstance(app.session_state["design"]["layers"][0]["units"], int)


def test_invalid_name_shows_a_message(app):
    widget(app.text_input, "layer-1:name").set_value("hidden_1").run()
    assert not app.exception
    assert any("Layer 2 (hidden_1): name" in unescape(e.value) and '"hidden_1"' in unescape(e.value) for e in app.error)
    widget(app.text_input, "layer-1:name").set_value("2nd layer").run()
    assert any("letters, digits and _" in unescape(e.value) for e in app.error)
    assert app.session_state["design"]["layers"][1]["name"] == "hidden_2"


def test_a_good_edit_clears_the_message(app):
    widget(app.number_input, "layer-0:units").set_value(0).run()
    assert app.error
    widget(app.number_input, "layer-0:units").set_value(5).run()
    assert not app.error
    assert app.session_state["design"]["layers"][0]["units"] == 5


def test_renaming_a_layer_rewires_the_graph(app):
    widget(app.text_input, "layer-0:name").set_value("first").run()
    dot = graph_source(app)
    assert '"input" -> "first"' in dot and '"first" -> "hidden_2"' in dot


def test_remove_and_move_layers(app):
    button(app, "Remove hidden_2").click().run()
    assert [layer["name"] for layer in app.session_state["design"]["layers"]] == ["hidden_1", "hidden_3"]
    button(app, "Move hidden_3 up").click().run()
    assert [layer["name"] for layer in app.session_state["design"]["layers"]] == ["hidden_3", "hidden_1"]
    assert shown_total(app) == params.summarize(app.session_state["design"]).total


def test_activation_and_from_controls(app):
    widget(app.selectbox, "layer-1:activation").set_value("tanh").run()
    assert app.session_state["design"]["layers"][1]["activation"] == "tanh"
    assert "Dense 10, tanh" in graph_source(app)
    widget(app.selectbox, "layer-2:from").set_value("hidden_1").run()
    design = app.session_state["design"]
    assert design["layers"][2]["from"] == "hidden_1"
    assert '"hidden_1" -> "hidden_3"' in graph_source(app)
    assert "reaches no head" in " ".join(unescape(w.value) for w in app.warning)  # hidden_2 now dangles
    assert shown_total(app) == params.summarize(design).total


def test_adding_a_head_takes_its_target_out_of_the_inputs(app):
    button(app, "Add an output head").click().run()
    design = app.session_state["design"]
    assert [head["target"] for head in design["heads"]] == ["species", "petal_width"]
    assert "petal_width" not in design["inputs"]
    assert shown_total(app) == params.summarize(design).total
    assert "peripheries=2" in graph_source(app)


def test_head_activation_mismatch_warns(app):
    widget(app.selectbox, "head-0:activation").set_value("linear").run()
    assert not app.exception
    assert any(
        "softmax" in unescape(w.value) and "Output head 1 (species), activation" in unescape(w.value)
        for w in app.warning
    )


def test_target_that_is_an_input_is_refused(app):
    widget(app.selectbox, "head-0:target").set_value("sepal_length").run()
    assert any(
        "Output head 1 (species): target" in unescape(e.value) and "sepal_length" in unescape(e.value)
        for e in app.error
    )
    assert app.session_state["design"]["heads"][0]["target"] == "species"


def test_removing_every_input_column_is_refused(app):
    widget(app.multiselect, "input-input:columns").set_value([]).run()
    assert not app.exception
    assert any(unescape(e.value).startswith("Inputs must be a non-empty list") for e in app.error)
    assert shown_total(app) == 273


@pytest.mark.parametrize("preset", presets.presets(), ids=lambda p: p.key)
def test_presets_load(app, preset):
    widget(app.selectbox, "preset:preset").set_value(preset.key).run()
    assert not app.exception
    design = preset.load()
    assert app.session_state["design"] == design
    assert shown_total(app) == params.summarize(design).total
    assert len(app.warning) == len(warnings(validate(design)))
    loss_weight = widget(app.number_input, "head-0:loss_weight")
    if exercises.lock_reason(design, f"heads.{design['heads'][0]['name']}.loss_weight"):
        assert loss_weight.disabled  # the exercise locks the heads (tests/test_exercise_pages.py edits the rest)
        return
    # The next edit applies to the preset (the picker does not load it again).
    loss_weight.set_value(2.0).run()
    assert app.session_state["design"]["heads"][0]["loss_weight"] == 2.0


def test_input_groups(app):
    button(app, "Split a column off into a second input, joined to the first by a Concatenate layer").click().run()
    design = app.session_state["design"]
    assert isinstance(design["inputs"], dict) and len(design["inputs"]) == 2
    assert not app.exception and not app.error
    second = list(design["inputs"])[1]
    assert f'"{second}" -> "joined"' in graph_source(app)
    assert shown_total(app) == params.summarize(design).total
    button(app, f"Remove input {second}").click().run()
    assert app.session_state["design"]["inputs"] == presets.default_design()["inputs"]
    assert shown_total(app) == 273


def test_head_controls_reach_the_design(app):
    load_preset(app, "lecture_two_outputs")
    widget(app.selectbox, "head-1:from").set_value("hidden_2").run()
    widget(app.selectbox, "head-1:loss").set_value("huber").run()
    widget(app.number_input, "head-1:loss_weight").set_value(0.5).run()
    widget(app.text_input, "head-1:name").set_value("width").run()
    head = app.session_state["design"]["heads"][1]
    assert head == {**head, "from": "hidden_2", "loss": "huber", "loss_weight": 0.5, "name": "width"}
    dot = graph_source(app)
    assert '"hidden_2" -> "width"' in dot
    assert shown_total(app) == params.summarize(app.session_state["design"]).total


def test_dropout_rate_and_concatenate_sources(app):
    load_preset(app, "regularised")
    widget(app.number_input, "layer-3:rate").set_value(0.5).run()
    assert app.session_state["design"]["layers"][3]["rate"] == 0.5
    assert "Dropout 0.5" in graph_source(app)
    widget(app.number_input, "layer-3:rate").set_value(1.0).run()
    assert any(unescape(e.value).startswith("Layer 4 (drop_1): rate must be") for e in app.error)
    load_preset(app, "two_input_branches")
    widget(app.multiselect, "layer-2:from").set_value(["sepal_features", "petal_features", "petal"]).run()
    design = app.session_state["design"]
    assert design["layers"][2]["from"] == ["sepal_features", "petal_features", "petal"]
    assert shown_total(app) == params.summarize(design).total
    assert any("4 + 4 + 2 = 10" in row for row in table_rows(app))


def test_input_group_rename_rewires(app):
    load_preset(app, "two_input_branches")
    widget(app.text_input, "input-sepal:name").set_value("sepals").run()
    design = app.session_state["design"]
    assert list(design["inputs"]) == ["sepals", "petal"]
    assert design["layers"][0]["from"] == "sepals"
    assert '"sepals" -> "sepal_features"' in graph_source(app)
