"""The one way out for text from outside, per place it goes.

A column's name, a category value, a CSV file's name, a layer's or head's
name, an exercise's title and task: text a stranger may have written. Each
place that shows or uses such text takes it through the one function for that
place, so that it can only ever be data there:

- :func:`python_literal`: a Python string literal, for generated scripts;
- :func:`markdown`: escaped Markdown, for Streamlit's text and labels;
- :func:`chart_text`: escaped text for Plotly's labels, ticks and hovers;
- :func:`dot_text`, :func:`dot_tooltip` and :func:`dot_html`: a Graphviz
  quoted string for a label, one for a tooltip (quotes included), and escaped
  text for an HTML-like label;
- :func:`url_text` and :func:`from_url_text`: percent-encoding for the parts of
  a link that are text (a map's columns), and back.

Pure Python: the Design page, the workers and the command line all use it.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote, unquote

from designer.parsing import escape_controls

# What makes Markdown of plain text in Streamlit, escaped with a backslash only where it could act, so that a
# widget's accessible name (its raw label) stays as it was for ordinary names ("passed (text, 2 different)"):
# - anywhere: backslash, code, emphasis, strikethrough, links and images ([ and ]), tags, table cells, LaTeX;
_ANYWHERE = re.compile(r"([\\`*~\[\]<>|$])")
# - an underscore that could open or close emphasis: not one inside a word (sepal_length stays as it is);
_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
# - an entity (&amp;) and an emoji shortcode (:smile:), by their first character;
_ENTITY = re.compile(r"&(?=#?\w+;)")
_SHORTCODE = re.compile(r":(?=[\w+-]+:)")
# - a block at the start of the text: a heading, a quote, a list item, a rule, a setext underline.
_BLOCK = re.compile(r"^()(#|>|[-+=]|\d+[.)])")
_ESCAPED = re.compile(r"\\(.)")
# GitHub's Markdown makes a link of an address in plain text (``http://``, ``www.``, ``name@host``) whatever
# escapes it holds; a word joiner (U+2060, invisible) after its first part keeps it text.
_ADDRESS = re.compile(r"(?i)(https?|ftp|www|mailto)(?=\\?[:.])|(?=\\?@[\w-])")
WORD_JOINER = "\u2060"
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")


def python_literal(text: str) -> str:
    """``text`` as a Python string literal (``repr``): quotes, backslashes, newlines and controls escaped."""
    return repr(str(text))


def markdown(text: str) -> str:
    """``text`` as Streamlit shows it written: every character that would make Markdown escaped, on one line.

    A line break would start a new paragraph or heading, and a bidirectional
    control would reorder the rest of the line, so both are spelled out
    (``\\u202e``) rather than passed on.
    """
    # Leading spaces would make a code block of four or more, and show as nothing in a paragraph anyway.
    one_line = escape_controls(_LINE_BREAKS.sub(" ", str(text))).lstrip()
    escaped = _ANYWHERE.sub(r"\\\1", one_line)
    for pattern in (_UNDERSCORE, _ENTITY, _SHORTCODE):
        escaped = pattern.sub(lambda match: "\\" + match.group(), escaped)
    escaped = _BLOCK.sub(_escape_block, escaped)
    return _ADDRESS.sub(lambda match: (match.group(1) or "") + WORD_JOINER, escaped)


def _escape_block(match: re.Match) -> str:
    """A block marker at the start of the text, escaped: ``\\#``, ``\\-``; for ``1.``, the ``.`` (``1\\.``)."""
    space, marker = match.groups()
    return space + (marker[:-1] + "\\" + marker[-1] if marker[0].isdigit() else "\\" + marker)


def unescape_markdown(text: str) -> str:
    """What a reader sees of :func:`markdown`'s result (for tests and for measuring its width)."""
    return _ESCAPED.sub(r"\1", text).replace(WORD_JOINER, "")


def chart_text(text: str) -> str:
    """``text`` for a Plotly title, tick, label or hover: its HTML-like tags and entities shown as written.

    Plotly renders ``<b>``, ``<a href>``, ``<br>`` and entities in every piece
    of text it draws; escaped, they read as the characters themselves.
    """
    return html.escape(escape_controls(str(text)), quote=False)


def dot_text(text: str) -> str:
    """``text`` as a whole Graphviz quoted string, quotes included, for a plain label or an edge label.

    Graphviz reads such a string in steps (checked against Graphviz 16's SVG):
    its lexer turns ``\\"`` into ``"``; ``\\N``, ``\\G``, ``\\E``, ``\\T``, ``\\H``
    and ``\\L`` become names; entities such as ``&amp;`` are decoded; ``\\n``,
    ``\\l`` and ``\\r`` become line breaks and any other ``\\x`` the character
    ``x``. So ``&``, ``<`` and ``>`` become entities, every backslash is
    doubled, every quote escaped and controls spelled out (``\\u202e``): a name
    shows as written, and one ending in a backslash cannot swallow the closing
    quote.

    The quotes are part of the result because pydot 4 passes a value already in
    quotes through as it is, but quotes any other value itself, escaping its
    ``"`` and not its backslashes.
    """
    return _dot_quoted(text, "\\\\")


def dot_tooltip(text: str) -> str:
    """``text`` as a whole Graphviz quoted string, quotes included, for a tooltip (``tooltip=``): shown as written.

    Graphviz reads a tooltip otherwise than a label (lib/common/emit.c): after
    its lexer, entities are decoded, then every ``\\x`` becomes ``x`` (``\\n``,
    ``\\l`` and ``\\r`` a line break), and only then ``\\N`` and the like become
    names and ``\\\\`` a backslash. A backslash is read twice, so it is written
    four times; the rest is as in :func:`dot_text`.
    """
    return _dot_quoted(text, "\\\\\\\\")


def _dot_quoted(text: str, backslash: str) -> str:
    escaped = html.escape(escape_controls(str(text)), quote=False)
    return '"' + escaped.replace("\\", backslash).replace('"', '\\"') + '"'


def dot_html(text: str) -> str:
    """``text`` for a piece of a Graphviz HTML-like label (``<<b>name</b>>``): shown as written.

    Graphviz decodes the entities of an HTML-like label's text, then reads
    ``\\N``, ``\\G`` and the like in it as names and ``\\\\`` as a backslash (as
    in a quoted string, though ``\\n`` and ``\\l`` stay as written). So tags,
    entities and quotes are escaped, every backslash is doubled (an entity such
    as ``&#92;`` would not do: it is decoded first, then read as an escape), and
    controls are spelled out.
    """
    return html.escape(escape_controls(str(text)), quote=True).replace("\\", "\\\\")


def url_text(text: str) -> str:
    """``text`` percent-encoded for a link's text part: only letters, digits and ``_.-~`` stay as they are."""
    return quote(str(text), safe="")


def from_url_text(text: str) -> str:
    """The text :func:`url_text` encoded."""
    return unquote(text)
