"""The explorer in a real browser: Playwright driving Debian's chromium against the real app.

The app runs with uvicorn in a thread on a free 127.0.0.1 port, over the demo data (400 users)
plus a hostile account whose handle would set ``window.__xss`` if it were ever parsed as HTML.
Skipped when chromium or playwright is missing, except under CI (``CI`` set), where it fails.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import json
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

from api.auth import SESSION_COOKIE
from api.main import create_app
from graph.analysis.roles import ROLE_ORDER
from graph.analysis.run import analyze
from graph.backends.falkordb import FalkorDBBackend
from graph.config import Settings
from graph.console.falkordb import FalkorDBConsole
from graph.console.replica import ConsoleReplica
from graph.models import AmplificationRow, UserRow
from graph.server import EmbeddedServer, ServerInfo
from graph.store import Store
from loaders.demo import HOSTILE_HANDLE, generate_demo
from tests.conftest import ARTIFACTS
from tests.graph.console.test_console import MEM
from tests.support.chromium import chromium, serving
from tests.support.ingest import load_csv_dir
from web.csv_export import INFLUENCER_COLUMNS

XSS_HANDLE = "<img src=x onerror=window.__xss=1>"
XSS_NAME = "</script><script>window.__xss=2</script>"
TOKEN = "browser-test-token"

with contextlib.suppress(ImportError):  # without playwright chromium() skips (fails under CI)
    from playwright.sync_api import Browser, Page, expect


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def demo(
    browser: Browser, server: ServerInfo, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[FalkorDBBackend, FalkorDBConsole]]:
    folder = tmp_path_factory.mktemp("browser-demo")
    generate_demo(folder, users=400, days=10)
    backend = FalkorDBBackend.connect(
        server.host, server.port, server.password, "browser_demo", query_timeout_ms=60_000
    )
    store = Store(backend, batch_size=2000)
    load_csv_dir(store, folder, rejects_path=folder / "rejects.txt")
    store.upsert_users([UserRow("evil", XSS_HANDLE, XSS_NAME, 10, '<b>bold</b> & "quoted"')])
    amplifiers = [row["id"] for row in backend.read("MATCH (u:User) RETURN u.id AS id LIMIT 60")]
    # Sixty amplifiers on the data's last day: among the voices of the first page and network.
    last = backend.read("MATCH (:User)-[r:AMPLIFIED]->(:User) RETURN max(r.at) AS at")[0]["at"]
    store.upsert_amplifications(
        [AmplificationRow(f"evil-{a}", a, "evil", "retweet", int(last)) for a in amplifiers]
    )
    analyze(store)
    replica = ConsoleReplica(
        EmbeddedServer(server.data_dir), timeout_ms=5_000, max_rows=50, mem_bytes=MEM
    )
    replica.start()
    console = FalkorDBConsole(replica, "browser_demo")
    yield backend, console
    console.close()
    backend.clear()
    backend.close()


def _serve(settings: Settings, demo: tuple[FalkorDBBackend, FalkorDBConsole]) -> Iterator[str]:
    """The app on a free 127.0.0.1 port, in a thread, until the generator is closed."""
    backend, console = demo
    with serving(create_app(settings, backend=backend, console=console)) as url:
        yield url


@pytest.fixture(scope="module")
def app_url(demo: tuple[FalkorDBBackend, FalkorDBConsole]) -> Iterator[str]:
    yield from _serve(Settings(), demo)


@pytest.fixture(scope="module")
def token_url(demo: tuple[FalkorDBBackend, FalkorDBConsole]) -> Iterator[str]:
    """The same data served with RESONANCE_API_TOKEN set: the pages ask for a login."""
    yield from _serve(Settings(RESONANCE_API_TOKEN=TOKEN), demo)  # type: ignore[call-arg]


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
    box = page.locator("#network").bounding_box()
    assert box is not None
    for _ in range(5):  # the layout may still be settling: aim again when a click misses
        point = page.evaluate(  # centred first: the search's focus may have left it off view
            "(id) => { const n = window.__resonanceNetwork.network;"
            " n.moveTo({position: n.getPosition(id), animation: false});"
            " return n.canvasToDOM(n.getPosition(id)); }",
            top,
        )
        page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
        page.wait_for_timeout(300)
        if page.evaluate("window.__resonanceNetwork.network.getSelectedNodes()[0]") == top:
            break
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


def _labelled(page: Page) -> list[str]:
    shown: list[str] = page.evaluate(
        "window.__resonanceNetwork.nodes.get().filter((n) => n.label).map((n) => n.id)"
    )
    return shown


def test_network_labels_the_largest_nodes_then_on_hover_and_zoom(page: Page) -> None:
    """At 150 nodes the labels piled up: at the fitted view at most the 8 largest keep theirs
    (none over a larger one's), any other shows its label when hovered or selected, and all
    show once zoomed in."""
    page.goto("/?limit=150")
    page.wait_for_function("window.__resonanceNetwork !== undefined")
    page.locator("#progress").wait_for(state="hidden")
    count = _node_count(page)
    assert count > 60
    largest: str = page.evaluate(
        "window.__resonanceNetwork.nodes.get().sort((a, b) => b.size - a.size)[0].id"
    )
    shown = _labelled(page)
    assert largest in shown and 1 < len(shown) <= 8  # the largest, a few more, never a mass
    _shot(page, "network-labels")
    small: str = page.evaluate(
        "window.__resonanceNetwork.nodes.get().sort((a, b) => a.size - b.size)[0].id"
    )
    box = page.locator("#network").bounding_box()
    assert box is not None
    point = page.evaluate(
        "(id) => { const n = window.__resonanceNetwork.network;"
        " n.moveTo({position: n.getPosition(id), animation: false});"
        " return n.canvasToDOM(n.getPosition(id)); }",
        small,
    )
    page.mouse.move(box["x"] + point["x"], box["y"] + point["y"])
    page.wait_for_function(
        "(id) => window.__resonanceNetwork.nodes.get(id).label !== ''", arg=small
    )
    assert small in _labelled(page) and len(_labelled(page)) == len(shown) + 1
    page.mouse.move(box["x"] + 5, box["y"] + 5)  # off the node: its label goes
    page.wait_for_function(
        "(id) => window.__resonanceNetwork.nodes.get(id).label === ''", arg=small
    )
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    every = "window.__resonanceNetwork.nodes.get().every((n) => n.label === n.handle)"
    for _ in range(30):  # zoom in with the wheel, as a person does
        page.mouse.wheel(0, -300)
        page.wait_for_timeout(80)
        if page.evaluate(every):
            break
        assert len(_labelled(page)) >= 8  # more labels as the view zooms in, never fewer
    page.wait_for_function(every)
    assert len(_labelled(page)) == count


def test_network_view_downloads_as_png_and_an_ego_network_as_gexf(page: Page) -> None:
    page.goto("/?limit=40")
    page.wait_for_function("window.__resonanceNetwork !== undefined")
    page.locator("#progress").wait_for(state="hidden")
    with page.expect_download() as info:
        page.click("#png-download")
    picture = ARTIFACTS / "browser-network-download.png"
    ARTIFACTS.mkdir(exist_ok=True)
    info.value.save_as(str(picture))
    assert info.value.suggested_filename == "resonance-network.png"
    data = picture.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5_000  # a drawn picture

    top = page.locator("tr[data-node-id]").first
    top.click()
    link = page.locator("#details [data-field='gexf-link']")
    page.wait_for_function(
        "document.querySelector(\"#details [data-field='gexf-link']\").href.endsWith('.gexf')"
    )
    with page.expect_download() as info:
        link.click()
    target = ARTIFACTS / "browser-ego-network.gexf"
    info.value.save_as(str(target))
    graph = nx.read_gexf(target)
    assert top.get_attribute("data-node-id") in graph.nodes and graph.number_of_edges() > 0


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
    assert page.locator("#influencers [data-action='shortlist']").first.is_visible()
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
    assert lines[0] == ",".join(f'"{column}"' for column in INFLUENCER_COLUMNS)  # QUOTE_ALL
    assert len(lines) > 1


def test_overview_draws_heatmap_and_charts(page: Page) -> None:
    page.goto("/overview")
    page.locator("#heatmap tbody tr").first.wait_for()
    page.locator("#scores-chart svg rect").first.wait_for(state="attached")
    page.locator("#roles-chart svg rect").first.wait_for(state="attached")
    assert page.locator("#scores-chart svg rect").count() == 7
    assert page.locator("#roles-chart svg rect").count() == len(ROLE_ORDER)
    for chart in ("#scores-chart", "#roles-chart"):  # no two labels overlap
        boxes = [text.bounding_box() for text in page.locator(f"{chart} svg text.bar-label").all()]
        assert all(box is not None for box in boxes)
        for first, second in itertools.combinations([b for b in boxes if b], 2):
            apart = (
                first["y"] + first["height"] <= second["y"] + 0.5
                or second["y"] + second["height"] <= first["y"] + 0.5
                or first["x"] + first["width"] <= second["x"]
                or second["x"] + second["width"] <= first["x"]
            )
            assert apart, (chart, first, second)
    # By percentile, on a log scale: the bars separate the accounts, the top share first.
    lengths = [
        float(r.get_attribute("width") or 0) for r in page.locator("#scores-chart svg rect").all()
    ]
    assert lengths == sorted(lengths, reverse=True) and lengths[0] > lengths[3] > 0, lengths
    texts = page.locator("#scores-chart svg text.bar-count").all_text_contents()
    assert texts[0].startswith("≥ ") and len(set(texts)) >= 4
    _shot(page, "overview")


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _add_to_new_shortlist(page: Page, name: str) -> str:
    """In the open shortlist picker: a new shortlist named ``name``; its id once added."""
    picker = page.locator("#shortlist-picker")
    picker.wait_for(state="visible")
    page.wait_for_function('document.querySelector("#shortlist-picker select").options.length > 0')
    page.select_option("#shortlist-picker select", "")
    page.fill("#shortlist-picker input[name='shortlist-name']", name)
    page.click("[data-action='picker-add']")
    page.wait_for_function(
        "document.querySelector(\"#shortlist-picker [data-field='picker-status']\")"
        ".textContent.startsWith('Added')"
    )
    list_id = picker.get_attribute("data-shortlist-id")
    assert list_id
    return list_id


def test_shortlist_from_table_note_and_csv(page: Page, app_url: str) -> None:
    page.goto("/influencers")
    page.locator("#influencers tbody tr").first.wait_for()
    row = page.locator("#influencers tbody tr").first
    user_id = row.get_attribute("data-user-id")
    handle = row.locator("td.handle a").text_content()
    assert user_id and handle
    row.locator("[data-action='shortlist']").click()
    name = f"Campaign {XSS_HANDLE}"
    list_id = _add_to_new_shortlist(page, name)
    status = page.locator("#shortlist-picker [data-field='picker-status']")
    assert name in (status.text_content() or "")
    _shot(page, "shortlist-picker")
    detail = _api(app_url, f"/api/shortlists/{list_id}")
    assert detail["name"] == name
    assert [m["user_id"] for m in detail["items"]] == [user_id]

    # Adding the same account again keeps it (and its note) as it was.
    page.click("[data-action='picker-add']")
    page.wait_for_function(
        "document.querySelector(\"#shortlist-picker [data-field='picker-status']\")"
        ".textContent.startsWith('Already')"
    )

    page.goto("/shortlists")
    entry = page.locator(f"#shortlists li[data-shortlist-id='{list_id}'] button")
    entry.wait_for()
    assert entry.text_content() == name
    entry.click()
    member = page.locator(f"#members tbody tr[data-user-id='{user_id}']")
    member.wait_for()
    assert member.locator("td.handle a").text_content() == handle
    assert page.locator("#shortlist-name").text_content() == name
    note = f"Pitch in May {XSS_NAME}\nsecond line"
    member.locator("textarea[name='note']").fill(note)
    member.locator("input[name='tags']").fill("spring, =risky, spring")
    member.locator("[data-action='save-member']").click()
    page.wait_for_function(
        "(id) => document.querySelector(`#members tr[data-user-id='${id}']"
        " [data-field='member-status']`).textContent === 'Saved'",
        arg=user_id,
    )
    assert page.locator("img").count() == 0

    page.reload()
    member = page.locator(f"#members tbody tr[data-user-id='{user_id}']")
    member.wait_for()
    assert member.locator("textarea[name='note']").input_value() == note
    assert member.locator("input[name='tags']").input_value() == "spring, =risky"
    _shot(page, "shortlists")

    with page.expect_download() as info:
        page.click("#shortlist-csv")
    download = info.value
    assert download.url.endswith(f"/api/shortlists/{list_id}.csv")
    target = ARTIFACTS / "browser-shortlist.csv"
    ARTIFACTS.mkdir(exist_ok=True)
    download.save_as(str(target))
    rows = _csv_rows(target)
    assert len(rows) == 1
    assert rows[0]["handle"].lstrip("'@") == handle.lstrip("@")
    assert rows[0]["note"] == note
    assert rows[0]["tags"] == "spring; =risky"

    # Remove the member: the list empties.
    member.locator("[data-action='remove-member']").click()
    page.wait_for_function("document.querySelectorAll('#members tbody tr').length === 0")
    assert _api(app_url, f"/api/shortlists/{list_id}")["members"] == 0


def _send(app_url: str, method: str, path: str, body: object = None) -> Any:
    """A change as the pages send it; its JSON answer (None for a 204)."""
    request = urllib.request.Request(
        app_url + path,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Content-Type": "application/json", "X-Requested-With": "Resonance"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return None if response.status == 204 else json.loads(response.read())


def test_shortlist_overlap_matrix_budget_and_cost(page: Page, app_url: str) -> None:
    list_id = _send(app_url, "POST", "/api/shortlists", {"name": "Reach"})["id"]
    top = _api(app_url, "/api/influencers?limit=5")["items"]
    for k, user in enumerate(top):
        _send(app_url, "PUT", f"/api/shortlists/{list_id}/members/{user['id']}", {"cost": 1 + k})
    page.goto(f"/shortlists?id={list_id}")
    page.locator("#members tbody tr").first.wait_for()
    page.click("#overlap-show")
    page.locator("#overlap").wait_for(state="visible")
    assert page.locator("#overlap tr").count() == 1 + len(top)
    assert page.locator("#overlap tr").nth(1).locator("td").count() == 2 + len(top)
    assert "Together they reach" in (page.locator("#overlap-status").text_content() or "")

    page.fill("#selection-budget", "4")
    page.click("#selection-form button[type='submit']")
    page.locator("#selection-steps li").first.wait_for()
    assert page.locator("#selection-curve svg path.curve").count() == 1
    expected = _send(app_url, "POST", f"/api/shortlists/{list_id}/selection", {"budget": 4})
    assert page.locator("#selection-steps li").count() == len(expected["steps"])
    _shot(page, "shortlist-reach")

    # A cost set on the page is kept, and a note saved later keeps it.
    first = page.locator("#members tbody tr").first
    user_id = first.get_attribute("data-user-id")
    first.locator("input[name='cost']").fill("2.5")
    first.locator("[data-action='save-member']").click()
    page.wait_for_function(
        "(id) => document.querySelector(`#members tr[data-user-id='${id}']"
        " [data-field='member-status']`).textContent === 'Saved'",
        arg=user_id,
    )
    detail = _api(app_url, f"/api/shortlists/{list_id}")
    assert {m["user_id"]: m["cost"] for m in detail["items"]}[user_id] == 2.5


def test_network_panel_adds_to_existing_shortlist(page: Page, app_url: str) -> None:
    request = urllib.request.Request(
        app_url + "/api/shortlists",
        data=json.dumps({"name": "From the network"}).encode(),
        headers={"Content-Type": "application/json", "X-Requested-With": "Resonance"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        list_id = json.loads(response.read())["id"]
    page.goto("/?focus=evil&limit=20")
    page.locator("#details").wait_for(state="visible")
    page.click("#details [data-action='shortlist']")
    page.locator("#shortlist-picker").wait_for(state="visible")
    page.wait_for_function(
        "(id) => [...document.querySelectorAll('#shortlist-picker option')]"
        ".some((o) => o.value === id)",
        arg=list_id,
    )
    title = page.locator("#shortlist-picker [data-field='picker-title']").text_content()
    assert title == f"Add @{XSS_HANDLE} to a shortlist"
    page.select_option("#shortlist-picker select", list_id)
    assert page.locator("#shortlist-picker input[name='shortlist-name']").is_hidden()
    page.click("[data-action='picker-add']")
    page.wait_for_function(
        "document.querySelector(\"#shortlist-picker [data-field='picker-status']\")"
        ".textContent.startsWith('Added')"
    )
    assert page.locator("img").count() == 0
    _shot(page, "network-shortlist")
    items = _api(app_url, f"/api/shortlists/{list_id}")["items"]
    assert [m["user_id"] for m in items] == ["evil"]


def test_what_to_read_on_the_side_panel_and_the_shortlist_page(page: Page, app_url: str) -> None:
    """The lookalike voices and their most-amplified posts, as the API reads them, on the
    network's side panel (a voice in the view is selected on a click) and the shortlist page."""
    page.goto("/?limit=80")
    page.wait_for_function("window.__resonanceNetwork !== undefined")
    top = page.locator("tr[data-node-id]").first
    user_id = top.get_attribute("data-node-id")
    assert user_id
    top.click()
    reading = page.locator("#details #reading")
    reading.wait_for(state="visible")
    expected = _api(app_url, f"/api/users/{user_id}/reading")
    voices = reading.locator("li.reading-voice")
    expect(voices).to_have_count(len(expected["voices"]))
    assert [v.get_attribute("data-user-id") for v in voices.all()] == [
        v["voice"]["account"]["id"] for v in expected["voices"]
    ]
    first = expected["voices"][0]
    assert reading.locator("li.reading-voice").first.locator("li[data-post-id]").count() == len(
        first["posts"]
    )
    assert reading.locator("img").count() == 0
    _shot(page, "network-reading")
    voice = first["voice"]["account"]["id"]
    reading.locator("li.reading-voice").first.locator("a.handle").click()
    if page.evaluate("(id) => window.__resonanceNetwork.nodes.get(id) !== null", voice):
        page.wait_for_function(
            "(id) => window.__resonanceNetwork.network.getSelectedNodes()[0] === id", arg=voice
        )
    else:
        page.wait_for_url(f"**/?focus={voice}")

    list_id = _send(app_url, "POST", "/api/shortlists", {"name": "To read"})["id"]
    members = [u["id"] for u in _api(app_url, "/api/influencers?limit=3")["items"]]
    for member in members:
        _send(app_url, "PUT", f"/api/shortlists/{list_id}/members/{member}", {})
    page.goto(f"/shortlists?id={list_id}")
    listed = page.locator("#shortlist #reading li.reading-voice")
    wanted = _api(app_url, f"/api/shortlists/{list_id}/reading")
    expect(listed).to_have_count(len(wanted["voices"]))
    assert [v.get_attribute("data-user-id") for v in listed.all()] == [
        v["voice"]["account"]["id"] for v in wanted["voices"]
    ]
    assert not {v.get_attribute("data-user-id") for v in listed.all()} & set(members)
    _shot(page, "shortlist-reading")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]  # type: ignore[index]


