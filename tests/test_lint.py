"""The code is formatted and linted with ruff, as CI would check it."""

import ast
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


def test_sessions_stay_isolated():
    """No call that wipes or seeds Keras for every session, and no model cached across sessions.

    The source is parsed, so text inside strings (an exported script may seed
    its own process) does not count.
    """
    sources = [*ROOT.glob("designer/*.py"), *ROOT.glob("ui/*.py"), *ROOT.glob("pages/*.py"), ROOT / "streamlit_app.py"]
    offenders = [
        f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}"
        for path in sources
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and _shared_state(node)
    ]
    assert offenders == []


def _shared_state(node: ast.Attribute) -> bool:
    """``x.clear_session``, ``x.set_random_seed``, ``x.set_seed``, ``random.seed``, ``st.cache_resource``."""
    if node.attr in {"clear_session", "set_random_seed", "set_seed", "cache_resource"}:
        return True
    owner = node.value
    return node.attr == "seed" and getattr(owner, "attr", getattr(owner, "id", None)) == "random"
