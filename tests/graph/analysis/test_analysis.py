"""The analysis run end to end on a real embedded FalkorDB: project, PageRank, write back."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from typer.testing import CliRunner

from api.cli import app
from graph.analysis.profile import Profile
from graph.analysis.run import AnalysisSummary, analyze
from graph.analysis.weighting import pair_weight
from graph.models import AmplificationRow, Influencer, UserRow
from graph.store import Store
from tests.support.graph_reads import (
    ALL_SCORES,
    DROP_ALL_AMPLIFICATIONS,
    DROP_AMPLIFICATIONS_OF,
    USER_SCORE,
    USER_STRUCTURE,
)

DAMPING = 0.85
PROFILE = Profile(damping=DAMPING)
BRAND = "brand"
START_MS = 1_790_000_000_000

NEO4J_SUITE = "analysis suite"


@dataclass
class Scenario:
    """What the test wrote, kept in memory to build the expected answer independently."""

    users: dict[str, UserRow] = field(default_factory=dict)
    events: list[AmplificationRow] = field(default_factory=list)

    def user(self, user_id: str, *, is_brand: bool = False) -> None:
        self.users[user_id] = UserRow(
            id=user_id, handle=f"@{user_id}", name=user_id.title(), is_brand=is_brand
        )

    def amplify(self, amplifier: str, author: str, kind: str = "retweet", times: int = 1) -> None:
        for _ in range(times):
            n = len(self.events)
            self.events.append(
                AmplificationRow(
                    id=f"e{n:05d}",
                    amplifier_id=amplifier,
                    author_id=author,
                    kind=kind,
                    created_at=START_MS + 60_000 * n,
                    post_id=f"p-{author}",
                )
            )

    def drop(self, user_ids: Iterable[str]) -> None:
        gone = set(user_ids)
        self.events = [
            e for e in self.events if e.amplifier_id not in gone and e.author_id not in gone
        ]


def first_load() -> Scenario:
    s = Scenario()
    s.user(BRAND, is_brand=True)
    for name in ("star", "five", "single", "fan", "lurker", "gone", "gone_fan"):
        s.user(name)
    for i in range(8):  # star: eight distinct amplifiers, one of them in two ways
        s.user(f"a{i}")
        s.amplify(f"a{i}", "star")
    s.amplify("a0", "star", kind="like", times=2)
    for i in range(5):  # five: amplified once each by five distinct accounts
        s.user(f"b{i}")
        s.amplify(f"b{i}", "five")
    s.amplify("fan", "single", times=50)  # single: one account, fifty retweets
    s.amplify("fan", "star")  # ... and the fan's one other retweet
    for i in range(12):  # the brand: the most amplified account of all
        s.user(f"c{i}")
        s.amplify(f"c{i}", BRAND, kind="quote" if i % 3 else "retweet")
    s.amplify("gone_fan", "gone", times=3)
    s.amplify("gone", "five", kind="reply")
    return s


def write(store: Store, scenario: Scenario, *, events_from: int = 0) -> None:
    store.upsert_users(list(scenario.users.values()))
    store.upsert_amplifications(scenario.events[events_from:])


@dataclass(frozen=True)
class Expected:
    pagerank: dict[str, float]
    score: dict[str, float]


def expected_scores(events: Sequence[AmplificationRow]) -> Expected:
    """The global score of ``events``, built here from the documented rule: the volume-neutral
    pair weights (distinct posts and days per kind) with the score's recency (halved for every
    ``score_recency`` share of the units of evidence, first acts of a pair on a post, that came
    after the pair's last act, in proportion in a window under a day), networkx PageRank on
    them, and ``(audience / top) ** (1 - a) * (pagerank / top) ** a``."""
    posts: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    days: dict[tuple[str, str], dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    last: dict[tuple[str, str], int] = defaultdict(int)
    first_act: dict[tuple[str, str, str], int] = {}
    for event in sorted(events, key=lambda e: e.created_at):
        pair = (event.amplifier_id, event.author_id)
        posts[pair][event.kind].add(event.post_id)
        days[pair][event.kind].add(event.created_at // 86_400_000)
        last[pair] = max(last[pair], event.created_at)
        first_act.setdefault((*pair, str(event.post_id)), event.created_at)
    units = list(first_act.values())
    reference = max(e.created_at for e in events)
    short = min((reference - min(units)) / 86_400_000, 1.0)  # a window under a day: ages shrink
    digraph = nx.DiGraph()
    audience: dict[str, float] = defaultdict(float)
    for (source, target), kinds in posts.items():
        evidence = {k: (len(kinds[k]), len(days[(source, target)][k])) for k in kinds}
        age = sum(1 for at in units if at > last[(source, target)]) / len(units) * short
        weight = pair_weight(evidence, PROFILE) * 2.0 ** (-age / PROFILE.score_recency)
        digraph.add_edge(source, target, weight=weight)
        audience[target] += weight
    ranks: dict[str, float] = nx.pagerank(
        digraph, alpha=DAMPING, weight="weight", tol=1e-13, max_iter=2000
    )
    top_rank, top_audience = max(ranks.values()), max(audience.values())
    share = PROFILE.pagerank_share
    blend = {
        uid: (audience.get(uid, 0.0) / top_audience) ** (1 - share) * (rank / top_rank) ** share
        for uid, rank in ranks.items()
    }
    top = max(blend.values())
    return Expected(ranks, {uid: 100.0 * value / top for uid, value in blend.items()})


def distinct_amplifiers(events: Sequence[AmplificationRow]) -> dict[str, int]:
    found: dict[str, set[str]] = defaultdict(set)
    for event in events:
        found[event.author_id].add(event.amplifier_id)
    return {author: len(amplifiers) for author, amplifiers in found.items()}


def read_all(store: Store) -> dict[str, dict[str, Any]]:
    return {str(row["id"]): row for row in store.read(ALL_SCORES)}


def ranked(store: Store) -> list[Influencer]:
    page = store.influencers(limit=10_000)
    assert page.total == len(page.items)
    return page.items


def check_analysis(store: Store, scenario: Scenario, summary: AnalysisSummary) -> None:
    """Everything ``analyze`` promises, against an answer built without the database."""
    found = expected_scores(scenario.events)
    expected = found.pagerank
    amplifiers = distinct_amplifiers(scenario.events)
    stored = read_all(store)
    brands = {uid for uid, user in scenario.users.items() if user.is_brand}
    external_scored = set(expected) - brands

    assert summary.users_scored == len(expected)
    assert summary.edges == len({(e.amplifier_id, e.author_id) for e in scenario.events})
    assert summary.ranked == len(external_scored)

    # Scored users: exactly those in the projection, with networkx's PageRank and the blend.
    scored = {uid for uid, row in stored.items() if row["score"] is not None}
    assert scored == set(expected)
    for uid, value in expected.items():
        row = stored[uid]
        assert row["pagerank"] == pytest.approx(value, abs=1e-8), uid
        assert row["score"] == pytest.approx(found.score[uid], abs=2e-4), uid
        assert row["amplifiers"] == amplifiers.get(uid, 0), uid
    # Nobody outside the projection keeps any score, pagerank, rank or amplifier count.
    for uid in set(stored) - set(expected):
        row = stored[uid]
        assert (row["score"], row["pagerank"], row["rank"], row["amplifiers"]) == (
            None,
            None,
            None,
            None,
        ), uid

    # The ranked list: external accounts only, ranks 1..N without gaps, by falling score.
    items = ranked(store)
    assert [item.rank for item in items] == list(range(1, len(external_scored) + 1))
    assert {item.id for item in items} == external_scored
    assert not any(item.is_brand for item in items)
    for higher, lower in pairwise(items):
        assert higher.score >= lower.score - 1e-3, (higher.id, lower.id)
    for item in items:
        assert item.pagerank == pytest.approx(expected[item.id], abs=1e-8)
        assert item.amplifiers == amplifiers.get(item.id, 0)

    # Brand accounts: scored, never ranked.
    for uid in brands & set(expected):
        assert stored[uid]["rank"] is None
        assert stored[uid]["score"] is not None
        assert stored[uid]["score"] > 0
    assert {user.id for user in store.brand_accounts()} == brands & set(expected)

    # score is relative to the top account overall: 100 for whoever holds it, brand or not.
    leader = max(found.score, key=lambda uid: found.score[uid])
    assert stored[leader]["score"] == pytest.approx(100.0)
    assert max(row["score"] for uid, row in stored.items() if uid in scored) == pytest.approx(100)
    if leader in brands:
        assert items[0].score < 100.0
    else:
        assert items[0].id == leader
        assert items[0].score == pytest.approx(100.0)


def test_analyze_scores_ranks_and_excludes_the_brand(store: Store) -> None:
    scenario = first_load()
    write(store, scenario)

    summary = analyze(store, PROFILE)
    check_analysis(store, scenario, summary)

    stored = read_all(store)
    # The brand is the most amplified account: it holds 100, and rank 1 goes to someone else.
    assert stored[BRAND]["score"] == pytest.approx(100.0)
    brand_row = store.read(USER_SCORE, {"id": BRAND})
    assert brand_row == [{"score": pytest.approx(100.0), "rank": None}]
    items = ranked(store)
    assert items[0].id == "star"
    assert items[0].score < 100.0
    assert BRAND not in {item.id for item in items}

    # Distinct amplifiers, not events and not (amplifier, kind) pairs.
    by_id = {item.id: item for item in items}
    assert by_id["star"].amplifiers == 9  # a0..a7 and the fan; a0's likes add no amplifier
    assert by_id["five"].amplifiers == 6  # b0..b4 and gone
    assert by_id["single"].amplifiers == 1
    assert stored[BRAND]["amplifiers"] == 12

    # Volume-neutral: fifty retweets from one account rank below one each from five accounts.
    assert by_id["five"].rank < by_id["single"].rank
    assert by_id["five"].pagerank > by_id["single"].pagerank

    # An account with no amplification at all is not in the projection: no score, no rank.
    assert stored["lurker"]["score"] is None
    assert stored["lurker"]["rank"] is None


def test_analyze_twice_gives_identical_results(store: Store) -> None:
    write(store, first_load())
    first_summary = analyze(store, PROFILE)
    first = read_all(store)
    first_page = ranked(store)

    second_summary = analyze(store, PROFILE)
    assert replace(second_summary, seconds=0) == replace(first_summary, seconds=0)
    assert read_all(store) == first
    assert ranked(store) == first_page


def test_reanalysis_after_more_data_leaves_no_stale_scores(store: Store) -> None:
    scenario = first_load()
    write(store, scenario)
    analyze(store, PROFILE)
    before = read_all(store)
    assert before["gone"]["rank"] is not None
    assert before["gone_fan"]["rank"] is not None

    # "gone" and its only amplifier leave the amplification graph (their nodes stay) ...
    store.write(DROP_AMPLIFICATIONS_OF, {"ids": ["gone"]})
    scenario.drop(["gone"])
    # ... and more data arrives: twenty new amplifiers lift "star" above the brand.
    loaded = len(scenario.events)
    for i in range(20):
        scenario.user(f"d{i:02d}")
        scenario.amplify(f"d{i:02d}", "star", kind="quote")
    write(store, scenario, events_from=loaded)

    summary = analyze(store, PROFILE)
    check_analysis(store, scenario, summary)

    after = read_all(store)
    for uid in ("gone", "gone_fan"):
        assert after[uid]["rank"] is None, uid
        assert after[uid]["score"] is None, uid
        assert after[uid]["pagerank"] is None, uid
    ids = [item.id for item in ranked(store)]
    assert "gone" not in ids
    assert "gone_fan" not in ids
    # Now "star" is the top PageRank overall: rank 1 holds 100 and the brand falls below it.
    items = ranked(store)
    assert items[0].id == "star"
    assert items[0].score == pytest.approx(100.0)
    assert 0 < after[BRAND]["score"] < 100.0
    assert after[BRAND]["rank"] is None
    assert after["five"]["amplifiers"] == 5


def test_analyze_without_amplifications_clears_every_score(store: Store) -> None:
    scenario = first_load()
    write(store, scenario)
    analyze(store, PROFILE)
    assert ranked(store)

    store.write(DROP_ALL_AMPLIFICATIONS)
    summary = analyze(store, PROFILE)

    assert summary == AnalysisSummary(users_scored=0, edges=0, ranked=0, communities=0)
    assert ranked(store) == []
    assert store.brand_accounts() == []
    for uid, row in read_all(store).items():
        assert (row["score"], row["pagerank"], row["rank"], row["amplifiers"]) == (
            None,
            None,
            None,
            None,
        ), uid


def test_analyze_reports_progress(store: Store) -> None:
    write(store, first_load())
    messages: list[tuple[str, float]] = []
    analyze(store, PROFILE, progress=lambda what, done: messages.append((what, done)))
    assert messages
    assert all(isinstance(what, str) and what for what, _ in messages)
    fractions = [done for _, done in messages]
    assert fractions == sorted(fractions)
    assert fractions[0] == 0.0
    assert fractions[-1] == 1.0


def test_communities_betweenness_and_cores_are_written_back(store: Store) -> None:
    """Two dense groups joined by one account: two communities, the joiner has the betweenness."""
    users = (
        [UserRow(f"a{i}", f"a{i}") for i in range(5)]
        + [UserRow(f"b{i}", f"b{i}") for i in range(5)]
        + [UserRow("bridge", "bridge")]
    )
    store.upsert_users(users)
    events = [
        AmplificationRow(f"{x}{i}>{x}{j}", f"{x}{i}", f"{x}{j}", "retweet", 0)
        for x in ("a", "b")
        for i in range(5)
        for j in range(5)
        if i != j
    ]
    events += [
        AmplificationRow("a0>bridge", "a0", "bridge", "retweet", 0),
        AmplificationRow("bridge>b0", "bridge", "b0", "retweet", 0),
    ]
    store.upsert_amplifications(events)
    summary = analyze(store)
    assert summary.communities == 2
    rows = store.read(USER_STRUCTURE)
    by_id = {row["id"]: row for row in rows}
    assert len({by_id[f"a{i}"]["community"] for i in range(5)}) == 1
    assert len({by_id[f"b{i}"]["community"] for i in range(5)}) == 1
    assert by_id["a1"]["community"] != by_id["b1"]["community"]
    top = max(by_id.values(), key=lambda row: row["betweenness"])
    assert top["id"] in {"bridge", "a0", "b0"} and by_id["bridge"]["betweenness"] > 0
    assert by_id["a1"]["core"] == 4 and by_id["bridge"]["core"] == 2  # two neighbours


def test_export_communities_through_the_cli(
    store: Store, backend_env: dict[str, str | None], tmp_path: Path
) -> None:
    users = [UserRow(f"a{i}", f"a{i}") for i in range(4)] + [
        UserRow(f"b{i}", f"b{i}") for i in range(4)
    ]
    store.upsert_users(users)
    store.upsert_amplifications(
        [
            AmplificationRow(f"{x}{i}>{x}{j}", f"{x}{i}", f"{x}{j}", "retweet", 0)
            for x in ("a", "b")
            for i in range(4)
            for j in range(4)
            if i != j
        ]
    )
    env = backend_env
    runner = CliRunner()
    assert runner.invoke(app, ["analyze"], env=env).exit_code == 0
    output = tmp_path / "communities.csv"
    result = runner.invoke(app, ["export", "communities", "-o", str(output)], env=env)
    assert result.exit_code == 0, result.output
    with open(output, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 8
    groups: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        groups[row["community"]].add(row["user_id"])
    assert sorted(map(sorted, groups.values())) == [
        ["a0", "a1", "a2", "a3"],
        ["b0", "b1", "b2", "b3"],
    ]
    printed = runner.invoke(app, ["export", "communities"], env=env)
    assert printed.stdout == output.read_text()
