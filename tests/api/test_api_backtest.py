"""The backtest as an API job on small hand-made data in the real embedded database: the job's
result is the report ``backtest`` gives, bad input is refused with the field named, and the job
is listed, polled and cancelled like the others."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.routes import backtest as backtest_routes
from graph.analysis.profile import BUILT_IN
from graph.backends.falkordb import FalkorDBBackend
from graph.backtest.run import backtest
from graph.config import Settings
from graph.store import Store
from tests.graph.backtest.test_backtest import SPLIT, _write
from tests.support.api_client import api_client


@pytest.fixture
def client(falkordb: FalkorDBBackend, tmp_path: Path) -> Iterator[TestClient]:
    _write(Store(falkordb))
    settings = Settings(RESONANCE_DATA_DIR=tmp_path / "data")
    with api_client(create_app(settings, backend=falkordb)) as test_client:
        yield test_client


def _wait(client: TestClient, job_id: str, timeout_s: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    seen: list[float] = []
    while True:
        body: dict[str, Any] = client.get(f"/api/jobs/{job_id}").json()
        seen.append(body["progress"])
        if body["state"] not in ("queued", "running"):
            assert seen == sorted(seen)
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.05)


def _run(client: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    started = client.post("/api/jobs/backtest", json=body)
    assert started.status_code == 202, started.json()
    assert started.json()["kind"] == "backtest"
    done = _wait(client, started.json()["id"])
    assert done["state"] == "done", done
    return done


def test_the_job_reports_what_backtest_reports(
    client: TestClient, falkordb: FalkorDBBackend
) -> None:
    done = _run(client, {"split": "2026-09-27T14:13:20Z", "horizon": 2, "k": 4})
    expected = backtest(
        Store(falkordb), split=SPLIT, horizon_days=2, k=4, profile=BUILT_IN["default"]
    )
    assert done["result"] == asdict(expected)
    assert done["result"]["methods"][0]["method"] == "resonance (default)"
    assert done["progress"] == 1.0 and done["message"] == "done"
    listed = client.get("/api/jobs").json()["items"]
    assert listed[0]["id"] == done["id"] and listed[0]["kind"] == "backtest"


def test_a_share_split_and_the_defaults(client: TestClient, falkordb: FalkorDBBackend) -> None:
    shared = _run(client, {"split": "50%", "k": 4, "profile": "recent"})
    expected = backtest(Store(falkordb), split_share=0.5, k=4, profile=BUILT_IN["recent"])
    assert shared["result"] == asdict(expected)
    defaults = _run(client, {})
    assert defaults["result"] == asdict(backtest(Store(falkordb), split_share=0.7))


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"split": "70"}, "split"),
        ({"split": "0%"}, "between 0% and 100%"),
        ({"split": "2026-13-01"}, "split"),
        ({"split": "2026-10-01 12:00"}, "split"),
        ({"horizon": 0}, "horizon"),
        ({"k": 0}, "k"),
        ({"profile": "../x"}, "profile"),
        ({"profile": "nosuch"}, "nosuch"),
    ],
)
def test_bad_input_is_refused_with_what_is_wrong(
    client: TestClient, body: dict[str, Any], needle: str
) -> None:
    refused = client.post("/api/jobs/backtest", json=body)
    assert refused.status_code == 422, refused.json()
    assert needle in str(refused.json()["detail"])
    assert client.get("/api/jobs").json()["total"] == 0


def test_a_split_with_nothing_after_it_fails_the_job_with_the_reason(client: TestClient) -> None:
    started = client.post("/api/jobs/backtest", json={"split": "2030-01-01"})
    assert started.status_code == 202
    failed = _wait(client, started.json()["id"])
    assert failed["state"] == "failed" and "a backtest needs both" in failed["error"]


def test_one_job_at_a_time_and_cancel(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def slow(*_args: Any, progress: Any, **_kwargs: Any) -> Any:
        for step in range(600):
            progress(f"slow step {step}", step / 600)  # raises once the job is cancelled
            time.sleep(0.05)
        raise AssertionError("the backtest was never cancelled")

    monkeypatch.setattr(backtest_routes, "backtest", slow)
    started = client.post("/api/jobs/backtest", json={}).json()
    busy = client.post("/api/jobs/backtest", json={})
    assert busy.status_code == 409 and started["id"] in busy.json()["detail"]
    assert client.post("/api/jobs/analyze", json={}).status_code == 409
    assert client.delete(f"/api/jobs/{started['id']}").status_code == 202
    ended = _wait(client, started["id"])
    assert ended["state"] == "cancelled", ended
    assert client.post("/api/jobs/backtest", json={"k": 3}).status_code == 202


def test_the_page_lists_the_profiles(client: TestClient) -> None:
    page = client.get("/backtest")
    assert page.status_code == 200
    assert 'src="/static/backtest.js"' in page.text and "<script>" not in page.text
    assert '<option value="default" selected>' in page.text and "recent" in page.text
    assert 'href="/backtest" aria-current="page"' in page.text
