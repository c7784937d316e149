"""Share links: the whole design in a URL query parameter, and back.

The design's compact JSON is compressed with zlib and written in URL-safe
base64, so a 10-layer design with two heads stays well under 1,000
characters. Reading a link treats it as data only: it is decoded, size-capped,
parsed by :func:`designer.parsing.parse_design` (which refuses oversized and
hostile designs before validation) and validated, never evaluated or unpickled.
A refusal names at most a few problems, each of bounded length.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from urllib.parse import parse_qs, urlencode

from designer import parsing, results
from designer.validation import errors, validate

PARAMETER = "design"
RESULT = "result"  # a result link's claimed figures (see designer.results.claims)
PROJECTOR = "projector"  # the app's projector mode: a way of showing the design, not part of it
PROJECTOR_ON = "true"
MAX_LINK_CHARACTERS = 8_000
MAX_JSON_BYTES = parsing.MAX_DESIGN_BYTES  # the most a link may unpack to, as for a design file


class LinkError(ValueError):
    """A link that does not hold a valid design; the message says what is wrong."""


def encode(design: dict) -> str:
    """The link value of a design: compact JSON, zlib-compressed, URL-safe base64 without padding."""
    text = json.dumps(design, separators=(",", ":"), ensure_ascii=False)
    packed = zlib.compress(text.encode("utf-8"), level=9)
    return base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def _unpack(value: str, part: str) -> bytes:
    """The JSON bytes of a link value, size-capped; :class:`LinkError` if there are none or they cannot be decoded."""
    if not isinstance(value, str) or not value:
        raise LinkError(f"the link holds no {part}")
    if len(value) > MAX_LINK_CHARACTERS:
        raise LinkError(f"the link is too long ({len(value):,} characters; at most {MAX_LINK_CHARACTERS:,})")
    try:
        packed = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        unpacker = zlib.decompressobj()
        raw = unpacker.decompress(packed, MAX_JSON_BYTES + 1)
    except (binascii.Error, ValueError, zlib.error):
        raise LinkError(f"the link is damaged: its {part} part cannot be decoded") from None
    if len(raw) > MAX_JSON_BYTES or unpacker.unconsumed_tail:
        raise LinkError(f"the link unpacks to more than {MAX_JSON_BYTES:,} bytes")
    return raw


def decode(value: str) -> dict:
    """The design in a link value; raises :class:`LinkError` unless it is a valid design."""
    raw = _unpack(value, "design")
    try:
        design = parsing.parse_design(raw)
    except parsing.DesignTextError as error:
        where = "the link is damaged: " if error.reason in parsing.UNREADABLE else "the link's design is not valid: "
        raise LinkError(where + parsing.shorten(error.message)) from None
    found = errors(validate(design))
    if found:
        raise LinkError("the link's design is not valid: " + "; ".join(parsing.bounded([p.on_page for p in found])))
    return design


def decode_result(value: str) -> dict:
    """The figures a result link claims (:func:`designer.results.claims`); :class:`LinkError` unless readable."""
    raw = _unpack(value, "result")
    try:
        result = parsing.parse_json(raw)
    except parsing.DesignTextError as error:
        raise LinkError("the link's result is damaged: " + parsing.shorten(error.message)) from None
    if found := results.claim_problems(result):
        raise LinkError("the link's result cannot be read: " + "; ".join(parsing.bounded(found)))
    return result


def result_query_string(design: dict, result: dict, projector: bool = False) -> str:
    """The query string of a result link: the design, the run's figures it claims, and the mode."""
    return query_string(design, projector) + "&" + urlencode({RESULT: encode(result)})


def query_string(design: dict, projector: bool = False) -> str:
    """The query string of a share link, starting with ``?``; ``projector`` opens it in projector mode."""
    return "?" + urlencode({PARAMETER: encode(design), **({PROJECTOR: PROJECTOR_ON} if projector else {})})


def from_query_string(query: str) -> dict:
    """The design in a query string such as :func:`query_string` returns."""
    values = parse_qs(query.removeprefix("?")).get(PARAMETER)
    if not values:
        raise LinkError(f"the link has no {PARAMETER!r} parameter")
    return decode(values[0])


def result_from_query_string(query: str) -> dict | None:
    """The claimed figures in a query string, or None if it has no result part (:class:`LinkError` if unreadable)."""
    values = parse_qs(query.removeprefix("?")).get(RESULT)
    return decode_result(values[0]) if values else None
