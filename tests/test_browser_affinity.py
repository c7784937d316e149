"""Two replicas of the app behind nginx with cookie affinity (deploy/nginx/streamlit-sticky.conf.template),
in headless Chromium: every browser stays on one replica, so a design file it uploads and the design file
it downloads reach the replica that holds its session, which the other replica would refuse."""

from __future__ import annotations

import contextlib
import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser import APP, ROOT, go_to, new_context, serve, total_heading, wait_for_url_design, wait_until_idle
from nginx import COOKIE, NGINX, ProxyInfo, sticky_proxy
from playwright.sync_api import Browser, BrowserContext, Page, expect

from designer import presets, spec

pytestmark = pytest.mark.browser

DESIGNS = ROOT / "assets" / "designs"
# A different design for each replica, so that neither replica holds the other's download.
UPLOADS = (DESIGNS / "lecture_two_outputs.json", DESIGNS / "two_input_branches.json")
MAX_CONTEXTS = 12  # a fresh context lands on either replica with probability 1/2: missing one 12 times is 1 in 2048


@pytest.fixture(scope="module")
def replicas() -> Iterator[tuple[ProxyInfo, dict[str, str]]]:
    """Two app servers, started side by side, behind the sticky proxy: the proxy, and each upstream's URL."""
    if not Path(NGINX).exists():
        pytest.fail(f"{NGINX} is missing: install Debian's nginx (apt-get install nginx)", pytrace=False)
    managers = [serve(APP), serve(APP)]
    with contextlib.ExitStack() as stack:
        with ThreadPoolExecutor(len(managers)) as pool:
            futures = [pool.submit(stack.enter_context, manager) for manager in managers]
        urls = [future.result() for future in futures]  # raises if either failed; the stack stops the other
        proxy = stack.enter_context(sticky_proxy(urls))
        yield proxy, {urlsplit(url).netloc: url for url in urls}


def status_of(request: urllib.request.Request) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def open_contexts(browser: Browser, proxy: ProxyInfo) -> tuple[list[str], dict[str, tuple[BrowserContext, Page, str]]]:
    """Fresh contexts until each replica holds one: every context's key, and per upstream a context, page and key.

    The contexts not kept are closed at once.
    """
    keys: list[str] = []
    kept: dict[str, tuple[BrowserContext, Page, str]] = {}
    try:
        while len(kept) < len(proxy.upstreams) and len(keys) < MAX_CONTEXTS:
            context = new_context(browser)
            try:
                page = context.new_page()
                response = page.goto(proxy.url)
                assert response is not None and response.ok, response
                upstream = response.header_value("x-replica")
                assert upstream in proxy.upstreams, f"X-Replica {upstream!r} is not one of {proxy.upstreams}"
                (key,) = [cookie["value"] for cookie in context.cookies() if cookie["name"] == COOKIE]
                keys.append(key)
            except BaseException:
                context.close()
                raise
            if upstream in kept:
                context.close()
            else:
                kept[upstream] = context, page, key
    except BaseException:
        for context, _, _ in kept.values():
            context.close()
        raise
    if len(kept) < len(proxy.upstreams):
        for context, _, _ in kept.values():
            context.close()
        pytest.fail(f"{len(keys)} fresh browser contexts all landed on {sorted(kept)}; the proxy never chose the other")
    return keys, kept


def upload_and_download(page: Page, path: Path, other_replica: str) -> list[str]:
    """On the Code page, open ``path``, check the session has it, download it; return the paths used."""
    design = spec.load(path)
    expect(page.get_by_role("heading", name=total_heading(presets.default_design()))).to_be_visible()
    wait_until_idle(page)
    go_to(page, "Code", "Keras code")
    page.get_by_role("tab", name="Design file and link").click()
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="Open a design file")
    with page.expect_request(lambda request: request.method == "PUT" and "/_stcore/upload_file/" in request.url) as put:
        uploader.locator('input[type="file"]').set_input_files(path)
    upload = put.value
    response = upload.response()
    assert response is not None and response.ok, (response and response.status, response and response.text())  # 204
    wait_for_url_design(page, design)  # the replica read the file into the session, which took it as its design
    wait_until_idle(page)
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)  # no "The file is not a JSON design file."

    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile(r"Download design\.json$")).click()
    assert download.value.suggested_filename == "design.json"
    assert json.loads(Path(download.value.path()).read_text(encoding="utf-8")) == design
    media = urlsplit(download.value.url).path
    assert media.startswith("/media/"), download.value.url

    # The same requests sent straight to the other replica, which holds neither the session nor the file.
    headers = upload.all_headers()
    replay = urllib.request.Request(
        f"{other_replica}{urlsplit(upload.url).path}",
        data=upload.post_data_buffer,
        method="PUT",
        headers={name: headers[name] for name in ("content-type", "cookie", "x-xsrftoken") if name in headers},
    )
    status, body = status_of(replay)
    assert status == 400 and "Invalid session_id" in body, (status, body)
    status, body = status_of(urllib.request.Request(f"{other_replica}{media}"))
    assert status == 404, (status, body)

    go_to(page, "Design", total_heading(design))  # and the Design page shows the uploaded design
    return [urlsplit(upload.url).path, media]


def test_each_browser_stays_on_one_replica_for_its_upload_and_its_download(browser: Browser, replicas):
    proxy, urls = replicas
    all_keys, kept = open_contexts(browser, proxy)
    assert len(set(all_keys)) == len(all_keys), all_keys  # a fresh key for every fresh context
    try:
        used = {}
        for (upstream, (_, page, key)), path in zip(sorted(kept.items()), UPLOADS, strict=True):
            other = next(url for address, url in urls.items() if address != upstream)
            used[key] = upload_and_download(page, path, other)
    finally:
        for context, _, _ in kept.values():
            context.close()
    keys = {key: upstream for upstream, (_, _, key) in kept.items()}

    # A websocket's request is logged when it closes: wait for the kept contexts' ones.
    def websockets_logged() -> bool:
        log = proxy.log()
        return all(any(e.key == key and e.path.startswith("/_stcore/stream") for e in log) for key in keys)

    deadline = time.monotonic() + 10
    while not websockets_logged():
        assert time.monotonic() < deadline, f"a kept context's websocket was never logged:\n{proxy.log()}"
        time.sleep(0.1)
    log = proxy.log()
    served = {key: {entry.upstream for entry in log if entry.key == key} for key in all_keys}
    assert all(len(upstreams) == 1 for upstreams in served.values()), served  # one replica per context
    for key, upstream in keys.items():
        assert served[key] == {upstream}, (key, served[key], upstream)
        paths = [entry.path for entry in log if entry.key == key]
        for path in used[key]:
            assert path in paths, f"{path} is not among the requests of {key} to {upstream}: {paths}"
    assert set().union(*served.values()) == set(proxy.upstreams)
