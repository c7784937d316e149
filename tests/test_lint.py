"""The code is formatted and linted with ruff, as CI would check it."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args], capture_output=True, text=True, cwd=ROOT)


def test_ruff_check():
    done = run_ruff("check", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format():
    done = run_ruff("format", "--check", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_core_never_imports_streamlit():
    offenders = [
        path.name for path in (ROOT / "designer").glob("*.py") if "import streamlit" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
