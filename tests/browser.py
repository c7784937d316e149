"""Support for driving the real app in Chromium: a Streamlit server and a browser.

Not a test module. Used by the browser tests (``tests/test_browser*.py``, whose fixtures are in
``conftest.py``) and the benchmarks that drive Chromium (``benchmarks/cold_start.py``...)::

    with serve("streamlit_app.py") as url, sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page()
        page.goto(url)

Playwright's own browser download cannot work here, so Debian's Chromium is used.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_TIMEOUT = 60.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def serve(script: str | Path, port: int | None = None) -> Iterator[str]:
    """Run ``streamlit run script`` until the block ends; yield its base URL.

    Waits (up to 60 s) until the server's health endpoint answers; on timeout, or if
    the server exits first, raises ``RuntimeError`` with the server's output. The
    server runs in its own process group, which is terminated (then killed, if it
    lingers) when the block ends, also when it raises.
    """
    script = Path(script).resolve()
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port)]
    command += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command, cwd=script.parent, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

        def output() -> str:
            log.seek(0)
            return log.read().decode(errors="replace")

        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT
            while not _healthy(url):
                if process.poll() is not None:
                    raise RuntimeError(f"streamlit exited with {process.returncode}:\n{output()}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not answer at {url} in {STARTUP_TIMEOUT:.0f} s:\n{output()}")
                time.sleep(0.05)
            yield url
        finally:
            _stop(process)


def _stop(process: subprocess.Popen) -> None:
    """Terminate the server's whole process group; kill it if it takes over 10 s."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def launch(playwright):
    """Launch Debian's headless Chromium through Playwright."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "streamlit_app.py"
# Where the browser tests save their screenshots: an ignored folder, so a test run leaves the checkout clean.
# scripts/screenshots.sh points it at assets/screenshots/ to refresh the README's images.
SCREENSHOTS = Path(os.environ.get("DESIGNER_SCREENSHOTS") or ROOT / "tests" / "artifacts" / "screenshots").resolve()
VIEWPORT = {"width": 1440, "height": 1080}
TIMEOUT = 20_000  # ms, for anything the app should show (Playwright's default for expect() is 5 s)
TRAINING_TIMEOUT = 60_000  # ms, for a run to show progress: the first run in a server also imports TensorFlow
GRAPH = '[data-testid="stGraphVizChart"] svg'


def new_context(browser, viewport: dict = VIEWPORT):
    """A fresh browser context (so a fresh Streamlit session per page), downloads accepted, the app's timeout."""
    context = browser.new_context(viewport=viewport, accept_downloads=True)
    context.set_default_timeout(TIMEOUT)
    return context


# ------------------------------------------------------------------------------------- the app's state


def wait_until_idle(page) -> None:
    """Wait until the app's script has finished running."""
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning")


# Notes the app's run-state changes and clicks from now on, by the browser's own clock (ms), in
# window.__events as [time, "running" | "notRunning" | "click" | ...].
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


def watch(page) -> None:
    """Start noting run-state changes and clicks afresh (see WATCH); read them with ``page.evaluate(EVENTS)``."""
    page.evaluate(WATCH)


EVENTS = "window.__events"


# ------------------------------------------------------------------------------------------- pages


def total_heading(design: dict) -> str:
    """The Design page's heading for ``design``: "Total params: 276 (1.08 KB)"."""
    from designer import params

    return params.summarize(design).totals_lines()[0]


def open_design_page(page, url: str, design: dict) -> None:
    """Go to ``url`` and wait until the Design page shows ``design``'s total and the script is idle."""
    from playwright.sync_api import expect

    page.goto(url)
    expect(page.get_by_role("heading", name=total_heading(design))).to_be_visible()
    wait_until_idle(page)


def go_to(page, name: str, heading: str) -> None:
    """Follow the navigation bar's link to the page ``name``; wait for its ``heading`` and for the script to end."""
    from playwright.sync_api import expect

    page.get_by_role("banner").get_by_role("link", name=re.compile(rf"\b{name}$")).click()
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    wait_until_idle(page)


def app_button(page, name: str):
    """The app's own button (in the main area, not Streamlit's toolbar), by its label after the icon."""
    return page.get_by_test_id("stMain").get_by_role("button", name=re.compile(rf"\b{name}$"))


def enter(page, label: str, value: str) -> None:
    """Type ``value`` into the number input ``label``, press Enter, and wait for the rerun to end."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    watch(page)
    field = page.get_by_label(label, exact=True)
    field.fill(value)
    field.press("Enter")
    # A rerun too quick for the observer to see is possible: the idle state and the value below still decide.
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(RAN, timeout=5_000)
    wait_until_idle(page)
    expect(page.get_by_label(label, exact=True)).to_have_value(value)


def url_design(page) -> dict | None:
    """The design in the page's address bar, if it holds one that decodes."""
    from designer import links

    values = parse_qs(urlsplit(page.url).query).get(links.PARAMETER)
    try:
        return links.decode(values[0]) if values else None
    except links.LinkError:
        return None


def wait_for_url_design(page, wanted: dict, timeout: float = TIMEOUT / 1000) -> None:
    """Wait until the address bar holds ``wanted`` (Streamlit updates it after the run)."""
    deadline = time.monotonic() + timeout
    while url_design(page) != wanted:
        if time.monotonic() > deadline:
            raise AssertionError(f"the address bar never held the expected design: {page.url}")
        page.wait_for_timeout(100)


# ---------------------------------------------------------------------------------------- training


def start_training(page, epochs: int) -> None:
    """On the Train page: set ``epochs``, press Train, and wait until the progress bar counts epochs done."""
    from playwright.sync_api import expect

    enter(page, "Epochs", str(epochs))
    app_button(page, "Train").click()
    expect(page.get_by_test_id("stProgress")).to_contain_text(
        re.compile(rf"Epoch [1-9]\d* of {epochs}"), timeout=TRAINING_TIMEOUT
    )


def stopped_after(page, epochs: int, run: int = 1, timeout: float = TIMEOUT) -> int:
    """Once Stop is clicked: wait for run ``run``'s "· stopped" heading; N of its "Stopped after N of epochs."."""
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", name=re.compile(rf"^Run {run}: .* · stopped$"))).to_be_visible(timeout=timeout)
    wait_until_idle(page)
    message = page.get_by_test_id("stAlert").filter(has_text="Stopped after")
    expect(message).to_have_text(re.compile(rf"Stopped after \d+ of {epochs} epochs\."))
    return int(re.search(r"Stopped after (\d+)", message.inner_text()).group(1))
