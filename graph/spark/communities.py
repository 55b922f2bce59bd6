"""Communities and k-core on Spark DataFrames.

**Communities: Leiden on a graph that one machine holds, coarsened on Spark until it does.**
Leiden moves one account at a time against a global quality (modularity), which does not split
into independent partitions. So while the graph has more than ``CONTRACTED_MAX`` accounts (or
groups), Spark coarsens it by heavy-edge matching, the coarsening of the multilevel
partitioners (METIS, and ParMETIS distributed): each group picks its heaviest neighbour (the
weights of both directions summed, ties: the smaller group) and two groups that pick each other
merge, one join and two aggregations a round. Then the graph of the groups (the weight between
two groups summed, a group's inner weight as a self-loop, so that modularity is the same as on
the accounts) is collected on the driver and given to the local engine's Leiden, with the same
seed and iterations. Below ``CONTRACTED_MAX`` nothing is coarsened and the communities are the
local engine's. Above, they are Leiden's on the coarsened graph: a matched pair stays together
(it was each other's strongest tie), and the tests list how far that moves the communities
and the roles they decide (``tests/graph/spark``). Matching shrinks a graph by up to half a
round; when a round shrinks it by less than a tenth, the groups are the communities.

Seeded label propagation was tried first (the obvious distributed method): on the planted
scenario it flooded, one label spreading over 1,388 of the 1,501 accounts (Leiden: four
communities of 263 to 427), and the planted bridges lost their role.

**k-core: the h-index iteration** (Lü et al. 2016; Montresor, De Pellegrini and Miorandi
2013): every account's estimate starts at its degree on the undirected simple view, then
becomes the h-index of its neighbours' estimates (the largest h with h neighbours at h or
more) until none changes: the exact core numbers, as igraph's ``coreness``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from graph.algorithms.communities import leiden
from graph.spark.frames import IterationStates, numbered, persisted

#: The most accounts (or groups) whose graph is handed to Leiden on the driver by default
#: (``RESONANCE_SPARK_LEIDEN_MAX_NODES``): about 2 GB of the driver's memory with its edges, at
#: ten edges a node.
CONTRACTED_MAX = 2_000_000
CORE_STEPS = 1000


def _undirected(pairs: DataFrame, weight: str | None) -> DataFrame:
    """Both directions of each edge between two distinct accounts: ``code, other, w``."""
    low = F.least("source", "target")
    high = F.greatest("source", "target")
    value = F.col(weight) if weight else F.lit(1.0)
    merged = (
        pairs.where(F.col("source") != F.col("target"))
        .select(low.alias("a"), high.alias("b"), value.alias("w"))
        .groupBy("a", "b")
        .agg(F.sum("w").alias("w"))
    )
    return persisted(
        merged.select(F.col("a").alias("code"), F.col("b").alias("other"), "w").unionByName(
            merged.select(F.col("b").alias("code"), F.col("a").alias("other"), "w")
        )
    )


def communities(
    nodes: DataFrame,
    pairs: DataFrame,
    *,
    seed: int,
    iterations: int,
    contracted_max: int = CONTRACTED_MAX,
) -> DataFrame:
    """``(code, community)`` for every code of ``nodes``: the accounts merged by heavy-edge
    matching until at most ``contracted_max`` groups remain, then Leiden on the graph of the
    groups (see the module docstring)."""
    groups = persisted(nodes.select("code", F.col("code").alias("group")))
    count = nodes.count()
    states = IterationStates(nodes.sparkSession, "groups")
    while count > contracted_max:
        merged = states.kept(_matched(groups, pairs))
        now = merged.select("group").distinct().count()
        groups = merged
        if now > 0.9 * count:  # matching no longer shrinks the graph: keep the groups
            count = now
            break
        count = now
    if count <= contracted_max:
        groups = _leiden_on_groups(groups, pairs, seed=seed, iterations=iterations)
    sizes = groups.groupBy("group").agg(
        F.count(F.lit(1)).alias("size"), F.min("code").alias("first")
    )
    numbers = numbered(sizes, [F.desc("size"), F.col("first")], "community")
    found = persisted(groups.join(numbers, "group").select("code", "community"))
    states.close()
    return found


def _group_edges(groups: DataFrame, pairs: DataFrame) -> DataFrame:
    """``a, b, w``: the weight between groups ``a`` and ``b`` (``a == b``: inside one)."""
    source = groups.select(F.col("code").alias("source"), F.col("group").alias("a"))
    target = groups.select(F.col("code").alias("target"), F.col("group").alias("b"))
    return (
        pairs.join(source, "source")
        .join(target, "target")
        .groupBy("a", "b")
        .agg(F.sum("weight").alias("w"))
    )


def _matched(groups: DataFrame, pairs: DataFrame) -> DataFrame:
    """One round of heavy-edge matching: two groups merge when each is the other's heaviest
    neighbour (ties: the smaller group); a group merges at most once a round."""
    edges = _group_edges(groups, pairs).where(F.col("a") != F.col("b"))
    both = (
        edges.unionByName(edges.select(F.col("b").alias("a"), F.col("a").alias("b"), "w"))
        .groupBy("a", "b")
        .agg(F.sum("w").alias("w"))
    )
    place = F.row_number().over(Window.partitionBy("a").orderBy(F.desc("w"), "b"))
    best = both.withColumn("place", place).where("place = 1").select("a", "b")
    mutual = best.join(
        best.select(F.col("b").alias("a"), F.col("a").alias("b")), ["a", "b"]
    ).select(F.col("a").alias("group"), F.least("a", "b").alias("into"))
    return groups.join(mutual, "group", "left").select(
        "code", F.coalesce(F.col("into"), F.col("group")).alias("group")
    )


def _leiden_on_groups(
    groups: DataFrame, pairs: DataFrame, *, seed: int, iterations: int
) -> DataFrame:
    """Leiden (the local engine's) on the graph of ``groups``, collected on the driver."""
    index = numbered(groups.select("group").distinct(), [F.col("group")], "index")
    count = index.count()
    indexed = groups.join(index, "group").select("code", F.col("index").alias("group"))
    with warnings.catch_warnings():  # pyspark 4.x's conversion, with pandas 3
        warnings.filterwarnings("ignore", message="The copy keyword is deprecated")
        coarse = _group_edges(indexed, pairs).toPandas()
    found = leiden(
        count,
        coarse["a"].to_numpy(dtype=np.int64),
        coarse["b"].to_numpy(dtype=np.int64),
        coarse["w"].to_numpy(dtype=np.float64),
        seed=seed,
        iterations=iterations,
    )
    spark = groups.sparkSession
    of_group = spark.createDataFrame(
        pd.DataFrame({"group": np.arange(count, dtype=np.int64), "community": found})
    )
    return persisted(
        indexed.join(of_group, "group").select("code", F.col("community").alias("group"))
    )


def k_core(nodes: DataFrame, pairs: DataFrame) -> DataFrame:
    """``(code, core)`` for every code of ``nodes``; see the module docstring."""
    edges = _undirected(pairs, None).select("code", "other")
    degrees = edges.groupBy("code").agg(F.count(F.lit(1)).alias("core"))
    cores = persisted(nodes.select("code").join(degrees, "code", "left").fillna({"core": 0}))
    states = IterationStates(nodes.sparkSession, "cores")
    h_index = F.expr(
        "size(filter(transform(sort_array(estimates, false), (x, i) -> x >= i + 1), b -> b))"
    )
    for _ in range(CORE_STEPS):
        estimates = (
            edges.join(
                cores.select(F.col("code").alias("other"), F.col("core").alias("e")), "other"
            )
            .groupBy("code")
            .agg(F.collect_list("e").alias("estimates"))
            .select("code", h_index.alias("h"))
        )
        updated = states.kept(
            cores.join(estimates, "code", "left").select(
                "code",
                F.least(F.col("core"), F.coalesce(F.col("h"), F.lit(0))).alias("core"),
                F.col("core").alias("before"),
            )
        )
        changed = updated.where(F.col("core") != F.col("before")).count()
        cores = updated.select("code", "core")
        if changed == 0:
            break
    edges.unpersist()
    cores = persisted(cores)
    states.close()
    return cores
