"""Hostile links: the worst designs an 8 KB share link can carry, decoded and refused (target: each under 50 ms).

What: the server-side time of ``links.decode`` on a link a stranger crafted,
from the query parameter to the LinkError the Design page shows. Before
designer/parsing.py, a 135-character link of 4,000 empty layers kept the
server busy 21.7 s, and one of 33,000 layers was still being decoded after
600 s.

How: each case is the largest of its kind that fits both caps, a link of at
most ``links.MAX_LINK_CHARACTERS`` (8,000) characters that unpacks to at most
``links.MAX_JSON_BYTES`` (100,000) bytes, compressed as ``links.encode`` does
(zlib level 9, URL-safe base64): many empty layers, nesting 50,000 deep,
nesting at the cap repeated, numbers of 100 digits (the most allowed) and of
99,000 digits, names and field names of the longest allowed length, names
full of bidirectional controls and lone surrogates, the most values a design
may hold with the most validation work in them, duplicate keys, strings of
brackets and of escaped quotes. Each is timed as the median of ``--repeats``
decodes (after a warm-up), side by side with the reference: decoding the
lecture's valid design, in the same run. The upload path
(``ui.sharing.read_upload`` on the same unpacked bytes) is timed beside it.

    python benchmarks/hostile_links.py [--repeats 31]

Prints a table and writes ``benchmarks/results/hostile_links.json``. Always
exits 0: it is a measurement.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import statistics
import time
import zlib
from collections.abc import Callable
from pathlib import Path

from report import run_benchmark, write_results

from designer import links, parsing, presets, spec

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "hostile_links.json"
TARGET_MS = 50.0
HEAD = '{"name":"species","target":"species"}'


def pack(data: bytes) -> str:
    """Bytes as a link value, as links.encode packs a design's JSON."""
    return base64.urlsafe_b64encode(zlib.compress(data, 9)).decode("ascii").rstrip("=")


def values(data: bytes) -> int:
    """How many JSON values ``data`` holds (keys not counted)."""
    count, stack = 0, [json.loads(data)]
    while stack:
        value = stack.pop()
        count += 1
        stack.extend(value.values() if isinstance(value, dict) else value if isinstance(value, list) else ())
    return count


def fits(data: bytes, validated: bool = False) -> bool:
    """Whether a link can carry ``data``; ``validated``: and the parser lets it through to validation."""
    if len(data) > links.MAX_JSON_BYTES or len(pack(data)) > links.MAX_LINK_CHARACTERS:
        return False
    return not validated or values(data) <= parsing.MAX_VALUES


def largest(build: Callable[[int], bytes], high: int = 200_000, validated: bool = False) -> bytes:
    """``build(n)`` for the largest ``n`` whose link fits (``build`` grows with ``n``); see :func:`fits`."""
    low = 0
    while low < high:
        middle = (low + high + 1) // 2
        if fits(build(middle), validated):
            low = middle
        else:
            high = middle - 1
    data = build(low)
    assert fits(data, validated), "even the smallest case does not fit"
    return data


def name(i: int, length: int = 40, stem: str = "n") -> str:
    return (stem * length)[: length - 6] + f"{i:06d}"


