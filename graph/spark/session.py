"""The Spark session of the Spark engine: on loopback, quiet, with its scratch and checkpoint
folders in the data directory.

``local[*]`` (the default) runs Spark inside this process's JVM on this machine's cores; a
cluster's master URL (``spark://host:7077``, ``yarn``, ``k8s://...``) sends the work to its
executors, which then need this package installed (``spark-submit --py-files`` with the wheel:
README, "Beyond one machine").
"""

from __future__ import annotations

import os
import re
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pyspark.sql import SparkSession

from graph.errors import GraphError

_LOCAL = re.compile(r"^local(\[(\*|\d+)(,\d+)?\])?$")


class SparkUnavailable(GraphError):
    """Spark could not start (no Java 17, a master that does not answer)."""

    def __init__(self, master: str, reason: str) -> None:
        super().__init__(
            f"the Spark engine could not start on {master}: {reason}. It needs Java 17 "
            "(Debian: apt-get install openjdk-17-jre-headless) and pyspark (pip install "
            "'resonance[spark]')"
        )


@dataclass(frozen=True, slots=True)
class SparkPlace:
    """Where a Spark analysis runs and how wide."""

    master: str
    partitions: int  # shuffle partitions
    work_dir: Path  # scratch (spill, shuffle) and checkpoints, under the data directory
    #: The most accounts whose graph Leiden takes whole on the driver (``graph.spark.communities``)
    leiden_max_nodes: int = 2_000_000
    conf: tuple[tuple[str, str], ...] = ()  # more Spark settings, applied last


def spark_conf(text: str) -> tuple[tuple[str, str], ...]:
    """``RESONANCE_SPARK_CONF`` (``key=value,key=value``) as pairs.

    >>> spark_conf("spark.executor.memory=8g, spark.executor.cores=4")
    (('spark.executor.memory', '8g'), ('spark.executor.cores', '4'))
    """
    pairs = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip().startswith("spark."):
            raise SparkUnavailable(
                "(settings)", f"RESONANCE_SPARK_CONF: {item!r} is not spark.key=value"
            )
        pairs.append((key.strip(), value.strip()))
    return tuple(pairs)


def local_cores(master: str) -> int:
    """The cores ``local[N]`` gives Spark (``local[*]``: this machine's); 0 for a cluster."""
    found = _LOCAL.match(master)
    if not found:
        return 0
    cores = found.group(2)
    if cores is None:
        return 1
    return (os.cpu_count() or 1) if cores == "*" else int(cores)


def spark_place(
    master: str,
    partitions: int,
    data_dir: Path,
    *,
    leiden_max_nodes: int = 2_000_000,
    conf: tuple[tuple[str, str], ...] = (),
) -> SparkPlace:
    """``partitions`` 0: twice the local cores (at least 4), 200 on a cluster."""
    if partitions <= 0:
        cores = local_cores(master)
        partitions = max(4, 2 * cores) if cores else 200
    return SparkPlace(master, partitions, data_dir / "spark", leiden_max_nodes, conf)


@contextmanager
def spark_session(place: SparkPlace, *, driver_memory: str = "2g") -> Iterator[SparkSession]:
    """A Spark session for one analysis, stopped at the end. Its driver listens on loopback
    only in local mode, and serves no web UI."""
    place.work_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    local = bool(_LOCAL.match(place.master))
    builder = (
        SparkSession.builder.master(place.master)
        .appName("resonance-analysis")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", driver_memory)
        .config("spark.sql.shuffle.partitions", str(place.partitions))
        .config("spark.default.parallelism", str(place.partitions))
        .config("spark.local.dir", str(place.work_dir / "scratch"))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.adaptive.enabled", "true")
        .config("spark.sql.session.timeZone", "UTC")
        # The iterations' bucketed tables (graph.spark.frames.KeyedTables) are this session's
        # own: never registered in a cluster's Hive or Glue metastore.
        .config("spark.sql.catalogImplementation", "in-memory")
        .config("spark.cleaner.referenceTracking.cleanCheckpoints", "true")
        .config("spark.cleaner.periodicGC.interval", "1min")
        # An analysis runs thousands of small jobs: keep none of their history in the driver.
        .config("spark.ui.retainedJobs", "50")
        .config("spark.ui.retainedStages", "50")
        .config("spark.sql.ui.retainedExecutions", "20")
    )
    if local:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = builder.config("spark.driver.host", "127.0.0.1").config(
            "spark.driver.bindAddress", "127.0.0.1"
        )
    for key, value in place.conf:
        builder = builder.config(key, value)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="PySpark does not yet fully support")
            session = builder.getOrCreate()
    except Exception as exc:  # the JVM's failures come as several exception types
        raise SparkUnavailable(
            place.master, str(exc).splitlines()[0] or type(exc).__name__
        ) from exc
    session.sparkContext.setLogLevel("ERROR")
    session.sparkContext.setCheckpointDir(str(place.work_dir / "checkpoints"))
    try:
        yield session
    finally:
        session.stop()
