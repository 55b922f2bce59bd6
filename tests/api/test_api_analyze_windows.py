"""``POST /api/jobs/analyze`` with ``windows``: rolling windows as one background job on the real
embedded database, each window a run of the history."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from graph.backends.falkordb import FalkorDBBackend
from graph.config import Settings
from graph.store import Store
from loaders.demo import generate_demo
from tests.support.api_client import api_client
from tests.support.ingest import load_csv_dir


@pytest.fixture
def client(falkordb: FalkorDBBackend, tmp_path: Path) -> Iterator[TestClient]:
    generate_demo(tmp_path / "demo", users=300, days=21)
    load_csv_dir(Store(falkordb), tmp_path / "demo", rejects_path=tmp_path / "rejects.txt")
    settings = Settings(RESONANCE_DATA_DIR=tmp_path / "data")
    with api_client(create_app(settings, backend=falkordb)) as test_client:
        yield test_client


def _done(client: TestClient, job: dict[str, Any]) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while True:
        body: dict[str, Any] = client.get(f"/api/jobs/{job['id']}").json()
        if body["state"] not in ("queued", "running"):
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.05)


def test_rolling_windows_as_one_job_make_one_run_each(client: TestClient) -> None:
    started = client.post("/api/jobs/analyze", json={"windows": "6d", "step": "6d"})
    assert started.status_code == 202, started.text
    job = _done(client, started.json())
    assert job["state"] == "done", job
    windows = job["result"]["windows"]
    assert len(windows) == 3  # 21 days: three whole 6-day windows back from the end
    runs = client.get("/api/runs").json()
    assert len(runs) == 3
    assert job["result"]["events"] == windows[-1]["events"]
    latest = client.get("/api/analysis").json()
    assert latest["until"] == runs[0]["until"]  # newest first: the latest is the last window


@pytest.mark.parametrize(
    ("body", "field"),
    [({"windows": "a week"}, "windows"), ({"windows": "0d"}, "windows"), ({"step": "3d"}, "step")],
)
def test_bad_windows_are_a_422_naming_the_field(
    client: TestClient, body: dict[str, str], field: str
) -> None:
    refused = client.post("/api/jobs/analyze", json=body)
    assert refused.status_code == 422, refused.text
    assert field in refused.text
    assert client.get("/api/jobs").json()["total"] == 0


def test_windows_that_do_not_fit_end_the_job_failed_with_the_reason(client: TestClient) -> None:
    job = _done(client, client.post("/api/jobs/analyze", json={"windows": "52w"}).json())
    assert job["state"] == "failed" and "no whole window" in job["message"], job
