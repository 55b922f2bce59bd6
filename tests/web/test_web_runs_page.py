"""The history's pages without a browser: ``/runs`` served by the app on the real embedded
database (its scripts, the nav, the form's defaults, no inline script), the trajectory chart's
script on the network and influencer pages, and no script writing HTML."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from graph.backends.falkordb import FalkorDBBackend
from graph.config import Settings
from graph.models import Network
from graph.runs import movement
from graph.store import Store
from tests.support.api_client import api_client
from tests.support.run_history import add_accounts, write_run
from web.pages import render_network_page, render_page, static_dir

SCRIPTS = ("trajectory.js", "runs.js", "network.js", "influencers.js")


@pytest.fixture
def client(falkordb: FalkorDBBackend) -> Iterator[TestClient]:
    store = Store(falkordb, batch_size=100)
    store.ensure_schema()
    add_accounts(store)
    write_run(store, 1_000, {"a": (1, 9), "b": (2, 4)})
    with api_client(create_app(Settings(), backend=falkordb)) as test_client:
        yield test_client


def test_the_runs_page_loads_its_script_and_the_form_defaults(client: TestClient) -> None:
    page = client.get("/runs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'src="/static/runs.js"' in page.text and "<script>" not in page.text
    assert 'href="/runs" aria-current="page"' in page.text
    for name, value in (
        ("top", movement.TOP),
        ("limit", movement.RISERS),
        ("min_audience", movement.MIN_AUDIENCE),
    ):
        assert f'name="{name}" type="number"' in page.text
        assert re.search(rf'name="{name}"[^>]* value="{value}"', page.text), name
    for table in ("runs-table", "compare-table", "risers-table"):
        assert f'id="{table}"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]


@pytest.mark.parametrize("template", ["runs.html", "network.html", "influencers.html"])
def test_the_pages_link_existing_assets_and_the_runs_page(template: str) -> None:
    page = _rendered(template)
    urls = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    for url in urls:
        assert (static_dir() / url.removeprefix("/static/")).is_file(), url
    assert 'href="/runs"' in page
    if template != "runs.html":  # the chart's helpers load before the page's own script
        scripts = [url.removeprefix("/static/") for url in urls if url.endswith(".js")]
        page_script = "network.js" if template == "network.html" else "influencers.js"
        assert scripts.index("trajectory.js") < scripts.index(page_script)


def _rendered(template: str) -> str:
    """The page's HTML from its template alone (no app, no database)."""
    if template == "network.html":
        return render_network_page(Network(nodes=[], edges=[]), title="T")
    return render_page(template, title="T", top=20, risers=20, min_audience=5)


@pytest.mark.parametrize("name", SCRIPTS)
def test_scripts_never_write_html(name: str) -> None:
    script = re.sub(r"/\*.*?\*/", "", (static_dir() / name).read_text(encoding="utf-8"), flags=re.S)
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script, f"{name} uses {sink}"
