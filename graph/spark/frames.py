"""What every step of the Spark engine shares: persisting a frame, numbering rows in a total
order without moving them to one partition, and turning per-user frames into arrays."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from pyspark import StorageLevel
from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F


def persisted(frame: DataFrame) -> DataFrame:
    """``frame`` computed once and kept (memory, spilling to disk) for the steps that reuse
    it, with its plan cut there: a frame that joins two frames made from the same one holds
    that one's plan twice, and the plans of a whole analysis grew exponentially (a 1,500-user
    graph exhausted the driver's 2 GB while Spark printed one). Its blocks go once nothing
    refers to it (``spark.cleaner.periodicGC.interval``)."""
    return frame.localCheckpoint(eager=True, storageLevel=StorageLevel.MEMORY_AND_DISK)


class KeyedTables:
    """Frames written as Parquet tables bucketed on a key into the session's shuffle partitions
    (Spark's bucketing hashes as its shuffles do), and read back. Two such tables joined on
    their keys, or one joined with a frame just aggregated on its key, meet partition by
    partition with no shuffle: an iteration's edges are written once and only the
    contributions of each step move (as GraphX keeps its edges and vertices co-partitioned).
    A read-back plan is a file scan whose statistics are the file's (a checkpoint keeps the
    estimated size of the plan it replaced, and a join estimates the product of its sides:
    after twenty steps of label propagation Catalyst spent minutes multiplying numbers
    millions of digits long, then ran out of memory). The tables are external, under the
    checkpoint folder, and go at :meth:`drop_older` or :meth:`close`."""

    def __init__(self, spark: SparkSession, name: str) -> None:
        folder = spark.sparkContext.getCheckpointDir()
        if folder is None:
            raise RuntimeError("the Spark session has no checkpoint folder")
        self._spark = spark
        self._name = f"resonance_{name}_{next(_SERIALS)}"
        self._folder = f"{folder}/{self._name}"
        self._buckets = int(spark.conf.get("spark.sql.shuffle.partitions") or "200")
        self._tables: list[str] = []
        self._written = 0

    def write(self, frame: DataFrame, key: str) -> DataFrame:
        self._written += 1
        table = f"{self._name}_{self._written}"
        self._tables.append(table)
        frame.write.format("parquet").bucketBy(self._buckets, key).option(
            "path", f"{self._folder}/{table}"
        ).saveAsTable(table)
        return self._spark.table(table)

    def drop_older(self) -> None:
        """Drop every table but the newest."""
        for table in self._tables[:-1]:
            self._drop(table)
        self._tables = self._tables[-1:]

    def close(self) -> None:
        for table in self._tables:
            self._drop(table)
        self._tables = []

    def _drop(self, table: str) -> None:
        self._spark.sql(f"DROP TABLE IF EXISTS {table}")
        jvm = self._spark.sparkContext._jvm
        assert jvm is not None
        hadoop_path = jvm.org.apache.hadoop.fs.Path(f"{self._folder}/{table}")
        configuration = self._spark.sparkContext._jsc.hadoopConfiguration()
        hadoop_path.getFileSystem(configuration).delete(hadoop_path, True)


class IterationStates:
    """The states of one iteration, each written as a :class:`KeyedTables` table on ``key``
    and read back (:meth:`kept`): a plan as short as a file scan, whatever steps came before,
    partitioned as the iteration's other keyed tables. Each state's files go once the next
    one is written, the last one's at :meth:`close`: an iteration holds one state on disk,
    whatever its length."""

    def __init__(self, spark: SparkSession, name: str, key: str = "code") -> None:
        self._tables = KeyedTables(spark, name)
        self._key = key

    def kept(self, frame: DataFrame) -> DataFrame:
        kept = self._tables.write(frame, self._key)
        self._tables.drop_older()
        return kept

    def close(self) -> None:
        """Delete the last state (read what it holds first)."""
        self._tables.close()


_SERIALS = itertools.count(1)


_PART = "_range_part"


def _offset_by_partition(
    frame: DataFrame, order: Sequence[Column], amount: Column, within: Column, name: str
) -> DataFrame:
    """``frame`` range-partitioned on ``order`` with ``name``: ``within`` (a window over
    ``_PART`` in ``order``) plus the sum of ``amount`` over the partitions before the row's:
    a distributed running figure, no single partition (as a global window has)."""
    ranged = persisted(
        frame.repartitionByRange(*order)
        .sortWithinPartitions(*order)
        .withColumn(_PART, F.spark_partition_id())
    )
    sums = sorted(
        (int(row[_PART]), float(row["s"] or 0))
        for row in ranged.groupBy(_PART).agg(F.sum(amount).alias("s")).collect()
    )
    offsets, total = [], 0.0
    for index, part_sum in sums:
        offsets.append((index, total))
        total += part_sum
    offset_frame = frame.sparkSession.createDataFrame(offsets, f"{_PART} int, _offset double")
    result = persisted(
        ranged.join(F.broadcast(offset_frame), _PART)
        .withColumn(name, within + F.col("_offset"))
        .drop(_PART, "_offset")
    )
    ranged.unpersist()
    return result


def numbered(frame: DataFrame, order: Sequence[Column], name: str) -> DataFrame:
    """``frame`` with ``name``: each row's place (0, 1, ...) in ``order``, which must leave no
    ties. Range-partitioned and numbered within each partition, offset by the rows of the
    partitions before it."""
    within = F.row_number().over(Window.partitionBy(_PART).orderBy(*order)) - 1
    found = _offset_by_partition(frame, order, F.lit(1), within, name)
    return found.withColumn(name, F.col(name).cast("long"))


def coded(values: DataFrame, column: str) -> DataFrame:
    """The distinct non-null ``column`` of ``values`` as ``(id, code)``, codes in id order
    (as ``graph.analysis.events.in_id_order`` codes them)."""
    ids = values.where(F.col(column).isNotNull()).select(F.col(column).alias("id")).distinct()
    return numbered(ids, [F.col("id")], "code")


def running_total(frame: DataFrame, order: str, value: str, name: str) -> DataFrame:
    """``frame`` (one row per distinct ``order``) with ``name``: the sum of ``value`` over the
    rows whose ``order`` is at most this row's. Distributed as :func:`numbered` is."""
    within = F.sum(value).over(
        Window.partitionBy(_PART).orderBy(order).rowsBetween(Window.unboundedPreceding, 0)
    )
    return _offset_by_partition(frame, [F.col(order)], F.col(value), within, name)
