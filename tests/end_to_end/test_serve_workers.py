"""`resonance serve --workers 2` against the real embedded database: jobs submitted and polled
through fresh connections (which the two worker processes share between them) read the same,
one job runs at a time across them, and both workers' console queries run on the one replica
that the serving process owns."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from graph.backends.falkordb import FalkorDBBackend
from graph.server import ServerInfo
from loaders.demo import generate_demo
from tests.graph.console.test_console import KILLER, MEM
from tests.support.served import clean_env, served

SAME = {"X-Requested-With": "Resonance", "Connection": "close"}


GRAPH = f"t_{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def served_url(server: ServerInfo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = clean_env(
        RESONANCE_DATA_DIR=str(server.data_dir),
        RESONANCE_GRAPH=GRAPH,
        RESONANCE_CONSOLE_MEM_BYTES=str(MEM),
    )
    log = tmp_path_factory.mktemp("workers") / "serve.log"
    with served(env, log, "--workers", "2", start_timeout_s=90) as port:
        assert "2 worker processes" in log.read_text()
        yield f"http://127.0.0.1:{port}"


def _fresh(url: str, method: str, path: str, **kwargs: object) -> httpx.Response:
    """One request on a new connection (so either worker may take it)."""
    with httpx.Client(base_url=url, headers=SAME, timeout=60) as client:
        return client.request(method, path, **kwargs)  # type: ignore[arg-type]


def _until_ended(url: str, job_id: str, timeout_s: float = 300) -> dict[str, object]:
    deadline = time.monotonic() + timeout_s
    while True:
        polled = _fresh(url, "GET", f"/api/jobs/{job_id}")
        assert polled.status_code == 200, polled.text  # whichever worker answers knows it
        job: dict[str, object] = polled.json()
        if job["state"] not in ("queued", "running"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.05)


def test_jobs_through_two_workers(served_url: str, tmp_path: Path) -> None:
    generate_demo(tmp_path / "demo", users=3000, days=20)
    files = [
        ("files", (name, (tmp_path / "demo" / name).read_bytes(), "text/csv"))
        for name in ("users.csv", "posts.csv", "amplifications.csv")
    ]
    submitted = _fresh(served_url, "POST", "/api/jobs/load", files=files)
    assert submitted.status_code == 202, submitted.text
    job_id = submitted.json()["id"]
    refused, analysis_id = 0, None
    while analysis_id is None:
        polled = _fresh(served_url, "GET", f"/api/jobs/{job_id}")
        assert polled.status_code == 200, polled.text  # whichever worker answers knows it
        if polled.json()["state"] not in ("queued", "running"):
            break
        second = _fresh(served_url, "POST", "/api/jobs/analyze", json={})
        if second.status_code == 202:  # the load released the lock just before its record
            analysis_id = second.json()["id"]
        else:
            assert second.status_code == 409, second.text  # one job at a time, across both
            refused += 1
    assert refused >= 1, "the load ended before a second job could be refused"
    assert _until_ended(served_url, job_id)["state"] == "done"
    listed = [job["id"] for job in _fresh(served_url, "GET", "/api/jobs").json()["items"]]
    assert job_id in listed
    if analysis_id is None:
        analysis = _fresh(served_url, "POST", "/api/jobs/analyze", json={})
        assert analysis.status_code == 202, analysis.text
        analysis_id = analysis.json()["id"]
    assert _until_ended(served_url, analysis_id)["state"] == "done"
    for _ in range(10):  # every worker sees the analysis (the run stamp), whichever answers
        page = _fresh(served_url, "GET", "/api/influencers", params={"limit": 3})
        assert page.status_code == 200 and page.json()["total"] > 0


def _serving_pids(port: int) -> tuple[int, set[int]]:
    """The ``resonance serve`` process listening on ``port``, and its worker processes."""
    parent = None
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                args = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"serve" in args and str(port).encode() in args:
                parent = int(entry.name)
    assert parent is not None
    children = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                children.add(int(entry.name))
    return parent, children


def _console(url: str, query: str) -> httpx.Response:
    return _fresh(url, "POST", "/api/console", json={"query": query})


def _console_rows(url: str, query: str, timeout_s: float = 120) -> list[list[object]]:
    deadline = time.monotonic() + timeout_s
    while True:
        answered = _console(url, query)
        if answered.status_code == 200:
            rows: list[list[object]] = answered.json()["rows"]
            return rows
        assert answered.status_code == 503, answered.text  # the replica is syncing
        assert time.monotonic() < deadline, answered.text
        time.sleep(0.1)


def _replicas_of(folder: Path, pids: set[int]) -> list[int]:
    """The owners (pids) of the console replicas in ``folder`` that ``pids`` started."""
    owners = [int(path.parent.name.split("-")[0]) for path in folder.glob("*/replica.json")]
    return [owner for owner in owners if owner in pids]


def test_both_workers_share_one_console_replica(served_url: str, server: ServerInfo) -> None:
    backend = FalkorDBBackend.connect(
        server.host, server.port, server.password, GRAPH, query_timeout_ms=10_000
    )
    try:
        backend.write("CREATE (:Marker {id: 'shared-console'})")
    finally:
        backend.close()
    parent, workers = _serving_pids(int(served_url.rsplit(":", 1)[1]))
    assert len(workers) >= 2, workers
    folder = server.data_dir / "console"
    for _ in range(12):  # fresh connections: both workers take some
        assert _console_rows(served_url, "MATCH (m:Marker) RETURN m.id") == [["shared-console"]]
    # One replica, the serving process's: no worker started its own.
    assert _replicas_of(folder, {parent, *workers}) == [parent]
    # A runaway read through one worker kills it; every worker's next queries get the new one.
    killed = _console(served_url, KILLER)
    assert killed.status_code == 422 and "stopped" in killed.json()["detail"], killed.text
    for _ in range(6):
        assert _console_rows(served_url, "MATCH (m:Marker) RETURN count(m)") == [[1]]
    assert _replicas_of(folder, {parent, *workers}) == [parent]
