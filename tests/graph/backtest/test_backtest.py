"""The backtest against an independent computation on small hand-made data in the real
embedded database: the truth (distinct amplifiers, two-step reach), NDCG@k and precision@k
written out by hand, the baselines from their definitions (networkx for PageRank), and the
profile's ranking read back from an analysis of the pre-split window."""

from __future__ import annotations

import json
import math
from collections import defaultdict

import networkx as nx
import pytest
from typer.testing import CliRunner

from api.cli import app
from graph.analysis.run import analyze
from graph.backtest.run import NothingToBacktest, backtest
from graph.models import AmplificationRow, PostRow, UserRow
from graph.server import ServerInfo
from graph.store import Store

DAY = 86_400_000
START = 1_790_000_000_000
SPLIT = START + 6 * DAY
K = 5

# (amplifier, author, day): before the split (days 0-5) and after it (days 6-9).
ACTS = [
    *[(f"r{i}", "blogger", d) for i, d in [(0, 0), (1, 1), (2, 2), (3, 3), (4, 5), (5, 5)]],
    ("r0", "blogger", 2), ("r0", "blogger", 4),
    *[("fan", "loud", d) for d in (4, 5, 5, 5, 5)],
    ("r1", "loud", 5),
    ("r2", "quiet", 0), ("r3", "quiet", 1), ("r6", "quiet", 1),
    ("r4", "r0", 3),
    ("blogger", "blogger", 3),  # amplifying oneself counts for nothing
    ("r7", "newcomer", 9),  # no audience before the split: never eligible
    # After the split.
    *[(f"r{i}", "blogger", d) for i, d in [(0, 6), (1, 7), (7, 8), (8, 9)]],
    ("r9", "r0", 7), ("r8", "r0", 8),
    ("fan", "loud", 6), ("fan", "loud", 7),
    ("r5", "quiet", 6), ("r6", "quiet", 6), ("r2", "quiet", 9),
    ("r9", "r1", 8),
]  # fmt: skip
FOLLOWERS = {"blogger": 900, "loud": 5_000, "quiet": 40, "r0": 10}


def _write(store: Store) -> None:
    users = sorted({who for a, b, _ in ACTS for who in (a, b)})
    store.upsert_users([UserRow(id=u, handle=u, name=u, followers=FOLLOWERS.get(u)) for u in users])
    posts = sorted({(b, d) for _, b, d in ACTS})
    store.upsert_posts(
        [PostRow(id=f"p-{b}-{d}", author_id=b, created_at=START + d * DAY) for b, d in posts]
    )
    store.upsert_amplifications(
        [
            AmplificationRow(
                id=f"e{i}",
                amplifier_id=a,
                author_id=b,
                kind="retweet",
                created_at=START + d * DAY + i * 1_000,
                post_id=f"p-{b}-{d}",
            )
            for i, (a, b, d) in enumerate(ACTS)
            if a != b
        ]
    )


