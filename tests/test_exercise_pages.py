"""Exercises on the pages, through Streamlit's AppTest: a learner opens an exercise link, sees the task,
locked controls disabled and hidden ones absent, edits and trains until the goal is met, and hands back a
result link that another session confirms by training again; an instructor makes one in the panel."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from apptest_support import (
    CODE_PAGE,
    DESIGN_PAGE,
    TRAIN_PAGE,
    button,
    labelled,
    open_session,
    preset_design,
    press_train,
    shown_total,
    widget,
)
from streamlit.testing.v1 import AppTest

from designer import exercises, goals, links
from ui import exercise_maker
from ui.text import unescape

SMALLER = preset_design("exercise_smaller")  # locks inputs, heads, the seed and the splits


def open_link(design: dict, page: str = DESIGN_PAGE, **query: str) -> AppTest:
    return open_session(page, query={links.PARAMETER: links.encode(design), **query}, timeout=120)


def box_text(at: AppTest) -> str:
    """The exercise box's text as a learner reads it."""
    return "\n".join(unescape(m.value) for m in at.markdown)


def goal_lines(at: AppTest) -> list[str]:
    return [unescape(m.value) for m in at.markdown if "**met:**" in m.value or "**not yet:**" in m.value]


def test_an_exercise_link_shows_the_task_and_the_goals_state():
    at = open_link(SMALLER)
    text = box_text(at)
    assert "Exercise · Smaller and better" in text
    assert SMALLER["exercise"]["task"] in text
    lines = goal_lines(at)
    assert len(lines) == 2
    assert "species accuracy ≥ 95 %: train the design on screen to see" in lines[0]
    assert lines[1].endswith("273 parameters > 100")


def test_locked_controls_are_disabled_with_a_reason_and_free_ones_are_not():
    at = open_link(SMALLER)
    columns = widget(at.multiselect, "input-input:columns")
    assert columns.disabled and columns.help == "Locked by the exercise: the inputs stays as it is"
    assert widget(at.number_input, "head-0:loss_weight").disabled
    assert widget(at.selectbox, "head-0:activation").disabled
    assert widget(at.selectbox, "preset:preset").disabled  # a preset would replace the exercise
    assert not widget(at.number_input, "layer-0:units").disabled
    assert not widget(at.selectbox, "layer-0:activation").disabled
    at.switch_page(TRAIN_PAGE).run()
    assert widget(at.number_input, "training:seed").disabled
    assert not widget(at.number_input, "training:epochs").disabled
    assert labelled(at.button, "Reset, new seed").disabled


def test_hidden_parts_and_pages_are_not_shown():
    design = exercises.make(
        preset_design("lecture_sequential"),
        "Hidden",
        [goals.parse_goal("params<=300")],
        hide=["page:code", "training.seed", "layers.hidden_1.activation", "heads"],
    )
    at = open_link(design)
    assert not [w for w in at.selectbox if w.key == "layer-0:activation"]
    assert [w for w in at.selectbox if w.key == "layer-1:activation"]
    assert "Output heads" not in [h.value for h in at.subheader]
    assert not [w for w in at.text_input if w.key and w.key.startswith("head-")]
    at.switch_page(TRAIN_PAGE).run()
    assert not [w for w in at.number_input if w.key == "training:seed"]
    with pytest.raises(ValueError, match="Could not find a navigation page") as missing:
        at.switch_page(CODE_PAGE)  # the navigation lists no Code page
    assert "pages/train.py" in str(missing.value) and "pages/model.py" in str(missing.value)


def test_editing_updates_the_budget_and_training_meets_the_goal():
    at = open_link(SMALLER)
    button(at, "Remove hidden_3").click().run()
    button(at, "Remove hidden_2").click().run()
    widget(at.number_input, "layer-0:units").set_value(10).run()
    assert shown_total(at) == 83  # 4 × 10 + 10 + 10 × 3 + 3
    assert goal_lines(at)[1].endswith("83 parameters ≤ 100")
    at.switch_page(TRAIN_PAGE).run()
    press_train(at)
    at.run()
    assert [unescape(s.value) for s in at.success] == [
        f"Goal met: species accuracy {at.session_state['runs'][-1].test['accuracy'] * 100:.1f} % ≥ 95 % "
        "with 83 parameters ≤ 100"
    ]
    link = [c.value for c in at.code if links.RESULT in c.value]
    assert len(link) == 1
    result = links.result_from_query_string(link[0].split("?", 1)[1])
    assert result["runs"][0]["test"] == pytest.approx(at.session_state["runs"][-1].test)

    # Another session opens the result link: the figures are claims until it trains again.
    query = dict(pair.split("=", 1) for pair in link[0].split("?", 1)[1].split("&"))
    other = open_session(DESIGN_PAGE, query=query, timeout=120)
    assert "claimed, not re-trained yet" in box_text(other)
    assert not other.success  # nothing is met on a claim alone
    labelled(other.button, "Re-train to confirm").click().run()
    assert not other.exception
    other.run()
    assert "confirmed by re-training" in box_text(other)
    assert [unescape(s.value) for s in other.success] == [unescape(s.value) for s in at.success]


def test_a_typed_in_result_is_not_confirmed():
    design = SMALLER
    forged = {"runs": [{"seed": 42, "epochs": 100, "test": {"accuracy": 1.0, "loss": 0.01}}]}
    at = open_link(design, **{links.RESULT: links.encode(forged)})
    labelled(at.button, "Re-train to confirm").click().run()
    at.run()
    text = box_text(at)
    assert "not confirmed: re-training differs by up to" in text
    assert not at.success  # the lecture's network trains to 93.3 %, whatever the link says


