"""The datasets on the pages, with AppTest: the picker, a CSV design opened by a link with and without its
file, the binary head's warnings, an exercise on Wine, projector mode on digits, and a Design page on 64 pixel
inputs that still imports nothing heavy."""

from __future__ import annotations

import csv
import io
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from apptest_support import (
    DESIGN_PAGE,
    TRAIN_PAGE,
    open_session,
    preset_design,
    press_train,
    set_epochs,
    train_button,
)

from designer import csv_table, edits, exercises, goals, links
from ui.projector import PROJECTOR

ROOT = Path(__file__).resolve().parent.parent


def dataset_box(at):
    return next(box for box in at.selectbox if box.label == "Dataset")


def text_of(elements) -> str:
    """The messages' words, without the backslashes that keep Markdown from reading them."""
    return " ".join(element.value for element in elements).replace("\\", "")


def totals(at) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("### Total params")]


def test_picking_a_dataset_changes_the_design_and_its_counts():
    at = open_session()
    dataset_box(at).set_value("wine").run()
    assert not at.exception
    design = at.session_state["design"]
    assert design["dataset"] == "wine" and design["heads"] == [{"name": "cultivar", "target": "cultivar"}]
    # The lecture's trunk on 13 measurements and 3 cultivars, worked by hand.
    assert totals(at) == [f"### Total params: {13 * 8 + 8 + 8 * 10 + 10 + 10 * 10 + 10 + 10 * 3 + 3} (1.35 KB)"]
    dataset_box(at).set_value("iris").run()
    assert "dataset" not in at.session_state["design"]  # back on Iris: the field is left out, as before


def test_a_binary_head_warns_about_softmax_on_one_unit():
    at = open_session(state={"design": preset_design("breast_cancer")})
    assert not at.warning  # sigmoid and binary cross-entropy: nothing to say
    activation = next(box for box in at.selectbox if box.key == "head-0:activation")
    activation.set_value("softmax").run()
    assert "always gives 1.0" in text_of(at.warning)
    loss = next(box for box in at.selectbox if box.key == "head-0:loss")
    loss.set_value("categorical_crossentropy").run()
    assert "is always 0" in text_of(at.warning)


def school_csv(rows: int = 80, seed: int = 3) -> bytes:
    """Two numbers, a category and a yes-or-no outcome, separated by semicolons."""
    chance = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["hours", "mock", "school", "passed"])
    for _ in range(rows):
        hours, mock = round(chance.uniform(0, 10), 1), round(chance.uniform(20, 100))
        passed = "yes" if hours * 6 + mock * 0.5 > 55 else "no"
        writer.writerow([hours, mock, chance.choice(["North", "South"]), passed])
    return out.getvalue().encode()


def csv_design(data: bytes | None = None, training: dict | None = None) -> dict:
    frame = csv_table.read(data or school_csv())
    roles = {"hours": "input", "mock": "input", "school": "input", "passed": "class target"}
    block, inputs, targets = csv_table.columns_for(frame, roles, "school.csv")
    design = edits.csv_design(preset_design("logistic_regression"), block, inputs, targets)
    design["training"] = training or {"epochs": 30, "batch_size": 8}
    return design


def test_a_csv_link_without_its_file_asks_for_one_and_cannot_train():
    design = csv_design()
    query = links.query_string(design).lstrip("?").split("=", 1)[1]
    at = open_session(query={links.PARAMETER: query})
    assert at.session_state["design"] == design  # the link carries the design and the columns it needs
    asked = text_of(at.info)
    assert "school.csv" in asked and "hours, mock, school, passed" in asked
    at = open_session(TRAIN_PAGE, query={links.PARAMETER: query})
    set_epochs(at, 2)
    assert train_button(at).disabled  # a run would only be refused, and take the name "Run 1"
    assert "upload a file with the columns hours, mock, school, passed" in text_of(at.info), text_of(at.info)
    assert not at.exception and not any(h.value.startswith("Run 1") for h in at.subheader)


@pytest.mark.keras
def test_a_csv_design_with_its_file_trains_and_names_its_classes():
    at = open_session(TRAIN_PAGE, state={"design": csv_design(), "csv_file": {"name": "s.csv", "data": school_csv()}})
    press_train(at)
    assert not at.error, [e.value for e in at.error]
    (table,) = at.table
    assert "accuracy" in table.value.iloc[0]["score"]
    charts = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    matrices = [c for c in charts if "confusion matrix" in c["layout"]["title"]["text"]]
    assert matrices and matrices[0]["data"][0]["x"] == ["no", "yes"]  # the file's own class names, in order


@pytest.mark.keras
def test_the_map_of_a_big_file_draws_a_sample_and_says_so():
    big = school_csv(rows=8_000)  # 0.2 test: 1,600 rows; 0.2 of the rest for validation: 5,120 training rows
    design = csv_design(big, {"epochs": 1, "batch_size": 200})
    at = open_session(TRAIN_PAGE, state={"design": design, "csv_file": {"name": "school.csv", "data": big}})
    press_train(at)
    assert not at.error, [e.value for e in at.error]
    drawn = (
        "Circles: 1,000 of the 5,120 rows it trained on (a sample in proportion to the classes); "
        "diamonds: 1,000 of the 1,600 test rows (a sample in proportion to the classes)"
    )
    assert drawn in text_of(at.caption), text_of(at.caption)
    charts = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    (figure,) = [c for c in charts if "it predicts" in c["layout"]["title"]["text"]]
    points = sum(len(trace.get("x", [])) for trace in figure["data"] if trace.get("type") == "scatter")
    assert points <= 2_000 + 1_000  # the drawn rows, and at most a ring on each drawn test row


