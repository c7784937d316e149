"""designer.parsing: untrusted design text refused by size, encoding, nesting and structure before validation.

Hand-built hostile inputs, each the worst of its kind: thousands of empty layers, nesting at and beyond the
cap and just under Python's recursion limit, numbers of 2**64 and of thousands of digits, lone surrogates,
names that hold bidirectional controls, files past the size cap. No TensorFlow here.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import sys
import zlib

import pytest

from designer import cli, datasets, links, parsing, presets, spec
from designer.parsing import (
    MAX_COLUMNS,
    MAX_DEPTH,
    MAX_DESIGN_BYTES,
    MAX_DIGITS,
    MAX_INPUTS,
    MAX_MESSAGE_CHARACTERS,
    MAX_PARSED_VALUES,
    MAX_SHOWN,
    MAX_TEXT_CHARACTERS,
    MAX_VALUES,
    DesignTextError,
    bounded,
    escape_controls,
    parse_design,
)

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
HEAD = {"name": "species", "target": "species"}


def design_text(**fields) -> str:
    return json.dumps({"version": 1, **fields, "heads": fields.get("heads", [HEAD])}, separators=(",", ":"))


def refused(data: str | bytes, kind: str | None = None) -> DesignTextError:
    """The DesignTextError parsing ``data`` raises (anything else fails the test), of ``kind`` if given."""
    with pytest.raises(DesignTextError) as caught:
        parse_design(data)
    error = caught.value
    assert error.message == str(error) and error.message.strip()
    assert "Received: " in error.message, error.message  # says what it got, as Keras does
    assert len(error.message) < 500, error.message
    error.message.encode("utf-8")  # can be shown
    if kind is not None:
        assert error.reason == kind, error.message
    return error


def pack(data: bytes) -> str:
    """Bytes as a link value, as links.encode packs a design."""
    return base64.urlsafe_b64encode(zlib.compress(data, 9)).decode("ascii").rstrip("=")


def run_cli(*args: str) -> tuple[int, str, str]:
    """``designer.cli.main(args)`` in this process: its status, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(list(args))
    return status, out.getvalue(), err.getvalue()


# ------------------------------------------------------------------------------------------------ valid input


@pytest.mark.parametrize("preset", presets.presets(), ids=lambda p: p.key)
def test_every_preset_parses_to_itself(preset):
    design = preset.load()
    for data in (spec.dumps(design), spec.dumps(design).encode("utf-8"), json.dumps(design, separators=(",", ":"))):
        back = parse_design(data)
        assert back == design and json.dumps(back) == json.dumps(design)


def test_a_design_at_every_cap_parses():
    """Exactly the caps: 32 layers, 8 heads, 4 columns, 100-character texts, the size cap. (Validation may still
    refuse it; the parser does not.)"""
    design = {
        "version": 1,
        "inputs": {"a" * MAX_TEXT_CHARACTERS: ["sepal_length"], "b": ["sepal_width"], "c": [], "d": []},
        "layers": [{"name": f"l{i}", "units": 2**64} for i in range(spec.MAX_LAYERS)],
        "heads": [HEAD] * spec.MAX_HEADS,
    }
    text = json.dumps(design)
    assert parse_design(text + " " * (MAX_DESIGN_BYTES - len(text))) == design
    assert parse_design(json.dumps({"version": 1, "inputs": list(datasets.IRIS.numbers)}))


def test_big_numbers_come_back_exactly():
    for number in (2**64, -(2**64), 10 ** (MAX_DIGITS - 1), 1e308, 5e-324, 0.30000000000000004):
        assert parse_design(design_text(x=number))["x"] == number
    assert parse_design('{"version": 1, "x": 1e400}')["x"] == float("inf")


# --------------------------------------------------------------------------------------------------- sizes


