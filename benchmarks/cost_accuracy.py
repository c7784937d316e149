"""Cost accuracy: the estimate of a run's training time (``designer/cost.py``) against the time it takes in a worker.

What: each run's budget of training time is enforced twice, before it is
queued by the estimate and while it trains by the worker's clock; a run the
estimate lets through should not be cut short, and one it refuses should
really be too long. The target is an estimate within 2× of the measured time
either way.

How: one worker of the app's own pool (spawned, niced, one TensorFlow
thread, warmed up on the lecture network as in the app), and the runs one at
a time: every preset with its own settings, then a few large designs (wide,
deep, batch size 1, a large batch, the 1,797 rows of digits). Each run's
training time is the worker's own measure (``Job.seconds``: its chunks,
tracing included); the first report gives the first chunk, and the pace of
the epochs after it tells tracing from training. A network the worker has
trained before (the lecture's, from the warm-up) is not traced again, and its
estimate is compared without tracing. The worker's CPU time over each run
(``/proc``) tells how much of the machine it had: a CPU/wall ratio below 1
means other processes were taking turns with it.

    python benchmarks/cost_accuracy.py [--quick]

``--quick`` runs fewer and shorter large designs. Prints a table (estimate,
measured, ratio) and writes ``benchmarks/results/cost_accuracy.json``.
Always exits 0: it is a measurement.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import time
from pathlib import Path

from report import run_benchmark, write_results

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "cost_accuracy.json"
TIMEOUT = 600  # s, per run
TARGET_RATIO = 2.0


def wide(name: str, units: int, layers: int, batch: int, epochs: int, dataset: str | None = None) -> tuple[str, dict]:
    """A design of ``layers`` hidden layers of ``units`` units, on Iris or a built-in dataset's preset."""
    from designer import presets

    design = presets.default_design() if dataset is None else _preset(dataset)
    design["layers"] = [{"name": f"wide_{i}", "units": units} for i in range(layers)]
    design.setdefault("training", {}).update(batch_size=batch, epochs=epochs)
    return name, design


def _preset(key: str) -> dict:
    from designer import presets

    return next(p for p in presets.presets() if p.key == key).load()


def cases(quick: bool) -> list[tuple[str, dict]]:
    """The presets as they are, then large designs the estimate must also be right about."""
    from designer import presets

    found = [(f"preset {p.key}", p.load()) for p in presets.presets()]
    scale = 1 if quick else 2
    found += [
        wide("32 layers of 8, batch 5", 8, 32, 5, 20 * scale),
        wide("4 × 256, batch 5", 256, 4, 5, 20 * scale),
        wide("4 × 512, batch 48", 512, 4, 48, 30 * scale),
        wide("2 × 1,024, batch 1", 1024, 2, 1, 2 * scale),
        wide("8 × 1,024, batch 32", 1024, 8, 32, 3 * scale),
        wide("12 × 1,024, batch 96", 1024, 12, 96, 2 * scale),
        wide("digits, 2 × 256, batch 1", 256, 2, 1, 1 * scale, dataset="digits"),
        wide("digits, 2 × 512, batch 64", 512, 2, 64, 5 * scale, dataset="digits"),
    ]
    return found


