"""The role rules of ``graph.analysis.roles`` and the boosting signals of
``graph.analysis.signals``, one rule at a time on the smallest input that triggers it and on one
just below its threshold.

The planted scenario checks the rules end to end; here each rule is fed tiny hand-built inputs
with a profile whose thresholds are small, and the expected values are counted by hand (the
arithmetic is in the comments). The signals are computed from events; the role rules are given
their inputs (signals, topic scores, reach, betweenness, score) directly, so that a rule is
checked apart from the algorithms that feed it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pytest

from graph.analysis.events import Events
from graph.analysis.profile import Profile
from graph.analysis.roles import ROLE_ORDER, Reach, Roles, assign_roles, brand_days, community_reach
from graph.analysis.signals import Signals, compute_signals
from graph.analysis.topics import TopicScores
from graph.analysis.weighting import DAY_MS, Pairs, pair_weights, reference_time
from graph.models import AMPLIFICATION_KINDS

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

START = 1_790_000_000_000 - 1_790_000_000_000 % DAY_MS
HOUR = 3_600_000


def ints(values: Sequence[int]) -> IntArray:
    return np.array(values, dtype=np.int64)


def floats(values: Sequence[float]) -> FloatArray:
    return np.array(values, dtype=np.float64)


@dataclass
class Acts:
    """Retweets by name, coded the way ``fetch_events`` codes them (no topics)."""

    rows: list[tuple[str, str, int, str]] = field(default_factory=list)

    def add(
        self, amp: str, author: str, times: int = 1, *, at: int = START, post: str = ""
    ) -> Acts:
        for _ in range(times):
            self.rows.append((amp, author, at, post or f"{author}-post"))
        return self

    def events(self) -> Events:
        users: dict[str, int] = {}
        posts: dict[str, int] = {}
        for amp, author, _, post in self.rows:
            users.setdefault(amp, len(users))
            users.setdefault(author, len(users))
            posts.setdefault(post, len(posts))
        return Events(
            users=list(users),
            source=ints([users[r[0]] for r in self.rows]),
            target=ints([users[r[1]] for r in self.rows]),
            kind=ints([AMPLIFICATION_KINDS.index("retweet")] * len(self.rows)),
            at=ints([r[2] for r in self.rows]),
            post=ints([posts[r[3]] for r in self.rows]),
            posts=list(posts),
            topics=[],
            post_topic=np.zeros((0, 2), dtype=np.int64),
        )


def signals_of(acts: Acts, profile: Profile) -> tuple[Events, Pairs, Signals]:
    events = acts.events()
    pairs = pair_weights(events, profile, reference_time(events, None))
    return events, pairs, compute_signals(events, pairs, profile)


def named(events: Events, flags: BoolArray) -> set[str]:
    return {events.users[i] for i in np.flatnonzero(flags).tolist()}


def by_name(events: Events, values: npt.NDArray[np.generic]) -> dict[str, float]:
    return {user: float(values[i]) for i, user in enumerate(events.users)}


def pair_names(events: Events, pairs: Pairs, mask: BoolArray) -> set[tuple[str, str]]:
    return {
        (events.users[s], events.users[t])
        for s, t in zip(pairs.source[mask].tolist(), pairs.target[mask].tolist(), strict=True)
    }


# --------------------------------------------------------------------------- ring

RING = Profile(ring_min_partners=2, ring_min_events=2, ring_min_share=0.5)


def triangle(c_to_a: int = 2) -> Acts:
    """a, b and c amplify each other both ways, two acts each way (c -> a: ``c_to_a`` acts)."""
    acts = Acts()
    for amp, author in (("a", "b"), ("b", "a"), ("b", "c"), ("c", "b"), ("a", "c")):
        acts.add(amp, author, 2)
    return acts.add("c", "a", c_to_a)


def test_a_ring_of_three_each_with_two_partners() -> None:
    events, pairs, s = signals_of(triangle(), RING)
    assert named(events, s.ring) == {"a", "b", "c"}
    assert by_name(events, s.reciprocal_partners) == {"a": 2, "b": 2, "c": 2}
    assert by_name(events, s.reciprocal_share) == {"a": 1.0, "b": 1.0, "c": 1.0}
    ring_pairs = {(x, y) for x in "abc" for y in "abc" if x != y}
    assert pair_names(events, pairs, s.ring_pairs) == ring_pairs
    assert pair_names(events, pairs, s.discounted) == ring_pairs
    assert named(events, s.booster) == {"a", "b", "c"}
    assert not (s.hollow.any() or s.burst.any())


def test_a_ring_needs_ring_min_events_each_way() -> None:
    # c -> a with one act (< 2): neither c -> a nor a -> c is reciprocal any more. a and c keep
    # one partner (b) each, below ring_min_partners; b keeps two (a and c): a ring of its own,
    # but its pairs are not discounted, since its partners are not in a ring.
    events, _, s = signals_of(triangle(c_to_a=1), RING)
    assert by_name(events, s.reciprocal_partners) == {"a": 1, "b": 2, "c": 1}
    assert named(events, s.ring) == {"b"}
    assert not s.ring_pairs.any()


@pytest.mark.parametrize(("outsiders", "ring"), [(2, {"a", "b", "c"}), (3, {"b", "c"})])
def test_a_ring_needs_ring_min_share_of_the_weight(outsiders: int, ring: set[str]) -> None:
    # Every pair weighs 1.0 (retweets of one post at one instant). a receives 2.0 from b and c
    # and 1.0 from each outsider: 2 / (2 + 2) = 0.5 reaches ring_min_share, 2 / (2 + 3) = 0.4
    # does not.
    acts = triangle()
    for i in range(outsiders):
        acts.add(f"x{i}", "a")
    events, pairs, s = signals_of(acts, RING)
    assert pairs.weight == pytest.approx(np.ones(pairs.count))
    assert by_name(events, s.reciprocal_share)["a"] == pytest.approx(2 / (2 + outsiders))
    assert named(events, s.ring) == ring
    assert pair_names(events, pairs, s.ring_pairs) == {(x, y) for x in ring for y in ring if x != y}


def test_the_ring_share_leaves_out_hollow_weight() -> None:
    # Three hollow accounts (no audience, two acts each, all on a) bring a 3.0 of its 5.0: the
    # ring's share is of the other 2.0, so 1.0 and a stays in the ring (and is hollow-boosted).
    profile = RING.model_copy(
        update={"hollow_min_events": 2, "hollow_min_repeats": 2, "hollow_min_accounts": 3}
    )
    acts = triangle()
    for i in range(3):
        acts.add(f"h{i}", "a", 2)
    events, _, s = signals_of(acts, profile)
    assert by_name(events, s.hollow_share)["a"] == pytest.approx(3 / 5)
    assert by_name(events, s.reciprocal_share)["a"] == pytest.approx(1.0)
    assert named(events, s.ring) == {"a", "b", "c"}
    assert named(events, s.hollow) == {"a"}


# ------------------------------------------------------------------------- hollow

HOLLOW = Profile(
    hollow_min_events=3, hollow_min_repeats=2, hollow_min_accounts=2, hollow_min_share=0.5
)


def hollow_audience(*, fans: int = 1) -> Acts:
    """h1 and h2 (nobody amplifies them) amplify t three times each; ``fans`` fans once each."""
    acts = Acts().add("h1", "t", 3).add("h2", "t", 3)
    for i in range(fans):
        acts.add(f"f{i}", "t")
    return acts


def test_a_hollow_audience_of_two() -> None:
    # Each pair weighs 1.0: the hollow pair brings 2.0 of t's 3.0.
    events, pairs, s = signals_of(hollow_audience(), HOLLOW)
    assert named(events, s.hollow) == {"t"}
    assert by_name(events, s.hollow_amplifiers)["t"] == 2
    assert by_name(events, s.hollow_share)["t"] == pytest.approx(2 / 3)
    assert pair_names(events, pairs, s.hollow_pairs) == {("h1", "t"), ("h2", "t")}
    assert pair_names(events, pairs, s.discounted) == {("h1", "t"), ("h2", "t")}
    assert named(events, s.booster) == {"t"}


def test_one_hollow_amplifier_is_below_hollow_min_accounts() -> None:
    events, _, s = signals_of(Acts().add("h1", "t", 3).add("f0", "t"), HOLLOW)
    assert by_name(events, s.hollow_amplifiers)["t"] == 1
    assert not s.hollow.any()
    assert not s.hollow_pairs.any()


def test_an_amplifier_below_hollow_min_events_is_not_hollow() -> None:
    # h2 acts twice in all (< 3): it is not at volume, so only h1 counts.
    events, _, s = signals_of(Acts().add("h1", "t", 3).add("h2", "t", 2).add("f0", "t"), HOLLOW)
    assert by_name(events, s.hollow_amplifiers)["t"] == 1
    assert not s.hollow.any()


def test_a_hollow_account_must_repeat_on_the_boosted_one() -> None:
    # h2 is at volume (three acts) but gives t one of them (< hollow_min_repeats) and o two.
    acts = Acts().add("h1", "t", 3).add("h2", "t").add("h2", "o", 2).add("f0", "t")
    events, _, s = signals_of(acts, HOLLOW)
    assert by_name(events, s.hollow_amplifiers) == {"h1": 0, "t": 1, "h2": 0, "o": 1, "f0": 0}
    assert not s.hollow.any()


@pytest.mark.parametrize(("fans", "hollow"), [(2, True), (3, False)])
def test_a_hollow_audience_needs_hollow_min_share(fans: int, hollow: bool) -> None:
    # 2 / (2 + 2) = 0.5 reaches hollow_min_share; 2 / (2 + 3) = 0.4 does not.
    events, _, s = signals_of(hollow_audience(fans=fans), HOLLOW)
    assert by_name(events, s.hollow_share)["t"] == pytest.approx(2 / (2 + fans))
    assert named(events, s.hollow) == ({"t"} if hollow else set())


# -------------------------------------------------------------------------- burst

BURST = Profile(
    burst_max_amplifiers=1, burst_min_events=3, burst_min_share=0.6, burst_day_share=0.5
)


def test_a_burst_of_three_acts_by_one_account_on_one_day() -> None:
    events, _, s = signals_of(Acts().add("a", "t", 3), BURST)
    assert named(events, s.burst) == {"t"}
    assert by_name(events, s.burst_top_share)["t"] == 1.0
    assert by_name(events, s.burst_day_share)["t"] == 1.0
    assert named(events, s.booster) == {"t"}
    assert not s.discounted.any()  # a burst is flagged, its weight still counts


def test_two_acts_are_below_burst_min_events() -> None:
    events, _, s = signals_of(Acts().add("a", "t", 2), BURST)
    assert by_name(events, s.burst_top_share)["t"] == 1.0
    assert not s.burst.any()


@pytest.mark.parametrize(("second", "burst"), [(2, True), (3, False)])
def test_a_burst_needs_burst_min_share_from_its_top_amplifiers(second: int, burst: bool) -> None:
    # The top amplifier brings 3 of 3 + 2 acts (0.6, the threshold) or 3 of 3 + 3 (0.5).
    events, _, s = signals_of(Acts().add("a", "t", 3).add("b", "t", second), BURST)
    assert by_name(events, s.burst_top_share)["t"] == pytest.approx(3 / (3 + second))
    assert named(events, s.burst) == ({"t"} if burst else set())


@pytest.mark.parametrize(("days", "burst"), [((0, 0, 1), True), ((0, 1, 2), False)])
def test_a_burst_needs_burst_day_share_on_one_day(days: tuple[int, ...], burst: bool) -> None:
    # Two of three acts on the busiest day (2/3 >= 0.5), or one of three (1/3).
    acts = Acts()
    for day in days:
        acts.add("a", "t", at=START + day * DAY_MS + HOUR)
    events, _, s = signals_of(acts, BURST)
    busiest = max(days.count(d) for d in days) / len(days)
    assert by_name(events, s.burst_day_share)["t"] == pytest.approx(busiest)
    assert named(events, s.burst) == ({"t"} if burst else set())


# ------------------------------------------------------------------- role inputs


def signals(audience: Sequence[int], **flags: Sequence[bool]) -> Signals:
    """Signals with the given audience and flags (``ring``, ``hollow``, ``burst``), else zero."""
    n = len(audience)
    zeros, none = np.zeros(n), np.zeros(n, dtype=bool)
    return Signals(
        audience=ints(audience),
        received_events=ints(audience),
        received_weight=floats(audience),
        reciprocal_partners=np.zeros(n, dtype=np.int64),
        reciprocal_share=zeros,
        hollow_amplifiers=np.zeros(n, dtype=np.int64),
        hollow_share=zeros,
        burst_top_share=zeros,
        burst_day_share=zeros,
        ring=np.array(flags.get("ring", none), dtype=bool),
        hollow=np.array(flags.get("hollow", none), dtype=bool),
        burst=np.array(flags.get("burst", none), dtype=bool),
        ring_pairs=np.zeros(0, dtype=bool),
        hollow_pairs=np.zeros(0, dtype=bool),
        hollow_account=np.zeros(n, dtype=bool),
    )


def topic_table(
    rank: Sequence[Sequence[int]],
    focus: Sequence[Sequence[float]],
    amplifiers: Sequence[Sequence[int]] | None = None,
) -> TopicScores:
    """Topic scores with one row per account and one column per topic (t0, t1, ...)."""
    ranks = np.array(rank, dtype=np.int64)
    n, k = ranks.shape
    return TopicScores(
        topics=[f"t{j}" for j in range(k)],
        events=[100] * k,
        pagerank=np.zeros((n, k)),
        focus=np.array(focus, dtype=np.float64),
        amplifiers=np.array(amplifiers, dtype=np.int64) if amplifiers else np.full((n, k), 99),
        authority=np.zeros((n, k)),
        score=np.zeros((n, k)),
        rank=ranks,
    )


def no_topics(n: int) -> TopicScores:
    empty = np.zeros((n, 0))
    return TopicScores([], [], empty, empty, empty.astype(np.int64), empty, empty,
                       empty.astype(np.int64))  # fmt: skip


def reach(second_share: Sequence[float]) -> Reach:
    n = len(second_share)
    return Reach(
        communities_reached=np.full(n, 2, dtype=np.int64),
        top_community=np.zeros(n, dtype=np.int64),
        top_share=1.0 - floats(second_share),
        second_community=np.ones(n, dtype=np.int64),
        second_share=floats(second_share),
    )


def roles_of(
    profile: Profile,
    audience: Sequence[int],
    *,
    is_brand: Sequence[bool] | None = None,
    topics: TopicScores | None = None,
    score: Sequence[float] | None = None,
    betweenness: Sequence[float] | None = None,
    second_share: Sequence[float] | None = None,
    days: Sequence[int] | None = None,
    **flags: Sequence[bool],
) -> Roles:
    """``assign_roles`` where every input not given matches no rule."""
    n = len(audience)
    return assign_roles(
        profile=profile,
        is_brand=np.array(is_brand or [False] * n, dtype=bool),
        signals=signals(audience, **flags),
        topics=topics or no_topics(n),
        score=floats(score or [0.0] * n),
        betweenness=floats(betweenness or [0.0] * n),
        reach=reach(second_share or [0.0] * n),
        brand_activity=(ints(days or [0] * n), ints(days or [0] * n)),
    )


def test_nothing_matched_no_role() -> None:
    roles = roles_of(Profile(), [0, 7, 50])
    assert roles.role == [None, None, None]
    assert roles.roles == [[], [], []]


# ------------------------------------------------------------------------ booster


@pytest.mark.parametrize("signal", ["ring", "hollow", "burst"])
def test_each_signal_makes_a_booster_and_booster_comes_first(signal: str) -> None:
    # Account 0 is flagged and a thematic blogger (rank 1, focus 1.0): booster comes first.
    profile = Profile(min_audience=1)
    topics = topic_table(rank=[[1], [2]], focus=[[1.0], [1.0]])
    roles = roles_of(profile, [5, 5], topics=topics, **{signal: [True, False]})
    assert roles.role == ["booster", "thematic_blogger"]
    assert roles.roles == [["booster", "thematic_blogger"], ["thematic_blogger"]]
    assert ROLE_ORDER[0] == "booster"


# --------------------------------------------------------------------------- brand


def test_the_brand_is_brand_and_nothing_else() -> None:
    # Account 0 is the brand and would match every rule; account 1 is the same, external.
    profile = Profile(min_audience=1, ambassador_min_days=1, ambassador_min_audience=1,
                      bridge_percentile=0.0, hub_percentile=0.0, hub_min_topics=2,
                      min_topic_amplifiers=1)  # fmt: skip
    topics = topic_table(rank=[[1, 0], [2, 0]], focus=[[0.5, 0.5], [0.5, 0.5]])
    roles = roles_of(
        profile, [9, 9], is_brand=[True, False], topics=topics, score=[100.0, 100.0],
        betweenness=[1.0, 1.0], second_share=[0.5, 0.5], days=[4, 4], ring=[True, True],
    )  # fmt: skip
    assert roles.role == ["brand", "booster"]
    assert roles.roles[0] == ["brand"]
    assert roles.roles[1] == list(ROLE_ORDER)
    assert roles.reasons[0][0].startswith("the brand's own account")


# ---------------------------------------------------------------- brand_ambassador

AMBASSADOR = Profile(ambassador_min_days=2, ambassador_min_audience=3)


def test_brand_ambassador_at_and_below_its_thresholds() -> None:
    # (days, audience): (2, 3) both at the threshold; (1, 3) one day short; (2, 2) one
    # amplifier short; (5, 0) a fan who only amplifies the brand.
    roles = roles_of(AMBASSADOR, [3, 3, 2, 0], days=[2, 1, 2, 5])
    assert roles.role == ["brand_ambassador", None, None, None]
    assert (
        "brand ambassador: amplified the brand on 2 days (2 posts) and has an audience of 3"
        in (roles.reasons[0])
    )


def test_the_brand_is_not_its_own_ambassador() -> None:
    roles = roles_of(AMBASSADOR, [3, 3], days=[2, 2], is_brand=[True, False])
    assert roles.role == ["brand", "brand_ambassador"]


def test_brand_days_counts_external_accounts_amplifying_the_brand() -> None:
    # Users: 0 brand, 1 fan, 2 other (external), 3 brand2 (another of the brand's accounts).
    # The fan amplifies the brand on days 0, 0 and 1 (posts p0, p0, p1) and brand2 on day 3
    # (p2): 3 days, 3 posts. Amplifying `other`, or one brand account amplifying another,
    # does not count.
    rows = [(1, 0, 0, 0), (1, 0, 0, 0), (1, 0, 1, 1), (1, 3, 3, 2), (1, 2, 5, 3), (3, 0, 6, 0),
            (2, 1, 7, 3)]  # fmt: skip
    events = Events(
        users=["brand", "fan", "other", "brand2"],
        source=ints([r[0] for r in rows]),
        target=ints([r[1] for r in rows]),
        kind=np.zeros(len(rows), dtype=np.int64),
        at=ints([START + r[2] * DAY_MS + HOUR for r in rows]),
        post=ints([r[3] for r in rows]),
        posts=["p0", "p1", "p2", "p3"],
        topics=[],
        post_topic=np.zeros((0, 2), dtype=np.int64),
    )
    days, posts = brand_days(events, np.array([True, False, False, True]))
    assert days.tolist() == [0, 3, 0, 0]
    assert posts.tolist() == [0, 3, 0, 0]


# ---------------------------------------------------------------- thematic_blogger

BLOGGER = Profile(min_audience=2, thematic_top=2, thematic_focus=0.5)


def test_thematic_blogger_at_and_below_its_thresholds() -> None:
    # One topic. (rank, focus, audience): (2, 0.5, 2) at every threshold; (3, 0.9, 9) ranked
    # below thematic_top; (1, 0.49, 9) not focused enough; (1, 1.0, 1) too small an audience;
    # (0, 1.0, 9) not ranked on the topic.
    topics = topic_table(rank=[[2], [3], [1], [1], [0]], focus=[[0.5], [0.9], [0.49], [1.0], [1.0]])
    roles = roles_of(BLOGGER, [2, 9, 9, 1, 9], topics=topics)
    assert roles.role == ["thematic_blogger", None, None, None, None]


def test_a_blogger_on_one_topic_of_two() -> None:
    topics = topic_table(rank=[[5, 1], [1, 5]], focus=[[0.3, 0.7], [0.3, 0.3]])
    roles = roles_of(BLOGGER, [2, 2], topics=topics)
    assert roles.role == ["thematic_blogger", None]
    assert "#t1: rank 1, 70% of its amplification on the topic" in roles.reasons[0]


# -------------------------------------------------------------------------- bridge

BRIDGE = Profile(min_audience=2, bridge_percentile=0.5, bridge_min_share=0.2)


def test_bridge_at_and_below_its_thresholds() -> None:
    # Accounts with an audience have betweenness 0, 1, 2 and 3: the median cut (np.quantile,
    # linear) is 1.5. Account 3 (3.0, share 0.2) is a bridge; account 2 (2.0) is above the cut
    # but its second community brings 0.19; account 1 (1.0, share 0.5) is below the cut;
    # account 0 (0.0) never is one. Account 4 has no audience: not a bridge, and its
    # betweenness does not move the cut.
    roles = roles_of(
        BRIDGE, [2, 2, 2, 2, 1],
        betweenness=[0.0, 1.0, 2.0, 3.0, 99.0], second_share=[0.5, 0.5, 0.19, 0.2, 0.5],
    )  # fmt: skip
    assert float(np.quantile([0.0, 1.0, 2.0, 3.0], 0.5)) == 1.5
    assert roles.role == [None, None, None, "bridge", None]
    assert any(r.startswith("bridge: 80% of its amplification from community 0") for r in
               roles.reasons[3])  # fmt: skip


def test_no_betweenness_no_bridge() -> None:
    roles = roles_of(BRIDGE.model_copy(update={"bridge_percentile": 0.0}), [2, 2],
                     second_share=[0.5, 0.5])  # fmt: skip
    assert roles.role == [None, None]


# ----------------------------------------------------------------------------- hub

HUB = Profile(min_audience=1, hub_percentile=0.5, hub_min_topics=2, hub_max_focus=0.5,
              min_topic_amplifiers=2)  # fmt: skip


def test_hub_at_and_below_its_thresholds() -> None:
    # Three topics; a topic counts when its focus is >= 0.1 with >= 2 amplifiers on it.
    # 0: [0.4, 0.4, 0.2] three topics, none above 0.5: a hub.
    # 1: [0.5, 0.5, 0.0] two topics (hub_min_topics), the top one at hub_max_focus: a hub.
    # 2: [0.6, 0.3, 0.1] one topic above hub_max_focus.
    # 3: [0.5, 0.09, 0.0] one topic counts (0.09 < 0.1).
    # 4: [0.4, 0.4, 0.0] but one amplifier on t1 (< min_topic_amplifiers): one topic counts.
    # 5: like 0, but its score (10) is below the cut: the median of 100 x 5 and 10 is 100.
    focus = [[0.4, 0.4, 0.2], [0.5, 0.5, 0.0], [0.6, 0.3, 0.1], [0.5, 0.09, 0.0],
             [0.4, 0.4, 0.0], [0.4, 0.4, 0.2]]  # fmt: skip
    amplifiers = [[2, 2, 2], [2, 2, 0], [2, 2, 2], [2, 2, 0], [2, 1, 0], [2, 2, 2]]
    topics = topic_table(rank=[[0, 0, 0]] * 6, focus=focus, amplifiers=amplifiers)
    roles = roles_of(HUB, [1] * 6, topics=topics, score=[100.0] * 5 + [10.0])
    assert roles.role == ["hub", "hub", None, None, None, None]
    assert "hub: amplified on 3 topics, none above 50%" in roles.reasons[0]


def test_roles_list_every_rule_matched_in_order() -> None:
    # An ambassador that is also a bridge and a hub: role is the first of ROLE_ORDER.
    profile = HUB.model_copy(update={"ambassador_min_days": 1, "ambassador_min_audience": 1,
                                     "bridge_percentile": 0.0})  # fmt: skip
    topics = topic_table(rank=[[0, 0]], focus=[[0.5, 0.5]], amplifiers=[[2, 2]])
    roles = roles_of(profile, [1], topics=topics, score=[100.0], betweenness=[1.0],
                     second_share=[0.5], days=[1])  # fmt: skip
    assert roles.roles == [["brand_ambassador", "bridge", "hub"]]
    assert roles.role == ["brand_ambassador"]


# --------------------------------------------------------------- community reach


def test_community_reach_counts_shares_by_amplifier_community() -> None:
    # Amplifier communities: a 0, b 1, c 2 (codes 0-2); targets t, u, v (codes 3-5).
    # t: a 3.0, b 1.0 -> reached 2, community 0 with 0.75, then community 1 with 0.25.
    # u: c 1.0 -> reached 1, community 2 with 1.0, no second.
    # v: a 1.0, b 1.0 -> a tie: the lower community first, 0.5 each.
    pairs = Pairs(
        source=ints([0, 1, 2, 0, 1]),
        target=ints([3, 3, 4, 5, 5]),
        weight=floats([3.0, 1.0, 1.0, 1.0, 1.0]),
        events=ints([1] * 5),
        posts=ints([1] * 5),
        last=ints([START] * 5),
        evidence=floats([3.0, 1.0, 1.0, 1.0, 1.0]),
    )
    got = community_reach(pairs, ints([0, 1, 2, 1, 1, 1]), 6)
    assert got.communities_reached.tolist() == [0, 0, 0, 2, 1, 2]
    assert got.top_community.tolist()[3:] == [0, 2, 0]
    assert got.top_share.tolist()[3:] == pytest.approx([0.75, 1.0, 0.5])
    assert got.second_community.tolist() == [-1, -1, -1, 1, -1, 1]
    assert got.second_share.tolist() == pytest.approx([0.0, 0.0, 0.0, 0.25, 0.0, 0.5])
