"""The Spark engine in the tests: local mode on two cores, skipped (saying why) where Java 17
or pyspark is missing; ``.ci/run`` installs both, so CI runs every Spark test."""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

from graph.analysis.profile import Profile
from graph.analysis.run import AnalysisSummary
from graph.store import Store

MASTER = "local[2]"
PARTITIONS = 4


@cache
def spark_missing() -> str | None:
    """Why the Spark engine cannot run here, or None."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install -e '.[spark]')"
    java = shutil.which("java")
    if java is None:
        return "no java: the Spark engine needs Java 17 (apt-get install openjdk-17-jre-headless)"
    version = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    if version.returncode != 0:
        return f"java -version failed: {version.stderr.strip()[:200]}"
    return None


def need_spark() -> None:
    reason = spark_missing()
    if reason:
        pytest.skip(f"the Spark engine's tests need Java 17 and pyspark: {reason}")


def spark_analyze(
    store: Store,
    profile: Profile,
    work: Path,
    *,
    since: int | None = None,
    until: int | None = None,
    leiden_max_nodes: int = 2_000_000,
    steps: dict[str, float] | None = None,
) -> AnalysisSummary:
    """One analysis on Spark in local mode, its scratch under ``work``."""
    need_spark()
    from graph.spark.run import analyze_on_spark
    from graph.spark.session import spark_place

    place = spark_place(MASTER, PARTITIONS, work, leiden_max_nodes=leiden_max_nodes)
    summaries = analyze_on_spark(store, profile, place, since=since, until=until, steps=steps)
    return summaries[-1]
