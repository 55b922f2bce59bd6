"""Communities and k-core on Spark DataFrames.

**Communities: Leiden on a graph that one machine holds, coarsened on Spark until it does.**
Leiden moves one account at a time against a global quality (modularity), which does not split
into independent partitions. So while the graph has more than ``CONTRACTED_MAX`` accounts (or
groups), Spark coarsens it by heavy-edge contraction, as the multilevel partitioners (METIS, and
ParMETIS distributed) coarsen: each group picks its heaviest neighbour (the weights of both
directions summed, ties: the smaller group) and joins it when that neighbour outranks it (a
seeded hash, new each round) and joins no one itself; one join and two aggregations a round.
Then the graph of the groups (the weight between two groups summed, a group's inner weight as a
self-loop, so that modularity is the same as on the accounts) is collected on the driver and
given to the local engine's Leiden, with the same seed and iterations. Below ``CONTRACTED_MAX``
nothing is coarsened and the communities are the local engine's. Above, they are Leiden's on the
coarsened graph: an account stays with its strongest tie, and the tests measure how far that
moves the communities and the roles they decide (``tests/graph/spark``). When three rounds in a
row shrink the graph by less than a twentieth (or after ``COARSENING_ROUNDS``), Leiden takes the
groups as they are if they fit, and otherwise the groups are the communities.

Seeded label propagation was tried first (the obvious distributed method): on the planted
scenario it flooded, one label spreading over 1,388 of the 1,501 accounts (Leiden: four
communities of 263 to 427), and the planted bridges lost their role. Mutual matching alone (two
groups merge when each is the other's heaviest neighbour) stalled on stars, a hub merging with
one leaf a round.

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
from graph.spark.frames import IterationStates, KeyedTables, numbered, persisted

#: The most accounts (or groups) whose graph is handed to Leiden on the driver by default
#: (``RESONANCE_SPARK_LEIDEN_MAX_NODES``): about 2 GB of the driver's memory with its edges, at
#: ten edges a node.
CONTRACTED_MAX = 2_000_000
COARSENING_ROUNDS = 60
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
    contraction until at most ``contracted_max`` groups remain, then Leiden on the graph of the
    groups (see the module docstring)."""
    groups = persisted(nodes.select("code", F.col("code").alias("group")))
    count = nodes.count()
    states = IterationStates(nodes.sparkSession, "groups")
    stalled = 0
    for round_number in range(COARSENING_ROUNDS):
        if count <= contracted_max or stalled >= 3:
            break
        groups = states.kept(_matched(groups, pairs, salt=seed * 1_000 + round_number))
        now = groups.select("group").distinct().count()
        stalled = stalled + 1 if now > 0.95 * count else 0
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


def _matched(groups: DataFrame, pairs: DataFrame, *, salt: int) -> DataFrame:
    """One round of heavy-edge star contraction: each group picks its heaviest neighbour
    (ties: the smaller group) and joins it when that neighbour outranks it (a seeded hash of
    group and round) and joins no one itself, so a hub takes in at once every leaf whose
    strongest tie it is, and no chain forms."""
    edges = _group_edges(groups, pairs).where(F.col("a") != F.col("b"))
    both = (
        edges.unionByName(edges.select(F.col("b").alias("a"), F.col("a").alias("b"), "w"))
        .groupBy("a", "b")
        .agg(F.sum("w").alias("w"))
    )
    place = F.row_number().over(Window.partitionBy("a").orderBy(F.desc("w"), "b"))
    best = both.withColumn("place", place).where("place = 1").select("a", "b")
    priority = F.xxhash64("a", F.lit(salt)) < F.xxhash64("b", F.lit(salt))
    joining = best.where(priority)  # a would join b
    centers = joining.select(F.col("a").alias("b")).withColumn("joins", F.lit(True))
    into = (
        joining.join(centers, "b", "left")
        .where(F.col("joins").isNull())
        .select(F.col("a").alias("group"), F.col("b").alias("into"))
    )
    return groups.join(into, "group", "left").select(
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
    """``(code, core)`` for every code of ``nodes``; see the module docstring. The edges are
    bucketed on the neighbour and the estimates on the code (``KeyedTables``): only the
    neighbours' estimates move each step."""
    undirected = _undirected(pairs, None)
    tables = KeyedTables(nodes.sparkSession, "core_edges")
    edges = tables.write(undirected.select("code", "other"), "other")
    undirected.unpersist()
    degrees = edges.groupBy("code").agg(F.count(F.lit(1)).alias("core"))
    states = IterationStates(nodes.sparkSession, "cores")
    cores = states.kept(nodes.select("code").join(degrees, "code", "left").fillna({"core": 0}))
    h_index = F.expr(
        "size(filter(transform(sort_array(estimates, false), (x, i) -> x >= i + 1), b -> b))"
    )
    for _ in range(CORE_STEPS):
        neighbours = cores.select(F.col("code").alias("other"), F.col("core").alias("e"))
        estimates = (
            edges.join(neighbours.hint("shuffle_hash"), "other")
            .groupBy("code")
            .agg(F.collect_list("e").alias("estimates"))
            .select("code", h_index.alias("h"))
        )
        updated = states.kept(
            cores.join(estimates.hint("shuffle_hash"), "code", "left").select(
                "code",
                F.least(F.col("core"), F.coalesce(F.col("h"), F.lit(0))).alias("core"),
                F.col("core").alias("before"),
            )
        )
        changed = updated.where(F.col("core") != F.col("before")).count()
        cores = updated.select("code", "core")
        if changed == 0:
            break
    cores = persisted(cores)
    states.close()
    tables.close()
    return cores
