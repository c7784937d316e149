"""Cold start: from ``streamlit run`` to the first meaningful content in Chromium.

Compares this project's app (ready when ``Total params: 273`` shows) with a
one-line Streamlit app (ready when ``Hello`` shows). Chromium starts once,
before the trials, so its own start-up is not counted; each trial starts a
fresh server and a fresh browser context, and the two apps alternate.

    python benchmarks/cold_start.py [--repeats N]

Prints the trials, the medians and the ratio ours / one-line, with PASS or
FAIL against the target ratio, and writes them to
``benchmarks/results/cold_start.json``. Always exits 0: it is a measurement.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright
from report import run_benchmark, write_results

from tests.browser import launch, serve

ROOT = Path(__file__).resolve().parent.parent

RESULTS = ROOT / "benchmarks" / "results" / "cold_start.json"
TARGET_RATIO = 1.5
TIMEOUT = 60.0  # s, for a server to answer and for its text to show
ONE_LINE_APP = 'import streamlit as st\nst.write("Hello")\n'


def cold_start(browser, script: Path, text: str) -> float:
    """Seconds from starting ``streamlit run script`` until ``text`` is visible in a fresh page."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    try:
        t0 = time.perf_counter()
        with serve(script) as url:
            while True:
                try:
                    page.goto(url, timeout=TIMEOUT * 1000)
                    break
                except PlaywrightError:
                    if time.perf_counter() - t0 > TIMEOUT:
                        raise
                    time.sleep(0.05)
            page.get_by_text(text, exact=True).first.wait_for(timeout=TIMEOUT * 1000)
            t1 = time.perf_counter()
        return t1 - t0
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="trials of each app (default 5)")
    repeats = parser.parse_args().repeats

    with tempfile.TemporaryDirectory() as folder:
        one_line = Path(folder) / "hello.py"
        one_line.write_text(ONE_LINE_APP, encoding="utf-8")
        apps = {"one-line": (one_line, "Hello"), "ours": (ROOT / "streamlit_app.py", "Total params: 273 (1.07 KB)")}
        times: dict[str, list[float]] = {name: [] for name in apps}
        with sync_playwright() as playwright:
            browser = launch(playwright)
            print(f"{'trial':>5}  {'app':<8}  {'seconds':>7}")
            for trial in range(repeats):
                for name, (script, text) in apps.items():
                    seconds = cold_start(browser, script, text)
                    times[name].append(seconds)
                    print(f"{trial + 1:>5}  {name:<8}  {seconds:7.3f}", flush=True)
            browser.close()

    medians = {name: statistics.median(values) for name, values in times.items()}
    ratio = medians["ours"] / medians["one-line"]
    verdict = "PASS" if ratio <= TARGET_RATIO else "FAIL"
    print(f"\nmedian one-line: {medians['one-line']:.3f} s")
    print(f"median ours:     {medians['ours']:.3f} s")
    print(f"ratio ours / one-line: {ratio:.2f} (target ≤ {TARGET_RATIO}) {verdict}")

    figures = {
        "repeats": repeats,
        "seconds": times,
        "median_seconds": medians,
        "ratio": ratio,
        "target_ratio": TARGET_RATIO,
        "verdict": verdict,
    }
    write_results(RESULTS, figures)


if __name__ == "__main__":
    run_benchmark(main)
