"""Names are data in the exported scripts: whatever a CSV file's columns, values or name hold, they become string
literals and nothing else.

A hostile name (Markdown, HTML, DOT, Python syntax, line breaks, bidirectional and zero-width characters, format
tokens) is put in one place of a valid CSV design at a time: the file's name, an input column, a category input's
value, a measurement target, a class target's value, a class target's column. The design is exported in every style
that applies, and its script, parsed with ``ast``, is compared node for node with the script of its benign twin (the
same design with the usual names): the two trees must have the same shape, differ only in string constants, and only
where the twin has the name the hostile one replaces, which appears there exactly as written. The comments and
docstrings must be the same word for word: no name reaches them. One case writes such a file, runs its script for
two epochs and finds it trains, and touches nothing.

The old ``export.py`` pasted names into the source: a quote or a backslash made Black raise ``InvalidInput``, and
``x"]] if __import__("os").system("touch PWNED") else rows[["x`` as a measurement target ran a command.
"""

from __future__ import annotations

import ast
import csv
import io
import os
import random
import subprocess
import sys
import tokenize

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from designer import csv_table, edits, export
from designer.validation import errors, validate

PWNED = 'x"]] if __import__("os").system("touch PWNED") else rows[["x'
HOSTILE = {  # what it is -> the name
    "markdown-bold": "**b**",
    "markdown-image": "![p](http://127.0.0.1/x.png)",
    "html-link": '<a href="javascript:alert(1)">c</a>',
    "dot-label": 'a\\"]; b [label="x',
    "triple-double-quote": '"""',
    "triple-single-quote": "'''",
    "python-subscript-escape": PWNED,
    "python-docstring-escape": 'c"""; import os; os.system("touch PWNED_FILE"); """',
    "single-quote": "'",
    "double-quote": '"',
    "backslash": "\\",
    "trailing-backslash": "a\\",
    "escape-sequences-as-text": "\\x41\\n",
    "hash": "# a comment",
    "newline-inside": "line one\nline two",
    "newline": "\n",
    "carriage-return": "a\rb",
    "tab-formfeed-vtab": "tab\tform\x0cfeed\x0bvtab",
    "nul": "nul\x00",
    "right-to-left-override": "\u202eevil",
    "zero-width-space": "zero\u200bwidth",
    "unicode-line-separators": "para\u2029sep\u2028line",
    "lone-surrogate": "lone \ud800 surrogate",
    "braces": "{}",
    "format-fields": "{0}{name}}}",
    "percent-s": "%s",
    "60-double-quotes": '"' * 60,  # the longest name a column or a value may have
    "60-backslashes": "\\" * 60,
}
# The design's names when nothing is hostile; a role replaces one of them.
BENIGN = {
    "file": "school.csv",
    "number": "hours",
    "category": "school",
    "value": "South",
    "measurement": "mock",
    "target": "passed",
    "class": "yes",
}
ROLES = {  # role -> (the name it replaces, the shape of design it is tried in)
    "file name": ("file", "class"),
    "input column": ("number", "branches"),
    "category input value": ("value", "branches"),
    "measurement target": ("measurement", "measurement"),
    "class target value": ("class", "class"),
    "class target column": ("target", "branches"),
}


