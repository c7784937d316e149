"""What a learner takes home works outside the app: the saved model takes measurements in cm.

The model file is written by ``python -m designer train DESIGN.json --save-model``
(the same file the Train page downloads), then loaded in a fresh process with
Keras alone, safe mode on, and given Iris rows as measured, in cm. The reference
is the app's own figures for the same training: its printed test metrics.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from cli_support import preset_path, run_cli

from designer import presets, spec
from designer.data import prepare

pytestmark = pytest.mark.keras

# Runs in a fresh process: Keras, NumPy and scikit-learn's copy of Iris, nothing of the designer.
ALONE = """
import json, sys
import keras, numpy as np
from sklearn.datasets import load_iris
path, rows = sys.argv[1], json.loads(sys.argv[2])
assert not any(name.startswith("designer") for name in sys.modules)
model = keras.saving.load_model(path, safe_mode=True)
cm, species = load_iris(return_X_y=True)
inputs = [layer.name for layer in model.inputs]
columns = {"sepal_length": 0, "sepal_width": 1, "petal_length": 2, "petal_width": 3}
given = {name: cm[:, [columns[c] for c in cols]].astype("float32") for name, cols in json.loads(sys.argv[3]).items()}
out = model.predict(given if len(given) > 1 else next(iter(given.values())), verbose=0)
out = out if isinstance(out, dict) else {"species": out}
report = {"accuracy_all_rows": float(np.mean(out["species"].argmax(axis=1) == species))}
if "petal_width" in out:
    report["petal_width_mae_test_rows"] = float(np.mean(np.abs(out["petal_width"][rows, 0] - cm[rows, 3])))
print(json.dumps(report))
"""


def printed_metrics(output: str) -> dict[str, float]:
    """The test metrics ``python -m designer train`` prints, one ``name  value`` line each."""
    return {name: float(value) for name, value in re.findall(r"^\s+(\w+)\s+(-?\d+\.\d+)$", output, re.MULTILINE)}


def train_and_load_alone(tmp_path, key: str) -> tuple[dict, dict]:
    preset = next(p for p in presets.presets() if p.key == key)
    design = preset.load()
    model = tmp_path / f"{key}.keras"
    result = run_cli("train", preset_path(key), "--save-model", str(model))
    assert result.returncode == 0, result.stderr
    inputs = spec.input_groups(design)
    rows = [int(row) for row in prepare(design).test.rows]
    done = subprocess.run(
        [sys.executable, "-c", ALONE, str(model), json.dumps(rows), json.dumps(inputs)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return printed_metrics(result.stdout), json.loads(done.stdout.strip().splitlines()[-1])


def test_the_saved_lecture_model_classifies_flowers_given_in_cm(tmp_path):
    app, alone = train_and_load_alone(tmp_path, "lecture_sequential")
    # All 150 flowers, in cm: at least the app's test accuracy, less 0.05.
    assert alone["accuracy_all_rows"] >= app["accuracy"] - 0.05, (alone, app)


def test_the_saved_two_output_model_gives_petal_width_in_cm_as_the_app_does(tmp_path):
    app, alone = train_and_load_alone(tmp_path, "lecture_two_outputs")
    assert alone["petal_width_mae_test_rows"] == pytest.approx(app["petal_width_mae"], abs=1e-4)
    assert alone["accuracy_all_rows"] >= app["species_accuracy"] - 0.05
