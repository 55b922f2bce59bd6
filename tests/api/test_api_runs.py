"""The run history through the API, on the real embedded database: runs listed, shown and
deleted, a past run's influencer list and account details, trajectories, comparisons, risers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from graph.backends.falkordb import FalkorDBBackend
from graph.config import Settings
from graph.store import Store
from tests.support.api_client import api_client
from tests.support.run_history import add_accounts, write_run

EARLIER, LATER = 1_000, 2_000


@pytest.fixture
def client(falkordb: FalkorDBBackend) -> Iterator[TestClient]:
    """Two runs (see tests/graph/runs/test_movement.py): c climbs 3 -> 1, d arrives at 3."""
    store = Store(falkordb, batch_size=100)
    store.ensure_schema()
    add_accounts(store)
    write_run(
        store,
        EARLIER,
        {"a": (1, 9), "b": (2, 4), "c": (3, 6), "d": (None, 0), "e": (4, 7)},
        since="2026-01-01T00:00:00Z",
        until="2026-02-01T00:00:00Z",
    )
    write_run(
        store,
        LATER,
        {"c": (1, 8), "a": (2, 9), "d": (3, 6), "e": (4, 2), "b": (5, 3), "f": (6, 5)},
        since="2026-02-01T00:00:00Z",
        until="2026-03-01T00:00:00Z",
        roles={"c": "bridge"},
    )
    with api_client(create_app(Settings(), backend=falkordb)) as test_client:
        yield test_client


def test_runs_are_listed_newest_first_with_provenance(client: TestClient) -> None:
    runs = client.get("/api/runs").json()
    assert [(r["id"], r["latest"], r["ranked"]) for r in runs] == [
        (LATER, True, 6),
        (EARLIER, False, 4),
    ]
    assert runs[1]["since"] == "2026-01-01T00:00:00Z" and runs[1]["profile"] == "default"
    one = client.get(f"/api/runs/{EARLIER}")
    assert one.status_code == 200 and one.json() == runs[1]
    missing = client.get("/api/runs/5")
    assert missing.status_code == 404 and "runs list" in missing.json()["detail"]


def test_delete_refuses_the_latest_and_needs_the_pages_header(client: TestClient) -> None:
    latest = client.delete(f"/api/runs/{LATER}")
    assert latest.status_code == 409 and "latest" in latest.json()["detail"]
    foreign = client.delete(f"/api/runs/{EARLIER}", headers={"X-Requested-With": ""})
    assert foreign.status_code == 403
    assert client.delete(f"/api/runs/{EARLIER}").status_code == 204
    assert client.delete(f"/api/runs/{EARLIER}").status_code == 404
    assert [r["id"] for r in client.get("/api/runs").json()] == [LATER]


def test_influencers_of_a_past_run(client: TestClient) -> None:
    latest = client.get("/api/influencers").json()
    assert [i["id"] for i in latest["items"]] == ["c", "a", "d", "e", "b", "f"]
    assert client.get("/api/influencers", params={"run": LATER}).json() == latest
    past = client.get("/api/influencers", params={"run": EARLIER}).json()
    assert [(i["id"], i["rank"], i["amplifiers"]) for i in past["items"]] == [
        ("a", 1, 9),
        ("b", 2, 4),
        ("c", 3, 6),
        ("e", 4, 7),
    ]
    assert past["total"] == 4 and past["items"][0]["handle"] == "@a"
    text = client.get("/api/influencers.csv", params={"run": EARLIER}).text
    assert [row["user_id"] for row in csv.DictReader(io.StringIO(text))] == ["a", "b", "c", "e"]
    unknown = client.get("/api/influencers", params={"run": 77})
    assert unknown.status_code == 404 and "run 77 not found" in unknown.json()["detail"]
    topic = client.get("/api/influencers", params={"run": EARLIER, "topic": "vegan"})
    assert topic.status_code == 422 and "latest" in topic.json()["detail"]
    window = {"run": EARLIER, "since": "2026-02-01", "until": "2026-02-28"}
    assert client.get("/api/influencers", params=window).status_code == 409  # LATER's window
    window = {"run": EARLIER, "since": "2026-01-01", "until": "2026-01-31"}  # to its end
    assert client.get("/api/influencers", params=window).status_code == 200


def test_user_details_of_a_past_run(client: TestClient) -> None:
    now = client.get("/api/users/c").json()
    assert (now["scores"]["rank"], now["role"]) == (1, "bridge")
    assert client.get("/api/users/c", params={"run": LATER}).json() == now
    past = client.get("/api/users/c", params={"run": EARLIER}).json()
    assert (past["scores"]["rank"], past["scores"]["amplifiers"], past["role"]) == (3, 6, "voice")
    assert [(t["topic"], t["rank"]) for t in past["topics"]] == [("vegan", 3)]
    assert past["profile"] == now["profile"]
    unranked = client.get("/api/users/d", params={"run": EARLIER}).json()
    assert unranked["scores"]["rank"] is None and unranked["role"] is None
    assert client.get("/api/users/c", params={"run": 77}).status_code == 404


def test_trajectory_oldest_first(client: TestClient) -> None:
    found = client.get("/api/users/d/trajectory").json()
    assert found["user_id"] == "d"
    assert [(p["run"], p["rank"], p["since"]) for p in found["points"]] == [
        (EARLIER, None, "2026-01-01T00:00:00Z"),
        (LATER, 3, "2026-02-01T00:00:00Z"),
    ]
    assert client.get("/api/users/nobody/trajectory").status_code == 404


def test_trajectories_of_several_accounts_in_one_read(client: TestClient) -> None:
    found = client.get(
        "/api/runs/trajectories",
        params=[("ids", "d"), ("ids", "nobody"), ("ids", "c"), ("ids", "d")],
    )
    assert found.status_code == 200
    items = found.json()["items"]
    assert [item["user_id"] for item in items] == ["d", "c"]  # asked order, unknown left out
    assert items[0] == client.get("/api/users/d/trajectory").json()
    assert [(p["run"], p["rank"]) for p in items[1]["points"]] == [(EARLIER, 3), (LATER, 1)]
    assert client.get("/api/runs/trajectories", params={"ids": "nobody"}).json() == {"items": []}


@pytest.mark.parametrize(
    "params",
    [[], [("ids", "")], [("ids", "a\x00b")], [("ids", f"u{i}") for i in range(101)]],
)
def test_trajectories_refuse_no_ids_bad_ids_and_more_than_100(
    client: TestClient, params: list[tuple[str, str]]
) -> None:
    refused = client.get("/api/runs/trajectories", params=params)
    assert refused.status_code == 422 and isinstance(refused.json()["detail"], list)


def test_trajectories_take_100_ids(client: TestClient) -> None:
    ids = [("ids", f"u{i}") for i in range(99)] + [("ids", "a")]
    found = client.get("/api/runs/trajectories", params=ids).json()["items"]
    assert [(item["user_id"], len(item["points"])) for item in found] == [("a", 2)]


def test_risers_and_compare(client: TestClient) -> None:
    risen = client.get("/api/runs/risers").json()
    assert (risen["from"], risen["to"]) == (EARLIER, LATER)
    assert [(m["id"], m["earlier_rank"], m["rank"], m["gain"]) for m in risen["items"]] == [
        ("c", 3, 1, 2),
        ("d", None, 3, 2),
    ]
    strict = client.get("/api/runs/risers", params={"min_audience": 7, "limit": 5}).json()
    assert [m["id"] for m in strict["items"]] == ["c"]
    compared = client.get(
        "/api/runs/compare", params={"from": EARLIER, "to": LATER, "top": 2}
    ).json()
    assert [(m["id"], m["earlier_rank"], m["gain"]) for m in compared["items"]] == [
        ("c", 3, 2),
        ("a", 1, -1),
    ]
    first = compared["items"][0]
    assert (first["earlier_role"], first["role"]) == ("voice", "bridge")
    assert (first["earlier_amplifiers"], first["amplifiers"]) == (6, 8)
    assert client.get("/api/runs/compare", params={"from": 9}).status_code == 404
    client.delete(f"/api/runs/{EARLIER}")
    alone = client.get("/api/runs/risers")
    assert alone.status_code == 409 and "two runs" in alone.json()["detail"]
