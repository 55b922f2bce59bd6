"""``explain`` and ``compute_signals`` on hand-built events, against answers worked out here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np
import numpy.typing as npt
import pytest

from graph.analysis.events import Events
from graph.analysis.explain import TOP_AMPLIFIERS, TOP_POSTS, explain
from graph.analysis.profile import Profile
from graph.analysis.signals import compute_signals
from graph.analysis.weighting import DAY_MS, Pairs, pair_weights, reference_time
from graph.models import AMPLIFICATION_KINDS

START = 1_790_000_000_000 - 1_790_000_000_000 % DAY_MS
HOUR = 3_600_000


@dataclass
class Builder:
    """Events by name; ``events()`` codes them the way ``fetch_events`` does."""

    rows: list[tuple[str, str, str, int, str | None]] = field(default_factory=list)

    def add(
        self, amp: str, author: str, *, kind: str = "retweet", at: int = START, post: str | None
    ) -> None:
        self.rows.append((amp, author, kind, at, post))

    def events(self) -> Events:
        users: dict[str, int] = {}
        posts: dict[str, int] = {}
        for amp, author, *_ in self.rows:
            users.setdefault(amp, len(users))
            users.setdefault(author, len(users))
        for *_, post in self.rows:
            if post is not None:
                posts.setdefault(post, len(posts))

        def column(values: Sequence[int]) -> npt.NDArray[np.int64]:
            return np.array(values, dtype=np.int64)

        return Events(
            users=list(users),
            source=column([users[r[0]] for r in self.rows]),
            target=column([users[r[1]] for r in self.rows]),
            kind=column([AMPLIFICATION_KINDS.index(r[2]) for r in self.rows]),
            at=column([r[3] for r in self.rows]),
            post=column([-1 if r[4] is None else posts[r[4]] for r in self.rows]),
            posts=list(posts),
            topics=[],
            post_topic=np.zeros((0, 2), dtype=np.int64),
        )


def weigh(events: Events, profile: Profile | None = None) -> Pairs:
    return pair_weights(events, profile or Profile(), reference_time(events, None))


# ----------------------------------------------------------------- explain


def small_graph() -> Builder:
    b = Builder()
    # "star" has seven amplifiers (more than TOP_AMPLIFIERS) who also amplify others.
    for i in range(7):
        for j in range(i + 1):  # a_i retweets i + 1 different posts of star
            b.add(f"a{i}", "star", post=f"star-{j}", at=START + j * DAY_MS)
        if i % 2:
            b.add(f"a{i}", "other", kind="quote", post="other-0", at=START + i * HOUR)
    b.add("a0", "a1", kind="mention", post=None, at=START + 2 * DAY_MS)
    # "twin" has two amplifiers whose contributions tie exactly: the lower code comes first.
    b.add("t1", "twin", post="twin-0")
    b.add("t2", "twin", post="twin-0")
    b.add("star", "other", kind="like", post="other-1", at=START + DAY_MS)
    return b


def test_explain_orders_amplifiers_by_contribution() -> None:
    events = small_graph().events()
    pairs = weigh(events)
    n = len(events.users)
    rng = np.random.default_rng(3)
    pagerank = rng.uniform(0.01, 1.0, n)
    code = {u: i for i, u in enumerate(events.users)}
    pagerank[code["t1"]] = pagerank[code["t2"]]  # the twin's amplifiers tie
    pagerank /= pagerank.sum()
    damping = 0.85

    explanation = explain(events, pairs, pagerank, damping)

    out_weight: dict[int, float] = defaultdict(float)
    for s, w in zip(pairs.source.tolist(), pairs.weight.tolist(), strict=True):
        out_weight[s] += w
    received: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for s, t, w in zip(
        pairs.source.tolist(), pairs.target.tolist(), pairs.weight.tolist(), strict=True
    ):
        received[t].append((damping * pagerank[s] * w / out_weight[s], s))
    for user in range(n):
        incoming = sorted(received.get(user, []), key=lambda cs: (-cs[0], cs[1]))
        total = sum(c for c, _ in incoming)
        top = incoming[:TOP_AMPLIFIERS]
        assert explanation.top_amplifiers[user] == [s for _, s in top], events.users[user]
        shares = explanation.amplifier_shares[user]
        assert shares == pytest.approx([c / total for c, _ in top], abs=5e-5)
        assert sum(shares) <= 1.0 + len(shares) * 5e-5
        assert all(a >= b for a, b in pairwise(shares))
        if len(incoming) <= TOP_AMPLIFIERS and incoming:
            assert sum(shares) == pytest.approx(1.0, abs=len(shares) * 5e-5)

    star = code["star"]
    assert len(explanation.top_amplifiers[star]) == TOP_AMPLIFIERS
    assert sum(explanation.amplifier_shares[star]) < 1.0
    twin = code["twin"]
    assert explanation.top_amplifiers[twin] == sorted([code["t1"], code["t2"]])
    assert explanation.amplifier_shares[twin] == [0.5, 0.5]
    for never_amplified in ("t1", "t2", "a6"):
        assert explanation.top_amplifiers[code[never_amplified]] == []
        assert explanation.amplifier_shares[code[never_amplified]] == []
        assert explanation.top_posts[code[never_amplified]] == []


def test_explain_top_posts_by_distinct_amplifiers() -> None:
    events = small_graph().events()
    pairs = weigh(events)
    explanation = explain(events, pairs, np.full(len(events.users), 1.0), 0.85)
    amplifiers: dict[tuple[int, int], set[int]] = defaultdict(set)
    for s, t, p in zip(
        events.source.tolist(), events.target.tolist(), events.post.tolist(), strict=True
    ):
        if p >= 0:
            amplifiers[(t, p)].add(s)
    for user in range(len(events.users)):
        counted = sorted(
            ((len(who), p) for (t, p), who in amplifiers.items() if t == user),
            key=lambda cp: (-cp[0], cp[1]),
        )[:TOP_POSTS]
        assert explanation.top_posts[user] == [p for _, p in counted]
        assert explanation.post_amplifiers[user] == [c for c, _ in counted]
    star = events.users.index("star")
    # star-0 by all seven, star-1 by six, star-2 by five; repeats of one amplifier count once.
    assert [events.posts[p] for p in explanation.top_posts[star]] == ["star-0", "star-1", "star-2"]
    assert explanation.post_amplifiers[star] == [7, 6, 5]
    a1 = events.users.index("a1")
    assert explanation.top_posts[a1] == []  # a bare mention amplifies no post
    assert explanation.top_amplifiers[a1] == [events.users.index("a0")]


# ----------------------------------------------------------------- signals

RING = [f"r{i}" for i in range(4)]
FRIENDS = [f"f{i}" for i in range(4)]
HOLLOW = [f"h{i}" for i in range(6)]
BURSTERS = [f"x{i}" for i in range(4)]
FANS = [f"o{i}" for i in range(30)]


def scenario(
    *, ring_events: int = 5, hollow_accounts: int = 6, hollow_events: int = 20, burst: int = 52
) -> Builder:
    b = Builder()
    # A ring: four accounts amplifying each other, ring_events times each way.
    for i, amp in enumerate(RING):
        for j, author in enumerate(RING):
            if amp != author:
                for k in range(ring_events):
                    at = START + (k * 3 + i + j) * DAY_MS + i * HOUR
                    b.add(amp, author, post=f"{author}-{k}", at=at)
    # Friends: four accounts that each amplify each other once.
    for i, amp in enumerate(FRIENDS):
        for j, author in enumerate(FRIENDS):
            if amp != author:
                b.add(amp, author, kind="quote", post=f"{author}-0", at=START + (i + j) * DAY_MS)
    # Hollow accounts (nobody amplifies them) amplify "boosted" at volume; two real fans too.
    for i, amp in enumerate(HOLLOW[:hollow_accounts]):
        for k in range(hollow_events):
            b.add(amp, "boosted", post=f"boosted-{k % 7}", at=START + (k + i) * DAY_MS)
    for fan in ("bf0", "bf1"):
        b.add(fan, "boosted", post="boosted-0", at=START + 3 * DAY_MS)
    # A burst: four accounts, thirteen acts each, all on one day.
    for i, amp in enumerate(BURSTERS):
        for k in range(burst // len(BURSTERS)):
            b.add(amp, "bursty", post="bursty-0", at=START + 20 * DAY_MS + i * HOUR + k * 60_000)
    # An organic account: thirty different people, once each, over a month.
    for i, fan in enumerate(FANS):
        b.add(fan, "organic", kind="share", post=f"organic-{i % 4}", at=START + i * DAY_MS)
    return b


def flagged(events: Events, flags: npt.NDArray[np.bool_]) -> set[str]:
    return {events.users[i] for i in np.flatnonzero(flags).tolist()}


def test_signals_flag_the_ring_the_hollow_audience_and_the_burst() -> None:
    events = scenario().events()
    pairs = weigh(events)
    signals = compute_signals(events, pairs, Profile())

    assert flagged(events, signals.ring) == set(RING)
    assert flagged(events, signals.hollow) == {"boosted"}
    assert flagged(events, signals.burst) == {"bursty"}
    assert flagged(events, signals.booster) == {*RING, "boosted", "bursty"}
    code = {u: i for i, u in enumerate(events.users)}
    for innocent in ("organic", *FRIENDS, *HOLLOW, *BURSTERS, *FANS):
        assert not signals.booster[code[innocent]], innocent

    # discounted: exactly the ring's internal pairs and the hollow accounts -> boosted.
    discounted = {
        (events.users[s], events.users[t])
        for s, t in zip(
            pairs.source[signals.discounted].tolist(),
            pairs.target[signals.discounted].tolist(),
            strict=True,
        )
    }
    ring_pairs = {(a, b) for a in RING for b in RING if a != b}
    hollow_pairs = {(h, "boosted") for h in HOLLOW}
    assert discounted == ring_pairs | hollow_pairs
    assert {
        (events.users[s], events.users[t])
        for s, t in zip(
            pairs.source[signals.ring_pairs], pairs.target[signals.ring_pairs], strict=True
        )
    } == ring_pairs
    assert {
        (events.users[s], events.users[t])
        for s, t in zip(
            pairs.source[signals.hollow_pairs], pairs.target[signals.hollow_pairs], strict=True
        )
    } == hollow_pairs
    assert signals.ring_pairs.shape == signals.hollow_pairs.shape == (pairs.count,)

    # The evidence behind the flags, counted here.
    audience: dict[str, set[str]] = defaultdict(set)
    received: dict[str, int] = defaultdict(int)
    for amp, author, *_ in scenario().rows:
        audience[author].add(amp)
        received[author] += 1
    for user, i in code.items():
        assert signals.audience[i] == len(audience[user]), user
        assert signals.received_events[i] == received[user], user
    assert signals.received_weight == pytest.approx(
        np.bincount(pairs.target, weights=pairs.weight, minlength=len(code))
    )
    for member in RING:
        assert signals.reciprocal_partners[code[member]] == 3
        assert signals.reciprocal_share[code[member]] == pytest.approx(1.0)
    for friend in FRIENDS:
        assert signals.reciprocal_partners[code[friend]] == 0
    assert signals.hollow_amplifiers[code["boosted"]] == len(HOLLOW)
    assert 0.6 <= signals.hollow_share[code["boosted"]] < 1.0
    assert signals.burst_top_share[code["bursty"]] == pytest.approx(1.0)
    assert signals.burst_day_share[code["bursty"]] == pytest.approx(1.0)
    assert signals.burst_top_share[code["organic"]] == pytest.approx(4 / 30)


@pytest.mark.parametrize(
    ("changes", "cleared"),
    [
        ({"ring_events": 4}, "ring"),  # four acts each way: below ring_min_events
        ({"hollow_accounts": 4}, "hollow"),  # four hollow amplifiers: below hollow_min_accounts
        ({"hollow_events": 19}, "hollow"),  # 19 acts: not at volume, so not hollow
        ({"burst": 48}, "burst"),  # 48 events: below burst_min_events
    ],
)
def test_each_signal_needs_its_thresholds(changes: dict[str, int], cleared: str) -> None:
    events = scenario(**changes).events()
    pairs = weigh(events)
    signals = compute_signals(events, pairs, Profile())
    expected = {"ring": set(RING), "hollow": {"boosted"}, "burst": {"bursty"}}
    expected[cleared] = set()
    assert flagged(events, signals.ring) == expected["ring"]
    assert flagged(events, signals.hollow) == expected["hollow"]
    assert flagged(events, signals.burst) == expected["burst"]
    assert not (signals.ring_pairs & ~signals.ring[pairs.source]).any()
    if cleared == "hollow":
        assert not signals.hollow_pairs.any()


def test_a_ring_that_brings_little_of_the_weight_is_not_a_ring() -> None:
    b = scenario()
    # Each ring member also gets amplified by 40 distinct outsiders on many posts.
    for member in RING:
        for i in range(40):
            for k in range(4):
                b.add(f"{member}-fan{i}", member, post=f"{member}-x{k}", at=START + k * DAY_MS)
    events = b.events()
    signals = compute_signals(events, weigh(events), Profile())
    assert flagged(events, signals.ring) == set()
    assert not signals.ring_pairs.any()
    code = {u: i for i, u in enumerate(events.users)}
    assert all(signals.reciprocal_partners[code[m]] == 3 for m in RING)
    assert all(signals.reciprocal_share[code[m]] < 0.5 for m in RING)


def test_no_events_no_signals() -> None:
    events = Builder().events()
    signals = compute_signals(events, weigh(events), Profile())
    assert signals.booster.shape == (0,)
    assert signals.discounted.shape == (0,)


def test_heavy_fans_who_amplify_many_accounts_once_are_not_hollow() -> None:
    """Found on the demo data: 91 small accounts were flagged because their amplifiers were
    prolific fans with no audience. A fan who amplifies twenty accounts once each is no one's
    hollow amplifier; the same fan amplifying one account twenty times is."""
    b = Builder()
    fans = [f"fan{i}" for i in range(8)]
    authors = [f"small{j}" for j in range(20)]
    for i, fan in enumerate(fans):
        for j, author in enumerate(authors):  # 20 acts in all, once per author
            b.add(fan, author, post=f"{author}-0", at=START + (i + j) * HOUR)
    for i, fan in enumerate(fans):
        for k in range(6):  # ... and six acts on one favourite
            b.add(fan, "favourite", post=f"favourite-{k}", at=START + (i + k) * DAY_MS)
    events = b.events()
    signals = compute_signals(events, weigh(events), Profile())
    assert flagged(events, signals.hollow) == {"favourite"}
    assert not set(authors) & flagged(events, signals.booster)