def cases() -> dict[str, bytes]:
    """Each case's JSON bytes, the largest of its kind that a link can carry."""
    lecture = json.loads(json.dumps(presets.default_design()))
    return {
        "empty layers": largest(
            lambda n: b'{"version":1,"layers":[' + b"{}," * n + b'{}],"heads":[' + HEAD.encode() + b"]}"
        ),
        "4,000 empty layers (the issue's link)": (
            b'{"version":1,"layers":[' + b"{}," * 3_999 + b'{}],"heads":[' + HEAD.encode() + b"]}"
        ),
        "nesting 50,000 deep": largest(lambda n: b"[" * n + b"]" * n),
        "nesting never closed": largest(lambda n: b'{"version":1,"x":' + b"[" * n),
        "nesting at the cap, repeated": largest(
            lambda n: b'{"version":1,"x":[' + b",".join([b"[" * 30 + b"0" + b"]" * 30] * n) + b"]}"
        ),
        "the most lists that are parsed": (
            b'{"version":1,"x":['
            + b",".join([b"[" * 30 + b"0" + b"]" * 30] * ((parsing.MAX_PARSED_VALUES - 3) // 30))
            + b"]}"
        ),
        "numbers of 100 digits": largest(
            lambda n: json.dumps(
                {**lecture, "layers": [{"name": name(i), "units": 10**99} for i in range(32)], "x": [10**99] * n}
            ).encode(),
            validated=True,
        ),
        "a number of 99,000 digits": largest(lambda n: b'{"version":1,"x":1' + b"0" * n + b"}"),
        "floats past the range": largest(lambda n: b'{"version":1,"x":[' + b",".join([b"1e999999"] * n) + b"]}"),
        "longest names and fields": largest(
            lambda n: json.dumps(
                {
                    **lecture,
                    "layers": [{"name": name(i, 100), "units": 8} for i in range(32)],
                    **{name(i, 100, "k"): name(i, 100, "v") for i in range(n)},
                }
            ).encode(),
            validated=True,
        ),
        "bidi controls and lone surrogates": largest(
            lambda n: json.dumps(
                {
                    **lecture,
                    "layers": [{"name": ("\u202e\ud800" * 50)[:94] + f"{i:06d}"} for i in range(32)],
                    **{("\u2066\udfff" * 50)[:94] + f"{i:06d}": "\u202e" * 100 for i in range(n)},
                }
            ).encode(),
            validated=True,
        ),
        "most values, most validation work": largest(
            lambda n: json.dumps(
                {
                    **lecture,
                    "layers": [
                        {"name": name(i), "type": "concatenate", "from": [name(j) for j in range(n)]}
                        for i in range(spec.MAX_LAYERS)
                    ],
                }
            ).encode(),
            high=2_000,
            validated=True,
        ),
        "most problems": largest(
            lambda n: json.dumps(
                {
                    **lecture,
                    "layers": [{f"x{j}": 0 for j in range(n)} | {"units": 0} for _ in range(spec.MAX_LAYERS)],
                    "heads": [{f"y{j}": 0 for j in range(n)} | {"target": "t"} for _ in range(spec.MAX_HEADS)],
                }
            ).encode(),
            high=2_000,
            validated=True,
        ),
        "more values than allowed": largest(lambda n: b'{"version":1,"x":[' + b"0," * n + b"0]}"),
        "duplicate keys": largest(
            lambda n: b'{"version":1,' + b'"layers":[{}],' * n + b'"heads":[' + HEAD.encode() + b"]}"
        ),
        "strings of brackets": largest(
            lambda n: b'{"version":1,"x":[' + b",".join([b'"' + b"[{" * 50 + b'"'] * n) + b"]}"
        ),
        "escaped quotes, unterminated": largest(lambda n: b'"' + b'\\"' * n + b"\\"),
    }


def median_ms(call: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median and maximum of ``repeats`` calls, in ms, after one warm-up call."""
    call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def outcome(value: str) -> str:
    """The message the link gets (shortened), or "accepted"."""
    try:
        links.decode(value)
    except links.LinkError as error:
        return str(error)
    return "accepted"


def refuse(value: str) -> None:
    with contextlib.suppress(links.LinkError):
        links.decode(value)


def main() -> None:
    from ui.sharing import read_upload  # imports Streamlit (no server): the upload path, for comparison

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=31)
    args = parser.parse_args()
    reference = links.encode(presets.default_design())
    rows = {"reference: the lecture's valid design": (reference, zlib.decompress(_unpad(reference)))}
    rows |= {case: (pack(data), data) for case, data in cases().items()}
    figures: dict[str, dict] = {}
    for case, (value, data) in rows.items():
        link_ms, link_max = median_ms(lambda value=value: refuse(value), args.repeats)
        upload_ms, _ = median_ms(lambda data=data: read_upload(data), args.repeats)
        message = outcome(value)
        figures[case] = {
            "link_characters": len(value),
            "unpacked_bytes": len(data),
            "decode_median_ms": round(link_ms, 3),
            "decode_max_ms": round(link_max, 3),
            "upload_median_ms": round(upload_ms, 3),
            "message_characters": len(message),
            "outcome": message,
        }
    width = max(map(len, figures))
    header = f"{'case':<{width}}  {'link':>5}  {'unpacked':>8}  {'decode ms':>9}  {'max':>6}  {'upload ms':>9}  outcome"
    print(header)
    print("─" * len(header))
    for case, row in figures.items():
        shown = parsing.shorten(row["outcome"], 70)
        print(
            f"{case:<{width}}  {row['link_characters']:>5,}  {row['unpacked_bytes']:>8,}  "
            f"{row['decode_median_ms']:>9.2f}  {row['decode_max_ms']:>6.2f}  {row['upload_median_ms']:>9.2f}  {shown}"
        )
    hostile = {case: row for case, row in figures.items() if not case.startswith("reference")}
    worst = max(hostile, key=lambda case: hostile[case]["decode_median_ms"])
    verdict = "PASS" if hostile[worst]["decode_median_ms"] < TARGET_MS else "FAIL"
    print(
        f"{verdict}: every hostile link decoded and refused in under {TARGET_MS:.0f} ms (median of {args.repeats}); "
        f"slowest: {worst}, {hostile[worst]['decode_median_ms']:.2f} ms; longest message: "
        f"{max(row['message_characters'] for row in hostile.values()):,} characters"
    )
    write_results(
        RESULTS,
        {"repeats": args.repeats, "target_ms": TARGET_MS, "verdict": verdict, "slowest": worst, "cases": figures},
    )


def _unpad(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


if __name__ == "__main__":
    run_benchmark(main)
