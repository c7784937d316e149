"""Tests of the command line, ``python -m designer summary FILE``, run as a subprocess."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import preset_path, run_cli

from designer import presets
from designer.network import resolve
from designer.params import summarize

ROOT = Path(__file__).resolve().parent.parent
PRESETS = {p.key: p for p in presets.presets()}
EXIT_INVALID = 2
RULE = "─"


def table_rows(stdout: str) -> list[str]:
    """The lines between the two rules of the table."""
    lines = stdout.splitlines()
    rules = [i for i, line in enumerate(lines) if line and set(line) == {RULE}]
    assert len(rules) == 2, stdout
    return lines[rules[0] + 1 : rules[1]]


def count(line: str, prefix: str) -> int:
    assert line.startswith(prefix), line
    match = re.match(re.escape(prefix) + r"([\d,]+) \(", line)
    assert match, line
    return int(match.group(1).replace(",", ""))


@pytest.fixture(scope="module", params=list(PRESETS))
def preset_run(request):
    key = request.param
    return PRESETS[key].load(), run_cli("summary", preset_path(key))


def test_summary_exits_0_without_noise(preset_run):
    _, result = preset_run
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "Traceback" not in result.stdout


def test_summary_has_one_row_per_used_node(preset_run):
    design, result = preset_run
    rows = table_rows(result.stdout)
    names = [row.split(" (", 1)[0] for row in rows]
    assert names == [node.name for node in resolve(design).used_nodes]


def test_summary_rows_show_the_counts(preset_run):
    design, result = preset_run
    rows = table_rows(result.stdout)
    summary = summarize(design)
    for row, counted in zip(rows, summary.rows, strict=True):
        assert counted.output_shape in row
        params = re.search(r"\)\s+(\([^)]*\))\s+([\d,]+)", row)
        assert params, row
        assert params.group(1) == counted.output_shape
        assert int(params.group(2).replace(",", "")) == counted.total


def test_summary_ends_with_keras_totals(preset_run):
    design, result = preset_run
    last = result.stdout.splitlines()[-3:]
    summary = summarize(design)
    assert count(last[0], "Total params: ") == summary.total
    assert count(last[1], "Trainable params: ") == summary.trainable
    assert count(last[2], "Non-trainable params: ") == summary.non_trainable
    assert last == summary.totals_lines()


def test_lecture_network_has_273_parameters():
    result = run_cli("summary", preset_path("lecture_sequential"))
    assert result.stdout.splitlines()[-3].startswith("Total params: 273 ")


def test_warnings_go_to_stderr_and_exit_0(tmp_path):
    design = PRESETS["lecture_sequential"].load()
    design["heads"][0]["from"] = "hidden_2"  # hidden_3 reaches no head
    path = tmp_path / "unused.json"
    path.write_text(json.dumps(design), encoding="utf-8")
    result = run_cli("summary", str(path))
    assert result.returncode == 0
    assert "warning" in result.stderr and "hidden_3" in result.stderr
    names = [row.split(" (", 1)[0] for row in table_rows(result.stdout)]
    assert "hidden_3" not in names
    assert "Traceback" not in result.stdout + result.stderr


# ---------------------------------------------------------------------------
# Bad files: exit 2, a message on stderr, never a traceback
# ---------------------------------------------------------------------------


def _invalid_units() -> str:
    design = PRESETS["lecture_sequential"].load()
    design["layers"][0]["units"] = 0
    return json.dumps(design)


BAD_FILES = {
    "units_0": (_invalid_units(), ["layers[0].units", "got 0"]),
    "not_json": ("{this is not json", ["not a valid design file"]),
    "json_array": ("[1, 2, 3]", ["must be a JSON object", "list"]),
    "json_string": ('"design"', ["must be a JSON object"]),
    "empty": ("", ["not a valid design file"]),
    "no_heads": ('{"version": 1}', ["heads"]),
    "version_2": ('{"version": 2, "heads": [{"name": "s", "target": "species"}]}', ["version", "Received: version=2"]),
}


def assert_rejected(result: subprocess.CompletedProcess, expected: list[str]) -> None:
    assert result.returncode == EXIT_INVALID, (result.returncode, result.stderr)
    assert "Traceback" not in result.stdout
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    for text in expected:
        assert text in result.stderr, result.stderr


@pytest.mark.parametrize(("text", "expected"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_file_exits_2_with_a_message(tmp_path, text, expected):
    path = tmp_path / "design.json"
    path.write_text(text, encoding="utf-8")
    result = run_cli("summary", str(path))
    assert_rejected(result, [str(path), *expected])


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere.json"
    result = run_cli("summary", str(path))
    assert_rejected(result, [str(path), "cannot read"])


def test_directory(tmp_path):
    result = run_cli("summary", str(tmp_path))
    assert_rejected(result, [str(tmp_path), "cannot read"])


def test_not_utf8(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"version": 1, "name": "\xe9"}')
    result = run_cli("summary", str(path))
    assert_rejected(result, [str(path), "UTF-8"])


def test_every_error_is_listed(tmp_path):
    design = PRESETS["lecture_sequential"].load()
    design["layers"][0]["units"] = 0
    design["training"] = {"epochs": 0}
    path = tmp_path / "two_errors.json"
    path.write_text(json.dumps(design), encoding="utf-8")
    result = run_cli("summary", str(path))
    assert_rejected(result, ["layers[0].units", "training.epochs"])


def test_usage_error_without_traceback():
    result = run_cli()
    assert result.returncode == 2
    assert "usage" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


CRASH_FILES = {
    # An integer literal too large for a float: validation's math.isfinite raises OverflowError.
    "huge_integer": (
        '{"version": 1, "heads": [{"name": "s", "target": "species", "loss_weight": 1' + "0" * 400 + "}]}"
    ),
    # A column that is a list: validation builds a set of the input columns and raises TypeError.
    "list_column": '{"version": 1, "inputs": [["sepal_length"]], "heads": [{"name": "s", "target": "species"}]}',
    # Deep nesting: json.loads raises RecursionError, which read_design does not catch.
    "deep_nesting": "[" * 100_000 + "]" * 100_000,
}


@pytest.mark.parametrize("text", CRASH_FILES.values(), ids=CRASH_FILES.keys())
def test_hostile_file_exits_2_without_traceback(tmp_path, text):
    path = tmp_path / "hostile.json"
    path.write_text(text, encoding="utf-8")
    assert_rejected(run_cli("summary", str(path)), [str(path)])


# ---------------------------------------------------------------------------
# The summary never imports TensorFlow or Keras
# ---------------------------------------------------------------------------

NO_KERAS_SNIPPETS = {
    "cli_main": (
        "import sys\n"
        "from designer import cli\n"
        "status = cli.main(['summary', sys.argv[1]])\n"
        "print('STATUS', status)\n"
        "print('HEAVY', 'tensorflow' in sys.modules or 'keras' in sys.modules)\n"
    ),
    "run_module": (
        "import runpy, sys\n"
        "path = sys.argv[1]\n"
        "sys.argv = ['designer', 'summary', path]\n"
        "try:\n"
        "    runpy.run_module('designer', run_name='__main__')\n"
        "except SystemExit as done:\n"
        "    print('STATUS', done.code)\n"
        "print('HEAVY', 'tensorflow' in sys.modules or 'keras' in sys.modules)\n"
    ),
}


@pytest.mark.parametrize("snippet", NO_KERAS_SNIPPETS.values(), ids=NO_KERAS_SNIPPETS.keys())
def test_summary_does_not_import_tensorflow(snippet):
    result = subprocess.run(
        [sys.executable, "-c", snippet, preset_path("two_input_branches")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "STATUS 0" in lines
    assert lines[-1] == "HEAVY False"
    assert "Total params: " in result.stdout
