"""Parquet amplification events -> coded Spark DataFrames, optionally within a window.

The columns are those of ``graph.spark.export`` (``source``, ``target``, ``kind``, ``at``,
``post``; ``at`` in epoch ms or a timestamp). Users and posts get dense codes in the order of
their ids, as the local engine codes them (``graph.analysis.events.in_id_order``), so both
engines break ties alike and sample the same betweenness sources.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import LongType, TimestampType

from graph.analysis.events import NO_END, NO_START
from graph.analysis.weighting import DAY_MS
from graph.errors import LoadError
from graph.models import AMPLIFICATION_KINDS
from graph.spark.frames import coded, persisted

EVENT_COLUMNS = ("source", "target", "kind", "at", "post")


@dataclass(frozen=True, slots=True)
class CodedEvents:
    """``events``: ``source, target, kind, at, post, slot, day`` (codes; ``post`` -1: none);
    ``users``/``posts``: ``id, code``; ``post_topic``: ``post`` (code), ``topic`` (name)."""

    events: DataFrame
    users: DataFrame
    posts: DataFrame
    post_topic: DataFrame
    user_count: int
    post_count: int
    event_count: int
    latest: int  # the latest event's time (epoch ms), 0 without events


def _checked(frame: DataFrame, path: Path) -> DataFrame:
    """``frame``'s events with typed columns, or a ``LoadError`` naming the file, the row
    and the field of the first event that breaks the contract."""
    missing = [column for column in EVENT_COLUMNS if column not in frame.columns]
    if missing:
        raise LoadError(
            str(path), 0, missing[0], f"no such column (needed: {', '.join(EVENT_COLUMNS)})"
        )
    at = frame.schema["at"].dataType
    if isinstance(at, TimestampType):
        frame = frame.withColumn("at", (F.unix_micros("at") / 1000).cast(LongType()))
    elif at.typeName() not in ("long", "integer"):
        raise LoadError(str(path), 0, "at", f"{at.simpleString()}, not epoch ms or a timestamp")
    frame = frame.select(
        F.col("source").cast("string"),
        F.col("target").cast("string"),
        F.col("kind").cast("string"),
        F.col("at").cast(LongType()),
        F.col("post").cast("string"),
        F.col("_metadata.file_path").alias("_file"),
        F.col("_metadata.row_index").alias("_row"),
    )
    required = ("source", "target", "at")
    broken = frame.where(
        F.col("source").isNull() | F.col("target").isNull() | F.col("at").isNull()
    ).orderBy("_file", "_row")
    for row in broken.limit(1).collect():
        field = next(name for name in required if row[name] is None)
        raise LoadError(str(row["_file"]), int(row["_row"]) + 1, field, "missing (row of the file)")
    return frame.drop("_file", "_row")


def read_events(
    spark: SparkSession,
    events_path: Path,
    post_topics_path: Path | None,
    *,
    since: int | None = None,
    until: int | None = None,
) -> CodedEvents:
    """The events of ``events_path`` with ``since <= at < until``, coded."""
    raw = _checked(spark.read.parquet(str(events_path)), events_path)
    start = NO_START if since is None else since
    end = NO_END if until is None else until
    raw = raw.where((F.col("at") >= start) & (F.col("at") < end)).withColumn(
        "post", F.when(F.col("post") == "", None).otherwise(F.col("post"))
    )
    raw = persisted(raw)
    users = coded(raw.select(F.col("source").alias("u")).union(raw.select("target")), "u")
    posts = coded(raw, "post")
    kinds = F.array(*[F.lit(kind) for kind in AMPLIFICATION_KINDS])
    sources = users.select(F.col("id").alias("source"), F.col("code").alias("source_code"))
    targets = users.select(F.col("id").alias("target"), F.col("code").alias("target_code"))
    post_codes = posts.select(F.col("id").alias("post"), F.col("code").alias("post_code"))
    stats = raw.agg(F.min("at").alias("first"), F.max("at").alias("last")).collect()[0]
    first_day = (int(stats["first"]) // DAY_MS) if stats["first"] is not None else 0
    post_count = posts.count()
    day = (F.floor(F.col("at") / F.lit(DAY_MS)).cast(LongType()) - F.lit(first_day)).alias("day")
    events = (
        raw.join(sources, "source")
        .join(targets, "target")
        .join(post_codes, "post", "left")
        .select(
            F.col("source_code").alias("source"),
            F.col("target_code").alias("target"),
            (F.array_position(kinds, F.col("kind")) - 1).cast("int").alias("kind"),
            "at",
            F.coalesce(F.col("post_code"), F.lit(-1)).cast(LongType()).alias("post"),
            day,
        )
        .withColumn(
            "slot",
            F.when(F.col("post") >= 0, F.col("post")).otherwise(F.lit(post_count) + F.col("day")),
        )
    )
    events = persisted(events)
    raw.unpersist()
    if post_topics_path is not None:
        tagged = spark.read.parquet(str(post_topics_path)).select(
            F.col("post").cast("string"), F.col("topic").cast("string")
        )
        post_topic = persisted(
            tagged.join(post_codes, "post")
            .select(F.col("post_code").alias("post"), "topic")
            .where(F.col("topic").isNotNull())
            .distinct()
        )
    else:
        post_topic = spark.createDataFrame([], "post long, topic string")
    return CodedEvents(
        events=events,
        users=users,
        posts=posts,
        post_topic=post_topic,
        user_count=users.count(),
        post_count=post_count,
        event_count=events.count(),
        latest=int(stats["last"]) if stats["last"] is not None else 0,
    )
