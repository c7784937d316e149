"""The Train page, driven through Streamlit's AppTest (no browser): settings, a run, its charts, comparison."""

from __future__ import annotations

import numpy as np
import pytest
from apptest_support import (
    TRAIN_PAGE,
    charts,
    labelled,
    load_preset,
    open_session,
    plotly_values,
    preset_design,
    press_train,
    set_epochs,
    train_button,
    widget,
)
from streamlit.runtime.forward_msg_queue import ForwardMsgQueue
from streamlit.testing.v1 import AppTest

from designer import datasets, presets, spec
from designer.data import prepare
from designer.training import heads_of
from ui.text import unescape

pytestmark = pytest.mark.keras

EPOCHS = 5  # small, so a run takes a second or two
TWO_OUTPUTS = "lecture_two_outputs"


def open_train_page(preset: str | None = None) -> AppTest:
    """A fresh session on the Train page, after loading ``preset`` on the Design page if given."""
    at = open_session(timeout=120)
    if preset is not None:
        assert load_preset(at, preset) == preset_design(preset)
    at.switch_page(TRAIN_PAGE).run()
    assert not at.exception
    return at


def train(at: AppTest) -> dict:
    """Click Train; return the new run."""
    before = len(at.session_state["runs"]) if "runs" in at.session_state else 0
    press_train(at)
    runs = at.session_state["runs"]
    assert len(runs) == before + 1
    return runs[-1]


def settings(at: AppTest) -> dict:
    return spec.training_settings(at.session_state["design"])


def titled(figures: list[dict], title: str) -> dict:
    found = [f for f in figures if f["layout"].get("title", {}).get("text") == title]
    assert len(found) == 1, f"expected one chart titled {title!r}, got {[title_of(f) for f in figures]}"
    return found[0]


def title_of(figure: dict) -> str:
    return figure["layout"].get("title", {}).get("text", "")


def values(trace: dict, axis: str) -> list:
    """A trace's x, y or z values, as a list."""
    return plotly_values(trace[axis]).tolist()


def assert_curves(figure: dict, epochs: int) -> None:
    """A training and a validation curve with one point per epoch."""
    assert [trace["name"] for trace in figure["data"]] == ["training", "validation"]
    for trace in figure["data"]:
        assert values(trace, "x") == list(range(1, epochs + 1))
        assert len(values(trace, "y")) == epochs
        assert all(np.isfinite(values(trace, "y")))


def table_rows(at: AppTest) -> list[dict]:
    assert len(at.table) == 1
    records = at.table[0].value.to_dict("records")
    return [{column: unescape(str(text)) for column, text in row.items()} for row in records]  # as a reader sees it


def keras_history_names(design: dict) -> set[str]:
    """The history keys of Keras' own ``Model.fit`` (one epoch) for the design's model, losses and metrics."""
    from designer.keras_model import build_model

    heads, data = heads_of(design), prepare(design)
    model = build_model(design, seed=0)
    metrics = {h.name: ["accuracy" if h.metric == "accuracy" else "mae"] for h in heads}
    model.compile("adam", loss={h.name: h.loss for h in heads}, metrics=metrics)
    x, x_val = (next(iter(part.x.values())) for part in (data.train, data.validation))
    y, y_val = ({h.name: part.y[h.name] for h in heads} for part in (data.train, data.validation))
    if len(heads) == 1:
        model.compile("adam", loss=heads[0].loss, metrics=metrics[heads[0].name])
        y, y_val = y[heads[0].name], y_val[heads[0].name]
    return set(model.fit(x, y, validation_data=(x_val, y_val), epochs=1, verbose=0).history)


@pytest.fixture
def app() -> AppTest:
    return open_train_page()


@pytest.fixture(scope="module")
def lecture_run() -> AppTest:
    """The lecture design, trained once for EPOCHS epochs (read-only for the tests that use it)."""
    at = open_train_page()
    set_epochs(at, EPOCHS)
    train(at)
    return at


@pytest.fixture(scope="module")
def two_output_run() -> AppTest:
    """The two-output preset, trained once for EPOCHS epochs (read-only for the tests that use it)."""
    at = open_train_page(TWO_OUTPUTS)
    set_epochs(at, EPOCHS)
    train(at)
    return at


