"""Two learners on one server, in two browser sessions, training different designs at the same time.

Each must see its own run only: its own progress, its own stop, its own test figures.
The finished run's reference figure comes from training its design here, in the
test process, with the same seed (training is reproducible).
"""

from __future__ import annotations

import re

import pytest
from browser import wait_until_idle
from playwright.sync_api import expect

from designer import links, presets
from designer.training import Trainer

pytestmark = pytest.mark.browser

TRAINING_TIMEOUT = 90_000  # ms


def design_with(units: int, epochs: int, seed: int, batch_size: int = 5) -> dict:
    design = presets.default_design()
    design["layers"][0]["units"] = units
    design["training"] = {"epochs": epochs, "seed": seed, "batch_size": batch_size}
    return design


def reference_test_loss(design: dict) -> str:
    trainer = Trainer(design)
    trainer.train()
    return f"{trainer.evaluate(trainer.data.test)['loss']:.4f}"


def app_button(page, name: str):
    return page.get_by_test_id("stMain").get_by_role("button", name=re.compile(rf"\b{name}$"))


def test_two_sessions_training_at_once_each_see_only_their_own_run(browser, server):
    # The first run is long (a step per row, 2000 epochs: tens of seconds on any machine) and is
    # stopped by the test; the second finishes while the first is still training, which shows that
    # both trained at once without depending on how fast the machine is.
    long_run, short_run = design_with(512, epochs=2000, seed=1, batch_size=1), design_with(13, epochs=500, seed=2)
    designs = [long_run, short_run]
    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in designs]
    try:
        pages = []
        for context, design in zip(contexts, designs, strict=True):
            page = context.new_page()
            page.goto(f"{server}/train?{links.PARAMETER}={links.encode(design)}")
            expect(page.get_by_role("heading", name="Train on Iris")).to_be_visible()
            wait_until_idle(page)
            pages.append(page)
        long_page, short_page = pages
        for page in pages:
            app_button(page, "Train").click()
        expect(long_page.get_by_test_id("stProgress")).to_contain_text(
            re.compile(r"Epoch [1-9]\d* of 2000"), timeout=TRAINING_TIMEOUT
        )
        finished = short_page.get_by_role("heading", name=re.compile(r"^Run 1: .* · finished$"))
        expect(finished).to_be_visible(timeout=TRAINING_TIMEOUT)
        # The long run is still going: its own progress, not the other session's.
        expect(long_page.get_by_test_id("stProgress")).to_contain_text(re.compile(r"Epoch [1-9]\d* of 2000"))
        app_button(long_page, "Stop").click()
        stopped = long_page.get_by_role("heading", name=re.compile(r"^Run 1: .* · stopped$"))
        expect(stopped).to_be_visible(timeout=TRAINING_TIMEOUT)

        wait_until_idle(long_page)
        expect(long_page.get_by_test_id("stException")).to_have_count(0)
        expect(long_page.get_by_test_id("stAlert").filter(has_text="Stopped after")).to_have_text(
            re.compile(r"Stopped after [1-9]\d* of 2000 epochs\.")
        )

        wait_until_idle(short_page)
        expect(short_page.get_by_test_id("stException")).to_have_count(0)
        expect(short_page.get_by_text(re.compile(r"^500 epochs in [\d.]+ s of training\.$"))).to_be_visible()
        row = short_page.get_by_test_id("stTable").locator("tbody tr").first
        expect(row).to_contain_text(reference_test_loss(short_run))
    finally:
        for context in contexts:
            context.close()
