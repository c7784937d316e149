"""Share links (designer.links) without the app: exact round trips, size, and tampered links.

No TensorFlow here: links, design files, edits and validation are plain Python.
"""

from __future__ import annotations

import base64
import json
import string
import time
import tracemalloc
import zlib

import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

from designer import datasets, edits, kinds, links, parsing, presets, spec
from designer.links import MAX_JSON_BYTES, MAX_LINK_CHARACTERS, LinkError, decode, encode
from designer.validation import errors, validate

PRESETS = presets.presets()
PRESET_IDS = [preset.key for preset in PRESETS]
EDITABLE = [preset for preset in PRESETS if "exercise" not in preset.load()]  # an exercise refuses most edits
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def same(got: object, want: object) -> None:
    """Equal, and equal in JSON too: the same types (1 is not 1.0, nor True) and the same key order."""
    assert got == want
    assert json.dumps(got) == json.dumps(want)


def is_valid(design: object) -> bool:
    return not errors(validate(design))


def pack(data: bytes) -> str:
    """Bytes as a link value: zlib, then URL-safe base64 without padding (as links.encode does)."""
    return base64.urlsafe_b64encode(zlib.compress(data, 9)).decode("ascii").rstrip("=")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def refused(value: str) -> LinkError:
    """The LinkError decoding ``value`` raises (anything else fails the test); it must say something."""
    with pytest.raises(LinkError) as caught:
        decode(value)
    assert str(caught.value).strip(), "a LinkError without a message"
    return caught.value


def decoded_or_refused(value: str) -> dict | None:
    """Decode ``value``: a valid design, or None after a LinkError with a message; nothing else."""
    try:
        design = decode(value)
    except LinkError as error:
        assert str(error).strip(), "a LinkError without a message"
        return None
    assert is_valid(design)
    return design


# ----------------------------------------------------------------------------------------------- designs


NAMES = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,39}", fullmatch=True)
POSITIVE = st.floats(min_value=0, exclude_min=True, allow_nan=False, allow_infinity=False)
FRACTION = st.floats(min_value=0, max_value=1, exclude_min=True, exclude_max=True)
RATE = st.floats(min_value=0, max_value=1, exclude_max=True)  # 0 ≤ rate < 1


def _index(draw, items: list) -> int:
    return draw(st.integers(0, max(0, len(items) - 1)))


def _second_group(draw, design: dict) -> str:
    """An input group other than the first (the app offers removal only when there are several)."""
    groups = list(spec.input_groups(design))[1:]
    if not groups:
        raise LookupError("only one input group")
    return draw(st.sampled_from(groups))


