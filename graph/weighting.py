"""How amplification events become edge weights: volume-neutral and tunable.

A pair's weight is the sum over kinds of ``kind_weight * log2(1 + events)``: the first act
counts fully, a burst of repeats between the same two accounts saturates, and a retweet or a
quote says more than a like. The full profile (distinct posts, days, recency) arrives with the
analysis engine; this is the rule the first slice uses.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

DEFAULT_KIND_WEIGHTS: Mapping[str, float] = {
    "retweet": 1.0,
    "quote": 1.2,
    "reply": 0.7,
    "mention": 0.8,
    "share": 1.0,
    "like": 0.3,
}


def pair_weight(
    events_by_kind: Mapping[str, int], kind_weights: Mapping[str, float] | None = None
) -> float:
    """The weight of one amplifier -> author pair.

    >>> pair_weight({"retweet": 1})
    1.0
    >>> pair_weight({"retweet": 3})
    2.0
    >>> round(pair_weight({"retweet": 1, "like": 1}), 2)
    1.3
    """
    weights = DEFAULT_KIND_WEIGHTS if kind_weights is None else kind_weights
    return sum(
        weights.get(kind, 0.0) * math.log2(1 + n) for kind, n in events_by_kind.items() if n > 0
    )