@pytest.mark.parametrize(
    ("preset", "rows"),
    [("wine", "on 178 wines:"), ("penguins", "on the penguins with every value it uses (at least 333 of 344):")],
)
def test_the_train_page_says_which_rows_it_trains_on(preset, rows):
    at = open_session(TRAIN_PAGE, state={"design": preset_design(preset)})
    assert rows in text_of(at.caption), text_of(at.caption)


def gappy_csv() -> bytes:
    """The school file with the mock mark left empty on every tenth row: 8 of its 80 rows lack a value."""
    lines = school_csv().decode().splitlines()
    for i in range(1, len(lines), 10):
        hours, _, school, passed = lines[i].split(";")
        lines[i] = f"{hours};;{school};{passed}"
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.keras
def test_rows_missing_a_value_are_left_out_and_counted_on_both_pages():
    gappy = gappy_csv()
    design = csv_design(gappy, {"epochs": 2, "batch_size": 8})
    state = {"design": design, "csv_file": {"name": "school.csv", "data": gappy}}
    at = open_session(DESIGN_PAGE, state=state)
    assert "80 rows, with the columns the design needs; it trains on the 72 that have a value in each (8 left out)" in (
        text_of(at.success)
    )
    at = open_session(TRAIN_PAGE, state=state)
    press_train(at)
    assert not at.error, [e.value for e in at.error]
    # 72 rows: ceil(0.2 × 72) = 15 to test; of the other 57, ceil(0.2 × 57) = 12 to validate; 45 to train.
    expected = "72 rows: 45 to train on, 12 to validate on, 15 to test on; 8 more left out, each missing a value"
    assert expected in text_of(at.caption), text_of(at.caption)


@pytest.mark.keras
def test_a_run_whose_file_was_replaced_stays_on_the_train_page_and_asks_for_its_file():
    state = {"design": csv_design(training={"epochs": 2, "batch_size": 8}), "csv_file": {"name": "s.csv",
             "data": school_csv()}}  # fmt: skip
    at = open_session(TRAIN_PAGE, state=state)
    press_train(at)
    assert "The rows: 80 rows:" in text_of(at.caption)
    at.session_state["csv_file"] = {"name": "other.csv", "data": b"a,b\n" + b"1,2\n" * 20}  # uploaded since
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert "This run trained on school.csv, which is not the file loaded now: upload it again" in text_of(at.info)
    assert "The rows: 80 rows:" not in text_of(at.caption)
    assert not [h for h in at.subheader if h.value == "What the network learned"]
    assert len(at.table) == 1  # its test figures are kept, and still shown
    at.session_state["csv_file"] = state["csv_file"]
    at.run()
    assert "The rows: 80 rows:" in text_of(at.caption)
    assert [h for h in at.subheader if h.value == "What the network learned"]


def test_a_csv_file_that_lacks_a_column_is_refused_by_name():
    design = csv_design()
    without = b"\n".join(line.rsplit(b";", 1)[0] for line in school_csv().splitlines())  # no "passed"
    at = open_session(DESIGN_PAGE, state={"design": design, "csv_file": {"name": "short.csv", "data": without}})
    at.session_state["csv-panel"] = True
    at.run()
    assert "'passed'" in text_of(at.error), text_of(at.error)


def goal_lines(at) -> list[str]:
    return [m.value.replace("\\", "") for m in at.markdown if "**met:**" in m.value or "**not yet:**" in m.value]


@pytest.mark.keras
def test_an_exercise_on_wine_keeps_its_dataset_and_is_met_by_training():
    wine = preset_design("wine")
    design = exercises.make(wine, "Cultivars", [goals.parse_goal("cultivar.accuracy>=0.9")], locks=["inputs"])
    at = open_session(query={links.PARAMETER: links.encode(design)}, timeout=120)
    assert dataset_box(at).disabled and dataset_box(at).value == "wine"
    assert "cultivar accuracy ≥ 90 %: train the design on screen to see" in goal_lines(at)[0]
    at.switch_page(TRAIN_PAGE).run()
    press_train(at)
    assert not at.error, [e.value for e in at.error]
    (line,) = goal_lines(at)
    assert "**met:** cultivar accuracy" in line, line


def test_projector_mode_draws_the_64_pixel_digits_network_large():
    link = links.encode(preset_design("digits"))
    at = open_session(query={links.PARAMETER: link, "projector": "true"})
    dot = next(chart.proto.spec for chart in at.get("graphviz_chart"))
    assert f"fontsize={PROJECTOR.font_size}" in dot.replace('"', "")
    assert "pixel_0_0" in dot
    at.switch_page(TRAIN_PAGE).run()
    assert not at.exception
    assert at.title[0].value == "Train on Handwritten digits"


DIGITS_AFTER_RENDER = """
import json, sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file("streamlit_app.py", default_timeout=60)
at.query_params["design"] = {link!r}
at.run()
assert not at.exception, at.exception
assert any("Total params: 2,410" in m.value for m in at.markdown), [m.value for m in at.markdown][:8]
print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & {{"tensorflow", "keras", "sklearn"}})))
"""


def test_a_digits_design_page_imports_neither_tensorflow_nor_scikit_learn():
    link = links.query_string(preset_design("digits")).split("=", 1)[1]
    code = DIGITS_AFTER_RENDER.format(link=link)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
