"""Share links and design files in the app, driven through Streamlit's AppTest (no browser).

Nothing here trains, so no test is marked ``keras``.

AppTest allows ``switch_page`` before the first run (st.navigation's default url paths match the page
file names), so a session can open on the Train or Code page, as one opened from a shared URL does.

AppTest runs in a running server's steady state (see ``tests/apptest_support.py`` and the autouse
fixture in ``conftest.py``); ``test_a_fresh_server_opened_on_the_code_page_*`` requests
``fresh_server`` to check the first request a freshly started server answers.
"""

from __future__ import annotations

import base64
import json
import zlib

import pytest
from apptest_support import (
    APP,
    CODE_PAGE,
    DESIGN_PAGE,
    TRAIN_PAGE,
    button,
    markdown_tags,
    open_session,
    preset_design,
    shown_total,
    widget,
)
from streamlit.testing.v1 import AppTest

from designer import edits, export, links, params, presets, spec
from designer.validation import errors, validate
from ui.text import unescape

TITLES = {DESIGN_PAGE: "Design a network", TRAIN_PAGE: "Train on Iris", CODE_PAGE: "Keras code"}
PRESETS = presets.presets()
LINK_ERROR = "This link could not be opened: "


def open_app(value: str | None = None, page: str = DESIGN_PAGE) -> AppTest:
    """A fresh session opened on ``page``, with ``?design=value`` in its address if given."""
    at = open_session(page, query=None if value is None else {links.PARAMETER: value})
    assert [t.value for t in at.title][:1] == [TITLES[page]]
    return at


def same(got: object, want: object) -> None:
    """Equal, with the same types and key order."""
    assert got == want
    assert json.dumps(got) == json.dumps(want)


def linked_design(at: AppTest) -> dict:
    """The design in the session's address bar after the last run."""
    return links.decode(at.query_params[links.PARAMETER])


def link_errors(at: AppTest) -> list[str]:
    return [unescape(e.value) for e in at.error if unescape(e.value).startswith(LINK_ERROR)]


def exported(design: dict, style: str) -> str:
    """The script as ``st.code`` shows it (without the file's final newline)."""
    return export.export(design, style).rstrip("\n")


def assert_shows(at: AppTest, design: dict) -> None:
    """The session holds ``design`` and the Design page shows its count; the address bar links to it."""
    same(at.session_state["design"], design)
    assert shown_total(at) == params.summarize(design).total
    same(linked_design(at), design)


# --------------------------------------------------------------------------------------- opening a link


@pytest.mark.parametrize("preset", PRESETS, ids=[p.key for p in PRESETS])
def test_a_link_opens_its_design_on_the_design_page(preset):
    design = preset.load()
    at = open_app(links.encode(design))
    assert_shows(at, design)
    assert at.query_params[links.PARAMETER] == links.encode(design)  # the link stays as it was
    assert not at.error
    dot = at.get("graphviz_chart")[0].proto.spec
    assert all(f'"{name}"' in dot for name in edits.all_names(design))


def test_a_link_opens_an_edited_design_exactly():
    """Not only presets: renamed layers, a second input, float settings like learning_rate 0.0003."""
    design = edits.add_input_group(preset_design("lecture_two_outputs"))
    design = edits.rename(design, "hidden_2", "middle")
    design = edits.set_training(design, "learning_rate", 0.0003)
    design = edits.set_field(design, "heads", 1, "loss_weight", 0.35)
    assert not errors(validate(design))
    at = open_app(links.encode(design))
    assert_shows(at, design)
    assert at.session_state["design"]["training"]["learning_rate"] == 0.0003


@pytest.mark.parametrize("page", [TRAIN_PAGE, CODE_PAGE])
@pytest.mark.parametrize("key", ["lecture_two_outputs", "two_input_branches"])
def test_a_link_opens_its_design_on_any_first_page(page, key):
    design = preset_design(key)
    at = open_app(links.encode(design), page)
    same(at.session_state["design"], design)
    same(linked_design(at), design)
    if page == CODE_PAGE:
        functional = at.tabs[1]
        assert functional.code[0].value == exported(design, "functional")
    at.switch_page(DESIGN_PAGE).run()
    assert not at.exception
    assert_shows(at, design)


