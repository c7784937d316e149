"""The Design page stays light: it imports no TensorFlow, Keras or scikit-learn, and
nothing of Plotly or pandas beyond what Streamlit itself loads for a one-line app.

This is measured at run time, in a fresh process; what each module of designer/ imports
is read from its source by tests/test_lint.py."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEVER = {"tensorflow", "keras", "sklearn"}
WATCHED = NEVER | {"plotly", "pandas", "pyarrow"}

LOADED_AFTER_RENDER = """
import json, sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({script!r}, default_timeout=60)
at.run()
assert not at.exception, at.exception
assert any({expected!r} in m.value for m in at.markdown)
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {watched!r})))
"""


def modules_after_rendering(script: Path, expected: str) -> set[str]:
    code = LOADED_AFTER_RENDER.format(script=str(script), expected=expected, watched=WATCHED)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=180)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_design_page_imports_nothing_heavy(tmp_path):
    one_line = tmp_path / "hello.py"
    one_line.write_text('import streamlit as st\nst.markdown("Hello")\n')
    baseline = modules_after_rendering(one_line, "Hello")
    ours = modules_after_rendering(ROOT / "streamlit_app.py", "Total params: 273")
    assert {m.split(".")[0] for m in ours} & NEVER == set()
    assert ours - baseline == set()


def test_the_probe_sees_a_heavy_import(tmp_path):
    """The same probe notices Keras when a page does import it."""
    heavy = tmp_path / "heavy.py"
    heavy.write_text('import keras\nimport streamlit as st\nst.markdown("Heavy")\n')
    assert "keras" in modules_after_rendering(heavy, "Heavy")


TRAINED_AND_MAPPED = """
import json, sys
sys.path.insert(0, "tests")
from apptest_support import TRAIN_PAGE, labelled, open_session, press_train, set_epochs
from designer import workers
at = open_session(TRAIN_PAGE, timeout=180)
set_epochs(at, 3)
press_train(at)  # the run ends with its maps, drawn in a worker
labelled(at.selectbox, "Up (y)").set_value("sepal_width").run()  # a new plane: a map job, in a worker
assert not at.exception, at.exception
assert any(c.value.startswith("Each point of the plane") for c in at.caption)
workers.shared_pool().shutdown()
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & {"tensorflow", "keras"})))
"""


def test_the_server_draws_the_maps_without_tensorflow():
    """Training, the maps of its end and of a new plane: all in the workers; the server never imports TensorFlow."""
    done = subprocess.run(
        [sys.executable, "-c", TRAINED_AND_MAPPED], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
