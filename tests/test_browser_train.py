"""The Train page in headless Chromium: a two-output run with its charts, and Stop in the middle of a long run."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser import wait_until_idle
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from designer import params, presets

pytestmark = pytest.mark.browser

HERE = Path(__file__).resolve().parent

SCREENSHOT = HERE / ".." / "assets" / "screenshots" / "train.png"
TRAINING_TIMEOUT = 60_000  # ms: the first run in a server also imports TensorFlow
LONG_RUN = 2000  # epochs: the most a design allows, several seconds of training
STOP_IDLE_SECONDS = 1.0  # Stop should leave the app idle about this soon
STOP_IDLE_LIMIT = 10.0  # what the passing Stop test insists on (training on would take longer)

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
]


# Notes the app's run-state changes and clicks from now on, by the browser's own clock (ms).
WATCH = """() => {
    window.__events = [];
    if (window.__watching) return;
    window.__watching = true;
    const app = document.querySelector('[data-testid="stApp"]');
    const note = what => window.__events.push([performance.now(), what]);
    new MutationObserver(records => {  // several changes can come in one batch: each record has the value before
        records.slice(1).forEach(record => note(record.oldValue));
        note(app.getAttribute('data-test-script-state'));
    }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state'], attributeOldValue: true});
    document.addEventListener('click', () => note('click'), true);
}"""
RAN = """() => {
    const states = window.__events.map(([time, what]) => what);
    return states.includes('running') && states.at(-1) === 'notRunning';
}"""

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


@pytest.fixture
def page(context, server) -> Page:
    """A fresh Streamlit session showing the loaded Design page."""
    page = context.new_page()
    page.goto(server)
    expect(page.get_by_text("Total params: 273")).to_be_visible()
    wait_until_idle(page)
    yield page


def go_to_train_page(page: Page) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=re.compile(r"\bTrain$")).click()
    expect(page.get_by_role("heading", name="Train on Iris")).to_be_visible()
    wait_until_idle(page)


def enter(page: Page, label: str, value: str) -> None:
    """Type ``value`` into the number input ``label``, press Enter, and wait for the rerun to end."""
    page.evaluate(WATCH)
    field = page.get_by_label(label, exact=True)
    field.fill(value)
    field.press("Enter")
    # A rerun too quick for the observer to see is possible: the idle state and the value below still decide.
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(RAN, timeout=5_000)
    wait_until_idle(page)
    expect(page.get_by_label(label, exact=True)).to_have_value(value)


def app_button(page: Page, name: str):
    """The app's own button (in the main area, not Streamlit's toolbar), by its label after the icon."""
    return page.get_by_test_id("stMain").get_by_role("button", name=re.compile(rf"\b{name}$"))


def chart_titles(page: Page) -> list[str]:
    return [title.text_content() for title in page.locator(f"{CHART} .gtitle").all()]


@dataclass
class Stopped:
    seconds: float  # from the click on Stop to the app being idle, by the browser's clock
    epochs: int  # N of "Stopped after N of 2000 epochs."


def train_long_and_stop(page: Page) -> Stopped:
    """On the Train page: set 2000 epochs, train, click Stop once some epochs are done; wait for the stopped run."""
    enter(page, "Epochs", str(LONG_RUN))

    app_button(page, "Train").click()
    expect(page.get_by_test_id("stProgress")).to_contain_text(
        re.compile(rf"Epoch [1-9]\d* of {LONG_RUN}"), timeout=TRAINING_TIMEOUT
    )
    page.evaluate(WATCH)
    app_button(page, "Stop").click()
    page.wait_for_function(
        "() => window.__events.some(([time, what]) => what === 'notRunning')", timeout=STOP_IDLE_LIMIT * 1000
    )
    events = page.evaluate("window.__events")
    clicked = next(time for time, what in events if what == "click")
    idle = next(time for time, what in events if what == "notRunning" and time >= clicked)
    seconds = (idle - clicked) / 1000
    print(f"\nStop to idle: {seconds:.2f} s")

    wait_until_idle(page)
    expect(page.get_by_role("heading", name=re.compile(r"^Run 1: .* · stopped$"))).to_be_visible()
    message = page.get_by_test_id("stAlert").filter(has_text="Stopped after")
    expect(message).to_have_text(re.compile(rf"Stopped after \d+ of {LONG_RUN} epochs\."))
    epochs_done = int(re.search(r"Stopped after (\d+)", message.inner_text()).group(1))
    return Stopped(seconds, epochs_done)


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


def test_stop_ends_a_long_run_and_keeps_its_curves(page: Page, record_property):
    go_to_train_page(page)
    stopped = train_long_and_stop(page)
    record_property("stop_to_idle_seconds", round(stopped.seconds, 3))
    assert 0 < stopped.epochs < LONG_RUN
    assert stopped.seconds < STOP_IDLE_LIMIT
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(app_button(page, "Stop")).to_have_count(0)
    for title in ("species: loss", "species: accuracy"):
        expect(page.locator(f"{CHART} .gtitle").filter(has_text=title)).to_have_count(1)
    curves = [chart for chart in page.evaluate(POINTS) if chart["title"] in ("species: loss", "species: accuracy")]
    assert len(curves) == 2 and all(chart["points"] > 0 for chart in curves), curves
    expect(page.get_by_role("heading", name="On the test rows")).to_be_visible()


def test_stop_is_prompt_and_the_curves_end_where_it_stopped(page: Page):
    go_to_train_page(page)
    stopped = train_long_and_stop(page)
    page.wait_for_timeout(2000)  # long enough for any training still going on to show up
    enter(page, "Seed", "7")  # any rerun: the run is drawn again from the session
    expect(page.get_by_text(f"Stopped after {stopped.epochs} of {LONG_RUN} epochs.")).to_be_visible()
    curves = [chart for chart in page.evaluate(POINTS) if chart["title"] in ("species: loss", "species: accuracy")]
    assert [chart["points"] for chart in curves] == [stopped.epochs] * 2, (stopped, curves)
    assert stopped.seconds <= STOP_IDLE_SECONDS, stopped
