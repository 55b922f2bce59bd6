"""The influencer lists' text filter and time window, through the API and the network page.

A 400-user demo over 10 days from a fixed start is loaded and analysed over a window of its
middle days; the lists are then asked for that window, for others, and searched by text, and
every answer is checked against the database's own reads.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from graph.analysis.run import analyze
from graph.analysis.window import window_bound
from graph.backends.falkordb import FalkorDBBackend
from graph.config import Settings
from graph.server import ServerInfo
from graph.store import Store
from loaders.demo import generate_demo
from tests.support.api_client import api_client
from tests.support.ingest import load_csv_dir

START = datetime(2026, 9, 1, tzinfo=UTC)
SINCE, UNTIL = "2026-09-03", "2026-09-07"  # the analysed window: 3 to 7 September inclusive
GRAPH_DATA = re.compile(r'<script type="application/json" id="graph-data">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def windowed_backend(
    server: ServerInfo, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FalkorDBBackend]:
    """A graph of demo data, analysed over ``SINCE``..``UNTIL`` only."""
    folder = tmp_path_factory.mktemp("windowed")
    generate_demo(folder / "demo", users=400, days=10, start=START)
    backend = FalkorDBBackend.connect(
        server.host, server.port, server.password, "t_filters", query_timeout_ms=60_000
    )
    store = Store(backend, batch_size=2000)
    store.ensure_schema()
    load_csv_dir(store, folder / "demo", rejects_path=folder / "rejects.txt")
    analyze(
        store,
        since=window_bound(SINCE, end=False),
        until=window_bound(UNTIL, end=True),
    )
    yield backend
    backend.clear()
    backend.close()


@pytest.fixture(scope="module")
def windowed(windowed_backend: FalkorDBBackend) -> Store:
    """The windowed graph through a store, as the tests read it."""
    return Store(windowed_backend, batch_size=2000)


@pytest.fixture(scope="module")
def client(
    windowed_backend: FalkorDBBackend, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    settings = Settings(RESONANCE_DATA_DIR=tmp_path_factory.mktemp("data"))
    with api_client(create_app(settings, backend=windowed_backend)) as test_client:
        yield test_client


def _ids(body: dict[str, object]) -> list[str]:
    items = body["items"]
    assert isinstance(items, list)
    return [str(item["id"]) for item in items]


def test_the_analysed_window_is_served(client: TestClient, windowed: Store) -> None:
    everything = client.get("/api/influencers", params={"limit": 100}).json()
    assert everything["total"] > 0
    for since, until in ((SINCE, UNTIL), ("2026-09-03T00:00:00Z", "2026-09-08T00:00:00+00:00")):
        same = client.get("/api/influencers", params={"limit": 100, "since": since, "until": until})
        assert same.status_code == 200, same.json()
        assert same.json() == everything
    csv_body = client.get("/api/influencers.csv", params={"since": SINCE, "until": UNTIL})
    assert csv_body.status_code == 200
    assert len(list(csv.DictReader(io.StringIO(csv_body.text)))) == min(everything["total"], 1000)


@pytest.mark.parametrize(
    ("since", "until"),
    [("2026-09-02", UNTIL), (SINCE, "2026-09-08"), (SINCE, None), (None, None)],
    ids=["earlier start", "later end", "open end", "no window given"],
)
def test_another_window_is_refused_with_the_way_to_analyse_it(
    client: TestClient, since: str | None, until: str | None
) -> None:
    params = {key: value for key, value in (("since", since), ("until", until)) if value}
    answer = client.get("/api/influencers", params=params)
    if not params:  # no window asked for: the analysed one is served
        assert answer.status_code == 200
        return
    assert answer.status_code == 409
    detail = answer.json()["detail"]
    assert "the scores cover 2026-09-03 to 2026-09-07" in detail
    assert "POST /api/jobs/analyze" in detail
    assert client.get("/api/influencers.csv", params=params).status_code == 409


def test_bad_dates_are_422(client: TestClient) -> None:
    assert client.get("/api/influencers", params={"since": "2026-02-30"}).status_code == 422
    assert client.get("/api/influencers", params={"until": "yesterday"}).status_code == 422


def test_the_text_filter_keeps_the_matching_accounts(client: TestClient, windowed: Store) -> None:
    ranked = windowed.influencers(limit=400).items
    word = ranked[0].handle[:4]
    found = set(windowed.search_ids(word))
    assert found
    body = client.get("/api/influencers", params={"q": word, "limit": 500}).json()
    expected = [item.id for item in ranked if item.id in found]
    assert _ids(body) == expected and body["total"] == len(expected)
    # Combined with the window and another filter.
    role = next(item.role for item in ranked if item.id in found and item.role)
    narrowed = client.get(
        "/api/influencers",
        params={"q": word, "role": role, "since": SINCE, "until": UNTIL, "limit": 500},
    ).json()
    assert _ids(narrowed) == [item.id for item in ranked if item.id in found and item.role == role]
    nothing = client.get("/api/influencers", params={"q": "zzqqxxnomatch"}).json()
    assert nothing == {"items": [], "total": 0, "limit": 50, "offset": 0}
    csv_rows = list(
        csv.DictReader(io.StringIO(client.get("/api/influencers.csv", params={"q": word}).text))
    )
    assert [row["user_id"] for row in csv_rows] == expected


def test_the_network_page_filters_by_text_and_explains_another_window(
    client: TestClient, windowed: Store
) -> None:
    word = windowed.influencers(limit=1).items[0].handle[:4]
    found = set(windowed.search_ids(word))
    page = client.get("/", params={"q": word})
    assert page.status_code == 200
    nodes = json.loads(GRAPH_DATA.findall(page.text)[0])["nodes"]
    assert nodes and {node["id"] for node in nodes} <= found
    assert 'id="window-notice"' in page.text and "Analyse this window" in page.text
    other = client.get("/", params={"since": "2026-09-01", "until": UNTIL})
    assert other.status_code == 200
    assert json.loads(GRAPH_DATA.findall(other.text)[0])["nodes"] == []
    notice = re.search(r'<p class="window-notice"[^>]*>(.*?)</p>', other.text, re.S)
    assert notice is not None and "hidden" not in notice.group(0).split(">")[0]
    assert (
        "the scores cover 2026-09-03 to 2026-09-07, not 2026-09-01 to 2026-09-07" in notice.group(1)
    )
    same = client.get("/", params={"since": SINCE, "until": UNTIL})
    assert json.loads(GRAPH_DATA.findall(same.text)[0])["nodes"]


def test_before_any_analysis_a_window_is_409(tmp_path: Path, falkordb: FalkorDBBackend) -> None:
    with api_client(create_app(Settings(RESONANCE_DATA_DIR=tmp_path), backend=falkordb)) as fresh:
        answer = fresh.get("/api/influencers", params={"since": SINCE})
        assert answer.status_code == 409 and "no analysis yet" in answer.json()["detail"]
