"""Share links in the real app in headless Chromium: a link opens its design, the address follows edits,
the Code page's download is the export, and a tampered link is refused."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from browser import (
    APP,
    GRAPH,
    ROOT,
    go_to,
    open_design_page,
    serve,
    total_heading,
    url_design,
    wait_for_url_design,
    wait_until_idle,
)
from playwright.sync_api import BrowserContext, Page, expect

from designer import edits, export, links, presets, spec

pytestmark = pytest.mark.browser

TWO_OUTPUTS = ROOT / "assets" / "designs" / "lecture_two_outputs.json"


def cli_query(path: Path) -> str:
    """The share link's query string as ``python -m designer link`` prints it."""
    done = subprocess.run(
        [sys.executable, "-m", "designer", "link", str(path)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    query = done.stdout.strip()
    assert query.startswith(f"?{links.PARAMETER}="), query
    return query


def test_a_link_from_the_command_line_opens_its_design(page: Page, server: str):
    design = spec.load(TWO_OUTPUTS)
    heading = total_heading(design)
    assert heading.startswith("Total params: 276 ")
    open_design_page(page, f"{server}/{cli_query(TWO_OUTPUTS)}", design)
    graph = page.locator(GRAPH)
    for name in ("species", "petal_width", *edits.all_names(design)):
        expect(graph.locator("text", has_text=re.compile(rf"^{name}$"))).to_have_count(1)
    expect(page.get_by_text("This link could not be opened")).to_have_count(0)
    assert url_design(page) == design


def test_the_address_follows_an_edit(page: Page, server: str):
    design = presets.default_design()
    open_design_page(page, server, design)
    wait_for_url_design(page, design)  # the first run writes the link
    added = edits.add_layer(design, "dense")
    page.get_by_role("button", name=re.compile(r"\bDense$")).click()  # adds a Dense layer at the end
    expect(page.get_by_role("heading", name=total_heading(added))).to_be_visible()
    wait_for_url_design(page, added)
    assert len(url_design(page)["layers"]) == len(design["layers"]) + 1


def test_the_code_page_downloads_the_export_of_the_design_on_screen(page: Page, server: str):
    design = spec.load(TWO_OUTPUTS)
    open_design_page(page, f"{server}/{links.query_string(design)}", design)
    go_to(page, "Code", "Keras code")
    on_screen = url_design(page)
    assert on_screen == design
    expect(page.get_by_text("The Sequential API cannot express this design")).to_be_visible()
    page.get_by_role("tab", name="Functional API").click()
    button = page.get_by_role("button", name=re.compile(r"Download iris_functional\.py$"))
    with page.expect_download() as download:
        button.click()
    assert download.value.suggested_filename == "iris_functional.py"
    assert Path(download.value.path()).read_text(encoding="utf-8") == export.export(on_screen, "functional")


def test_a_tampered_link_shows_the_error_and_the_default_design(page: Page, server: str):
    default = presets.default_design()
    assert total_heading(default).startswith("Total params: 273 ")
    value = links.encode(spec.load(TWO_OUTPUTS))
    tampered = value[:20] + ("A" if value[20] != "A" else "B") + value[21:]
    with pytest.raises(links.LinkError):
        links.decode(tampered)
    open_design_page(page, f"{server}/?{links.PARAMETER}={tampered}", default)
    expect(page.get_by_test_id("stAlert").filter(has_text="This link could not be opened")).to_contain_text(
        "The default design is shown."
    )
    expect(page.get_by_text("Total params: 273", exact=False).first).to_be_visible()
    wait_for_url_design(page, default)  # the broken link is replaced by one to what is on screen


def test_a_fresh_server_opened_on_the_code_page_shows_the_link_error(context: BrowserContext):
    with serve(APP) as fresh:
        page = context.new_page()
        page.goto(f"{fresh}/code?{links.PARAMETER}=not-a-link")
        expect(page.get_by_role("heading", name="Keras code")).to_be_visible()
        wait_until_idle(page)
        expect(page.get_by_text("This link could not be opened")).to_be_visible(timeout=3_000)
