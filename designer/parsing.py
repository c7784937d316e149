"""Untrusted design text (a link, an uploaded file, a file on the command line) to a design dict, in one place.

:func:`parse_design` refuses, in this order and before any validation sees the
design: more than :data:`MAX_DESIGN_BYTES` bytes, text that is not UTF-8, then,
counted on the text in linear time before the JSON parser recurses or builds
anything, lists and objects nested more than :data:`MAX_DEPTH` deep, numbers of
more than :data:`MAX_DIGITS` digits, and text whose commas and brackets show it
holds more than :data:`MAX_PARSED_VALUES` values; then text that is not JSON,
JSON that is not an object, a format version this app does not read, and
designs too big for any valid one: more than :data:`designer.spec.MAX_LAYERS`
layers or :data:`designer.spec.MAX_HEADS` heads, more inputs or columns than
Iris has measurements, texts longer than :data:`MAX_TEXT_CHARACTERS` (an exercise's task:
:data:`LONG_TEXTS`), or more
than :data:`MAX_VALUES` JSON values in all. So
:func:`designer.validation.validate` only ever sees a design of a size a
learner could have made, and its cost and its list of problems stay small.
The worst a share link can carry is refused in a few milliseconds
(``benchmarks/hostile_links.py``).

Each refusal is a :class:`DesignTextError` whose message is a clause naming
what was wrong and, as Keras' messages do, what was received:
``layers must have at most 32 layers. Received: 4,000 layers``.

:func:`bounded` turns a list of messages into the few that are shown, each
of bounded length and with control and bidirectional characters escaped
(:func:`escape_controls`), then how many more there are.

Pure Python: no Streamlit, no TensorFlow.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Sequence
from itertools import accumulate
from pathlib import Path

from designer import datasets, spec

MAX_DESIGN_BYTES = 100_000  # the most a design may be, as a file, an upload, or what a link unpacks to
MAX_DEPTH = 32  # lists and objects inside each other; a valid design nests 4 deep
MAX_DIGITS = 100  # digits in a row in one number (2**64 has 20)
MAX_TEXT_CHARACTERS = 100  # any string, key or value; a valid name has at most 40 characters
LONG_TEXTS = {("exercise", "task"): spec.MAX_EXERCISE_TASK}  # the texts allowed to be longer, by their place
MAX_VALUES = 2_000  # JSON values in all (objects, lists, strings, numbers, ...); a valid design has under 1,000
MAX_PARSED_VALUES = 5 * MAX_VALUES  # text that surely holds more is refused unparsed (its commas and brackets tell)
MAX_INPUTS = 16  # named inputs: each takes at least one column, none twice
MAX_COLUMNS = datasets.MAX_TABLE_COLUMNS  # columns of one input: the widest table's

MAX_SHOWN = 5  # messages shown of a refusal; the rest are counted
MAX_MESSAGE_CHARACTERS = 400  # of one shown message

# Kinds of refusal, for callers that word the context differently (a link is "damaged", a file is "not JSON").
SIZE, ENCODING, DEPTH, NUMBER, JSON, OBJECT, VERSION, STRUCTURE = (
    "size", "encoding", "depth", "number", "json", "object", "version", "structure",
)  # fmt: skip
UNREADABLE = (SIZE, ENCODING, DEPTH, NUMBER, JSON)  # the text cannot be read as a design at all


class DesignTextError(ValueError):
    """Design text that is refused before validation; ``str(error)`` says what is wrong and what was received.

    ``reason`` is one of the reasons above, for callers that frame the message (:data:`UNREADABLE` ones are text
    that is no design at all; the others are a design that is not this app's, or far too big).
    """

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.message = message
        self.reason = reason


# ------------------------------------------------------------------------------------------- showing text

# C0 and C1 controls, DEL, the line and paragraph separators, lone surrogates, and the bidirectional
# controls (embeddings and overrides U+202A–U+202E, isolates U+2066–U+2069, the marks U+200E, U+200F and
# U+061C), which would reorder the rest of a terminal line or of a message box.
CONTROL_CHARACTERS = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def escape_controls(text: str) -> str:
    """``text`` with every control, bidirectional control and lone surrogate spelled out, as ``\\u202e``."""
    return CONTROL_CHARACTERS.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def shorten(text: str, width: int = MAX_MESSAGE_CHARACTERS) -> str:
    """``text`` escaped (:func:`escape_controls`) and cut to at most ``width`` characters, ending ``…`` if cut."""
    text = escape_controls(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def bounded(
    messages: Sequence[object], limit: int = MAX_SHOWN, width: int = MAX_MESSAGE_CHARACTERS, noun: str = "problem"
) -> list[str]:
    """The first ``limit`` messages, each :func:`shorten`-ed, then ``…and K more problems`` if there are more."""
    shown = [shorten(str(message), width) for message in messages[:limit]]
    rest = len(messages) - len(shown)
    if rest > 0:
        shown.append(f"…and {rest:,} more {noun}{'' if rest == 1 else 's'}")
    return shown


def show(value: object, width: int = 60) -> str:
    """A value as JSON, escaped and shortened: for the ``Received:`` part of a message."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return shorten(text, width)


# ------------------------------------------------------------------------------------------------ parsing

# A JSON string, or an unterminated one running to the end of the text (so the search never backtracks over it).
_STRING = re.compile(r'"(?:[^"\\]|\\.)*+(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_LONG_NUMBER = re.compile(rf"(?<!\d)\d{{{MAX_DIGITS + 1}}}")  # from the start of a run of digits only: linear
_DIGIT_RUN = re.compile(r"\d+")


def parse_design(data: str | bytes, received_bytes: int | None = None) -> dict:
    """The design in untrusted ``data`` (UTF-8 bytes or text), not yet validated; else :class:`DesignTextError`.

    ``received_bytes`` is the size of the whole input when ``data`` holds only its first part (a file read
    no further than the cap).
    """
    text = _text(data, received_bytes)
    _check_text(text)
    try:
        design = json.loads(text)
    except (ValueError, RecursionError) as error:  # RecursionError cannot happen below MAX_DEPTH; kept as a guard
        raise DesignTextError(_json_message(error, text), JSON) from None
    _check_object(design)
    _check_structure(design)
    return design


def parse_json(data: str | bytes) -> object:
    """Untrusted JSON that is not a design (a result link's figures), under the same caps of size,
    nesting, numbers and values as a design; :class:`DesignTextError` otherwise."""
    text = _text(data, None)
    _check_text(text)
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise DesignTextError(_json_message(error, text), JSON) from None
    if isinstance(value, (dict, list)):
        _check_values(value if isinstance(value, dict) else {"": value})
    return value


def read_design_file(path: str | Path) -> dict:
    """Read and parse a design file, reading no more than the cap allows; ``OSError`` if it cannot be read."""
    with open(path, "rb") as file:
        data = file.read(MAX_DESIGN_BYTES + 1)
        size = None
        if len(data) > MAX_DESIGN_BYTES:
            info = os.fstat(file.fileno())
            size = info.st_size if info.st_size > MAX_DESIGN_BYTES else None
    return parse_design(data, size)


def _text(data: str | bytes, received_bytes: int | None) -> str:
    if isinstance(data, str):
        size = len(data) if len(data) > MAX_DESIGN_BYTES else len(data.encode("utf-8", "surrogatepass"))
        unit = "characters" if len(data) > MAX_DESIGN_BYTES else "bytes"
    elif isinstance(data, (bytes, bytearray, memoryview)):
        data = bytes(data)
        size, unit = len(data), "bytes"
    else:
        raise DesignTextError(f"a design must be text. Received: {type(data).__name__}", ENCODING)
    if size > MAX_DESIGN_BYTES:
        if received_bytes is not None:
            size, unit = received_bytes, "bytes"
        raise DesignTextError(f"a design is at most {MAX_DESIGN_BYTES:,} bytes. Received: {size:,} {unit}", SIZE)
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        bad = data[error.start : error.start + 1].hex()
        raise DesignTextError(
            f"a design must be UTF-8 text. Received: byte 0x{bad} at position {error.start:,}, which is not UTF-8",
            ENCODING,
        ) from None


def _check_text(text: str) -> None:
    """Nesting depth and number lengths, counted on the text outside its strings (linear; before json.loads)."""
    outside = _STRING.sub('""', text)
    brackets = _NOT_BRACKET.sub("", outside)
    depth = max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0)
    if depth > MAX_DEPTH:
        raise DesignTextError(
            f"a design nests lists and objects at most {MAX_DEPTH} deep. Received: {depth:,} levels of nesting",
            DEPTH,
        )
    long = _LONG_NUMBER.search(outside)
    if long:
        digits = _DIGIT_RUN.match(outside, long.start()).end() - long.start()
        raise DesignTextError(
            f"a number in a design has at most {MAX_DIGITS} digits. Received: a number of {digits:,} digits", NUMBER
        )
    # Every comma outside strings starts another value, every opening bracket is one: a lower bound on the
    # values, so that text which surely holds far too many is never turned into Python objects at all.
    at_least = max(outside.count(",") + 1, len(brackets) - brackets.count("]") - brackets.count("}"))
    if at_least > MAX_PARSED_VALUES:
        raise _too_many_values(f"at least {at_least:,}")


def _json_message(error: Exception, text: str) -> str:
    if not text.strip():
        return "a design must be JSON text. Received: an empty text"
    if isinstance(error, json.JSONDecodeError):
        where = error.pos
        excerpt = text[max(0, where - 20) : where + 20]
        excerpt = ("…" if where > 20 else "") + excerpt + ("…" if where + 20 < len(text) else "")
        detail = error.msg[:1].lower() + error.msg[1:]
        return (
            f"a design must be JSON text, but it has an error at line {error.lineno}, column {error.colno}: "
            f"{detail}. Received: {show(excerpt)}"
        )
    return f"a design must be JSON text. Received: text that is not JSON ({shorten(str(error), 100)})"


def _what(value: object) -> str:
    if isinstance(value, list):
        return f"a list of {len(value):,} value{'' if len(value) == 1 else 's'}"
    if isinstance(value, str):
        return f"a string of {len(value):,} character{'' if len(value) == 1 else 's'}"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return "a number"


def _check_object(design: object) -> None:
    if not isinstance(design, dict):
        raise DesignTextError(f"a design must be a JSON object, got {show(design)}. Received: {_what(design)}", OBJECT)
    if "version" not in design:
        raise DesignTextError(
            f'a design must say which version of the format it is in ("version": {spec.FORMAT_VERSION}). '
            'Received: an object without "version"',
            VERSION,
        )
    version = design["version"]
    if not (isinstance(version, int) and not isinstance(version, bool) and version == spec.FORMAT_VERSION):
        raise DesignTextError(
            f"version must be {spec.FORMAT_VERSION}, the only version of the design format this app reads. "
            f"Received: version={show(version)}",
            VERSION,
        )


def _structure(message: str) -> DesignTextError:
    return DesignTextError(message, STRUCTURE)


def _check_structure(design: dict) -> None:
    """The caps no valid design comes near, checked before validation (cheap ones first)."""
    layers, heads = design.get("layers"), design.get("heads")
    if isinstance(layers, list) and len(layers) > spec.MAX_LAYERS:
        raise _structure(f"layers must have at most {spec.MAX_LAYERS} layers. Received: {len(layers):,} layers")
    if isinstance(heads, list) and len(heads) > spec.MAX_HEADS:
        raise _structure(f"heads must have at most {spec.MAX_HEADS} heads. Received: {len(heads):,} heads")
    inputs = design.get("inputs")
    if isinstance(inputs, list) and len(inputs) > MAX_COLUMNS:
        raise _structure(
            f"inputs must list at most {MAX_COLUMNS} columns (no dataset has more). Received: {len(inputs):,} columns"
        )
    if isinstance(inputs, dict):
        if len(inputs) > MAX_INPUTS:
            raise _structure(f"inputs must have at most {MAX_INPUTS} named inputs. Received: {len(inputs):,} inputs")
        for name, columns in inputs.items():
            if isinstance(columns, list) and len(columns) > MAX_COLUMNS:
                raise _structure(
                    f"{_path(('inputs', name))} must list at most {MAX_COLUMNS} columns. "
                    f"Received: {len(columns):,} columns"
                )
    _check_values(design)


def _check_values(design: dict) -> None:
    """At most MAX_VALUES values, no text longer than MAX_TEXT_CHARACTERS; stops at the first excess."""
    count = 1
    stack: list[tuple[object, tuple]] = [(design, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            limit = LONG_TEXTS.get(path, MAX_TEXT_CHARACTERS)
            if len(value) > limit:
                raise _too_long(_path(path), value, limit)
        elif isinstance(value, (dict, list)):
            count += len(value)  # counted before any is looked at, so a long list is refused unread
            if count > MAX_VALUES:
                raise _too_many_values(f"more than {MAX_VALUES:,}")
            if isinstance(value, dict):
                for key, item in reversed(value.items()):
                    if len(key) > MAX_TEXT_CHARACTERS:
                        raise _too_long(f"a field name in {_path(path)}" if path else "a field name", key)
                    stack.append((item, (*path, key)))
            else:
                stack.extend((item, (*path, i)) for i, item in reversed(list(enumerate(value))))


def _too_many_values(received: str) -> DesignTextError:
    return _structure(
        f"a design holds at most {MAX_VALUES:,} values (objects, lists, texts, numbers). Received: {received} values"
    )


def _too_long(where: str, text: str, limit: int = MAX_TEXT_CHARACTERS) -> DesignTextError:
    return _structure(f"{where} must be at most {limit:,} characters long. Received: {len(text):,} characters")


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,39}")


def _path(path: tuple) -> str:
    """A place in a design as validation names it: ``layers[3].name``, ``inputs.left``; ``the design`` for ()."""
    if not path:
        return "the design"
    parts = []
    for step in path:
        if isinstance(step, int):
            parts.append(f"[{step}]")
        elif _NAME.fullmatch(step):
            parts.append(f".{step}" if parts else step)
        else:
            parts.append(f"[{show(step, 40)}]")
    return "".join(parts)


# --------------------------------------------------------------------------------------- a map's plane

# A link's map part: ``x=Age,y=Height%20cm,at.Weight=61.5,at.Sex='female'``. The axes' columns, and after
# ``at.`` each held column, are percent-encoded (:func:`designer.sinks.url_text`), so that any name survives,
# a comma, an equals sign, a column named x or y included; a held number is written as Python writes a float
# (it reads back exactly), a held category between quotes (which percent-encoding never leaves bare). Links of
# the first form, ``x=petal_length,y=sepal_length,sepal_width=3.4``, held names bare, still read.
AXES = ("x", "y")
HELD = "at."  # before a held column's name
QUOTE = "'"  # around a held category's value
_ENCODED_CHARACTERS = 12  # the most a character takes percent-encoded: 4 UTF-8 bytes, each %XX
MAX_MAP_NAME = _ENCODED_CHARACTERS * datasets.MAX_COLUMN_NAME  # an encoded name or category of 60 characters
MAX_MAP_PART = len(HELD) + MAX_MAP_NAME + len("=") + 2 * len(QUOTE) + MAX_MAP_NAME
MAX_MAP_PARTS = MAX_COLUMNS  # the axes and the held columns: at most one part per input column
MAX_MAP_TEXT = MAX_MAP_PARTS * (MAX_MAP_PART + 1)  # characters of a link's map part: every valid one fits
MAP_SETTING = re.compile(r"[a-z_]{1,40}")  # a held column's name as the first form wrote it, bare
ENCODED_TEXT = re.compile(r"(?:[A-Za-z0-9_.~-]|%[0-9A-Fa-f]{2})+")  # what url_text writes
NUMBER_TEXT = re.compile(r"[+-]?(\d{1,20}(\.\d{0,25})?|\.\d{1,25})([eE][+-]?\d{1,3})?")  # any float repr writes


class MapTextError(ValueError):
    """A link's map part that cannot be read; the message says what was received."""


def parse_map_text(text: str) -> dict:
    """A link's map part, ``x=petal_length,y=sepal_length,at.sepal_width=3.4``, as plane settings.

    Returns ``{"x": ..., "y": ..., "at": {column: value}}`` with only the parts
    given; a held value that is neither a number nor a quoted category is kept
    as text, for :func:`designer.maps.plane` to refuse by name. Too long a
    text, or a part that is not ``name=value``, is a :class:`MapTextError`.
    """
    from designer.sinks import from_url_text  # here: designer.sinks imports this module

    if len(text) > MAX_MAP_TEXT:
        raise MapTextError(
            f"the map part of a link must be at most {MAX_MAP_TEXT:,} characters. Received: {len(text):,}"
        )
    parts = [part for part in text.split(",") if part]
    if len(parts) > MAX_MAP_PARTS:
        raise MapTextError(
            f"the map part of a link must have at most {MAX_MAP_PARTS} parts, one per column. Received: {len(parts):,}"
        )
    settings: dict = {}
    for part in parts:
        name, equals, value = part.partition("=")
        if equals and name in AXES and (not value or ENCODED_TEXT.fullmatch(value)):
            settings[name] = from_url_text(value)
        elif equals and name.startswith(HELD) and ENCODED_TEXT.fullmatch(name[len(HELD) :]):
            settings.setdefault("at", {})[from_url_text(name[len(HELD) :])] = _held_value(value)
        elif equals and MAP_SETTING.fullmatch(name) and name not in AXES:  # the first form: a bare name
            settings.setdefault("at", {})[name] = float(value) if NUMBER_TEXT.fullmatch(value) else value
        else:
            raise MapTextError(
                f"the map part of a link must be like x=petal_length,y=petal_width. Received: {show(part)}"
            )
    return settings


def _held_value(value: str) -> float | str:
    """A held column's value: a number, a category between quotes, else the text (for the plane to refuse)."""
    from designer.sinks import from_url_text

    if NUMBER_TEXT.fullmatch(value):
        return float(value)
    if len(value) >= 2 * len(QUOTE) and value.startswith(QUOTE) and value.endswith(QUOTE):
        return from_url_text(value[len(QUOTE) : -len(QUOTE)])
    return from_url_text(value)


def map_text(settings: dict) -> str:
    """Plane settings as a link's map part: the inverse of :func:`parse_map_text`.

    Every name and category is percent-encoded and every number written in
    full, so the settings read back exactly (a value that is not a finite
    number or a text is left out: no plane holds one).
    """
    from designer.sinks import url_text

    parts = [f"{axis}={url_text(settings[axis])}" for axis in AXES if settings.get(axis)]
    for column, value in settings.get("at", {}).items():
        if isinstance(value, str):
            written = f"{QUOTE}{url_text(value)}{QUOTE}"
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            written = repr(float(value))
        else:
            continue
        parts.append(f"{HELD}{url_text(column)}={written}")
    return ",".join(parts)


def json_ready(value: object) -> object:
    """``value`` (dicts, lists, tuples, numbers, texts; NumPy arrays and numbers too) for strict JSON: every
    number that is not finite (NaN, infinity) becomes None, which JSON writes as ``null``.

    ``json.dump(json_ready(value), file, allow_nan=False)`` then writes what
    every JSON reader takes: a map of a diverged network, or the history of a
    run whose loss became infinite, has ``null`` where Python would write
    ``NaN``.
    """
    if isinstance(value, dict):
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(item) for item in value]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):  # a NumPy array or number
        return json_ready(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
