"""Roles, reasons and the rows written back, a batch of accounts at a time on the executors.

The rules are the local engine's own (``graph.analysis.roles.assign_roles``), applied by
``mapInPandas`` to each batch with the percentile cuts computed over the whole graph
(``RoleCuts``): the same roles and the same words, without the graph on one machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame

from graph.analysis.profile import Profile
from graph.analysis.roles import Reach, RoleCuts, assign_roles
from graph.analysis.signals import Signals
from graph.analysis.topics import TopicScores

ROW_SCHEMA = (
    "id string, score double, pagerank double, rank long, community long, betweenness double, "
    "core long, passivity double, role string, hollow_account boolean, amplifiers long, "
    "acts long, communities_reached long, influence double, roles array<string>, "
    "reasons array<string>, topics array<string>, topic_ranks array<long>, "
    "top_amplifiers array<string>, top_amplifier_shares array<double>, "
    "top_posts array<string>, top_post_amplifiers array<long>, discounted long"
)

_SIGNAL_FIELDS = (
    "audience", "received_events", "received_weight", "reciprocal_partners",
    "reciprocal_share", "hollow_amplifiers", "hollow_share", "burst_top_share",
    "burst_day_share", "ring", "hollow", "burst", "hollow_account",
)  # fmt: skip


def _array(batch: pd.DataFrame, column: str, dtype: Any) -> Any:
    return batch[column].to_numpy(dtype=dtype)


def _topic_matrices(batch: pd.DataFrame, topics: list[str]) -> TopicScores:
    n, count = len(batch), len(topics)
    rank = np.zeros((n, count), dtype=np.int64)
    score = np.zeros((n, count))
    focus = np.zeros((n, count))
    amplifiers = np.zeros((n, count), dtype=np.int64)
    for i, items in enumerate(batch["topic_items"].tolist()):
        for item in items if items is not None else []:
            j = int(item["j"])
            rank[i, j], score[i, j] = int(item["rank"]), float(item["score"])
            focus[i, j], amplifiers[i, j] = float(item["focus"]), int(item["amplifiers"])
    zeros = np.zeros((n, count))
    return TopicScores(topics, [0] * count, zeros, focus, amplifiers, zeros, score, rank)


def _signals(batch: pd.DataFrame) -> Signals:
    values = {
        name: _array(batch, name, bool if name in ("ring", "hollow", "burst", "hollow_account")
                     else (float if "share" in name or "weight" in name else np.int64))
        for name in _SIGNAL_FIELDS
    }  # fmt: skip
    no_pairs = np.zeros(0, dtype=bool)
    return Signals(**values, ring_pairs=no_pairs, hollow_pairs=no_pairs)


def _lists(values: Any) -> list[Any]:
    return [list(value) if value is not None else [] for value in values]


def row_batches(
    profile: Profile, topics: list[str], cuts: RoleCuts
) -> Any:  # the mapInPandas function
    def rows(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            yield _rows(batch, profile, topics, cuts)

    return rows


def _rows(batch: pd.DataFrame, profile: Profile, topics: list[str], cuts: RoleCuts) -> pd.DataFrame:
    signals = _signals(batch)
    topic_scores = _topic_matrices(batch, topics)
    reach = Reach(
        _array(batch, "communities_reached", np.int64),
        _array(batch, "top_community", np.int64),
        _array(batch, "top_share", float),
        _array(batch, "second_community", np.int64),
        _array(batch, "second_share", float),
    )
    score = 100.0 * _array(batch, "blended", float)
    betweenness = _array(batch, "betweenness", float)
    roles = assign_roles(
        profile=profile,
        is_brand=_array(batch, "is_brand", bool),
        signals=signals,
        topics=topic_scores,
        score=score,
        betweenness=betweenness,
        reach=reach,
        brand_activity=(
            _array(batch, "brand_days", np.int64),
            _array(batch, "brand_posts", np.int64),
        ),
        cuts=cuts,
    )
    audience = signals.audience
    amplified = audience > 0
    ranked_topics = [topic_scores.of(i) for i in range(len(batch))]

    def only_amplified(values: list[Any]) -> list[Any]:
        return [value if amplified[i] else None for i, value in enumerate(values)]

    rank = _array(batch, "rank", np.int64)
    return pd.DataFrame(
        {
            "id": batch["id"].tolist(),
            "score": np.round(score, 4),
            "pagerank": _array(batch, "pagerank", float),
            "rank": [int(value) if value else None for value in rank.tolist()],
            "community": _array(batch, "community", np.int64),
            "betweenness": np.round(betweenness, 4),
            "core": _array(batch, "core", np.int64),
            "passivity": _array(batch, "passivity", float),
            "role": roles.role,
            "hollow_account": [True if value else None for value in signals.hollow_account],
            "amplifiers": audience,
            "acts": only_amplified(signals.received_events.tolist()),
            "communities_reached": only_amplified(reach.communities_reached.tolist()),
            "influence": only_amplified(_array(batch, "ip_influence", float).tolist()),
            "roles": only_amplified(roles.roles),
            "reasons": only_amplified(roles.reasons),
            "topics": only_amplified([[t for t, *_ in found] for found in ranked_topics]),
            "topic_ranks": only_amplified([[r for _, r, *_ in found] for found in ranked_topics]),
            "top_amplifiers": only_amplified(_lists(batch["top_amplifiers"])),
            "top_amplifier_shares": only_amplified(_lists(batch["top_amplifier_shares"])),
            "top_posts": only_amplified(_lists(batch["top_posts"])),
            "top_post_amplifiers": only_amplified(_lists(batch["top_post_amplifiers"])),
            "discounted": only_amplified(_array(batch, "discounted", np.int64).tolist()),
        }
    )


def result_rows(frame: DataFrame, profile: Profile, topics: list[str], cuts: RoleCuts) -> DataFrame:
    """The rows the store is given (``graph.analysis.score_rows.user_rows``'s fields)."""
    return frame.mapInPandas(row_batches(profile, topics, cuts), ROW_SCHEMA)
