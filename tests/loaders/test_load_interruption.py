"""A load interrupted by Ctrl-C, by `kill -9` of the loader or of the database, then run again,
ends with exactly the counts of an uninterrupted load.

The interrupted loads take the batched MERGE path (``--no-bulk``): the bulk path builds a new
graph in one pass, and any rerun over a part-built graph takes the batched path, tested here."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from graph.backends.falkordb import FalkorDBBackend
from graph.server import EmbeddedServer
from loaders.demo import generate_demo

Env = dict[str, str]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("interrupt-demo")
    generate_demo(folder, users=1500, days=20)
    return folder


@pytest.fixture
def env(tmp_path: Path) -> Iterator[Env]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("NEO4J_", "RESONANCE_"))
    }
    environment.update(
        RESONANCE_DATA_DIR=str(tmp_path / "data"), RESONANCE_BATCH_SIZE="300", COLUMNS="200"
    )
    yield environment
    EmbeddedServer(tmp_path / "data").stop()


def _cli(env: Env, graph: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        env={**env, "RESONANCE_GRAPH": graph},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _start_load(env: Env, graph: str, demo: Path, tmp_path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "api.cli",
            "load",
            "csv",
            str(demo),
            "--no-bulk",
            "--rejects",
            str(tmp_path / "rejects.txt"),
        ],
        env={**env, "RESONANCE_GRAPH": graph},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _stats(env: Env, graph: str) -> dict[str, int]:
    result = _cli(env, graph, "stats", "--json")
    assert result.returncode == 0, result.stderr
    stats: dict[str, int] = json.loads(result.stdout)
    return stats


def _wait_until_partly_loaded(env: Env, graph: str, process: subprocess.Popen[str]) -> None:
    info = EmbeddedServer(Path(env["RESONANCE_DATA_DIR"])).status()
    assert info is not None
    backend = FalkorDBBackend.connect(
        info.host, info.port, info.password, graph, query_timeout_ms=10_000
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert process.poll() is None, "the load finished before it could be interrupted"
            rows = backend.read("MATCH ()-[r:AMPLIFIED]->() RETURN count(r) AS n")
            if rows and int(rows[0]["n"]) > 1000:
                return
            time.sleep(0.05)
        pytest.fail("the load wrote no amplification in time")
    finally:
        backend.close()


def _reference(env: Env, demo: Path, tmp_path: Path) -> dict[str, int]:
    done = _cli(env, "reference", "load", "csv", str(demo), "--rejects", str(tmp_path / "r.txt"))
    assert done.returncode == 0, done.stderr
    return _stats(env, "reference")


def _interrupt_and_finish(
    env: Env, demo: Path, tmp_path: Path, interrupt: Callable[[subprocess.Popen[str]], None]
) -> tuple[subprocess.Popen[str], str]:
    assert _cli(env, "victim", "db", "start").returncode == 0
    process = _start_load(env, "victim", demo, tmp_path)
    _wait_until_partly_loaded(env, "victim", process)
    interrupt(process)
    _, stderr = process.communicate(timeout=120)
    partial = _stats(env, "victim")["amplifications"] if _db_running(env) else -1
    assert partial != 0
    return process, stderr


def _db_running(env: Env) -> bool:
    return EmbeddedServer(Path(env["RESONANCE_DATA_DIR"])).status() is not None


def test_kill_9_of_the_loader(env: Env, demo: Path, tmp_path: Path) -> None:
    expected = _reference(env, demo, tmp_path)
    process, _ = _interrupt_and_finish(env, demo, tmp_path, lambda p: p.send_signal(signal.SIGKILL))
    assert process.returncode == -signal.SIGKILL
    assert _stats(env, "victim") != expected  # really interrupted part-way
    again = _cli(env, "victim", "load", "csv", str(demo), "--rejects", str(tmp_path / "r.txt"))
    assert again.returncode == 0, again.stderr
    assert _stats(env, "victim") == expected


def test_ctrl_c_of_the_loader(env: Env, demo: Path, tmp_path: Path) -> None:
    expected = _reference(env, demo, tmp_path)
    process, stderr = _interrupt_and_finish(
        env, demo, tmp_path, lambda p: p.send_signal(signal.SIGINT)
    )
    assert process.returncode == 130
    assert "interrupted" in stderr and "Traceback" not in stderr
    again = _cli(env, "victim", "load", "csv", str(demo), "--rejects", str(tmp_path / "r.txt"))
    assert again.returncode == 0, again.stderr
    assert _stats(env, "victim") == expected


def test_kill_9_of_the_database(env: Env, demo: Path, tmp_path: Path) -> None:
    expected = _reference(env, demo, tmp_path)
    server = EmbeddedServer(Path(env["RESONANCE_DATA_DIR"]))
    process, stderr = _interrupt_and_finish(env, demo, tmp_path, lambda _p: server.kill())
    assert process.returncode == 1
    assert "not reachable" in stderr and "Traceback" not in stderr
    again = _cli(env, "victim", "load", "csv", str(demo), "--rejects", str(tmp_path / "r.txt"))
    assert again.returncode == 0, again.stderr
    assert _stats(env, "victim") == expected
    assert _stats(env, "reference") == expected  # the other graph survived the crash too
