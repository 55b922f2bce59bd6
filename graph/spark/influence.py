"""The global score of ``graph.analysis.influence`` on Spark DataFrames: each kept pair's
evidence aged on the activity clock (``graph.analysis.clock``), the audience's weight, and the
blend with PageRank (computed with the topics' in ``graph.spark.pagerank``)."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from graph.analysis.profile import Profile
from graph.analysis.weighting import DAY_MS
from graph.spark.frames import persisted, running_total


def activity_ages(events: DataFrame, kept: DataFrame, reference: int) -> DataFrame:
    """``kept`` with ``age``: the share of the kept pairs' units of evidence (a pair's first
    act on a slot) that came strictly after the pair's last act, shrunk for a window shorter
    than a day."""
    keys = kept.select("source", "target")
    ticks = persisted(
        events.join(keys, ["source", "target"])
        .groupBy("source", "target", "slot")
        .agg(F.min("at").alias("at"))
    )
    summary = ticks.agg(F.count(F.lit(1)).alias("n"), F.min("at").alias("first")).collect()[0]
    total = int(summary["n"])
    if total == 0:
        ticks.unpersist()
        return kept.withColumn("age", F.lit(0.0))
    short = min(max(reference - int(summary["first"]), 0) / DAY_MS, 1.0)
    counts = ticks.groupBy("at").agg(F.count(F.lit(1)).cast("double").alias("ticks"))
    asked = kept.select(F.col("last").alias("at")).distinct().withColumn("ticks", F.lit(0.0))
    times = counts.unionByName(asked).groupBy("at").agg(F.sum("ticks").alias("ticks"))
    upto = running_total(times, "at", "ticks", "upto")
    after = upto.select(
        F.col("at").alias("last"), ((F.lit(total) - F.col("upto")) / total * short).alias("age")
    )
    aged = persisted(kept.join(after, "last"))
    ticks.unpersist()
    upto.unpersist()
    return aged


def relative(column: str, top: float) -> Column:
    """``column`` over ``top`` (0 when the top is 0), as ``influence._relative``."""
    return F.col(column) / top if top > 0 else F.lit(0.0)


def score_weights(aged: DataFrame, profile: Profile) -> DataFrame:
    """``score_weight``: the evidence with the activity clock's recency."""
    return aged.withColumn(
        "score_weight",
        F.col("evidence") * F.pow(F.lit(2.0), -F.col("age") / F.lit(profile.score_recency)),
    )


def blended(users: DataFrame, profile: Profile) -> DataFrame:
    """``users`` (``audience_weight``, ``pagerank``) with ``influence``: the blend, relative to
    the top account."""
    tops = users.agg(F.max("audience_weight").alias("a"), F.max("pagerank").alias("p")).collect()[0]
    share = profile.pagerank_share
    mixed = users.withColumn(
        "blend",
        F.pow(relative("audience_weight", float(tops["a"] or 0.0)), 1.0 - share)
        * F.pow(relative("pagerank", float(tops["p"] or 0.0)), share),
    )
    top = float(mixed.agg(F.max("blend")).collect()[0][0] or 0.0)
    return mixed.withColumn("influence", relative("blend", top)).drop("blend")
