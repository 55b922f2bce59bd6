"""Topic authority (``graph.analysis.topics``) on tiny hand-built events, against an independent
computation: topic-sensitive PageRank solved as a linear system here, times the focus counted
here, with ``min_topic_amplifiers``, ``min_topic_events`` and ranks of external accounts only.

Every amplifier -> author pair acts once, with a retweet, at one instant: each pair weighs 1.0
(one post, one day, no decay), so a pair's weight on a topic is 1 when its post is tagged with
the topic and 0 otherwise, and every expected value below is a count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pytest

from graph.analysis.events import Events
from graph.analysis.profile import Profile
from graph.analysis.topics import TopicScores, busy_topics, topic_scores
from graph.analysis.weighting import DAY_MS, Pairs, pair_weights, reference_time
from graph.models import AMPLIFICATION_KINDS

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

START = 1_790_000_000_000 - 1_790_000_000_000 % DAY_MS
DAMPING = 0.85


@dataclass
class Graph:
    """Posts with their tags, and one act per (amplifier, author, post)."""

    tags: dict[str, tuple[str, ...]] = field(default_factory=dict)
    acts: list[tuple[str, str, str | None]] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)

    def post(self, post: str, *topics: str) -> Graph:
        self.tags[post] = topics
        return self

    def amplify(
        self, author: str, post: str | None, *amplifiers: str, kind: str = "retweet"
    ) -> Graph:
        for amp in amplifiers:
            self.acts.append((amp, author, post))
            self.kinds.append(kind)
        return self

    def events(self) -> Events:
        users: dict[str, int] = {}
        for amp, author, _ in self.acts:
            users.setdefault(amp, len(users))
            users.setdefault(author, len(users))
        posts = {post: i for i, post in enumerate(self.tags)}
        topics = list(dict.fromkeys(t for tags in self.tags.values() for t in tags))
        post_topic = [(posts[p], topics.index(t)) for p, tags in self.tags.items() for t in tags]
        n = len(self.acts)
        return Events(
            users=list(users),
            source=np.array([users[a[0]] for a in self.acts], dtype=np.int64),
            target=np.array([users[a[1]] for a in self.acts], dtype=np.int64),
            kind=np.array([AMPLIFICATION_KINDS.index(k) for k in self.kinds], dtype=np.int64),
            at=np.full(n, START, dtype=np.int64),
            post=np.array([-1 if a[2] is None else posts[a[2]] for a in self.acts], np.int64),
            posts=list(posts),
            topics=topics,
            post_topic=np.array(post_topic, dtype=np.int64).reshape(-1, 2),
        )


def scored(
    graph: Graph, profile: Profile, external: Sequence[str] | None = None
) -> tuple[Events, TopicScores]:
    events = graph.events()
    pairs = pair_weights(events, profile, reference_time(events, None))
    assert pairs.weight == pytest.approx(np.ones(pairs.count))  # the premise of every count
    mask = np.array([external is None or u in external for u in events.users], dtype=bool)
    return events, topic_scores(events, pairs, profile, reference_time(events, None), mask)


def personalized_pagerank(
    users: list[str], edges: set[tuple[str, str]], teleport: dict[str, float]
) -> FloatArray:
    """Solve r = d (P^T r + (dangling . r) v) + (1 - d) v for r directly (unit weights)."""
    n = len(users)
    code = {u: i for i, u in enumerate(users)}
    walk = np.zeros((n, n))
    for a, b in edges:
        walk[code[a], code[b]] = 1.0
    out = walk.sum(axis=1)
    walk[out > 0] /= out[out > 0, None]
    v = np.array([teleport.get(u, 0.0) for u in users])
    v /= v.sum()
    dangling = (out == 0).astype(float)
    system = np.eye(n) - DAMPING * walk.T - DAMPING * np.outer(v, dangling)
    return np.asarray(np.linalg.solve(system, (1 - DAMPING) * v), dtype=np.float64)


@dataclass(frozen=True)
class Expected:
    pagerank: FloatArray
    focus: FloatArray
    amplifiers: FloatArray
    authority: FloatArray


def expected(graph: Graph, users: list[str], topic: str, min_amplifiers: int) -> Expected:
    """The rule of ``graph.analysis.topics`` for one topic, counted from the acts."""
    on_topic = {(a, b) for a, b, p in graph.acts if p is not None and topic in graph.tags[p]}
    edges = {(a, b) for a, b, _ in graph.acts}
    teleport = {u: float(sum(1 for a, _ in on_topic if a == u)) for u in users}
    amplifiers = np.array([sum(1 for _, b in on_topic if b == u) for u in users], dtype=float)
    received = np.array([sum(1 for _, b in edges if b == u) for u in users], dtype=float)
    focus = np.divide(amplifiers, received, out=np.zeros(len(users)), where=received > 0)
    pagerank = personalized_pagerank(users, edges, teleport)
    authority = np.where(amplifiers >= min_amplifiers, pagerank * focus, 0.0)
    return Expected(pagerank, focus, amplifiers, authority)


def ranks_of(authority: FloatArray, ranked: BoolArray) -> list[int]:
    """1 for the highest authority among ``ranked`` with authority > 0, and so on; 0 else."""
    order = sorted((-authority[i], i) for i in range(authority.size) if ranked[i] and authority[i])
    rank = [0] * authority.size
    for place, (_, i) in enumerate(order, start=1):
        rank[i] = place
    return rank


def community() -> Graph:
    """Two topics over ten accounts: ``vegan`` (v1, v2, vr) and ``run`` (r1, vr).

    A: amplified on v1 by f1, f2, f3 and on x1 (untagged) by f4: focus 3/4 on vegan.
    B: amplified on v2 by f1, f4 and on r1 by f2, f3: 1/2 on each topic.
    C: amplified on vr (both topics) by A, B: 1 on each topic, 2 amplifiers.
    f1 is amplified by C on a bare mention: C teleports nowhere, f1's focus is 0.
    """
    g = Graph().post("v1", "vegan").post("v2", "vegan").post("vr", "vegan", "run")
    g.post("r1", "run").post("x1")
    g.amplify("A", "v1", "f1", "f2", "f3").amplify("A", "x1", "f4")
    g.amplify("B", "v2", "f1", "f4").amplify("B", "r1", "f2", "f3")
    g.amplify("C", "vr", "A", "B").amplify("f1", None, "C")
    return g


def test_authority_is_topic_pagerank_times_focus() -> None:
    graph = community()
    profile = Profile(min_topic_events=1, min_topic_amplifiers=1, damping=DAMPING)
    events, got = scored(graph, profile)
    # vegan: v1 x3 + v2 x2 + vr x2 = 7 events; run: r1 x2 + vr x2 = 4.
    assert (got.topics, got.events) == (["vegan", "run"], [7, 4])
    for j, topic in enumerate(got.topics):
        want = expected(graph, events.users, topic, 1)
        assert got.pagerank[:, j] == pytest.approx(want.pagerank, rel=1e-6, abs=1e-12)
        assert got.focus[:, j] == pytest.approx(want.focus)
        assert got.amplifiers[:, j].tolist() == want.amplifiers.tolist()
        assert got.authority[:, j] == pytest.approx(want.authority, rel=1e-6, abs=1e-12)
        assert got.score[:, j] == pytest.approx(100 * want.authority / want.authority.max())
        assert got.rank[:, j].tolist() == ranks_of(want.authority, np.ones(len(events.users), bool))
    code = {u: i for i, u in enumerate(events.users)}
    vegan, run = 0, 1
    assert got.focus[code["A"], vegan] == 0.75 and got.focus[code["A"], run] == 0.0
    assert got.focus[code["B"], vegan] == got.focus[code["B"], run] == 0.5
    assert got.focus[code["C"], vegan] == got.focus[code["C"], run] == 1.0
    assert got.rank[code["f1"]].tolist() == [0, 0]  # amplified, but never on a topic


def test_the_teleport_is_in_proportion_to_the_topic_weight_given() -> None:
    # f1 retweets A's topic post (weight 1.0), f2 quotes B's (1.2, the quote's kind weight):
    # the teleport vector is {f1: 1/2.2, f2: 1.2/2.2}, so B outranks A on the topic.
    g = Graph().post("a", "t").post("b", "t")
    g.amplify("A", "a", "f1").amplify("B", "b", "f2", kind="quote")
    events = g.events()
    profile = Profile(min_topic_events=1, min_topic_amplifiers=1, damping=DAMPING)
    pairs = pair_weights(events, profile, reference_time(events, None))
    assert sorted(pairs.weight.tolist()) == pytest.approx([1.0, 1.2])
    got = topic_scores(events, pairs, profile, START, np.ones(len(events.users), dtype=bool))
    edges = {(a, b) for a, b, _ in g.acts}
    want = personalized_pagerank(events.users, edges, {"f1": 1.0, "f2": 1.2})
    assert got.pagerank[:, 0] == pytest.approx(want, rel=1e-6, abs=1e-12)
    code = {u: i for i, u in enumerate(events.users)}
    assert got.rank[[code["B"], code["A"]], 0].tolist() == [1, 2]


def test_the_topic_teleports_to_its_amplifiers_in_proportion() -> None:
    # One topic: a reader who cares about it starts at f1 (two topic acts) twice as often as at
    # f2 (one); f3 acts off the topic only. The teleport vector is {f1: 2/3, f2: 1/3}.
    g = Graph().post("t1", "t").post("t2", "t").post("x")
    g.amplify("A", "t1", "f1", "f2").amplify("B", "t2", "f1").amplify("B", "x", "f3")
    profile = Profile(min_topic_events=1, min_topic_amplifiers=1, damping=DAMPING)
    events, got = scored(g, profile)
    edges = {(a, b) for a, b, _ in g.acts}
    want = personalized_pagerank(events.users, edges, {"f1": 2.0, "f2": 1.0})
    assert got.pagerank[:, 0] == pytest.approx(want, rel=1e-6, abs=1e-12)
    code = {u: i for i, u in enumerate(events.users)}
    assert got.pagerank[code["f3"], 0] == pytest.approx(0.0, abs=1e-12)  # nobody reaches f3
    # A: reached from f1 and f2; B: from f1 and f3, but f3 is never visited. Focus: A 1, B 1/2.
    assert got.focus[[code["A"], code["B"]], 0].tolist() == [1.0, 0.5]
    assert got.rank[[code["A"], code["B"]], 0].tolist() == [1, 2]


@pytest.mark.parametrize(("min_amplifiers", "ranked"), [(2, {"A", "B", "C"}), (3, {"A"})])
def test_min_topic_amplifiers(min_amplifiers: int, ranked: set[str]) -> None:
    # On vegan, A has three distinct amplifiers (f1, f2, f3), B two (f1, f4), C two (A, B).
    graph = community()
    profile = Profile(min_topic_events=1, min_topic_amplifiers=min_amplifiers, damping=DAMPING)
    events, got = scored(graph, profile)
    code = {u: i for i, u in enumerate(events.users)}
    want = expected(graph, events.users, "vegan", min_amplifiers)
    assert [got.amplifiers[code[u], 0] for u in "ABC"] == [3, 2, 2]
    assert got.authority[:, 0] == pytest.approx(want.authority, rel=1e-6, abs=1e-12)
    assert got.rank[:, 0].tolist() == ranks_of(want.authority, np.ones(len(events.users), bool))
    assert {u for u in events.users if got.rank[code[u], 0] > 0} == ranked
    assert {u for u in events.users if got.authority[code[u], 0] > 0} == ranked
    # Below the threshold an account keeps its PageRank and focus, not its authority.
    assert got.pagerank[code["C"], 0] > 0 and got.focus[code["C"], 0] == 1.0


def test_min_topic_events_and_max_topics() -> None:
    # vegan: 7 events, run: 4 (vr counts for both); x1 and the bare mention count for none.
    events = community().events()
    assert busy_topics(events, Profile(min_topic_events=4)) == [("vegan", 7), ("run", 4)]
    assert busy_topics(events, Profile(min_topic_events=5)) == [("vegan", 7)]
    assert busy_topics(events, Profile(min_topic_events=7)) == [("vegan", 7)]
    assert busy_topics(events, Profile(min_topic_events=8)) == []
    assert busy_topics(events, Profile(min_topic_events=1, max_topics=1)) == [("vegan", 7)]
    assert busy_topics(events, Profile(min_topic_events=1, max_topics=0)) == []
    _, got = scored(community(), Profile(min_topic_events=5, min_topic_amplifiers=1))
    assert (got.topics, got.events) == (["vegan"], [7])
    assert got.rank.shape == got.authority.shape == (len(events.users), 1)


def test_busy_topics_tie_by_name() -> None:
    # zeta is coded first (topic 0), alpha second: the tie is broken by name, not by code.
    g = Graph().post("p", "zeta").post("q", "alpha").amplify("A", "p", "f").amplify("B", "q", "f")
    events = g.events()
    assert events.topics == ["zeta", "alpha"]
    assert busy_topics(events, Profile(min_topic_events=1)) == [("alpha", 1), ("zeta", 1)]


def test_only_external_accounts_are_ranked() -> None:
    # C has the highest vegan authority; as the brand's own account it keeps its authority and
    # sets the 0-100 scale (README: relative to the topic's top account) but is never ranked.
    graph = community()
    profile = Profile(min_topic_events=1, min_topic_amplifiers=1, damping=DAMPING)
    events, everyone = scored(graph, profile)
    code = {u: i for i, u in enumerate(events.users)}
    assert everyone.rank[code["C"], 0] == 1
    external = [u for u in events.users if u != "C"]
    _, got = scored(graph, profile, external=external)
    want = expected(graph, events.users, "vegan", 1)
    assert got.authority[:, 0] == pytest.approx(want.authority, rel=1e-6, abs=1e-12)
    assert got.rank[code["C"], 0] == 0
    is_external = np.array([u in external for u in events.users])
    assert got.rank[:, 0].tolist() == ranks_of(want.authority, is_external)
    assert sorted(r for r in got.rank[:, 0].tolist() if r) == [1, 2]  # A and B
    assert got.score[code["C"], 0] == pytest.approx(100.0)
    assert got.score[code["A"], 0] == pytest.approx(
        100 * want.authority[code["A"]] / want.authority[code["C"]]
    )


def test_focus_is_at_most_one() -> None:
    # The analysis passes the pairs it counts (boosting discounted) while the topic weights come
    # from every event: with f2 -> A left out of the pairs, A receives 1.0 in all but 2.0 on
    # the topic, and its focus is 1, not 2.
    g = Graph().post("t", "t").amplify("A", "t", "f1", "f2")
    events = g.events()
    profile = Profile(min_topic_events=1, min_topic_amplifiers=1)
    reference = reference_time(events, None)
    pairs = pair_weights(events, profile, reference)
    keep = np.array([events.users[s] != "f2" for s in pairs.source.tolist()])
    kept = Pairs(*(getattr(pairs, f)[keep] for f in Pairs.__slots__))
    got = topic_scores(events, kept, profile, reference, np.ones(len(events.users), dtype=bool))
    assert got.focus[events.users.index("A"), 0] == 1.0
    assert got.amplifiers[events.users.index("A"), 0] == 2
