"""The write-back staged while the betweenness is still computed (then amended with it and
the roles it decides) writes exactly what the write-back after the betweenness writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from graph.analysis.betweenness_workers import BackgroundBetweenness
from graph.analysis.run import analyze
from graph.store import Store
from loaders.demo import generate_demo
from tests.support.graph_reads import LEFT_STAGED, RANKED_IN, TOPIC_RANKS, USER_PROPERTIES
from tests.support.ingest import load_csv_dir

NEO4J_SUITE = "analysis suite"


def _written(store: Store) -> dict[str, Any]:
    run, _loads, _edits = store.data_stamp()
    users = {
        row["id"]: {k: v for k, v in row["properties"].items() if k != "analysis"}
        for row in store.read(USER_PROPERTIES)
    }
    return {
        "users": users,
        "ranked_in": store.read(RANKED_IN, {"run": run}),
        "topic_ranks": store.read(TOPIC_RANKS),
    }


def test_staging_before_the_betweenness_is_done_writes_the_same(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate_demo(tmp_path / "demo", users=2000, days=10)
    load_csv_dir(store, tmp_path / "demo", rejects_path=tmp_path / "rejects.txt")

    monkeypatch.setattr(BackgroundBetweenness, "done", lambda _self: True)
    after = analyze(store)
    written_after = _written(store)
    monkeypatch.setattr(BackgroundBetweenness, "done", lambda _self: False)
    overlapped = analyze(store)
    written_overlapped = _written(store)

    assert overlapped.roles == after.roles
    assert written_overlapped == written_after
    users = written_after["users"].values()
    assert sum(1 for user in users if user.get("betweenness", 0) > 0) > 100
    bridges = [user for user in users if "bridge" in user.get("roles", [])]
    assert bridges, "the demo data has bridges, whose roles only the betweenness decides"
    assert all(any(r.startswith("bridge: ") for r in user["reasons"]) for user in bridges)
    assert store.read(LEFT_STAGED) == [{"n": 0}]
