"""Training speed: the lecture design with our trainer vs the lecture's own ``model.fit`` (target: ≥ 8× faster).

The lecture design (the ``lecture_sequential`` preset: 100 epochs, batch 5,
validation metrics every epoch) is trained by :class:`designer.training.Trainer`
and compared with ``benchmarks/reference/lecture_iris.py``, the lecture's own
Keras program, which prints the seconds its ``model.fit`` took. Both run in
fresh subprocesses, alternating, ``--repeats`` times each.

The two are timed alike. The lecture builds and compiles its model, then
times ``model.fit``, which traces Keras' training function on its first step
and trains. Ours builds the model and its optimizer (``Trainer(design)``,
timed apart as "setup"), then times ``trainer.train()``, which traces the
compiled function on its first chunk and trains, computing the validation
metrics every epoch as well. Importing TensorFlow and loading Iris come before
both clocks. In the same subprocess the same design is then trained a second
time ("warm": TensorFlow's runtime already started; the new trainer still
builds and traces its own model and function), and a third time reusing the
second's engine, as a session does for runs of one network (reported, not
judged).

    python benchmarks/training_speed.py [--repeats 5]

Prints each repeat, the medians and the ratios lecture fit / ours (cold and
warm), with PASS or FAIL against the target (on the cold ratio), and writes
them to ``benchmarks/results/training_speed.json``. Always exits 0: it is a
measurement.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
from pathlib import Path

from report import run_benchmark, write_results

ROOT = Path(__file__).resolve().parent.parent
LECTURE = ROOT / "benchmarks" / "reference" / "lecture_iris.py"
RESULTS = ROOT / "benchmarks" / "results" / "training_speed.json"
PRESET = "lecture_sequential"
TARGET_RATIO = 8.0
TIMEOUT = 600  # s, for one subprocess
CHILD = "--child"  # ``training_speed.py --child`` is the fresh process that runs :func:`train_twice`


def train_twice() -> None:
    """In a fresh process: import, load Iris, then train the preset twice (three times); print one JSON line.

    The third training, when the trainer accepts an ``engine``, reuses the
    second one's compiled function, as a session may for runs of one network.
    """
    import inspect
    import time

    from designer import data, presets, training
    from designer.keras_model import import_keras

    import_keras()  # Keras and TensorFlow, imported before the clock starts
    data.iris()  # load the data set before the clock starts
    design = next(p for p in presets.presets() if p.key == PRESET).load()
    reuse = "engine" in inspect.signature(training.Trainer).parameters
    runs, engine = [], None
    for index in range(3 if reuse else 2):
        start = time.perf_counter()
        trainer = training.Trainer(design, engine=engine) if index == 2 else training.Trainer(design)
        built = time.perf_counter()
        trainer.train()
        seconds = time.perf_counter() - built
        test = trainer.evaluate(trainer.data.test)
        runs.append(
            {
                "seconds": seconds,
                "setup_seconds": built - start,
                "chunk_seconds": trainer.seconds,
                "epochs": trainer.epochs_done,
                "train_rows": len(trainer.data.train),
                "validation_rows": len(trainer.data.validation),
                "test_rows": len(trainer.data.test),
                "batch_size": trainer.settings["batch_size"],
                "test_accuracy": test["accuracy"],
            }
        )
        engine = getattr(trainer, "engine", None)
        del trainer
    result = {"cold": runs[0], "warm": runs[1], "reused": runs[2] if reuse else None}
    print("RESULT " + json.dumps(result), flush=True)


def _run(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"{command[:2]} exited with {done.returncode}:\n{done.stderr[-2000:]}")
    return done.stdout


def lecture() -> dict:
    """The lecture program's own figures: seconds in ``model.fit`` and test accuracy."""
    out = _run([sys.executable, str(LECTURE)])
    fit = re.search(r"fit_seconds=([0-9.]+)", out)
    accuracy = re.search(r"test_accuracy=([0-9.]+)", out)
    if not fit:
        raise RuntimeError(f"no fit_seconds in the lecture's output: {out!r}")
    return {"fit_seconds": float(fit.group(1)), "test_accuracy": float(accuracy.group(1)) if accuracy else None}


