"""The command line: ``python -m designer summary DESIGN.json``.

Bad input never shows a traceback: an unreadable or invalid design prints what
is wrong and exits with status 2.
"""

from __future__ import annotations

import argparse
import sys

from designer import spec
from designer.params import LayerCount, keras_type, summarize
from designer.validation import errors, validate, warnings

EXIT_INVALID = 2


class DesignError(Exception):
    """A design that cannot be used; its message is for the person at the terminal."""


def read_design(path: str) -> dict:
    """Read and validate a design file; warnings go to stderr."""
    try:
        design = spec.load(path)
    except OSError as error:
        raise DesignError(f"{path}: cannot read the file ({error.strerror or error})") from None
    except UnicodeDecodeError:
        raise DesignError(f"{path}: the file is not UTF-8 text") from None
    except ValueError as error:  # json.JSONDecodeError is a ValueError
        raise DesignError(f"{path}: not a valid design file: {error}") from None
    except RecursionError:
        raise DesignError(f"{path}: not a valid design file: it is nested too deeply") from None
    problems = validate(design)
    if errors(problems):
        raise DesignError("\n".join(f"{path}: {p}" for p in errors(problems)))
    for problem in warnings(problems):
        print(f"{path}: warning: {problem}", file=sys.stderr)
    return design


def summary_table(design: dict) -> str:
    """A row per input, layer and head, then Keras' three totals lines."""
    summary = summarize(design)
    header = ("Layer (type)", "Output shape", "Param #", "Arithmetic")
    rows = [header] + [_row(count) for count in summary.rows]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [
        f"{name:<{widths[0]}}  {shape:<{widths[1]}}  {params:>{widths[2]}}  {arithmetic}".rstrip()
        for name, shape, params, arithmetic in rows
    ]
    rule = "─" * max(len(line) for line in lines)
    return "\n".join([lines[0], rule, *lines[1:], rule, *summary.totals_lines()])


def _row(count: LayerCount) -> tuple[str, str, str, str]:
    arithmetic = count.arithmetic if count.kind in ("dense", "head", "batch_norm") else ""
    return (f"{count.name} ({keras_type(count.kind)})", count.output_shape, f"{count.total:,}", arithmetic)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m designer", description="Design small Keras networks for Iris.")
    commands = parser.add_subparsers(dest="command", required=True)
    summary = commands.add_parser("summary", help="print the parameter count of every layer and head")
    summary.add_argument("design", help="a design file (JSON)")
    args = parser.parse_args(argv)
    try:
        design = read_design(args.design)
    except DesignError as error:
        print(error, file=sys.stderr)
        return EXIT_INVALID
    print(summary_table(design))
    return 0
