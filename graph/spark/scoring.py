"""One window's scores on Spark: every step of ``graph.analysis.run`` as DataFrames, ending in
the rows the store is given, written as Parquet by the executors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from graph.analysis.profile import Profile
from graph.analysis.roles import RoleCuts
from graph.spark.betweenness import distributed_betweenness
from graph.spark.communities import communities as find_communities
from graph.spark.communities import k_core
from graph.spark.events import CodedEvents
from graph.spark.explain import community_reach, explanations
from graph.spark.frames import numbered, persisted
from graph.spark.influence import activity_ages, blended, score_weights
from graph.spark.pagerank import RankColumn, pagerank_columns
from graph.spark.passivity import influence_passivity
from graph.spark.roles import result_rows
from graph.spark.signals import compute_signals
from graph.spark.topics import topic_inputs, topic_results
from graph.spark.weighting import pair_weights

Say = Callable[[str, float], None]


@dataclass(frozen=True, slots=True)
class SparkScores:
    """Where one window's results lie, and what the run records of them."""

    users: Path  # Parquet: one row per account (``graph.spark.roles.ROW_SCHEMA``)
    topic_ranks: Path  # Parquet: user_id, topic, score, rank, focus, amplifiers
    user_count: int
    topic_rank_count: int
    edges: int
    ranked: int
    communities: int
    topics: int
    discounted_pairs: int
    roles: dict[str, int]
    steps: dict[str, float]  # seconds per step


def _zero_filled(frame: DataFrame, parts: list[DataFrame], zeros: dict[str, object]) -> DataFrame:
    for part in parts:
        frame = frame.join(part, "code", "left")
    return frame.fillna(zeros)  # type: ignore[arg-type]


