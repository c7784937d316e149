"""Two learners on one server, in two browser sessions, training different designs at the same time.

Each must see its own run only: its own curves' length, its own test figures.
The reference figures come from training each design here, in the test
process, with the same seed (training is reproducible).
"""

from __future__ import annotations

import re
import time

import pytest
from browser import wait_until_idle
from playwright.sync_api import expect

from designer import links, presets
from designer.training import Trainer

pytestmark = pytest.mark.browser

TRAINING_TIMEOUT = 90_000  # ms


def design_with(units: int, epochs: int, seed: int) -> dict:
    design = presets.default_design()
    design["layers"][0]["units"] = units
    design["training"] = {"epochs": epochs, "seed": seed}
    return design


def reference_test_loss(design: dict) -> str:
    trainer = Trainer(design)
    trainer.train()
    return f"{trainer.evaluate(trainer.data.test)['loss']:.4f}"


def test_two_sessions_training_at_once_each_see_only_their_own_run(browser, server):
    designs = [design_with(8, epochs=600, seed=1), design_with(13, epochs=500, seed=2)]
    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in designs]
    try:
        pages = []
        for context, design in zip(contexts, designs, strict=True):
            page = context.new_page()
            page.goto(f"{server}/train?{links.PARAMETER}={links.encode(design)}")
            expect(page.get_by_role("heading", name="Train on Iris")).to_be_visible()
            wait_until_idle(page)
            pages.append(page)
        for page in pages:
            page.get_by_test_id("stMain").get_by_role("button", name=re.compile(r"\bTrain$")).click()
        # Both train at once: each shows its epochs going up before either has finished.
        training_seen = []
        for page, design in zip(pages, designs, strict=True):
            total = design["training"]["epochs"]
            expect(page.get_by_test_id("stProgress")).to_contain_text(
                re.compile(rf"Epoch \d+ of {total}"), timeout=TRAINING_TIMEOUT
            )
            training_seen.append(time.monotonic())
        finished_at = []
        for page in pages:
            heading = page.get_by_role("heading", name=re.compile(r"^Run 1: .* · finished$"))
            expect(heading).to_be_visible(timeout=TRAINING_TIMEOUT)
            finished_at.append(time.monotonic())
        assert max(training_seen) < min(finished_at)
        for page, design in zip(pages, designs, strict=True):
            wait_until_idle(page)
            expect(page.get_by_test_id("stException")).to_have_count(0)
            epochs = design["training"]["epochs"]
            expect(page.get_by_text(re.compile(rf"^{epochs} epochs in [\d.]+ s of training\.$"))).to_be_visible()
            row = page.get_by_test_id("stTable").locator("tbody tr").first
            expect(row).to_contain_text(reference_test_loss(design))
    finally:
        for context in contexts:
            context.close()
