"""Other datasets in headless Chromium: the dataset picker, and a learner's own CSV file uploaded, its columns
given roles and trained on; the screenshots the README shows (a wine design, a CSV upload)."""

from __future__ import annotations

import csv
import io
import random

import pytest
from browser import SCREENSHOTS, TRAINING_TIMEOUT, app_button, go_to, wait_until_idle
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("design_page")]


def pick_dataset(page: Page, title: str) -> None:
    page.get_by_role("combobox", name="Dataset").click()
    page.get_by_role("option", name=title, exact=True).click()
    wait_until_idle(page)


def test_picking_wine_redraws_the_network_on_its_13_measurements(page: Page):
    pick_dataset(page, "Wine")
    # The lecture's trunk on 13 inputs and 3 cultivars: 13 × 8 + 8 + 8 × 10 + 10 + 10 × 10 + 10 + 10 × 3 + 3.
    expect(page.get_by_role("heading", name="Total params: 345 (1.35 KB)")).to_be_visible()
    expect(page.locator('[data-testid="stGraphVizChart"] svg')).to_contain_text("cultivar")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "dataset_wine.png")


def choose(page: Page, box, option: str) -> None:
    box.scroll_into_view_if_needed()
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    expect(box).to_have_value(option)


def school_csv(rows: int = 120, seed: int = 7) -> bytes:
    """A small hand-made table: two marks, a category, a gap or two, a free-text note, and whether one passed."""
    chance = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["hours studied", "mock mark", "school", "note", "passed"])
    for i in range(rows):
        hours, mock = round(chance.uniform(0, 10), 1), round(chance.uniform(20, 100))
        passed = "yes" if hours * 6 + mock * 0.5 + chance.gauss(0, 5) > 55 else "no"
        mark = "" if i % 29 == 3 else mock  # a few missing values
        writer.writerow([hours, mark, chance.choice(["North", "South", "East"]), f"pupil {i}", passed])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def test_a_csv_upload_gets_roles_and_trains(page: Page):
    page.get_by_text("Use your own CSV file").click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        {"name": "school.csv", "mimeType": "text/csv", "buffer": school_csv()}
    )
    expect(page.get_by_text("school.csv: 120 rows, 5 columns")).to_be_visible()
    expect(page.get_by_role("combobox", name="passed (text, 2 different, 0 missing)")).to_be_visible()
    note = page.get_by_role("combobox", name="note (text, 120 different, 0 missing)")
    expect(note).to_have_value("unused")
    wait_until_idle(page)
    expect(page.get_by_test_id("stDataFrame").locator("canvas").first).to_be_visible()
    page.wait_for_timeout(1000)  # the table's cells are painted on its canvas a moment later
    page.screenshot(path=SCREENSHOTS / "csv_upload.png", full_page=True)

    choose(page, note, "input")  # a free-text column cannot be an input: refused, naming it
    app_button(page, "Train on these columns").click()
    expect(page.get_by_text("column 'note' has 120 different text values")).to_be_visible()
    wait_until_idle(page)
    choose(page, note, "unused")
    app_button(page, "Train on these columns").click()
    expect(page.get_by_role("combobox", name="Dataset")).to_have_value("Your file: school.csv")
    wait_until_idle(page)

    go_to(page, "Train", "Train on school.csv")
    page.get_by_role("spinbutton", name="Epochs").fill("20")
    page.get_by_role("spinbutton", name="Epochs").press("Enter")
    wait_until_idle(page)
    app_button(page, "Train").click()
    expect(page.get_by_text("passed: confusion matrix (test rows)")).to_be_visible(timeout=TRAINING_TIMEOUT * 2)


def test_the_wine_map_keeps_its_eleven_held_columns_in_a_closed_expander(page: Page):
    pick_dataset(page, "Wine")
    go_to(page, "Train", "Train on Wine")
    page.get_by_role("spinbutton", name="Epochs").fill("10")
    page.get_by_role("spinbutton", name="Epochs").press("Enter")
    wait_until_idle(page)
    app_button(page, "Train").click()
    expect(page.get_by_role("heading", name="What the network learned")).to_be_visible(timeout=TRAINING_TIMEOUT)
    wait_until_idle(page)
    alcohol = page.get_by_role("slider", name="alcohol held at")
    expect(alcohol).to_be_hidden()  # 11 sliders would push the map off the screen
    held = page.get_by_test_id("stExpander").get_by_text("The other 11 inputs, held fixed")
    held.scroll_into_view_if_needed()
    page.screenshot(path=SCREENSHOTS / "map_wine.png")
    held.click()
    expect(alcohol).to_be_visible()
    expect(page.get_by_test_id("stMain").get_by_role("slider")).to_have_count(11)
