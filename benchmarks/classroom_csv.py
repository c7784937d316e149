"""Classroom on CSV files: N learners train designs on uploaded files at once; what a file costs the server.

The same classroom as ``classroom.py`` (its sessions, its clock, its figures),
on the current app only, three times over, each in a subprocess of its own:

- ``iris``: learner ``i`` trains the default design, ``first_units(i)`` wide,
  seed ``i``, on the built-in Iris table: the reference;
- ``iris_csv``: the same networks on the same 150 rows, uploaded as a CSV file
  (one file, as an instructor hands out): the session holds its bytes, each run
  parses them, prepares the rows without the built-ins' cache, and carries the
  table to its worker. The difference from ``iris`` is what a file costs;
- ``big_csv``: each learner's own file at the reader's limits in rows:
  10,000 rows of 8 measurements, a 3-value category input and a 3-class target,
  0.57 MB, different for every learner (so no cache is shared), batches
  of 32. Its runs train 53 times as many rows; the figure to read is the
  server's memory.

    python benchmarks/classroom_csv.py [--learners 10] [--runs 2] [--epochs 10]

Writes ``benchmarks/results/classroom_csv.json``. Always exits 0: it is a measurement.
"""

from __future__ import annotations

import io
import random
import time

from classroom import (
    ROOT,
    classroom,
    classroom_parser,
    design_of,
    driver_arguments,
    emit,
    first_units,
    run_driver,
    table,
)
from report import run_benchmark, write_results

RESULTS = ROOT / "benchmarks" / "results"
VARIANTS = ("iris", "iris_csv", "big_csv")
BIG_ROWS = 10_000
BIG_BATCH = 32
CSV_KEY = "csv_file"  # ui.data_source.CSV: the session's uploaded file


def iris_csv() -> bytes:
    """Iris' 150 rows as a learner would save them: the app's column names, the species by name."""
    from sklearn.datasets import load_iris

    iris = load_iris(as_frame=True)
    frame = iris.frame.rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))
    frame["species"] = [iris.target_names[t] for t in frame.pop("target")]
    return frame.to_csv(index=False).encode()


def big_csv(seed: int) -> bytes:
    """A learner's own 10,000-row file: 8 measurements, a region, and a class that depends on them."""
    chance = random.Random(seed)
    out = io.StringIO()
    out.write(",".join([f"m{k}" for k in range(8)] + ["region", "grade"]) + "\n")
    for _ in range(BIG_ROWS):
        values = [round(chance.gauss(50, 15), 2) for _ in range(8)]
        region = chance.choice(("north", "south", "east"))
        score = values[0] - values[1] + 0.5 * values[2] + (10 if region == "north" else 0) + chance.gauss(0, 5)
        grade = "low" if score < 15 else "mid" if score < 35 else "high"
        out.write(",".join(map(str, values)) + f",{region},{grade}\n")
    return out.getvalue().encode()


def on_file(design: dict, data: bytes, name: str) -> tuple[dict, dict]:
    """``design`` trained on the CSV file ``data`` (its last column the class target, the rest inputs), and the
    session state that holds the file, as the CSV panel leaves them."""
    from designer import csv_table, edits

    frame = csv_table.read(data)
    roles = {column: csv_table.INPUT for column in frame.columns[:-1]} | {frame.columns[-1]: csv_table.CLASS}
    block, inputs, targets = csv_table.columns_for(frame, roles, name)
    new = edits.csv_design(design, block, inputs, targets)
    new["layers"] = design["layers"]  # the learner's own network, as in the other variants
    new["training"] = design["training"]
    return new, {CSV_KEY: {"name": name, "data": data}}


def learner_of(variant: str):
    """The ``classroom.classroom`` callable giving learner ``i``'s design and session state in ``variant``."""
    shared = iris_csv() if variant == "iris_csv" else b""

    def learner(i: int, epochs: int) -> tuple[dict, dict]:
        design = design_of(first_units(i), seed=i, epochs=epochs)
        if variant == "iris":
            return design, {}
        if variant == "iris_csv":
            return on_file(design, shared, "iris.csv")
        design["training"]["batch_size"] = BIG_BATCH
        return on_file(design, big_csv(seed=i), f"learner_{i}.csv")

    return learner


def main() -> None:
    parser = classroom_parser(__doc__.splitlines()[0], runs=2, epochs=10, run_timeout=600.0)
    parser.add_argument("--variant", choices=VARIANTS, help="run only this one (default: all three)")
    args = parser.parse_args()

    if args.driver:
        try:
            figures = classroom(
                "current", args.learners, args.runs, args.epochs, args.run_timeout, args.deadline,
                learner_of(args.variant),
            )  # fmt: skip
            emit({**figures, "variant": args.variant})
        except Exception as error:  # told to the parent, which reports it beside the other variants
            emit({"variant": args.variant, "error": repr(error)})
        return

    started = time.monotonic()
    arguments = driver_arguments(args)
    timeout = args.deadline + args.run_timeout + 600
    variants = (args.variant,) if args.variant else VARIANTS
    results = {
        variant: run_driver("current", "classroom_csv.py", [*arguments, "--variant", variant], timeout)
        for variant in variants
    }
    print(table(results))
    settings = {"learners": args.learners, "runs": args.runs, "epochs": args.epochs, "big_batch_size": BIG_BATCH}
    seconds = round(time.monotonic() - started, 1)
    write_results(RESULTS / "classroom_csv.json", {**settings, **results, "seconds": seconds})


if __name__ == "__main__":
    run_benchmark(main)