def test_past_the_size_cap_is_refused_naming_the_size():
    error = refused(b" " * (MAX_DESIGN_BYTES + 1), parsing.SIZE)
    assert error.message.endswith(f"Received: {MAX_DESIGN_BYTES + 1:,} bytes")
    assert f"{MAX_DESIGN_BYTES:,}" in error.message
    refused("x" * 5_000_000, parsing.SIZE)
    # Text is measured in UTF-8 bytes: a quote and 50,001 two-byte letters are past the cap.
    assert refused('"' + "é" * (MAX_DESIGN_BYTES // 2 + 1), parsing.SIZE).message.endswith("100,003 bytes")
    assert refused('{"version": 1, "x": "' + "é" * 49_000 + '"}', parsing.STRUCTURE)  # 98,000 bytes: read


def test_the_size_cap_is_shared():
    assert links.MAX_JSON_BYTES == MAX_DESIGN_BYTES
    from ui import sharing

    assert sharing.MAX_UPLOAD_BYTES == MAX_DESIGN_BYTES


def test_a_large_file_is_refused_with_its_size_read_no_further(tmp_path):
    path = tmp_path / "big.json"
    path.write_bytes(b"[" * 5_000_000)
    with pytest.raises(DesignTextError) as caught:
        parsing.read_design_file(path)
    assert caught.value.message.endswith("Received: 5,000,000 bytes")


def test_four_thousand_empty_layers_are_refused_by_count():
    error = refused(design_text(layers=[{}] * 4_000), parsing.STRUCTURE)
    assert error.message == f"layers must have at most {spec.MAX_LAYERS} layers. Received: 4,000 layers"


def test_a_link_of_four_thousand_empty_layers_is_refused_at_once():
    value = pack(design_text(layers=[{}] * 4_000).encode())
    assert len(value) < 200
    with pytest.raises(links.LinkError) as caught:
        links.decode(value)
    assert str(caught.value) == "the link's design is not valid: " + refused(design_text(layers=[{}] * 4_000)).message


def test_a_link_of_thirty_three_thousand_layers_is_refused_unparsed():
    """Its 33,000 commas tell it holds more values than a design may, so it is never turned into objects."""
    text = design_text(layers=[{}] * 33_000)
    assert len(text) < MAX_DESIGN_BYTES
    refusal = rf"at most {MAX_VALUES:,} values .*\. Received: at least 33,00\d values$"
    with pytest.raises(links.LinkError, match=refusal):
        links.decode(pack(text.encode()))


@pytest.mark.parametrize(
    ("fields", "received"),
    [
        ({"heads": [HEAD] * 9}, "Received: 9 heads"),
        ({"inputs": ["sepal_length"] * (MAX_COLUMNS + 1)}, f"Received: {MAX_COLUMNS + 1} columns"),
        ({"inputs": {f"i{n}": ["sepal_length"] for n in range(MAX_INPUTS + 1)}}, f"Received: {MAX_INPUTS + 1} inputs"),
        ({"inputs": {"left": ["sepal_length"] * (MAX_COLUMNS + 2)}}, f"Received: {MAX_COLUMNS + 2} columns"),
        ({"layers": [{"name": "n" * (MAX_TEXT_CHARACTERS + 1)}]}, f"Received: {MAX_TEXT_CHARACTERS + 1} characters"),
        ({"x": {"k" * 5_000: 1}}, "Received: 5,000 characters"),
        ({"x": [0] * MAX_VALUES}, f"Received: more than {MAX_VALUES:,} values"),
        ({"x": [[]] * 30_000}, "Received: at least 30,004 values"),  # unparsed: too many brackets
        ({"x": [0] * (MAX_PARSED_VALUES + 1)}, f"Received: at least {MAX_PARSED_VALUES + 4:,} values"),  # commas
        ({f"k{n}": n for n in range(6_000)}, f"Received: more than {MAX_VALUES:,} values"),
    ],
)
def test_structure_past_a_cap_is_refused_before_validation(fields, received):
    assert refused(design_text(**fields), parsing.STRUCTURE).message.endswith(received)


def test_a_structure_message_names_the_place():
    assert refused(design_text(layers=[{}, {"name": "n" * 200}])).message.startswith("layers[1].name must be at most")
    message = refused(design_text(inputs={"a b": ["sepal_length"] * (MAX_COLUMNS + 1)})).message
    assert message.startswith(f'inputs["a b"] must list at most {MAX_COLUMNS} columns')


# ---------------------------------------------------------------------------------------------- nesting


def nested(depth: int) -> str:
    """A design whose deepest list is ``depth`` levels down, counting the design itself."""
    return '{"version": 1, "x": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


def test_nesting_at_the_cap_parses_and_one_more_is_refused():
    assert parse_design(nested(MAX_DEPTH))
    error = refused(nested(MAX_DEPTH + 1), parsing.DEPTH)
    assert error.message.endswith(f"Received: {MAX_DEPTH + 1} levels of nesting")


@pytest.mark.parametrize(
    "text",
    [
        nested(sys.getrecursionlimit() - 20),  # parsed by json.loads, then too deep for json.dumps and repr
        nested(sys.getrecursionlimit() + 20),
        "[" * 100_000,  # never closed
        "[" * 50_000 + "]" * 50_000,
        '{"a":' * 15_000 + "1" + "}" * 15_000,
        "[{" * 20_000,
    ],
    ids=["just-under-the-recursion-limit", "past-the-recursion-limit", "unclosed", "lists", "objects", "mixed"],
)
def test_deep_nesting_is_refused_on_the_text(text):
    refused(text, parsing.DEPTH)


def test_brackets_in_strings_are_not_nesting():
    tricky = '[[[[\\"[[[[{{{{\\\\'  # brackets, an escaped quote, an escaped backslash: all inside one string
    assert parse_design('{"version": 1, "x": "' + tricky + '"}')["x"] == json.loads('"' + tricky + '"')
    assert parse_design(design_text(x="[" * MAX_TEXT_CHARACTERS))


def test_an_unterminated_string_of_escaped_quotes_is_refused_quickly():
    refused('"\\"' * 30_000 + "\\", parsing.JSON)


def test_deep_nesting_under_the_recursion_limit_never_reaches_the_command_line_as_a_traceback(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text(nested(sys.getrecursionlimit() - 20), encoding="utf-8")
    status, out, err = run_cli("summary", str(path))
    assert (status, out) == (cli.EXIT_INVALID, "")
    assert "nests lists and objects at most" in err and "Traceback" not in err


# ---------------------------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("digits", [MAX_DIGITS + 1, 4_301, 50_000])
def test_a_number_of_too_many_digits_is_refused(digits):
    error = refused('{"version": 1, "x": 1' + "0" * (digits - 1) + "}", parsing.NUMBER)
    assert error.message.endswith(f"Received: a number of {digits:,} digits")


def test_digits_in_a_string_are_not_a_number():
    assert parse_design(design_text(x="1" * MAX_TEXT_CHARACTERS))


# -------------------------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b'{"version": 1, "name": "\xe9"}', parsing.ENCODING),
        (b"\xff\xfe{}", parsing.ENCODING),
        (b'{"version": 1, "x": "\xed\xa0\x80"}', parsing.ENCODING),  # a surrogate written as UTF-8 is not UTF-8
        (b"", parsing.JSON),
        (b"   \n", parsing.JSON),
        (b"{this is not json", parsing.JSON),
        (b"{'version': 1}", parsing.JSON),
        (b'{"version": 1', parsing.JSON),
    ],
)
def test_text_that_is_not_json_is_refused(data, kind):
    refused(data, kind)


def test_a_lone_surrogate_parses_and_its_refusal_can_be_shown():
    design = parse_design(b'{"version": 1, "dataset": "\\ud800", "heads": [{"name": "s", "target": "species"}]}')
    assert design["dataset"] == "\ud800"
    with pytest.raises(links.LinkError) as caught:
        links.decode(pack(json.dumps(design).encode()))
    assert "\\ud800" in str(caught.value)
    str(caught.value).encode("utf-8")
    assert escape_controls("a\ud800b\udfff") == "a\\ud800b\\udfff"


@pytest.mark.parametrize(
    ("text", "received"),
    [
        ("[1, 2, 3]", "got [1, 2, 3]. Received: a list of 3 values"),
        ('"design"', 'got "design". Received: a string of 6 characters'),
        ("null", "got null. Received: null"),
        ("true", "got true. Received: true"),
        ("12", "got 12. Received: a number"),
    ],
)
def test_json_that_is_not_an_object_is_refused(text, received):
    assert refused(text, parsing.OBJECT).message == f"a design must be a JSON object, {received}"


@pytest.mark.parametrize(
    ("version", "received"),
    [(2, "version=2"), ("1", 'version="1"'), (True, "version=true"), (1.0, "version=1.0"), (None, "version=null")],
)
def test_another_version_is_refused(version, received):
    assert refused(json.dumps({"version": version, "layers": [{}] * 4_000}), parsing.VERSION).message.endswith(
        f"Received: {received}"
    )


def test_a_design_without_a_version_is_refused():
    assert "Received: an object without" in refused('{"layers": []}', parsing.VERSION).message


# ------------------------------------------------------------------------------------- showing messages


def test_bounded_shows_a_handful_then_counts_the_rest():
    messages = [f"layers[{i}].units must be an integer, got {'9' * 1_000}" for i in range(18_001)]
    shown = bounded(messages)
    assert len(shown) == MAX_SHOWN + 1
    assert all(len(line) <= MAX_MESSAGE_CHARACTERS for line in shown)
    assert shown[0].startswith("layers[0].units") and shown[0].endswith("…")
    assert shown[-1] == f"…and {18_001 - MAX_SHOWN:,} more problems"
    assert bounded(messages[: MAX_SHOWN + 1])[-1] == "…and 1 more problem"
    assert bounded(messages[:MAX_SHOWN]) == [m[: MAX_MESSAGE_CHARACTERS - 1] + "…" for m in messages[:MAX_SHOWN]]
    assert bounded(["a", "b", "c"], limit=1, noun="warning") == ["a", "…and 2 more warnings"]
    assert bounded([]) == []


def test_every_bidirectional_control_and_control_character_is_escaped():
    text = "evil" + BIDI + "\x1b[31m\x00\x7f\x85\u2028\u2029" + "end"
    escaped = escape_controls(text)
    assert escaped.isprintable() and escaped.isascii(), escaped
    for char in BIDI:
        assert f"\\u{ord(char):04x}" in escaped
    assert escape_controls("é, ü, ×, γ, ✓ and 😀 stay") == "é, ü, ×, γ, ✓ and 😀 stay"
    assert all(escape_controls(line) == line for line in bounded([text]))  # bounded escapes too


def test_the_command_line_escapes_a_right_to_left_override_in_a_name(tmp_path):
    design = presets.default_design()
    design["layers"][0]["name"] = "txt\u202eexe.json"
    design["heads"][0]["from"] = "\u2067hidden\u2069"
    path = tmp_path / "bidi.json"
    path.write_text(json.dumps(design, ensure_ascii=False), encoding="utf-8")
    status, out, err = run_cli("summary", str(path))
    assert (status, out) == (cli.EXIT_INVALID, "")
    assert "layers[0].name" in err and "\\u202e" in err and "\\u2067" in err
    assert not any(char in err for char in BIDI), err


def test_the_command_line_shows_a_handful_of_problems(tmp_path):
    design = presets.default_design()
    design["layers"] = [{"name": f"l{i}", "units": 0} for i in range(spec.MAX_LAYERS)]
    path = tmp_path / "many.json"
    path.write_text(json.dumps(design), encoding="utf-8")
    status, out, err = run_cli("summary", str(path))
    lines = err.splitlines()
    assert status == cli.EXIT_INVALID and out == ""
    assert len(lines) == MAX_SHOWN + 1 and lines[-1].startswith(f"{path}: …and ") and "more problems" in lines[-1]


def test_an_upload_of_six_thousand_layers_shows_one_message():
    from ui.sharing import read_upload

    data = spec.dumps({"version": 1, "layers": [{}] * 6_000, "heads": [HEAD]}).encode()
    design, problems = read_upload(data)
    assert design is None
    expected = f"layers must have at most {spec.MAX_LAYERS} layers. Received: 6,000 layers"
    assert [p.message for p in problems] == [expected]


def test_an_upload_with_many_problems_shows_a_handful():
    from ui.sharing import read_upload

    design = {"version": 1, "layers": [{"name": f"l{i}", "units": 0} for i in range(30)], "heads": [HEAD]}
    got, problems = read_upload(json.dumps(design).encode())
    assert got is None and len(problems) == MAX_SHOWN + 1
    assert problems[0].field == "layers[0].units" and problems[-1].message.startswith("…and ")


# --- a link's map part ---------------------------------------------------------------------------


def test_a_map_part_reads_back_what_it_writes():
    settings = {"x": "petal_length", "y": "sepal_length", "at": {"sepal_width": 3.4, "island": "Biscoe"}}
    text = parsing.map_text(settings)
    assert text == "x=petal_length,y=sepal_length,at.sepal_width=3.4,at.island='Biscoe'"
    assert parsing.parse_map_text(text) == settings


def test_a_map_part_of_the_first_form_still_reads():
    text = "x=petal_length,y=sepal_length,sepal_width=3.4"
    assert parsing.parse_map_text(text) == {"x": "petal_length", "y": "sepal_length", "at": {"sepal_width": 3.4}}


def test_a_map_part_writes_any_column_name_so_that_it_reads_back():
    """Names a CSV file may give, and columns named as the axes are (tests/test_map_names.py tries any)."""
    settings = {"x": "Age", "y": "z", "at": {"Height cm": 0.5, "größe": 1.0, "a,b": 2.0, "c=d": 3.0, "x": 4.0}}
    assert parsing.parse_map_text(parsing.map_text(settings)) == settings


def test_a_map_part_keeps_a_value_that_is_not_a_number_as_text_for_the_plane_to_refuse():
    assert parsing.parse_map_text("sepal_width=abc") == {"at": {"sepal_width": "abc"}}
    assert parsing.parse_map_text("sepal_width=1" + "0" * 30) == {"at": {"sepal_width": "1" + "0" * 30}}
    assert parsing.parse_map_text("at.sepal_width=abc") == {"at": {"sepal_width": "abc"}}


@pytest.mark.parametrize(
    "text",
    ["x", "x=a,=3", "X=petal_length", "x=a,y=b,c d=1", "a" * 201, "\u202e=1", "at.=1", "at.c d=1", "x=a b",
     "x=a=b", "x=" + "a" * parsing.MAX_MAP_TEXT],
)  # fmt: skip
def test_a_map_part_that_cannot_be_read_is_refused(text):
    with pytest.raises(parsing.MapTextError) as refused:
        parsing.parse_map_text(text)
    assert "map part of a link" in str(refused.value)
