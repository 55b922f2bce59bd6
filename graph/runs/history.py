"""The kept runs: list them, show one, delete one (never the latest), and pick two to compare.

Unknown runs raise :class:`RunNotFound` (a 404); deleting the latest raises
:class:`LatestRunKept` (a 409): its scores are the ones on the accounts, which every page reads.
"""

from __future__ import annotations

import json

from graph.backends.base import Row
from graph.errors import GraphError, NodeNotFound
from graph.runs import queries as q
from graph.runs.models import RunInfo
from graph.store import Store


class RunNotFound(NodeNotFound):
    """No complete run has this id."""

    def __init__(self, run: int) -> None:
        super().__init__("Run", str(run))
        self.args = (f"run {run} not found: `resonance runs list` (GET /api/runs) lists them",)


class LatestRunKept(GraphError):
    """The latest run cannot be deleted: the accounts carry its scores."""

    def __init__(self, run: int) -> None:
        super().__init__(
            f"run {run} is the latest analysis, whose scores every page shows: it cannot be "
            "deleted (run another analysis first)"
        )
        self.run = run


class TooFewRuns(GraphError):
    """Two runs are needed to compare, and fewer are kept."""

    def __init__(self, kept: int) -> None:
        super().__init__(
            f"comparing needs two runs and {kept} {'is' if kept == 1 else 'are'} kept: "
            "run another analysis (RESONANCE_KEEP_RUNS says how many are kept)"
        )


def latest_run(store: Store) -> int | None:
    """The latest analysis's run stamp, or None before any analysis."""
    rows = store.read(q.LATEST_RUN)
    return int(rows[0]["run"]) if rows and rows[0].get("run") is not None else None


def _run_info(row: Row, latest: int | None) -> RunInfo:
    def text(key: str) -> str:
        return str(row.get(key) or "")

    def count(key: str) -> int:
        return int(row.get(key) or 0)

    run = int(row["id"])
    return RunInfo(
        id=run,
        since=text("since"),
        until=text("until"),
        reference=text("reference"),
        profile=text("profile"),
        settings=dict(json.loads(row["profile_json"])) if row.get("profile_json") else {},
        analyzed_at=text("analyzed_at"),
        started_at=text("started_at"),
        finished_at=text("finished_at"),
        users_scored=count("users_scored"),
        ranked=count("ranked"),
        edges=count("edges"),
        events=count("events"),
        topics=count("topics"),
        communities=count("communities"),
        discounted_pairs=count("discounted_pairs"),
        latest=run == latest,
        engine=text("engine") or "local",
        spark_master=row.get("spark_master"),
        spark_partitions=row.get("spark_partitions"),
    )


def list_runs(store: Store) -> list[RunInfo]:
    """Every complete run, newest first."""
    latest = latest_run(store)
    return [_run_info(row, latest) for row in store.read(q.RUNS)]


def get_run(store: Store, run: int) -> RunInfo:
    """One complete run, or :class:`RunNotFound`."""
    rows = store.read(q.RUN, {"run": run})
    if not rows:
        raise RunNotFound(run)
    return _run_info(rows[0], latest_run(store))


def delete_run(store: Store, run: int) -> None:
    """Delete a run and its ``RANKED_IN``; :class:`LatestRunKept` for the latest one,
    :class:`RunNotFound` for one that is not kept."""
    if run == latest_run(store):
        raise LatestRunKept(run)
    rows = store.write(q.DELETE_RUN, {"run": run})
    if not rows or not int(rows[0]["deleted"]):
        raise RunNotFound(run)


def check_run(store: Store, run: int) -> None:
    """Nothing when ``run`` is a complete run, else :class:`RunNotFound`."""
    if not store.read(q.RUN, {"run": run}):
        raise RunNotFound(run)


def pair(store: Store, earlier: int | None, later: int | None) -> tuple[int, int]:
    """The two runs to compare: those given (each checked), the two newest for those not."""
    if earlier is None or later is None:
        kept = [info.id for info in list_runs(store)]
        if len(kept) < 2:
            raise TooFewRuns(len(kept))
        later = kept[0] if later is None else later
        if earlier is None:
            older = [run for run in kept if run < later]
            if not older:
                raise TooFewRuns(1)
            earlier = older[0]
    check_run(store, earlier)
    check_run(store, later)
    return earlier, later
