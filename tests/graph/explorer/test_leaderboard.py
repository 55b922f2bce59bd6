"""The in-memory ranking (graph.explorer.leaderboard) against the database's own filtered,
sorted pages.

Every page the leaderboard serves must be the page ``Store.influencers`` reads for the same
arguments: same rows, same order, same total, every field. A new analysis (here: another
profile, which changes ranks) must show at once, and an account deleted after the analysis
must not come back from memory.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import asdict

import pytest

from graph.analysis.profile import Profile
from graph.analysis.run import analyze
from graph.explorer.leaderboard import Leaderboard
from graph.models import InfluencerQuery, Page
from graph.server import ServerInfo
from graph.store import Store
from loaders.demo import generate_demo
from tests.conftest import BACKENDS, open_test_backend
from tests.support.graph_reads import DELETE_USER, SET_PROFILE, topic_rankings
from tests.support.ingest import load_csv_dir

NEO4J_SUITE = "explorer suite"


@pytest.fixture(scope="module", params=BACKENDS)
def ranked(
    request: pytest.FixtureRequest, server: ServerInfo, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    backend = open_test_backend(request, server, "t_leaderboard")
    folder = tmp_path_factory.mktemp("leaderboard")
    generate_demo(folder / "demo", users=600, days=10)
    store = Store(backend, batch_size=2000)
    store.ensure_schema()
    load_csv_dir(store, folder / "demo", rejects_path=folder / "rejects.csv")
    analyze(store)
    yield store
    backend.clear()
    backend.close()


def _rows(page: Page) -> tuple[int, list[dict[str, object]]]:
    return page.total, [asdict(item) for item in page.items]


def _choices(store: Store) -> tuple[list[str | None], list[str | None], list[int | None]]:
    topics = [name for name, _ in topic_rankings(store)][:3]
    members = store.community_members()
    communities = sorted({community for _, community in members})[:2]
    roles = sorted(
        {item.role for item in store.influencers(limit=500).items if item.role is not None}
    )
    assert topics and communities and roles, "the demo must have topics, communities and roles"
    return [None, *topics, "no-such-topic"], [None, *roles], [None, *communities, 999]


def _searches(store: Store) -> list[list[str] | None]:
    """No text filter, a full-text search's ids (a prefix of a ranked handle: several accounts),
    and a hand-picked list with an account that does not exist."""
    ranked = store.influencers(limit=300).items
    found = store.search_ids(ranked[0].handle[:4])
    assert len(found) > 1
    return [None, found, [ranked[5].id, ranked[250].id, "no-such-account", ranked[17].id]]


def test_every_page_is_the_databases(ranked: Store) -> None:
    board = Leaderboard()
    topics, roles, communities = _choices(ranked)
    checked = 0
    for sort, topic, role, community, min_score, ids, (limit, offset) in itertools.product(
        ("rank", "amplifiers"),
        topics,
        roles,
        communities,
        (None, 0.0, 20.0),
        _searches(ranked),
        ((50, 0), (7, 13), (500, 0), (10, 10_000)),
    ):
        query = InfluencerQuery(
            topic=topic,
            role=role,
            community=community,
            min_score=min_score,
            ids=None if ids is None else tuple(ids),
        )
        arguments = {"sort": sort, "limit": limit, "offset": offset}
        expected = ranked.influencers(query, **arguments)  # type: ignore[arg-type]
        got = board.influencers(ranked, query, **arguments)  # type: ignore[arg-type]
        assert _rows(got) == _rows(expected), (query, arguments)
        checked += bool(expected.items)
    assert checked > 400  # most combinations return rows: the comparison is not vacuous


def test_other_sorts_are_the_databases(ranked: Store) -> None:
    board = Leaderboard()
    for sort in ("followers", "handle"):
        expected = ranked.influencers(sort=sort, limit=40)  # type: ignore[arg-type]
        assert _rows(board.influencers(ranked, sort=sort, limit=40)) == _rows(expected)  # type: ignore[arg-type]


def test_a_new_analysis_shows_at_once(ranked: Store) -> None:
    board = Leaderboard()
    before = board.influencers(ranked, limit=30)
    assert before.items
    assert _rows(before) == _rows(ranked.influencers(limit=30))
    try:
        analyze(ranked, Profile(name="other", post_share=1.0, half_life_days=1.0, damping=0.5))
        after = board.influencers(ranked, limit=30)
        assert _rows(after) == _rows(ranked.influencers(limit=30))
        assert [i.id for i in after.items] != [i.id for i in before.items]
    finally:
        analyze(ranked)


def test_a_profile_changed_by_a_load_shows_at_once(ranked: Store) -> None:
    # The analysis part of each account is kept per run; the profile is read every time.
    board = Leaderboard()
    first = board.influencers(ranked, limit=3).items[0]
    ranked.write(
        SET_PROFILE, {"id": first.id, "handle": "renamed", "name": "<b>x</b>", "followers": 7}
    )
    try:
        again = board.influencers(ranked, limit=3).items[0]
        assert (again.id, again.handle, again.name, again.followers) == (
            first.id,
            "renamed",
            "<b>x</b>",
            7,
        )
        assert _rows(board.influencers(ranked, limit=3)) == _rows(ranked.influencers(limit=3))
    finally:
        ranked.write(
            SET_PROFILE,
            {
                "id": first.id,
                "handle": first.handle,
                "name": first.name,
                "followers": first.followers,
            },
        )


def test_an_account_deleted_after_the_analysis_is_not_served(ranked: Store) -> None:
    # Runs last: the module's graph keeps the deletion.
    board = Leaderboard()
    first = board.influencers(ranked, limit=5).items[0]
    ranked.write(DELETE_USER, {"id": first.id})
    served = board.influencers(ranked, limit=5).items
    assert first.id not in [item.id for item in served]
    assert [item.id for item in served] == [item.id for item in ranked.influencers(limit=4).items]