def ours() -> dict:
    """Our trainer in a fresh process: the cold, the warm and (if possible) the reused-engine training."""
    out = _run([sys.executable, str(Path(__file__).resolve()), CHILD])
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="subprocesses of each kind (default 5)")
    repeats = parser.parse_args().repeats

    rows = []
    accuracy_title = "test acc lecture/cold/warm"
    print(
        f"{'repeat':>6}  {'lecture fit s':>13}  {'ours cold s':>11}  {'ours warm s':>11}  {'reused s':>8}"
        f"  {accuracy_title:>27}"
    )
    for repeat in range(repeats):
        a = lecture()
        b = ours()
        rows.append({"lecture": a, "ours_cold": b["cold"], "ours_warm": b["warm"], "ours_reused": b["reused"]})
        accuracies = f"{a['test_accuracy']:.3f}/{b['cold']['test_accuracy']:.3f}/{b['warm']['test_accuracy']:.3f}"
        reused = f"{b['reused']['seconds']:8.3f}" if b["reused"] else f"{'-':>8}"
        print(
            f"{repeat + 1:>6}  {a['fit_seconds']:13.2f}  {b['cold']['seconds']:11.3f}  {b['warm']['seconds']:11.3f}"
            f"  {reused}  {accuracies:>27}",
            flush=True,
        )

    medians = {
        "lecture_fit_seconds": statistics.median(r["lecture"]["fit_seconds"] for r in rows),
        "ours_cold_seconds": statistics.median(r["ours_cold"]["seconds"] for r in rows),
        "ours_warm_seconds": statistics.median(r["ours_warm"]["seconds"] for r in rows),
        "ours_cold_chunk_seconds": statistics.median(r["ours_cold"]["chunk_seconds"] for r in rows),
        "ours_cold_setup_seconds": statistics.median(r["ours_cold"]["setup_seconds"] for r in rows),
        "ours_warm_chunk_seconds": statistics.median(r["ours_warm"]["chunk_seconds"] for r in rows),
    }
    ratio_cold = medians["lecture_fit_seconds"] / medians["ours_cold_seconds"]
    ratio_warm = medians["lecture_fit_seconds"] / medians["ours_warm_seconds"]
    ratio_reused = None
    if all(r["ours_reused"] for r in rows):
        medians["ours_reused_seconds"] = statistics.median(r["ours_reused"]["seconds"] for r in rows)
        ratio_reused = medians["lecture_fit_seconds"] / medians["ours_reused_seconds"]
    verdict = "PASS" if ratio_cold >= TARGET_RATIO else "FAIL"
    first = rows[0]["ours_cold"]
    steps_ours = -(-first["train_rows"] // first["batch_size"])
    steps_lecture = -(-120 // 5)  # 150 rows, 20 % test, batch 5, no validation split
    print(
        f"\nmedian lecture fit:  {medians['lecture_fit_seconds']:.3f} s  ({steps_lecture} batches/epoch, no validation)"
    )
    print(
        f"median ours, cold:   {medians['ours_cold_seconds']:.3f} s  "
        f"({steps_ours} batches/epoch + validation on {first['validation_rows']} rows; "
        f"in training chunks {medians['ours_cold_chunk_seconds']:.3f} s; "
        f"setup before it {medians['ours_cold_setup_seconds']:.3f} s)"
    )
    print(
        f"median ours, warm:   {medians['ours_warm_seconds']:.3f} s  "
        f"(in training chunks {medians['ours_warm_chunk_seconds']:.3f} s)"
    )
    if ratio_reused:
        print(f"median ours, warm with the previous run's engine: {medians['ours_reused_seconds']:.3f} s")
    print(f"ratio lecture fit / ours, cold: {ratio_cold:.1f}×  (target ≥ {TARGET_RATIO:g}×) {verdict}")
    print(f"ratio lecture fit / ours, warm: {ratio_warm:.1f}×")
    if ratio_reused:
        print(f"ratio lecture fit / ours, warm, engine reused: {ratio_reused:.1f}×")
    print(f"(per batch step, cold: {ratio_cold * steps_ours / steps_lecture:.1f}×, as ours has fewer training rows)")
    with_setup = medians["ours_cold_seconds"] + medians["ours_cold_setup_seconds"]
    print(f"(cold, counting our setup too: {medians['lecture_fit_seconds'] / with_setup:.1f}×)")

    figures = {
        "preset": PRESET,
        "repeats": repeats,
        "runs": rows,
        "medians": medians,
        "ratio_cold": ratio_cold,
        "ratio_warm": ratio_warm,
        "ratio_warm_engine_reused": ratio_reused,
        "batches_per_epoch": {"lecture": steps_lecture, "ours": steps_ours},
        "target_ratio": TARGET_RATIO,
        "verdict": verdict,
    }
    write_results(RESULTS, figures)


if __name__ == "__main__":
    if sys.argv[1:] == [CHILD]:
        train_twice()  # the subprocess's side: a failure exits non-zero, and the parent reports its stderr
    else:
        run_benchmark(main)
