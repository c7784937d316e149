"""Fuzzing every door untrusted design text comes in by: share links, uploaded files and the command line.

Each property runs at least 1,000 cases (plus a few dozen hostile links opened through the Design page with
AppTest) and asserts what the issue asked for: no exception other than the refusal escapes, no traceback,
every case is answered within Hypothesis' deadline (generous, 2 s, as the machine is shared; a typical case
takes well under a millisecond), and a refusal is a handful of messages of bounded length with no control or
bidirectional character left in it. Cases are built from the presets, mutated, and from hostile designs:
thousands of empty layers, deep nesting, numbers of hundreds of digits, long names, bidirectional controls.

No TensorFlow here (the command line's ``summary``, ``link`` and ``export`` do not import it).
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import zlib
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from designer import cli, links, parsing, presets
from designer.parsing import MAX_MESSAGE_CHARACTERS, MAX_SHOWN
from ui.sharing import read_upload

FUZZ = settings(
    max_examples=1_000,
    deadline=timedelta(seconds=2),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
PRESETS = [preset.load() for preset in presets.presets()]
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
HOSTILE_CHARACTERS = BIDI + '\x00\x1b\x7f\x85\u2028\ufeff"\\[]{}:,é😀'
# What the refusal messages may hold: no control or bidirectional character (a lone surrogate is spelled out).
UNSHOWABLE = parsing.CONTROL_CHARACTERS


def pack(data: bytes) -> str:
    """Bytes as a link value, as links.encode packs a design's JSON."""
    return base64.urlsafe_b64encode(zlib.compress(data, 9)).decode("ascii").rstrip("=")


def outcome(message: str) -> str:
    """What a refusal is about, for Hypothesis' statistics (``pytest --hypothesis-show-statistics``)."""
    return message.partition(". Received")[0].partition(", got")[0][:60]


def assert_showable(message: str) -> None:
    assert message.strip(), "an empty message"
    assert not UNSHOWABLE.search(message), ascii(message)
    message.encode("utf-8")  # no lone surrogate either


# -------------------------------------------------------------------------------------------- hostile input

texts = st.text(st.sampled_from(HOSTILE_CHARACTERS) | st.characters(codec="utf-8"), max_size=24)
numbers = (
    st.integers(-(2**70), 2**70)
    | st.sampled_from([2**64, -(2**64), 10**99, 10**100, 10**4_000])
    | st.floats()
    | st.sampled_from([1e308, 5e-324, float("inf"), float("nan")])
)
scalars = st.none() | st.booleans() | numbers | texts
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4), max_leaves=8
)


def dumps(value: object) -> bytes:
    """JSON bytes; lone surrogates escaped (as ``\\ud800``), as json.dumps writes them with ensure_ascii."""
    try:
        return json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value).encode("ascii")
    except ValueError:  # an integer of more digits than Python writes
        return b'{"version": 1, "x": 1' + b"0" * 5_000 + b"}"


@st.composite
def hostile_designs(draw) -> object:
    """A preset with one part made hostile: many layers, a deep or huge value, a long name, a stray field."""
    design = json.loads(json.dumps(draw(st.sampled_from(PRESETS))))
    design["layers"] = design.get("layers") or [{"name": "hidden", "units": 8}]  # logistic regression has none
    attack = draw(st.sampled_from(["layers", "heads", "inputs", "deep", "value", "name", "field", "top"]))
    count = draw(st.sampled_from([0, 1, 5, 31, 32, 33, 100, 4_000, 33_000]))
    if attack == "layers":
        design["layers"] = [draw(st.sampled_from([{}, {"units": 8}, None, []]))] * count
    elif attack == "heads":
        design["heads"] = [design["heads"][0]] * min(count, 20_000)
    elif attack == "inputs":
        design["inputs"] = draw(
            st.sampled_from([["sepal_length"] * min(count, 20_000), {f"i{n}": ["petal_width"] for n in range(count)}])
        )
    elif attack == "deep":
        depth = draw(st.sampled_from([30, 31, 32, 33, 200, 990, 1_100, 20_000]))
        value: object = draw(scalars)
        for _ in range(depth):
            value = [value]
        if depth <= 900:  # deeper than this only as text (json.dumps recurses)
            design["layers"][0]["units"] = value
        else:
            return b'{"version": 1, "x": ' + b"[" * depth + b"]" * depth + b"}"
    elif attack == "value":
        entries = [design, design["heads"][0], design.setdefault("training", {}), *design["layers"]]
        key = draw(st.sampled_from(["units", "rate", "seed", "loss_weight", "from", "name", "version", "x"]))
        draw(st.sampled_from(entries))[key] = draw(json_values)
    elif attack == "name":
        length = draw(st.sampled_from([40, 41, 100, 101, 5_000]))
        design["layers"][0]["name"] = draw(st.sampled_from(["n", "txt\u202eexe", "\ud800", "a\x1b[2J"])) * length
    elif attack == "field":
        design[draw(texts)] = draw(json_values)
    else:
        return draw(json_values)
    return design