def design(shape: str, **names: str) -> dict:
    """A CSV design of ``shape`` on the school table, its names ``BENIGN`` but for ``names``.

    ``class``: two inputs in one, a hidden layer, a class head (a chain, so Sequential too).
    ``measurement``: the same with a measurement head. ``branches``: two named inputs, a branch each,
    joined, and both heads.
    """
    n = {**BENIGN, **names}
    number = {"name": n["number"]}
    category = {"name": n["category"], "categories": ["North", n["value"]]}
    measurement = {"name": n["measurement"]}
    target = {"name": n["target"], "categories": ["no", n["class"]]}
    class_head = {"name": "outcome", "target": n["target"]}
    mark_head = {"name": "mark", "target": n["measurement"]}
    hidden = {"name": "hidden_1", "units": 4, "activation": "relu"}
    if shape == "branches":
        columns = [number, category, measurement, target]
        inputs: object = {"numbers": [n["number"]], "schools": [n["category"]]}
        layers = [
            {"name": "left", "from": "numbers", "units": 4, "activation": "relu"},
            {"name": "right", "from": "schools", "units": 4, "activation": "relu"},
            {"name": "joined", "type": "concatenate", "from": ["left", "right"]},
        ]
        heads = [class_head, mark_head]
    else:
        columns = [number, category, measurement if shape == "measurement" else target]
        inputs, layers = [n["number"], n["category"]], [hidden]
        heads = [mark_head if shape == "measurement" else class_head]
    return {
        "version": 1,
        "dataset": {"csv": n["file"], "rows": 80, "columns": columns},
        "inputs": inputs,
        "layers": layers,
        "heads": heads,
        "training": {"epochs": 3, "batch_size": 8},
    }


def styles_for(design: dict) -> list[str]:
    return [s for s in export.STYLES if s != "sequential" or export.sequential_problem(design) is None]


def strings_apart(hostile: ast.AST, benign: ast.AST, where: str = "module") -> list[tuple[str, str]]:
    """The (benign, hostile) pairs of string constants that differ; AssertionError where the trees differ otherwise."""
    assert type(hostile) is type(benign), f"{where}: {type(hostile).__name__} for {type(benign).__name__}"
    if isinstance(hostile, ast.Constant):
        if isinstance(hostile.value, str) and isinstance(benign.value, str):
            return [] if hostile.value == benign.value else [(benign.value, hostile.value)]
        assert (type(hostile.value), hostile.value) == (type(benign.value), benign.value), f"{where}: a constant"
        return []
    pairs = []
    for field in hostile._fields:
        mine, theirs = getattr(hostile, field), getattr(benign, field)
        if isinstance(mine, list):
            assert isinstance(theirs, list) and len(mine) == len(theirs), f"{where}.{field}: lengths differ"
            for i, (a, b) in enumerate(zip(mine, theirs, strict=True)):
                pairs += strings_apart(a, b, f"{where}.{field}[{i}]") if isinstance(a, ast.AST) else []
                assert isinstance(a, ast.AST) or a == b, f"{where}.{field}[{i}]: {a!r} for {b!r}"
        elif isinstance(mine, ast.AST):
            pairs += strings_apart(mine, theirs, f"{where}.{field}")
        else:
            assert mine == theirs, f"{where}.{field}: {mine!r} for {theirs!r}"
    return pairs


def prose(code: str) -> tuple[list[str], list[str]]:
    """The script's comments and docstrings, in order."""
    comments = [t.string for t in tokenize.generate_tokens(io.StringIO(code).readline) if t.type == tokenize.COMMENT]
    docstrings = [
        ast.get_docstring(node, clean=False)
        for node in ast.walk(ast.parse(code))
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
    ]
    return comments, docstrings


TWINS: dict[tuple[str, str], str] = {}


def twin_script(shape: str, style: str) -> str:
    if (shape, style) not in TWINS:
        TWINS[shape, style] = export.export(design(shape), style)
    return TWINS[shape, style]


def check_only_data(shape: str, key: str, name: str) -> None:
    """Export the design of ``shape`` with ``name`` as its ``key`` in every style; each script is its twin's,
    ``name`` a literal where the twin has ``BENIGN[key]``, and nowhere else."""
    hostile = design(shape, **{key: name})
    assert not errors(validate(hostile)), errors(validate(hostile))
    styles = styles_for(hostile)
    assert styles == styles_for(design(shape))
    for style in styles:
        code, twin = export.export(hostile, style), twin_script(shape, style)
        pairs = strings_apart(ast.parse(code), ast.parse(twin))
        assert pairs, f"{style}: the name appears nowhere"
        assert set(pairs) == {(BENIGN[key], name)}, (style, pairs)
        assert prose(code) == prose(twin), f"{style}: a name reached a comment or a docstring"


