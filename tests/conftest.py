"""Shared test set-up: TensorFlow configured as the app does, and the browser tests' Chromium and server."""

from pathlib import Path

import pytest
from apptest_support import navigation_steady_state
from browser import TIMEOUT, VIEWPORT, new_context, open_design_page

from designer import presets
from designer.keras_model import import_keras


def pytest_configure(config):
    """Set TensorFlow up as the app does before any test runs an op (its settings only take then)."""
    import_keras()


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for all browser tests (a fresh context per test)."""
    from browser import CHROMIUM, launch
    from playwright.sync_api import expect, sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)", pytrace=False)
    expect.set_options(timeout=TIMEOUT)
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def server():
    """The app, served once for all browser tests."""
    from browser import APP, serve

    with serve(APP) as url:
        yield url


@pytest.fixture
def fresh_server():
    """Request this to run AppTest as a freshly started server runs (legacy pages-folder mode)."""


@pytest.fixture(autouse=True)
def navigation_mode(request, monkeypatch):
    """Run every AppTest run as a server that has run ``st.navigation`` once already."""
    if "fresh_server" not in request.fixturenames:
        navigation_steady_state(monkeypatch.setattr)


@pytest.fixture
def viewport() -> dict:
    """The browser window's size for ``context``; a test module may override this fixture."""
    return VIEWPORT


@pytest.fixture
def context(browser, viewport):
    """A fresh browser context, so a fresh Streamlit session."""
    context = new_context(browser, viewport)
    yield context
    context.close()


@pytest.fixture
def page(context):
    """A new tab in a fresh context, on no address yet."""
    return context.new_page()


@pytest.fixture
def design_page(page, server):
    """``page`` showing the app's Design page on the default design, loaded (a module may use it as
    ``pytest.mark.usefixtures("design_page")``, so that every test's ``page`` starts there)."""
    from playwright.sync_api import expect

    design = presets.default_design()
    open_design_page(page, server, design)
    # Widgets' components load lazily and may mount out of order: wait for all of them.
    dense = [layer for layer in design["layers"] if layer.get("type", "dense") == "dense"]
    expect(page.get_by_label("Units", exact=True)).to_have_count(len(dense))
    return page
