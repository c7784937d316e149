"""Text from outside (a link, a file, what a learner typed) shown as text, never as Markdown.

``st.error``, ``st.caption``, ``st.title`` and widget labels render Markdown, so
a crafted name could otherwise put a link, an image or formatting on the page.
The escaping itself is the core's one function for that sink
(:func:`designer.sinks.markdown`); these are its names on the pages.
"""

from designer.sinks import markdown as plain
from designer.sinks import unescape_markdown as unescape

__all__ = ["plain", "unescape"]
