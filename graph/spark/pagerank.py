"""Weighted PageRank by power iteration as joins and aggregations: the global PageRank and the
topic-sensitive PageRank of every busy topic in one pass.

Every column follows ``graph.algorithms.pagerank.pagerank_many``'s rule: rank spreads along
out-edges in proportion to their weight, a dangling node's rank spreads like the column's
teleport vector, and a group of columns stops once each of its columns changes by less than
``node_count * tol`` (L1) in a step; its values are then kept while the other groups go on,
so each group ends where the local engine's own call ends. One join of the edges with the
ranks and one aggregation per step serve every column. The walk is written once bucketed on
its source and each step's ranks bucketed on their code (``graph.spark.frames.KeyedTables``):
the edges never move, the join with the ranks and the ranks' update happen partition by
partition (hash joins built on the ranks' side, no sort), and only the contributions, summed
per target within each partition first, are shuffled. Each step's plan is one step long.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from graph.spark.frames import IterationStates, KeyedTables, persisted


@dataclass(frozen=True, slots=True)
class RankColumn:
    """One PageRank vector: the edge weight it walks and its teleport column on the nodes
    (``None``: uniform)."""

    weight: str
    teleport: str | None = None


def _normalised_edges(edges: DataFrame, weights: Sequence[str]) -> DataFrame:
    out = edges.groupBy("source").agg(*[F.sum(w).alias(f"out_{w}") for w in weights])
    return edges.join(out, "source").select(
        "source", "target", *[(F.col(w) / F.col(f"out_{w}")).alias(f"p_{w}") for w in weights]
    )


def pagerank_columns(
    nodes: DataFrame,
    edges: DataFrame,
    columns: Sequence[RankColumn],
    groups: Sequence[Sequence[int]],
    *,
    node_count: int,
    damping: float = 0.85,
    tol: float = 1.0e-10,
    max_iter: int = 200,
) -> tuple[DataFrame, list[int]]:
    """``(code, r0, r1, ...)``: column j of ``columns`` on ``nodes`` (``code`` and the teleport
    columns), ``edges`` (``source``, ``target`` and the weight columns). Each group of column
    indices converges on its own. Also returns the steps each group took."""
    weights = sorted({column.weight for column in columns})
    tables = KeyedTables(nodes.sparkSession, "walk")
    walk = tables.write(_normalised_edges(edges, weights), "source")
    has_out = walk.select(F.col("source").alias("code")).distinct().withColumn("out", F.lit(True))
    count = len(columns)
    teleport_values: list[Column] = []
    for j, column in enumerate(columns):
        if column.teleport is None:
            teleport_values.append(F.lit(1.0 / node_count).alias(f"t{j}"))
        else:
            total = nodes.agg(F.sum(column.teleport)).collect()[0][0] or 0.0
            value = F.col(column.teleport) / total if total > 0 else F.lit(0.0)
            teleport_values.append(value.alias(f"t{j}"))
    ranks = (
        nodes.join(has_out, "code", "left")
        .select("code", F.col("out").isNull().alias("dangling"), *teleport_values)
        .select("code", "dangling", *[f"t{j}" for j in range(count)])
    )
    states = IterationStates(nodes.sparkSession, "ranks")
    ranks = states.kept(ranks.select("*", *[F.col(f"t{j}").alias(f"r{j}") for j in range(count)]))
    dangling = _dangling_mass(ranks, count)
    active = [True] * len(groups)
    steps = [0] * len(groups)
    group_of = {j: g for g, group in enumerate(groups) for j in group}
    for step in range(1, max_iter + 1):
        live = [j for j in range(count) if active[group_of[j]]]
        flows = walk.join(
            ranks.select(F.col("code").alias("source"), *[f"r{j}" for j in live]).hint(
                "shuffle_hash"
            ),
            "source",
        ).groupBy(F.col("target").alias("code"))
        received = flows.agg(
            *[F.sum(F.col(f"r{j}") * F.col(f"p_{columns[j].weight}")).alias(f"c{j}") for j in live]
        )
        updated = ranks.join(received.hint("shuffle_hash"), "code", "left")
        new_values = []
        for j in range(count):
            if j in live:
                teleport = F.col(f"t{j}")
                flow = F.coalesce(F.col(f"c{j}"), F.lit(0.0))
                value = (
                    damping * (flow + F.lit(dangling[j]) * teleport) + (1.0 - damping) * teleport
                )
            else:
                value = F.col(f"r{j}")
            new_values.append(value.alias(f"n{j}"))
        updated = updated.select(
            "code", "dangling", *[f"t{j}" for j in range(count)],
            *[f"r{j}" for j in range(count)], *new_values,
        )  # fmt: skip
        updated = states.kept(updated)
        sums = updated.agg(
            *[F.sum(F.abs(F.col(f"n{j}") - F.col(f"r{j}"))).alias(f"d{j}") for j in live],
            *_dangling_sums("n", count),
        ).collect()[0]  # fmt: skip
        ranks = updated.select(
            "code", "dangling", *[f"t{j}" for j in range(count)],
            *[F.col(f"n{j}").alias(f"r{j}") for j in range(count)],
        )  # fmt: skip
        dangling = [float(sums[f"m{j}"] or 0.0) for j in range(count)]
        for g, group in enumerate(groups):
            if active[g]:
                steps[g] = step
                if all(float(sums[f"d{j}"] or 0.0) < node_count * tol for j in group):
                    active[g] = False
        if not any(active):
            break
    totals = ranks.agg(*[F.sum(f"r{j}").alias(f"s{j}") for j in range(count)]).collect()[0]
    result = ranks.select(
        "code",
        *[
            (
                F.col(f"r{j}") / float(totals[f"s{j}"])
                if (totals[f"s{j}"] or 0) > 0
                else F.lit(0.0)
            ).alias(f"r{j}")
            for j in range(count)
        ],
    )
    result = persisted(result)
    states.close()
    tables.close()
    return result, steps


def _dangling_sums(prefix: str, count: int) -> list[Column]:
    """``m0, m1, ...``: the rank the dangling nodes hold in columns ``{prefix}0, ...``."""
    return [
        F.sum(F.when(F.col("dangling"), F.col(f"{prefix}{j}")).otherwise(0.0)).alias(f"m{j}")
        for j in range(count)
    ]


def _dangling_mass(ranks: DataFrame, count: int) -> list[float]:
    row = ranks.agg(*_dangling_sums("r", count)).collect()[0]
    return [float(row[f"m{j}"] or 0.0) for j in range(count)]