@st.composite
def mutated(draw, text: bytes) -> bytes:
    """``text`` after a few cuts, flips, insertions and repeated slices (which can make it huge)."""
    data = bytearray(text)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, max(0, len(data) - 1)))
        action = draw(st.sampled_from(["flip", "delete", "insert", "cut", "repeat", "brackets", "digits"]))
        if action == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif action == "delete":
            del data[at : at + draw(st.integers(1, 8))]
        elif action == "insert":
            data[at:at] = draw(st.binary(max_size=8) | st.sampled_from(HOSTILE_CHARACTERS).map(str.encode))
        elif action == "cut":
            del data[at:]
        elif action == "repeat":
            data[at:at] = bytes(data[at : at + draw(st.integers(1, 30))]) * draw(st.sampled_from([2, 100, 5_000]))
        elif action == "brackets":
            data[at:at] = draw(st.sampled_from([b"[", b"{", b"[{", b'{"a":'])) * draw(st.sampled_from([31, 33, 5_000]))
        elif action == "digits":
            data[at:at] = b"9" * draw(st.sampled_from([20, 100, 101, 4_301]))
    return bytes(data)


@st.composite
def design_bytes(draw) -> bytes:
    """The JSON of a valid, a hostile or a mutated design, or arbitrary bytes."""
    kinds = ["hostile", "preset", "mutated preset", "mutated hostile", "hostile", "binary", "text"]
    kind = draw(st.sampled_from(kinds))
    if kind == "binary":
        return draw(st.binary(max_size=300))
    if kind == "text":
        return draw(texts).encode("utf-8", "surrogatepass")
    design = draw(st.sampled_from(PRESETS)) if "preset" in kind else draw(hostile_designs())
    data = design if isinstance(design, bytes) else dumps(design)
    return draw(mutated(data)) if kind.startswith("mutated") else data


@st.composite
def link_values(draw) -> str:
    """A link value: a packed design as above, a preset's link mutated as text, or arbitrary text."""
    kind = draw(st.sampled_from(["packed", "mutated link", "packed", "text", "packed", "base64"]))
    if kind == "packed":
        return pack(draw(design_bytes()))
    if kind == "mutated link":
        value = links.encode(draw(st.sampled_from(PRESETS))).encode("ascii")
        return draw(mutated(value)).decode("utf-8", "replace")
    if kind == "base64":
        return base64.urlsafe_b64encode(draw(st.binary(max_size=300))).decode("ascii").rstrip("=")
    return draw(texts)


# ------------------------------------------------------------------------------------------------- links


@FUZZ
@given(link_values())
def test_fuzzed_links_are_decoded_or_refused_in_a_few_bounded_messages(value):
    try:
        design = links.decode(value)
    except links.LinkError as error:
        message = str(error)
        event(outcome(message))
        assert_showable(message)
        assert len(message) <= 100 + (MAX_SHOWN + 1) * (MAX_MESSAGE_CHARACTERS + 2), len(message)
        return
    event("accepted")
    assert isinstance(design, dict) and design.get("version") == 1


# ----------------------------------------------------------------------------------------------- uploads