def cpu_seconds(pid: int) -> float:
    """A process's user and system CPU time so far, from ``/proc``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(pool, name: str, design: dict, traced: bool) -> dict:
    """Train ``design`` in the pool's worker; its measured times beside the estimate's."""
    from designer import cost, spec

    estimate = cost.estimate(design)
    cpu_before, wall_before = {pid: cpu_seconds(pid) for pid in pool.pids()}, time.monotonic()
    job = pool.submit(design)
    if not job.wait_done(TIMEOUT):
        job.stop()
        raise RuntimeError(f"{name}: still training after {TIMEOUT} s")
    cpu = cpu_seconds(job.worker) - cpu_before[job.worker]
    wall = time.monotonic() - wall_before
    if job.state != "finished" and job.state != "stopped early":
        raise RuntimeError(f"{name}: {job.state}: {job.message}")
    first_epochs, first_seconds = job.first_chunk
    later = job.epochs_done - first_epochs
    pace = (job.seconds - first_seconds) / later if later else None
    expected = estimate.tracing_seconds if traced else 0.0
    expected += job.epochs_done * estimate.seconds_per_epoch  # the epochs it trained (early stopping may end it)
    return {
        "name": name,
        "parameters": estimate.parameters,
        "epochs": job.epochs_done,
        "batch_size": spec.training_settings(design)["batch_size"],
        "traced": traced,
        "estimate_seconds": expected,
        "measured_seconds": job.seconds,
        "ratio": expected / job.seconds,
        "estimate_epoch_seconds": estimate.seconds_per_epoch,
        "measured_epoch_seconds": pace,
        "epoch_ratio": estimate.seconds_per_epoch / pace if pace else None,
        "estimate_tracing_seconds": estimate.tracing_seconds if traced else 0.0,
        "measured_first_chunk": [first_epochs, first_seconds],
        "measured_tracing_seconds": first_seconds - first_epochs * pace if pace else None,
        "worker_cpu_over_wall": cpu / wall if wall else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs of the large designs")
    args = parser.parse_args()

    from designer import presets, workers
    from designer.training import architecture_key

    load_before = os.getloadavg()
    # One worker that lives through every run (no retirement), with no budget to stop a run.
    settings = workers.Settings(workers=1, max_runs=1000, memory_mb=100_000, run_seconds=math.inf)
    pool = workers.Pool(settings)
    try:
        if not pool.wait_ready(300):
            raise RuntimeError("the worker did not start")
        # The networks the worker keeps traced: its last two (designer.workers._EngineCache), the warm-up's first.
        seen = [architecture_key(presets.default_design())]
        rows = []
        header = f"{'run':<34} {'params':>10} {'epochs':>6} {'estimate s':>10} {'measured s':>10} {'ratio':>6}"
        print(header + f" {'epoch ratio':>11} {'trace est/meas':>15} {'cpu/wall':>8}")
        for name, design in cases(args.quick):
            key = architecture_key(design)
            row = measure(pool, name, design, traced=key not in seen)
            seen = [*(k for k in seen if k != key), key][-workers._EngineCache.SIZE :]
            rows.append(row)
            epoch_ratio = f"{row['epoch_ratio']:.2f}" if row["epoch_ratio"] else "-"
            tracing = row["measured_tracing_seconds"]
            tracing = f"{row['estimate_tracing_seconds']:.2f}/{tracing:.2f}" if tracing is not None else "-"
            print(
                f"{name:<34} {row['parameters']:>10,} {row['epochs']:>6} {row['estimate_seconds']:>10.2f} "
                f"{row['measured_seconds']:>10.2f} {row['ratio']:>6.2f} {epoch_ratio:>11} {tracing:>15} "
                f"{row['worker_cpu_over_wall']:>8.2f}",
                flush=True,
            )
    finally:
        pool.shutdown()
    load_after = os.getloadavg()
    ratios = [row["ratio"] for row in rows]
    within = sum(1 / TARGET_RATIO <= ratio <= TARGET_RATIO for ratio in ratios)
    print(
        f"\n{within} of {len(rows)} within {TARGET_RATIO:g}× either way; ratios from {min(ratios):.2f} to "
        f"{max(ratios):.2f}, median {statistics.median(ratios):.2f} (estimate / measured)"
    )
    print(f"load average (1, 5, 15 min): before {load_before}, after {load_after}; {os.cpu_count()} CPUs")
    write_results(
        RESULTS,
        {
            "rows": rows,
            "within_target": within,
            "runs": len(rows),
            "target_ratio": TARGET_RATIO,
            "median_ratio": statistics.median(ratios),
            "load_average_before": load_before,
            "load_average_after": load_after,
            "quick": args.quick,
        },
    )


if __name__ == "__main__":
    run_benchmark(main)