# Each edit takes (draw, design) and returns the edited design; it may raise, or give an invalid
# design, which the generator then drops (as the app refuses such an edit).
EDITS = {
    "add_layer": lambda draw, d: edits.add_layer(
        d, draw(st.sampled_from(kinds.LAYER_TYPES)), draw(st.none() | st.integers(0, len(d.get("layers", []))))
    ),
    "remove_layer": lambda draw, d: edits.remove_layer(d, _index(draw, d["layers"])),
    "move_layer": lambda draw, d: edits.move_layer(d, _index(draw, d["layers"]), draw(st.sampled_from([-1, 1]))),
    "rename": lambda draw, d: edits.rename(d, draw(st.sampled_from(edits.all_names(d))), draw(NAMES)),
    "units": lambda draw, d: edits.set_field(
        d, "layers", _index(draw, d["layers"]), "units", draw(st.integers(1, 1024))
    ),
    "activation": lambda draw, d: edits.set_field(
        d, "layers", _index(draw, d["layers"]), "activation", draw(st.sampled_from(spec.ACTIVATIONS))
    ),
    "rate": lambda draw, d: edits.set_field(d, "layers", _index(draw, d["layers"]), "rate", draw(RATE)),
    "layer_from": lambda draw, d: edits.set_field(
        d, "layers", _index(draw, d["layers"]), "from", draw(st.sampled_from(edits.all_names(d)))
    ),
    "add_head": lambda draw, d: edits.add_head(d, draw(st.none() | st.sampled_from(datasets.IRIS.names))),
    "remove_head": lambda draw, d: edits.remove_head(d, _index(draw, d["heads"])),
    "head_target": lambda draw, d: edits.set_head_target(
        d, _index(draw, d["heads"]), draw(st.sampled_from(datasets.IRIS.names))
    ),
    "head_from": lambda draw, d: edits.set_field(
        d, "heads", _index(draw, d["heads"]), "from", draw(st.sampled_from(edits.all_names(d)))
    ),
    "head_loss": lambda draw, d: edits.set_field(
        d, "heads", _index(draw, d["heads"]), "loss", draw(st.sampled_from(spec.LOSSES))
    ),
    "loss_weight": lambda draw, d: edits.set_field(d, "heads", _index(draw, d["heads"]), "loss_weight", draw(POSITIVE)),
    "input_columns": lambda draw, d: edits.set_input_columns(
        d,
        draw(st.sampled_from(list(spec.input_groups(d)))),
        draw(st.lists(st.sampled_from(datasets.IRIS.numbers), unique=True)),
    ),
    "add_input_group": lambda draw, d: edits.add_input_group(d),
    "remove_input_group": lambda draw, d: edits.remove_input_group(d, _second_group(draw, d)),
    "optimizer": lambda draw, d: edits.set_training(d, "optimizer", draw(st.sampled_from(spec.OPTIMIZERS))),
    "learning_rate": lambda draw, d: edits.set_training(
        d, "learning_rate", draw(st.sampled_from([0.0003, 0.1, 1e-7, 0.30000000000000004]) | POSITIVE)
    ),
    "epochs": lambda draw, d: edits.set_training(d, "epochs", draw(st.integers(1, 2000))),
    "batch_size": lambda draw, d: edits.set_training(d, "batch_size", draw(st.integers(1, 1000))),
    "test_size": lambda draw, d: edits.set_training(d, "test_size", draw(FRACTION)),
    "validation_split": lambda draw, d: edits.set_training(d, "validation_split", draw(RATE)),
    "seed": lambda draw, d: edits.set_training(d, "seed", draw(st.integers(-(2**63), 2**63))),
    "early_stopping": lambda draw, d: edits.set_early_stopping(d, draw(st.booleans())),
    "patience": lambda draw, d: edits.set_training(d, "early_stopping_patience", draw(st.integers(1, 500))),
}


@st.composite
def designs(draw) -> dict:
    """A valid design: a preset after a run of random edits, each kept only if the result is valid."""
    design = draw(st.sampled_from(EDITABLE)).load()
    for _ in range(draw(st.integers(0, 15))):
        name = draw(st.sampled_from(sorted(EDITS)))
        try:
            candidate = EDITS[name](draw, design)
        except (LookupError, TypeError, ValueError):
            continue  # e.g. no layer to remove
        if is_valid(candidate):
            design = candidate
    assert is_valid(design)
    note(json.dumps(design))
    return design


def ten_layers_two_heads() -> dict:
    """Ten layers of every kind, two heads, non-default settings: a large design a learner might share."""
    design = next(p for p in PRESETS if p.key == "lecture_two_outputs").load()
    for kind in ("batch_norm", "dense", "dropout", "dense", "batch_norm", "dense", "dropout"):
        design = edits.add_layer(design, kind)
    design = edits.set_field(design, "layers", 1, "activation", "leaky_relu")
    design = edits.set_field(design, "layers", 4, "units", 64)
    design = edits.set_field(design, "heads", 1, "from", "hidden_4")
    design = edits.set_field(design, "heads", 1, "loss", "huber")
    design = edits.set_field(design, "heads", 1, "loss_weight", 0.25)
    for key, value in {"optimizer": "adamw", "learning_rate": 0.0003, "epochs": 250, "batch_size": 16}.items():
        design = edits.set_training(design, key, value)
    design = edits.set_early_stopping(design, True)
    assert len(design["layers"]) == 10 and len(design["heads"]) == 2
    assert is_valid(design), errors(validate(design))
    return design


# ------------------------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("preset", PRESETS, ids=PRESET_IDS)
def test_every_preset_round_trips_through_a_link(preset):
    design = preset.load()
    same(decode(encode(design)), design)
    same(links.from_query_string(links.query_string(design)), design)


@pytest.mark.parametrize("preset", PRESETS, ids=PRESET_IDS)
def test_every_preset_round_trips_through_a_design_file(preset):
    design = preset.load()
    same(spec.loads(spec.dumps(design)), design)


def test_the_link_value_needs_no_escaping_in_a_url():
    for preset in PRESETS:
        value = encode(preset.load())
        assert set(value) <= set(string.ascii_letters + string.digits + "-_"), value
        assert links.query_string(preset.load()) == f"?{links.PARAMETER}={value}"


