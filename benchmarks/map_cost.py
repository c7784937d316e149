"""Live map cost: what computing and redrawing the decision maps adds to training (target: at most 15 %).

The two-output preset (``lecture_two_outputs``: a species head and a
petal_width head, 300 epochs) is trained in one process, in two ways, each on
a fresh trainer, interleaved ``--repeats`` times:

- ``curves``: iterating ``trainer.run()`` as a worker does, and redrawing the
  curves as the Train page does (at most every ``CHART_REFRESH_SECONDS``): the
  reference, today's live view;
- ``curves + maps``: the same, and at every report the worker's work for the
  map (one forward pass of the grid, :class:`designer.maps.Prober`, 50 × 50
  points) and, at the page's cadence, the page's work (both heads' figures
  with the flowers, serialised with ``figure.to_json()``, as Streamlit sends
  them).

The share is the time spent on maps within each training's loop, the median
over the repeats; the extra wall time over ``curves`` is reported beside it.
Streamlit's messaging and the browser's drawing are not measured.

    python benchmarks/map_cost.py [--repeats 3] [--epochs 300]

Writes ``benchmarks/results/map_cost.json``. Always exits 0: it is a
measurement; the verdict is PASS when the maps' share is at most 15 %.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from live_view_cost import redraw
from report import run_benchmark, write_results

from designer import maps, presets, training
from designer.keras_model import import_keras

ROOT = Path(__file__).resolve().parent.parent

import_keras()  # Keras and TensorFlow up front: not part of any timing
from ui import map_charts  # noqa: E402
from ui.runs import CHART_REFRESH_SECONDS  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "map_cost.json"
PRESET = "lecture_two_outputs"
TARGET_SHARE_PERCENT = 15.0
MODES = ("curves", "curves + maps")


def draw_maps(found: maps.Map, design: dict, data) -> int:
    """Build and serialise the heads' map figures, as the page does; the number of JSON characters."""
    characters = 0
    for node in maps.resolve(design).heads:
        target = node.entry["target"]
        figure = map_charts.head_map(found, node.name, target, maps.flowers(data, found.plane, target))
        characters += len(figure.to_json())
    return characters


def train(design: dict, mode: str) -> dict:
    """One training: wall seconds of the loop, and the seconds spent on curves and on maps."""
    trainer = training.Trainer(design)
    with_maps = mode == "curves + maps"
    plane = maps.plane(design, trainer.data) if with_maps else None
    prober = maps.Prober(trainer.model, design, trainer.data, plane) if with_maps else None
    curve_seconds = map_seconds = 0.0
    reports = drawings = characters = 0
    last_drawn = 0.0
    start = time.perf_counter()
    for _ in trainer.run():
        reports += 1
        found = None
        if with_maps:  # the worker's part: a map at every report
            t0 = time.perf_counter()
            found = prober()
            map_seconds += time.perf_counter() - t0
        if time.perf_counter() - last_drawn >= CHART_REFRESH_SECONDS:  # the page's part, at its cadence
            t0 = time.perf_counter()
            redraw(trainer.history, trainer.heads)
            curve_seconds += time.perf_counter() - t0
            if found is not None:
                t0 = time.perf_counter()
                characters = draw_maps(found, design, trainer.data)
                map_seconds += time.perf_counter() - t0
            drawings += 1
            last_drawn = time.perf_counter()
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "chunk_seconds": trainer.seconds,
        "curve_seconds": curve_seconds,
        "map_seconds": map_seconds,
        "reports": reports,
        "drawings": drawings,
        "map_json_chars": characters,
        "epochs": trainer.epochs_done,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="trainings in each mode (default 3)")
    parser.add_argument("--epochs", type=int, default=300, help="epochs of each training (default 300)")
    args = parser.parse_args()

    design = next(p for p in presets.presets() if p.key == PRESET).load()
    design.setdefault("training", {})["epochs"] = args.epochs
    for mode in MODES:  # warm-up: TensorFlow's runtime, Plotly's validators, the probe's first call
        train({**design, "training": {**design["training"], "epochs": 5}}, mode)

    runs: dict[str, list[dict]] = {mode: [] for mode in MODES}
    header = ("repeat", "mode", "wall s", "chunks s", "curves s", "maps s", "reports")
    print("  ".join(f"{h:<14}" if h == "mode" else f"{h:>8}" for h in header))
    for repeat in range(args.repeats):
        for mode in MODES:
            r = train(design, mode)
            runs[mode].append(r)
            print(
                f"{repeat + 1:>6}  {mode:<14}  {r['seconds']:7.3f}  {r['chunk_seconds']:8.3f}  "
                f"{r['curve_seconds']:8.3f}  {r['map_seconds']:7.3f}  {r['reports']:>7}",
                flush=True,
            )

    keys = ("seconds", "chunk_seconds", "curve_seconds", "map_seconds", "reports", "drawings")
    medians = {mode: {key: statistics.median(r[key] for r in rs) for key in keys} for mode, rs in runs.items()}
    share = statistics.median(100 * r["map_seconds"] / r["seconds"] for r in runs["curves + maps"])
    extra = 100 * (medians["curves + maps"]["seconds"] / medians["curves"]["seconds"] - 1)
    verdict = "PASS" if share <= TARGET_SHARE_PERCENT else "FAIL"
    per_map = medians["curves + maps"]["map_seconds"] / max(1, medians["curves + maps"]["reports"])
    print(f"\nmedians, {args.epochs} epochs of {PRESET}, 50 x 50 points, two heads")
    for mode, m in medians.items():
        print(
            f"  {mode:<14} {m['seconds']:7.3f} s wall, {m['chunk_seconds']:.3f} s in chunks, "
            f"{m['curve_seconds']:.3f} s on curves, {m['map_seconds']:.3f} s on maps, {m['reports']:g} reports"
        )
    print(f"extra wall time with maps: {extra:+.1f} %; maps per report (worker and page): {per_map * 1000:.1f} ms")
    print(f"share of the loop spent on maps: {share:.1f} % (target <= {TARGET_SHARE_PERCENT:g} %) {verdict}")
    write_results(
        RESULTS,
        {
            "preset": PRESET,
            "epochs": args.epochs,
            "repeats": args.repeats,
            "grid": maps.GRID,
            "chart_refresh_seconds": CHART_REFRESH_SECONDS,
            "runs": runs,
            "medians": medians,
            "map_share_percent": share,
            "extra_wall_percent": extra,
            "target_share_percent": TARGET_SHARE_PERCENT,
            "verdict": verdict,
        },
    )


if __name__ == "__main__":
    run_benchmark(main)
