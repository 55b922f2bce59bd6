"""An analysis's results as the rows the store writes back: one per account, one per topic
rank, and the amendment of the rows staged before the betweenness was known."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from graph.algorithms.arrays import BoolArray, FloatArray
from graph.analysis.events import Events
from graph.analysis.explain import Explanation
from graph.analysis.roles import Roles
from graph.analysis.topics import TopicScores


@dataclass(frozen=True, slots=True)
class Scores:
    """Per-user results (codes of ``Events.users``), ready to be written back."""

    pagerank: FloatArray
    score: FloatArray
    rank: npt.NDArray[np.int64]
    audience: npt.NDArray[np.int64]
    acts: npt.NDArray[np.int64]
    community: npt.NDArray[np.int64]
    betweenness: FloatArray
    core: npt.NDArray[np.int64]
    influence: FloatArray
    passivity: FloatArray
    reached: npt.NDArray[np.int64]
    discounted: npt.NDArray[np.int64]
    hollow_account: BoolArray


def user_rows(
    events: Events, s: Scores, roles: Roles, topics: TopicScores, why: Explanation
) -> list[dict[str, Any]]:
    """One row per user; accounts nobody amplified get only ``BASE_SCORE_KEYS``."""
    users, posts = events.users, events.posts
    base = {
        "id": users,
        "score": np.round(s.score, 4).tolist(),
        "pagerank": s.pagerank.tolist(),
        "rank": [rank or None for rank in s.rank.tolist()],
        "community": s.community.tolist(),
        "betweenness": np.round(s.betweenness, 4).tolist(),
        "core": s.core.tolist(),
        "passivity": s.passivity.tolist(),
        "role": roles.role,
        "hollow_account": [True if hollow else None for hollow in s.hollow_account.tolist()],
    }
    audience = s.audience.tolist()
    acts, reached = s.acts.tolist(), s.reached.tolist()
    influence, discounted = s.influence.tolist(), s.discounted.tolist()
    keys = list(base)
    rows: list[dict[str, Any]] = []
    for i, values in enumerate(zip(*base.values(), strict=True)):
        row = dict(zip(keys, values, strict=True))
        if audience[i]:
            ranked_topics = topics.of(i)
            row.update(
                amplifiers=audience[i],
                acts=acts[i],
                communities_reached=reached[i],
                influence=influence[i],
                roles=roles.roles[i],
                reasons=roles.reasons[i],
                topics=[topic for topic, *_ in ranked_topics],
                topic_ranks=[topic_rank for _, topic_rank, *_ in ranked_topics],
                top_amplifiers=[users[k] for k in why.top_amplifiers[i]],
                top_amplifier_shares=why.amplifier_shares[i],
                top_posts=[posts[k] for k in why.top_posts[i]],
                top_post_amplifiers=why.post_amplifiers[i],
                discounted=discounted[i],
            )
        else:
            row["amplifiers"] = 0
        rows.append(row)
    return rows


def amended_rows(
    rows: list[dict[str, Any]], between: FloatArray, staged_roles: Roles, roles: Roles
) -> list[dict[str, Any]]:
    """Put the betweenness and the roles it decides into ``rows`` (staged without them);
    the rows that changed."""
    amended = []
    rounded = np.round(between, 4).tolist()
    for i, row in enumerate(rows):
        changed = roles.roles[i] != staged_roles.roles[i]
        if not (rounded[i] or changed):
            continue
        row["betweenness"] = rounded[i]
        if changed:
            row["role"] = roles.role[i]
            if "roles" in row:
                row["roles"], row["reasons"] = roles.roles[i], roles.reasons[i]
        amended.append(row)
    return amended


def topic_rows(events: Events, topics: TopicScores) -> list[dict[str, Any]]:
    rows = []
    for j, topic in enumerate(topics.topics):
        for i in np.flatnonzero(topics.rank[:, j] > 0):
            rows.append(
                {
                    "user_id": events.users[i],
                    "topic": topic,
                    "score": round(float(topics.score[i, j]), 4),
                    "rank": int(topics.rank[i, j]),
                    "focus": round(float(topics.focus[i, j]), 4),
                    "amplifiers": int(topics.amplifiers[i, j]),
                }
            )
    return rows