@pytest.mark.parametrize("learning_rate", [0.0003, 0.1, 1e-7, 5e-324, 1 / 3, 0.30000000000000004, 2.5e3])
def test_float_settings_round_trip_exactly(learning_rate):
    design = edits.set_training(presets.default_design(), "learning_rate", learning_rate)
    design = edits.set_training(design, "test_size", 0.15)
    design = edits.set_field(design, "heads", 0, "loss_weight", 0.7)
    assert is_valid(design)
    for back in (decode(encode(design)), spec.loads(spec.dumps(design))):
        same(back, design)
        assert back["training"]["learning_rate"].hex() == learning_rate.hex()


def test_integers_and_floats_keep_their_types():
    design = edits.set_training(presets.default_design(), "learning_rate", 1.0)
    design = edits.set_field(design, "heads", 0, "loss_weight", 2)  # an int is a valid weight too
    for back in (decode(encode(design)), spec.loads(spec.dumps(design))):
        assert type(back["training"]["learning_rate"]) is float
        assert type(back["heads"][0]["loss_weight"]) is int


def test_generated_designs_are_varied():
    """The generator below reaches beyond the presets (else the property tests would prove little)."""
    seen = set()

    @given(designs())
    @settings(max_examples=100, deadline=None, database=None, derandomize=True)
    def collect(design):
        kinds = {layer.get("type", "dense") for layer in design["layers"]}
        seen.update(f"type:{kind}" for kind in kinds)
        seen.add(f"heads:{len(design['heads'])}")
        seen.add(f"groups:{len(spec.input_groups(design))}")
        seen.update(f"training:{key}" for key in design.get("training", {}))
        seen.add("new names" if not set(edits.all_names(design)) <= _preset_names() else "preset names")

    collect()
    for wanted in ("type:dropout", "type:batch_norm", "type:concatenate", "heads:2", "groups:2", "new names"):
        assert wanted in seen, sorted(seen)
    assert sum(item.startswith("training:") for item in seen) >= 4, sorted(seen)


def _preset_names() -> set[str]:
    return {name for preset in PRESETS for name in edits.all_names(preset.load())} | {"input"}


@SETTINGS
@given(designs())
def test_arbitrary_valid_designs_round_trip_through_a_link(design):
    same(decode(encode(design)), design)
    same(links.from_query_string(links.query_string(design)), design)


@SETTINGS
@given(designs())
def test_arbitrary_valid_designs_round_trip_through_a_design_file(design):
    same(spec.loads(spec.dumps(design)), design)


def test_a_ten_layer_two_head_design_makes_a_short_link():
    design = ten_layers_two_heads()
    query = links.query_string(design)
    assert len(query) < 1_000, len(query)
    same(links.from_query_string(query), design)


# ----------------------------------------------------------------------------------------- tampered links


@pytest.mark.parametrize("preset", PRESETS, ids=PRESET_IDS)
def test_every_truncation_is_refused_or_harmless(preset):
    """Cutting a link short never crashes; at most the checksum is lost and the same design comes back."""
    design = preset.load()
    value = encode(design)
    for end in range(len(value)):
        back = decoded_or_refused(value[:end])
        assert back is None or back == design, end


@pytest.mark.parametrize("preset", PRESETS, ids=PRESET_IDS)
def test_every_bit_flip_in_the_compressed_bytes_is_refused(preset):
    design = preset.load()
    packed = zlib.compress(json.dumps(design, separators=(",", ":")).encode(), 9)
    assert b64(packed) == encode(design)
    for position in range(len(packed)):
        for bit in range(8):
            flipped = bytearray(packed)
            flipped[position] ^= 1 << bit
            back = decoded_or_refused(b64(bytes(flipped)))
            assert back is None or back == design, (position, bit)


@pytest.mark.parametrize("preset", PRESETS, ids=PRESET_IDS)
def test_every_bit_flip_in_the_link_text_is_refused_or_harmless(preset):
    """A flipped bit of a character (which may become any ASCII or non-ASCII character)."""
    design = preset.load()
    value = encode(design)
    for position in range(len(value)):
        for bit in range(8):
            text = value[:position] + chr(ord(value[position]) ^ (1 << bit)) + value[position + 1 :]
            back = decoded_or_refused(text)
            # The last character carries a few unused bits; flipping one of them changes nothing.
            assert back is None or back == design, (position, bit)


