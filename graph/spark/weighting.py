"""The weighting rule of ``graph.analysis.weighting`` on Spark DataFrames.

Per amplifier -> author pair (and per topic, with ``by="topic"``) and kind: distinct posts
("slots": a bare act counts one per day) and distinct days, ``evidence = post_share *
log2(1 + posts) + (1 - post_share) * log2(1 + days)``, summed over kinds with the kinds'
weights, times the calendar recency ``2 ** (-(reference - last) / half_life)``; pairs that
weigh nothing are dropped.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from graph.analysis.profile import Profile
from graph.models import AMPLIFICATION_KINDS


def _kind_weight(profile: Profile) -> Column:
    weights = F.array(
        *[F.lit(float(profile.kind_weights.get(k, 0.0))) for k in AMPLIFICATION_KINDS]
    )
    return F.when(F.col("kind") >= 0, F.element_at(weights, F.col("kind") + 1)).otherwise(0.0)


def pair_weights(
    events: DataFrame, profile: Profile, reference_ms: int, *, by: str | None = None
) -> DataFrame:
    """``source, target[, by], weight, events, posts, last, evidence`` from coded events
    (``source, target, kind, at, slot, day``[, ``by``])."""
    keys = ["source", "target", *([by] if by else [])]
    share = profile.post_share
    per_kind = events.groupBy(*keys, "kind").agg(
        F.countDistinct("slot").alias("kind_posts"), F.countDistinct("day").alias("kind_days")
    )
    evidence = per_kind.groupBy(*keys).agg(
        F.sum(
            _kind_weight(profile)
            * (
                F.lit(share) * F.log2(1.0 + F.col("kind_posts"))
                + F.lit(1.0 - share) * F.log2(1.0 + F.col("kind_days"))
            )
        ).alias("evidence")
    )
    stats = events.groupBy(*keys).agg(
        F.count(F.lit(1)).alias("events"),
        F.countDistinct("slot").alias("posts"),
        F.max("at").alias("last"),
    )
    age = F.greatest(F.lit(reference_ms) - F.col("last"), F.lit(0))
    weighted = evidence.join(stats, keys).withColumn(
        "weight", F.col("evidence") * F.pow(F.lit(2.0), -age / F.lit(profile.half_life_ms))
    )
    return weighted.where(F.col("weight") > 0)
