"""Hostile names tried from outside, in Chromium: a share link of a CSV design whose file, columns and values
are named to attack, opened, given its file, trained, and looked at on every page.

Counted on each page: tracebacks (``stException``), elements of the page that
point at the attacker's address or at ``javascript:`` (an image, a link, an SVG
link in a chart), requests the browser sent there, and the neuron view's drawn
nodes (a backslash once left it with none). Each must be 0, but the nodes.
"""

from __future__ import annotations

import pytest
from browser import TRAINING_TIMEOUT, app_button, go_to, wait_until_idle
from playwright.sync_api import Page, expect
from test_hostile_names import HOSTILE, hostile_design

from designer import links

pytestmark = pytest.mark.browser

ATTACKER = "127.0.0.1:9"
# Attributes that load or follow an address; the name may well sit in a label or a tooltip, as text.
POINTING_OUT = """() => [...document.querySelectorAll('*')].filter(element => [...element.attributes].some(a =>
    /^(src|srcset|href|xlink:href|action|formaction|poster|data|background|style)$/i.test(a.name)
    && /(127\\.0\\.0\\.1:9|javascript:)/i.test(a.value)))
    .map(e => (e.closest('[data-testid]') || e).outerHTML.slice(0, 300))"""


def assert_clean(page: Page, requests: list[str]) -> None:
    wait_until_idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert page.evaluate(POINTING_OUT) == []
    assert requests == []


@pytest.mark.parametrize("kind", ["image", "html", "graphviz escape", "markdown"])
def test_a_hostile_csv_link_shows_its_names_as_text_on_every_page(page: Page, server, kind):
    name = HOSTILE[kind]
    design, data = hostile_design(name)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url) if ATTACKER in request.url else None)
    page.goto(server + "/" + links.query_string(design))
    expect(page.get_by_text("that a link cannot carry")).to_be_visible()
    assert_clean(page, requests)

    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        {"name": "data.csv", "mimeType": "text/csv", "buffer": data}
    )
    expect(page.get_by_text("with the columns the design needs")).to_be_visible()
    assert_clean(page, requests)

    go_to(page, "Train", "Train on " + name[:8])
    app_button(page, "Train").click()
    expect(page.get_by_text("kind: confusion matrix (test rows)")).to_be_visible(timeout=TRAINING_TIMEOUT * 2)
    assert_clean(page, requests)

    go_to(page, "Model", "Inside the Keras model")
    neurons = page.locator('[data-testid="stGraphVizChart"] svg g.node')
    expect(neurons.first).to_be_visible()
    assert neurons.count() == 9  # 4 input features (a category one-hot), 2 heads of 1 unit, 3 captions
    assert_clean(page, requests)

    go_to(page, "Code", "Keras code")
    page.get_by_role("tab", name="Functional API").click()
    expect(page.get_by_role("tabpanel", name="Functional API").get_by_test_id("stCode")).to_contain_text(
        "def build_model"
    )
    assert_clean(page, requests)
