"""The real app in headless Chromium: the Design page renders, and edits reach the browser."""

from __future__ import annotations

import re

import pytest
from browser import GRAPH, SCREENSHOTS, wait_until_idle
from playwright.sync_api import Locator, Page, expect

from designer import edits, params, presets

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("design_page")]  # each test's page opens on Design

SCREENSHOT = SCREENSHOTS / "design.png"


def units_inputs(page: Page) -> Locator:
    return page.get_by_label("Units", exact=True)


def type_units(page: Page, value: str) -> None:
    """Type ``value`` into the first layer's Units input and press Enter."""
    units = units_inputs(page).first
    units.fill(value)
    units.press("Enter")


def test_design_page_shows_graph_and_total(page: Page):
    expect(page.get_by_role("heading", name="Total params: 273 (1.07 KB)")).to_be_visible()
    graph = page.locator(GRAPH)
    for name in ("hidden_1", "hidden_2", "hidden_3", "species"):
        expect(graph.locator("text", has_text=re.compile(rf"^{name}$"))).to_have_count(1)
    wait_until_idle(page)
    page.wait_for_function(  # the graph has been laid out and stays put
        """selector => new Promise(done => {
            const box = () => JSON.stringify(document.querySelector(selector).getBoundingClientRect());
            const before = box();
            setTimeout(() => done(box() === before && document.querySelector(selector).getBBox().height > 0), 300);
        })""",
        arg=GRAPH,
    )
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOT, full_page=True)


def test_adding_a_dense_layer_updates_total_and_graph(page: Page):
    before = params.summarize(presets.default_design()).totals_lines()[0]
    after = params.summarize(edits.add_layer(presets.default_design(), "dense")).totals_lines()[0]
    assert before != after
    button = page.get_by_role(
        "button", name="Dense", exact=True
    )  # announced as "Dense"; its + icon is hidden from readers
    expect(button).to_have_count(1)
    expect(button.locator('[aria-hidden="true"]', has_text="add")).to_have_count(1)
    button.click()
    expect(page.get_by_role("heading", name=after)).to_be_visible()
    expect(page.get_by_text(before)).to_have_count(0)
    expect(page.locator(GRAPH).locator("text", has_text=re.compile(r"^hidden_4$"))).to_have_count(1)


def test_refused_units_show_an_error_and_keep_the_design(page: Page):
    type_units(page, "0")
    expect(page.get_by_test_id("stAlert").filter(has_text="must be a whole number")).to_contain_text(
        "Layer 1 (hidden_1): units must be a whole number from 1 to 1024, got 0"
    )
    wait_until_idle(page)
    expect(page.get_by_role("heading", name="Total params: 273 (1.07 KB)")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_an_edit_after_loading_a_preset_applies_to_the_preset(page: Page):
    """Loading a preset, then editing it, edits the preset (the picker does not fire again)."""
    preset = next(p for p in presets.presets() if p.key == "lecture_two_outputs")
    preset_total = params.summarize(preset.load()).totals_lines()[0]
    page.get_by_label("Start from a preset").click()
    page.get_by_role("option", name=preset.title).click()
    expect(page.get_by_role("heading", name=preset_total)).to_be_visible()
    wait_until_idle(page)
    edited = edits.set_field(preset.load(), "layers", 0, "units", 4)
    type_units(page, "4")
    expect(page.get_by_role("heading", name=params.summarize(edited).totals_lines()[0])).to_be_visible()
    wait_until_idle(page)
    type_units(page, "0")
    expect(page.get_by_test_id("stAlert").filter(has_text="must be a whole number")).to_contain_text(
        "Layer 1 (hidden_1): units must be a whole number from 1 to 1024, got 0"
    )
    expect(page.get_by_role("heading", name=params.summarize(edited).totals_lines()[0])).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
