"""A new learner finishes each of the three shipped exercises in Chromium, as a class would: from its link, by
clicking, to "Goal met", with no exception on the way.

The seeds exercise had never been finishable: its second run stopped with
StreamlitDuplicateElementKey, from either page.
"""

from __future__ import annotations

import re

import pytest
from browser import TRAINING_TIMEOUT, app_button, go_to, wait_until_idle
from playwright.sync_api import Page, expect

from designer import links, presets

pytestmark = pytest.mark.browser

PRESETS = {p.key: p.load() for p in presets.presets()}
SERIES_TIMEOUT = 5 * TRAINING_TIMEOUT  # five runs, one after another


def open_exercise(page: Page, server: str, key: str) -> dict:
    design = PRESETS[key]
    page.goto(server + "/" + links.query_string(design))
    expect(page.get_by_text(f"Exercise · {design['exercise']['title']}")).to_be_visible()
    wait_until_idle(page)
    return design


def click(page: Page, name: str) -> None:
    page.get_by_role("button", name=name).click()
    wait_until_idle(page)


def type_units(page: Page, layer: int, units: str) -> None:
    box = page.get_by_label("Units").nth(layer)
    box.fill(units)
    box.press("Enter")
    wait_until_idle(page)
    expect(page.get_by_label("Units").nth(layer)).to_have_value(units)


def goal_met(page: Page, pattern: str, timeout: float = TRAINING_TIMEOUT) -> None:
    verdict = page.get_by_test_id("stAlertContentSuccess").filter(has_text="Goal met")
    expect(verdict).to_have_text(re.compile(pattern), timeout=timeout)
    wait_until_idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_a_smaller_network_meets_the_accuracy_goal(page: Page, server):
    open_exercise(page, server, "exercise_smaller")
    click(page, "Remove hidden_3")
    click(page, "Remove hidden_2")
    type_units(page, 0, "10")  # 4 × 10 + 10 + 10 × 3 + 3 = 83 parameters
    go_to(page, "Train", "Train on Iris")
    app_button(page, "Train").click()
    goal_met(page, r"species accuracy 9\d\.\d % ≥ 95 % with 83 parameters ≤ 100")


def test_a_second_head_on_petal_width_meets_both_goals(page: Page, server):
    open_exercise(page, server, "exercise_second_head")
    click(page, "Output head")
    target = page.get_by_role("combobox", name="Predicts").nth(1)
    target.scroll_into_view_if_needed()
    target.click()
    page.get_by_role("option", name="petal_width", exact=True).click()
    wait_until_idle(page)
    expect(page.get_by_role("combobox", name="Predicts").nth(1)).to_have_value("petal_width")
    go_to(page, "Train", "Train on Iris")
    app_button(page, "Train").click()
    goal_met(page, r"petal_width mean absolute error 0\.\d+ cm ≤ 0\.25 cm.*species accuracy 9\d\.\d % ≥ 90 %")


@pytest.mark.parametrize("where", ["Design", "Train"])
def test_five_seeds_train_one_after_another_and_meet_the_goal(page: Page, server, where):
    open_exercise(page, server, "exercise_seeds")
    click(page, "Remove hidden_3")
    type_units(page, 0, "6")
    type_units(page, 1, "6")
    if where == "Train":
        go_to(page, "Train", "Train on Iris")
    app_button(page, "Train with seeds 42 to 46").click()
    goal_met(page, r"species accuracy .*5 of 5 seeds", timeout=SERIES_TIMEOUT)
    expect(page.get_by_role("heading", name=re.compile(r"^Run 5: .* · finished$"))).to_be_visible()
