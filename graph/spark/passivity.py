"""Influence-Passivity (Romero et al. 2011) by alternating iteration as joins and aggregations,
with the rates, the order of the steps and the stopping rule of
``graph.algorithms.influence_passivity``. The rates are written twice, bucketed on the author
and on the amplifier, and the state on the code (``graph.spark.frames.KeyedTables``): each
half-step joins the rates with the state partition by partition and shuffles only the summed
contributions."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from graph.spark.frames import IterationStates, KeyedTables, persisted


def influence_passivity(
    nodes: DataFrame,
    pairs: DataFrame,
    *,
    node_count: int,
    max_iter: int = 100,
    tol: float = 1.0e-9,
) -> DataFrame:
    """``(code, influence, passivity)`` from ``pairs`` (``source``: the amplifier, ``target``:
    the author, ``acceptance``: the share of the author's posts it amplified)."""
    accepted = F.least(F.greatest(F.col("acceptance"), F.lit(0.0)), F.lit(1.0))
    edges = pairs.select("source", "target", accepted.alias("u"), (1.0 - accepted).alias("v"))
    by_source = edges.groupBy("source").agg(F.sum("u").alias("u_total"))
    by_target = edges.groupBy("target").agg(F.sum("v").alias("v_total"))
    tables = KeyedTables(nodes.sparkSession, "rates")
    to_author = tables.write(
        edges.join(by_source, "source")
        .join(by_target, "target")
        .select(
            "source",
            "target",
            F.when(F.col("u_total") > 0, F.col("u") / F.col("u_total")).otherwise(0.0).alias("u"),
            F.when(F.col("v_total") > 0, F.col("v") / F.col("v_total")).otherwise(0.0).alias("v"),
        ),
        "target",
    )
    from_amplifier = tables.write(to_author, "source")
    start = 1.0 / node_count
    states = IterationStates(nodes.sparkSession, "passivity")
    state = states.kept(
        nodes.select("code", F.lit(start).alias("influence"), F.lit(start).alias("passivity"))
    )
    for _ in range(max_iter):
        influence = state.select(F.col("code").alias("target"), "influence")
        raw_passivity = (
            to_author.join(influence.hint("shuffle_hash"), "target")
            .groupBy(F.col("source").alias("code"))
            .agg(F.sum(F.col("v") * F.col("influence")).alias("raw_p"))
        )
        half = states.kept(
            state.join(raw_passivity.hint("shuffle_hash"), "code", "left").fillna({"raw_p": 0.0})
        )
        # Normalising P before the influence step only scales it: I is normalised anyway.
        raw_influence = (
            from_amplifier.join(
                half.select(F.col("code").alias("source"), "raw_p").hint("shuffle_hash"), "source"
            )
            .groupBy(F.col("target").alias("code"))
            .agg(F.sum(F.col("u") * F.col("raw_p")).alias("raw_i"))
        )
        joined = states.kept(
            half.join(raw_influence.hint("shuffle_hash"), "code", "left").fillna({"raw_i": 0.0})
        )
        totals = joined.agg(F.sum("raw_p").alias("p"), F.sum("raw_i").alias("i")).collect()[0]
        p_total, i_total = float(totals["p"] or 0.0), float(totals["i"] or 0.0)
        new_p = F.col("raw_p") / p_total if p_total > 0 else F.lit(0.0)
        new_i = F.col("raw_i") / i_total if i_total > 0 else F.lit(0.0)
        changes = joined.agg(
            F.sum(F.abs(new_i - F.col("influence"))).alias("i"),
            F.sum(F.abs(new_p - F.col("passivity"))).alias("p"),
        ).collect()[0]
        state = joined.select("code", new_i.alias("influence"), new_p.alias("passivity"))
        if max(float(changes["i"] or 0.0), float(changes["p"] or 0.0)) < tol:
            break
    state = persisted(state)
    states.close()
    tables.close()
    return state
