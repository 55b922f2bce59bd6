"""The Cancel button of a job in a real browser (issue 10, finding 9): Playwright driving
Debian's chromium, as ``tests/end_to_end/test_browser.py`` does, against the app served by uvicorn.

The analysis the page starts is made slow (it reports a step every 50 ms for a minute) so the
button can be clicked while it runs; everything else is real: the page's script, the
``DELETE /api/jobs/{id}``, the job's control raising at the next step, the database.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.main import create_app
from api.routes import jobs as job_routes
from graph.analysis.run import analyze
from graph.backends.falkordb import FalkorDBBackend
from graph.config import Settings
from graph.store import Store
from loaders.demo import generate_demo
from tests.support.chromium import chromium, serving
from tests.support.ingest import load_csv_dir

with contextlib.suppress(ImportError):  # without playwright chromium() skips (fails under CI)
    from playwright.sync_api import Browser, expect


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _slow_analysis(*args: Any, progress: Any, **kwargs: Any) -> Any:
    for step in range(1_200):
        progress(f"slow step {step}", step / 1_200)  # raises once the job is cancelled
        time.sleep(0.05)
    raise AssertionError("the analysis was never cancelled")


@pytest.fixture
def app_url(
    falkordb: FalkorDBBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    generate_demo(tmp_path / "demo", users=200, days=5)
    store = Store(falkordb)
    load_csv_dir(store, tmp_path / "demo", rejects_path=tmp_path / "rejects.txt")
    analyze(store)
    monkeypatch.setattr(job_routes, "run_analysis", _slow_analysis)
    app = create_app(Settings(RESONANCE_DATA_DIR=tmp_path / "data"), backend=falkordb)
    with serving(app) as url:
        yield url


def test_the_cancel_button_stops_a_running_analysis(browser: Browser, app_url: str) -> None:
    context = browser.new_context(base_url=app_url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto("/?since=2020-01-01&until=2020-01-05")  # a window not analysed: the notice
    notice = page.locator("#window-notice")
    expect(notice).to_be_visible()
    cancel = notice.locator("[data-action='cancel-job']")
    expect(cancel).to_be_hidden()
    notice.locator("[data-action='analyse-window']").click()
    progress = notice.locator("[data-field='progress']")
    expect(progress).to_contain_text("slow step", timeout=20_000)
    expect(cancel).to_be_visible()
    cancel.click()
    expect(progress).to_contain_text("Cancelled", timeout=10_000)
    expect(cancel).to_be_hidden()
    expect(notice.locator("[data-action='analyse-window']")).to_be_enabled()
    jobs = page.request.get("/api/jobs").json()
    assert jobs["items"][0]["state"] == "cancelled", jobs
    assert errors == []
    context.close()