@pytest.mark.parametrize("name", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("role", list(ROLES))
def test_a_hostile_name_becomes_a_string_literal_and_nothing_else(role, name):
    check_only_data(ROLES[role][1], ROLES[role][0], name)


def test_the_longest_file_name_is_a_literal_too():
    for name in ('"' * 100, "\\" * 100, ('a"""\n' * 20)[:99] + "\\"):
        check_only_data("class", "file", name)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    role=st.sampled_from(list(ROLES)),
    name=st.text(min_size=1, max_size=60),
    style=st.sampled_from(export.STYLES),
)
def test_any_text_in_any_role_becomes_a_string_literal(role, name, style):
    key, shape = ROLES[role]
    hostile = design(shape, **{key: name})
    assume(name != BENIGN[key] and not errors(validate(hostile)))  # not a name that repeats a column or a value
    assume(style in styles_for(hostile))
    twin = twin_script(shape, style)
    code = export.export(hostile, style)
    assert set(strings_apart(ast.parse(code), ast.parse(twin))) == {(BENIGN[key], name)}
    assert prose(code) == prose(twin)


def test_the_file_name_is_kept_exactly_as_written():
    name = 'my "best" data\\2024.csv'
    code = export.export(design("class", file=name), "functional")
    (assigned,) = [
        node.value.value
        for node in ast.walk(ast.parse(code))
        if isinstance(node, ast.Assign) and [t.id for t in node.targets if isinstance(t, ast.Name)] == ["FILE"]
    ]
    assert assigned == name


# ------------------------------------------------------------------------------------------------ run for real


def hostile_csv(header: tuple[str, ...], rows: int = 60, seed: int = 5) -> bytes:
    """A number input, a category input, a measurement and a class, under ``header``'s names, with hostile values."""
    chance = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for _ in range(rows):
        hours = round(chance.uniform(0, 10), 1)
        kind = chance.choice(["**b**", "{}", "%s"])
        writer.writerow([hours, kind, round(hours * 7 + chance.gauss(0, 3), 1), "'" if hours > 5 else "\u202eno"])
    return out.getvalue().encode()


RUNS = {  # case -> (header, the columns' roles, file name, style)
    # The old export wrote a script that ran os.system: the target was pasted into rows[["..."]].
    "an injection in the measurement target": (
        ("a\\", '<a href="javascript:alert(1)">c</a>', PWNED, "passed"),
        ("input", "input", "measurement target", "unused"),
        "it's <b>data %s {} \u202e.csv",
        "sequential",
    ),
    "quotes and backslashes everywhere": (
        ("a\\", '<a href="javascript:alert(1)">c</a>', PWNED, '"""'),
        ("input", "input", "measurement target", "class target"),
        'c"""; import os; os.system("touch PWNED_FILE"); """ \\ it\'s.csv',
        "functional",
    ),
}


@pytest.mark.keras
@pytest.mark.parametrize("case", list(RUNS))
def test_a_script_on_a_hostile_file_trains_and_runs_nothing_else(tmp_path, case):
    header, roles, file_name, style = RUNS[case]
    data = hostile_csv(header)
    chosen = dict(zip(header, roles, strict=True))
    block, inputs, targets = csv_table.columns_for(csv_table.read(data), chosen, file_name)
    assert block["csv"] == file_name
    made = edits.csv_design({"version": 1, "layers": [], "heads": []}, block, inputs, targets)
    made["training"] = {"epochs": 2, "batch_size": 8}
    assert not errors(validate(made)), errors(validate(made))
    (tmp_path / file_name).write_bytes(data)
    script = tmp_path / export.file_name(style, made)
    script.write_text(export.export(made, style), encoding="utf-8")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    ran = subprocess.run(
        [sys.executable, script.name, "2"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("PWNED")], "the script ran a command"
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert "Trained 2 epochs. Test metrics (" in ran.stdout, ran.stdout
    metrics = ran.stdout.split("Test metrics (", 1)[1]
    assert "mae" in metrics and ("accuracy" in metrics) == ("class target" in roles), metrics