def test_shortlist_target_share_sorted_and_filtered(page: Page, app_url: str) -> None:
    """The external-reach lens: a target picked on the page, each member's share of its
    audience inside it as the API measures it, sorted by a click, filtered by a minimum."""
    list_id = _send(app_url, "POST", "/api/shortlists", {"name": "Lens"})["id"]
    members = [u["id"] for u in _api(app_url, "/api/influencers?limit=6")["items"]]
    for member in members:
        _send(app_url, "PUT", f"/api/shortlists/{list_id}/members/{member}", {})
    page.goto(f"/shortlists?id={list_id}")
    page.locator("#members tbody tr").first.wait_for()
    expect(page.locator("#target-form [data-field='target-status']")).to_contain_text("No target")
    page.wait_for_function(
        "document.querySelector(\"#target-form select[name='topics']\").options.length > 0"
    )
    page.wait_for_function(
        "document.querySelector(\"#target-form select[name='communities']\").options.length > 0"
    )
    page.select_option("#target-form select[name='topics']", ["vegan"])
    page.select_option("#target-form select[name='communities']", ["1"])
    page.click("#target-form button[type='submit']")
    expect(page.locator("#target-form [data-field='target-status']")).to_contain_text(
        "Target: vegan, community 1"
    )
    detail = _api(app_url, f"/api/shortlists/{list_id}")
    assert detail["target"] == {"topics": ["vegan"], "communities": [1]}
    shares = {m["user_id"]: m["in_target"] for m in detail["items"]}
    rows = page.locator("#members tbody tr")
    expect(rows.first.locator("td.in-target")).not_to_have_text("—")
    shown = {
        r.get_attribute("data-user-id"): r.locator("td.in-target").text_content()
        for r in rows.all()
    }
    assert shown == {k: f"{round(100 * v)}%" for k, v in shares.items()}

    page.click("#members [data-sort='in_target']")
    order = [r.get_attribute("data-user-id") for r in rows.all()]
    assert order == sorted(shares, key=lambda k: -shares[k])
    assert page.locator("#members th[aria-sort='descending']").count() == 1
    percent = round(100 * sorted(shares.values())[len(shares) // 2]) + 1
    page.fill("#target-min", str(percent))
    visible = [r.get_attribute("data-user-id") for r in rows.all() if r.is_visible()]
    assert visible == [k for k in order if shares[k] >= percent / 100]
    assert len(visible) < len(shares)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]  # type: ignore[index]
    _shot(page, "shortlist-target")


def test_influencer_table_share_in_target(page: Page, app_url: str) -> None:
    """The lens on the influencer table: the page's rows measured against a target, as the
    API measures them, sorted by a click and filtered by a minimum share."""
    page.goto("/influencers")
    rows = page.locator("#influencers tbody tr")
    rows.first.wait_for()
    page.wait_for_function(
        "document.querySelector(\"#lens-form select[name='topics']\").options.length > 0"
    )
    page.select_option("#lens-form select[name='topics']", ["camping"])
    page.click("#lens-form button[type='submit']")
    expect(page.locator("#lens-form [data-field='lens-status']")).to_contain_text("camping")
    ids = [r.get_attribute("data-user-id") for r in rows.all()]
    found = _send(app_url, "POST", "/api/target-shares", {"user_ids": ids, "topics": ["camping"]})[
        "items"
    ]
    shares = {item["user_id"]: item["in_target"] for item in found}
    shown = {
        r.get_attribute("data-user-id"): r.locator("td.in-target").text_content()
        for r in rows.all()
    }
    assert shown == {k: "—" if v is None else f"{round(100 * v)}%" for k, v in shares.items()}
    page.click("#influencers [data-lens-sort]")
    order = [r.get_attribute("data-user-id") for r in rows.all()]
    assert order == sorted(shares, key=lambda k: -(shares[k] if shares[k] is not None else -1))
    page.fill("#lens-min", "50")
    visible = [r.get_attribute("data-user-id") for r in rows.all() if r.is_visible()]
    assert visible == [k for k in order if shares[k] is not None and shares[k] >= 0.5]
    assert 0 < len(visible) < len(order)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]  # type: ignore[index]
    _shot(page, "influencers-target")


