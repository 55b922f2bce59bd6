"""The boosting signals of ``graph.analysis.signals`` on Spark DataFrames: rings, hollow
audiences and bursts, with the same thresholds and the same shares."""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from graph.analysis.profile import Profile
from graph.analysis.weighting import DAY_MS
from graph.spark.frames import persisted


@dataclass(frozen=True, slots=True)
class SparkSignals:
    """``users``: one row per code with the fields of ``graph.analysis.signals.Signals``;
    ``pairs``: the weighted pairs with ``discounted`` (left out of the scores)."""

    users: DataFrame
    pairs: DataFrame


def _share(part: str, whole: Column) -> Column:
    return F.when(whole > 0, F.col(part) / whole).otherwise(0.0)


def _zeros(frame: DataFrame, columns: dict[str, object]) -> DataFrame:
    return frame.fillna(columns)  # type: ignore[arg-type]


def compute_signals(
    events: DataFrame, pairs: DataFrame, users: DataFrame, profile: Profile
) -> SparkSignals:
    """``events`` coded, ``pairs`` from ``graph.spark.weighting.pair_weights``, ``users``
    with ``code``."""
    received = pairs.groupBy(F.col("target").alias("code")).agg(
        F.count(F.lit(1)).alias("audience"), F.sum("weight").alias("received_weight")
    )
    received_events = events.groupBy(F.col("target").alias("code")).agg(
        F.count(F.lit(1)).alias("received_events")
    )
    given = events.groupBy(F.col("source").alias("code")).agg(
        F.count(F.lit(1)).alias("given_events")
    )
    base = _zeros(
        users.select("code")
        .join(received, "code", "left")
        .join(received_events, "code", "left")
        .join(given, "code", "left"),
        {"audience": 0, "received_weight": 0.0, "received_events": 0, "given_events": 0},
    ).withColumn(
        "hollow_account",
        (F.col("audience") == 0) & (F.col("given_events") >= profile.hollow_min_events),
    )
    hollow_sources = base.where("hollow_account").select(F.col("code").alias("source"))
    flagged = pairs.join(
        hollow_sources.withColumn("from_hollow", F.lit(True)), "source", "left"
    ).withColumn(
        "hollow_pair",
        F.coalesce(F.col("from_hollow"), F.lit(False))
        & (F.col("events") >= profile.hollow_min_repeats),
    )
    intense = flagged.where(F.col("events") >= profile.ring_min_events).select(
        F.col("target").alias("source"), F.col("source").alias("target"), F.lit(True).alias("back")
    )
    flagged = persisted(
        flagged.join(intense, ["source", "target"], "left")
        .withColumn(
            "reverse",
            (F.col("events") >= profile.ring_min_events) & F.coalesce(F.col("back"), F.lit(False)),
        )
        .drop("from_hollow", "back")
    )
    into = flagged.groupBy(F.col("target").alias("code")).agg(
        F.sum(F.col("hollow_pair").cast("int")).alias("hollow_amplifiers"),
        F.sum(F.when(F.col("hollow_pair"), F.col("weight")).otherwise(0.0)).alias("hollow_weight"),
        F.sum(F.col("reverse").cast("int")).alias("reciprocal_partners"),
        F.sum(F.when(F.col("reverse"), F.col("weight")).otherwise(0.0)).alias("reverse_weight"),
    )
    top, busiest = _bursts(events, profile.burst_max_amplifiers)
    per_user = _zeros(
        base.join(into, "code", "left").join(top, "code", "left").join(busiest, "code", "left"),
        {
            "hollow_amplifiers": 0,
            "hollow_weight": 0.0,
            "reciprocal_partners": 0,
            "reverse_weight": 0.0,
            "top_events": 0,
            "day_events": 0,
        },
    )
    weight = F.col("received_weight")
    per_user = (
        per_user.withColumn("hollow_share", _share("hollow_weight", weight))
        .withColumn(
            "reciprocal_share",
            _share("reverse_weight", F.greatest(weight - F.col("hollow_weight"), F.lit(0.0))),
        )
        .withColumn("burst_top_share", _share("top_events", F.col("received_events")))
        .withColumn("burst_day_share", _share("day_events", F.col("received_events")))
        .withColumn(
            "hollow",
            (F.col("hollow_amplifiers") >= profile.hollow_min_accounts)
            & (F.col("hollow_share") >= profile.hollow_min_share),
        )
        .withColumn(
            "ring",
            (F.col("reciprocal_partners") >= profile.ring_min_partners)
            & (F.col("reciprocal_share") >= profile.ring_min_share),
        )
        .withColumn(
            "burst",
            (F.col("received_events") >= profile.burst_min_events)
            & (F.col("burst_top_share") >= profile.burst_min_share)
            & (F.col("burst_day_share") >= profile.burst_day_share),
        )
    )
    per_user = persisted(per_user)
    flags = per_user.select("code", "ring", "hollow")
    source_ring = flags.select(F.col("code").alias("source"), F.col("ring").alias("source_ring"))
    target_flags = flags.select(
        F.col("code").alias("target"),
        F.col("ring").alias("target_ring"),
        F.col("hollow").alias("target_hollow"),
    )
    marked = (
        flagged.join(source_ring, "source")
        .join(target_flags, "target")
        .withColumn(
            "discounted",
            (F.col("reverse") & F.col("source_ring") & F.col("target_ring"))
            | (F.col("hollow_pair") & F.col("target_hollow")),
        )
        .drop("source_ring", "target_ring", "target_hollow", "hollow_pair", "reverse")
    )
    out = SparkSignals(users=per_user, pairs=persisted(marked))
    flagged.unpersist()
    return out


def _bursts(events: DataFrame, top: int) -> tuple[DataFrame, DataFrame]:
    """Per author: the events from its ``top`` most active amplifiers, and on its busiest day."""
    per_source = events.groupBy("target", "source").agg(F.count(F.lit(1)).alias("n"))
    place = F.row_number().over(Window.partitionBy("target").orderBy(F.desc("n"), "source"))
    top_events = (
        per_source.withColumn("place", place)
        .where(F.col("place") <= top)
        .groupBy(F.col("target").alias("code"))
        .agg(F.sum("n").alias("top_events"))
    )
    day = F.floor(F.col("at") / F.lit(DAY_MS))
    busiest = (
        events.groupBy("target", day.alias("calendar_day"))
        .agg(F.count(F.lit(1)).alias("n"))
        .groupBy(F.col("target").alias("code"))
        .agg(F.max("n").alias("day_events"))
    )
    return top_events, busiest