def test_the_page_renders_with_no_run(app):
    assert app.title[0].value == "Train on Iris"
    assert not app.error
    assert app.session_state["runs"] == []
    assert not train_button(app).disabled
    # The charts the run will fill are there, empty: what will be drawn (and the browser loads Plotly now).
    assert sorted(map(title_of, charts(app))) == ["species: accuracy", "species: loss"]
    assert all(chart["data"] == [] for chart in charts(app))
    assert any(info.value.startswith("Press **Train**") for info in app.info)
    assert not [s for s in app.subheader if s.value == "Compare runs"]


def test_settings_widgets_write_into_the_design(app):
    widget(app.selectbox, "training:optimizer").set_value("rmsprop").run()
    widget(app.number_input, "training:learning_rate").set_value(0.01).run()
    widget(app.number_input, "training:epochs").set_value(7).run()
    widget(app.number_input, "training:batch_size").set_value(16).run()
    widget(app.number_input, "training:test_size").set_value(0.3).run()
    widget(app.number_input, "training:validation_split").set_value(0.25).run()
    widget(app.number_input, "training:seed").set_value(7).run()
    assert not app.exception and not app.error
    assert app.session_state["design"]["training"] == {
        "optimizer": "rmsprop",
        "learning_rate": 0.01,
        "epochs": 7,
        "batch_size": 16,
        "test_size": 0.3,
        "validation_split": 0.25,
        "seed": 7,
    }

    assert not [n for n in app.number_input if n.label == "Patience (epochs)"]
    widget(app.toggle, "training:early_stopping_patience:on").set_value(True).run()
    assert app.session_state["design"]["training"]["early_stopping_patience"] == 10
    assert widget(app.number_input, "training:early_stopping_patience").value == 10
    widget(app.number_input, "training:early_stopping_patience").set_value(3).run()
    assert app.session_state["design"]["training"]["early_stopping_patience"] == 3
    widget(app.toggle, "training:early_stopping_patience:on").set_value(False).run()
    assert app.session_state["design"]["training"]["early_stopping_patience"] is None
    assert not [n for n in app.number_input if n.label == "Patience (epochs)"]
    assert not app.exception and not app.error
    # The other settings survived every edit.
    assert settings(app)["optimizer"] == "rmsprop" and settings(app)["seed"] == 7


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("epochs", 0, "Training: epochs must be a whole number from 1 to 2000, got 0"),
        ("epochs", 2001, "Training: epochs must be a whole number from 1 to 2000, got 2001"),
        ("learning_rate", 0.0, "Training: learning rate must be a number greater than 0, got 0.0"),
        ("batch_size", 0, "Training: batch size must be a whole number from 1 to 1000, got 0"),
        ("test_size", 1.0, "Training: test size must be a number above 0 and below 1, got 1.0"),
        ("validation_split", 1.0, "Training: validation split must be a number at least 0 and below 1, got 1.0"),
    ],
)
def test_an_invalid_setting_shows_an_error_and_keeps_the_design(app, field, value, message):
    set_epochs(app, EPOCHS)  # a first, valid edit: the design has a value of its own to keep
    before = settings(app)
    widget(app.number_input, f"training:{field}").set_value(value).run()
    assert not app.exception
    assert [unescape(e.value) for e in app.error] == [message]
    assert settings(app) == before
    assert not train_button(app).disabled  # the design itself is still valid


def test_training_the_lecture_design(lecture_run):
    at = lecture_run
    run = at.session_state["runs"][-1]
    assert run.status == "finished"
    assert run.message == ""
    assert run.settings["epochs"] == EPOCHS
    assert not at.error
    assert not [b for b in at.button if b.label == "Stop"]  # only shown while training

    figures = charts(at)
    assert sorted(map(title_of, figures)) == [
        "species: accuracy",
        "species: confusion matrix (test rows)",
        "species: loss",
        "species: the species it predicts",
    ]
    assert_curves(titled(figures, "species: loss"), EPOCHS)
    assert_curves(titled(figures, "species: accuracy"), EPOCHS)

    (heatmap,) = titled(figures, "species: confusion matrix (test rows)")["data"]
    assert heatmap["type"] == "heatmap"
    assert heatmap["x"] == heatmap["y"] == list(datasets.IRIS.column("species").categories)
    matrix = np.array(values(heatmap, "z"))
    assert matrix.shape == (3, 3)
    assert matrix.sum() == len(prepare(presets.default_design()).test) == 30

    assert [s.value for s in at.subheader] == [
        f"{run.label} · finished",
        "On the test rows",
        "What the network learned",
    ]
    (row,) = table_rows(at)
    assert row["head"] == "species" and row["predicts"] == "species"
    assert row["loss"] == f"{run.test['loss']:.4f}"
    assert row["score"] == f"accuracy {run.test['accuracy']:.1%}"