def test_communities_named_by_topics_and_by_the_analyst(page: Page, app_url: str) -> None:
    """Communities read as what they are about (top topics and voice), on the overview and in
    the network's legend; an analyst's name (hostile text here, which stays text) replaces
    it everywhere, and an empty name brings the label back."""
    page.goto("/overview")
    first = page.locator("#heatmap tbody tr[data-community='0']")
    first.wait_for()
    listed = _api(app_url, "/api/communities?limit=200")["items"]
    label = next(item["label"] for item in listed if item["community"] == 0)
    assert label.startswith(listed[0]["topics"][0]["topic"]) and ", around @" in label
    expect(first.locator("td.community-name a")).to_have_text(label)
    hostile = '<img src=x onerror="window.__xss=1">Campers'
    first.locator("input[name='name']").fill(hostile)
    first.locator("form.rename button").click()
    expect(first.locator("td.community-name a")).to_have_text(hostile)
    assert page.locator("#heatmap img").count() == 0
    page.goto("/?limit=40")
    page.wait_for_function("window.__resonanceNetwork !== undefined")
    legend = page.locator("#legend .legend-community[data-community='0'] .legend-name")
    expect(legend).to_have_text(hostile)
    _shot(page, "network-community-named")
    page.goto("/overview")
    row = page.locator("#heatmap tbody tr[data-community='0']")
    expect(row.locator("input[name='name']")).to_have_value(hostile)
    row.locator("input[name='name']").fill("")
    row.locator("form.rename button").click()
    expect(row.locator("td.community-name a")).to_have_text(label)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]  # type: ignore[index]
    _shot(page, "overview-communities")


