"""A Klout-like volume score: the naive baseline that Resonance's rankings must beat.

Klout-style scores (2008-2018) summed how much activity an account produced and received,
weighted towards the last few days. Such a score is fooled by exactly what influence is not:
a burst of retweets from four friends outranks a blogger whom a hundred people amplify, a ring
of bought accounts looks like an audience, and a week of silence erases a reputation.

`klout_like` reproduces that deliberately: it counts events, decays them with a short half-life
and ignores who amplified. It is the first baseline of every backtest
(`graph.backtest.baselines`), never a score the product shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

DAY_MS = 86_400_000


def klout_like(
    events: Iterable[tuple[str, str, int]],
    posts: Iterable[tuple[str, int]],
    *,
    now_ms: int,
    half_life_days: float = 1.0,
) -> dict[str, float]:
    """Score each author by the decayed volume of amplifications received and posts written.

    Every amplification event ``(amplifier_id, author_id, created_at_ms)`` and every post
    ``(author_id, created_at_ms)`` adds ``2 ** (-(now_ms - at) / half_life)`` to its author's
    score: one for something that happened now, one half for something a half-life ago. Who
    amplified does not matter, except that amplifying oneself counts for nothing. Anything
    dated after ``now_ms`` counts as happening now.

    >>> day = 86_400_000
    >>> scores = klout_like(
    ...     [("a", "x", 10 * day), ("b", "x", 9 * day), ("x", "x", 10 * day)],
    ...     [("y", 8 * day)],
    ...     now_ms=10 * day,
    ... )
    >>> scores
    {'x': 1.5, 'y': 0.25}
    >>> rank_of(scores)
    {'x': 1, 'y': 2}
    """
    if half_life_days <= 0:
        raise ValueError(f"half_life_days must be > 0, got {half_life_days}")
    half_life_ms = half_life_days * DAY_MS
    scores: dict[str, float] = {}

    def add(author: str, at: int) -> None:
        age = max(now_ms - at, 0)
        scores[author] = scores.get(author, 0.0) + 2.0 ** (-age / half_life_ms)

    for amplifier, author, at in events:
        if amplifier != author:
            add(author, at)
    for author, at in posts:
        add(author, at)
    return scores


def rank_of(scores: Mapping[str, float]) -> dict[str, int]:
    """Rank ids by score, 1 for the highest; equal scores are ordered by id.

    >>> rank_of({"b": 2.0, "a": 2.0, "c": 5.0})
    {'c': 1, 'a': 2, 'b': 3}
    """
    ordered = sorted(scores, key=lambda key: (-scores[key], key))
    return {key: place for place, key in enumerate(ordered, start=1)}
