"""A shortlist's audience overlap and its best subset for a budget, through the API, on the
real database (FalkorDB, and Neo4j when NEO4J_URI is set), against an independent computation
from the loaded files and brute force over the members' subsets."""

from __future__ import annotations

import csv
import itertools
import math
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from graph.analysis.run import analyze
from graph.backends.base import Backend
from graph.config import Settings
from graph.store import Store
from loaders.demo import generate_demo
from tests.support.api_client import api_client
from tests.support.graph_reads import flagged_amplifiers
from tests.support.ingest import load_csv_dir

NEO4J_SUITE = "shortlists suite"
MEMBERS = 9
COSTS = [5.0, 3.0, None, 2.0, 4.0, 1.0, None, 6.0, 2.5]


@pytest.fixture
def loaded(
    backend: Backend, app_settings: Settings, tmp_path: Path
) -> Iterator[tuple[TestClient, Store, Path]]:
    store = Store(backend, batch_size=500)
    store.ensure_schema()
    generate_demo(tmp_path / "demo", users=1500, days=10)
    load_csv_dir(store, tmp_path / "demo", rejects_path=tmp_path / "rejects.txt")
    analyze(store)
    with api_client(create_app(app_settings, backend=backend)) as test_client:
        yield test_client, store, tmp_path / "demo"


def _audiences(folder: Path, members: list[str], flagged: set[str]) -> dict[str, set[str]]:
    """From the amplifications file: each member's distinct amplifiers, but itself and the
    accounts the analysis flagged (boosters, hollow accounts)."""
    found: dict[str, set[str]] = defaultdict(set)
    with (folder / "amplifications.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            author, amplifier = row["author_id"], row["amplifier_id"]
            if author in members and amplifier != author and amplifier not in flagged:
                found[author].add(amplifier)
    return {member: found[member] for member in members}


def _shortlist(client: TestClient) -> tuple[str, list[str]]:
    shortlist = client.post("/api/shortlists", json={"name": "Budget"}).json()["id"]
    top = client.get("/api/influencers", params={"limit": MEMBERS}).json()["items"]
    members = [item["id"] for item in top]
    for member, cost in zip(members, COSTS, strict=True):
        body = {} if cost is None else {"cost": cost}
        put = client.put(f"/api/shortlists/{shortlist}/members/{member}", json=body)
        assert put.status_code == 200 and put.json()["cost"] == cost, put.text
    return shortlist, members


def test_overlap_matches_the_files(loaded: tuple[TestClient, Store, Path]) -> None:
    client, store, folder = loaded
    shortlist, members = _shortlist(client)
    flagged = flagged_amplifiers(store)
    assert flagged, "the demo data has boosters or hollow accounts to leave out"
    expected = _audiences(folder, members, flagged)
    response = client.get(f"/api/shortlists/{shortlist}/overlap")
    assert response.status_code == 200, response.text
    got = response.json()
    order = sorted(members, key=lambda m: (-len(expected[m]), m))
    assert got["members"] == order
    assert got["audience"] == [len(expected[m]) for m in order]
    union = set().union(*expected.values())
    assert got["union"] == len(union)
    for i, a in enumerate(order):
        others = set().union(*(expected[b] for b in order if b != a))
        assert got["unique"][i] == len(expected[a] - others)
        for j, b in enumerate(order):
            share = len(expected[a] & expected[b]) / len(expected[a]) if expected[a] else 0.0
            assert got["shared"][i][j] == pytest.approx(share)
    assert all(got["shared"][i][i] == 1.0 for i in range(len(order)) if got["audience"][i])


@pytest.mark.parametrize("budget", [1.0, 4.0, 7.5, 12.0, 40.0])
def test_selection_is_within_the_guarantee_of_brute_force(
    loaded: tuple[TestClient, Store, Path], budget: float
) -> None:
    client, store, folder = loaded
    shortlist, members = _shortlist(client)
    reach = _audiences(folder, members, flagged_amplifiers(store))
    cost = {m: c or 1.0 for m, c in zip(members, COSTS, strict=True)}
    optimum = max(
        len(set().union(*(reach[m] for m in subset)))
        for size in range(len(members) + 1)
        for subset in itertools.combinations(members, size)
        if sum(cost[m] for m in subset) <= budget
    )
    response = client.post(f"/api/shortlists/{shortlist}/selection", json={"budget": budget})
    assert response.status_code == 200, response.text
    got = response.json()
    picked = [step["member"] for step in got["steps"]]
    assert got["coverage"] == len(set().union(*(reach[m] for m in picked)))
    assert got["spent"] == pytest.approx(sum(cost[m] for m in picked)) and got["spent"] <= budget
    assert got["coverage"] >= (1 - 1 / math.e) / 2 * optimum
    assert got["union"] == len(set().union(*reach.values()))
    assert sorted(got["unit_cost"]) == sorted(
        m for m, c in zip(members, COSTS, strict=True) if c is None
    )
    covered: set[str] = set()
    for step in got["steps"]:  # the curve: each step's gain and totals
        assert step["gain"] == len(reach[step["member"]] - covered) > 0
        covered |= reach[step["member"]]
        assert step["coverage"] == len(covered) and step["cost"] == cost[step["member"]]


def test_overlap_and_selection_refuse_what_they_cannot_answer(
    loaded: tuple[TestClient, Store, Path],
) -> None:
    client, _store, _folder = loaded
    assert client.get("/api/shortlists/nothing/overlap").status_code == 404
    assert client.post("/api/shortlists/nothing/selection", json={"budget": 3}).status_code == 404
    shortlist, members = _shortlist(client)
    for bad in ({"budget": 0}, {"budget": -1}, {"budget": True}, {}):
        assert client.post(f"/api/shortlists/{shortlist}/selection", json=bad).status_code == 422
    refused = client.put(f"/api/shortlists/{shortlist}/members/{members[0]}", json={"cost": 0})
    assert refused.status_code == 422