def test_a_result_contradicting_the_locked_epochs_is_refused_untrained():
    three = exercises.make(
        {**preset_design("lecture_sequential"), "training": {"epochs": 3}},
        "Three epochs",
        [goals.parse_goal("species.accuracy>=0.85")],
        locks=["training.epochs"],
    )
    forged = {"runs": [{"seed": 42, "epochs": 300, "test": {"accuracy": 0.9667, "loss": 0.07}}]}
    at = open_link(three, **{links.RESULT: links.encode(forged)})
    assert not at.exception
    assert "refused, not re-trained: the claim says 300 epochs, but the exercise locks training at 3 epochs" in (
        box_text(at)
    )
    assert not [b for b in at.button if b.label == "Re-train to confirm"]
    assert [unescape(e.value) for e in at.error] == [
        "This result contradicts the exercise's locks or goals, so it is not re-trained and meets no goal."
    ]
    assert not at.success


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["exercise"]["locks"].remove("heads"),
        lambda d: d["exercise"]["goals"][0].update(at_least="0.95"),
        lambda d: d["exercise"]["goals"].append({"metric": "species.recall", "at_least": 0.9}),
        lambda d: d["heads"][0].update(loss_weight=3),
    ],
    ids=["lock removed", "string threshold", "unknown goal", "locked part edited"],
)
def test_a_tampered_link_is_refused_without_a_traceback(change):
    design = json.loads(json.dumps(SMALLER))
    change(design)
    at = open_link(design)
    assert not at.exception
    (refusal,) = [unescape(e.value) for e in at.error]
    assert refusal.startswith("This link could not be opened: the link's design is not valid: The exercise")
    assert "exercise" not in at.session_state["design"]  # the default design, untouched by the link


def test_an_unreadable_result_part_keeps_the_design():
    at = open_link(SMALLER, **{links.RESULT: "not-a-result"})
    assert not at.exception
    assert any("This link's result could not be read" in unescape(e.value) for e in at.error)
    assert at.session_state["design"] == SMALLER


def test_leaving_the_exercise_keeps_the_design_and_frees_its_controls():
    at = open_link(SMALLER)
    labelled(at.button, "Leave the exercise").click().run()
    assert at.session_state["design"] == exercises.without(SMALLER)
    assert not widget(at.multiselect, "input-input:columns").disabled
    assert "Exercise ·" not in box_text(at)


def test_the_instructor_panel_makes_an_exercise_and_refuses_a_malformed_goal():
    at = open_session(timeout=120)
    assert not [t for t in at.text_input if t.label == "Title"]  # the closed panel draws nothing
    at.session_state[exercise_maker.PANEL] = True  # opened (AppTest cannot click an expander)
    at.run()
    labelled(at.text_input, "Title").set_value("Fewer parameters")
    labelled(at.text_area, "Task").set_value("Reach 95 % with **at most** 100 parameters.")
    labelled(at.text_area, "Goals, one a line").set_value("species.accuracy=>0.95")
    labelled(at.button, "Make the exercise").click().run()
    assert not at.exception
    assert any(unescape(e.value).startswith("Goal line 1: a goal must be a metric") for e in at.error)
    assert "exercise" not in at.session_state["design"]

    labelled(at.text_area, "Goals, one a line").set_value("species.accuracy>=0.95\nparams<=100")
    labelled(at.multiselect, "Lock").set_value(["inputs", "heads"])
    labelled(at.multiselect, "Hide").set_value(["page:code"])
    labelled(at.button, "Make the exercise").click().run()
    made = at.session_state["design"]["exercise"]
    assert made["goals"] == [{"metric": "species.accuracy", "at_least": 0.95}, {"metric": "params", "at_most": 100}]
    assert (made["locks"], made["hide"]) == (["inputs", "heads"], ["page:code"])
    value = at.query_params[links.PARAMETER]
    value = value[0] if isinstance(value, list) else value
    assert links.decode(value) == at.session_state["design"]  # the address bar is the link to hand out
    assert "Reach 95 % with **at most** 100 parameters." in box_text(at)  # the task as written, not as Markdown
    assert widget(at.multiselect, "input-input:columns").disabled


def test_the_instructor_panel_refuses_a_goal_on_a_head_the_design_does_not_have():
    at = open_session(timeout=120)
    at.session_state[exercise_maker.PANEL] = True
    at.run()
    labelled(at.text_input, "Title").set_value("Impossible")
    labelled(at.text_area, "Goals, one a line").set_value("params<=300\n\nnosuchhead.accuracy>=0.9")
    labelled(at.button, "Make the exercise").click().run()
    assert not at.exception
    assert "exercise" not in at.session_state["design"]
    assert [unescape(e.value) for e in at.error] == [
        "Goal line 3: nosuchhead.accuracy>=0.9 names no head of the design (its heads: species) and no column of "
        "Iris flowers to add one on."
    ]


def keyed_block(node, key: str):
    """The block made by ``st.container(key=key)``, searched for through the element tree (None if absent)."""
    proto = getattr(node, "proto", None)
    if proto is not None and str(getattr(proto, "id", "")).endswith(f"-{key}"):
        return node
    children = getattr(node, "children", {})
    return next((found for child in children.values() if (found := keyed_block(child, key)) is not None), None)


def test_projector_mode_shows_the_task_in_its_own_large_block():
    at = open_link(SMALLER, projector="true")
    task = keyed_block(at._tree, "exercise-task")  # the block assets/projector.css sets in 30 px type
    assert task is not None
    assert [unescape(m.value) for m in task.children.values()] == [SMALLER["exercise"]["task"]]
    assert "st-key-exercise-task" in (Path(__file__).parent.parent / "assets" / "projector.css").read_text()
