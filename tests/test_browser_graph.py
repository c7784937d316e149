"""The network graph and the neuron view as Chromium draws them at 1280 × 720, in normal mode.

``st.graphviz_chart`` scales a graph's SVG down to its column, so a label's
size on screen is its font size times the SVG's scale: every check reads what
the browser computed. On the Design page's Build tab the network graph sits in
the right-hand column; on its "Neuron by neuron" tab the neuron view sits
beside the walk-through's words. Each preset is opened from a share link.
"""

from __future__ import annotations

import itertools

import pytest
from browser import GRAPH, TIMEOUT, wait_until_idle
from playwright.sync_api import Page, expect

from designer import exercises, links, presets
from ui.projector import NORMAL

pytestmark = pytest.mark.browser

SIZE = {"width": 1280, "height": 720}
SMALLEST_PX = 12  # no graph text drawn smaller than this
# The exercises' networks are other presets' (tests/test_exercise_pages.py opens them).
PRESETS = {preset.key: preset for preset in presets.presets() if exercises.FIELD not in preset.load()}

# Each label of the graph: its text and its size on screen in px (font size times the SVG's scale).
TEXT_SIZES = """selector => [...document.querySelectorAll(selector + ' text')]
    .filter(text => text.textContent.trim())
    .map(text => [text.textContent, parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a])"""

# Each Graphviz node of the graph: its id and the box (left, top, right, bottom, in px) of all it draws,
# its outline and its text (a caption's lines are one label).
NODE_BOXES = """selector => [...document.querySelectorAll(selector + ' g.node')].map(node => {
    const boxes = [...node.querySelectorAll('text, ellipse, polygon, path')]
        .filter(part => part.tagName !== 'text' || part.textContent.trim())
        .map(part => part.getBoundingClientRect())
        .filter(box => box.width > 0 && box.height > 0);
    return [node.querySelector('title').textContent,
            Math.min(...boxes.map(b => b.left)), Math.min(...boxes.map(b => b.top)),
            Math.max(...boxes.map(b => b.right)), Math.max(...boxes.map(b => b.bottom))];
})"""


@pytest.fixture
def open_design(browser, server):
    """Open a design's share link in a fresh session at 1280 × 720; yield the page."""
    context = browser.new_context(viewport=SIZE)
    context.set_default_timeout(TIMEOUT)

    def open_(design: dict) -> Page:
        page = context.new_page()
        page.goto(f"{server}/?{links.query_string(design)}")
        settle(page)
        return page

    yield open_
    context.close()


def settle(page: Page) -> None:
    """Wait until the app is idle and its one graph has been laid out and stays put."""
    expect(page.locator(GRAPH)).to_have_count(1)
    expect(page.locator(GRAPH).locator("text").first).to_be_attached()
    wait_until_idle(page)
    page.wait_for_function(
        """selector => new Promise(done => {
            const box = () => JSON.stringify(document.querySelector(selector).getBoundingClientRect());
            const before = box();
            setTimeout(() => done(box() === before), 400);
        })""",
        arg=GRAPH,
    )


def assert_normal_mode(page: Page) -> None:
    assert "projector=" not in page.url
    font = page.locator(GRAPH).locator("text").first.get_attribute("font-size")
    assert float(font) == NORMAL.font_size


def assert_text_at_least(page: Page, px: float) -> None:
    sizes = page.evaluate(TEXT_SIZES, GRAPH)
    assert sizes, "the graph has no text"
    small = sorted({(text, round(size, 1)) for text, size in sizes if size < px}, key=lambda item: item[1])
    assert not small, f"graph text drawn under {px} px: {small[:10]} (of {len(sizes)} labels)"


def overlaps(page: Page, tolerance: float = 0.5) -> list[tuple[str, str, float, float]]:
    """Pairs of graph nodes whose drawings (outline and text) intersect, with the intersection's size in px."""
    found = []
    for (a, *p), (b, *q) in itertools.combinations(page.evaluate(NODE_BOXES, GRAPH), 2):
        width = min(p[2], q[2]) - max(p[0], q[0])
        height = min(p[3], q[3]) - max(p[1], q[1])
        if width > tolerance and height > tolerance:
            found.append((a, b, round(width, 1), round(height, 1)))
    return found


def open_neurons(page: Page) -> None:
    page.get_by_role("tab", name="Neuron by neuron").click()
    expect(page.get_by_text("Walk through the layers")).to_be_visible()
    settle(page)


@pytest.mark.parametrize("key", list(PRESETS))
def test_network_graph_text_is_at_least_12_px(open_design, key):
    page = open_design(PRESETS[key].load())
    assert_normal_mode(page)
    graph = page.locator(GRAPH)
    width = graph.evaluate("svg => svg.getBoundingClientRect().width")
    assert 0 < width <= SIZE["width"] / 2, f"the graph is {width} px wide: not in the right-hand column"
    assert_text_at_least(page, SMALLEST_PX)
    assert not overlaps(page)


@pytest.mark.parametrize("key", list(PRESETS))
def test_neuron_view_labels_do_not_overlap_and_are_at_least_12_px(open_design, key):
    page = open_design(PRESETS[key].load())
    open_neurons(page)
    assert_normal_mode(page)
    boxes = page.evaluate(NODE_BOXES, GRAPH)
    assert any(name.endswith("/title") for name, *_ in boxes), "no captions drawn"
    found = overlaps(page)
    assert not found, f"{len(found)} overlapping neuron-view labels: {found[:10]}"
    assert_text_at_least(page, SMALLEST_PX)


def test_focused_layer_still_has_no_overlaps(open_design):
    page = open_design(presets.default_design())
    open_neurons(page)
    page.get_by_test_id("stButtonGroup").get_by_text("hidden_2", exact=True).click()
    expect(page.get_by_role("heading", name="hidden_2: 90 parameters")).to_be_visible()
    settle(page)
    fills = page.evaluate(
        """selector => [...document.querySelectorAll(selector + ' g.node')]
            .filter(node => node.querySelector('title').textContent === 'hidden_2/title')
            .map(node => node.querySelector('text').getAttribute('fill'))""",
        GRAPH,
    )
    assert fills == ["#c2410c"], fills  # the focused layer's caption in the app's orange
    assert not overlaps(page)
    assert_text_at_least(page, SMALLEST_PX)