def _run_until_rows(page: Page) -> int:
    """The console reads a replica, which catches up asynchronously: rerun until rows show."""
    deadline = time.monotonic() + 20
    while True:
        page.click("#run")
        page.wait_for_function("!document.getElementById('run').disabled")
        count = page.locator("#results tbody tr").count()
        if count or time.monotonic() > deadline:
            return count
        page.wait_for_timeout(250)


def test_console_examples_graph_and_refusal(page: Page) -> None:
    page.goto("/console")
    buttons = page.locator("[data-example]")
    assert buttons.count() == 4
    buttons.nth(3).click()
    assert "NOT (:Shortlist)-[:INCLUDES]->(u)" in page.input_value("#query")
    assert json.loads(page.input_value("#params")) == {"topic": "vegan", "community": 1}
    buttons.nth(1).click()
    assert "brand_ambassador" in page.input_value("#query")
    assert json.loads(page.input_value("#params")) == {}
    assert _run_until_rows(page) > 0
    headers = page.locator("#results thead th").all_text_contents()
    assert headers[:2] == ["handle", "amplifiers"]
    assert page.locator("#console-error").is_hidden()
    _shot(page, "console-rows")

    # Nodes come back as a graph and compact cells; hostile text stays text.
    page.fill("#query", "MATCH (u:User {id: $id})<-[r:AMPLIFIED]-(a:User) RETURN u, r, a LIMIT 5")
    page.fill("#params", '{"id": "evil"}')
    assert _run_until_rows(page) > 0
    page.locator("#console-graph").wait_for(state="visible")
    page.wait_for_function("window.__resonanceConsole.nodes.length > 1")
    first = page.locator("#results tbody tr").first.locator("td").first.text_content()
    assert first == f"(:User @{XSS_HANDLE})"
    assert page.locator("img").count() == 0
    _shot(page, "console-graph")

    page.fill("#query", "CREATE (n:X)")
    page.fill("#params", "{}")
    page.click("#run")
    error = page.locator("#console-error")
    error.wait_for(state="visible")
    assert (error.text_content() or "").startswith("Refused: ")
    _shot(page, "console-refused")

    page.fill("#params", "{not json")
    page.click("#run")
    page.wait_for_function(
        "document.getElementById('console-error').textContent.includes('not valid JSON')"
    )


