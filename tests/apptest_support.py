"""Streamlit's AppTest, put in the state a running server is in, and the helpers the page tests share
(not a test module).

The app keeps its pages in a folder named ``pages/``, so Streamlit starts in its
legacy "pages directory" mode, in which an address runs a page's file without
``streamlit_app.py``, until ``st.navigation`` is first called; a real server
then leaves that mode for good (and ``ui/entry.py`` covers the first request).
AppTest re-enters the mode before every run, so each rerun would run the entry
file twice over (the page runs it, and it runs the page). This puts AppTest in
the server's steady state.

The helpers find elements the way a learner does, by label or tooltip, or by the
end of their widget key (``wN:layer-0:units``: editor keys start with the design's
revision), and assert that exactly one matches.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from designer import presets

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
DESIGN_PAGE, TRAIN_PAGE, MODEL_PAGE, CODE_PAGE = "pages/design.py", "pages/train.py", "pages/model.py", "pages/code.py"


def navigation_steady_state(setattr_) -> None:
    """Make every PagesManager start in navigation mode; ``setattr_`` is e.g. ``monkeypatch.setattr``."""
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    setattr_(PagesManager, "__init__", init)


# ------------------------------------------------------------------------------------------------ sessions


def open_session(
    page: str = DESIGN_PAGE,
    *,
    query: Mapping[str, str] | None = None,
    state: Mapping[str, object] | None = None,
    timeout: float = 60,
) -> AppTest:
    """A fresh session of the app after its first run, which raised nothing.

    It opens on ``page`` (switched to before the first run, as a link to the page opens it), with
    ``query`` in its address and ``state`` in its session state (as a share link would put a design).
    """
    at = AppTest.from_file(APP, default_timeout=timeout)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    for key, value in (state or {}).items():
        at.session_state[key] = value
    if page != DESIGN_PAGE:
        at.switch_page(page)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def preset_design(key: str) -> dict:
    return next(p for p in presets.presets() if p.key == key).load()


def load_preset(at: AppTest, key: str) -> dict:
    """Pick a preset on the Design page; the session's design after the rerun."""
    widget(at.selectbox, "preset:preset").set_value(key).run()
    return at.session_state["design"]


def choose_tab(at: AppTest, container: str, label: str) -> AppTest:
    """Open the tab ``label`` of the lazy tab container keyed ``container``, and rerun.

    AppTest cannot click a tab, but the container is a widget whose value is the open tab's label.
    """
    at.session_state[container] = label
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.session_state[container] == label
    return at


# ------------------------------------------------------------------------------------------------ elements


def widget(elements, suffix: str):
    """The one element keyed ``suffix`` (an editor widget's key names its place: ``layer-0:units``)."""
    found = [e for e in elements if e.key == suffix]
    assert len(found) == 1, f"expected one widget keyed *:{suffix}, got {[e.key for e in elements]}"
    return found[0]


def keyed(elements, prefix: str):
    """The one element whose key starts with ``prefix``."""
    found = [e for e in elements if e.key and e.key.startswith(prefix)]
    assert len(found) == 1, f"expected one widget keyed {prefix}*, got {[e.key for e in elements]}"
    return found[0]


def labelled(elements, label: str):
    """The one element with this label."""
    found = [e for e in elements if e.label == label]
    assert len(found) == 1, [e.label for e in elements]
    return found[0]


def button(at: AppTest, help_text: str):
    """The one button whose tooltip is ``help_text``."""
    found = [b for b in at.button if b.proto.help == help_text]
    assert len(found) == 1, f"expected one button with help {help_text!r}, got {[b.proto.help for b in at.button]}"
    return found[0]


def shown_total(at: AppTest) -> int:
    """The figure after 'Total params:' as the Design page shows it."""
    texts = [m.value for m in at.markdown if "Total params:" in m.value]
    assert len(texts) == 1, texts
    return int(re.search(r"Total params: ([\d,]+)", texts[0]).group(1).replace(",", ""))


def graph_source(at: AppTest) -> str:
    """The DOT source of the page's one graphviz chart."""
    charts_ = at.get("graphviz_chart")
    assert len(charts_) == 1, len(charts_)
    return charts_[0].proto.spec


def charts(at: AppTest) -> list[dict]:
    """The Plotly figures on the page (AppTest knows them only as unknown elements with a JSON spec)."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def plotly_values(data) -> np.ndarray:
    """A Plotly array from a chart's JSON: a list, or numpy's base64 typed array (``shape`` if 2-D)."""
    if isinstance(data, dict):
        array = np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"])
        if "shape" in data:
            array = array.reshape([int(n) for n in str(data["shape"]).split(",")])
        return array
    return np.asarray(data)


# ------------------------------------------------------------------------------------------------ training


def set_epochs(at: AppTest, epochs: int) -> None:
    """Type ``epochs`` into the Train page's Epochs input; the design takes it."""
    widget(at.number_input, "training:epochs").set_value(epochs).run()
    assert at.session_state["design"]["training"]["epochs"] == epochs


def train_button(at: AppTest):
    return labelled(at.button, "Train")


def press_train(at: AppTest) -> None:
    """Click Train; the run (training in a worker, followed live) ends within the script run."""
    train_button(at).click().run()
    assert not at.exception, [e.message for e in at.exception]


# ------------------------------------------------------------------------------------------------ markdown


def markdown_tags(text: str) -> set[str]:
    """The HTML tags CommonMark (markdown-it-py, an independent renderer) makes of Markdown ``text``.

    Text from outside shown by the app must add none: only the app's own ``p``,
    ``strong``, ``table``... may appear, never ``a``, ``img`` or ``code`` from a name.
    """
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(text)
    return set(re.findall(r"<([a-z0-9]+)[\s>]", rendered))


def shows_as_written(text: str, piece: str) -> bool:
    """Whether Markdown ``text`` shows ``piece`` literally: in its rendered words, with no LaTeX or shortcode."""
    from markdown_it import MarkdownIt

    rendered = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(text)
    words = html.unescape(re.sub(r"<[^>]+>", "", rendered)).replace("\u2060", "")
    streamlit_only = re.search(r"(?<!\\)\$|(?<!\\):[\w+-]+:", text)  # LaTeX and emoji, which CommonMark lacks
    return piece in words and not streamlit_only