def test_the_next_rerun_shows_the_run_heading_and_its_curves():
    at = open_train_page()
    set_epochs(at, EPOCHS)
    run = train(at)
    widget(at.number_input, "training:seed").set_value(1).run()  # any rerun after training
    assert not at.exception
    assert f"{run.label} · finished" in [s.value for s in at.subheader]
    shown = {title_of(f) for f in charts(at)}
    assert {"species: loss", "species: accuracy", "species: confusion matrix (test rows)"} <= shown
    assert "species: the species it predicts" in shown
    assert len(at.session_state["runs"]) == 1


def test_training_the_two_output_preset(two_output_run):
    at = two_output_run
    run = at.session_state["runs"][-1]
    assert run.status == "finished"
    assert [h.name for h in run.heads] == ["species", "petal_width"]
    figures = charts(at)
    assert sorted(map(title_of, figures)) == sorted(
        [
            "species: loss",
            "species: accuracy",
            "petal_width: loss",
            "petal_width: mean absolute error (cm)",
            "total loss (weighted sum of the heads)",
            "species: confusion matrix (test rows)",
            "petal_width: predicted vs actual (test rows)",
            "species: the species it predicts",
            "petal_width: predicted petal_width",
        ]
    )
    for title in ("species: loss", "species: accuracy", "petal_width: loss", "petal_width: mean absolute error (cm)"):
        assert_curves(titled(figures, title), EPOCHS)
    total = titled(figures, "total loss (weighted sum of the heads)")
    assert_curves(total, EPOCHS)
    assert values(total["data"][0], "y") == pytest.approx(run.history["loss"])

    scatter = titled(figures, "petal_width: predicted vs actual (test rows)")
    assert [t["name"] for t in scatter["data"]] == ["perfect", "test rows"]
    points = scatter["data"][1]
    assert points["mode"] == "markers"
    assert len(values(points, "x")) == len(values(points, "y")) == 30
    assert scatter["layout"]["xaxis"]["title"]["text"] == "actual petal_width (cm)"

    rows = table_rows(at)
    assert [(r["head"], r["predicts"]) for r in rows] == [("species", "species"), ("petal_width", "petal_width")]
    assert rows[0]["loss"] == f"{run.test['species_loss']:.4f}"
    assert rows[1]["loss"] == f"{run.test['petal_width_loss']:.4f}"
    assert rows[1]["score"] == f"mean absolute error {run.test['petal_width_mae']:.3f} cm"


def test_a_batch_larger_than_the_training_rows_is_refused(app):
    set_epochs(app, EPOCHS)
    before = settings(app)
    widget(app.number_input, "training:batch_size").set_value(500).run()
    assert not app.exception
    rows = len(prepare(app.session_state["design"]).train)  # scikit-learn's split, what training uses: 96
    assert [unescape(e.value) for e in app.error] == [
        f"Training: batch size must be at most the {rows} training rows, got 500"
    ]
    assert settings(app) == before  # refused as the setting is changed, before anything can train
    assert not train_button(app).disabled
    assert app.session_state["runs"] == []
    assert "job" not in app.session_state
    assert all(chart["data"] == [] for chart in charts(app))  # the empty preview only


def test_two_trainings_are_compared(app):
    set_epochs(app, EPOCHS)
    first = train(app)
    widget(app.number_input, "training:learning_rate").set_value(0.01).run()
    second = train(app)
    assert not app.exception
    runs = app.session_state["runs"]
    assert runs == [first, second]
    assert [r.status for r in runs] == ["finished", "finished"]
    assert first.label == "Run 1: adam, lr 0.001, batch 5, seed 42"
    assert second.label == "Run 2: adam, lr 0.01, batch 5, seed 42"
    assert first.history != second.history

    assert "Compare runs" in [s.value for s in app.subheader]
    # Told apart by how far each went, too: a stopped run of 1,019 epochs and one of 100 share their settings.
    shown = [f"{first.label}, {EPOCHS} epochs", f"{second.label}, {EPOCHS} epochs"]
    assert labelled(app.multiselect, "Runs").value == shown
    assert labelled(app.selectbox, "Curve").value == "val_loss"
    compared = titled(charts(app), "Runs compared: val_loss")
    assert [t["name"] for t in compared["data"]] == shown
    for trace, run in zip(compared["data"], runs, strict=True):
        assert values(trace, "y") == pytest.approx(run.history["val_loss"])

    labelled(app.selectbox, "Curve").set_value("accuracy").run()
    compared = titled(charts(app), "Runs compared: accuracy")
    assert len(compared["data"]) == 2


