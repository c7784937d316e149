"""Projector mode in headless Chromium at 1280 × 720: legible, no horizontal scroll, one click away.

Every check reads what the browser computed: the font size of each piece of
visible text, the size graph labels and chart text are drawn at, and the
page's scroll width. The tests also save the README's screenshots of the
Design and Train pages in both modes (the normal-mode ones at the projector's
size too, so the two can be compared).
"""

from __future__ import annotations

import re

import pytest
from browser import GRAPH, SCREENSHOTS, TRAINING_TIMEOUT, wait_until_idle
from playwright.sync_api import Page, expect

from ui.projector import PROJECTOR

pytestmark = pytest.mark.browser

PROJECTOR_SIZE = {"width": 1280, "height": 720}
BODY_PX = 22  # body text at least this, in projector mode
DRAWN_PX = 18  # graph labels and chart text at least this

# Every visible piece of text in the page's main area outside graphs, charts,
# code and icons, with its computed font size in px.
TEXT_SIZES = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const skip = 'svg, pre, code, [data-testid="stIconMaterial"], [data-testid="stPlotlyChart"]';
    const found = [];
    const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const element = walker.currentNode.parentElement;
        const text = walker.currentNode.textContent.trim();
        if (!text || element.closest(skip) || !element.checkVisibility()) continue;
        found.push([text.slice(0, 40), parseFloat(getComputedStyle(element).fontSize)]);
    }
    return found;
}"""

# The on-screen size (px) of each label of each graphviz chart: font size times the SVG's scale.
GRAPH_LABEL_SIZES = """() => [...document.querySelectorAll('[data-testid="stGraphVizChart"] svg text')]
    .filter(text => text.textContent.trim())
    .map(text => [text.textContent, parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a])"""

CHART_TEXT_SIZES = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] svg text')]
    .filter(text => text.textContent.trim() && text.checkVisibility())
    .map(text => [text.textContent, parseFloat(getComputedStyle(text).fontSize)])"""

