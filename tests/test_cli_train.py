"""Tests of ``python -m designer train FILE``, run as a subprocess as a learner would run it."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from cli_support import preset_path, run_cli

ROOT = Path(__file__).resolve().parent.parent
EXIT_INVALID = 2
TWO_HEAD_METRICS = {"loss", "species_loss", "petal_width_loss", "species_accuracy", "petal_width_mae"}
TWO_HEAD_HISTORY = TWO_HEAD_METRICS | {f"val_{name}" for name in TWO_HEAD_METRICS}


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """The two-output preset trained twice from the command line, 20 epochs, seed 3."""
    folder = tmp_path_factory.mktemp("train")
    runs = []
    for attempt in (1, 2):
        out = folder / f"result_{attempt}.json"
        done = run_cli("train", preset_path("lecture_two_outputs"), "--epochs", "20", "--seed", "3", "--out", str(out))
        runs.append((done, out))
    return runs


def test_train_exits_zero_and_prints_every_test_metric(two_runs):
    done, _ = two_runs[0]
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "Trained 20 epochs" in done.stdout
    printed = {line.split()[0] for line in done.stdout.splitlines()[1:] if line.strip()}
    assert printed == TWO_HEAD_METRICS, done.stdout


def test_the_result_file_holds_the_history_and_the_test_metrics_with_keras_names(two_runs):
    done, out = two_runs[0]
    result = json.loads(out.read_text(encoding="utf-8"))
    assert set(result) == {"history", "test"}
    assert set(result["history"]) == TWO_HEAD_HISTORY
    for name, values in result["history"].items():
        assert len(values) == 20, name
        assert all(isinstance(v, float) and math.isfinite(v) for v in values), name
    assert set(result["test"]) == TWO_HEAD_METRICS
    assert 0 <= result["test"]["species_accuracy"] <= 1
    # The printed metrics are the file's, to four decimals.
    for line in done.stdout.splitlines()[1:]:
        name, value = line.split()
        assert float(value) == pytest.approx(result["test"][name], abs=5e-5)


def test_the_seed_option_is_used(two_runs, tmp_path):
    _, out = two_runs[0]
    other = tmp_path / "seed4.json"
    done = run_cli("train", preset_path("lecture_two_outputs"), "--epochs", "3", "--seed", "4", "--out", str(other))
    assert done.returncode == 0, done.stderr
    seed3 = json.loads(out.read_text(encoding="utf-8"))["history"]["loss"][:3]
    assert json.loads(other.read_text(encoding="utf-8"))["history"]["loss"] != seed3


def test_training_twice_gives_identical_json(two_runs):
    (first, first_out), (second, second_out) = two_runs
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert first_out.read_bytes() == second_out.read_bytes()
    assert json.loads(first_out.read_text(encoding="utf-8")) == json.loads(second_out.read_text(encoding="utf-8"))


def test_an_unreadable_design_file_exits_2_without_a_traceback(tmp_path):
    design = tmp_path / "broken.json"
    design.write_text('{"version": 1, "heads": [', encoding="utf-8")
    done = run_cli("train", str(design), "--out", str(tmp_path / "never.json"))
    assert done.returncode == EXIT_INVALID
    assert "Traceback" not in done.stderr + done.stdout
    assert "broken.json" in done.stderr
    assert not (tmp_path / "never.json").exists()


def test_an_invalid_design_exits_2_naming_the_field_without_a_traceback(tmp_path):
    design = json.loads(Path(preset_path("lecture_sequential")).read_text(encoding="utf-8"))
    design["layers"][1]["units"] = 0
    path = tmp_path / "invalid.json"
    path.write_text(json.dumps(design), encoding="utf-8")
    done = run_cli("train", str(path))
    assert done.returncode == EXIT_INVALID
    assert "Traceback" not in done.stderr + done.stdout
    assert "layers[1].units" in done.stderr


def test_a_batch_larger_than_the_training_rows_exits_2_naming_batch_size(tmp_path):
    design = json.loads(Path(preset_path("lecture_two_outputs")).read_text(encoding="utf-8"))
    design["training"] = {"batch_size": 500}  # valid on its own (at most 1000), but there are 96 training rows
    path = tmp_path / "big_batch.json"
    path.write_text(json.dumps(design), encoding="utf-8")
    done = run_cli("train", str(path), "--epochs", "2")
    assert done.returncode == EXIT_INVALID
    assert "Traceback" not in done.stderr + done.stdout
    assert "training.batch_size" in done.stderr


def test_impossible_split_settings_exit_2_naming_test_size(tmp_path):
    design = json.loads(Path(preset_path("lecture_sequential")).read_text(encoding="utf-8"))
    design["training"] = {"test_size": 0.99}
    path = tmp_path / "tiny_train.json"
    path.write_text(json.dumps(design), encoding="utf-8")
    done = run_cli("train", str(path), "--epochs", "2")
    assert done.returncode == EXIT_INVALID
    assert "Traceback" not in done.stderr + done.stdout
    assert "training.test_size" in done.stderr
