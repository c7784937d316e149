"""Names from outside stay data, through every sink at once: the pages, the graph, the links, the scripts, the model.

A learner's CSV file names its columns, its category values and itself, and a
share link carries all three to a whole class. Each hostile name below goes in
every one of those places of one design, and then through every way out:

- the Design, Train, Model and Code pages (AppTest): no exception, and no text
  element, label or tooltip that shows the name unescaped (Markdown would make
  it a link, an image, bold, a heading or LaTeX); no Plotly text holding a live
  tag;
- the graph's and the neuron view's DOT, parsed back with pydot: every node
  kept;
- the share link and the map's link part: both round trips lossless;
- each exported script: parsed with ``ast``, the same tree node for node as a
  benign twin's, but for its string constants (a name never became code);
- the trained ``.keras`` file: loaded by Keras with ``safe_mode=True``.

Finer tests of each sink are in test_export_names.py (scripts run), test_dot_names.py
(Graphviz) and test_map_names.py (maps and map links).
"""

from __future__ import annotations

import ast
import csv
import io
import json
import random

import pydot
import pytest
from apptest_support import (
    CODE_PAGE,
    MODEL_PAGE,
    TRAIN_PAGE,
    open_session,
    preset_design,
    press_train,
    shows_as_written,
)

from designer import csv_table, edits, export, links, network, parsing, sinks
from designer.graph import dot_source, network_graph
from designer.neurons import neuron_drawing

HOSTILE = {
    "markdown": "**bold** `code` _it_ ~~s~~",
    "image": "![p](http://127.0.0.1:9/p.png)",
    "link": "[c](javascript:alert(1))",
    "html": '<a href="http://127.0.0.1:9/cm">c</a>',
    "img tag": "<img src=x onerror=alert(1)>",
    "latex": "$x^2$ :smile: {0} %s",
    "heading": "# Big",
    "table": "a | b | c",
    "trailing backslash": "end\\",
    "graphviz escape": "\\N \\G \\l",
    "dot syntax": 'a"]; b [label="x',
    "python": 'x"]] if __import__("os").system("touch PWNED") else rows[["x',
    "docstring": '"""; import os #',
    "quotes": 'it\'s "quoted"',
    "newline": "line\nbreak",
    "right-to-left": "\u202egnp.exe",
    "zero width": "zero\u200bwidth",
    "entity": "&amp; &lt;b&gt;",
}
BENIGN = "plain"


def cut(name: str, suffix: str) -> str:
    """``name`` with ``suffix``, within a column name's 60 characters."""
    return name[: 60 - len(suffix)] + suffix


def names_of(name: str) -> dict[str, str]:
    """The file's and its columns' names and values, each made of ``name``."""
    return {
        "file": cut(name, ".csv"),
        "first": cut(name, " 1"),
        "second": cut(name, " 2"),
        "kind": cut(name, " k"),
        "kinds": (cut(name, " A"), cut(name, " B")),
        "class": cut(name, " c"),
        "classes": (cut(name, " yes"), cut(name, " no")),
        "measure": cut(name, " m"),
    }


def hostile_csv(name: str, rows: int = 60) -> bytes:
    """Two number inputs, a category input, a class target and a measurement target, all named from ``name``."""
    n, chance = names_of(name), random.Random(7)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([n["first"], n["second"], n["kind"], n["class"], n["measure"]])
    for _ in range(rows):
        first, second = round(chance.uniform(0, 10), 2), round(chance.uniform(0, 10), 2)
        writer.writerow(
            [first, second, chance.choice(n["kinds"]), n["classes"][first + second > 10], round(first * 2 + 1, 2)]
        )
    return out.getvalue().encode()


def hostile_design(name: str) -> tuple[dict, bytes | None]:
    """A valid design on a CSV file whose every name comes from ``name``, and the file (None if it cannot
    be written as a CSV file the reader takes: then the design is what a crafted link carries)."""
    n = names_of(name)
    block = {
        "csv": n["file"],
        "rows": 60,
        "columns": [
            {"name": n["first"]},
            {"name": n["second"]},
            {"name": n["kind"], "categories": list(n["kinds"])},
            {"name": n["class"], "categories": sorted(n["classes"])},
            {"name": n["measure"]},
        ],
    }
    data = hostile_csv(name)
    try:
        frame = csv_table.read(data)
        roles = {n["first"]: "input", n["second"]: "input", n["kind"]: "input"}
        roles |= {n["class"]: "class target", n["measure"]: "measurement target"}
        block, inputs, targets = csv_table.columns_for(frame, roles, n["file"])
    except csv_table.CsvError:
        data = None
        inputs, targets = [n["first"], n["second"], n["kind"]], [n["class"], n["measure"]]
    design = edits.csv_design(preset_design("logistic_regression"), block, inputs, targets)
    design["training"] = {"epochs": 2, "batch_size": 8}
    for head, name in zip(design["heads"], ("kind", "size"), strict=True):  # as a twin's, whatever the columns
        head["name"] = name
    return design, data


CASES = pytest.mark.parametrize("name", list(HOSTILE.values()), ids=list(HOSTILE))