# Widths that would need a horizontal scroll bar: the document's and the main area's.
SCROLL = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    return {page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
            main: [main.scrollWidth, main.clientWidth]};
}"""


@pytest.fixture
def viewport() -> dict:
    """Every test's browser window is the projector's size (overrides conftest's)."""
    return PROJECTOR_SIZE


@pytest.fixture
def projector_page(page, server) -> Page:
    """A fresh session at 1280 × 720, opened in projector mode, showing the Design page."""
    page.goto(f"{server}/?projector=true")
    settle(page)
    return page


def settle(page: Page) -> None:
    """Wait until the app is idle and every graph has been laid out and stays put."""
    expect(page.get_by_role("button", name="Projector mode")).to_be_visible()
    wait_until_idle(page)
    page.wait_for_function(
        """() => new Promise(done => {
            const boxes = () => JSON.stringify([...document.querySelectorAll('[data-testid="stGraphVizChart"] svg')]
                .map(svg => svg.getBoundingClientRect()));
            const before = boxes();
            setTimeout(() => done(boxes() === before), 400);
        })"""
    )


def assert_legible(page: Page) -> None:
    """Body text ≥ 22 px, graph labels and chart text ≥ 18 px, and nothing to scroll sideways."""
    texts = page.evaluate(TEXT_SIZES)
    assert texts, "no text found on the page"
    small = [(text, size) for text, size in texts if size < BODY_PX]
    assert not small, f"body text under {BODY_PX} px: {small}"
    small_labels = [(text, round(size, 1)) for text, size in page.evaluate(GRAPH_LABEL_SIZES) if size < DRAWN_PX]
    assert not small_labels, f"graph labels drawn under {DRAWN_PX} px: {small_labels}"
    small_chart = [(text, size) for text, size in page.evaluate(CHART_TEXT_SIZES) if size < DRAWN_PX]
    assert not small_chart, f"chart text under {DRAWN_PX} px: {small_chart}"
    scroll = page.evaluate(SCROLL)
    for where, (scroll_width, client_width) in scroll.items():
        assert scroll_width <= client_width, f"the {where} scrolls sideways: {scroll_width} > {client_width} px"


def test_one_click_switches_projector_mode_on_and_off(page: Page, server):
    page.goto(server)
    expect(page.get_by_text("Total params: 273")).to_be_visible()
    settle(page)
    sum_line = page.get_by_text(re.compile(r"^40 \+ 90 \+ 110 \+ 33 =")).first
    normal_size = float(sum_line.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
    assert normal_size < BODY_PX
    caption = page.get_by_test_id("stCaptionContainer").first
    assert float(caption.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) < BODY_PX

    page.get_by_role("button", name="Projector mode").click()
    expect(page).to_have_url(re.compile(r"[?&]projector=true"))
    wait_until_idle(page)
    expect(caption).to_have_css("font-size", f"{BODY_PX}px")
    expect(sum_line).to_have_css("font-size", f"{BODY_PX}px")
    assert_legible(page)

    page.get_by_role("link", name=re.compile(r"\bTrain$")).click()  # the navigation now sits in the top bar
    expect(page.get_by_role("heading", name="Train on Iris")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/train\?.*projector=true"))
    wait_until_idle(page)
    assert_legible(page)

    page.get_by_role("button", name="Projector mode").click()
    expect(page).not_to_have_url(re.compile(r"projector="))
    expect(page.get_by_test_id("stCaptionContainer").first).not_to_have_css("font-size", f"{BODY_PX}px")


def test_design_page_is_legible_at_1280_by_720(projector_page: Page):
    page = projector_page
    expect(page.get_by_role("heading", name="Total params: 273 (1.07 KB)")).to_be_visible()
    graph_font = page.locator(GRAPH).locator("text").first.get_attribute("font-size")
    assert float(graph_font) == PROJECTOR.font_size
    assert_legible(page)
    page.screenshot(path=SCREENSHOTS / "design_projector.png")


def test_walking_through_the_layers_is_legible(projector_page: Page):
    page = projector_page
    page.get_by_role("tab", name="Neuron by neuron").click()
    page.get_by_test_id("stButtonGroup").get_by_text("hidden_1", exact=True).click()
    expect(page.get_by_role("heading", name="hidden_1: 40 parameters")).to_be_visible()
    expect(page.get_by_text("4 × 8 = 32 weights", exact=False)).to_be_visible()
    settle(page)
    assert_legible(page)
    page.screenshot(path=SCREENSHOTS / "neurons_projector.png")


def test_train_and_model_pages_are_legible_after_training(projector_page: Page):
    page = projector_page
    page.get_by_role("link", name=re.compile(r"\bTrain$")).click()
    expect(page.get_by_role("heading", name="Train on Iris")).to_be_visible()
    wait_until_idle(page)
    assert_legible(page)
    page.get_by_role("button", name=re.compile(r"Train$")).click()
    expect(page.get_by_role("heading", name=re.compile(r"Run 1: .* · finished"))).to_be_visible(
        timeout=TRAINING_TIMEOUT
    )
    settle(page)
    assert_legible(page)
    page.screenshot(path=SCREENSHOTS / "train_projector.png")
    maps = page.get_by_role("heading", name="What the network learned")
    maps.evaluate("heading => heading.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)
    page.screenshot(path=SCREENSHOTS / "maps_projector.png")

    page.get_by_role("link", name=re.compile(r"\bModel$")).click()
    expect(page.get_by_text("The model trained in", exact=False)).to_be_visible()
    settle(page)
    assert_legible(page)
    page.screenshot(path=SCREENSHOTS / "model_projector.png")
    page.get_by_role("tab", name="Weight matrices").click()
    expect(page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot')).to_have_count(2)
    wait_until_idle(page)
    assert_legible(page)


@pytest.mark.parametrize("path, name", [("/", "design_normal_1280.png"), ("/train", "train_normal_1280.png")])
def test_normal_mode_screenshots_at_projector_size(page: Page, server, path, name):
    """The same pages without projector mode, at the same size: the README sets them side by side."""
    page.goto(server + path)
    settle(page)
    page.screenshot(path=SCREENSHOTS / name)
