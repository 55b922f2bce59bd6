"""Trajectories, comparisons and rising voices on a hand-made history whose numbers are known."""

from __future__ import annotations

import pytest

from graph.errors import NodeNotFound
from graph.models import InfluencerQuery
from graph.runs.history import RunNotFound, TooFewRuns
from graph.runs.movement import compare, risers
from graph.runs.past_rankings import NotKept, run_influencers, standing
from graph.runs.trajectory import trajectory
from graph.store import Store
from tests.support.run_history import add_accounts, write_run

EARLIER, LATER = 1_000, 2_000


@pytest.fixture
def history(falkor_store: Store) -> Store:
    """Two runs: c climbs 3 -> 1, d arrives at 3 (unranked before: counts as 5), e stays at 4
    with a smaller audience, a and b fall, f arrives at 6 (counts as 5: a fall)."""
    add_accounts(falkor_store)
    write_run(
        falkor_store,
        EARLIER,
        {"a": (1, 9), "b": (2, 4), "c": (3, 6), "d": (None, 0), "e": (4, 7)},
        since="2026-01-01T00:00:00Z",
        until="2026-02-01T00:00:00Z",
    )
    write_run(
        falkor_store,
        LATER,
        {"c": (1, 8), "a": (2, 9), "d": (3, 6), "e": (4, 2), "b": (5, 3), "f": (6, 5)},
        since="2026-02-01T00:00:00Z",
        until="2026-03-01T00:00:00Z",
        roles={"c": "bridge"},
    )
    return falkor_store


def test_trajectory_lists_every_run_oldest_first_with_null_where_unranked(history: Store) -> None:
    points = trajectory(history, "d")
    assert [(p.run, p.rank, p.since) for p in points] == [
        (EARLIER, None, "2026-01-01T00:00:00Z"),
        (LATER, 3, "2026-02-01T00:00:00Z"),
    ]
    assert points[0].score is None and points[1].score == pytest.approx(100 / 3, abs=1e-3)
    assert [p.rank for p in trajectory(history, "a")] == [1, 2]
    with pytest.raises(NodeNotFound):
        trajectory(history, "nobody")


def test_risers_gain_most_ranks_with_a_minimum_audience(history: Store) -> None:
    earlier, later, found = risers(history)  # defaults: the two latest runs, audience 5
    assert (earlier, later) == (EARLIER, LATER)
    assert [(m.id, m.earlier_rank, m.rank, m.gain) for m in found] == [
        ("c", 3, 1, 2),
        ("d", None, 3, 2),  # unranked before: counted as 5 (the earlier run ranked 4)
    ]
    _, _, strict = risers(history, min_audience=7)
    assert [m.id for m in strict] == ["c"]
    _, _, one = risers(history, limit=1, min_audience=1)
    assert [m.id for m in one] == ["c"]


def test_compare_shows_the_later_top_with_what_changed(history: Store) -> None:
    _, _, top = compare(history, top=3)
    assert [(m.id, m.rank, m.earlier_rank, m.gain) for m in top] == [
        ("c", 1, 3, 2),
        ("a", 2, 1, -1),
        ("d", 3, None, None),
    ]
    assert (top[0].earlier_role, top[0].role) == ("voice", "bridge")
    assert (top[0].earlier_amplifiers, top[0].amplifiers) == (6, 8)
    # the other way round: the earlier run's top against the later one
    _, _, back = compare(history, earlier=LATER, later=EARLIER, top=2)
    assert [(m.id, m.earlier_rank) for m in back] == [("a", 2), ("b", 5)]


def test_comparing_needs_two_known_runs(history: Store) -> None:
    with pytest.raises(RunNotFound):
        risers(history, earlier=42, later=LATER)
    history.write("MATCH (r:Run {id: $run}) DETACH DELETE r", {"run": EARLIER})
    with pytest.raises(TooFewRuns, match="two runs"):
        compare(history)


def test_a_past_run_reads_as_it_ranked(history: Store) -> None:
    page = run_influencers(history, EARLIER, InfluencerQuery(), limit=2)
    assert [(i.id, i.rank, i.amplifiers) for i in page.items] == [("a", 1, 9), ("b", 2, 4)]
    assert page.total == 4
    by_audience = run_influencers(history, EARLIER, InfluencerQuery(), sort="amplifiers")
    assert [i.id for i in by_audience.items] == ["a", "e", "c", "b"]
    assert run_influencers(history, LATER, InfluencerQuery(role="bridge")).total == 1
    with pytest.raises(NotKept, match="topic"):
        run_influencers(history, EARLIER, InfluencerQuery(topic="vegan"))
    with pytest.raises(RunNotFound):
        run_influencers(history, 7, InfluencerQuery())
    found = standing(history, EARLIER, "c")
    assert found is not None and (found.rank, found.role, found.topic_ranks) == (3, "voice", (3,))
    assert standing(history, EARLIER, "d") is None