@FUZZ
@given(design_bytes())
def test_fuzzed_uploads_are_read_or_refused_in_a_few_bounded_messages(data):
    design, problems = read_upload(data)
    event("accepted" if design is not None else outcome(problems[0].message))
    if design is not None:
        assert problems == [] and isinstance(design, dict)
        return
    assert 1 <= len(problems) <= MAX_SHOWN + 1
    for problem in problems:
        assert_showable(problem.message)
        assert len(problem.message) <= MAX_MESSAGE_CHARACTERS + 100, len(problem.message)


# ---------------------------------------------------------------------------------------- the command line


@pytest.fixture(scope="module")
def design_path(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz") / "design.json"


@FUZZ
@given(design_bytes(), st.sampled_from(["summary", "link", "export"]))
def test_fuzzed_files_on_the_command_line_exit_0_or_2_without_a_traceback(design_path, data, command):
    design_path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main([command, str(design_path)])  # anything but a return escaping here fails the test
    stdout, stderr = out.getvalue(), err.getvalue()
    event(f"{command}: exit {status}")
    assert status in (0, cli.EXIT_INVALID)
    assert "Traceback" not in stdout + stderr
    assert not UNSHOWABLE.search(stderr.replace("\n", "")), ascii(stderr)
    lines = stderr.splitlines()
    if status == cli.EXIT_INVALID:
        assert stdout == "" and 1 <= len(lines) <= MAX_SHOWN + 1, stderr
    else:
        assert stdout and len(lines) <= MAX_SHOWN + 1, stderr  # at most a few warnings
    prefix = len(str(design_path)) + len(": not a valid design file: ")
    assert all(len(line) <= prefix + MAX_MESSAGE_CHARACTERS for line in lines)


# ------------------------------------------------------------------------------------ the Design page, 50 links


def page_links() -> tuple[list[str], list[str]]:
    """50 hostile links, the same every run: the worst of each kind (each refused), then fuzzed ones."""
    worst = [
        pack(b'{"version":1,"layers":[' + b"{}," * 4_000 + b'{}],"heads":[{"name":"s","target":"species"}]}'),
        pack(b'{"version":1,"layers":[' + b"{}," * 33_000 + b"{}]}"),
        pack(b"[" * 50_000 + b"]" * 50_000),
        pack(b'{"version": 1, "x": ' + b"[" * 990 + b"]" * 990 + b"}"),
        pack(b'{"version": 1, "x": 1' + b"0" * 4_400 + b"}"),
        pack(json.dumps({**PRESETS[0], "layers": [{"name": "txt\u202eexe"}] * 32}, ensure_ascii=False).encode()),
        pack(json.dumps({**PRESETS[0], "layers": [{"name": f"l{i}", "units": 0} for i in range(32)]}).encode()),
        pack(b'{"version": 1, "dataset": "\\ud800", "heads": [{"name": "species", "target": "species"}]}'),
    ]
    found: list[str] = []

    @settings(max_examples=42, database=None, derandomize=True, deadline=None)
    @given(link_values())
    def collect(value):
        found.append(value)

    collect()
    return worst, found[:42]


def test_hostile_links_open_the_design_page_without_an_exception():
    from streamlit.testing.v1 import AppTest

    from ui import session

    at = AppTest.from_file("../streamlit_app.py", default_timeout=60)
    worst, fuzzed = page_links()
    for value in worst + fuzzed:
        for key in (session.DESIGN, session.REVISION, session.REJECTED):
            if key in at.session_state:
                del at.session_state[key]  # as in a fresh session, the design is read from the link
        at.query_params[links.PARAMETER] = value
        at.run()
        assert not at.exception, (value[:80], [e.message for e in at.exception])
        errors = [e.value for e in at.error]
        assert len(errors) <= MAX_SHOWN + 1, errors
        for shown in errors:
            assert len(shown) <= 2 * (MAX_SHOWN + 1) * (MAX_MESSAGE_CHARACTERS + 2), len(shown)
            assert not UNSHOWABLE.search(shown), ascii(shown[:200])
        assert at.session_state["design"]["version"] == 1
        if value in worst:
            assert any(shown.startswith("This link could not be opened") for shown in errors), errors
