"""Shortlists stored in the graph, through the API, on the real database (FalkorDB, and Neo4j
when NEO4J_URI is set)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.routes.shortlists import CSV_COLUMNS
from graph.analysis.run import analyze
from graph.backends.base import Backend
from graph.config import Settings
from graph.models import AmplificationRow, UserRow
from graph.shortlists import queries as shortlist_queries
from graph.store import Store
from tests.support.api_client import api_client
from web.csv_export import INFLUENCER_COLUMNS

T0 = 1_790_000_000_000
DAY = 86_400_000
FORMULA = '=HYPERLINK("http://evil.example","click")'
NEO4J_SUITE = "shortlists suite"
NOTE = '@SUM(1+1) </script><script>alert("note")</script> & "quotes"\nsecond line'


@pytest.fixture
def client(backend: Backend, app_settings: Settings) -> Iterator[TestClient]:
    store = Store(backend, batch_size=100)
    store.ensure_schema()
    store.upsert_users(
        [UserRow(f"u{i}", f"user{i}", f"User {i}", 100 + i) for i in range(12)]
        + [UserRow("evil", FORMULA, "+SUM(A1)", 5)]
    )
    events = [
        AmplificationRow(f"e{a}-{b}-{d}", f"u{a}", target, "retweet", T0 + d * DAY)
        for a in range(12)
        for b, target in enumerate(("u0", "u1", "evil"))
        for d in range(3)
        if f"u{a}" != target
    ]
    store.upsert_amplifications(events)
    analyze(store)
    with api_client(create_app(app_settings, backend=backend)) as test_client:
        yield test_client


def _create(client: TestClient, name: str = "Campaign") -> str:
    response = client.post("/api/shortlists", json={"name": name})
    assert response.status_code == 201, response.json()
    return str(response.json()["id"])


def test_create_list_read_update_remove_delete(client: TestClient) -> None:
    created = client.post("/api/shortlists", json={"name": "  Spring launch "}).json()
    assert created["name"] == "Spring launch" and created["members"] == 0
    assert created["profile"] == "default" and len(created["id"]) == 32
    other = _create(client, "Other")

    put = client.put(
        f"/api/shortlists/{created['id']}/members/u1", json={"note": "call", "tags": ["a", "b"]}
    )
    assert put.status_code == 200 and put.json()["tags"] == ["a", "b"]
    client.put(f"/api/shortlists/{created['id']}/members/u0", json={})
    again = client.put(f"/api/shortlists/{created['id']}/members/u1", json={"note": "later"})
    assert again.json()["note"] == "later" and again.json()["tags"] == []
    assert again.json()["added_at"] == put.json()["added_at"]

    detail = client.get(f"/api/shortlists/{created['id']}").json()
    assert detail["members"] == 2
    members = detail["items"]
    assert {m["user_id"] for m in members} == {"u0", "u1"}
    assert members[0]["rank"] < members[1]["rank"]
    by_id = {m["user_id"]: m for m in members}
    assert by_id["u1"]["note"] == "later" and by_id["u0"]["handle"] == "user0"
    assert all(isinstance(m["reasons"], list) and m["score"] > 0 for m in members)

    page = client.get("/api/shortlists", params={"limit": 1}).json()
    assert page["total"] == 2 and page["limit"] == 1
    assert [item["id"] for item in page["items"]] == [created["id"]]  # changed last
    everything = client.get("/api/shortlists").json()["items"]
    assert {item["id"] for item in everything} == {created["id"], other}

    assert client.delete(f"/api/shortlists/{created['id']}/members/u0").status_code == 204
    assert client.delete(f"/api/shortlists/{created['id']}/members/u0").status_code == 404
    assert client.get(f"/api/shortlists/{created['id']}").json()["members"] == 1
    assert client.delete(f"/api/shortlists/{created['id']}").status_code == 204
    assert client.get(f"/api/shortlists/{created['id']}").status_code == 404
    assert client.get("/api/shortlists").json()["total"] == 1
    # the accounts stay, only the shortlist went
    assert client.get("/api/users/u1").status_code == 200


def test_unknown_and_bad_input(client: TestClient) -> None:
    shortlist = _create(client)
    assert client.get("/api/shortlists/nope").status_code == 404
    assert client.get("/api/shortlists/nope.csv").status_code == 404
    assert client.delete("/api/shortlists/nope").status_code == 404
    assert client.put("/api/shortlists/nope/members/u1", json={}).status_code == 404
    missing = client.put(f"/api/shortlists/{shortlist}/members/ghost", json={})
    assert missing.status_code == 404 and "ghost" in missing.json()["detail"]
    for name in ("", "   ", "x" * 201):
        assert client.post("/api/shortlists", json={"name": name}).status_code == 422
    assert client.post("/api/shortlists", json={}).status_code == 422
    too_many = {"tags": [f"t{i}" for i in range(21)]}
    assert client.put(f"/api/shortlists/{shortlist}/members/u1", json=too_many).status_code == 422
    long_tag = {"tags": ["x" * 51]}
    assert client.put(f"/api/shortlists/{shortlist}/members/u1", json=long_tag).status_code == 422
    assert client.get(f"/api/shortlists/{shortlist}").json()["members"] == 0


def test_hostile_text_is_verbatim_in_json_and_neutralised_in_csv(client: TestClient) -> None:
    shortlist = _create(client, FORMULA)
    tags = ["=cmd|'/c calc'!A1", "plain"]
    client.put(f"/api/shortlists/{shortlist}/members/evil", json={"note": NOTE, "tags": tags})
    client.put(f"/api/shortlists/{shortlist}/members/u0", json={"note": "ok"})

    detail = client.get(f"/api/shortlists/{shortlist}").json()
    assert detail["name"] == FORMULA
    evil = next(m for m in detail["items"] if m["user_id"] == "evil")
    assert evil["handle"] == FORMULA and evil["note"] == NOTE and evil["tags"] == tags

    response = client.get(f"/api/shortlists/{shortlist}.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert CSV_COLUMNS[: len(INFLUENCER_COLUMNS)] == INFLUENCER_COLUMNS
    assert len(rows) == 3
    by_id = {row[1]: dict(zip(CSV_COLUMNS, row, strict=True)) for row in rows[1:]}
    bad = by_id["evil"]
    assert bad["handle"] == "'" + FORMULA and bad["name"] == "'+SUM(A1)"
    assert bad["note"] == "'" + NOTE
    assert bad["tags"] == "'" + "; ".join(tags)
    assert bad["profile"] == "default" and bad["analyzed_at"]
    assert by_id["u0"]["note"] == "ok" and by_id["u0"]["handle"] == "user0"
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)


def test_the_queries_are_all_listed() -> None:
    statements = shortlist_queries.all_queries()
    assert shortlist_queries.UPSERT_MEMBER in statements
    assert shortlist_queries.AUDIENCES in statements
    assert shortlist_queries.AMPLIFIED_POSTS in statements
    assert len(statements) == 18
