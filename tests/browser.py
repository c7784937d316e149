"""Support for driving the real app in Chromium: a Streamlit server and a browser.

Not a test module. Used by ``tests/test_browser.py`` and ``benchmarks/cold_start.py``::

    with serve("streamlit_app.py") as url, sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page()
        page.goto(url)

Playwright's own browser download cannot work here, so Debian's Chromium is used.
"""

from __future__ import annotations

import contextlib
import os
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


APP = Path(__file__).resolve().parent.parent / "streamlit_app.py"
VIEWPORT = {"width": 1440, "height": 1080}
TIMEOUT = 20_000  # ms, for anything the app should show (Playwright's default for expect() is 5 s)
GRAPH = '[data-testid="stGraphVizChart"] svg'


def wait_until_idle(page) -> None:
    """Wait until the app's script has finished running."""
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning")
