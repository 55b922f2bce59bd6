"""One job at a time across processes (issue 10, finding 11: a CLI analyze ran beside an API
analyze): the CLI and the API take ``<data dir>/job.lock``; real CLI processes here."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.jobs import JobRunner
from api.main import create_app
from graph.backends.falkordb import FalkorDBBackend
from graph.config import Settings
from graph.server import ServerInfo
from graph.store import Store
from loaders.formats.contract import CsvContractReader
from loaders.pipeline import load
from tests.support.api_client import api_client
from tests.support.scenario import generate_scenario

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(server: ServerInfo, graph_name: str) -> dict[str, str]:
    """The CLI's environment: the session server's data directory (and lock), this graph."""
    variables = {k: v for k, v in os.environ.items() if k != "NEO4J_URI"}
    return {**variables, "RESONANCE_DATA_DIR": str(server.data_dir), "RESONANCE_GRAPH": graph_name}


@pytest.fixture
def client(server: ServerInfo, falkordb: FalkorDBBackend) -> Iterator[TestClient]:
    settings = Settings(RESONANCE_DATA_DIR=server.data_dir)
    with api_client(create_app(settings, backend=falkordb)) as test_client:
        yield test_client


def _cli(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _holder_is(lock: Path, what: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while what not in (lock.read_text() if lock.exists() else ""):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the CLI never took the lock"
        time.sleep(0.005)


def _analyze_and_wait(client: TestClient) -> None:
    """Start an analysis (the lock is free) and wait for it: no job outlives its test, or it
    would hold the session server's lock for the next."""
    started = client.post("/api/jobs/analyze", json={})
    assert started.status_code == 202, started.json()
    deadline = time.monotonic() + 120
    while client.get(f"/api/jobs/{started.json()['id']}").json()["state"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_a_cli_load_holds_the_lock_and_the_api_answers_409_naming_it(
    client: TestClient, env: dict[str, str], server: ServerInfo, tmp_path: Path
) -> None:
    fifo = tmp_path / "edges.txt"
    os.mkfifo(fifo)  # the load waits on it: it holds the lock as long as the test wants
    rejects = tmp_path / "rejects.txt"
    cli = _cli(env, "load", "edgelist", str(fifo), "--rejects", str(rejects))
    try:
        _holder_is(server.data_dir / "job.lock", "resonance load (CLI)", cli)
        refused = client.post("/api/jobs/analyze", json={})
        assert refused.status_code == 409
        detail = refused.json()["detail"]
        assert "resonance load (CLI)" in detail and f"pid {cli.pid}" in detail
        files = [("files", ("e.txt", b"a b\n"))]
        assert client.post("/api/jobs/load", files=files).status_code == 409  # before upload
        with open(fifo, "w") as writer:
            writer.write("a b\nb c\n")
        assert cli.wait(timeout=60) == 0, cli.communicate()
    finally:
        cli.kill()
        cli.communicate()
    _analyze_and_wait(client)  # free again


def test_a_cli_analyze_blocks_an_api_analyze_and_a_killed_one_frees_the_lock(
    client: TestClient,
    env: dict[str, str],
    server: ServerInfo,
    falkordb: FalkorDBBackend,
    tmp_path: Path,
) -> None:
    generate_scenario(tmp_path / "scenario")
    load(Store(falkordb), [CsvContractReader(tmp_path / "scenario")])
    cli = _cli(env, "analyze")
    try:
        _holder_is(server.data_dir / "job.lock", "resonance analyze (CLI)", cli)
        os.kill(cli.pid, signal.SIGSTOP)  # frozen while it holds the lock
        refused = client.post("/api/jobs/analyze", json={})
        assert refused.status_code == 409, refused.json()
        assert "resonance analyze (CLI)" in refused.json()["detail"]
        cli.kill()  # kill -9: the kernel drops the lock with the process
        cli.wait(timeout=30)
    finally:
        cli.kill()
        cli.communicate()
    _analyze_and_wait(client)


def test_an_api_job_makes_cli_analyze_and_load_exit_1_naming_it(
    client: TestClient, env: dict[str, str], tmp_path: Path
) -> None:
    runner: JobRunner = client.app.state.jobs  # type: ignore[attr-defined]
    release = threading.Event()
    job = runner.submit("analyze", lambda control: {"waited": release.wait(60)})
    edges = tmp_path / "edges.txt"
    edges.write_text("a b\n")
    try:
        for args in (["analyze"], ["load", "edgelist", str(edges)]):
            cli = _cli(env, *args)
            out, err = cli.communicate(timeout=60)
            assert cli.returncode == 1, (out, err)
            message = err.strip()
            assert "\n" not in message, err  # one line
            assert f"another job is running: API analyze job {job.id}" in message, err
            assert f"pid {os.getpid()}" in message
    finally:
        release.set()
        deadline = time.monotonic() + 10
        while job.snapshot()["state"] == "running":
            assert time.monotonic() < deadline
            time.sleep(0.01)
