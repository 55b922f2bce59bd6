"""The run history through the store, on the real embedded FalkorDB: every analysis kept as a
run with its ranked accounts' ``RANKED_IN``, incomplete runs invisible and cleaned, retention."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.analysis.run import analyze
from graph.errors import GraphError
from graph.runs.history import (
    LatestRunKept,
    RunNotFound,
    delete_run,
    get_run,
    latest_run,
    list_runs,
)
from graph.store import Store
from loaders.demo import generate_demo
from loaders.formats.contract import CsvContractReader
from loaders.pipeline import load
from tests.support.run_history import add_accounts, user_row, write_run

RANKED_IN_COUNT = "MATCH (:User)-[x:RANKED_IN]->(:Run {id: $run}) RETURN count(x) AS n"
RUN_IDS = "MATCH (r:Run) RETURN r.id AS id, r.complete AS complete ORDER BY id ASC"


def _ranked_in(store: Store, run: int) -> int:
    return int(store.read(RANKED_IN_COUNT, {"run": run})[0]["n"])


def test_each_write_back_is_a_complete_run_with_ranked_accounts_only(falkor_store: Store) -> None:
    add_accounts(falkor_store)
    write_run(falkor_store, 1000, {"a": (1, 9), "b": (2, 4), "c": (None, 0)}, since="2026-01-01")
    runs = list_runs(falkor_store)
    assert [(r.id, r.latest, r.ranked, r.since) for r in runs] == [(1000, True, 2, "2026-01-01")]
    assert runs[0].started_at and runs[0].finished_at
    assert _ranked_in(falkor_store, 1000) == 2  # nothing for the unranked account
    rows = falkor_store.read(
        "MATCH (u:User)-[x:RANKED_IN]->(:Run {id: 1000}) "
        "RETURN u.id AS id, x.rank AS rank, x.amplifiers AS amplifiers, x.topics AS topics "
        "ORDER BY id"
    )
    assert rows == [
        {"id": "a", "rank": 1, "amplifiers": 9, "topics": ["vegan"]},
        {"id": "b", "rank": 2, "amplifiers": 4, "topics": ["vegan"]},
    ]
    # the latest run stays on the accounts and the analysis record, as before
    assert falkor_store.user("a").rank == 1
    latest = falkor_store.latest_analysis()
    assert latest is not None and latest["since"] == "2026-01-01"


def test_an_incomplete_run_is_never_listed_and_the_next_write_back_deletes_it(
    falkor_store: Store,
) -> None:
    add_accounts(falkor_store)
    write_run(falkor_store, 1000, {"a": (1, 9)})
    # a write-back cut short after staging: an incomplete run with its RANKED_IN
    falkor_store.stage_analysis([user_row("b", 1, 3)], [], run=2000)
    assert _ranked_in(falkor_store, 2000) == 1
    assert [r.id for r in list_runs(falkor_store)] == [1000]
    with pytest.raises(RunNotFound):
        get_run(falkor_store, 2000)
    write_run(falkor_store, 3000, {"a": (2, 9), "b": (1, 3)})
    assert falkor_store.read(RUN_IDS) == [
        {"id": 1000, "complete": True},
        {"id": 3000, "complete": True},
    ]
    assert _ranked_in(falkor_store, 2000) == 0


def test_retention_keeps_the_newest_and_never_the_latest(falkor_store: Store) -> None:
    add_accounts(falkor_store)
    for run in (1000, 2000, 3000, 4000):
        write_run(falkor_store, run, {"a": (1, 9), "b": (2, 3)})
    assert falkor_store.prune_runs(2) == 2
    assert [r.id for r in list_runs(falkor_store)] == [4000, 3000]
    assert _ranked_in(falkor_store, 1000) == _ranked_in(falkor_store, 2000) == 0
    # the latest analysis's run is kept even when newer stamps exist (a clock set back)
    falkor_store.write("CREATE (:Run {id: 9000, complete: true})")
    assert falkor_store.prune_runs(1) == 1
    assert [r.id for r in list_runs(falkor_store)] == [9000, 4000]
    assert latest_run(falkor_store) == 4000
    with pytest.raises(ValueError):
        falkor_store.prune_runs(0)


def test_delete_refuses_the_latest_and_unknown_runs(falkor_store: Store) -> None:
    add_accounts(falkor_store)
    write_run(falkor_store, 1000, {"a": (1, 9)})
    write_run(falkor_store, 2000, {"a": (1, 9)})
    with pytest.raises(LatestRunKept, match="latest"):
        delete_run(falkor_store, 2000)
    with pytest.raises(RunNotFound, match="runs list"):
        delete_run(falkor_store, 1234)
    delete_run(falkor_store, 1000)
    assert [r.id for r in list_runs(falkor_store)] == [2000]
    assert _ranked_in(falkor_store, 1000) == 0
    assert isinstance(LatestRunKept(1), GraphError)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    generate_demo(folder, users=400, days=20)
    return folder


def test_two_analyses_of_different_windows_are_two_runs_with_different_ranks(
    falkor_store: Store, demo: Path
) -> None:
    load(falkor_store, [CsvContractReader(demo)], rejects_path=demo / "rejects.txt")
    bounds = falkor_store.read("MATCH ()-[r:AMPLIFIED]->() RETURN min(r.at) AS a, max(r.at) AS b")
    middle = (int(bounds[0]["a"]) + int(bounds[0]["b"])) // 2
    first = analyze(falkor_store, until=middle, keep_runs=2)
    second = analyze(falkor_store, since=middle, keep_runs=2)
    runs = list_runs(falkor_store)
    assert len(runs) == 2 and runs[0].latest and not runs[1].latest
    assert runs[0].since and not runs[0].until and runs[1].until and not runs[1].since
    assert (runs[1].ranked, runs[0].ranked) == (first.ranked, second.ranked)
    assert _ranked_in(falkor_store, runs[1].id) == first.ranked
    assert _ranked_in(falkor_store, runs[0].id) == second.ranked
    ranks = falkor_store.read(
        "MATCH (u:User)-[x:RANKED_IN]->(r:Run) RETURN r.id AS run, u.id AS id, x.rank AS rank"
    )
    by_run: dict[int, dict[str, int]] = {}
    for row in ranks:
        by_run.setdefault(int(row["run"]), {})[str(row["id"])] = int(row["rank"])
    assert by_run[runs[0].id] != by_run[runs[1].id]
    # the latest run's history is the ranking on the accounts
    on_users = falkor_store.read(
        "MATCH (u:User) WHERE u.rank IS NOT NULL RETURN u.id AS id, u.rank AS rank"
    )
    assert {str(r["id"]): int(r["rank"]) for r in on_users} == by_run[runs[0].id]
    # a third analysis with keep_runs=2 deletes the oldest
    analyze(falkor_store, keep_runs=2)
    kept = list_runs(falkor_store)
    assert [r.id for r in kept][1] == runs[0].id and len(kept) == 2
    assert _ranked_in(falkor_store, runs[1].id) == 0
