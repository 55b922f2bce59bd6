"""Whole responses cached per data stamp (api/response_cache.py): ETag, 304, and nothing stale
after a load or an analysis ends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.response_cache import Entry, ResponseCache
from graph.analysis.run import analyze
from graph.backends.falkordb import FalkorDBBackend
from graph.config import Settings
from graph.store import Store
from loaders.demo import generate_demo
from loaders.formats.contract import CsvContractReader
from loaders.pipeline import load
from tests.support.api_client import api_client

TOKEN = "response-cache-token-0123"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    generate_demo(folder, users=150, days=3)
    return folder


def app_client(backend: FalkorDBBackend, tmp_path: Path, **env: Any) -> TestClient:
    settings = Settings(_env_file=None, RESONANCE_DATA_DIR=tmp_path, **env)  # type: ignore[call-arg]
    return api_client(create_app(settings, backend=backend))


@pytest.fixture
def loaded(falkordb: FalkorDBBackend, demo: Path) -> Store:
    store = Store(falkordb, batch_size=500)
    load(store, [CsvContractReader(demo)])
    analyze(store)
    return store


@pytest.fixture
def client(falkordb: FalkorDBBackend, loaded: Store, tmp_path: Path) -> Iterator[TestClient]:
    with app_client(falkordb, tmp_path) as made:
        yield made


def test_a_repeated_read_has_an_etag_and_a_matching_one_gets_304(client: TestClient) -> None:
    first = client.get("/api/influencers", params={"limit": 5, "sort": "rank"})
    assert first.status_code == 200
    tag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    again = client.get("/api/influencers", params={"sort": "rank", "limit": 5})  # same query
    assert again.headers["etag"] == tag and again.content == first.content
    assert again.headers["content-type"].startswith("application/json")
    unchanged = client.get(
        "/api/influencers", params={"limit": 5, "sort": "rank"}, headers={"If-None-Match": tag}
    )
    assert unchanged.status_code == 304 and unchanged.content == b""
    other = client.get("/api/influencers", params={"limit": 6, "sort": "rank"})
    assert other.headers["etag"] != tag
    csv = client.get("/api/influencers.csv", params={"limit": 5})
    assert csv.status_code == 200 and "etag" in csv.headers
    assert (
        csv.headers["content-disposition"]
        == client.get("/api/influencers.csv", params={"limit": 5}).headers["content-disposition"]
    )


def test_nothing_is_stale_after_a_load_or_an_analysis(
    client: TestClient, loaded: Store, tmp_path: Path
) -> None:
    def top() -> dict[str, Any]:
        response = client.get("/api/influencers", params={"limit": 1, "sort": "rank"})
        assert response.status_code == 200
        return dict(response.json()["items"][0])

    def neighbours(user_id: str) -> set[str]:
        response = client.get(f"/api/users/{user_id}/network", params={"limit": 500})
        assert response.status_code == 200
        return {node["id"] for node in response.json()["nodes"]}

    star = top()
    assert "late-1" not in neighbours(star["id"])
    detail = client.get(f"/api/users/{star['id']}")
    assert detail.status_code == 200 and "etag" in detail.headers
    late = tmp_path / "late"
    late.mkdir()
    # A load renames the top account and gives it a new amplifier: no analysis needed to show.
    (late / "users.csv").write_text(f"id,handle\n{star['id']},renamed_star\nlate-1,latecomer\n")
    (late / "amplifications.csv").write_text(
        "id,amplifier_id,author_id,post_id,kind,created_at\n"
        f"late-a,late-1,{star['id']},,mention,2026-10-02T10:00:00Z\n"
    )
    topics = client.get("/api/topics").headers["etag"]
    load(loaded, [CsvContractReader(late)])
    assert top()["handle"] == "renamed_star"
    assert client.get(f"/api/users/{star['id']}").json()["profile"]["handle"] == "renamed_star"
    assert "late-1" in neighbours(star["id"])
    assert client.get("/api/topics").headers["etag"] != topics  # a load ended: all anew
    topics = client.get("/api/topics").headers["etag"]
    analyze(loaded)
    assert client.get("/api/topics").headers["etag"] != topics


def top_id(client: TestClient) -> str:
    return str(client.get("/api/influencers", params={"limit": 1}).json()["items"][0]["id"])


def test_past_runs_and_failures_are_not_cached(client: TestClient, loaded: Store) -> None:
    run = client.get("/api/analysis").json()["run"]
    past = client.get("/api/influencers", params={"limit": 3, "run": run})
    assert past.status_code == 200 and "etag" not in past.headers
    trajectory = client.get(f"/api/users/{top_id(client)}/trajectory")
    assert trajectory.status_code == 200 and "etag" not in trajectory.headers
    missing = client.get("/api/users/nobody/network")
    assert missing.status_code == 404 and "etag" not in missing.headers


def test_a_cache_of_0_mb_is_off(falkordb: FalkorDBBackend, loaded: Store, tmp_path: Path) -> None:
    with app_client(falkordb, tmp_path, RESONANCE_RESPONSE_CACHE_MB=0) as off:
        response = off.get("/api/influencers", params={"limit": 3})
        assert response.status_code == 200 and "etag" not in response.headers


def test_only_requests_that_pass_the_guard_reach_the_cache(
    falkordb: FalkorDBBackend, loaded: Store, tmp_path: Path
) -> None:
    with app_client(falkordb, tmp_path, RESONANCE_API_TOKEN=TOKEN) as guarded:
        bearer = {"Authorization": f"Bearer {TOKEN}"}
        assert (
            guarded.get("/api/influencers", params={"limit": 3}, headers=bearer).status_code == 200
        )
        assert guarded.get("/api/influencers", params={"limit": 3}).status_code == 401


def test_the_least_recently_used_responses_go_beyond_the_bound() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("not called")

    cache = ResponseCache(app, max_bytes=250)

    for number in range(5):
        cache._keep(("s", number), Entry([], b"x" * 100, b'"e"'))
    assert cache.size_bytes == 200  # the two newest
    assert list(cache._entries) == [("s", 3), ("s", 4)]


def test_a_load_that_wrote_nothing_leaves_an_empty_graph_empty(
    falkordb: FalkorDBBackend, tmp_path: Path
) -> None:
    """Counting a load must not put a node into an empty graph (the bulk path needs one)."""
    store = Store(falkordb, batch_size=500)
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "users.csv").write_text("id,handle\n")
    load(store, [CsvContractReader(empty)])
    assert store.is_empty() and store.data_stamp() == (None, None, None)
    (empty / "users.csv").write_text("id,handle\nu1,one\n")
    load(store, [CsvContractReader(empty)])
    load(store, [CsvContractReader(empty)])
    assert store.data_stamp() == (None, 2, None)