def _amplifiers(acts: list[tuple[str, str, int]]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for a, b, _ in acts:
        if a != b:
            found[b].add(a)
    return found


def _ndcg(ranking: list[str], truth: dict[str, int], k: int) -> float:
    def dcg(order: list[str]) -> float:
        return sum(math.log2(1 + truth[u]) / math.log2(2 + i) for i, u in enumerate(order[:k]))

    ideal = sorted(truth, key=lambda u: -truth[u])
    return dcg(ranking) / dcg(ideal)


def _precision(ranking: list[str], truth: dict[str, int], k: int) -> float:
    # Ties at the k-th place of the truth are not at stake on this data (checked below).
    ideal = sorted(truth, key=lambda u: -truth[u])[:k]
    assert truth[ideal[-1]] > truth[sorted(truth, key=lambda u: -truth[u])[k]]
    return len(set(ranking[:k]) & set(ideal)) / k


def _by(score: dict[str, float], eligible: set[str]) -> list[str]:
    return sorted(eligible, key=lambda u: -score.get(u, 0.0))


def test_the_backtest_matches_an_independent_computation(falkor_store: Store) -> None:
    _write(falkor_store)
    report = backtest(falkor_store, split=SPLIT, k=K)
    before = [(a, b, d) for a, b, d in ACTS if d < 6]
    after = [(a, b, d) for a, b, d in ACTS if d >= 6]
    eligible = set(_amplifiers(before))
    assert eligible == {"blogger", "loud", "quiet", "r0"}
    later = _amplifiers(after)
    amplifiers = {u: len(later.get(u, set())) for u in eligible}
    reach = {}
    for u in eligible:
        first = later.get(u, set())
        second = {b for a in first for b in later.get(a, set())}
        reach[u] = len((first | second) - {u})
    assert amplifiers == {"blogger": 4, "loud": 1, "quiet": 3, "r0": 2}
    assert reach == {"blogger": 5, "loud": 1, "quiet": 3, "r0": 2}  # blogger: r0, r1 bring r9
    assert report.accounts == 4 and report.split == "2026-09-27T14:13:20Z"
    assert report.events_before == sum(a != b for a, b, d in before)
    assert report.events_after == len(after)

    k = 4  # every eligible account: NDCG over the whole order, precision trivially 1
    distinct = {u: float(len(s)) for u, s in _amplifiers(before).items()}
    graph = nx.DiGraph([(a, b) for a, b, _ in before if a != b])
    pagerank = nx.pagerank(graph, alpha=0.85)
    volume: dict[str, float] = defaultdict(float)
    for a, b, d in before:
        if a != b:
            volume[b] += 2.0 ** (-(SPLIT - START - d * DAY) / DAY)
    for b, d in {(b, d) for _, b, d in before}:
        volume[b] += 2.0 ** (-(SPLIT - START - d * DAY) / DAY)
    analyze(falkor_store, until=SPLIT)
    ranked = {user.id: float(-user.rank) for user in falkor_store.influencers(limit=100).items}
    expected: dict[str, dict[str, float]] = {
        "resonance (default)": ranked,
        "volume (Klout-like)": volume,
        "distinct amplifiers": distinct,
        "pagerank (unweighted)": pagerank,
        "followers": {u: float(f) for u, f in FOLLOWERS.items()},
    }
    report = backtest(falkor_store, split=SPLIT, k=k)
    assert [found.method for found in report.methods] == list(expected)
    for name, score in expected.items():
        order = _by(score, eligible)
        found = report.result(name)
        assert found.ndcg_amplifiers == pytest.approx(_ndcg(order, amplifiers, k), abs=1e-4), name
        assert found.ndcg_reach == pytest.approx(_ndcg(order, reach, k), abs=1e-4), name
        assert found.precision_amplifiers == 1.0 and found.precision_reach == 1.0
    # With k = 2 precision counts: the top two by truth are blogger and quiet (amplifiers).
    top2 = backtest(falkor_store, split=SPLIT, k=2)
    for name, score in expected.items():
        order = _by(score, eligible)
        found = top2.result(name)
        assert found.precision_amplifiers == _precision(order, amplifiers, 2), name
        assert found.ndcg_amplifiers == pytest.approx(_ndcg(order, amplifiers, 2), abs=1e-4)
    assert top2.result("followers").precision_amplifiers == 0.5  # loud and blogger


def test_a_horizon_counts_only_what_happened_before_it(falkor_store: Store) -> None:
    _write(falkor_store)
    report = backtest(falkor_store, split=SPLIT, horizon_days=2, k=4)
    # Days 6 and 7 only: blogger r0 r1, r0 r9, loud fan, quiet r5 r6.
    assert report.events_after == sum(1 for _, _, d in ACTS if 6 <= d < 8)
    assert report.horizon == "2026-09-29T14:13:20Z"


def test_a_split_with_nothing_on_one_side_is_a_clear_error(falkor_store: Store) -> None:
    _write(falkor_store)
    with pytest.raises(NothingToBacktest, match="needs both"):
        backtest(falkor_store, split=START + 20 * DAY)
    with pytest.raises(NothingToBacktest, match="needs both"):
        backtest(falkor_store, split=START - DAY)


def test_a_share_split_is_the_moment_that_share_of_the_events_had_happened(
    falkor_store: Store,
) -> None:
    _write(falkor_store)
    times = sorted(START + d * DAY + i * 1_000 for i, (a, b, d) in enumerate(ACTS) if a != b)
    report = backtest(falkor_store, split_share=0.5, k=4)
    assert report.events_before == len(times) // 2


def test_the_command_prints_the_table_and_its_json(
    falkor_store: Store, server: ServerInfo, graph_name: str
) -> None:
    env = {
        "RESONANCE_DATA_DIR": str(server.data_dir),
        "RESONANCE_GRAPH": graph_name,
        "NEO4J_URI": None,
    }
    _write(falkor_store)
    runner = CliRunner()
    shown = runner.invoke(app, ["backtest", "--split", "2026-09-27", "--k", "4"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "distinct amplifiers" in shown.output and "best baseline" in shown.output
    as_json = runner.invoke(app, ["backtest", "--split", "70%", "--json"], env=env)
    assert as_json.exit_code == 0, as_json.output
    found = json.loads(as_json.output)
    assert found["k"] == 100 and found["methods"][0]["method"] == "resonance (default)"
    wrong = runner.invoke(app, ["backtest", "--split", "yesterday"], env=env)
    assert wrong.exit_code == 1 and "--split" in wrong.output
