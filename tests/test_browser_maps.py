"""The decision maps in headless Chromium: live while a run trains, a map per head and per unit after it.

The maps' numbers are held to Keras in ``test_maps.py`` and ``test_map_page.py``; here, what a learner sees.
"""

from __future__ import annotations

import re

import pytest
from browser import SCREENSHOTS, TRAINING_TIMEOUT, app_button, go_to, start_training, wait_until_idle
from playwright.sync_api import Page, expect

from designer import params, presets

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("design_page")]  # each test's page opens on Design

TWO_OUTPUTS = next(p for p in presets.presets() if p.key == "lecture_two_outputs")
TITLE = '[data-testid="stPlotlyChart"] .gtitle'
SPECIES_MAP, WIDTH_MAP = "species: the species it predicts", "petal_width: predicted petal_width"
UNITS = "hidden_1: each unit's activation"


def load_two_outputs(page: Page) -> None:
    page.get_by_label("Start from a preset").click()
    page.get_by_role("option", name=TWO_OUTPUTS.title).click()
    expect(page.get_by_role("heading", name=params.summarize(TWO_OUTPUTS.load()).totals_lines()[0])).to_be_visible()
    wait_until_idle(page)
    go_to(page, "Train", "Train on Iris")


def chart(page: Page, title: str):
    return page.locator('[data-testid="stPlotlyChart"]').filter(has=page.locator(".gtitle", has_text=title))


def axis_title(page: Page, title: str, axis: str) -> str:
    return chart(page, title).locator(f".g-{axis}title").first.text_content()


def choose(page: Page, label: str, option: str) -> None:
    """Pick ``option`` in the select box ``label`` as a keyboard user does: focus it, type, Enter."""
    page.get_by_label(label).click()
    page.keyboard.type(option)
    page.keyboard.press("Enter")
    wait_until_idle(page)


def step(page: Page, label: str):
    return page.get_by_test_id("stMain").get_by_role("button", name=label, exact=True)


def test_the_maps_of_both_heads_and_the_units_after_training(page: Page):
    load_two_outputs(page)
    app_button(page, "Train").click()
    expect(page.get_by_role("heading", name="What the network learned")).to_be_visible(timeout=TRAINING_TIMEOUT)
    wait_until_idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    for title in (SPECIES_MAP, WIDTH_MAP):
        expect(page.locator(TITLE).filter(has_text=title)).to_have_count(1)
    choose(page, "Layer", "hidden_1")
    expect(page.locator(TITLE).filter(has_text=UNITS)).to_have_count(1)
    expect(chart(page, SPECIES_MAP).locator(".hm")).to_have_count(3)  # a layer of colour per species
    assert axis_title(page, SPECIES_MAP, "x") == "petal_length (cm)"
    assert axis_title(page, SPECIES_MAP, "y") == "sepal_length (cm)"
    expect(page.get_by_text(re.compile(r"The network's accuracy on the test rows, [\d.]+ %"))).to_be_visible()

    section = page.get_by_role("heading", name="What the network learned")
    section.evaluate("heading => heading.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "maps.png")


def test_changing_an_axis_redraws_the_map_without_a_new_run(page: Page):
    load_two_outputs(page)
    app_button(page, "Train").click()
    expect(page.get_by_role("heading", name="What the network learned")).to_be_visible(timeout=TRAINING_TIMEOUT)
    wait_until_idle(page)
    choose(page, "Up (y)", "sepal_width")
    # One chart each (a list: retried until the rerun has replaced the old one), on the new axis.
    expect(chart(page, SPECIES_MAP).locator(".g-ytitle")).to_have_text(["sepal_width (cm)"])
    expect(chart(page, WIDTH_MAP).locator(".g-ytitle")).to_have_text(["sepal_width (cm)"])
    expect(page.get_by_role("heading", name=re.compile(r"^Run 1: .* · finished$"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"^Run 2"))).to_have_count(0)
    expect(page.get_by_label("sepal_length held at (cm)")).to_have_count(1)  # the column that left the axes


def test_the_map_is_drawn_while_the_network_trains(page: Page):
    go_to(page, "Train", "Train on Iris")
    start_training(page, 2000)
    # Before the run ends (Stop is still there), the live map is on the page.
    expect(page.locator(TITLE).filter(has_text=SPECIES_MAP)).to_have_count(1, timeout=TRAINING_TIMEOUT)
    expect(app_button(page, "Stop")).to_be_visible()
    app_button(page, "Stop").click()
    expect(page.get_by_role("heading", name=re.compile(r"· stopped$"))).to_be_visible(timeout=30_000)


def test_steps_and_reset_from_the_page(page: Page):
    go_to(page, "Train", "Train on Iris")
    app_button(page, "Reset").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Run 1: .* · reset, untrained \(epoch 0\)$"))).to_be_visible(
        timeout=TRAINING_TIMEOUT
    )
    wait_until_idle(page)
    step(page, "+10 epochs").click()
    expect(page.get_by_text("10 epochs in", exact=False)).to_be_visible(timeout=TRAINING_TIMEOUT)
    wait_until_idle(page)
    step(page, "+1 epoch").click()
    expect(page.get_by_text("11 epochs in", exact=False)).to_be_visible(timeout=TRAINING_TIMEOUT)
    expect(page.get_by_role("heading", name=re.compile(r"^Run 2"))).to_have_count(0)
