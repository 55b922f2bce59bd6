"""Topic authority (``graph.analysis.topics``) on Spark DataFrames: the busy topics, each
topic's amplification weighted by the same rule (one aggregation for every topic), the teleport
columns of the topic-sensitive PageRank, and focus, authority, score and rank per topic."""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from graph.analysis.profile import Profile
from graph.spark.frames import persisted
from graph.spark.weighting import pair_weights


@dataclass(frozen=True, slots=True)
class TopicInputs:
    """``topics``: (name, events), busiest first; ``teleports``: ``code`` and one teleport
    column per topic (``tel0``, ...); ``received``: ``code, topic, received, amplifiers``."""

    topics: list[tuple[str, int]]
    teleports: DataFrame
    received: DataFrame


def busy_topics(
    events: DataFrame, post_topic: DataFrame, profile: Profile
) -> list[tuple[str, int]]:
    if profile.max_topics == 0:
        return []
    per_post = events.where(F.col("post") >= 0).groupBy("post").agg(F.count(F.lit(1)).alias("n"))
    counts = (
        post_topic.join(per_post, "post")
        .groupBy("topic")
        .agg(F.sum("n").alias("n"))
        .where(F.col("n") >= profile.min_topic_events)
        .orderBy(F.desc("n"), "topic")
        .limit(profile.max_topics)
        .collect()
    )
    return [(str(row["topic"]), int(row["n"])) for row in counts]


def topic_inputs(
    events: DataFrame, post_topic: DataFrame, profile: Profile, reference: int
) -> TopicInputs:
    topics = busy_topics(events, post_topic, profile)
    spark = events.sparkSession
    if not topics:
        empty = spark.createDataFrame([], "code long")
        received = spark.createDataFrame(
            [], "code long, topic string, received double, amplifiers long"
        )
        return TopicInputs([], empty, received)
    names = [name for name, _ in topics]
    tagged = post_topic.where(F.col("topic").isin(names))
    on_topic = persisted(
        pair_weights(events.join(tagged, "post"), profile, reference, by="topic").select(
            "source", "target", "topic", "weight"
        )
    )
    index = spark.createDataFrame(list(enumerate(names)), "j int, topic string")
    teleports = (
        on_topic.join(F.broadcast(index), "topic")
        .groupBy(F.col("source").alias("code"))
        .pivot("j", list(range(len(names))))
        .agg(F.sum("weight"))
        .select("code", *[F.col(str(j)).alias(f"tel{j}") for j in range(len(names))])
    )
    received = on_topic.groupBy(F.col("target").alias("code"), "topic").agg(
        F.sum("weight").alias("received"), F.count(F.lit(1)).alias("amplifiers")
    )
    return TopicInputs(topics, persisted(teleports), persisted(received))


def topic_results(
    inputs: TopicInputs,
    ranks: DataFrame,
    first_column: int,
    total_received: DataFrame,
    external: DataFrame,
    profile: Profile,
) -> DataFrame:
    """``code, topic, j, pagerank, focus, amplifiers, authority, score, rank`` for each account
    with weight received on a topic; ``ranks`` holds the topic PageRank of topic j in column
    ``r{first_column + j}``, ``total_received`` the weight each ``code`` receives, ``external``
    the ``code`` of the accounts that may be ranked."""
    names = [name for name, _ in inputs.topics]
    spark = ranks.sparkSession
    index = spark.createDataFrame(list(enumerate(names)), "j int, topic string")
    columns = F.array(*[F.col(f"r{first_column + j}") for j in range(len(names))])
    focus = F.least(
        F.when(F.col("total") > 0, F.col("received") / F.col("total")).otherwise(0.0), F.lit(1.0)
    )
    rows = (
        inputs.received.join(F.broadcast(index), "topic")
        .join(total_received, "code", "left")
        .join(ranks.select("code", columns.alias("ranks")), "code")
        .fillna({"total": 0.0})
        .select(
            "code",
            "topic",
            "j",
            F.element_at("ranks", F.col("j") + 1).alias("pagerank"),
            focus.alias("focus"),
            "amplifiers",
        )
        .withColumn("eligible", F.col("amplifiers") >= profile.min_topic_amplifiers)
        .withColumn(
            "authority",
            F.when(F.col("eligible"), F.col("pagerank") * F.col("focus")).otherwise(0.0),
        )
    )
    rows = rows.join(external.withColumn("external", F.lit(True)), "code", "left")
    top = F.max("authority").over(Window.partitionBy("topic"))
    rankable = F.col("eligible") & F.col("external").isNotNull() & (F.col("authority") > 0)
    place = F.row_number().over(
        Window.partitionBy("topic", rankable).orderBy(F.desc("authority"), "code")
    )
    return persisted(
        rows.withColumn("top", top)
        .withColumn(
            "score",
            F.when(F.col("top") > 0, 100.0 * F.col("authority") / F.col("top")).otherwise(0.0),
        )
        .withColumn("rank", F.when(rankable, place).otherwise(0))
        .drop("top", "external", "eligible")
    )
