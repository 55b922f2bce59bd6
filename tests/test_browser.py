"""The explorer in a real browser: Playwright driving Debian's chromium against the real app.

The app runs with uvicorn in a thread on a free 127.0.0.1 port, over the demo data (400 users)
plus a hostile account whose handle would set ``window.__xss`` if it were ever parsed as HTML.
Skipped when chromium or playwright is missing, except under CI (``CI`` set), where it fails.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from api.main import create_app
from graph.analysis import analyze
from graph.backends.falkordb import FalkorDBBackend
from graph.config import Settings
from graph.models import AmplificationRow, UserRow
from graph.roles import ROLE_ORDER
from graph.server import ServerInfo
from graph.store import Store
from loaders.demo import HOSTILE_HANDLE, generate_demo
from loaders.ingest import load_csv_dir
from tests.conftest import ARTIFACTS
from web.csv_export import INFLUENCER_COLUMNS

CHROMIUM = Path("/usr/bin/chromium")
XSS_HANDLE = "<img src=x onerror=window.__xss=1>"
XSS_NAME = "</script><script>window.__xss=2</script>"
T0 = 1_790_000_000_000

try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # pragma: no cover - depends on the environment
    sync_playwright = None  # type: ignore[assignment]


def _missing() -> str | None:
    if sync_playwright is None:
        return "the Python package playwright is not installed (pip install playwright)"
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    reason = _missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run under CI: {reason}")
        pytest.skip(reason)
    assert sync_playwright is not None
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def app_url(
    browser: Browser, server: ServerInfo, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser-demo")
    generate_demo(folder, users=400, days=10)
    backend = FalkorDBBackend.connect(
        server.host, server.port, server.password, "browser_demo", query_timeout_ms=60_000
    )
    store = Store(backend, batch_size=2000)
    load_csv_dir(store, folder, rejects_path=folder / "rejects.txt")
    store.upsert_users([UserRow("evil", XSS_HANDLE, XSS_NAME, 10, '<b>bold</b> & "quoted"')])
    amplifiers = [row["id"] for row in backend.read("MATCH (u:User) RETURN u.id AS id LIMIT 60")]
    store.upsert_amplifications(
        [AmplificationRow(f"evil-{a}", a, "evil", "retweet", T0) for a in amplifiers]
    )
    analyze(store)
    port = _free_port()
    config = uvicorn.Config(
        create_app(Settings(), backend=backend), host="127.0.0.1", port=port, log_level="warning"
    )
    app_server = uvicorn.Server(config)
    thread = threading.Thread(target=app_server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not app_server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    app_server.should_exit = True
    thread.join(timeout=10)
    backend.clear()
    backend.close()


@pytest.fixture
def page(browser: Browser, app_url: str) -> Iterator[Page]:
    # CSP bypassed: the escaping alone must keep hostile text inert (and wait_for_function
    # evaluates strings, which the pages' CSP forbids).
    context = browser.new_context(base_url=app_url, accept_downloads=True, bypass_csp=True)
    opened = context.new_page()
    dialogs: list[str] = []
    errors: list[str] = []
    opened.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    assert dialogs == [], "a dialog opened: user text ran as script"
    assert opened.evaluate("window.__xss") is None, "hostile text ran as script"
    assert errors == []
    context.close()


def _api(app_url: str, path: str) -> Any:
    with urllib.request.urlopen(app_url + path, timeout=30) as response:
        return json.loads(response.read())


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"browser-{name}.png"), full_page=True)


def _node_count(page: Page) -> int:
    count: int = page.evaluate("window.__resonanceNetwork.nodes.length")
    return count


def test_network_search_click_explain_expand(page: Page) -> None:
    page.goto("/?limit=40")
    page.wait_for_function("window.__resonanceNetwork !== undefined")
    assert page.locator("#legend .legend-community").count() >= 1

    # Search selects and explains the hostile account, whose text stays text.
    page.fill("#search-input", "onerror=window")
    page.press("#search-input", "Enter")
    details = page.locator("#details")
    details.wait_for(state="visible")
    assert details.locator("[data-field='handle']").text_content() == "@" + XSS_HANDLE
    page.wait_for_function(
        "document.querySelectorAll(\"#details [data-list='reasons'] li\").length > 0"
    )
    assert details.locator("img").count() == 0
    assert page.locator("img").count() == 0

    # A click on the top node in the canvas selects it and fills the explanation.
    top = page.locator("tr[data-node-id]").first.get_attribute("data-node-id")
    assert top is not None
    page.wait_for_timeout(600)  # the search's focus animation
    point = page.evaluate(
        "(id) => { const n = window.__resonanceNetwork.network;"
        " return n.canvasToDOM(n.getPosition(id)); }",
        top,
    )
    box = page.locator("#network").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    page.wait_for_function(
        "(id) => window.__resonanceNetwork.network.getSelectedNodes()[0] === id", arg=top
    )
    page.wait_for_function(
        "document.querySelectorAll(\"#details [data-list='amplifiers'] li\").length > 0"
    )
    score = details.locator("[data-field='score']").text_content()
    assert score and score != "n/a"
    _shot(page, "network-explained")

    before = _node_count(page)
    page.click("[data-action='expand']")
    page.wait_for_function(f"window.__resonanceNetwork.nodes.length > {before}")
    assert _node_count(page) > before
    _shot(page, "network-expanded")


def test_network_focus_and_filters(page: Page, app_url: str) -> None:
    page.goto("/?focus=evil&limit=20")
    page.wait_for_function(
        "window.__resonanceNetwork && window.__resonanceNetwork.nodes.get('evil') !== null"
    )
    page.locator("#details").wait_for(state="visible")
    role = next(r for r in ROLE_ORDER if _api(app_url, f"/api/influencers?role={r}")["total"])
    page.select_option("#filters select[name='role']", role)
    with page.expect_navigation():
        page.click("#filters button[type='submit']")
    assert f"role={role}" in page.url
    page.wait_for_function("window.__resonanceNetwork !== undefined")
    roles = page.evaluate("window.__resonanceNetwork.nodes.get().map((n) => n.info.role)")
    assert roles and set(roles) == {role}


def test_influencer_table_filter_and_csv(page: Page, app_url: str) -> None:
    page.goto("/influencers")
    rows = page.locator("#influencers tbody tr")
    rows.first.wait_for()
    handles = page.locator("#influencers td.handle a").all_text_contents()
    assert "@" + XSS_HANDLE in handles or "@" + HOSTILE_HANDLE in handles
    assert page.locator("#influencers img").count() == 0
    assert page.locator("[data-action='shortlist']").first.is_hidden()
    first = page.locator("#influencers td.handle a").first.get_attribute("href")
    assert first is not None and first.startswith("/?focus=")

    role = next(r for r in ROLE_ORDER if _api(app_url, f"/api/influencers?role={r}")["total"])
    page.select_option("#filters select[name='role']", role)
    page.click("#filters button[type='submit']")
    expected = role.replace("_", " ")
    page.wait_for_function(
        "(role) => { const cells = [...document.querySelectorAll('#influencers td.role')];"
        " return cells.length > 0 && cells.every((c) => c.textContent === role); }",
        arg=expected,
    )
    page.click("th[data-sort='handle'] button")
    page.wait_for_function(
        "document.querySelector(\"th[data-sort='handle']\").getAttribute('aria-sort')"
        " === 'ascending'"
    )
    _shot(page, "influencers")

    with page.expect_download() as info:
        page.click("#csv-link")
    download = info.value
    assert f"role={role}" in download.url
    target = ARTIFACTS / "browser-influencers.csv"
    ARTIFACTS.mkdir(exist_ok=True)
    download.save_as(str(target))
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(INFLUENCER_COLUMNS)
    assert len(lines) > 1


def test_overview_draws_heatmap_and_charts(page: Page) -> None:
    page.goto("/overview")
    page.locator("#heatmap tbody tr").first.wait_for()
    page.locator("#scores-chart svg rect").first.wait_for(state="attached")
    page.locator("#roles-chart svg rect").first.wait_for(state="attached")
    assert page.locator("#scores-chart svg rect").count() == 10
    assert page.locator("#roles-chart svg rect").count() == len(ROLE_ORDER)
    _shot(page, "overview")
