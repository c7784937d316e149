"""Edit latency: from a click on the Design page to its new total on screen, in Chromium, beside a one-line app.

What: how long a learner waits after an edit. On the Design page (the
lecture design), a click on the main area's "+ Dense" button, timed from the
click to the new "Total params: ..." heading on screen, and from the click
to the app being idle again (Streamlit's ``data-test-script-state`` back to
``notRunning`` after ``running``). The reference is a one-line Streamlit app
(two lines after the import) with a button and a click counter, timed from
the click to the new counter text, and to idle.

How: one headless Chromium (Debian's, through ``tests/browser.py``), 1280 ×
720, one tab per app, each on its own server. Both servers use the app's
``.streamlit/config.toml`` (the reference gets a copy) and run without
Streamlit's file watcher, so that other people's edits cannot reload modules
in the middle of a run. Both apps are loaded and left to go idle (the app's
server until its training workers have started and its processes use no
CPU), then each gets a few unmeasured clicks. The rounds then alternate
(app, reference, app, ...). Before each click the page notes, by the
browser's own clock (``performance.now()``):

- the click (a capturing listener);
- the run-state changes (a MutationObserver, as in ``tests/test_browser_train.py``);
- the first mutation after which the watched text differs from what it
  showed before the click;
- the graph's node count changing (app only);
- the main thread's long tasks;
- every websocket message sent or received (``WebSocket`` is wrapped; the
  first bytes of each message are decoded here, with Streamlit's protobuf
  descriptors, to say which message it was).

"On screen" is the next animation frame after a change. A rerun too quick
to change the run-state attribute at all (all its messages handled before
React draws, which happens with the reference) counts as idle in the commit
that shows the new text, provided ``script_finished`` came before that
commit. From these notes the app's latency is broken down into click →
request sent → script started (``new_session``) → script finished
(``script_finished``) → on screen. Every ``--reset-every`` clicks (3 by
default) the app's design is set back to the lecture preset with the preset
picker, unmeasured, so it never nears the 32-layer limit.

    python benchmarks/edit_latency.py [--rounds 15] [--warmup 3] [--reset-every 3] [--json PATH]

Prints every round, the medians, the ratio app / reference for both
measures, and the breakdown. Writes them to
``benchmarks/results/edit_latency.json``, or to ``--json PATH``. Always exits
0: it is a measurement. Other work on the machine slows both apps; the load
average at the start and end is printed and saved.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from classroom import process_stats
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect, sync_playwright
from report import run_benchmark, write_results

ROOT = Path(__file__).resolve().parent.parent
from tests.browser import launch, serve, wait_until_idle  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "edit_latency.json"
VIEWPORT = {"width": 1280, "height": 720}
TIMEOUT = 60_000  # ms, for a page to load and an edit to show
ONE_LINE_APP = (
    "import streamlit as st\n"
    'st.session_state.clicks = st.session_state.get("clicks", 0) + st.button("Click")\n'
    'st.write(f"Clicks: {st.session_state.clicks}")\n'
)
LECTURE_PRESET = re.compile(r"^Lecture: Iris classifier")  # the default design, to reset to
QUIET_CPU_SECONDS = 0.05  # a server's processes are quiet when they use less than this in a second
QUIET_TIMEOUT = 180.0  # s, for the app's training workers to import TensorFlow and warm up
HEAD_BYTES = 512  # the first bytes of each websocket message kept for decoding


# Before the app's own scripts: every websocket message, sent or received, with the browser-clock time;
# ``window.__onScriptFinished()`` is called when a received message is a ``script_finished`` (its field 6).
WEBSOCKET_LOG = """(() => {
    window.__ws = [];
    const Native = window.WebSocket;
    const KEPT = HEAD_BYTES;
    const head = data => {
        if (data instanceof ArrayBuffer) return Array.from(new Uint8Array(data, 0, Math.min(data.byteLength, KEPT)));
        if (!ArrayBuffer.isView(data)) return null;
        return Array.from(new Uint8Array(data.buffer, data.byteOffset, Math.min(data.byteLength, KEPT)));
    };
    const size = data => data.byteLength ?? data.size ?? data.length;
    const log = (way, data) => window.__ws.push([performance.now(), way, size(data), head(data)]);
    const finishes = data => {  // a ForwardMsg's type is its first field after hash (1) and metadata (2)
        if (!(data instanceof ArrayBuffer)) return false;
        const bytes = new Uint8Array(data);
        let at = 0;
        const varint = () => {
            let value = 0, scale = 1, byte;
            do { byte = bytes[at++]; value += (byte & 0x7f) * scale; scale *= 128; } while (byte & 0x80);
            return value;
        };
        while (at < bytes.length) {
            const tag = varint(), number = Math.floor(tag / 8), wire = tag % 8;
            if (number > 2) return number === 6 && wire === 0;
            if (wire === 2) { const length = varint(); at += length; }  // (not at += varint(): at is read first)
            else if (wire === 0) varint();
            else return false;
        }
        return false;
    };
    class Logged extends Native {
        constructor(...args) {
            super(...args);
            this.addEventListener('message', event => {
                log('in', event.data);
                if (window.__onScriptFinished && finishes(event.data)) window.__onScriptFinished();
            });
        }
        send(data) {
            log('out', data);
            return super.send(data);
        }
    }
    window.WebSocket = Logged;
})();""".replace("HEAD_BYTES", str(HEAD_BYTES))

# The text of the first element matching ``selector`` in the main area whose text starts with ``prefix``.
TEXT = """([selector, prefix]) => {
    const found = [...document.querySelectorAll('[data-testid="stMain"] ' + selector)]
        .find(e => e.textContent.trim().startsWith(prefix));
    return found ? found.textContent.trim() : null;
}"""
# Installed before each click: fills window.__edit with browser-clock times (ms). Each DOM change is also
# timed at the next animation frame (``...Frame``), when it is painted. Idle: the run state changing to
# notRunning after running; a run too quick to change the attribute at all (its messages all handled
# before React drew) is idle in the same commit that shows the new text, if script_finished came first.
ARM = """([selector, prefix]) => {
    const main = document.querySelector('[data-testid="stMain"]');
    const app = document.querySelector('[data-testid="stApp"]');
    const state = () => app.getAttribute('data-test-script-state');
    const text = () => (TEXT)([selector, prefix]);
    const nodes = () => main.querySelectorAll('[data-testid="stGraphVizChart"] svg g.node').length;
    const w = window.__edit = {
        before: text(), after: null, clicked: null, shown: null, shownFrame: null,
        nodesBefore: nodes(), nodesAfter: null, graph: null, graphFrame: null,
        states: [], sawRunning: false, finished: null, idle: null, idleFrame: null, idleBy: null, longTasks: [],
    };
    window.__ws = [];
    for (const observer of window.__editObservers || []) observer.disconnect();
    const frame = key => requestAnimationFrame(() => { w[key] = performance.now(); });
    const idle = (now, by) => { w.idle = now; w.idleBy = by; frame('idleFrame'); };
    const check = () => {
        if (w.clicked === null) return;
        const now = performance.now();
        if (w.shown === null) {
            const current = text();
            if (current !== null && current !== w.before) {
                w.shown = now; w.after = current; frame('shownFrame');
                if (!w.sawRunning && w.finished !== null && state() === 'notRunning') idle(now, 'with the text');
            }
        }
        if (w.graph === null && w.nodesBefore > 0) {
            const count = nodes();
            if (count > 0 && count !== w.nodesBefore) { w.graph = now; w.nodesAfter = count; frame('graphFrame'); }
        }
    };
    const content = new MutationObserver(check);
    content.observe(main, {childList: true, subtree: true, characterData: true});
    const note = value => {
        const now = performance.now();
        w.states.push([now, value]);
        if (w.clicked === null) return;
        if (value === 'running') w.sawRunning = true;
        if (value === 'notRunning' && w.sawRunning && w.idle === null) idle(now, 'state');
    };
    const states = new MutationObserver(records => {  // a batch may hold several changes: each has the value before
        records.slice(1).forEach(record => note(record.oldValue));
        note(state());
    });
    states.observe(app, {attributes: true, attributeFilter: ['data-test-script-state'], attributeOldValue: true});
    window.__onScriptFinished = () => {
        if (w.clicked !== null && w.finished === null) w.finished = performance.now();
    };
    const tasks = new PerformanceObserver(list => list.getEntries().forEach(task => {
        const ends = task.startTime + task.duration;
        if (w.clicked !== null && ends > w.clicked) w.longTasks.push([task.startTime, task.duration]);
    }));
    tasks.observe({type: 'longtask'});
    window.__editObservers = [content, states, tasks];
    if (!window.__editClicks) {
        window.__editClicks = true;
        document.addEventListener('click', event => {
            const w = window.__edit;
            if (w.clicked === null && event.target.closest('button')) { w.clicked = performance.now(); }
        }, true);
    }
}"""
ARM = ARM.replace("(TEXT)", f"({TEXT})", 1)
DONE = "() => window.__edit.shownFrame !== null && window.__edit.idleFrame !== null"
COLLECT = "() => ({edit: window.__edit, ws: window.__ws})"


# ------------------------------------------------------------------------------- websocket messages


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if at >= len(data):
            raise IndexError("truncated")
        byte = data[at]
        value |= (byte & 0x7F) << shift
        at += 1
        if not byte & 0x80:
            return value, at
        shift += 7


def _fields(data: bytes):
    """The (number, value) of each field at the start of a protobuf message (values of length-delimited fields
    may be cut short: only the first bytes of a message are kept)."""
    at = 0
    try:
        while at < len(data):
            tag, at = _varint(data, at)
            number, wire = tag >> 3, tag & 7
            if wire == 0:
                value, at = _varint(data, at)
            elif wire == 2:
                length, at = _varint(data, at)
                value, at = data[at : at + length], at + length
            elif wire == 1:
                value, at = data[at : at + 8], at + 8
            elif wire == 5:
                value, at = data[at : at + 4], at + 4
            else:
                return
            yield number, value
    except IndexError:
        return


def message_kind(head: list[int] | None) -> str:
    """What a ForwardMsg is, from its first bytes: ``new_session``, ``delta:markdown``, ``script_finished``..."""
    from streamlit.proto.Delta_pb2 import Delta
    from streamlit.proto.Element_pb2 import Element
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    if head is None:
        return "?"
    top = ForwardMsg.DESCRIPTOR.fields_by_number
    for number, value in _fields(bytes(head)):
        if number in (1, 2) or number not in top:  # hash, metadata
            continue
        kind = top[number].name
        if kind == "delta" and isinstance(value, bytes):
            for delta_number, delta_value in _fields(value):
                delta_kind = Delta.DESCRIPTOR.fields_by_number.get(delta_number)
                if delta_kind is None or delta_kind.name == "fragment_id":
                    continue
                if delta_kind.name == "new_element" and isinstance(delta_value, bytes):
                    element = next(_fields(delta_value), None)
                    if element is not None and element[0] in Element.DESCRIPTOR.fields_by_number:
                        return f"delta:{Element.DESCRIPTOR.fields_by_number[element[0]].name}"
                return f"delta:{delta_kind.name}"
        return kind
    return "?"


# ----------------------------------------------------------------------------------- server's CPU


def _group_cpu_seconds(pgid: int) -> float:
    """CPU seconds used so far by the live processes of a process group."""
    ticks = sum(int(fields[11]) + int(fields[12]) for _, fields in process_stats() if int(fields[2]) == pgid)
    return ticks / os.sysconf("SC_CLK_TCK")


def server_group(url: str) -> int | None:
    """The process group of the ``streamlit run`` serving ``url`` (``serve`` starts it as its own session)."""
    port = str(urlparse(url).port)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            argv = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        words = [word.decode(errors="replace") for word in argv]
        if (
            "streamlit" in words
            and "--server.port" in words
            and words[words.index("--server.port") + 1 :][:1] == [port]
        ):
            return os.getpgid(int(entry))
    return None


def wait_until_quiet(url: str) -> float:
    """Wait until the server's processes (the app's training workers included) use no CPU; the seconds waited."""
    group = server_group(url)
    started = time.perf_counter()
    if group is None:
        return 0.0
    used = _group_cpu_seconds(group)
    while time.perf_counter() - started < QUIET_TIMEOUT:
        time.sleep(1.0)
        now = _group_cpu_seconds(group)
        if now - used < QUIET_CPU_SECONDS:
            break
        used = now
    return time.perf_counter() - started


# ------------------------------------------------------------------------------------------ clicks


@dataclass
class App:
    """One app in its own tab: its button, the text a click changes, and how to set it back (if ever)."""

    name: str
    page: Page
    button_name: re.Pattern
    selector: str  # the element whose text starts with ``prefix`` is the one a click changes
    prefix: str
    reset: Callable[[], None] | None = None
    clicks: int = 0

    def button(self):
        """The app's own button, in the main area (not Streamlit's toolbar)."""
        return self.page.get_by_test_id("stMain").get_by_role("button", name=self.button_name)

    def text(self) -> str | None:
        return self.page.evaluate(TEXT, [self.selector, self.prefix])

    def click(self, reset_every: int) -> dict:
        """Click once (set the app back first if it is due); the click's times in ms from the click."""
        page = self.page
        page.bring_to_front()
        if self.reset is not None and self.clicks and self.clicks % reset_every == 0:
            self.reset()
        self.clicks += 1
        button = self.button()
        expect(button).to_be_enabled(timeout=TIMEOUT)
        page.evaluate(ARM, [self.selector, self.prefix])
        button.click()
        try:
            page.wait_for_function(DONE, timeout=TIMEOUT, polling=100)
        except PlaywrightError as error:
            seen = page.evaluate("({...window.__edit, longTasks: undefined, now: performance.now()})")
            raise RuntimeError(
                f"{self.name}, click {self.clicks}: {error.message.splitlines()[0]}; saw {seen}"
            ) from error
        wait_until_idle(page)
        page.wait_for_timeout(200)  # long tasks are reported a little after they end
        found = page.evaluate(COLLECT)
        return summarize_click(found["edit"], found["ws"])


