"""Betweenness on Spark: the sampled sources of the local engine, shared out across executors.

The local engine estimates betweenness from ``betweenness_samples`` sources drawn with the
profile's seed (Brandes on the undirected view, distances ``1 / weight``:
``graph.analysis.betweenness_workers``). Here the same sources are split into one share per
task; each task reads the kept pairs that Spark wrote as Parquet (integer codes and weights,
24 bytes per pair), runs igraph's Brandes from its share of the sources, and returns the
accounts it found on shortest paths; the shares add up by account. Same codes (ids' order),
same seed, same sources: the same figures as the local engine, up to the order of the sums.

What it costs: each task holds the whole pair list (24 bytes a pair, about 2.4 GB per 100M
pairs, plus igraph's graph, about as much again) and one task's Dijkstra runs over the whole
graph. Past that, ``betweenness_samples`` can be lowered; the bridge role is the only use of
betweenness (README, "Beyond one machine").
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.dataset as ds
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from graph.algorithms.betweenness import EXACT_MAX_NODES, betweenness
from graph.analysis.profile import Profile
from graph.spark.frames import persisted


def distributed_betweenness(
    pairs: DataFrame, *, node_count: int, profile: Profile, folder: Path, shares: int
) -> DataFrame:
    """``(code, betweenness)`` for the accounts on a sampled shortest path (others: 0)."""
    spark = pairs.sparkSession
    path = folder / "betweenness-pairs"
    pairs.select("source", "target", "weight").write.mode("overwrite").parquet(str(path))
    samples = profile.betweenness_samples
    shares = max(1, min(shares, samples if node_count > EXACT_MAX_NODES else node_count))
    seed = profile.seed
    where = str(path)

    def share_of(parts: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        table = ds.dataset(where, format="parquet").to_table()
        source = table.column("source").to_numpy()
        target = table.column("target").to_numpy()
        lengths = 1.0 / table.column("weight").to_numpy()
        for part in parts:
            for share in part["share"].tolist():
                values = betweenness(
                    node_count, source, target, lengths,
                    directed=False, exact_max_nodes=EXACT_MAX_NODES,
                    samples=samples, seed=seed, part=(int(share), shares),
                )  # fmt: skip
                found = np.flatnonzero(values)
                yield pd.DataFrame({"code": found.astype(np.int64), "value": values[found]})

    tasks = spark.range(shares).select(F.col("id").alias("share")).repartition(shares)
    partial = tasks.mapInPandas(share_of, "code long, value double")
    return persisted(partial.groupBy("code").agg(F.sum("value").alias("betweenness")))
