"""Shortlists remember: each member keeps its score, rank, role and run from when it was first
added, and reads show then and now, each labelled with its own run; on the real database."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.routes.shortlists import CSV_COLUMNS
from graph.analysis.run import analyze
from graph.backends.base import Backend
from graph.config import Settings
from graph.store import Store
from tests.support.api_client import api_client
from tests.support.shortlist_runs import SECOND_PROFILE, first_analysis, load_accounts, turn_over

NEO4J_SUITE = "shortlists suite"
ADDED = ("added_score", "added_rank", "added_role", "added_run", "added_profile")


@pytest.fixture
def store(backend: Backend) -> Store:
    store = Store(backend, batch_size=100)
    load_accounts(store)
    return store


@pytest.fixture
def client(backend: Backend, app_settings: Settings, store: Store) -> Iterator[TestClient]:
    with api_client(create_app(app_settings, backend=backend)) as test_client:
        yield test_client


def _shortlist(client: TestClient, *members: str) -> str:
    shortlist = str(client.post("/api/shortlists", json={"name": "Launch"}).json()["id"])
    for user_id in members:
        response = client.put(f"/api/shortlists/{shortlist}/members/{user_id}", json={})
        assert response.status_code == 200, response.json()
    return shortlist


def _members(client: TestClient, shortlist: str) -> dict[str, dict[str, Any]]:
    return {m["user_id"]: m for m in client.get(f"/api/shortlists/{shortlist}").json()["items"]}


def _csv(client: TestClient, shortlist: str) -> dict[str, dict[str, str]]:
    response = client.get(f"/api/shortlists/{shortlist}.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)
    return {row[1]: dict(zip(CSV_COLUMNS, row, strict=True)) for row in rows[1:]}


def _label(run: dict[str, Any], *, kept: bool = True) -> dict[str, Any]:
    """A run of ``/api/runs`` as a member's standing labels it."""
    fields = ("profile", "since", "until", "analyzed_at")
    return {"run": run["id"], **{key: run[key] for key in fields}, "kept": kept}


def test_then_and_now_after_a_reanalysis(client: TestClient, store: Store) -> None:
    first_analysis(store)
    shortlist = _shortlist(client, "star", "riser")
    before = _members(client, shortlist)
    assert before["star"]["added"]["rank"] == 1 == before["star"]["now"]["rank"]
    assert before["star"]["rank_change"] == 0

    turn_over(store)
    latest, first = client.get("/api/runs").json()
    assert latest["profile"] == SECOND_PROFILE.name and first["profile"] == "default"
    detail = client.get(f"/api/shortlists/{shortlist}").json()
    assert detail["latest_run"] == _label(latest)
    assert [m["user_id"] for m in detail["items"]] == ["riser", "star"]  # by rank now
    star, riser = _members(client, shortlist)["star"], _members(client, shortlist)["riser"]
    assert star["added"] == before["star"]["added"]
    assert star["added"]["run"] == _label(first)
    assert star["added"]["rank"] == 1 and star["added"]["role"] == "bridge"
    assert star["added"]["score"] == pytest.approx(100.0)
    assert star["now"] == {
        "score": star["score"], "rank": 2, "role": star["role"], "run": _label(latest)
    }  # fmt: skip
    assert star["rank"] == 2 and star["rank_change"] == -1
    assert riser["added"]["rank"] == 2 and riser["now"]["rank"] == 1 and riser["rank_change"] == 1

    rows = _csv(client, shortlist)
    assert rows["star"]["rank"] == "2" and rows["star"]["added_rank"] == "1"
    assert rows["star"]["added_score"] == "100.0000" and rows["star"]["added_role"] == "bridge"
    assert rows["star"]["added_run"] == str(first["id"]) and rows["star"]["run"] == str(
        latest["id"]
    )
    assert rows["star"]["added_profile"] == "default" and rows["star"]["profile"] == "second"
    assert rows["star"]["since"] == latest["since"] and rows["star"]["until"] == ""
    assert rows["star"]["added_window"] == ""  # the first run had no window
    assert rows["star"]["analyzed_at"] == latest["analyzed_at"]
    assert rows["star"]["added_analyzed_at"] == first["analyzed_at"]
    assert rows["star"]["added_run_kept"] == "yes"
    assert rows["riser"]["rank"] == "1" and rows["riser"]["added_rank"] == "2"


def test_resaving_a_note_keeps_the_snapshot(client: TestClient, store: Store) -> None:
    first_analysis(store)
    shortlist = _shortlist(client, "star")
    added = _members(client, shortlist)["star"]
    turn_over(store)
    url = f"/api/shortlists/{shortlist}/members/star"
    saved = client.put(url, json={"note": "call in May", "tags": ["spring"]}).json()
    assert saved["note"] == "call in May" and saved["added_at"] == added["added_at"]
    assert saved["added"] == added["added"] and saved["now"]["rank"] == 2
    assert saved["rank_change"] == -1
    assert _members(client, shortlist)["star"]["added"] == added["added"]
    # adding it again to another list snapshots the run of that moment
    other = _shortlist(client, "star")
    assert _members(client, other)["star"]["added"]["rank"] == 2


def test_a_dropped_run_keeps_the_label_it_was_added_under(client: TestClient, store: Store) -> None:
    first_analysis(store)
    shortlist = _shortlist(client, "star")
    added = _members(client, shortlist)["star"]["added"]
    turn_over(store)
    analyze(store, SECOND_PROFILE, since=None, keep_runs=1)  # the first run is dropped
    assert len(client.get("/api/runs").json()) == 1
    star = _members(client, shortlist)["star"]
    assert star["added"]["run"] == {**added["run"], "kept": False}
    assert star["added"]["rank"] == 1 and star["added"]["run"]["profile"] == "default"
    assert _csv(client, shortlist)["star"]["added_run_kept"] == "no"


def test_a_member_added_before_any_analysis_has_no_snapshot(
    client: TestClient, store: Store
) -> None:
    shortlist = _shortlist(client, "star")
    detail = client.get(f"/api/shortlists/{shortlist}").json()
    assert detail["latest_run"] is None
    star = detail["items"][0]
    nothing = {"score": None, "rank": None, "role": None, "run": None}
    assert star["added"] == nothing == star["now"] and star["rank_change"] is None
    row = _csv(client, shortlist)["star"]
    assert all(row[column] == "" for column in (*ADDED, "added_window", "run", "profile"))

    first_analysis(store)
    star = _members(client, shortlist)["star"]
    assert star["added"] == nothing and star["now"]["rank"] == 1
    assert star["now"]["run"]["profile"] == "default" and star["rank_change"] is None
    row = _csv(client, shortlist)["star"]
    assert row["rank"] == "1" and row["profile"] == "default" and row["added_rank"] == ""
