"""The backtest page in a real browser (Playwright driving Debian's chromium) against the app
served by uvicorn, on the small hand-made data of ``tests/graph/backtest`` in the real embedded
database, with the pages' own CSP on: the form starts the job, the table and the chart show
the report, and nothing is refused or thrown."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import pytest

from api.main import create_app
from graph.backends.falkordb import FalkorDBBackend
from graph.backtest.run import backtest
from graph.config import Settings
from graph.store import Store
from tests.graph.backtest.test_backtest import _write
from tests.support.chromium import chromium, open_page, serving

with contextlib.suppress(ImportError):  # without playwright chromium() skips (fails under CI)
    from playwright.sync_api import Browser, Page, expect


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def app_url(falkordb: FalkorDBBackend, tmp_path: Path) -> Iterator[str]:
    _write(Store(falkordb))
    app = create_app(Settings(RESONANCE_DATA_DIR=tmp_path / "data"), backend=falkordb)
    with serving(app) as url:
        yield url


@pytest.fixture
def page(browser: Browser, app_url: str) -> Iterator[tuple[Page, list[str]]]:
    opened, problems = open_page(browser, app_url)
    yield opened, problems
    opened.context.close()


def test_the_form_runs_the_backtest_and_draws_the_table_and_the_chart(
    page: tuple[Page, list[str]], falkordb: FalkorDBBackend
) -> None:
    opened, problems = page
    opened.goto("/backtest")
    expect(opened.locator("nav.pages a[aria-current='page']")).to_have_text("Backtest")
    opened.fill("input[name='split']", "50%")
    opened.fill("input[name='k']", "4")
    opened.select_option("select[name='profile']", "default")
    opened.click("#backtest-form button[type='submit']")
    expect(opened.locator("#backtest-form [data-field='progress']")).to_have_text(
        "Done.", timeout=30_000
    )
    report = asdict(backtest(Store(falkordb), split_share=0.5, k=4))
    rows = opened.locator("#backtest-table tbody tr")
    expect(rows).to_have_count(len(report["methods"]))
    for index, method in enumerate(report["methods"]):
        cells = rows.nth(index).locator("td")
        expect(cells).to_have_text(
            [
                method["method"],
                f"{method['ndcg_amplifiers']:.3f}",
                f"{method['precision_amplifiers']:.2f}",
                f"{method['ndcg_reach']:.3f}",
                f"{method['precision_reach']:.2f}",
            ]
        )
    bars = opened.locator("#backtest-chart svg rect[data-outcome]")
    expect(bars).to_have_count(2 * len(report["methods"]))
    values = [float(bars.nth(i).get_attribute("data-value") or "nan") for i in range(2)]
    first = report["methods"][0]
    assert values == [first["ndcg_amplifiers"], first["ndcg_reach"]]
    widths = [float(bars.nth(i).get_attribute("width") or 0) for i in range(bars.count())]
    assert max(widths) > 100
    verdict = opened.locator("[data-field='verdict']")
    expect(verdict).to_contain_text("resonance (default) scores NDCG@4")
    expect(verdict).to_contain_text("times the best baseline on distinct amplifiers")
    assert opened.evaluate("document.documentElement.scrollWidth") <= 1280
    assert problems == []


def test_bad_input_and_a_failed_job_are_told_on_the_page(page: tuple[Page, list[str]]) -> None:
    opened, problems = page
    opened.goto("/backtest")
    progress = opened.locator("#backtest-form [data-field='progress']")
    opened.fill("input[name='split']", "0%")
    opened.click("#backtest-form button[type='submit']")
    expect(progress).to_contain_text("between 0% and 100%")
    opened.fill("input[name='split']", "2030-01-01")
    opened.click("#backtest-form button[type='submit']")
    expect(progress).to_contain_text("a backtest needs both", timeout=30_000)
    expect(opened.locator("#backtest-result")).to_be_hidden()
    # the refused POST is a 422 the browser logs as a failed resource, nothing else
    assert [text for text in problems if "status of 422" not in text] == []
