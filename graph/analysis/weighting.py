"""How amplification events become edge weights: volume-neutral, tunable, explained.

For one amplifier -> author pair, per kind of amplification (retweet, quote, ...):

    evidence(kind) = post_share * log2(1 + distinct posts)
                   + (1 - post_share) * log2(1 + distinct days)

and the pair's weight is ``recency * sum(kind_weight[kind] * evidence(kind))`` where
``recency = 2 ** (-(reference - last event of the pair) / half_life)``. The first act counts
fully (weight = the kind's weight); fifty retweets of the same post in one afternoon count as
one post on one day; a reader who comes back on many days to many posts weighs more, but with
diminishing returns. Events with no post (a bare mention) count one "post" per day. The
reference time is the end of the analysed window (by default the latest event), so an analysis
of old data is not penalised for being old, and a few silent days barely move a weight
(three days at the default 90-day half-life: x 0.977).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
import pandas as pd

from graph.algorithms.arrays import FloatArray, IntArray
from graph.analysis.events import Events
from graph.analysis.profile import Profile
from graph.models import AMPLIFICATION_KINDS

DAY_MS = 86_400_000


@cache
def _default() -> Profile:
    """The default profile, built once (building one validates every field: ~30 us, which the
    network views paid per edge)."""
    return Profile()


def pair_weight(
    evidence: Mapping[str, tuple[int, int]], profile: Profile | None = None, age_ms: float = 0.0
) -> float:
    """The weight of one pair from ``{kind: (distinct posts, distinct days)}``.

    >>> pair_weight({"retweet": (1, 1)})
    1.0
    >>> pair_weight({"retweet": (3, 3)})
    2.0
    >>> round(pair_weight({"retweet": (1, 1), "like": (1, 1)}), 2)
    1.3
    >>> round(pair_weight({"retweet": (1, 1)}, age_ms=90 * DAY_MS), 2)
    0.5
    """
    profile = profile or _default()
    share = profile.post_share
    total = sum(
        profile.kind_weights.get(kind, 0.0)
        * (share * math.log2(1 + posts) + (1 - share) * math.log2(1 + days))
        for kind, (posts, days) in evidence.items()
        if posts > 0 or days > 0
    )
    return float(total * 2.0 ** (-age_ms / profile.half_life_ms))


@dataclass(frozen=True, slots=True)
class Pairs:
    """One weighted edge per amplifier -> author pair (codes into ``Events.users``)."""

    source: IntArray
    target: IntArray
    weight: FloatArray
    events: IntArray
    posts: IntArray  # distinct posts (or days, for events without one), all kinds together
    last: IntArray  # the pair's latest event, epoch ms
    evidence: FloatArray  # the weight before recency: sum(kind_weight[kind] * evidence(kind))

    @property
    def count(self) -> int:
        return int(self.source.size)

    def kept(self, keep: npt.NDArray[np.bool_]) -> Pairs:
        """The pairs where ``keep`` holds."""
        return Pairs(
            self.source[keep],
            self.target[keep],
            self.weight[keep],
            self.events[keep],
            self.posts[keep],
            self.last[keep],
            self.evidence[keep],
        )


def reference_time(events: Events, until: int | None) -> int:
    """The time recency is measured from: the window's end, else the latest event."""
    if until is not None:
        return until
    return int(events.at.max()) if events.count else 0


@dataclass(frozen=True, slots=True)
class PostSlots:
    """What each event counts as "a post" in the evidence: its post's code, or, for a bare act
    (no post), one slot per day after every post code. A unit of evidence is one pair on one
    slot (the weighting counts them; the activity clock, ``graph.analysis.clock``, dates them)."""

    slot: IntArray
    count: int  # how many slots there are: every slot is < count
    day: IntArray  # each event's day, counted from the first event's


def post_slots(events: Events) -> PostSlots:
    day = events.at // DAY_MS
    if day.size:
        day = day - int(day.min())
    days = int(day.max()) + 1 if day.size else 0
    slot = np.where(events.post >= 0, events.post, len(events.posts) + day)
    return PostSlots(slot, len(events.posts) + days, day)


def pair_weights(events: Events, profile: Profile, reference_ms: int) -> Pairs:
    """Aggregate events into weighted pairs by the rule above, vectorised: every distinct
    (pair, kind, post) and (pair, kind, day) becomes one int64 key, counted with a sort and
    ``np.bincount`` (three times faster than pandas' multi-column ``drop_duplicates``)."""
    n = max(len(events.users), 1)
    keys, pair = np.unique(events.source * n + events.target, return_inverse=True)
    if keys.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Pairs(empty, empty, np.zeros(0), empty, empty, empty, np.zeros(0))
    # The extra kind slot is for code -1: a kind the profile does not know weighs nothing.
    slots = len(AMPLIFICATION_KINDS) + 1
    kind = np.where(events.kind >= 0, events.kind, slots - 1)
    pair_kind = pair * slots + kind
    posts = post_slots(events)
    days = int(posts.day.max()) + 1
    distinct_posts = _distinct_per(pair_kind, posts.slot, posts.count, keys.size * slots)
    distinct_days = _distinct_per(pair_kind, posts.day, days, keys.size * slots)
    kind_weight = np.array([profile.kind_weights.get(k, 0.0) for k in AMPLIFICATION_KINDS] + [0.0])
    share = profile.post_share
    evidence = share * np.log2(1.0 + distinct_posts) + (1 - share) * np.log2(1.0 + distinct_days)
    weight = evidence.reshape(keys.size, slots) @ kind_weight
    last = pd.Series(events.at).groupby(pair).max().to_numpy()
    count = np.bincount(pair, minlength=keys.size)
    distinct = _distinct_per(pair, posts.slot, posts.count, keys.size)
    age = np.maximum(reference_ms - last, 0)
    values = weight * np.exp2(-age / profile.half_life_ms)
    keep = values > 0
    kept = keys[keep]
    return Pairs(
        source=(kept // n).astype(np.int64),
        target=(kept % n).astype(np.int64),
        weight=values[keep].astype(np.float64),
        events=count[keep].astype(np.int64),
        posts=distinct[keep].astype(np.int64),
        last=last[keep].astype(np.int64),
        evidence=weight[keep].astype(np.float64),
    )


def _distinct_per(group: IntArray, value: IntArray, values: int, groups: int) -> IntArray:
    """How many distinct ``value`` (each < ``values``) each group code (< ``groups``) has.
    (A sort and a comparison: numpy 2.4's ``np.unique`` hashes, 80 times slower here.)"""
    key = np.sort(group * values + value)
    distinct = key[np.concatenate(([True], key[1:] != key[:-1]))]
    return np.bincount(distinct // values, minlength=groups)