@pytest.mark.parametrize("fixture", ["lecture_run", "two_output_run"])
def test_history_has_the_keras_names(request, fixture):
    at = request.getfixturevalue(fixture)
    run = at.session_state["runs"][-1]
    assert set(run.history) == keras_history_names(at.session_state["design"])
    assert all(len(values) == EPOCHS for values in run.history.values())
    if fixture == "lecture_run":
        assert sorted(run.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    else:
        assert {"species_loss", "species_accuracy", "petal_width_loss", "petal_width_mae"} < set(run.history)


def test_a_loss_that_diverges_in_the_first_epoch_is_explained(app):
    widget(app.selectbox, "training:optimizer").set_value("sgd").run()
    widget(app.number_input, "training:learning_rate").set_value(1000.0).run()
    set_epochs(app, EPOCHS)
    run = train(app)
    assert run.status == "stopped early"
    assert "the loss became infinite or not a number" in run.message
    assert any("learning rate (1000) is probably too high" in unescape(info.value) for info in app.info)


def test_the_latest_run_joins_the_comparison(app):
    set_epochs(app, 2)
    labels = [train(app).compared_label for _ in range(3)]
    assert labelled(app.multiselect, "Runs").value == labels
    compared = titled(charts(app), "Runs compared: val_loss")
    assert [t["name"] for t in compared["data"]] == labels


def test_reset_shows_an_untrained_network_as_untrained_not_finished(app):
    set_epochs(app, 2)
    train(app)
    labelled(app.button, "Reset").click().run()
    assert not app.exception
    reset = app.session_state["runs"][-1]
    assert reset.epochs_done == 0 and reset.number == 2
    headings = [s.value for s in app.subheader]
    assert f"{reset.label} · reset, untrained (epoch 0)" in headings
    assert f"{reset.label} · finished" not in headings
    assert any("Untrained, at epoch 0" in i.value for i in app.info)
    # Its charts wait for the steps, saying so, rather than empty axes from -1 to 6.
    assert all(chart["data"] == [] for chart in charts(app) if "loss" in chart["layout"]["title"]["text"])


def test_while_a_run_trains_its_controls_are_drawn_once_in_their_places_and_never_blanked():
    """The browser keeps an element while the deltas sent to its place are of its kind; an empty placeholder
    sent there first (as the controls were once drawn, into ``st.empty()`` slots) makes it rebuild the element,
    and a click on Stop during that moment could be lost. Every delta of the press is recorded before Streamlit
    composes them."""
    at = open_train_page()
    set_epochs(at, 300)  # a second or two: the script run draws the controls, then follows the run
    sent = []
    ForwardMsgQueue.on_before_enqueue_msg(sent.append)
    try:
        press_train(at)
    finally:
        ForwardMsgQueue.on_before_enqueue_msg(None)
    assert at.session_state["runs"][-1].status == "finished"
    elements = [m for m in sent if m.HasField("delta") and m.delta.WhichOneof("type") == "new_element"]
    places = {}
    for label in ("Train", "Stop"):
        [place] = {tuple(m.metadata.delta_path) for m in elements if _button_label(m) == label and _running(m)}
        places[label] = place
    for label, place in places.items():
        kinds = [m.delta.new_element.WhichOneof("type") for m in elements if tuple(m.metadata.delta_path) == place]
        assert "empty" not in kinds, (label, kinds)
    # Once the run has ended the page is drawn afresh (st.rerun): Train free again, Stop gone.
    assert not train_button(at).disabled
    assert not [b for b in at.button if b.label == "Stop"]


def _button_label(message) -> str | None:
    element = message.delta.new_element
    return element.button.label if element.WhichOneof("type") == "button" else None


def _running(message) -> bool:
    """Whether a Train or Stop button's delta was drawn while the run was under way (Train then disabled)."""
    button = message.delta.new_element.button
    return button.label == "Stop" or button.disabled
