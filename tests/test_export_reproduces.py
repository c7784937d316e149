"""The exported scripts, run as programs, print the test metrics the app prints.

Every preset is exported in every style that can express it, written to a
folder of its own and run as ``python iris_<style>.py``; ``python -m designer
train`` trains the same design file
(the app's trainer, in its own process). Same seed: the two must print the
same test metrics, line for line, to the fourth decimal. Three variants add
early stopping: one that stops, one without validation rows (monitoring the
training loss), and one that runs to its last epoch and keeps its best one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from designer import exercises, export, presets
from designer.runs import heads_of, metric_names

pytestmark = pytest.mark.keras

from cli_support import run_cli  # noqa: E402

# An exercise's network is one of the other presets' (its script ignores the exercise).
PRESETS = {p.key: p.load() for p in presets.presets() if exercises.FIELD not in p.load()}
VARIANTS = {  # case -> (preset, styles, training settings changed)
    "regularised-early_stopping": ("regularised", ("subclassing",), {"early_stopping_patience": 2}),
    "lecture_two_outputs-no_validation": (
        "lecture_two_outputs",
        ("functional",),
        {"validation_split": 0, "early_stopping_patience": 2},
    ),
    "lecture_sequential-best_restored_at_the_end": (
        "lecture_sequential",
        ("sequential",),
        {"early_stopping_patience": 50, "epochs": 60},
    ),
}
TOLERANCE = 1e-4


def styles_of(design: dict) -> tuple[str, ...]:
    sequential = () if export.sequential_problem(design) else ("sequential",)
    return (*sequential, "functional", "subclassing")


def case_designs() -> dict[str, tuple[dict, tuple[str, ...]]]:
    cases = {key: (design, styles_of(design)) for key, design in PRESETS.items()}
    for case, (key, styles, settings) in VARIANTS.items():
        design = PRESETS[key]
        cases[case] = ({**design, "training": {**design.get("training", {}), **settings}}, styles)
    return cases


CASES = case_designs()
SCRIPTS = [(case, style) for case, (_, styles) in CASES.items() for style in styles]


def printed_metrics(output: str) -> list[tuple[str, float]]:
    """The ``  name  value`` lines under "Test metrics (N rows):", in their order."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if "Test metrics (" in line)
    metrics = []
    for line in lines[start + 1 :]:
        name, _, value = line.strip().partition("  ")
        if not line.startswith("  ") or not value:
            break
        metrics.append((name, float(value)))
    return metrics


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[tuple[str, str], subprocess.CompletedProcess]:
    """Each case's scripts run as programs, and ``train`` on its design file (key: (case, "cli"))."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    env.pop("PYTHONPATH", None)  # the scripts need nothing of the designer

    def run_script(case: str, style: str) -> subprocess.CompletedProcess:
        folder = tmp_path_factory.mktemp(f"{case}-{style}")
        script = folder / export.file_name(style)
        script.write_text(export.export(CASES[case][0], style), encoding="utf-8")
        command = [sys.executable, script.name]
        return subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=600)

    def train(case: str) -> subprocess.CompletedProcess:
        path = tmp_path_factory.mktemp(f"{case}-design") / "design.json"
        path.write_text(json.dumps(CASES[case][0]), encoding="utf-8")
        return run_cli("train", str(path), timeout=600)

    jobs = {(case, "cli"): (train, case) for case in CASES}
    jobs.update({(case, style): (run_script, case, style) for case, style in SCRIPTS})
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {key: pool.submit(job, *arguments) for key, (job, *arguments) in jobs.items()}
        return {key: future.result() for key, future in futures.items()}


def succeeded(done: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    return done


@pytest.mark.parametrize(("case", "style"), SCRIPTS, ids=[f"{case}-{style}" for case, style in SCRIPTS])
def test_script_prints_the_apps_test_metrics(runs, case, style):
    design = CASES[case][0]
    app = printed_metrics(succeeded(runs[case, "cli"]).stdout)
    script = printed_metrics(succeeded(runs[case, style]).stdout)
    assert sorted(name for name, _ in app) == sorted(metric_names(heads_of(design)))
    assert [name for name, _ in script] == [name for name, _ in app]  # the same lines, side by side
    for (name, ours), (_, theirs) in zip(app, script, strict=True):
        assert abs(ours - theirs) <= TOLERANCE, f"{name}: the app printed {ours}, the script {theirs}"


@pytest.mark.parametrize(("case", "style"), SCRIPTS, ids=[f"{case}-{style}" for case, style in SCRIPTS])
def test_script_trains_as_many_epochs_as_the_app(runs, case, style):
    app = succeeded(runs[case, "cli"]).stdout
    script = succeeded(runs[case, style]).stdout
    app_epochs = app.split("Trained ", 1)[1].split(" epochs", 1)[0]
    assert f"Trained {app_epochs} epochs." in script


def test_the_variants_do_what_they_are_named_for(runs):
    stops = succeeded(runs["regularised-early_stopping", "cli"]).stderr
    assert "Early stopping after epoch" in stops and "val_loss" in stops
    without_validation = succeeded(runs["lecture_two_outputs-no_validation", "cli"]).stderr
    assert "Early stopping after epoch" in without_validation and "loss had not improved" in without_validation
    to_the_end = succeeded(runs["lecture_sequential-best_restored_at_the_end", "cli"]).stderr
    assert "Trained all 60 epochs" in to_the_end and "were restored at the end" in to_the_end


def test_every_preset_and_style_is_run():
    assert set(PRESETS) <= set(CASES)
    assert {style for _, style in SCRIPTS} == set(export.STYLES)
    assert all({"functional", "subclassing"} <= set(CASES[key][1]) for key in PRESETS)
