"""An exercise link in headless Chromium: the task, locked controls disabled, hidden ones absent, the
budget following an edit, a run meeting the goal; the screenshots the README shows, normal and projector."""

from __future__ import annotations

import re

import pytest
from browser import SCREENSHOTS, TRAINING_TIMEOUT, app_button, go_to, wait_until_idle
from playwright.sync_api import Page, expect

from designer import links, presets

pytestmark = pytest.mark.browser

PRESETS = {p.key: p.load() for p in presets.presets()}
SMALLER = PRESETS["exercise_smaller"]
SECOND_HEAD = PRESETS["exercise_second_head"]  # hides the Code page, locks the layers
SCROLL_TO_TOP = "() => document.querySelectorAll('*').forEach(e => { if (e.scrollTop) e.scrollTop = 0; })"


def open_exercise(page: Page, server: str, design: dict, projector: bool = False) -> None:
    page.goto(server + "/" + links.query_string(design, projector))
    expect(page.get_by_text(f"Exercise · {design['exercise']['title']}")).to_be_visible()
    wait_until_idle(page)


def goal(page: Page, text: str):
    return page.get_by_test_id("stMarkdownContainer").filter(has_text=text)


def test_an_exercise_link_locks_hides_and_checks_its_goals(page: Page, server):
    open_exercise(page, server, SMALLER)
    expect(page.locator(".st-key-exercise-task")).to_have_text(SMALLER["exercise"]["task"])
    expect(goal(page, "273 parameters > 100")).to_be_visible()
    columns = page.get_by_test_id("stMultiSelect").filter(has_text="Columns of 'input'")
    expect(columns.locator("input")).to_be_disabled()
    expect(page.get_by_role("combobox", name="Start from a preset")).to_be_disabled()
    expect(page.get_by_role("button", name="Remove hidden_3")).to_be_enabled()

    page.get_by_role("button", name="Remove hidden_3").click()
    expect(goal(page, "163 parameters > 100")).to_be_visible()  # 4 × 8 + 8 + 8 × 10 + 10 + 10 × 3 + 3
    wait_until_idle(page)
    page.get_by_role("button", name="Remove hidden_2").click()
    expect(goal(page, "67 parameters ≤ 100")).to_be_visible()  # 4 × 8 + 8 + 8 × 3 + 3
    wait_until_idle(page)
    units = page.get_by_label("Units")
    units.fill("10")
    units.press("Enter")
    expect(goal(page, "83 parameters ≤ 100")).to_be_visible()
    wait_until_idle(page)
    page.evaluate(SCROLL_TO_TOP)
    page.wait_for_timeout(300)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "exercise.png")

    go_to(page, "Train", "Train on Iris")
    expect(page.get_by_role("spinbutton", name="Seed")).to_be_disabled()
    app_button(page, "Train").click()
    verdict = page.get_by_test_id("stAlertContentSuccess").filter(has_text="Goal met: species accuracy")
    expect(verdict).to_have_text(
        re.compile(r"Goal met: species accuracy 9\d\.\d % ≥ 95 % with 83 parameters ≤ 100"), timeout=TRAINING_TIMEOUT
    )
    wait_until_idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    page.get_by_test_id("stExpander").filter(has_text="Hand back your result").click()
    expect(page.get_by_text(re.compile(r"[?&]result="))).to_be_visible()
    page.wait_for_timeout(600)  # the expander's opening animation
    page.evaluate(SCROLL_TO_TOP)
    page.screenshot(path=SCREENSHOTS / "exercise_met.png")


def test_a_hidden_page_is_not_in_the_navigation(page: Page, server):
    open_exercise(page, server, SECOND_HEAD)
    navigation = page.get_by_role("banner")
    expect(navigation.get_by_role("link", name=re.compile(r"\bTrain$"))).to_be_visible()
    expect(navigation.get_by_role("link", name=re.compile(r"\bCode$"))).to_have_count(0)
    expect(page.get_by_role("button", name="Insert a dense layer below hidden_1")).to_be_disabled()
    page.goto(server + "/code" + links.query_string(SECOND_HEAD))  # typed by hand: the Design page opens
    expect(page.get_by_role("heading", name="Design a network")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)


@pytest.fixture
def viewport() -> dict:
    return {"width": 1280, "height": 720}


def test_projector_mode_shows_the_task_large(page: Page, server):
    open_exercise(page, server, SMALLER, projector=True)
    task = page.locator(".st-key-exercise-task p").first
    expect(task).to_have_text(SMALLER["exercise"]["task"])
    expect(task).to_have_css("font-size", "30px")  # body text is 22 px in projector mode
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "exercise_projector.png")
