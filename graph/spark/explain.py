"""Explanations (``graph.analysis.explain``) and where an account's amplification comes from
(``graph.analysis.roles.community_reach``), on Spark DataFrames: one window per author, no
list of the whole graph on the driver."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from graph.analysis.explain import TOP_AMPLIFIERS, TOP_POSTS


def _shares(column: str) -> Column:
    total = F.sum(column).over(Window.partitionBy("target"))
    return F.col(column) / F.when(total > 0, total).otherwise(1.0)


def _top_lists(
    frame: DataFrame, order: list[Column], top: int, fields: dict[str, str]
) -> DataFrame:
    """Per ``target`` (as ``code``): the ``top`` first rows in ``order``, each field as a list
    in that order."""
    place = F.row_number().over(Window.partitionBy("target").orderBy(*order))
    kept = frame.withColumn("place", place).where(F.col("place") <= top)
    items = F.sort_array(F.collect_list(F.struct("place", *fields.values())))
    grouped = kept.groupBy(F.col("target").alias("code")).agg(items.alias("items"))
    return grouped.select(
        "code", *[F.col(f"items.{column}").alias(name) for name, column in fields.items()]
    )


def explanations(
    events: DataFrame,
    scored_pairs: DataFrame,
    ranks: DataFrame,
    users: DataFrame,
    posts: DataFrame,
    *,
    damping: float,
    pagerank_share: float,
) -> tuple[DataFrame, DataFrame]:
    """Per author ``code``: ``top_amplifiers`` (ids) with ``top_amplifier_shares``, and
    ``top_posts`` (ids) with ``top_post_amplifiers``. ``scored_pairs`` carry
    ``score_weight``; ``ranks`` is ``code, pagerank``."""
    out_weight = scored_pairs.groupBy("source").agg(F.sum("score_weight").alias("out"))
    source_rank = ranks.select(F.col("code").alias("source"), F.col("pagerank").alias("pr"))
    names = users.select(F.col("code").alias("source"), F.col("id").alias("amplifier"))
    edges = (
        scored_pairs.select("source", "target", "score_weight")
        .join(out_weight, "source")
        .join(source_rank, "source")
        .withColumn("flow", damping * F.col("pr") * F.col("score_weight") / F.col("out"))
        .withColumn(
            "share",
            (1.0 - pagerank_share) * _shares("score_weight") + pagerank_share * _shares("flow"),
        )
        .join(names, "source")
        .withColumn("rounded", F.round("share", 4))
    )
    amplifiers = _top_lists(
        edges,
        [F.desc("share"), F.col("source")],
        TOP_AMPLIFIERS,
        {"top_amplifiers": "amplifier", "top_amplifier_shares": "rounded"},
    )
    post_names = posts.select(F.col("code").alias("post"), F.col("id").alias("post_id"))
    counted = (
        events.where(F.col("post") >= 0)
        .select("target", "post", "source")
        .distinct()
        .groupBy("target", "post")
        .agg(F.count(F.lit(1)).alias("amplifiers"))
        .join(post_names, "post")
    )
    best_posts = _top_lists(
        counted,
        [F.desc("amplifiers"), F.col("post")],
        TOP_POSTS,
        {"top_posts": "post_id", "top_post_amplifiers": "amplifiers"},
    )
    return amplifiers, best_posts


def community_reach(pairs: DataFrame, communities: DataFrame) -> DataFrame:
    """Per author ``code``: ``communities_reached``, the top two amplifier communities and
    their shares of the weight it receives (``-1`` / 0 when there is none)."""
    of_source = communities.select(F.col("code").alias("source"), "community")
    by = (
        pairs.join(of_source, "source")
        .groupBy("target", "community")
        .agg(F.sum("weight").alias("w"))
    )
    by = by.withColumn("share", F.col("w") / F.sum("w").over(Window.partitionBy("target")))
    place = F.row_number().over(Window.partitionBy("target").orderBy(F.desc("share"), "community"))
    ranked = by.withColumn("place", place)
    first = F.max(F.when(F.col("place") == 1, F.col("community")))
    second = F.max(F.when(F.col("place") == 2, F.col("community")))
    return ranked.groupBy(F.col("target").alias("code")).agg(
        F.count(F.lit(1)).alias("communities_reached"),
        F.coalesce(first, F.lit(-1)).alias("top_community"),
        F.coalesce(F.max(F.when(F.col("place") == 1, F.col("share"))), F.lit(0.0)).alias(
            "top_share"
        ),
        F.coalesce(second, F.lit(-1)).alias("second_community"),
        F.coalesce(F.max(F.when(F.col("place") == 2, F.col("share"))), F.lit(0.0)).alias(
            "second_share"
        ),
    )
