"""First curve: from pressing Train to the first drawn point of the live curves, in Chromium against a real server.

What: how long a learner looks at an empty Train page after pressing Train.
Three scenarios, for this app ("current") and for the app as it was when
training ran in the server's script thread ("reference", commit ``f39f89c``):

- ``first run``: a session's first run on a server that has just started. The
  page is opened as soon as ``/_stcore/health`` answers, goes to Train once the
  Design page shows ``Total params: 273``, and presses Train at once: the
  current app's training workers may still be importing TensorFlow, which is
  what a first learner meets. The time from server start to that Design text
  (and to the click) is recorded too, by the benchmark's own clock.
- ``same session again``: the same session pressing Train again, ``--again``
  times, each once the previous run has finished.
- ``fresh session``: a second browser session on the now warm server, its first run.

How: one headless Chromium (Debian's, through ``tests/browser.py``); a fresh
server per repeat and app, the apps alternating; the lecture network (the
default design) with 100 epochs, set through the "Epochs" number input. Before
each click a MutationObserver notes, by the browser's own clock
(``performance.now()``), the click on the Train button, the first moment a
``.js-plotly-plot`` in the main area has a trace with at least one point
(``plot.data[0].y.length > 0``; charts already on the page at the click, the
previous run's, do not count), the first "Epoch N of 100" progress text, and
the heading "Run N: ... · finished" (or another final state) that ends the run,
and, for the diagnosis, the progress and notice texts as they change, the
main thread's long tasks and the scripts the page fetched after the click.
The servers run without Streamlit's file watcher, so that edits made to the
app's files during a trial cannot reload its modules mid-trial.

Targets: the current app's first curve within 1 s of the click (every trial,
so the maximum is judged, medians shown beside it), for first and later runs,
on a quiet machine. The reference app showed no chart until its first run had
ended (about 6.1 s).

    python benchmarks/first_curve.py [--repeats 3] [--again 3] [--screenshot PATH]

``--screenshot`` saves the Train page in the middle of one extra, unmeasured
run of the current app. Prints each run and a table of medians and maxima and
writes everything to ``benchmarks/results/first_curve.json``. Always exits 0:
it is a measurement.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect, sync_playwright
from report import run_benchmark, write_results

from tests.browser import VIEWPORT, launch, serve, wait_until_idle

ROOT = Path(__file__).resolve().parent.parent

RESULTS = ROOT / "benchmarks" / "results" / "first_curve.json"
REFERENCE_COMMIT = "f39f89c"  # training in the server's script thread
TARGET_SECONDS = 1.0
EPOCHS = "100"
SCREENSHOT_EPOCHS = "1000"  # the unmeasured run of --screenshot: long enough to be caught training
DESIGN_TEXT = "Total params: 273"  # the lecture design's total, on the Design page
PAGE_TIMEOUT = 60_000  # ms, for the app to show a page on a just-started server
RUN_TIMEOUT = 180_000  # ms, for a run to end (a first run may wait for TensorFlow to import)
AFTER_END_TIMEOUT = 10_000  # ms, for a curve that only comes with the run's end
TEXTS_KEPT = 30  # progress and notice texts kept per run in the JSON (the first ones, and the last)

# Installed before each click; fills window.__firstCurve with browser-clock times (ms).
WATCH = """run => {
    if (window.__firstCurveObserver) window.__firstCurveObserver.disconnect();
    const main = document.querySelector('[data-testid="stMain"]');
    const trace = plot => plot.data && plot.data[0] && plot.data[0].y;
    const before = new WeakSet();  // the curves on the page at the click (the previous run's) do not count
    main.querySelectorAll('.js-plotly-plot').forEach(plot => trace(plot) && before.add(trace(plot)));
    const ended = new RegExp(`^Run ${run}: .* · (finished|stopped|stopped early|failed|refused|cancelled)$`);
    const w = window.__firstCurve = {
        clicked: null, firstPoint: null, points: null, firstEpoch: null, ended: null, status: null,
        exception: false, texts: [], longTasks: [], resources: performance.getEntriesByType('resource').length,
    };
    if (window.__firstCurveTasks) window.__firstCurveTasks.disconnect();
    window.__firstCurveTasks = new PerformanceObserver(list => list.getEntries().forEach(task => {
        const ends = task.startTime + task.duration;
        if (w.clicked !== null && ends > w.clicked) w.longTasks.push([task.startTime, task.duration]);
    }));  // main-thread tasks over 50 ms, which hold up the drawing
    window.__firstCurveTasks.observe({type: 'longtask'});
    let shown = null;
    const check = () => {
        if (w.clicked === null) return;
        const now = performance.now();
        if (w.firstPoint === null) {
            for (const plot of main.querySelectorAll('.js-plotly-plot')) {
                const y = trace(plot);
                if (y && y.length > 0 && !before.has(y)) { w.firstPoint = now; w.points = y.length; break; }
            }
        }
        const progress = [...main.querySelectorAll('[data-testid="stProgress"]')].map(e => e.textContent.trim());
        const notices = [...main.querySelectorAll('[data-testid="stAlert"]')].map(e => e.textContent.trim());
        const text = [...progress, ...notices].filter(Boolean).join(' | ');
        if (text !== shown) { w.texts.push([now, text]); shown = text; }
        if (w.firstEpoch === null && progress.some(t => /^Epoch [1-9]/.test(t))) w.firstEpoch = now;
        if (main.querySelector('[data-testid="stException"]')) w.exception = true;
        if (w.ended === null) {
            for (const heading of main.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
                const match = heading.textContent.trim().match(ended);
                if (match) { w.ended = now; w.status = match[1]; }
            }
        }
    };
    window.__firstCurveObserver = new MutationObserver(check);
    window.__firstCurveObserver.observe(main, {childList: true, subtree: true, attributes: true, characterData: true});
    window.__firstCurveCheck = check;
    if (window.__firstCurveClicks) return;
    window.__firstCurveClicks = true;
    document.addEventListener('click', event => {
        const w = window.__firstCurve;
        if (w.clicked !== null || !event.target.closest('button')) return;
        w.clicked = performance.now();
        window.__firstCurveCheck();
    }, true);
}"""
DONE = "() => window.__firstCurve.ended !== null"
# The scripts the page fetched since the watch began (the frontend loads some of its code on first use).
SCRIPTS = """() => performance.getEntriesByType('resource').slice(window.__firstCurve.resources)
    .filter(entry => new URL(entry.name).pathname.endsWith('.js'))
    .map(entry => [new URL(entry.name).pathname.split('/').pop(), entry.startTime, entry.responseEnd])"""
DRAWN = "() => window.__firstCurve.firstPoint !== null"


def extract_reference(folder: Path) -> Path:
    """The reference app's files (``git archive`` of the old commit) in ``folder``; its entry file."""
    archive = subprocess.run(["git", "archive", REFERENCE_COMMIT], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder / "streamlit_app.py"


def new_session(browser, url: str):
    """A fresh browser context (so a fresh Streamlit session) with the app's page opened at ``url``."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(PAGE_TIMEOUT)
    page = context.new_page()
    page.goto(url, timeout=PAGE_TIMEOUT)
    return context, page


def go_to_train(page) -> None:
    """From the Design page to the Train page, with the Epochs input at 100."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=re.compile(r"\bTrain$")).click()
    expect(page.get_by_role("heading", name="Train on Iris")).to_be_visible(timeout=PAGE_TIMEOUT)
    wait_until_idle(page)
    set_epochs(page, EPOCHS)


def set_epochs(page, epochs: str) -> None:
    """Type ``epochs`` into the Epochs input and press Enter (nothing to do when it already shows it)."""
    field = page.get_by_label("Epochs", exact=True)
    if field.input_value() != epochs:  # 100 is the default design's: usually nothing to change
        field.fill(epochs)
        field.press("Enter")
        expect(field).to_have_value(epochs)
        page.wait_for_timeout(300)  # the rerun begins
        wait_until_idle(page)


def train_button(page):
    """The app's Train button (in the main area, not Streamlit's toolbar)."""
    return page.get_by_test_id("stMain").get_by_role("button", name=re.compile(r"\bTrain$"))


def train(page, number: int, screenshot: Path | None = None) -> dict:
    """Press Train for run ``number`` of the session; wait until it has ended; its times in seconds from the click."""
    button = train_button(page)
    expect(button).to_be_enabled(timeout=PAGE_TIMEOUT)
    page.evaluate(WATCH, number)
    button.click()
    if screenshot is not None:
        page.wait_for_function(DRAWN, timeout=RUN_TIMEOUT, polling=100)
        page.wait_for_timeout(1500)  # a few more redraws
        page.screenshot(path=screenshot, full_page=True)
    page.wait_for_function(DONE, timeout=RUN_TIMEOUT, polling=100)
    with contextlib.suppress(PlaywrightError):  # a curve drawn only at the end may come just after the heading
        page.wait_for_function(DRAWN, timeout=AFTER_END_TIMEOUT, polling=100)
    wait_until_idle(page)
    w = page.evaluate("window.__firstCurve")
    scripts = page.evaluate(SCRIPTS)

    def since_click(ms: float | None) -> float | None:
        return None if ms is None else round((ms - w["clicked"]) / 1000, 3)

    texts = [[since_click(ms), text] for ms, text in w["texts"]]
    longest = max(w["longTasks"], key=lambda task: task[1], default=None)
    return {
        "run": number,
        "first_point_s": since_click(w["firstPoint"]),
        "points_at_first_drawing": w["points"],
        "first_epoch_text_s": since_click(w["firstEpoch"]),
        "end_s": since_click(w["ended"]),
        "status": w["status"],
        "curve_before_end": w["firstPoint"] is not None and w["firstPoint"] < w["ended"],
        "exception_shown": w["exception"],
        "scripts_fetched": [[name, since_click(start), since_click(end)] for name, start, end in scripts],
        "long_tasks_s": round(sum(duration for _, duration in w["longTasks"]) / 1000, 3),
        "longest_task": None if longest is None else [since_click(longest[0]), round(longest[1] / 1000, 3)],
        "texts_seen": len(texts),
        "texts": texts[: TEXTS_KEPT - 1] + texts[-1:] if len(texts) > TEXTS_KEPT else texts,
    }


def show(app: str, scenario: str, run: dict) -> None:
    first = "none" if run["first_point_s"] is None else f"{run['first_point_s']:6.3f}"
    epoch = "none" if run["first_epoch_text_s"] is None else f"{run['first_epoch_text_s']:6.3f}"
    print(
        f"  {app:<9}  {scenario:<18}  first point {first} s ({run['points_at_first_drawing']} pts)"
        f"  first 'Epoch' text {epoch} s  end {run['end_s']:6.3f} s  {run['status']}"
        f"  long tasks {run['long_tasks_s']:.2f} s, {len(run['scripts_fetched'])} scripts fetched"
        + ("  EXCEPTION SHOWN" if run["exception_shown"] else ""),
        flush=True,
    )


def server_trial(browser, app: str, script: Path, again: int, screenshot: Path | None) -> dict:
    """One fresh server: a first run right after it starts, ``again`` more in that session, one in a new session."""
    t0 = time.perf_counter()
    with serve(script) as url:
        health = time.perf_counter() - t0
        context, page = new_session(browser, url)
        try:
            page.get_by_text(DESIGN_TEXT).first.wait_for(timeout=PAGE_TIMEOUT)
            design = time.perf_counter() - t0
            go_to_train(page)
            click = time.perf_counter() - t0
            print(f"  {app:<9}  server: health {health:.2f} s, Design text {design:.2f} s, click {click:.2f} s")
            first = train(page, 1)
            show(app, "first run", first)
            later = []
            for number in range(2, again + 2):
                later.append(train(page, number))
                show(app, "same session again", later[-1])
        finally:
            context.close()
        context, page = new_session(browser, url)
        try:
            page.get_by_text(DESIGN_TEXT).first.wait_for(timeout=PAGE_TIMEOUT)
            go_to_train(page)
            fresh = train(page, 1)
            show(app, "fresh session", fresh)
            if screenshot is not None:  # a longer run, to be caught in the middle
                set_epochs(page, SCREENSHOT_EPOCHS)
                train(page, 2, screenshot=screenshot)
                print(f"  {app:<9}  screenshot of a run: {screenshot}")
        finally:
            context.close()
    return {
        "server_to_health_s": round(health, 3),
        "server_to_design_text_s": round(design, 3),
        "server_to_click_s": round(click, 3),
        "first_run": first,
        "same_session_again": later,
        "fresh_session": fresh,
    }


SCENARIOS = {  # name in the summary: what it takes from a server trial, in seconds
    "first run: click to first point": lambda t: [t["first_run"]["first_point_s"]],
    "same session again: click to first point": lambda t: [r["first_point_s"] for r in t["same_session_again"]],
    "fresh session: click to first point": lambda t: [t["fresh_session"]["first_point_s"]],
    "first run: click to end": lambda t: [t["first_run"]["end_s"]],
    "later runs: click to end": lambda t: [r["end_s"] for r in [*t["same_session_again"], t["fresh_session"]]],
    "server start to Design text": lambda t: [t["server_to_design_text_s"]],
    "server start to click": lambda t: [t["server_to_click_s"]],
}
JUDGED = [name for name in SCENARIOS if name.endswith("to first point")]


def summarize(trials: list[dict]) -> dict:
    summary = {}
    for name, take in SCENARIOS.items():
        values = [value for trial in trials for value in take(trial)]
        missing = sum(value is None for value in values)
        values = [value for value in values if value is not None]
        summary[name] = {
            "n": len(values),
            "missing": missing,  # runs in which no point was ever drawn
            "median": round(statistics.median(values), 3) if values else None,
            "max": round(max(values), 3) if values else None,
        }
    return summary


def judge(figures: dict) -> str:
    """PASS when every run drew a point, the slowest within the target."""
    drawn = figures["n"] and not figures["missing"]
    return "PASS" if drawn and figures["max"] < TARGET_SECONDS else "FAIL"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="fresh servers per app (default 3)")
    parser.add_argument("--again", type=int, default=3, help="runs after the first in the same session (default 3)")
    parser.add_argument("--screenshot", type=Path, help="save the Train page during an extra run of the current app")
    arguments = parser.parse_args()

    # Others' edits to the app's files must not reach a server mid-trial: Streamlit's watcher would unload
    # the app's modules, and the next script run would import them afresh (and start another pool of workers).
    os.environ["STREAMLIT_SERVER_FILE_WATCHER_TYPE"] = "none"
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        apps = {"current": ROOT / "streamlit_app.py", "reference": extract_reference(Path(folder))}
        trials: dict[str, list[dict]] = {name: [] for name in apps}
        with sync_playwright() as playwright:
            browser = launch(playwright)
            for repeat in range(arguments.repeats):
                print(f"repeat {repeat + 1} of {arguments.repeats}")
                for name, script in apps.items():
                    shot = arguments.screenshot if name == "current" and repeat == 0 else None
                    trials[name].append(server_trial(browser, name, script, arguments.again, shot))
            browser.close()

    summary = {name: summarize(app_trials) for name, app_trials in trials.items()}
    verdicts = {name: judge(summary["current"][name]) for name in JUDGED}
    verdict = "PASS" if all(value == "PASS" for value in verdicts.values()) else "FAIL"

    print(f"\n{'seconds':<42}  {'current median':>14}  {'max':>7}  {'reference median':>16}  {'max':>7}")
    for name in SCENARIOS:
        cells = []
        for app in apps:
            figures = summary[app][name]
            cells += ["none" if figures[key] is None else f"{figures[key]:.3f}" for key in ("median", "max")]
            if figures["missing"]:
                cells[-1] += f" ({figures['missing']} none)"
        row = f"{name:<42}  {cells[0]:>14}  {cells[1]:>7}  {cells[2]:>16}  {cells[3]:>7}  {verdicts.get(name, '')}"
        print(row.rstrip())
    print(f"target: current's first point within {TARGET_SECONDS:g} s of the click in every run: {verdict}")
    elapsed = time.perf_counter() - started
    print(f"benchmark took {elapsed:.0f} s")

    figures = {
        "repeats": arguments.repeats,
        "again": arguments.again,
        "epochs": int(EPOCHS),
        "reference_commit": REFERENCE_COMMIT,
        "target_seconds": TARGET_SECONDS,
        "judged": JUDGED,
        "verdict": verdict,
        "verdicts": verdicts,
        "summary": summary,
        "trials": trials,
        "benchmark_seconds": round(elapsed, 1),
    }
    write_results(RESULTS, figures)


if __name__ == "__main__":
    run_benchmark(main)
