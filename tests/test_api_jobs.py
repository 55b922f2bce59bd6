"""Background jobs through the API: upload the planted scenario, load it, analyse it."""

from __future__ import annotations

import csv
import gzip
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.jobs import JobBusy, JobRunner
from api.main import create_app
from graph.backends.falkordb import FalkorDBBackend
from graph.config import Settings
from graph.store import Store
from loaders.scenario import generate_scenario

TABLES = ("users", "posts", "amplifications")


@pytest.fixture
def client(falkordb: FalkorDBBackend, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(RESONANCE_DATA_DIR=tmp_path / "data")
    with TestClient(create_app(settings, backend=falkordb)) as test_client:
        yield test_client


def _wait(client: TestClient, job: dict[str, Any], timeout_s: float = 240) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    seen: list[float] = []
    while True:
        body = client.get(f"/api/jobs/{job['id']}").json()
        assert body["state"] in ("queued", "running", "done", "failed")
        assert 0 <= body["progress"] <= 1
        seen.append(body["progress"])
        if body["state"] in ("done", "failed"):
            assert seen == sorted(seen)
            return dict(body)
        assert time.monotonic() < deadline, body
        time.sleep(0.1)


def _rows(path: Path) -> int:
    with open(path, newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def test_upload_load_then_analyze(
    client: TestClient, falkordb: FalkorDBBackend, tmp_path: Path
) -> None:
    folder = tmp_path / "scenario"
    generate_scenario(folder)
    # one of the three gzipped: .gz uploads are read directly
    with open(folder / "posts.csv", "rb") as src, gzip.open(folder / "posts.csv.gz", "wb") as gz:
        gz.write(src.read())
    names = ["users.csv", "posts.csv.gz", "amplifications.csv"]
    files = [("files", (name, (folder / name).read_bytes(), "text/csv")) for name in names]
    started = client.post("/api/jobs/load", files=files)
    assert started.status_code == 202, started.json()
    job = started.json()
    assert set(job) >= {"id", "kind", "state", "progress", "message"} and job["kind"] == "load"
    done = _wait(client, job)
    assert done["state"] == "done", done
    stats = Store(falkordb).stats()
    assert stats.users == _rows(folder / "users.csv")
    assert stats.posts == _rows(folder / "posts.csv")
    assert stats.amplifications == _rows(folder / "amplifications.csv")
    assert done["result"]["loaded"]["amplifications"] == stats.amplifications
    assert not any((client.app.state.settings.data_dir / "uploads").iterdir())  # type: ignore[attr-defined]

    assert client.get("/api/influencers").json()["total"] == 0
    analysed = client.post("/api/jobs/analyze", json={"profile": "default"})
    assert analysed.status_code == 202 and analysed.json()["kind"] == "analyze"
    result = _wait(client, analysed.json())
    assert result["state"] == "done", result
    assert result["result"]["users_scored"] > 0 and result["result"]["profile"] == "default"
    influencers = client.get("/api/influencers", params={"limit": 5}).json()
    assert influencers["total"] > 0
    assert [item["rank"] for item in influencers["items"]] == [1, 2, 3, 4, 5]


def test_bad_input_and_unknown_jobs(client: TestClient) -> None:
    assert client.get("/api/jobs/nope").status_code == 404
    assert client.post("/api/jobs/analyze", json={"profile": "nope"}).status_code == 422
    assert client.post("/api/jobs/analyze", json={"since": "yesterday"}).status_code == 422
    window = {"since": "2026-10-05", "until": "2026-10-01"}
    assert client.post("/api/jobs/analyze", json=window).status_code == 422
    files = [("files", ("a.txt", b"x", "text/plain"))]
    bad_format = client.post("/api/jobs/load", files=files, data={"format": "nope"})
    assert bad_format.status_code == 422
    hidden = [("files", (".env", b"x", "text/plain"))]
    assert client.post("/api/jobs/load", files=hidden).status_code == 422
    assert client.post("/api/jobs/load").status_code == 422


def test_a_failed_load_says_why(client: TestClient) -> None:
    files = [("files", ("edges.txt", b"a b\nb c\n", "text/plain"))]
    started = client.post("/api/jobs/load", files=files, data={"format": "graphml"})
    if started.status_code == 422:  # refused before it started: also a clear answer
        assert started.json()["detail"]
        return
    done = _wait(client, started.json())
    assert done["state"] == "failed" and done["error"]


def test_one_job_at_a_time() -> None:
    runner = JobRunner()
    release = threading.Event()

    def slow(report: Any) -> dict[str, Any]:
        report("waiting", 0.5)
        release.wait(10)
        return {"ok": True}

    first = runner.submit("analyze", slow)
    with pytest.raises(JobBusy):
        runner.submit("load", slow)
    release.set()
    deadline = time.monotonic() + 10
    while first.snapshot()["state"] != "done":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert first.snapshot()["result"] == {"ok": True}
    second = runner.submit("load", lambda report: {})
    assert runner.get(second.id) is second


def test_a_second_job_gets_409_while_one_runs(client: TestClient) -> None:
    release = threading.Event()
    runner: JobRunner = client.app.state.jobs  # type: ignore[attr-defined]
    runner.submit("load", lambda report: {"waited": release.wait(10)})
    try:
        busy = client.post("/api/jobs/analyze", json={})
        assert busy.status_code == 409 and "running" in busy.json()["detail"]
    finally:
        release.set()
