"""What to read and whom to follow through the API (FalkorDB, and Neo4j when NEO4J_URI is set),
for an account and for a shortlist, on the demo data: what ``graph.explorer.reading`` reads
(itself checked against an independent count in tests/graph/explorer/test_reading.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from graph.analysis.run import analyze
from graph.backends.base import Backend
from graph.config import Settings
from graph.explorer.reading import reading_list
from graph.explorer.reads import Explorer
from graph.store import Store
from loaders.demo import generate_demo
from tests.support.api_client import api_client
from tests.support.ingest import load_csv_dir

NEO4J_SUITE = "explorer suite"


@pytest.fixture
def loaded(
    backend: Backend, app_settings: Settings, tmp_path: Path
) -> Iterator[tuple[Store, TestClient]]:
    store = Store(backend)
    generate_demo(tmp_path / "demo", users=300, days=14)
    load_csv_dir(store, tmp_path / "demo", rejects_path=tmp_path / "rejects.txt")
    analyze(store)
    settings = app_settings.model_copy(update={"data_dir": tmp_path / "data"})
    with api_client(create_app(settings, backend=backend)) as client:
        yield store, client


def _top(client: TestClient, n: int) -> list[str]:
    return [
        item["id"] for item in client.get("/api/influencers", params={"limit": n}).json()["items"]
    ]


def test_an_accounts_reading_list(loaded: tuple[Store, TestClient]) -> None:
    store, client = loaded
    top = _top(client, 1)[0]
    got = client.get(f"/api/users/{top}/reading", params={"voices": 4, "posts": 2})
    assert got.status_code == 200, got.text
    body = got.json()
    expected = reading_list(store, Explorer(store), [top], voices=4, posts=2)
    assert body["seeds"] == [top] and body["topics"] == list(expected.topics)
    assert [v["voice"]["account"]["id"] for v in body["voices"]] == [
        v.voice.account.id for v in expected.voices
    ]
    assert [[p["id"] for p in v["posts"]] for v in body["voices"]] == [
        [p.id for p in v.posts] for v in expected.voices
    ]
    assert len(body["voices"]) == 4 and any(v["posts"] for v in body["voices"])
    assert all(len(v["posts"]) <= 2 for v in body["voices"])
    anything = client.get(f"/api/users/{top}/reading", params={"any_topic": "true"}).json()
    assert anything["topics"] == []
    chosen = client.get(f"/api/users/{top}/reading", params=[("topics", "camping")]).json()
    assert chosen["topics"] == ["camping"]
    assert all("camping" in p["topics"] for v in chosen["voices"] for p in v["posts"])


def test_a_shortlists_reading_list(loaded: tuple[Store, TestClient]) -> None:
    store, client = loaded
    members = _top(client, 3)
    made = client.post("/api/shortlists", json={"name": "Campaign"}).json()
    empty = client.get(f"/api/shortlists/{made['id']}/reading").json()
    assert empty == {"seeds": [], "topics": [], "voices": []}
    for user_id in members:
        assert client.put(
            f"/api/shortlists/{made['id']}/members/{user_id}", json={}
        ).status_code in (200, 201)
    body = client.get(f"/api/shortlists/{made['id']}/reading").json()
    expected = reading_list(store, Explorer(store), members)
    assert sorted(body["seeds"]) == sorted(members)
    assert body["topics"] == list(expected.topics)
    voices = [v["voice"]["account"]["id"] for v in body["voices"]]
    assert voices == [v.voice.account.id for v in expected.voices]
    assert not set(voices) & set(members)


@pytest.mark.parametrize(
    "path",
    ["/api/users/nobody/reading", "/api/shortlists/nothing/reading"],
)
def test_unknown_seeds_are_404(loaded: tuple[Store, TestClient], path: str) -> None:
    _, client = loaded
    assert client.get(path).status_code == 404
