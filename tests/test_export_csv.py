"""A CSV design's exported script reads the file beside it as the designer does, and trains to the same
test metrics as ``python -m designer train DESIGN --data FILE.csv``; its code passes the same linters."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from cli_support import run_cli
from test_dataset_pages import csv_design, school_csv

from designer import export

pytestmark = pytest.mark.keras


def metrics(output: str) -> dict[str, float]:
    lines = output.split("Test metrics (", 1)[1].splitlines()[1:]
    return {name: float(value) for name, value in (line.split() for line in lines if line.startswith("  "))}


def ragged(data: bytes) -> bytes:
    """The file with a separator ending every third row (not the first), as some exports leave it."""
    lines = data.decode().splitlines()
    return ("\n".join(line + (";" if i % 3 == 2 else "") for i, line in enumerate(lines)) + "\n").encode()


@pytest.mark.parametrize(
    ("style", "file"),
    [("sequential", school_csv), ("functional", school_csv), ("subclassing", school_csv),
     ("functional", lambda: ragged(school_csv()))],
    ids=["sequential", "functional", "subclassing", "functional, some rows ending in a separator"],
)  # fmt: skip
def test_the_script_of_a_csv_design_reads_its_file_and_matches_the_app(tmp_path, style, file):
    design = {**csv_design(), "training": {"epochs": 5, "batch_size": 8}}
    (tmp_path / "school.csv").write_bytes(file())
    (tmp_path / "design.json").write_text(json.dumps(design), encoding="utf-8")
    script = tmp_path / export.file_name(style, design)
    script.write_text(export.export(design, style), encoding="utf-8")
    linted = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", "--select", "E,F,W,I,B,UP,SIM",
         "--line-length", "88", str(script)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert linted.returncode == 0, linted.stdout
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    ran = subprocess.run([sys.executable, script.name], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr[-2000:]
    app = run_cli("train", str(tmp_path / "design.json"), "--data", str(tmp_path / "school.csv"))
    assert app.returncode == 0, app.stderr
    ours, theirs = metrics(app.stdout), metrics(ran.stdout)
    assert ours.keys() == theirs.keys() == {"accuracy", "loss"}
    for name, value in ours.items():
        assert abs(value - theirs[name]) <= 1e-4, (name, value, theirs[name])