def score_window(
    spark: SparkSession,
    coded: CodedEvents,
    profile: Profile,
    *,
    reference: int,
    brand_ids: set[str],
    folder: Path,
    shares: int,
    leiden_max_nodes: int,
    say: Say,
    clock: Callable[[str], None],
) -> SparkScores:
    """Score ``coded`` (``n`` > 0 accounts) and write its rows under ``folder``; ``clock``
    marks the end of each step (its name)."""
    n = coded.user_count
    events, users = coded.events, coded.users
    brands = spark.createDataFrame([(key,) for key in sorted(brand_ids)], "id string")
    users = persisted(
        users.join(brands.withColumn("is_brand", F.lit(True)), "id", "left").fillna(
            {"is_brand": False}
        )
    )
    say(f"weighting {coded.event_count:,} events", 0.3)
    raw = persisted(pair_weights(events, profile, reference))
    signals = compute_signals(events, raw, users, profile)
    kept = persisted(signals.pairs.where(~F.col("discounted")))
    discounted = (
        signals.pairs.where("discounted")
        .groupBy(F.col("target").alias("code"))
        .agg(F.count(F.lit(1)).alias("discounted"))
    )
    discounted_count = signals.pairs.where("discounted").count()
    clock("weighting and signals")
    say(f"PageRank and topic authority on {n:,} accounts", 0.4)
    scored = persisted(score_weights(activity_ages(events, kept, reference), profile))
    inputs = topic_inputs(events, coded.post_topic, profile, reference)
    count = len(inputs.topics)
    nodes = users.select("code").join(inputs.teleports, "code", "left").fillna(0.0)
    columns = [RankColumn("score_weight")] + [RankColumn("weight", f"tel{j}") for j in range(count)]
    ranks, _ = pagerank_columns(
        nodes,
        scored.select("source", "target", "score_weight", "weight"),
        columns,
        [[0], list(range(1, count + 1))],
        node_count=n,
        damping=profile.damping,
    )
    audience = scored.groupBy(F.col("target").alias("code")).agg(
        F.sum("score_weight").alias("audience_weight")
    )
    globals_ = blended(
        _zero_filled(
            users.select("code"),
            [ranks.select("code", F.col("r0").alias("pagerank")), audience],
            {"audience_weight": 0.0},
        ),
        profile,
    ).withColumnRenamed("influence", "blended")
    globals_ = persisted(globals_)
    external = users.where(~F.col("is_brand")).select("code")
    order = numbered(
        globals_.join(external, "code"), [F.desc("blended"), F.col("code")], "place"
    ).select("code", (F.col("place") + 1).alias("rank"))
    total_received = kept.groupBy(F.col("target").alias("code")).agg(F.sum("weight").alias("total"))
    per_topic = topic_results(inputs, ranks, 1, total_received, external, profile)
    clock("PageRank and topic authority")
    say("communities, k-core, influence-passivity", 0.5)
    communities = find_communities(
        users,
        kept,
        seed=profile.seed,
        iterations=profile.leiden_iterations,
        contracted_max=leiden_max_nodes,
    )
    clock("communities")
    cores = k_core(users, kept)
    clock("k-core")
    top_posts = kept.groupBy("target").agg(F.max("posts").alias("top_posts"))
    acceptance = kept.join(top_posts, "target").withColumn(
        "acceptance",
        F.least(F.col("posts") / F.greatest(F.col("top_posts"), F.lit(1)), F.lit(1.0)),
    )
    passivity = influence_passivity(users, acceptance, node_count=n)
    clock("influence-passivity")
    say("betweenness", 0.6)
    between = distributed_betweenness(
        kept, node_count=n, profile=profile, folder=folder, shares=shares
    )
    clock("betweenness")
    say("explanations and roles", 0.7)
    amplifiers, best_posts = explanations(
        events,
        scored,
        ranks.select("code", F.col("r0").alias("pagerank")),
        users,
        coded.posts,
        damping=profile.damping,
        pagerank_share=profile.pagerank_share,
    )
    reach = community_reach(kept, communities)
    brand_codes = users.where("is_brand").select(F.col("code").alias("target"))
    not_brand = users.where(~F.col("is_brand")).select(F.col("code").alias("source"))
    brand_activity = (
        events.join(brand_codes, "target")
        .join(not_brand, "source")
        .groupBy(F.col("source").alias("code"))
        .agg(
            F.countDistinct("day").alias("brand_days"),  # days since the first: as many
            F.countDistinct("post").alias("brand_posts"),
        )
    )
    topic_items = per_topic.groupBy("code").agg(
        F.collect_list(F.struct("j", "rank", "score", "focus", "amplifiers")).alias("topic_items")
    )
    assembled = _zero_filled(
        users.select("code", "id", "is_brand"),
        [
            signals.users.drop("given_events", "hollow_weight", "reverse_weight"),
            globals_.select("code", "pagerank", "blended"),
            order,
            communities,
            cores,
            passivity.select("code", F.col("influence").alias("ip_influence"), "passivity"),
            between,
            reach,
            brand_activity,
            discounted,
            topic_items,
            amplifiers,
            best_posts,
        ],
        {
            "rank": 0, "betweenness": 0.0, "communities_reached": 0, "top_community": -1,
            "top_share": 0.0, "second_community": -1, "second_share": 0.0, "brand_days": 0,
            "brand_posts": 0, "discounted": 0, "core": 0,
        },
    )  # fmt: skip
    assembled = persisted(assembled)
    cuts = _cuts(assembled, profile)
    rows = persisted(result_rows(assembled, profile, [name for name, _ in inputs.topics], cuts))
    users_path, topics_path = folder / "users", folder / "topic-ranks"
    rows.write.mode("overwrite").parquet(str(users_path))
    names = users.select(F.col("code"), F.col("id").alias("user_id"))
    topic_ranks = (
        per_topic.where(F.col("rank") > 0)
        .join(names, "code")
        .select(
            "user_id",
            "topic",
            F.round("score", 4).alias("score"),
            F.col("rank").cast("long").alias("rank"),
            F.round("focus", 4).alias("focus"),
            F.col("amplifiers").cast("long").alias("amplifiers"),
        )
    )
    topic_ranks.write.mode("overwrite").parquet(str(topics_path))
    roles = {
        str(row["role"]): int(row["count"])
        for row in rows.select(F.explode("roles").alias("role")).groupBy("role").count().collect()
    }
    summary = rows.agg(
        F.count(F.lit(1)).alias("users"),
        F.count("rank").alias("ranked"),
        F.max("community").alias("top"),
    ).collect()[0]
    clock("explanations, roles and rows")
    return SparkScores(
        users=users_path,
        topic_ranks=topics_path,
        user_count=int(summary["users"]),
        topic_rank_count=spark.read.parquet(str(topics_path)).count(),
        edges=kept.count(),
        ranked=int(summary["ranked"]),
        communities=int(summary["top"]) + 1 if summary["top"] is not None else 0,
        topics=count,
        discounted_pairs=discounted_count,
        roles=dict(sorted(roles.items())),
        steps={},
    )


def _cuts(assembled: DataFrame, profile: Profile) -> RoleCuts:
    """The bridge and hub percentiles over the accounts with an audience: Spark's exact
    ``percentile`` interpolates linearly, as ``numpy.quantile`` does."""
    among = assembled.where(F.col("audience") >= profile.min_audience)
    row = among.agg(
        F.count(F.lit(1)).alias("n"),
        F.percentile("betweenness", F.lit(profile.bridge_percentile)).alias("bridge"),
        F.percentile(F.col("blended") * 100.0, F.lit(profile.hub_percentile)).alias("hub"),
    ).collect()[0]
    if not row["n"]:
        return RoleCuts(None, None)
    return RoleCuts(float(row["bridge"]), float(row["hub"]))