@pytest.mark.parametrize(
    "value",
    [
        "not-a-link",
        links.encode(preset_design("lecture_two_outputs"))[:-12],  # cut short
        links.encode(edits.set_field(preset_design("lecture_two_outputs"), "layers", 0, "units", 0)),
        "A" * (links.MAX_LINK_CHARACTERS + 1),
    ],
    ids=["garbage", "truncated", "invalid-field", "too-long"],
)
@pytest.mark.parametrize("page", [DESIGN_PAGE, CODE_PAGE])
def test_a_tampered_link_shows_the_error_and_the_default_design(value, page):
    with pytest.raises(links.LinkError) as caught:
        links.decode(value)
    at = open_app(value, page)
    assert link_errors(at) == [f"{LINK_ERROR}{caught.value}. The default design is shown."]
    same(at.session_state["design"], presets.default_design())
    same(linked_design(at), presets.default_design())  # the address bar now links to what is on screen
    if page != DESIGN_PAGE:
        at.switch_page(DESIGN_PAGE).run()
        assert link_errors(at), "the message goes once the learner edits, not when they change pages"
    assert_shows(at, presets.default_design())
    assert shown_total(at) == 273


def test_a_fresh_server_opened_on_the_code_page_shows_the_link_error(fresh_server):
    at = open_session(CODE_PAGE, query={links.PARAMETER: "not-a-link"})
    same(at.session_state["design"], presets.default_design())
    assert link_errors(at)


def test_the_link_error_goes_after_an_edit():
    at = open_app("not-a-link")
    assert link_errors(at)
    widget(at.number_input, "layer-0:units").set_value(16).run()
    assert not link_errors(at)
    assert at.session_state["design"]["layers"][0]["units"] == 16


def test_a_link_with_a_lone_surrogate_shows_the_error():
    raw = b'{"version": 1, "dataset": "\\ud800", "heads": [{"name": "species", "target": "species"}]}'
    value = base64.urlsafe_b64encode(zlib.compress(raw)).decode().rstrip("=")
    at = open_session(query={links.PARAMETER: value})
    assert link_errors(at)


def test_a_link_cannot_put_markdown_in_the_error():
    design = {**presets.default_design(), "[Sign in again](https://example.com/login)": 1}
    at = open_app(links.encode(design))
    [message] = link_errors(at)
    assert "[Sign in again](https://example.com/login)" in message  # shown as written...
    [raw] = [e.value for e in at.error]
    assert "a" not in markdown_tags(raw)  # ...as its brackets reach Markdown escaped: no link


# ----------------------------------------------------------------------------------- the link follows edits


def test_the_link_follows_an_edit():
    at = open_app()
    same(linked_design(at), presets.default_design())
    widget(at.number_input, "layer-0:units").set_value(16).run()
    edited = edits.set_field(presets.default_design(), "layers", 0, "units", 16)
    assert_shows(at, edited)
    button(at, "Add a Dense layer at the end").click().run()
    assert_shows(at, edits.add_layer(edited, "dense"))


def test_the_link_follows_an_edit_of_a_linked_design():
    design = preset_design("lecture_two_outputs")
    at = open_app(links.encode(design))
    widget(at.number_input, "layer-0:units").set_value(5).run()
    assert_shows(at, edits.set_field(design, "layers", 0, "units", 5))


def test_a_refused_edit_leaves_the_link_alone():
    at = open_app()
    before = at.query_params[links.PARAMETER]
    widget(at.number_input, "layer-0:units").set_value(0).run()
    assert at.error
    assert at.query_params[links.PARAMETER] == before


def test_a_preset_picked_on_the_design_page_reaches_the_link():
    at = open_app()
    widget(at.selectbox, "preset:preset").set_value("regularised").run()
    assert_shows(at, preset_design("regularised"))


# -------------------------------------------------------------------------------------------- the Code page


def test_two_outputs_point_from_the_sequential_tab_to_the_functional_tab():
    design = preset_design("lecture_two_outputs")
    at = open_app(links.encode(design), CODE_PAGE)
    sequential, functional, subclassing, file_tab = at.tabs
    assert [t.label for t in at.tabs] == [
        "Sequential API",
        "Functional API",
        "Model subclassing",
        "Design file and link",
    ]
    assert not sequential.code and not sequential.get("download_button")
    [info] = sequential.info
    assert "Sequential API cannot express this design" in info.value
    assert "2 output heads" in info.value and "**Functional API** tab" in info.value
    code = functional.code[0].value
    assert 'name="species"' in code and 'name="petal_width"' in code
    assert code == exported(design, "functional")
    assert subclassing.code[0].value == exported(design, "subclassing")
    downloads = [b.proto.label for b in at.get("download_button")]
    assert downloads == ["Download iris_functional.py", "Download iris_subclassing.py", "Download design.json"]
    assert file_tab.code[0].value.endswith(links.query_string(design))


def test_the_sequential_tab_has_code_for_a_single_chain():
    at = open_app(page=CODE_PAGE)
    assert not at.tabs[0].info
    assert at.tabs[0].code[0].value == exported(presets.default_design(), "sequential")