def test_several_table_rows_go_to_a_shortlist_at_once(page: Page, app_url: str) -> None:
    page.goto("/influencers")
    page.locator("#influencers tbody tr").first.wait_for()
    rows = page.locator("#influencers tbody tr")
    picked = [rows.nth(k).get_attribute("data-user-id") for k in (0, 2, 3)]
    for k in (0, 2, 3):
        rows.nth(k).locator("input[data-action='select']").check()
    rows.nth(2).locator("input[data-action='select']").uncheck()
    rows.nth(2).locator("input[data-action='select']").check()
    button = page.locator("#add-selected")
    assert button.is_visible() and button.text_content() == (
        "Add the 3 selected accounts to a shortlist"
    )
    button.click()
    list_id = _add_to_new_shortlist(page, "Three at once")
    members = _api(app_url, f"/api/shortlists/{list_id}")["items"]
    assert sorted(m["user_id"] for m in members) == sorted(picked)
    _shot(page, "influencers-selected")


def test_console_results_go_to_a_shortlist_and_a_csv(page: Page, app_url: str) -> None:
    page.goto("/console")
    page.fill(
        "#query",
        "MATCH (u:User) WHERE u.rank IS NOT NULL RETURN u.id AS id, u.handle AS handle, u "
        "ORDER BY u.rank LIMIT 4",
    )
    page.fill("#params", "{}")
    assert _run_until_rows(page) == 4
    wanted = [item["id"] for item in _api(app_url, "/api/influencers?limit=4")["items"]]
    button = page.locator("#console-shortlist")
    button.wait_for(state="visible")
    assert button.text_content() == "Add these 4 accounts to a shortlist"
    button.click()
    list_id = _add_to_new_shortlist(page, "From the console")
    members = _api(app_url, f"/api/shortlists/{list_id}")["items"]
    assert sorted(m["user_id"] for m in members) == sorted(wanted)

    page.click("[data-action='picker-cancel']")
    with page.expect_download() as info:
        page.click("#console-csv")
    target = ARTIFACTS / "browser-console.csv"
    info.value.save_as(str(target))
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert rows[0] == ["id", "handle", "u"] and [row[0] for row in rows[1:]] == wanted
    assert all(row[2].startswith("(:User ") for row in rows[1:])


