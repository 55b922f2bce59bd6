"""The slice end to end: demo data loaded and analysed, then read through the API."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from graph.analysis.run import analyze
from graph.backends.falkordb import FalkorDBBackend
from graph.config import Settings
from graph.models import AmplificationRow, UserRow
from graph.server import EmbeddedServer, ServerInfo
from graph.store import Store
from loaders.demo import HOSTILE_HANDLE, generate_demo
from tests.support.api_client import api_client
from tests.support.ingest import load_csv_dir

HOSTILE_NAME = "</script><script>alert('name')</script>"
T0 = 1_790_000_000_000


@pytest.fixture(scope="module")
def demo_backend(
    server: ServerInfo, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FalkorDBBackend]:
    folder = tmp_path_factory.mktemp("demo")
    generate_demo(folder, users=400, days=10)
    backend = FalkorDBBackend.connect(
        server.host, server.port, server.password, "api_demo", query_timeout_ms=60_000
    )
    store = Store(backend, batch_size=2000)
    load_csv_dir(store, folder, rejects_path=folder / "rejects.txt")
    # A hostile account that is certainly in the top of the network: many distinct amplifiers.
    store.upsert_users(
        [
            UserRow("evil", HOSTILE_HANDLE, HOSTILE_NAME, 10, '<b>bold</b> & "quoted"'),
            UserRow("formula", '=HYPERLINK("x")', "+SUM(A1)", 5, ""),
        ]
    )
    amplifiers = [row["id"] for row in backend.read("MATCH (u:User) RETURN u.id AS id LIMIT 60")]
    store.upsert_amplifications(
        [AmplificationRow(f"evil-{a}", a, "evil", "retweet", T0) for a in amplifiers]
        + [AmplificationRow(f"formula-{a}", a, "formula", "retweet", T0) for a in amplifiers[:40]]
    )
    analyze(store)
    yield backend
    backend.clear()
    backend.close()


@pytest.fixture(scope="module")
def client(demo_backend: FalkorDBBackend) -> Iterator[TestClient]:
    with api_client(create_app(Settings(), backend=demo_backend)) as test_client:
        yield test_client


def test_health(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "backend": "falkordb"}


def test_influencers_are_sorted_and_paginated(client: TestClient) -> None:
    first = client.get("/api/influencers", params={"limit": 20}).json()
    second = client.get("/api/influencers", params={"limit": 20, "offset": 20}).json()
    assert [item["rank"] for item in first["items"]] == list(range(1, 21))
    assert [item["rank"] for item in second["items"]] == list(range(21, 41))
    assert first["total"] > 300 and first["total"] == second["total"]
    scores = [item["score"] for item in first["items"] + second["items"]]
    assert scores == sorted(scores, reverse=True)
    assert not any(item["is_brand"] for item in first["items"])
    by_followers = client.get("/api/influencers", params={"sort": "followers"}).json()["items"]
    followers = [item["followers"] or 0 for item in by_followers]
    assert followers == sorted(followers, reverse=True)


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 501},
        {"offset": -1},
        {"sort": "klout"},
        {"role": "celebrity"},
        {"community": -1},
        {"min_score": 101},
    ],
)
def test_bad_parameters_are_422(client: TestClient, params: dict[str, object]) -> None:
    response = client.get("/api/influencers", params=params)
    assert response.status_code == 422
    assert "detail" in response.json()


def test_influencers_filtered_by_topic_role_community_and_score(client: TestClient) -> None:
    everyone = client.get("/api/influencers", params={"limit": 500}).json()["items"]
    top = everyone[0]
    assert top["reasons"] and top["top_amplifiers"] and top["role"] is not None
    topic = top["topics"][0]
    on_topic = client.get("/api/influencers", params={"topic": topic, "limit": 50}).json()
    assert on_topic["total"] > 0
    assert [item["rank"] for item in on_topic["items"]] == list(
        range(1, len(on_topic["items"]) + 1)
    )
    assert all(topic in item["topics"] for item in on_topic["items"])
    assert on_topic["items"][0]["score"] == pytest.approx(100.0)
    for role in {item["role"] for item in everyone if item["role"]}:
        page = client.get("/api/influencers", params={"role": role, "limit": 500}).json()
        assert page["total"] == sum(1 for item in everyone if item["role"] == role)
        assert {item["role"] for item in page["items"]} == {role}
    community = top["community"]
    page = client.get("/api/influencers", params={"community": community, "limit": 500}).json()
    assert {item["community"] for item in page["items"]} == {community}
    assert page["total"] == sum(1 for item in everyone if item["community"] == community)
    strong = client.get("/api/influencers", params={"min_score": 20, "limit": 500}).json()
    assert strong["total"] == sum(1 for item in everyone if item["score"] >= 20)
    unknown = client.get("/api/influencers", params={"topic": "no-such-topic"}).json()
    assert unknown["items"] == [] and unknown["total"] == 0


def test_csv_export(client: TestClient) -> None:
    response = client.get("/api/influencers.csv", params={"limit": 100})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 100
    assert [int(row["rank"]) for row in rows] == list(range(1, 101))
    assert rows[0].keys() >= {
        "rank",
        "user_id",
        "handle",
        "score",
        "followers",
        "community",
        "betweenness",
        "core",
    }
    assert all(row["community"].isdigit() for row in rows)
    assert len({row["community"] for row in rows}) >= 2
    every = list(
        csv.DictReader(io.StringIO(client.get("/api/influencers.csv", params={"limit": 5000}).text))
    )
    formula = next(row for row in every if row["user_id"] == "formula")
    assert formula["handle"] == '\'=HYPERLINK("x")' and formula["name"] == "'+SUM(A1)"


def _graph_data(html: str) -> dict[str, object]:
    match = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', html, re.S)
    assert match is not None
    data: dict[str, object] = json.loads(match.group(1))
    return data


def test_network_page(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    assert 'id="network"' in html
    data = _graph_data(html)
    nodes = data["nodes"]
    assert isinstance(nodes, list) and len(nodes) >= 150
    labels = {node["label"] for node in nodes}
    assert HOSTILE_HANDLE in labels  # the data survives intact ...
    assert HOSTILE_HANDLE not in html and HOSTILE_NAME not in html  # ... but never unescaped
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "http://" not in html and "https://" not in html
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert client.get(asset).status_code == 200, asset
    assert "/api/influencers.csv" in html


def test_openapi_documents_the_endpoints(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/health", "/api/influencers", "/api/influencers.csv", "/"} <= set(paths)


def test_database_down_gives_a_clear_503(tmp_path: Path) -> None:
    embedded = EmbeddedServer(tmp_path / "data")
    info = embedded.start()
    backend = FalkorDBBackend.connect(
        info.host, info.port, info.password, "down", query_timeout_ms=5_000
    )
    try:
        embedded.kill()
        with api_client(create_app(Settings(), backend=backend)) as down:
            for path in ("/health", "/api/influencers", "/"):
                response = down.get(path)
                assert response.status_code == 503, path
                assert "not reachable" in response.json()["detail"]
                assert "resonance db start" in response.json()["detail"]
    finally:
        backend.close()
        embedded.stop()


def test_unreachable_neo4j_gives_a_clear_503() -> None:
    settings = Settings(NEO4J_URI="bolt://127.0.0.1:1", NEO4J_PASSWORD="x")
    with api_client(create_app(settings)) as down:
        response = down.get("/health")
    assert response.status_code == 503
    assert "Neo4j is not reachable" in response.json()["detail"]
