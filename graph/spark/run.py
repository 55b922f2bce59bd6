"""``resonance analyze --engine spark``: the analysis of ``graph.analysis.run`` on Apache Spark.

1. the events leave the store as Parquet (``graph.spark.export``, resumable), unless a team's
   own Parquet is given (``--events PATH``);
2. Spark reads and codes them (``graph.spark.events``) and scores each window
   (``graph.spark.scoring``): the executors write the rows as Parquet;
3. once Spark has stopped, the rows go into the store in batches (``graph.spark.writeback``)
   through the same staging and switch as the local engine's; a rolling window followed by a
   newer one is only kept in the history, as there. The run records the engine, the master and
   the partitions.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from graph.analysis.profile import Profile
from graph.analysis.rolling import InvalidWindows, laid_windows
from graph.analysis.run import KEEP_RUNS, WRITE_BATCH, AnalysisSummary, RunProgress, run_provenance
from graph.models import utc_iso
from graph.spark.events import read_events
from graph.spark.export import EventFiles, export_events
from graph.spark.scoring import SparkScores, score_window
from graph.spark.session import SparkPlace, spark_session
from graph.spark.writeback import ParquetRows
from graph.store import Store


@dataclass(frozen=True, slots=True)
class SparkWindow:
    since: int | None
    until: int | None


def analyze_on_spark(
    store: Store,
    profile: Profile,
    place: SparkPlace,
    *,
    since: int | None = None,
    until: int | None = None,
    window_ms: int | None = None,
    step_ms: int | None = None,
    events: EventFiles | None = None,
    driver_memory: str = "2g",
    progress: RunProgress | None = None,
    keep_runs: int = KEEP_RUNS,
    steps: dict[str, float] | None = None,
) -> list[AnalysisSummary]:
    """Score the events within ``[since, until)`` on Spark, or each rolling window of
    ``window_ms`` every ``step_ms`` there (``graph.analysis.rolling``), and write the runs back;
    the last window's scores become the accounts'. ``steps``, when given, receives seconds per
    step."""
    say = progress or (lambda _what, _done: None)
    timings = steps if steps is not None else {}
    mark = [time.perf_counter()]

    def clock(name: str) -> None:
        now = time.perf_counter()
        timings[name] = timings.get(name, 0.0) + round(now - mark[0], 2)
        mark[0] = now

    if events is None:
        say("exporting events to Parquet", 0.0)
        events = export_events(
            store,
            place.work_dir / "export",
            since=since,
            until=until,
            progress=lambda done, total: say("exporting events to Parquet", 0.2 * done / total),
        )
        clock("export to Parquet")
    brand_ids = store.brand_ids()
    summaries = []
    with spark_session(place, driver_memory=driver_memory) as spark:
        clock("Spark start")
        windows = [SparkWindow(since, until)]
        if window_ms is not None:
            windows = _rolling(spark, events, since, until, window_ms, step_ms or window_ms)
        for number, window in enumerate(windows):
            started, started_at = time.perf_counter(), utc_iso(int(time.time() * 1000))
            latest = number == len(windows) - 1
            coded = read_events(
                spark, events.events, events.post_topics, since=window.since, until=window.until
            )
            clock("read and code events")
            reference = window.until if window.until is not None else coded.latest
            folder = place.work_dir / "results" / str(number)
            scores = None
            if coded.user_count:
                scores = score_window(
                    spark, coded, profile, reference=reference, brand_ids=brand_ids,
                    folder=folder, shares=place.partitions, leiden_max_nodes=place.leiden_max_nodes,
                    say=say, clock=clock,
                )  # fmt: skip
            summary = _write_back(
                store, profile, place, window, reference, coded.event_count, scores,
                latest=latest, started=started, started_at=started_at, say=say,
            )  # fmt: skip
            clock("write-back")
            summaries.append(summary)
            spark.catalog.clearCache()
    store.prune_runs(keep_runs)
    say("done", 1.0)
    return summaries


def _rolling(
    spark: SparkSession,
    events: EventFiles,
    since: int | None,
    until: int | None,
    window_ms: int,
    step_ms: int,
) -> list[SparkWindow]:
    """The rolling windows ``analyze_windows`` lays on the same events."""
    frame = spark.read.parquet(str(events.events))
    if since is not None:
        frame = frame.where(F.col("at") >= since)
    if until is not None:
        frame = frame.where(F.col("at") < until)
    bounds = frame.agg(F.min("at").alias("first"), F.max("at").alias("last")).collect()[0]
    if bounds["first"] is None:
        raise InvalidWindows("there are no amplification events to lay windows on")
    laid = laid_windows(
        int(bounds["first"]), int(bounds["last"]), since, until,
        window_ms=window_ms, step_ms=step_ms,
    )  # fmt: skip
    return [SparkWindow(start, stop) for start, stop in laid]


def _write_back(
    store: Store,
    profile: Profile,
    place: SparkPlace,
    window: SparkWindow,
    reference: int,
    event_count: int,
    scores: SparkScores | None,
    *,
    latest: bool,
    started: float,
    started_at: str,
    say: Callable[[str, float], None],
) -> AnalysisSummary:
    summary = AnalysisSummary(users_scored=0, edges=0, ranked=0, communities=0)
    if scores is not None:
        summary = AnalysisSummary(
            users_scored=scores.user_count,
            edges=scores.edges,
            ranked=scores.ranked,
            communities=scores.communities,
            topics=scores.topics,
            events=event_count,
            discounted_pairs=scores.discounted_pairs,
            roles=scores.roles,
        )
    engine: dict[str, Any] = {
        "engine": "spark",
        "spark_master": place.master,
        "spark_partitions": place.partitions,
    }
    provenance = run_provenance(profile, window.since, window.until, reference, summary, engine)
    run = int(time.time() * 1000)
    users: Any = ParquetRows(scores.users) if scores else []
    ranks: Any = ParquetRows(scores.topic_ranks) if scores else []
    say("writing scores back" if latest else "keeping the run in the history", 0.85)
    if latest:
        store.stage_analysis(users, ranks, run=run, batch_size=WRITE_BATCH)
        store.switch_analysis(run, len(users), len(ranks), provenance, started_at=started_at)
    else:
        store.record_run(users, provenance, run=run, started_at=started_at, batch_size=WRITE_BATCH)
    return replace(summary, seconds=round(time.perf_counter() - started, 2))
