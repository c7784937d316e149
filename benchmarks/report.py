"""What every benchmark does at its end: write its figures as JSON, and never fail the shell.

A benchmark is a measurement, not a test: one that cannot be made says why
on stderr and still exits 0.
"""

from __future__ import annotations

import json
import platform
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def write_results(path: Path, figures: dict) -> None:
    """Write ``figures`` (with the Python version and machine it ran on) as JSON, and say where."""
    figures = {**figures, "python": platform.python_version(), "machine": platform.platform()}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)}")


def run_benchmark(main: Callable[[], None]) -> None:
    """Run a benchmark's ``main``; report a failure instead of raising it; exit 0."""
    try:
        main()
    except Exception as error:  # a measurement that could not be made is reported, not failed
        print(f"benchmark could not run: {error!r}", file=sys.stderr)
    sys.exit(0)
