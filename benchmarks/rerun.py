"""Server-side time of one Design-page rerun after an edit (target: median ≤ 30 ms).

The designs: 10 layers and two heads on Iris, and the digits preset (64 pixel
inputs). Each trial changes one layer's units
through the page's own number input and reruns the app with Streamlit's
AppTest, which runs the script in this process on Streamlit's own
ScriptRunner, as a server does. The time taken is that of the ScriptRunner's
run (widget callbacks, the page script, and queueing its messages), without
AppTest's own polling and parsing. A one-line app is timed the same way,
side by side, for scale.

    python benchmarks/rerun.py [--trials 60]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from streamlit.runtime.scriptrunner import script_runner
from streamlit.testing.v1 import AppTest

from designer import edits, exercises, goals, presets
from tests.apptest_support import navigation_steady_state

ROOT = Path(__file__).resolve().parent.parent

TARGET_MS = 30.0
RUN_TIMES: list[float] = []


def _record_run_times() -> None:
    """Wrap ScriptRunner._run_script so every rerun's duration is recorded."""
    run_script = script_runner.ScriptRunner._run_script

    def timed(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return run_script(self, *args, **kwargs)
        finally:
            RUN_TIMES.append((time.perf_counter() - start) * 1000)

    script_runner.ScriptRunner._run_script = timed


def ten_layer_two_head_design() -> dict:
    design = next(p for p in presets.presets() if p.key == "lecture_two_outputs").load()
    while len(design["layers"]) < 10:
        design = edits.add_layer(design, "dense")
    assert len(design["heads"]) == 2
    return design


def as_exercise(design: dict) -> dict:
    """The design handed out as an exercise: two goals, its heads, inputs and seed locked (its box on the page)."""
    goal_list = [goals.parse_goal("species.accuracy>=0.95"), goals.parse_goal("params<=1000")]
    return exercises.make(design, "Benchmark", goal_list, "Edit the layers.", ["inputs", "heads", "training.seed"])


def digits_design() -> dict:
    """The digits preset: 64 pixel inputs, a hidden layer of 32, 10 classes (2,410 parameters)."""
    return next(p for p in presets.presets() if p.key == "digits").load()


def time_design_page(trials: int, exercise: bool = False, design: dict | None = None, layer: int = 4) -> list[float]:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    design = design or ten_layer_two_head_design()
    at.session_state["design"] = as_exercise(design) if exercise else design
    at.run()
    RUN_TIMES.clear()
    for trial in range(trials):
        units = next(n for n in at.number_input if n.key == f"layer-{layer}:units")
        units.set_value(8 + trial % 5 + 1)
        at.run()
        assert not at.exception and at.session_state["design"]["layers"][layer]["units"] == 8 + trial % 5 + 1
    return list(RUN_TIMES)


def time_one_line_app(trials: int) -> list[float]:
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "hello.py"
        script.write_text('import streamlit as st\nst.number_input("n", key="n")\nst.write("Hello")\n')
        at = AppTest.from_file(str(script), default_timeout=60)
        at.run()
        RUN_TIMES.clear()
        for trial in range(trials):
            at.number_input(key="n").set_value(trial + 1)
            at.run()
    return list(RUN_TIMES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=60)
    args = parser.parse_args()
    navigation_steady_state(setattr)  # as a running server is (see tests/apptest_support.py)
    _record_run_times()
    ours = time_design_page(args.trials)[5:]  # the first reruns warm caches
    exercise = time_design_page(args.trials, exercise=True)[5:]
    digits = time_design_page(args.trials, design=digits_design(), layer=0)[5:]
    baseline = time_one_line_app(args.trials)[5:]
    result = {
        "design_page_median_ms": round(statistics.median(ours), 1),
        "design_page_p90_ms": round(statistics.quantiles(ours, n=10)[-1], 1),
        "exercise_median_ms": round(statistics.median(exercise), 1),
        "exercise_p90_ms": round(statistics.quantiles(exercise, n=10)[-1], 1),
        "digits_median_ms": round(statistics.median(digits), 1),
        "digits_p90_ms": round(statistics.quantiles(digits, n=10)[-1], 1),
        "one_line_app_median_ms": round(statistics.median(baseline), 1),
        "target_ms": TARGET_MS,
    }
    median, p90 = result["design_page_median_ms"], result["design_page_p90_ms"]
    print(f"Design page, 10 layers + 2 heads: median {median} ms, p90 {p90} ms")
    exercise_median, exercise_p90 = result["exercise_median_ms"], result["exercise_p90_ms"]
    print(f"The same as an exercise:          median {exercise_median} ms, p90 {exercise_p90} ms")
    print(f"Digits, 64 inputs → 32 → 10:      median {result['digits_median_ms']} ms, p90 {result['digits_p90_ms']} ms")
    print(f"One-line app:                     median {result['one_line_app_median_ms']} ms")
    passed = max(result["design_page_median_ms"], result["digits_median_ms"]) <= TARGET_MS
    verdict = "PASS" if passed else "FAIL"
    print(f"{verdict}: target median ≤ {TARGET_MS:.0f} ms")
    out = ROOT / "benchmarks" / "results" / "rerun.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
