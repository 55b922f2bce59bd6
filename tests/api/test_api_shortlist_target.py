"""A shortlist's campaign target through the API (FalkorDB, and Neo4j when NEO4J_URI is set):
set with the list, each member's share of its audience inside it on the list and in its CSV,
as ``graph.shortlists.target`` measures it (itself checked against an independent count in
tests/graph/shortlists/test_target.py)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from graph.analysis.run import analyze
from graph.backends.base import Backend
from graph.config import Settings
from graph.shortlists.overlap import audiences
from graph.shortlists.target import Target, target_shares
from graph.store import Store
from loaders.demo import generate_demo
from tests.support.api_client import api_client
from tests.support.ingest import load_csv_dir

NEO4J_SUITE = "shortlists suite"


@pytest.fixture
def listed(
    backend: Backend, app_settings: Settings, tmp_path: Path
) -> Iterator[tuple[TestClient, Store, str]]:
    store = Store(backend)
    generate_demo(tmp_path / "demo", users=400, days=10)
    load_csv_dir(store, tmp_path / "demo", rejects_path=tmp_path / "rejects.txt")
    analyze(store)
    with api_client(create_app(app_settings, backend=backend)) as client:
        list_id = client.post("/api/shortlists", json={"name": "Target"}).json()["id"]
        top = client.get("/api/influencers", params={"limit": 6}).json()["items"]
        for k, item in enumerate(top):
            client.put(f"/api/shortlists/{list_id}/members/{item['id']}", json={"cost": k + 1})
        yield client, store, list_id


def test_the_target_and_each_members_share_inside_it(listed: tuple[TestClient, Store, str]) -> None:
    client, store, list_id = listed
    before = client.get(f"/api/shortlists/{list_id}").json()
    assert before["target"] == {"topics": [], "communities": []}
    assert all(member["in_target"] is None for member in before["items"])

    saved = client.put(
        f"/api/shortlists/{list_id}/target", json={"topics": ["vegan"], "communities": [1, 1]}
    )
    assert saved.status_code == 200, saved.text
    assert saved.json() == {"topics": ["vegan"], "communities": [1]}
    detail = client.get(f"/api/shortlists/{list_id}").json()
    assert detail["target"] == {"topics": ["vegan"], "communities": [1]}
    expected = target_shares(
        store, audiences(store, list_id), Target(topics=("vegan",), communities=(1,))
    )
    got = {member["user_id"]: member["in_target"] for member in detail["items"]}
    assert got == pytest.approx(expected)
    shares = [share for share in got.values() if share is not None]
    assert shares and all(0.0 <= share <= 1.0 for share in shares)
    assert len(set(shares)) > 1  # the lens separates the members

    text = client.get(f"/api/shortlists/{list_id}.csv").text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["user_id"]: float(row["in_target"]) for row in rows} == pytest.approx(
        expected, abs=5e-5
    )  # written with 4 decimals
    assert sorted(float(row["cost"]) for row in rows) == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]

    cleared = client.put(f"/api/shortlists/{list_id}/target", json={})
    assert cleared.json() == {"topics": [], "communities": []}
    rows = list(csv.DictReader(io.StringIO(client.get(f"/api/shortlists/{list_id}.csv").text)))
    assert {row["in_target"] for row in rows} == {""}


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"topics": ["no-such-topic"]}, 404),
        ({"communities": ["one"]}, 422),
        ({"communities": [True]}, 422),
        ({"communities": [-1]}, 422),
        ({"topics": [""]}, 422),
    ],
)
def test_a_bad_target_is_refused(
    listed: tuple[TestClient, Store, str], body: dict[str, object], status: int
) -> None:
    client, _, list_id = listed
    assert client.put(f"/api/shortlists/{list_id}/target", json=body).status_code == status
    assert client.get(f"/api/shortlists/{list_id}").json()["target"]["topics"] == []
    assert client.put("/api/shortlists/nothing/target", json={}).status_code == 404


def test_the_lens_for_any_accounts(listed: tuple[TestClient, Store, str]) -> None:
    """``POST /api/target-shares`` (the influencer table's column): the same shares as a
    shortlist of the same accounts gets."""
    client, _, list_id = listed
    members = [m["user_id"] for m in client.get(f"/api/shortlists/{list_id}").json()["items"]]
    client.put(
        f"/api/shortlists/{list_id}/target", json={"topics": ["camping"], "communities": [0]}
    )
    expected = {
        m["user_id"]: m["in_target"]
        for m in client.get(f"/api/shortlists/{list_id}").json()["items"]
    }
    body = {"user_ids": [*members, "nobody", members[0]], "topics": ["camping"], "communities": [0]}
    got = client.post("/api/target-shares", json=body)
    assert got.status_code == 200, got.text
    items = got.json()["items"]
    assert [item["user_id"] for item in items] == members  # unknown and repeated ids dropped
    assert {item["user_id"]: item["in_target"] for item in items} == pytest.approx(expected)
    assert all(item["audience"] > 0 for item in items)
    none = client.post("/api/target-shares", json={"user_ids": members}).json()["items"]
    assert {item["in_target"] for item in none} == {None}
    missing = client.post("/api/target-shares", json={"user_ids": members, "topics": ["nowhere"]})
    assert missing.status_code == 404 and "nowhere" in missing.json()["detail"]
    assert client.post("/api/target-shares", json={"user_ids": []}).status_code == 422