def test_a_saved_targeting_query_runs_with_its_parameter_form(page: Page, app_url: str) -> None:
    page.goto("/console")
    page.fill(
        "#query",
        "MATCH (u:User) WHERE u.rank IS NOT NULL AND u.rank <= $top\n"
        "RETURN u.id AS id, u.rank AS rank ORDER BY rank",
    )
    page.fill("#params", '{"top": 3}')
    page.fill("#save-query input[name='label']", f"Top accounts {XSS_HANDLE}")
    page.fill("#save-query input[name='description']", f"the first ones {XSS_NAME}")
    with page.expect_navigation():
        page.click("#save-query button[type='submit']")
    saved = [q for q in _api(app_url, "/api/queries")["items"] if not q["builtin"]]
    assert [q["label"] for q in saved] == [f"Top accounts {XSS_HANDLE}"]
    button = page.locator("[data-example]").last
    assert button.text_content() == f"Top accounts {XSS_HANDLE}"
    button.click()
    assert page.locator("#query-description").text_content() == f"the first ones {XSS_NAME}"
    field = page.locator("#param-form input[name='top']")
    assert field.input_value() == "3"
    field.fill("5")
    assert json.loads(page.input_value("#params")) == {"top": 5}
    assert _run_until_rows(page) == 5
    _shot(page, "console-saved-query")
    with page.expect_navigation():
        page.click(f"[data-delete-query='{saved[0]['id']}']")
    assert not [q for q in _api(app_url, "/api/queries")["items"] if not q["builtin"]]
    assert page.locator("[data-example]").count() == 4