def summarize_click(w: dict, ws: list) -> dict:
    clicked = w["clicked"]

    def since(ms: float | None) -> float | None:
        return None if ms is None else round(ms - clicked, 1)

    messages = [[since(t), way, size, message_kind(head) if way == "in" else "back"] for t, way, size, head in ws]
    after = [m for m in messages if m[0] is not None and m[0] >= 0]
    sent = next((m[0] for m in after if m[1] == "out"), None)
    started = next((m[0] for m in after if m[3] == "new_session"), None)
    finished = next((m[0] for m in after if m[3] == "script_finished"), None)
    tasks = [[since(start), round(duration, 1)] for start, duration in w["longTasks"] if start + duration > clicked]
    after_finish = sum(duration for start, duration in tasks if finished is not None and start >= finished)
    deltas = [m[0] for m in after if m[3].startswith("delta")]
    return {
        "before": w["before"],
        "after": w["after"],
        "to_shown_ms": since(w["shownFrame"]),  # on screen: the frame after the change
        "to_idle_ms": since(w["idleFrame"]),
        "to_shown_in_dom_ms": since(w["shown"]),
        "to_idle_in_dom_ms": since(w["idle"]),
        "idle_seen": w["idleBy"],
        "to_request_sent_ms": sent,
        "to_script_started_ms": started,
        "to_script_finished_ms": finished,
        "to_graph_ms": since(w["graphFrame"]),
        "to_graph_in_dom_ms": since(w["graph"]),
        "graph_nodes": [w["nodesBefore"], w["nodesAfter"]],
        "messages_in": sum(1 for m in after if m[1] == "in"),
        "bytes_in": sum(m[2] or 0 for m in after if m[1] == "in"),
        "long_tasks": tasks,
        "long_tasks_ms": round(sum(duration for _, duration in tasks), 1),
        "long_tasks_after_script_finished_ms": round(after_finish, 1),
        "states": [[since(t), state] for t, state in w["states"]],
        "message_kinds": dict(Counter(m[3] for m in after)),
        "first_and_last_delta_ms": [deltas[0], deltas[-1]] if deltas else None,
        "messages_not_deltas": [m for m in after if not m[3].startswith("delta")],
    }


