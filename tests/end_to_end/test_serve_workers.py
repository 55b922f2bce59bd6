"""`resonance serve --workers 2` against the real embedded database: jobs submitted and polled
through fresh connections (which the two worker processes share between them) read the same,
and one job runs at a time across them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from graph.server import ServerInfo
from loaders.demo import generate_demo

ROOT = Path(__file__).resolve().parents[2]
SAME = {"X-Requested-With": "Resonance", "Connection": "close"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def served(server: ServerInfo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "RESONANCE_"))}
    env |= {
        "RESONANCE_DATA_DIR": str(server.data_dir),
        "RESONANCE_GRAPH": f"t_{uuid.uuid4().hex[:12]}",
        "RESONANCE_PORT": str(port),
        "PYTHONPATH": str(ROOT),
    }
    folder = tmp_path_factory.mktemp("workers")
    log = folder / "serve.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--workers", "2"],
            env=env,
            cwd=folder,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, log.read_text()
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        assert "2 worker processes" in log.read_text()
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


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


def test_jobs_through_two_workers(served: str, tmp_path: Path) -> None:
    generate_demo(tmp_path / "demo", users=3000, days=20)
    files = [
        ("files", (name, (tmp_path / "demo" / name).read_bytes(), "text/csv"))
        for name in ("users.csv", "posts.csv", "amplifications.csv")
    ]
    submitted = _fresh(served, "POST", "/api/jobs/load", files=files)
    assert submitted.status_code == 202, submitted.text
    job_id = submitted.json()["id"]
    refused, analysis_id = 0, None
    while analysis_id is None:
        polled = _fresh(served, "GET", f"/api/jobs/{job_id}")
        assert polled.status_code == 200, polled.text  # whichever worker answers knows it
        if polled.json()["state"] not in ("queued", "running"):
            break
        second = _fresh(served, "POST", "/api/jobs/analyze", json={})
        if second.status_code == 202:  # the load released the lock just before its record
            analysis_id = second.json()["id"]
        else:
            assert second.status_code == 409, second.text  # one job at a time, across both
            refused += 1
    assert refused >= 1, "the load ended before a second job could be refused"
    assert _until_ended(served, job_id)["state"] == "done"
    listed = [job["id"] for job in _fresh(served, "GET", "/api/jobs").json()["items"]]
    assert job_id in listed
    if analysis_id is None:
        analysis = _fresh(served, "POST", "/api/jobs/analyze", json={})
        assert analysis.status_code == 202, analysis.text
        analysis_id = analysis.json()["id"]
    assert _until_ended(served, analysis_id)["state"] == "done"
    for _ in range(10):  # every worker sees the analysis (the run stamp), whichever answers
        page = _fresh(served, "GET", "/api/influencers", params={"limit": 3})
        assert page.status_code == 200 and page.json()["total"] > 0
