"""Text from outside (a link, a file, what a learner typed) shown as text, never as Markdown.

``st.error`` and ``st.warning`` render Markdown, so a crafted link could
otherwise put a clickable link or formatting into a message.
"""

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:])")
_ESCAPED = re.compile(r"\\(.)")


def plain(text: str) -> str:
    """``text`` with every Markdown character escaped, so it renders as written."""
    return _MARKDOWN.sub(r"\\\1", text)


def unescape(markdown: str) -> str:
    """The text :func:`plain` escaped (what a reader sees)."""
    return _ESCAPED.sub(r"\1", markdown)
