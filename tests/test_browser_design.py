"""The Design page in headless Chromium at 1280 × 720: what a learner sees while editing.

A refused value never stays in its box; adding a head says what it did;
every icon button has a name a screen reader can announce; every "From" box
shows its whole choice; the loaded preset stays named in its picker; widgets
keep their identity across edits (the same DOM node before and after).
"""

from __future__ import annotations

import re

import pytest
from browser import app_button, total_heading, wait_until_idle
from playwright.sync_api import expect

from designer import edits, presets

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("design_page")]

LECTURE = presets.default_design()


def type_into(page, box, value: str) -> None:
    """Type ``value`` into ``box``, press Enter, and wait for the rerun to end."""
    box.fill(value)
    box.press("Enter")
    page.wait_for_timeout(300)  # the rerun starts
    wait_until_idle(page)


def alerts(page) -> list[str]:
    return [alert.inner_text() for alert in page.get_by_test_id("stAlert").all()]


@pytest.mark.parametrize(
    ("label", "typed", "message"),
    [
        ("Units", "0", "Layer 1 (hidden_1): units must be a whole number from 1 to 1024, got 0"),
        ("Units", "5000", "Layer 1 (hidden_1): units must be a whole number from 1 to 1024, got 5000"),
        ("Loss weight", "-1", "Output head 1 (species): loss weight must be a number greater than 0, got -1.0"),
    ],
)
def test_a_refused_value_goes_back_to_the_designs_value_with_its_message(page, label, typed, message):
    box = page.get_by_label(label, exact=True).first
    before = box.input_value()
    type_into(page, box, typed)
    expect(box).to_have_value(before)
    expect(page.get_by_test_id("stAlert").filter(has_text=message)).to_have_count(1)
    expect(page.get_by_role("heading", name=total_heading(LECTURE))).to_be_visible()


def test_a_refused_name_gives_one_message_not_a_knock_on(page):
    name = page.get_by_label("Name", exact=True).nth(1)
    type_into(page, name, "my layer")
    expect(name).to_have_value("hidden_2")
    errors = [text for text in alerts(page) if "error" in text]
    assert len(errors) == 1, errors
    assert (
        'Layer 2: name must be letters, digits and _, starting with a letter (at most 40), got "my layer"' in errors[0]
    )


def test_adding_a_head_says_what_it_did(page):
    app_button(page, "Output head").click()
    expect(page.get_by_test_id("stAlert").filter(has_text="petal_width is now predicted")).to_have_text(
        re.compile(r"petal_width is now predicted, so it is no longer an input\.")
    )
    expect(page.get_by_role("heading", name=total_heading(edits.add_head(LECTURE)))).to_be_visible()


def test_every_button_has_an_accessible_name_in_words(page):
    buttons = page.get_by_test_id("stMain").get_by_role("button").all()
    assert len(buttons) > 10
    for button in buttons:
        name = button.evaluate("b => b.getAttribute('aria-label') || b.innerText")
        assert name.strip(), button.inner_html()
    snapshot = page.get_by_test_id("stMain").aria_snapshot()
    assert " icon" not in snapshot, [line for line in snapshot.splitlines() if " icon" in line]
    expect(app_button(page, "Move hidden_2 up")).to_be_visible()
    expect(app_button(page, "Remove hidden_3")).to_be_visible()


def test_every_from_box_shows_its_whole_choice(page):
    boxes = page.get_by_role("combobox", name="From", exact=True)
    expect(boxes).to_have_count(4)  # three layers and a head; expect waits while the page draws, len(all()) would not
    for box in boxes.all():
        assert box.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), box.input_value()


def test_input_chips_are_not_cut_off(page):
    inputs = page.get_by_test_id("stMultiSelect").first
    chips = inputs.locator("[data-tag]")
    expect(chips).to_have_count(4)  # waits while the page draws: the chips can land after the script ends
    right = inputs.evaluate("e => e.getBoundingClientRect().right")
    for chip in chips.all():
        assert chip.evaluate("e => e.getBoundingClientRect().right") <= right, chip.inner_text()


def test_the_loaded_preset_stays_named_in_its_picker(page):
    picker = page.get_by_role("combobox", name="Start from a preset")
    expect(picker).to_have_value(presets.presets()[0].title)
    two = presets.presets()[1]
    page.get_by_label("Start from a preset").click()
    page.get_by_role("option", name=two.title).click()
    expect(page.get_by_role("heading", name=total_heading(two.load()))).to_be_visible()
    wait_until_idle(page)
    expect(picker).to_have_value(two.title)


def test_widgets_keep_their_identity_across_an_edit(page):
    page.evaluate("() => { window.__units = document.querySelectorAll('input[aria-label=\"Units\"]')[2]; }")
    app_button(page, "Dense").click()
    expect(page.get_by_role("heading", name=total_heading(edits.add_layer(LECTURE)))).to_be_visible()
    wait_until_idle(page)
    same = page.evaluate("() => window.__units === document.querySelectorAll('input[aria-label=\"Units\"]')[2]")
    assert same, "the third Units box was created afresh by an edit elsewhere"
