"""The Train page in headless Chromium: a two-output run with its charts, and Stop in the middle of a long run.

How soon Stop leaves the app idle is measured, not tested: ``benchmarks/stop_latency.py``.
"""

from __future__ import annotations

import pytest
from browser import (
    SCREENSHOTS,
    TRAINING_TIMEOUT,
    app_button,
    enter,
    go_to,
    start_training,
    stopped_after,
    wait_until_idle,
)
from playwright.sync_api import Page, expect

from designer import params, presets

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("design_page")]  # each test's page opens on Design

SCREENSHOT = SCREENSHOTS / "train.png"
LONG_RUN = 2000  # epochs: the most a design allows, several seconds of training
STOP_TIMEOUT = 30_000  # ms, for a stopped run's heading (generous: a run that trained on would say "finished")

CHART = '[data-testid="stPlotlyChart"]'
TWO_OUTPUTS = next(p for p in presets.presets() if p.key == "lecture_two_outputs")
TWO_OUTPUT_TITLES = [
    "species: loss",
    "species: accuracy",
    "petal_width: loss",
    "petal_width: mean absolute error",
    "total loss",
    "species: confusion matrix",
    "petal_width: predicted vs actual",
    "species: the species it predicts",
    "petal_width: predicted petal_width",
]

# Resolves true once every chart has a title and its layout and size stay put for 300 ms.
CHARTS_DRAWN = """count => new Promise(done => {
    const plots = () => [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')];
    const shape = () => JSON.stringify(plots().map(p => [
        p.getBoundingClientRect().toJSON(), p.querySelectorAll('.gtitle, .trace, .hm').length,
    ]));
    const before = shape();
    const ready = () => plots().length === count && plots().every(p => p._fullLayout && p.querySelector('.gtitle'));
    setTimeout(() => done(ready() && shape() === before), 300);
})"""

# The title and the number of points of the first trace of each chart (Streamlit's theme bolds the titles).
POINTS = f"""() => [...document.querySelectorAll('{CHART} .js-plotly-plot')].map(plot => ({{
    title: plot.querySelector('.gtitle').textContent, points: plot.data[0].y.length,
}}))"""


def go_to_train_page(page: Page) -> None:
    go_to(page, "Train", "Train on Iris")


def chart_titles(page: Page) -> list[str]:
    return [title.text_content() for title in page.locator(f"{CHART} .gtitle").all()]


def train_long_and_stop(page: Page) -> int:
    """On the Train page: train 2000 epochs, click Stop once some are done; N of "Stopped after N of 2000 epochs."."""
    start_training(page, LONG_RUN)
    app_button(page, "Stop").click()
    return stopped_after(page, LONG_RUN, timeout=STOP_TIMEOUT)


def test_two_output_run_shows_a_chart_per_head_and_the_test_table(page: Page):
    page.get_by_label("Start from a preset").click()
    page.get_by_role("option", name=TWO_OUTPUTS.title).click()
    expect(page.get_by_role("heading", name=params.summarize(TWO_OUTPUTS.load()).totals_lines()[0])).to_be_visible()
    wait_until_idle(page)
    go_to_train_page(page)
    expect(page.get_by_text("Loss weights are set on each head")).to_contain_text("species × 1, petal_width × 1")

    app_button(page, "Train").click()
    expect(page.get_by_role("heading", name="On the test rows")).to_be_visible(timeout=TRAINING_TIMEOUT)
    wait_until_idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)

    for title in TWO_OUTPUT_TITLES:
        expect(page.locator(f"{CHART} .gtitle").filter(has_text=title)).to_have_count(1)
    assert len(chart_titles(page)) == len(TWO_OUTPUT_TITLES), chart_titles(page)
    rows = page.get_by_test_id("stTable").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("species")
    expect(rows.nth(1)).to_contain_text("petal_width")
    expect(rows.nth(1)).to_contain_text(" cm")

    page.wait_for_function(CHARTS_DRAWN, arg=len(TWO_OUTPUT_TITLES))
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOT, full_page=True)


def test_stop_ends_a_long_run_and_keeps_its_curves(page: Page):
    go_to_train_page(page)
    epochs = train_long_and_stop(page)
    assert 0 < epochs < LONG_RUN
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(app_button(page, "Stop")).to_have_count(0)
    for title in ("species: loss", "species: accuracy"):
        expect(page.locator(f"{CHART} .gtitle").filter(has_text=title)).to_have_count(1)
    curves = [chart for chart in page.evaluate(POINTS) if chart["title"] in ("species: loss", "species: accuracy")]
    assert len(curves) == 2 and all(chart["points"] > 0 for chart in curves), curves
    expect(page.get_by_role("heading", name="On the test rows")).to_be_visible()


def test_the_curves_end_where_it_stopped(page: Page):
    go_to_train_page(page)
    epochs = train_long_and_stop(page)
    page.wait_for_timeout(2000)  # long enough for any training still going on to show up
    enter(page, "Seed", "7")  # any rerun: the run is drawn again from the session
    expect(page.get_by_text(f"Stopped after {epochs} of {LONG_RUN} epochs.")).to_be_visible()
    curves = [chart for chart in page.evaluate(POINTS) if chart["title"] in ("species: loss", "species: accuracy")]
    assert [chart["points"] for chart in curves] == [epochs] * 2, (epochs, curves)
