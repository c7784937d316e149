"""Live view cost: what redrawing the curves adds to training (target: it must not dominate training time).

The two-output preset (``lecture_two_outputs``, 300 epochs) is trained in one
process in four ways, each on a fresh trainer:

- ``none``: ``trainer.train()``, no live view;
- ``run only``: iterating ``trainer.run()`` (default updates per second) and
  drawing nothing, to tell the cost of smaller chunks from that of drawing;
- ``throttled``: iterating ``trainer.run()`` and redrawing as the Train page
  does (``ui.runs.follow``): at most every ``CHART_REFRESH_SECONDS``,
  then once more at the end;
- ``every yield``: the same, redrawing at every yield.

A redraw builds the figures the page builds (``charts.head_figures`` and the
total-loss ``charts.curves``) and serialises each with ``figure.to_json()``,
the work Streamlit does to send them. The time is the wall (and CPU) time
of the training loop, redraws included (the trainer's construction, the same in all
modes, is not in it). Streamlit's own messaging and the browser's drawing are
not measured. Each mode runs ``--repeats`` times, interleaved; medians are
reported, with the overhead of each mode over ``none``.

    python benchmarks/live_view_cost.py [--repeats 3] [--epochs 300]

Writes ``benchmarks/results/live_view_cost.json``. Always exits 0: it is a
measurement. The verdict is PASS when redrawing takes less than half of the
throttled (the page's) training loop: the median share of its wall time spent
in redraws, measured within each training, is under 50 %. That share, unlike
the overhead over another training, does not swing with whatever else the
machine runs; the overheads are reported beside it (in wall and CPU time).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from report import run_benchmark, write_results

from designer import presets, training
from designer.keras_model import import_keras

ROOT = Path(__file__).resolve().parent.parent

import_keras()  # Keras and TensorFlow up front (quietly): not part of any timing
from ui import charts  # noqa: E402
from ui.runs import CHART_REFRESH_SECONDS  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "live_view_cost.json"
PRESET = "lecture_two_outputs"
TARGET_SHARE_PERCENT = 50.0  # "must not dominate": redraws take under half of the page's training loop
MODES = ("none", "run only", "throttled", "every yield")


def redraw(history: dict[str, list[float]], heads: list[training.Head]) -> int:
    """Build and serialise the figures the page draws; the number of JSON characters."""
    figures = [figure for pair in charts.head_figures(history, heads).values() for figure in pair]
    if len(heads) > 1:
        figures.append(charts.curves(history, "loss", "total loss (weighted sum of the heads)", "loss"))
    return sum(len(figure.to_json()) for figure in figures)


def train(design: dict, mode: str) -> dict:
    """One training in one mode: wall seconds of the loop, seconds in chunks, yields, redraws."""
    trainer = training.Trainer(design)
    redraws = chars = 0
    redraw_seconds = 0.0
    at_yields = []
    start, cpu_start = time.perf_counter(), time.process_time()
    if mode == "none":
        trainer.train()
    else:
        last_drawn = 0.0
        for done in trainer.run():
            at_yields.append(done)
            if mode == "run only":
                continue
            if mode == "every yield" or time.perf_counter() - last_drawn >= CHART_REFRESH_SECONDS:
                t0 = time.perf_counter()
                chars = redraw(trainer.history, trainer.heads)
                redraw_seconds += time.perf_counter() - t0
                redraws += 1
                last_drawn = time.perf_counter()
        if mode != "run only":  # the page's final drawing, after the loop
            t0 = time.perf_counter()
            chars = redraw(trainer.history, trainer.heads)
            redraw_seconds += time.perf_counter() - t0
            redraws += 1
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    return {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "chunk_seconds": trainer.seconds,
        "redraw_seconds": redraw_seconds,
        "yields": len(at_yields),
        "epochs_at_yields": at_yields,
        "redraws": redraws,
        "json_chars_last_redraw": chars,
        "epochs": trainer.epochs_done,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="trainings in each mode (default 3)")
    parser.add_argument("--epochs", type=int, default=300, help="epochs of each training (default 300)")
    args = parser.parse_args()

    design = next(p for p in presets.presets() if p.key == PRESET).load()
    design.setdefault("training", {})["epochs"] = args.epochs
    train(design, "none")  # warm-up: TensorFlow's runtime, Plotly's validators
    redraw({"loss": [1.0]}, training.heads_of(design))

    runs: dict[str, list[dict]] = {mode: [] for mode in MODES}
    print(
        f"{'repeat':>6}  {'mode':<12}  {'wall s':>7}  {'cpu s':>6}  {'in chunks s':>11}  {'redraw s':>8}"
        f"  {'yields':>6}  {'redraws':>7}"
    )
    for repeat in range(args.repeats):
        for mode in MODES:
            r = train(design, mode)
            runs[mode].append(r)
            print(
                f"{repeat + 1:>6}  {mode:<12}  {r['seconds']:7.3f}  {r['cpu_seconds']:6.3f}  "
                f"{r['chunk_seconds']:11.3f}  {r['redraw_seconds']:8.3f}  {r['yields']:>6}  {r['redraws']:>7}",
                flush=True,
            )

    keys = ("seconds", "cpu_seconds", "chunk_seconds", "redraw_seconds", "redraws", "yields")
    medians = {mode: {key: statistics.median(r[key] for r in rs) for key in keys} for mode, rs in runs.items()}
    base = medians["none"]["seconds"]
    overhead = {mode: 100 * (m["seconds"] / base - 1) for mode, m in medians.items() if mode != "none"}
    cpu_base = medians["none"]["cpu_seconds"]
    cpu_overhead = {mode: 100 * (m["cpu_seconds"] / cpu_base - 1) for mode, m in medians.items() if mode != "none"}
    share = {
        mode: statistics.median(100 * r["redraw_seconds"] / r["seconds"] for r in runs[mode])
        for mode in ("throttled", "every yield")
    }
    verdict = "PASS" if share["throttled"] < TARGET_SHARE_PERCENT else "FAIL"
    chars = runs["throttled"][0]["json_chars_last_redraw"]
    per_redraw = medians["every yield"]["redraw_seconds"] / max(1, medians["every yield"]["redraws"])
    print(f"\nmedians, {args.epochs} epochs of {PRESET} (a redraw: 5 figures, {chars / 1000:.0f} kB JSON at the end)")
    for mode, m in medians.items():
        extra = "" if mode == "none" else f"  overhead {overhead[mode]:+6.1f} % wall, {cpu_overhead[mode]:+6.1f} % cpu"
        print(
            f"  {mode:<12} {m['seconds']:7.3f} s wall, {m['cpu_seconds']:.3f} s cpu, "
            f"{m['chunk_seconds']:.3f} s in chunks, {m['redraw_seconds']:.3f} s redrawing, "
            f"{m['redraws']:g} redraws{extra}"
        )
    print(f"one redraw (every-yield mode): {per_redraw * 1000:.1f} ms on average")
    print(f"share of the loop spent redrawing, every yield: {share['every yield']:.1f} %")
    print(
        f"share of the loop spent redrawing, throttled (every {CHART_REFRESH_SECONDS:g} s, the page's): "
        f"{share['throttled']:.1f} % (target < {TARGET_SHARE_PERCENT:g} %) {verdict}"
    )

    figures = {
        "preset": PRESET,
        "epochs": args.epochs,
        "repeats": args.repeats,
        "chart_refresh_seconds": CHART_REFRESH_SECONDS,
        "updates_per_second": training.UPDATES_PER_SECOND,
        "runs": runs,
        "medians": medians,
        "overhead_percent": overhead,
        "cpu_overhead_percent": cpu_overhead,
        "seconds_per_redraw": per_redraw,
        "redraw_share_percent": share,
        "target_share_percent": TARGET_SHARE_PERCENT,
        "verdict": verdict,
    }
    write_results(RESULTS, figures)


if __name__ == "__main__":
    run_benchmark(main)
