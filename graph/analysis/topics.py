"""Per-topic authority: topic-sensitive PageRank weighted by how much of an account's
amplification is on the topic.

For every topic with at least ``min_topic_events`` amplification events (the busiest
``max_topics`` of them), PageRank is run on the whole weighted graph with the teleport vector on
that topic's amplifiers (each in proportion to the weight of the topic amplification it gave):
a random reader who cares about the topic. An account's **topic authority** is that topic
PageRank times its **focus**, the share of the weight it receives that comes through posts
tagged with the topic; accounts with fewer than ``min_topic_amplifiers`` distinct amplifiers on
the topic get none. ``score`` is authority relative to the topic's top account (0-100), ``rank``
orders the external accounts (the brand's own accounts are never ranked).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from graph.algorithms.arrays import BoolArray, FloatArray, IntArray
from graph.algorithms.pagerank import pagerank_many
from graph.analysis.events import Events
from graph.analysis.profile import Profile
from graph.analysis.weighting import Pairs, pair_weights


@dataclass(frozen=True, slots=True)
class TopicScores:
    """Column j of each matrix is ``topics[j]``; rows are users (codes of ``Events.users``)."""

    topics: list[str]
    events: list[int]  # amplification events on each topic
    pagerank: FloatArray
    focus: FloatArray
    amplifiers: IntArray
    authority: FloatArray
    score: FloatArray
    rank: IntArray  # 0: not ranked on this topic

    def of(self, user: int) -> list[tuple[str, int, float, float]]:
        """(topic, rank, score, focus) for each topic the user is ranked on, best rank first."""
        found = [
            (
                self.topics[j],
                int(self.rank[user, j]),
                float(self.score[user, j]),
                float(self.focus[user, j]),
            )
            for j in range(len(self.topics))
            if self.rank[user, j] > 0
        ]
        return sorted(found, key=lambda item: (item[1], item[0]))


def busy_topics(events: Events, profile: Profile) -> list[tuple[str, int]]:
    """(topic, events) for the topics with enough activity, busiest first, ties by name."""
    if not events.topics or not events.count or profile.max_topics == 0:
        return []
    # Events per post, then per topic through the (post, topic) pairs: no posts x topics matrix.
    per_post = np.bincount(events.post[events.post >= 0], minlength=len(events.posts))
    pairs = np.unique(events.post_topic, axis=0)
    counts = np.bincount(
        pairs[:, 1], weights=per_post[pairs[:, 0]], minlength=len(events.topics)
    ).astype(np.int64)
    busy = [
        (events.topics[j], int(counts[j]))
        for j in range(len(events.topics))
        if counts[j] >= profile.min_topic_events
    ]
    busy.sort(key=lambda item: (-item[1], item[0]))
    return busy[: profile.max_topics]


def topic_scores(
    events: Events,
    pairs: Pairs,
    profile: Profile,
    reference_ms: int,
    external: BoolArray,
) -> TopicScores:
    """Score every busy topic; see the module docstring for the rule."""
    n = len(events.users)
    busy = busy_topics(events, profile)
    count = len(busy)
    teleports = np.zeros((n, count))
    received = np.zeros((n, count))
    amplifiers = np.zeros((n, count), dtype=np.int64)
    total_received = np.bincount(pairs.target, weights=pairs.weight, minlength=n)
    for j, (topic, _) in enumerate(busy):
        on_topic = pair_weights(events.select(events.topic_mask(topic)), profile, reference_ms)
        teleports[:, j] = np.bincount(on_topic.source, weights=on_topic.weight, minlength=n)
        received[:, j] = np.bincount(on_topic.target, weights=on_topic.weight, minlength=n)
        amplifiers[:, j] = np.bincount(on_topic.target, minlength=n)
    ranks = pagerank_many(
        n, pairs.source, pairs.target, pairs.weight, teleports, damping=profile.damping
    )
    focus = np.divide(
        received,
        total_received[:, None],
        out=np.zeros_like(received),
        where=total_received[:, None] > 0,
    )
    focus = np.minimum(focus, 1.0)
    eligible = amplifiers >= profile.min_topic_amplifiers
    authority = np.where(eligible, ranks * focus, 0.0)
    top = authority.max(axis=0) if n else np.zeros(count)
    score = np.divide(100.0 * authority, top, out=np.zeros_like(authority), where=top > 0)
    rank = np.zeros((n, count), dtype=np.int64)
    for j in range(count):
        ranked = np.flatnonzero(eligible[:, j] & external & (authority[:, j] > 0))
        order = ranked[np.lexsort((ranked, -authority[ranked, j]))]
        rank[order, j] = np.arange(1, order.size + 1)
    return TopicScores(
        topics=[topic for topic, _ in busy],
        events=[events_on for _, events_on in busy],
        pagerank=ranks,
        focus=focus,
        amplifiers=amplifiers,
        authority=authority,
        score=score,
        rank=rank,
    )
