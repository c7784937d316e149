"""Training memory: 50 trainings in a row in one process (target: resident memory grows by < 150 MB).

As a Streamlit session does when a learner trains again and again: each
training builds a new :class:`designer.training.Trainer` of the lecture design
(the ``lecture_sequential`` preset), trains it, evaluates it on the test rows
and keeps a small record of the run (its design, settings, history and test
metrics, like the Train page's run list), while the trainer itself, with its
model, is dropped before the next one is built, as the page keeps only the
latest. Python's garbage collector is left to run on its own, as in the app.

The resident set size (VmRSS in ``/proc/self/status``) is read at start,
after importing TensorFlow, after one warm-up training (the baseline), and
after each training. Growth is the last reading minus the baseline; the
growth over the last 25 trainings tells steady growth from warm-up. Also
counted: how many of the dropped trainers are still alive (not yet collected)
at the end, and the RSS after an explicit ``gc.collect()`` (which the app
never calls; for information only).

    python benchmarks/training_memory.py [--trainings 50] [--epochs 100] [--fresh-engines]

Each trainer is built on the previous one's engine (model and compiled
function), as the Train page does when a learner trains the same network
again. With ``--fresh-engines`` each builds and traces its own, as happens
when the network changes between runs (TensorFlow keeps a little of every
traced function for good, so this grows a little per new network).

Writes ``benchmarks/results/training_memory.json``. Always exits 0: it is a
measurement.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
import weakref
from pathlib import Path

from report import run_benchmark, write_results

ROOT = Path(__file__).resolve().parent.parent

RESULTS = ROOT / "benchmarks" / "results" / "training_memory.json"
PRESET = "lecture_sequential"
TARGET_MB = 150.0


def rss_mb() -> float:
    """This process's resident set size, in MB (10^6 bytes)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024 / 1e6
    raise RuntimeError("no VmRSS in /proc/self/status")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trainings", type=int, default=50, help="trainings after the warm-up (default 50)")
    parser.add_argument("--epochs", type=int, default=100, help="epochs of each training (default 100)")
    parser.add_argument("--fresh-engines", action="store_true", help="build a new engine for every training")
    args = parser.parse_args()

    at_start = rss_mb()
    from designer import presets, spec, training
    from designer.keras_model import import_keras

    import_keras()
    import tensorflow  # noqa: F401

    after_import = rss_mb()
    design = next(p for p in presets.presets() if p.key == PRESET).load()
    design.setdefault("training", {})["epochs"] = args.epochs

    runs: list[dict] = []
    kept = {"engine": None}  # the latest engine, as a session keeps it

    def train_once() -> weakref.ref:
        if not args.fresh_engines:
            trainer = training.Trainer(design, engine=kept["engine"])
            kept["engine"] = trainer.engine
        else:
            trainer = training.Trainer(design)
        trainer.train()
        runs.append(  # what the page keeps of a run once its trainer is gone
            {
                "design": spec.clone(design),
                "settings": dict(trainer.settings),
                "history": trainer.history,
                "seconds": trainer.seconds,
                "test": trainer.evaluate(trainer.data.test),
            }
        )
        return weakref.ref(trainer)

    train_once()  # warm-up
    baseline = rss_mb()
    readings, alive, started = [], [], time.perf_counter()
    print(f"RSS: at start {at_start:.0f} MB, after imports {after_import:.0f} MB, after warm-up {baseline:.0f} MB")
    print(f"{'training':>8}  {'RSS MB':>7}  {'growth MB':>9}  {'seconds':>7}")
    for index in range(args.trainings):
        t0 = time.perf_counter()
        alive.append(train_once())  # the trainer is dropped on return: only the run record is kept
        readings.append(rss_mb())
        if index < 3 or (index + 1) % 5 == 0:
            print(
                f"{index + 1:>8}  {readings[-1]:7.1f}  {readings[-1] - baseline:9.1f}  {time.perf_counter() - t0:7.2f}",
                flush=True,
            )
    elapsed = time.perf_counter() - started

    still_alive = sum(ref() is not None for ref in alive)
    gc.collect()  # not done by the app: tells what the collector could still reclaim
    after_collect = rss_mb()
    half = len(readings) // 2
    growth = readings[-1] - baseline
    last_half_growth = readings[-1] - readings[half - 1] if half else 0.0
    verdict = "PASS" if growth < TARGET_MB else "FAIL"
    print(f"\nafter importing TensorFlow: {after_import:.1f} MB (at start {at_start:.1f} MB; with designer, sklearn)")
    print(f"start (after warm-up):      {baseline:.1f} MB")
    print(f"end (after {len(readings)} trainings):  {readings[-1]:.1f} MB")
    print(f"max:                        {max(readings):.1f} MB")
    print(f"growth:                     {growth:.1f} MB (target < {TARGET_MB:g} MB) {verdict}")
    print(
        f"growth over the last {len(readings) - half}:     {last_half_growth:.1f} MB "
        f"({last_half_growth / max(1, len(readings) - half) * 1000:.0f} kB per training)"
    )
    print(f"dropped trainers not yet collected at the end: {still_alive} of {len(alive)}")
    print(f"after an explicit gc.collect(): {after_collect:.1f} MB (growth {after_collect - baseline:.1f} MB)")
    print(f"{len(readings)} trainings of {args.epochs} epochs in {elapsed:.1f} s")

    figures = {
        "preset": PRESET,
        "trainings": len(readings),
        "epochs": args.epochs,
        "reuse_engine": not args.fresh_engines,
        "rss_mb_at_start": at_start,
        "rss_mb_after_import": after_import,
        "rss_mb_baseline": baseline,
        "rss_mb_after_each": readings,
        "rss_mb_end": readings[-1],
        "rss_mb_max": max(readings),
        "growth_mb": growth,
        "growth_mb_last_half": last_half_growth,
        "trainers_still_alive": still_alive,
        "rss_mb_after_gc_collect": after_collect,
        "median_test_accuracy": statistics.median(run["test"]["accuracy"] for run in runs),
        "seconds": elapsed,
        "target_mb": TARGET_MB,
        "verdict": verdict,
    }
    write_results(RESULTS, figures)


if __name__ == "__main__":
    run_benchmark(main)