def open_app(browser, url: str, text: str):
    """A fresh context (so a fresh session) with its websocket logged, showing ``text`` at ``url``, idle."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT)
    context.add_init_script(WEBSOCKET_LOG)
    page = context.new_page()
    page.goto(url, timeout=TIMEOUT)
    error = page.get_by_test_id("stException")
    page.get_by_text(text).first.or_(error.first).wait_for(timeout=TIMEOUT)
    if error.count():  # the tree may be caught in the middle of an edit
        raise RuntimeError(f"the app at {url} shows an exception: {error.first.inner_text()[:2000]}")
    wait_until_idle(page)
    return context, page


def reset_design(page, total: str) -> None:
    """Set the design back to the lecture preset with the page's preset picker; wait for its total."""
    picker = page.get_by_role("combobox", name="Start from a preset")
    for _ in range(5):  # right after an edit, the first click on the picker may not open its list
        picker.click()
        with contextlib.suppress(AssertionError):
            expect(picker).to_have_attribute("aria-expanded", "true", timeout=1000)
            break
    page.get_by_role("option", name=LECTURE_PRESET).click()
    expect(page.get_by_role("heading", name=total)).to_be_visible(timeout=TIMEOUT)
    wait_until_idle(page)


# ------------------------------------------------------------------------------------------ report