def test_the_share_link_is_the_page_address_with_the_design():
    design = preset_design("two_input_branches")
    at = AppTest.from_file(APP, default_timeout=60)
    at.context["url"] = "http://localhost:8501/code?design=old"
    at.query_params[links.PARAMETER] = links.encode(design)
    at.switch_page(CODE_PAGE).run()
    assert not at.exception
    link = at.tabs[3].code[0].value
    assert link == "http://localhost:8501/code" + links.query_string(design)
    same(links.from_query_string(link.partition("?")[2]), design)


# --------------------------------------------------------------------------------------------- design files


def uploader(at: AppTest):
    return widget(at.file_uploader, f"upload:{at.session_state.get('revision', 0)}")


def upload(at: AppTest, data: bytes, name: str = "design.json") -> AppTest:
    uploader(at).upload(name, data, "application/json").run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_uploading_a_design_file_replaces_the_design():
    at = open_app(page=CODE_PAGE)
    design = edits.set_training(preset_design("two_input_branches"), "learning_rate", 0.0003)
    upload(at, spec.dumps(design).encode())
    assert not at.error
    same(at.session_state["design"], design)
    same(linked_design(at), design)
    assert at.tabs[1].code[0].value == exported(design, "functional")
    assert uploader(at).key == f"upload:{at.session_state['revision']}"  # a fresh, empty uploader
    at.switch_page(DESIGN_PAGE).run()
    assert_shows(at, design)


def padded_valid_file(size: int) -> bytes:
    text = spec.dumps(preset_design("lecture_two_outputs"))
    return (text + " " * (size - len(text))).encode()


INVALID_FILES = {
    "bad-json": (b'{"version": 1, "layers": [', "The file is not a JSON design file."),
    "not-utf8": (b"\xff\xfe{}", "The file is not a JSON design file."),
    "not-an-object": (b"[1, 2, 3]", "a design must be a JSON object, got [1, 2, 3]"),
    "invalid-field": (
        spec.dumps(edits.set_field(preset_design("lecture_two_outputs"), "layers", 1, "units", 5000)).encode(),
        "Layer 2 (hidden_2): units must be a whole number from 1 to 1024, got 5000",
    ),
    "unknown-field": (b'{"version": 1, "heads": [{"name": "y", "target": "species"}], "code": "1"}', "code is"),
    "over-100-kb": (padded_valid_file(100_001), "The file is 100,001 bytes; a design file is at most 100,000."),
}


@pytest.mark.parametrize("case", INVALID_FILES)
def test_an_invalid_design_file_shows_a_message_and_changes_nothing(case):
    data, message = INVALID_FILES[case]
    design = preset_design("lecture_two_outputs")
    at = open_app(links.encode(design), CODE_PAGE)
    revision, link = at.session_state.get("revision", 0), dict(at.query_params)
    upload(at, data)
    assert any(unescape(e.value).startswith(message) for e in at.error), [unescape(e.value) for e in at.error]
    same(at.session_state["design"], design)
    assert at.session_state.get("revision", 0) == revision
    assert at.query_params == link
    assert at.tabs[1].code[0].value == exported(design, "functional")


def test_a_valid_design_file_of_exactly_100_kb_is_accepted():
    at = open_app(page=CODE_PAGE)
    upload(at, padded_valid_file(100_000))
    assert not at.error
    same(at.session_state["design"], preset_design("lecture_two_outputs"))


def test_a_good_upload_after_a_bad_one_clears_the_message():
    at = open_app(page=CODE_PAGE)
    upload(at, b"not json")
    assert at.error
    at.file_uploader[0].clear()
    upload(at, spec.dumps(preset_design("logistic_regression")).encode(), "second.json")
    assert not at.error
    same(at.session_state["design"], preset_design("logistic_regression"))


def test_a_design_file_with_a_lone_surrogate_shows_a_message():
    at = open_app(page=CODE_PAGE)
    upload(at, b'{"version": 1, "dataset": "\\ud800", "heads": [{"name": "species", "target": "species"}]}')
    assert at.error


@pytest.mark.parametrize("page", [DESIGN_PAGE, TRAIN_PAGE, CODE_PAGE])
@pytest.mark.parametrize("seed", [2**64, -1, 2**53])
def test_a_link_with_a_seed_no_training_takes_is_refused_on_every_page(page, seed):
    # Seeds are 0 to 2**32 - 1 (NumPy's and Keras' range); 2**64 once reached st.number_input and broke the page.
    design = edits.set_training(preset_design("lecture_sequential"), "seed", seed)
    at = open_app(links.encode(design), page)
    assert not at.exception, [e.message for e in at.exception]
    assert any(
        "training.seed" not in unescape(e.value)
        and "seed must be a whole number from 0 to 4294967295" in unescape(e.value)
        for e in at.error
    ), [unescape(e.value) for e in at.error]
    same(at.session_state["design"], presets.default_design())