@SETTINGS
@given(st.sampled_from(PRESETS), st.data())
def test_random_damage_is_refused_or_harmless(preset, data):
    """Several flips, cuts and insertions at once."""
    design = preset.load()
    text = list(encode(design))
    for _ in range(data.draw(st.integers(1, 6))):
        position = data.draw(st.integers(0, len(text) - 1))
        action = data.draw(st.sampled_from(["flip", "delete", "insert", "cut"]))
        if action == "flip":
            text[position] = chr(ord(text[position]) ^ (1 << data.draw(st.integers(0, 7))))
        elif action == "delete" and len(text) > 1:
            del text[position]
        elif action == "insert":
            text.insert(position, data.draw(st.characters(codec="utf-8")))
        elif action == "cut":
            del text[max(1, position) :]
    back = decoded_or_refused("".join(text))
    assert back is None or back == design


@pytest.mark.parametrize(
    "value",
    ["!!!!", "not a link", "%7B%22version%22%3A1%7D", "design=abc", "A", "é", "😀😀😀😀", "abc\x00def", " ", "===="],
)
def test_text_that_is_not_base64_is_refused(value):
    refused(value)


@pytest.mark.parametrize("data", [b"", b"\x00", b"hello world", bytes(range(256)), b'{"version": 1}', b"x\x9c\x00"])
def test_base64_of_bytes_that_are_not_zlib_is_refused(data):
    assert "damaged" in str(refused(b64(data) or "AA"))


@pytest.mark.parametrize("data", [b"", b"hello", b"\xff\xfe\xfd", b"{'version': 1}", b'{"version": 1', b"[" * 100_000])
def test_zlib_of_text_that_is_not_json_is_refused(data):
    message = str(refused(pack(data)))
    assert "JSON" in message or "design" in message


@pytest.mark.parametrize("data", ["[]", '"design"', "1", "null", "true", '[{"version": 1}]'])
def test_json_that_is_not_an_object_is_refused(data):
    assert "a design must be a JSON object" in str(refused(pack(data.encode())))


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("layers[0].units", lambda d: edits.set_field(d, "layers", 0, "units", 0)),
        ("layers[1].activation", lambda d: edits.set_field(d, "layers", 1, "activation", "eval")),
        ("layers[2].name", lambda d: edits.set_field(d, "layers", 2, "name", "hidden_1")),
        ("heads[0].loss", lambda d: edits.set_field(d, "heads", 0, "loss", "__import__('os')")),
        ("heads[0].target", lambda d: edits.set_field(d, "heads", 0, "target", "colour")),
        ("training.learning_rate", lambda d: edits.set_training(d, "learning_rate", -0.0003)),
        ("training.epochs", lambda d: edits.set_training(d, "epochs", 1e9)),
        ("inputs[1]", lambda d: {**d, "inputs": ["sepal_length", "sepal_length"]}),
        ("version", lambda d: {**d, "version": 2}),
        ("extra", lambda d: {**d, "extra": True}),
    ],
)
def test_a_design_with_an_invalid_field_is_refused_naming_the_field(field, change):
    design = change(presets.default_design())
    assert not is_valid(design)
    message = str(refused(encode(design)))
    assert message.startswith("the link's design is not valid: ")
    named = [problem for problem in errors(validate(design)) if problem.field == field]
    if field == "version":  # the parser refuses another version before validation, in its own words
        assert "version must be 1" in message
    else:
        assert named and parsing.bounded([named[0].on_page])[0] in message  # in the page's words, as shown


@SETTINGS
@given(
    designs(),
    st.data(),
    st.recursive(
        st.none() | st.booleans() | st.integers(-(2**64), 2**64) | st.floats() | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
        max_leaves=8,
    ),
)
def test_any_value_in_any_field_is_refused_naming_the_field_or_accepted(design, data, value):
    """An arbitrary JSON value in one field of a valid design: it comes back if valid, else the field is named."""
    entry = data.draw(st.sampled_from([design, *design["layers"], *design["heads"], design.setdefault("training", {})]))
    key = data.draw(st.sampled_from(sorted({*entry, "name", "from", "units", "rate", "loss_weight", "type"})))
    entry[key] = value
    problems = errors(validate(design))
    try:
        back = decode(encode(design))
    except LinkError as error:
        assert problems, "refused a valid design"
        if any(problem.field == "version" for problem in problems):
            assert "version must be 1" in str(error)  # the parser's refusal, before validation
            return
        # The first few problems are named in the page's words (control characters spelled out), the rest counted.
        for problem in problems[: parsing.MAX_SHOWN]:
            assert parsing.bounded([problem.on_page])[0] in str(error)
        if len(problems) > parsing.MAX_SHOWN:
            assert f"…and {len(problems) - parsing.MAX_SHOWN:,} more problem" in str(error)
        return
    assert not problems
    same(back, design)


