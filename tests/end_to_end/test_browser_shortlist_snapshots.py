"""The shortlists page in a real browser (Playwright driving Debian's chromium) against the
app served by uvicorn on the real embedded database: after a re-analysis under another profile
each member shows its standing when added and now, each labelled with its run, and the ranks it
climbed or fell; saving a note leaves the snapshot as it was."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.main import create_app
from graph.backends.falkordb import FalkorDBBackend
from graph.config import Settings
from graph.shortlists.lists import Shortlists
from graph.store import Store
from tests.conftest import ARTIFACTS
from tests.support.chromium import chromium, serving
from tests.support.shortlist_runs import first_analysis, load_accounts, turn_over

with contextlib.suppress(ImportError):  # without playwright chromium() skips (fails under CI)
    from playwright.sync_api import Browser, Page, expect


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def shortlist(falkordb: FalkorDBBackend) -> tuple[Store, str]:
    store = Store(falkordb, batch_size=100)
    load_accounts(store)
    first_analysis(store)
    lists = Shortlists(store)
    created = lists.create("Launch")
    for user_id in ("star", "riser"):
        lists.put_member(created.id, user_id)
    turn_over(store)
    return store, created.id


@pytest.fixture
def page(
    browser: Browser, falkordb: FalkorDBBackend, tmp_path: Path, shortlist: tuple[Store, str]
) -> Iterator[tuple[Page, list[str]]]:
    app = create_app(Settings(RESONANCE_DATA_DIR=tmp_path / "data"), backend=falkordb)
    with serving(app) as url:
        context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 800})
        opened = context.new_page()
        problems: list[str] = []
        opened.on("pageerror", lambda error: problems.append(str(error)))
        yield opened, problems
        context.close()


def test_members_show_then_and_now_with_the_rank_change(
    page: tuple[Page, list[str]], shortlist: tuple[Store, str]
) -> None:
    opened, problems = page
    store, list_id = shortlist
    members = {m.user.id: m for m in Shortlists(store).members(list_id)}
    first_run, latest_run = members["star"].added.run, members["star"].now.run
    assert first_run is not None and latest_run is not None
    opened.goto(f"/shortlists?id={list_id}")
    star = opened.locator("#members tbody tr[data-user-id='star']")
    expect(star).to_be_visible()
    expect(opened.locator("#members tbody tr")).to_have_count(2)
    expect(opened.locator("#members tbody tr").first).to_have_attribute("data-user-id", "riser")

    expect(star.locator("[data-field='added-standing']")).to_have_text("#1 · 100 · bridge")
    expect(star.locator("[data-field='added-run']")).to_have_text(
        f"run {first_run.run} · default · all events · analysed {first_run.analyzed_at}"
    )
    expect(star.locator("[data-field='now-standing']")).to_contain_text("#2 · ")
    expect(star.locator("[data-field='now-run']")).to_have_text(
        f"run {latest_run.run} · second · {latest_run.since} \u2013 … · analysed "
        f"{latest_run.analyzed_at}"
    )
    expect(star.locator("[data-field='rank-change']")).to_have_text("▼ 1")
    riser = opened.locator("#members tbody tr[data-user-id='riser']")
    expect(riser.locator("[data-field='rank-change']")).to_have_text("▲ 1")
    expect(riser.locator("[data-field='added-standing']")).to_contain_text("#2 · ")
    expect(opened.locator("#shortlist-now")).to_contain_text(f"run {latest_run.run} · second")

    star.locator("textarea[name='note']").fill("call in May")
    star.locator("[data-action='save-member']").click()
    expect(star.locator("[data-field='member-status']")).to_have_text("Saved")
    opened.reload()
    star = opened.locator("#members tbody tr[data-user-id='star']")
    expect(star.locator("textarea[name='note']")).to_have_value("call in May")
    expect(star.locator("[data-field='added-standing']")).to_have_text("#1 · 100 · bridge")
    expect(star.locator("[data-field='rank-change']")).to_have_text("▼ 1")
    ARTIFACTS.mkdir(exist_ok=True)
    opened.screenshot(path=str(ARTIFACTS / "browser-shortlist-then-and-now.png"), full_page=True)
    assert problems == []
