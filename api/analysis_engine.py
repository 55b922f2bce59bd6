"""Which engine analyses: the local one (this process) or Apache Spark (``graph.spark``), for
the command line and the API's jobs alike."""

from __future__ import annotations

from pathlib import Path

from graph.analysis.profile import Profile
from graph.analysis.rolling import analyze_windows
from graph.analysis.run import AnalysisSummary, RunProgress, analyze
from graph.config import Settings
from graph.errors import ConfigError
from graph.store import Store

ENGINES = ("local", "spark")


def run_analysis(
    settings: Settings,
    store: Store,
    profile: Profile,
    *,
    since: int | None = None,
    until: int | None = None,
    window_ms: int | None = None,
    step_ms: int | None = None,
    progress: RunProgress | None = None,
    engine: str | None = None,
    spark_master: str | None = None,
    events: Path | None = None,
    post_topics: Path | None = None,
) -> list[AnalysisSummary]:
    """Analyse with ``engine`` (default ``RESONANCE_ENGINE``): one summary per window, oldest
    first (one, without ``window_ms``). ``events``/``post_topics``: Parquet to read instead of
    the store's events (Spark only)."""
    chosen = engine or settings.engine
    if chosen not in ENGINES:
        raise ConfigError(f"unknown engine {chosen!r}: choose local or spark")
    if chosen == "local":
        if events is not None or post_topics is not None:
            raise ConfigError("--events and --post-topics need --engine spark")
        if window_ms is None:
            summary = analyze(
                store, profile, since=since, until=until, progress=progress,
                keep_runs=settings.keep_runs,
            )  # fmt: skip
            return [summary]
        return analyze_windows(
            store, profile, window_ms=window_ms, step_ms=step_ms, since=since, until=until,
            progress=progress, keep_runs=settings.keep_runs,
        )  # fmt: skip
    # Imported here: pyspark starts nothing on import, but it is a large one to load.
    from graph.spark.export import EventFiles
    from graph.spark.run import analyze_on_spark
    from graph.spark.session import spark_conf, spark_place

    place = spark_place(
        spark_master or settings.spark_master,
        settings.spark_partitions,
        settings.data_dir,
        leiden_max_nodes=settings.spark_leiden_max_nodes,
        conf=spark_conf(settings.spark_conf),
    )
    files = None if events is None else EventFiles(events, post_topics)
    return analyze_on_spark(
        store, profile, place, since=since, until=until, window_ms=window_ms, step_ms=step_ms,
        events=files, driver_memory=settings.spark_driver_memory, progress=progress,
        keep_runs=settings.keep_runs,
    )  # fmt: skip
