"""The run history in a real browser (Playwright driving Debian's chromium) against the app
served by uvicorn, on the real embedded database with the pages' own CSP on: two real analyses
of different windows of the demo data, then the network page's side panel draws the focused
account's rank across the runs, the influencer table a sparkline per row, and ``/runs`` lists
the runs and shows their comparison and the rising voices, as the API computes them; with one
run kept, the panel says so. Nothing is refused or thrown, and nothing overflows at 1280 px."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from api.main import create_app
from graph.analysis.run import analyze
from graph.backends.falkordb import FalkorDBBackend
from graph.config import Settings
from graph.runs import movement
from graph.runs.history import list_runs
from graph.runs.trajectory import trajectory
from graph.store import Store
from loaders.demo import generate_demo
from tests.support.chromium import chromium, open_page, serving
from tests.support.ingest import load_csv_dir
from tests.support.run_history import add_accounts, write_run

with contextlib.suppress(ImportError):  # without playwright chromium() skips (fails under CI)
    from playwright.sync_api import Browser, Page, expect

WIDTH = 1280


def _ms(day: int) -> int:
    return int(datetime(2026, 10, day, tzinfo=UTC).timestamp() * 1000)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _fits(opened: Page) -> None:
    assert opened.evaluate("document.documentElement.scrollWidth") <= WIDTH


@pytest.fixture
def two_runs(falkordb: FalkorDBBackend, tmp_path: Path) -> Iterator[tuple[Store, str]]:
    """The demo (300 accounts over 10 days from 2026-10-01) analysed twice: its first 5 days,
    then all 10."""
    generate_demo(tmp_path / "demo", users=300, days=10)
    store = Store(falkordb, batch_size=2000)
    load_csv_dir(store, tmp_path / "demo", rejects_path=tmp_path / "rejects.txt")
    analyze(store, since=_ms(1), until=_ms(6))
    analyze(store, since=_ms(1), until=_ms(11))
    app = create_app(Settings(RESONANCE_DATA_DIR=tmp_path / "data"), backend=falkordb)
    with serving(app) as url:
        yield store, url


def test_the_history_on_the_network_the_table_and_the_runs_page(
    browser: Browser, two_runs: tuple[Store, str]
) -> None:
    store, url = two_runs
    later, earlier = list_runs(store)
    assert (later.until, earlier.until) == ("2026-10-11T00:00:00Z", "2026-10-06T00:00:00Z")
    compared = movement.compare(store)[2]
    risen = movement.risers(store)[2]
    assert compared and risen
    # an account ranked in both runs, and one that the earlier run did not rank (if any)
    steady = next(m for m in compared if m.earlier_rank is not None)
    opened, problems = open_page(browser, url, width=WIDTH)

    opened.goto(f"/?focus={steady.id}")
    panel = opened.locator("#details #trajectory")
    expect(panel).to_be_visible()
    points = opened.locator("#details #trajectory svg.rank-chart circle.point")
    expect(points).to_have_count(2)
    assert [points.nth(i).get_attribute("data-rank") for i in range(2)] == [
        str(steady.earlier_rank),
        str(steady.rank),
    ]
    assert opened.locator("#trajectory svg.rank-chart path.line").count() == 1
    dates = opened.locator("#trajectory svg.rank-chart text.date")
    expect(dates).to_have_text(["2026-10-06", "2026-10-11"])
    expect(panel.locator("[data-field='trajectory-note']")).to_have_text(
        "Ranked in 2 of 2 kept runs."
    )
    newcomer = next((m for m in compared if m.earlier_rank is None), None)
    if newcomer is not None:  # a gap, not a line, where the earlier run did not rank it
        opened.goto(f"/?focus={newcomer.id}")
        expect(opened.locator("#trajectory svg.rank-chart line.gap")).to_have_count(1)
        expect(opened.locator("#trajectory svg.rank-chart circle.point")).to_have_count(1)
    _fits(opened)

    opened.goto("/influencers")
    rows = opened.locator("#influencers tbody tr")
    expect(rows.first).to_be_visible()
    expect(opened.locator("#influencers td.trend svg.sparkline").first).to_be_visible()
    shown = rows.count()
    assert shown == 50
    with_line = opened.locator("#influencers td.trend svg.sparkline")
    expect(with_line).to_have_count(shown)  # every ranked account is known to both runs
    first_id = rows.first.get_attribute("data-user-id") or ""
    first = trajectory(store, first_id)
    spark = with_line.first
    assert spark.get_attribute("data-points") == "2"
    assert spark.get_attribute("data-ranked") == str(sum(p.rank is not None for p in first))
    _fits(opened)

    opened.goto("/runs")
    expect(opened.locator("nav.pages a[aria-current='page']")).to_have_text("Runs")
    runs = opened.locator("#runs-table tbody tr")
    expect(runs).to_have_count(2)
    assert [runs.nth(i).get_attribute("data-run-id") for i in range(2)] == [
        str(later.id),
        str(earlier.id),
    ]
    expect(runs.nth(0).locator("td").nth(3)).to_have_text("2026-10-01 \u2013 2026-10-11")
    expect(runs.nth(1).locator("td").nth(4)).to_have_text(f"{earlier.ranked:,}")
    assert opened.locator("select[name='from']").input_value() == str(earlier.id)
    assert opened.locator("select[name='to']").input_value() == str(later.id)
    table = opened.locator("#compare-table tbody tr")
    expect(table).to_have_count(len(compared))
    expect(table.nth(0).locator("td").nth(0)).to_have_text(f"#{compared[0].rank}")
    assert [table.nth(i).get_attribute("data-user-id") for i in range(len(compared))] == [
        m.id for m in compared
    ]
    index = compared.index(steady)
    cells = table.nth(index).locator("td")
    gain = steady.gain or 0
    expect(cells.nth(2)).to_have_text(f"#{steady.earlier_rank}")
    expect(cells.nth(3)).to_have_text(f"+{gain}" if gain > 0 else "=" if gain == 0 else str(gain))
    expect(cells.nth(7)).to_have_text(f"{steady.amplifiers:,}")
    risers = opened.locator("#risers-table tbody tr")
    expect(risers).to_have_count(len(risen))
    assert [risers.nth(i).get_attribute("data-user-id") for i in range(len(risen))] == [
        m.id for m in risen
    ]
    expect(risers.nth(0).locator("td").nth(3)).to_have_text(f"+{risen[0].gain}")
    # a stricter audience and a shorter top, asked on the form
    opened.fill("input[name='top']", "5")
    opened.fill("input[name='min_audience']", "1000000")
    opened.click("#compare-form button[type='submit']")
    expect(table).to_have_count(5)
    expect(risers).to_have_count(1)
    expect(risers.first).to_have_text("No account with that audience climbed.")
    _fits(opened)
    assert problems == []


def test_one_run_kept_is_said_not_drawn(browser: Browser, falkordb: FalkorDBBackend) -> None:
    store = Store(falkordb, batch_size=100)
    store.ensure_schema()
    add_accounts(store)
    write_run(store, 1_000, {"a": (1, 9), "b": (2, 4), "c": (3, 6)})
    with serving(create_app(Settings(), backend=falkordb)) as url:
        opened, problems = open_page(browser, url, width=WIDTH)
        opened.goto("/?focus=a")
        note = opened.locator("#details #trajectory [data-field='trajectory-note']")
        expect(note).to_have_text("One run only: the trajectory shows once two runs are kept.")
        assert opened.locator("#trajectory svg").count() == 0
        opened.goto("/influencers")
        expect(opened.locator("#influencers td.trend").first).to_have_text("—")
        assert opened.locator("#influencers svg.sparkline").count() == 0
        opened.goto("/runs")
        expect(opened.locator("#runs-summary")).to_have_text(
            "1 run kept, newest first; two are needed to compare."
        )
        expect(opened.locator("#compare-form")).to_be_hidden()
        expect(opened.locator("#compare-card")).to_be_hidden()
        _fits(opened)
        assert problems == []


def test_a_run_that_did_not_rank_the_account_is_a_gap(
    browser: Browser, falkordb: FalkorDBBackend
) -> None:
    """d: #3, then not ranked, then #1; the chart marks the runs, breaks the line at the gap."""
    store = Store(falkordb, batch_size=100)
    store.ensure_schema()
    add_accounts(store)
    write_run(store, 1_000, {"a": (1, 9), "b": (2, 4), "d": (3, 6)}, until="2026-01-01")
    write_run(store, 2_000, {"a": (1, 9), "b": (2, 4), "d": (None, 0)}, until="2026-02-01")
    write_run(store, 3_000, {"d": (1, 8), "a": (2, 9), "b": (3, 4)}, until="2026-03-01")
    with serving(create_app(Settings(), backend=falkordb)) as url:
        opened, problems = open_page(browser, url, width=WIDTH)
        opened.goto("/?focus=d")
        chart = opened.locator("#details #trajectory svg.rank-chart")
        expect(chart.locator("circle.point")).to_have_count(2)
        ranks = [chart.locator("circle.point").nth(i).get_attribute("data-rank") for i in (0, 1)]
        assert ranks == ["3", "1"]
        expect(chart.locator("line.gap")).to_have_count(1)
        assert chart.locator("line.gap").get_attribute("data-run") == "2000"
        assert (chart.locator("path.line").get_attribute("d") or "").count("M") == 2
        expect(chart.locator("text.date")).to_have_text(["2026-01-01", "2026-02-01", "2026-03-01"])
        # the higher rank is drawn higher: 1 at the top
        ys = [float(chart.locator("circle.point").nth(i).get_attribute("cy") or 0) for i in (0, 1)]
        assert ys[1] < ys[0]
        expect(opened.locator("#trajectory [data-field='trajectory-note']")).to_have_text(
            "Ranked in 2 of 3 kept runs; a gap is a run that did not rank it."
        )
        opened.goto("/influencers")
        spark = opened.locator("#influencers tr[data-user-id='d'] svg.sparkline")
        expect(spark).to_have_attribute("data-ranked", "2")
        expect(spark.locator("circle.point")).to_have_count(2)  # both isolated points shown
        _fits(opened)
        assert problems == []