def shown_text(at) -> list[str]:
    """Every piece of text the pages render as Markdown: bodies, labels, tooltips and titles, of every element."""
    found: list[str] = []

    def collect(message) -> None:
        for field, value in message.ListFields():
            if field.name in (
                "code_text",
                "options",
                "default",
                "value",
                "raw_value",
                "raw_values",
                "id",
                "form_id",
                "spec",
                "data",
            ):
                continue  # code blocks, options and typed values are shown as plain text; data is data
            repeated = (
                not isinstance(value, str | bytes) and hasattr(value, "__len__") and not hasattr(value, "ListFields")
            )
            values = value if repeated else [value]
            for item in values:
                if isinstance(item, str):
                    found.append(item)
                elif hasattr(item, "ListFields"):
                    collect(item)

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            collect(proto)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


def chart_strings(at) -> list[str]:
    """Every string in every Plotly figure on the page."""
    found: list[str] = []

    def walk(value) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                found.append(str(key))
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for chart in at.get("plotly_chart"):
        walk(json.loads(chart.proto.spec))
    return found


def assert_shown_as_data(at, name: str) -> None:
    """No exception, no Markdown text holding ``name``'s markup unescaped, no chart text holding a live tag."""
    assert not at.exception, [e.message for e in at.exception]
    pieces = [piece for piece in names_of(name).values() for piece in ([piece] if isinstance(piece, str) else piece)]
    raw = [piece for piece in pieces if sinks.markdown(piece) != piece]
    for text in shown_text(at):
        seen = sinks.unescape_markdown(text)
        leaked = [piece for piece in raw if piece in seen and not shows_as_written(text, shown(piece))]
        assert not leaked, f"shown unescaped: {leaked!r} in {text!r}"
    if "<" in name:
        assert not [text for text in chart_strings(at) if "<a " in text or "<img" in text]


def shown(piece: str) -> str:
    """A name as the page shows it: on one line, controls spelled out (``\\u202e``)."""
    one_line = " ".join(piece.splitlines())
    return parsing.escape_controls(one_line).strip()


def state(design: dict, data: bytes | None) -> dict:
    return {"design": design} | ({"csv_file": {"name": design["dataset"]["csv"], "data": data}} if data else {})


@CASES
def test_the_design_and_code_pages_show_every_name_as_written(name):
    design, data = hostile_design(name)
    for page in ("pages/design.py", CODE_PAGE):
        at = open_session(page, state=state(design, data))
        assert at.session_state["design"] == design
        assert_shown_as_data(at, name)
    assert not [e for e in at.error], [e.value for e in at.error]  # each script was written, none refused


@CASES
def test_the_graph_the_links_and_the_scripts_keep_every_name_as_data(name):
    design, _ = hostile_design(name)
    net = network.resolve(design)
    for drawing in (network_graph(net), neuron_drawing(net)):
        (parsed,) = pydot.graph_from_dot_data(dot_source(drawing))  # as the browser's Graphviz reads it
        assert len(_nodes(parsed)) == len(_nodes(drawing)) >= len(net.nodes)
        assert len(parsed.get_edges()) == len(drawing.get_edges())
    assert links.decode(links.encode(design)) == design
    plane = {"x": names_of(name)["first"], "y": names_of(name)["second"], "at": {names_of(name)["measure"]: 0.5}}
    assert parsing.parse_map_text(parsing.map_text(plane)) == plane
    twin, _ = hostile_design(BENIGN)
    for style in ("functional", "subclassing"):
        assert ast.dump(_without_strings(ast.parse(export.export(design, style)))) == ast.dump(
            _without_strings(ast.parse(export.export(twin, style)))
        )


def _nodes(graph: pydot.Dot) -> list[str]:
    """The names of a graph's nodes, its subgraphs' too (not the defaults' ``node``, ``edge`` and ``graph``)."""
    names = [node.get_name() for node in graph.get_nodes() if node.get_name() not in ("node", "edge", "graph")]
    return names + [name for sub in graph.get_subgraphs() for name in _nodes(sub)]


def _without_strings(tree: ast.AST) -> ast.AST:
    """The tree with every string constant blanked: what is left is the code's shape."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value = ""
    return tree


@pytest.mark.keras
@CASES
def test_training_on_the_file_and_its_model_show_every_name_as_written(name, tmp_path):
    design, data = hostile_design(name)
    if data is None:
        pytest.skip("the CSV reader refuses this name in a file; a link carries it (tested above)")
    at = open_session(TRAIN_PAGE, state=state(design, data))
    press_train(at)
    assert at.session_state["runs"][-1].status == "finished"
    assert_shown_as_data(at, name)
    trained = at.session_state["trained"]
    at.switch_page(MODEL_PAGE).run()
    assert_shown_as_data(at, name)

    import keras

    from designer.data import input_scaling, prepare
    from designer.keras_model import model_file_bytes, take_home_model

    model = take_home_model(design, trained["weights"], input_scaling(prepare(design, csv_table.read(data)), design))
    path = tmp_path / "model.keras"
    path.write_bytes(model_file_bytes(model))
    loaded = keras.saving.load_model(path, safe_mode=True)
    assert loaded.count_params() == model.count_params()
