"""Running ``python -m designer`` from the tests (not a test module)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from designer import presets

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    """``python -m designer ARGS`` in a subprocess, from the project's folder, with its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "designer", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
    )


def preset_path(key: str) -> str:
    """The file of a preset design."""
    return str(presets.PRESET_DIR / f"{key}.json")
