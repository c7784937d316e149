"""The Markdown sink against an independent CommonMark renderer: any text comes out as that text, and no markup.

markdown-it-py (a CommonMark implementation, already installed with Streamlit's
``rich``) renders what :func:`designer.sinks.markdown` gives; the result must be
one paragraph holding the text as written (line breaks as spaces, controls
spelled out), with no tag but the paragraph, and ordinary names must come out
without a backslash (a widget's accessible name is its raw label).
"""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from designer import sinks
from designer.parsing import escape_controls

RENDERER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
NAMES = [
    "**bold** `code` _it_ ~~s~~",
    "![p](http://127.0.0.1:9/p.png)",
    "[c](javascript:alert(1))",
    '<a href="http://127.0.0.1:9/cm">c</a>',
    "# Big",
    "> quote",
    "- item",
    "+ item",
    "1. first",
    "3) third",
    "---",
    "===",
    "a | b | c",
    "&amp; &lt;b&gt; &#60;",
    "end\\",
    "\\N \\G",
    "__init__",
    "line\nbreak",
    "\u202egnp.exe",
    "<http://127.0.0.1:9/>",
    "    indented code",
]


def rendered(text: str) -> str:
    """The HTML CommonMark makes of ``text``."""
    return RENDERER.render(text).strip()


def shown(text: str) -> str:
    """What a reader should see: the text on one line, controls spelled out."""
    return escape_controls(re.sub(r"[\r\n\u2028\u2029\x0b\x0c\x85]+", " ", text))


def assert_plain(text: str) -> None:
    out = rendered(sinks.markdown(text))
    expected = html.escape(shown(text).strip(), quote=False).replace('"', "&quot;")  # as markdown-it writes it
    assert out.replace(sinks.WORD_JOINER, "") in (f"<p>{expected}</p>", ""), (text, out)


@pytest.mark.parametrize("text", NAMES)
def test_a_hostile_name_renders_as_itself_and_nothing_more(text):
    assert_plain(text)


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60))
def test_any_text_renders_as_itself(text):
    if text.strip():
        assert_plain(text)


@pytest.mark.parametrize(
    "name", ["passed (text, 2 different, 0 missing)", "sepal_length held at (cm)", "Height: cm", "größe 2.5"]
)
def test_ordinary_names_keep_no_backslash(name):
    assert sinks.markdown(name) == name


def test_an_address_is_kept_from_becoming_a_link_by_an_invisible_joiner():
    assert sinks.markdown("see http://x.org") == f"see http{sinks.WORD_JOINER}://x.org"
    assert sinks.unescape_markdown(sinks.markdown("see http://x.org")) == "see http://x.org"