def test_a_campaign_in_french_from_a_saved_query_to_the_budget(
    browser: Browser, app_url: str
) -> None:
    """Issue 14's "done when", in French: a saved targeting query run with a parameter, its
    accounts sent to a new shortlist, the shortlist's overlap, the best subset for a budget
    with its curve, what to read, and its CSV."""
    context = browser.new_context(
        base_url=app_url, accept_downloads=True, bypass_csp=True, locale="fr-FR"
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto("/console")
    assert page.locator("html").get_attribute("lang") == "fr"
    examples = page.locator("[data-example]")
    expect(examples.nth(3)).to_have_text("Blogueurs d'une communauté, pas encore sélectionnés")
    examples.nth(1).click()
    expect(page.locator("#query-description")).to_contain_text("ont amplifié la marque")
    # A targeting query with a parameter, saved, then run from its button with another value.
    page.fill(
        "#query",
        "MATCH (u:User) WHERE u.rank IS NOT NULL AND u.rank <= $top "
        "RETURN u.id AS id, u.handle AS handle ORDER BY u.rank",
    )
    page.fill("#params", '{"top": 3}')
    page.fill("#save-query input[name='label']", "Meilleurs comptes")
    page.fill("#save-query input[name='description']", "les premiers du classement")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer la requête").click()
    saved = page.locator("[data-example]").last
    expect(saved).to_have_text("Meilleurs comptes")
    saved.click()
    expect(page.locator("#query-description")).to_have_text("les premiers du classement")
    page.locator("#param-form input[name='top']").fill("5")
    assert _run_until_rows(page) == 5
    expect(page.locator("#results-summary")).to_contain_text("5 lignes")
    button = page.locator("#console-shortlist")
    expect(button).to_have_text("Ajouter ces 5 comptes à une sélection")
    button.click()
    picker = page.locator("#shortlist-picker")
    picker.wait_for(state="visible")
    page.wait_for_function('document.querySelector("#shortlist-picker select").options.length > 0')
    page.select_option("#shortlist-picker select", "")
    page.fill("#shortlist-picker input[name='shortlist-name']", "Campagne")
    page.get_by_role("button", name="Ajouter", exact=True).click()
    expect(picker.locator("[data-field='picker-status']")).to_contain_text("Ajouté à « Campagne »")
    list_id = picker.get_attribute("data-shortlist-id")
    assert list_id
    mine = [q["id"] for q in _api(app_url, "/api/queries")["items"] if not q["builtin"]]
    assert len(mine) == 1
    assert _send(app_url, "DELETE", f"/api/queries/{mine[0]}") is None  # the built-in four stay

    page.goto(f"/shortlists?id={list_id}")
    page.locator("#members tbody tr").first.wait_for()
    expect(page.locator("#members-status")).to_have_text("5 membres")
    page.get_by_role("button", name="Montrer le recouvrement").click()
    expect(page.locator("#overlap-status")).to_contain_text("Ensemble, ils atteignent")
    page.fill("#selection-budget", "3")
    page.get_by_role("button", name="Choisir pour le budget").click()
    expect(page.locator("#selection-status")).to_contain_text("retenus")
    expect(page.locator("#selection-curve svg")).to_be_visible()
    expect(page.locator("#reading")).to_contain_text("Que lire, qui suivre")
    # The external-reach lens, in French.
    page.wait_for_function(
        "document.querySelector(\"#target-form select[name='topics']\").options.length > 0"
    )
    page.select_option("#target-form select[name='topics']", ["vegan"])
    page.get_by_role("button", name="Enregistrer la cible").click()
    expect(page.locator("#target-form [data-field='target-status']")).to_have_text("Cible : vegan")
    expect(page.locator("#members thead")).to_contain_text("Dans la cible")
    expect(page.locator("#members tbody td.in-target").first).to_contain_text(" %")
    with page.expect_download() as info:
        page.get_by_role("link", name="Télécharger en CSV").click()
    assert info.value.suggested_filename == f"shortlist-{list_id}.csv"
    # The view for Gephi and as a picture, in French.
    page.goto("/?limit=40")
    page.wait_for_function("window.__resonanceNetwork !== undefined")
    page.locator("#progress").wait_for(state="hidden")
    with page.expect_download() as picture:
        page.get_by_role("button", name="Télécharger en PNG").click()
    assert picture.value.suggested_filename == "resonance-network.png"
    page.locator("tr[data-node-id]").first.click()
    gexf = page.locator("#details [data-field='gexf-link']")
    expect(gexf).to_have_attribute("title", "Son réseau personnel, pour Gephi")
    href = gexf.get_attribute("href") or ""
    assert href.endswith("/network.gexf")
    with urllib.request.urlopen(app_url + href, timeout=30) as response:
        assert b"<gexf" in response.read(2000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    _shot(page, "shortlist-french")
    assert errors == []
    context.close()


def test_login_then_shortlist_and_console(browser: Browser, token_url: str) -> None:
    # The pages' own CSP stays on here: the login form must post under form-action 'self'.
    context = browser.new_context(base_url=token_url)
    opened = context.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(str(error)))
    opened.on(  # a CSP violation shows as a console error ("Refused to ...")
        "console",
        lambda message: problems.append(message.text) if "Refused to" in message.text else None,
    )
    opened.goto("/influencers?sort=handle")
    opened.wait_for_url("**/login?next=*")
    assert opened.locator("[data-action='logout']").count() == 0
    opened.fill("input[name='token']", "not-the-token")
    opened.click("button[type='submit']")
    expect(opened.locator("#login-error")).to_have_text("That is not the API token.")
    _shot(opened, "login-refused")
    assert not [c for c in context.cookies() if c["name"] == SESSION_COOKIE]

    opened.fill("input[name='token']", TOKEN)
    opened.click("button[type='submit']")
    opened.wait_for_url("**/influencers?sort=handle")
    cookie = next(c for c in context.cookies() if c["name"] == SESSION_COOKIE)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and TOKEN not in cookie["value"]
    assert opened.locator("[data-action='logout']").is_visible()

    # A write the API refuses without the token: add the first row to a new shortlist.
    row = opened.locator("#influencers tbody tr").first
    row.wait_for()
    user_id = row.get_attribute("data-user-id")
    row.locator("[data-action='shortlist']").click()
    picker = opened.locator("#shortlist-picker")
    picker.wait_for(state="visible")
    opened.select_option("#shortlist-picker select", "")
    opened.fill("#shortlist-picker input[name='shortlist-name']", "Logged in")
    opened.click("[data-action='picker-add']")
    expect(picker.locator("[data-field='picker-status']")).to_contain_text("Added")
    list_id = picker.get_attribute("data-shortlist-id")
    _shot(opened, "login-shortlist")
    request = urllib.request.Request(
        f"{token_url}/api/shortlists/{list_id}", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        detail = json.loads(response.read())
    assert [m["user_id"] for m in detail["items"]] == [user_id]

    # The console (a change as far as the token goes) runs too.
    opened.goto("/console")
    opened.fill("#query", "MATCH (u:User {id: 'evil'}) RETURN u.id AS id")
    deadline = time.monotonic() + 20
    while not opened.locator("#results tbody tr").count():
        assert time.monotonic() < deadline, "the console never answered"
        opened.click("#run")
        expect(opened.locator("#run")).to_be_enabled()
        assert opened.locator("#console-error").is_hidden(), opened.text_content("#console-error")
    assert opened.locator("#results tbody td").first.text_content() == "evil"

    # Logging out ends the session: the pages ask for the token again.
    opened.click("[data-action='logout']")
    opened.wait_for_url("**/login")
    opened.goto("/shortlists")
    opened.wait_for_url("**/login?next=*")
    assert problems == []
    context.close()


def test_table_text_search_then_another_window_analysed(
    page: Page, app_url: str, demo: tuple[FalkorDBBackend, FalkorDBConsole]
) -> None:
    # Runs last in this module: it re-analyses the shared demo graph over a window.
    top = _api(app_url, "/api/influencers?limit=1")["items"][0]
    word = str(top["handle"])[:4]
    matching = _api(app_url, f"/api/influencers?q={word}&limit=500")["total"]
    assert matching >= 1
    page.goto("/influencers")
    page.locator("#influencers tbody tr").first.wait_for()
    page.fill("#filters input[name='q']", word)
    page.click("#filters button[type='submit']")
    page.wait_for_function(
        "(n) => document.getElementById('summary').textContent.startsWith(n + ' influencer')",
        arg=f"{matching:,}",
    )
    assert page.locator("#influencers tbody tr").count() == min(matching, 50)
    assert "q=" + word in page.url

    # The scores on screen come from the "recent" profile: analysing a window keeps it.
    job = _send(app_url, "POST", "/api/jobs/analyze", {"profile": "recent"})
    deadline = time.monotonic() + 120
    while _api(app_url, f"/api/jobs/{job['id']}")["state"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert _api(app_url, "/api/analysis")["profile"] == "recent"
    backend, _ = demo
    last = backend.read("MATCH ()-[r:AMPLIFIED]->() RETURN max(r.at) AS at")[0]["at"]
    day = datetime.fromtimestamp(int(last) / 1000, tz=UTC).date()  # the demo's last days
    since, until = (day - timedelta(days=5)).isoformat(), (day - timedelta(days=1)).isoformat()
    page.fill("#filters input[name='q']", "")
    page.fill("#filters input[name='since']", since)
    page.fill("#filters input[name='until']", until)
    page.click("#filters button[type='submit']")
    notice = page.locator("#window-notice")
    notice.wait_for(state="visible")
    assert "the scores cover all the amplification" in notice.inner_text()
    _shot(page, "window-notice")
    page.click("#window-notice [data-action='analyse-window']")
    notice.wait_for(state="hidden", timeout=120_000)
    page.locator("#influencers tbody tr").first.wait_for()
    analysis = _api(app_url, "/api/analysis")
    assert analysis["profile"] == "recent"
    assert analysis["since"].startswith(since) and analysis["until"].startswith(
        (date.fromisoformat(until) + timedelta(days=1)).isoformat()
    )
    assert page.locator("#influencers tbody tr").count() > 0
    _shot(page, "window-analysed")
