"""Rolling windows on the real database (FalkorDB, and Neo4j when NEO4J_URI is set): one read
of the events, one run per window, each window scored as a plain windowed analysis scores it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import app
from graph.analysis.rolling import InvalidWindows, analyze_windows, duration_ms, window_bounds
from graph.analysis.run import analyze
from graph.analysis.window import window_bound
from graph.models import InfluencerQuery
from graph.runs.history import latest_run, list_runs
from graph.runs.models import RunInfo
from graph.runs.past_rankings import run_influencers
from graph.store import Store
from loaders.demo import generate_demo
from tests.support.ingest import load_csv_dir

DAY = 86_400_000
NEO4J_SUITE = "analysis suite"


@pytest.fixture
def demo(store: Store, tmp_path: Path) -> Store:
    generate_demo(tmp_path / "demo", users=300, days=21)
    load_csv_dir(store, tmp_path / "demo", rejects_path=tmp_path / "rejects.txt")
    return store


def _ranks(store: Store) -> dict[str, tuple[int, float]]:
    return {u.id: (u.rank, round(u.score, 3)) for u in store.influencers(limit=10_000).items}


def test_each_window_is_a_run_scored_as_its_own_analysis(demo: Store) -> None:
    summaries = analyze_windows(demo, window_ms=6 * DAY, keep_runs=12)
    assert len(summaries) == 3  # 21 days of data: three whole 6-day windows back from the end
    runs = list_runs(demo)
    assert len(runs) == 3
    latest = demo.latest_analysis()
    assert latest is not None
    from_windows = _ranks(demo)
    # The newest window again, as a plain analysis of that window: the same ranks and scores.
    newest = sorted(runs, key=lambda run: run.id)[-1]
    assert newest.since == latest["since"] and newest.until == latest["until"]
    since = window_bound(newest.since, end=False)
    until = window_bound(newest.until, end=False)
    plain = analyze(demo, since=since, until=until)
    assert plain.events == summaries[-1].events
    assert plain.users_scored == summaries[-1].users_scored
    assert _ranks(demo) == from_windows
    # Each window counted only its own events: together no more than all of them.
    assert sum(summary.events for summary in summaries) <= analyze(demo).events


def _kept(store: Store, run: int) -> list[tuple[Any, ...]]:
    page = run_influencers(store, run, InfluencerQuery(), limit=10_000)
    return [
        (u.id, u.rank, u.score, u.role, u.amplifiers, u.topics, u.topic_ranks, u.reasons)
        for u in page.items
    ]


def _counts(run: RunInfo) -> tuple[Any, ...]:
    return (run.since, run.until, run.profile, run.users_scored, run.ranked, run.edges,
            run.events, run.topics, run.communities, run.discounted_pairs)  # fmt: skip


def test_an_older_window_keeps_the_run_a_plain_analysis_of_it_keeps(demo: Store) -> None:
    """The windows before the newest write only their history (their switch onto the accounts
    would be replaced by the next window's at once): the same run, ranked accounts and
    reasons as a plain analysis of each window, and the accounts carry the newest window."""
    analyze_windows(demo, window_ms=6 * DAY, keep_runs=12)
    windows = sorted(list_runs(demo), key=lambda run: run.id)
    assert latest_run(demo) == windows[-1].id
    newest_scores = _ranks(demo)
    for window in windows[:-1]:
        since = window_bound(window.since, end=False)
        until = window_bound(window.until, end=False)
        analyze(demo, since=since, until=until, keep_runs=12)
        plain = max(list_runs(demo), key=lambda run: run.id)
        assert plain.id != window.id
        assert _counts(plain) == _counts(window)
        assert window.started_at <= window.finished_at
        assert _kept(demo, window.id) == _kept(demo, plain.id)
        assert len(_kept(demo, window.id)) == window.ranked > 0
    assert newest_scores != _ranks(demo)  # the accounts now carry the last plain analysis


def test_windows_that_do_not_fit_are_a_clear_error(demo: Store) -> None:
    with pytest.raises(InvalidWindows, match="no whole window"):
        analyze_windows(demo, window_ms=60 * DAY)
    with pytest.raises(InvalidWindows, match="not a duration"):
        duration_ms("a week")
    assert window_bounds(0, 10, window_ms=5, step_ms=5) == [(0, 5), (5, 10)]


def test_the_command_scores_rolling_windows(
    demo: Store, backend_env: dict[str, str | None]
) -> None:
    env = backend_env
    result = CliRunner().invoke(app, ["analyze", "--windows", "7d", "--step", "3d"], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.count("profile default: scored") == len(list_runs(demo)) >= 5
    wrong = CliRunner().invoke(app, ["analyze", "--step", "3d"], env=env)
    assert wrong.exit_code == 1 and "--step needs --windows" in wrong.output