def test_a_value_longer_than_the_cap_is_refused_unread():
    message = str(refused("A" * (MAX_LINK_CHARACTERS + 1)))
    assert "too long" in message and f"{MAX_LINK_CHARACTERS:,}" in message
    # Just under the cap, the same text is read (and found damaged), so the cap is where it says.
    assert "too long" not in str(refused("A" * MAX_LINK_CHARACTERS))


def test_a_valid_design_padded_past_the_json_cap_is_refused():
    text = json.dumps(presets.default_design())
    value = pack((text + " " * (MAX_JSON_BYTES + 1 - len(text))).encode())
    assert len(value) <= MAX_LINK_CHARACTERS
    assert f"unpacks to more than {MAX_JSON_BYTES:,} bytes" in str(refused(value))


@pytest.fixture(scope="module")
def bomb() -> str:
    """50 MB of zeros, zlib-compressed (about 49 KB) and base64-encoded (about 65,000 characters)."""
    return pack(bytes(50_000_000))


def test_a_zlib_bomb_is_refused_quickly(bomb):
    start = time.perf_counter()
    message = str(refused(bomb))
    assert time.perf_counter() - start < 1.0
    assert "too long" in message  # it does not even get to zlib


def test_a_zlib_bomb_is_not_inflated_even_without_the_length_cap(bomb, monkeypatch):
    """Lift the length cap so the 50 MB bomb reaches zlib: it is still refused, fast and in little memory."""
    monkeypatch.setattr(links, "MAX_LINK_CHARACTERS", 10**9)
    tracemalloc.start()
    try:
        start = time.perf_counter()
        message = str(refused(bomb))
        seconds = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert f"unpacks to more than {MAX_JSON_BYTES:,} bytes" in message
    assert seconds < 1.0
    assert peak < 5_000_000, f"{peak:,} bytes at the peak: the bomb was inflated"


@pytest.mark.parametrize("size", [MAX_JSON_BYTES + 1, 1_000_000, 5_000_000])
def test_a_bomb_that_fits_in_a_link_is_refused(size):
    value = pack(b" " * size)
    assert len(value) <= MAX_LINK_CHARACTERS
    assert f"unpacks to more than {MAX_JSON_BYTES:,} bytes" in str(refused(value))


def test_a_design_of_exactly_the_json_cap_is_read():
    text = json.dumps(presets.default_design())
    text += " " * (MAX_JSON_BYTES - len(text))
    same(decode(pack(text.encode())), presets.default_design())


def test_deep_nesting_is_refused():
    refused(pack(b'{"version": 1, "x": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"))


def test_a_query_string_without_a_design_is_refused():
    for query in ("", "?", "?other=1", "?design=", "?Design=abc"):
        with pytest.raises(LinkError, match="parameter"):
            links.from_query_string(query)


def test_every_refusal_message_can_be_shown():
    value = pack(b'{"version": 1, "dataset": "\\ud800", "heads": [{"name": "species", "target": "species"}]}')
    refused(value).args[0].encode("utf-8")


@SETTINGS
@given(st.text(max_size=300) | st.text(alphabet=string.ascii_letters + string.digits + "-_=", max_size=300))
def test_arbitrary_text_is_a_valid_design_or_a_link_error(text):
    decoded_or_refused(text)


@SETTINGS
@given(st.binary(max_size=400))
def test_arbitrary_bytes_are_a_valid_design_or_a_link_error(data):
    decoded_or_refused(b64(data))
    decoded_or_refused(pack(data))


@SETTINGS
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(st.characters(codec="utf-8")),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(st.characters(codec="utf-8")), inner),
        max_leaves=20,
    )
)
def test_arbitrary_json_is_a_valid_design_or_a_link_error(value):
    try:
        text = json.dumps(value, ensure_ascii=False)
    except ValueError:
        assume(False)  # an integer too long to write
    decoded_or_refused(pack(text.encode("utf-8")))