def median(values: list) -> float | None:
    values = [value for value in values if value is not None]
    return round(statistics.median(values), 1) if values else None


BREAKDOWN = {  # name: from the click's figures, the ms of one step
    "click → request sent": lambda c: c["to_request_sent_ms"],
    "request sent → script started (new_session)": lambda c: _minus(c["to_script_started_ms"], c["to_request_sent_ms"]),
    "script started → script finished": lambda c: _minus(c["to_script_finished_ms"], c["to_script_started_ms"]),
    "script finished → idle on screen": lambda c: _minus(c["to_idle_ms"], c["to_script_finished_ms"]),
    "click → text changed in the DOM": lambda c: c["to_shown_in_dom_ms"],
    "text changed in the DOM → its frame": lambda c: _minus(c["to_shown_ms"], c["to_shown_in_dom_ms"]),
    "click → graph redrawn on screen": lambda c: c["to_graph_ms"],
    "long tasks from the click (sum)": lambda c: c["long_tasks_ms"],
    "  of which after script finished": lambda c: c["long_tasks_after_script_finished_ms"],
    "messages received": lambda c: c["messages_in"],
    "kB received": lambda c: c["bytes_in"] / 1000,
}


def _minus(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="measured clicks of each app (default 15)")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured clicks of each app first (default 3)")
    parser.add_argument("--reset-every", type=int, default=3, help="clicks on + Dense between resets (default 3)")
    parser.add_argument(
        "--json", type=Path, default=RESULTS, help=f"results file (default {RESULTS.relative_to(ROOT)})"
    )
    arguments = parser.parse_args()

    os.environ["STREAMLIT_SERVER_FILE_WATCHER_TYPE"] = "none"  # others' edits must not reload modules mid-run
    started = time.perf_counter()
    load = os.getloadavg()[0]  # other work on the machine slows both apps, the app more (it has more to do)
    with tempfile.TemporaryDirectory() as folder:
        reference_script = Path(folder) / "counter.py"
        reference_script.write_text(ONE_LINE_APP, encoding="utf-8")
        shutil.copytree(ROOT / ".streamlit", Path(folder) / ".streamlit")  # the same server settings as the app
        with (
            serve(ROOT / "streamlit_app.py") as app_url,
            serve(reference_script) as reference_url,
            sync_playwright() as playwright,
        ):
            browser = launch(playwright)
            app_context, app_page = open_app(browser, app_url, "Total params:")
            reference_context, reference_page = open_app(browser, reference_url, "Clicks: 0")
            quiet = wait_until_quiet(app_url)
            print(f"app's server quiet after {quiet:.1f} s (training workers started)", flush=True)
            app = App("app", app_page, re.compile(r"\bDense$"), "h3", "Total params:")
            total = app.text()
            app.reset = lambda: reset_design(app_page, total)
            apps = [app, App("reference", reference_page, re.compile(r"^Click$"), "p", "Clicks:")]
            for _ in range(arguments.warmup):
                for each in apps:
                    each.click(arguments.reset_every)
            print(f"warmed up: {arguments.warmup} clicks each\n", flush=True)
            clicks: dict[str, list[dict]] = {each.name: [] for each in apps}
            print(f"{'round':>5}  {'app':<9}  {'to text ms':>10}  {'to idle ms':>10}  text after the click")
            for round_ in range(arguments.rounds):
                for each in apps:
                    click = each.click(arguments.reset_every)
                    clicks[each.name].append(click)
                    print(
                        f"{round_ + 1:>5}  {each.name:<9}  {click['to_shown_ms']:>10.1f}  {click['to_idle_ms']:>10.1f}"
                        f"  {click['after']}",
                        flush=True,
                    )
            app_context.close()
            reference_context.close()
            browser.close()

    medians = {
        name: {
            "to_text_ms": median([c["to_shown_ms"] for c in values]),
            "to_idle_ms": median([c["to_idle_ms"] for c in values]),
        }
        for name, values in clicks.items()
    }
    ratios = {measure: round(medians["app"][measure] / medians["reference"][measure], 2) for measure in medians["app"]}
    print(f"\n{'median ms':<24}  {'app':>8}  {'reference':>9}  {'app / reference':>15}")
    for measure, label in (("to_text_ms", "click → text shown"), ("to_idle_ms", "click → idle")):
        app, reference = medians["app"][measure], medians["reference"][measure]
        print(f"{label:<24}  {app:>8.1f}  {reference:>9.1f}  {ratios[measure]:>14.2f}×")

    breakdown = {
        name: {app: median([step(c) for c in values]) for app, values in clicks.items()}
        for name, step in BREAKDOWN.items()
    }
    print(f"\n{'breakdown, median':<46}  {'app':>8}  {'reference':>9}")
    for name, values in breakdown.items():
        cells = ["—" if values[app] is None else f"{values[app]:.1f}" for app in ("app", "reference")]
        print(f"{name:<46}  {cells[0]:>8}  {cells[1]:>9}")
    elapsed = time.perf_counter() - started
    load_end = os.getloadavg()[0]
    print(f"\nload average (1 min) at the start {load:.2f}, at the end {load_end:.2f}, on {os.cpu_count()} CPUs")
    print(f"benchmark took {elapsed:.0f} s")

    figures = {
        "rounds": arguments.rounds,
        "warmup": arguments.warmup,
        "reset_every": arguments.reset_every,
        "viewport": VIEWPORT,
        "reference_app": ONE_LINE_APP,
        "medians_ms": medians,
        "ratio_app_to_reference": ratios,
        "breakdown_median_ms": breakdown,
        "load_average_at_start": load,
        "load_average_at_end": load_end,
        "cpus": os.cpu_count(),
        "clicks": clicks,
        "benchmark_seconds": round(elapsed, 1),
    }
    try:
        write_results(arguments.json.resolve(), figures)
    except ValueError:  # written, but outside the project: report.py names it relative to the project
        print(f"wrote {arguments.json}")


if __name__ == "__main__":
    run_benchmark(main)
