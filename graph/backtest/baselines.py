"""The rankings a profile must beat, computed on the same pre-split events.

* ``volume``: the Klout-like score of ``graph.analysis.baseline`` (acts received and posts
  written, one-day half-life from the split);
* ``amplifiers``: distinct amplifiers (in-degree on distinct pairs);
* ``pagerank``: textbook PageRank (damping 0.85) on the distinct pairs, unweighted;
* ``followers``: the follower count the data gives, where it gives one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from graph.algorithms.arrays import FloatArray
from graph.algorithms.pagerank import pagerank
from graph.analysis.baseline import klout_like
from graph.analysis.events import Events
from graph.backtest.outcomes import distinct_pairs


def volume(before: Events, posts: Sequence[tuple[str, int]], split: int) -> FloatArray:
    """Klout-like volume per user code, from the events and the posts before ``split``."""
    users, times = before.users, before.at.tolist()
    acts = zip(before.source.tolist(), before.target.tolist(), times, strict=True)
    scores = klout_like(((users[a], users[b], at) for a, b, at in acts), posts, now_ms=split)
    return np.array([scores.get(user, 0.0) for user in users], dtype=np.float64)


def amplifiers(before: Events) -> FloatArray:
    _, authors = distinct_pairs(before)
    return np.bincount(authors, minlength=len(before.users)).astype(np.float64)


def unweighted_pagerank(before: Events) -> FloatArray:
    source, target = distinct_pairs(before)
    return pagerank(len(before.users), source, target)


def followers(before: Events, counts: Mapping[str, int]) -> FloatArray:
    """Follower counts per user code; -1 where the data has none."""
    return np.array([counts.get(user, -1) for user in before.users], dtype=np.float64)
