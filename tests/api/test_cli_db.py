"""`resonance db start|stop|status` and the CLI slice, as separate processes share one server."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.cli import _start_step
from graph.backends.falkordb import FalkorDBBackend
from graph.backends.falkordb_bulk import BulkBuilder
from graph.errors import GraphError
from graph.server import EmbeddedServer
from graph.server_watch import StartProgress
from loaders.demo import generate_demo


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("NEO4J_", "RESONANCE_"))
    }
    environment["RESONANCE_DATA_DIR"] = str(tmp_path / "data")
    yield environment
    _resonance(environment, "db", "stop")


def _resonance(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        env={**env, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_db_commands_and_data_survive_stop_start(env: dict[str, str], tmp_path: Path) -> None:
    status = _resonance(env, "db", "status")
    assert status.returncode == 3 and "not running" in status.stdout

    started = _resonance(env, "db", "start")
    assert started.returncode == 0 and "FalkorDB started" in started.stdout
    assert "already running" in _resonance(env, "db", "start").stdout
    assert "FalkorDB running" in _resonance(env, "db", "status").stdout

    generate_demo(tmp_path / "demo", users=200, days=5)
    loaded = _resonance(
        env, "load", "csv", str(tmp_path / "demo"), "--rejects", str(tmp_path / "r.txt")
    )
    assert loaded.returncode == 0, loaded.stderr
    assert "Load report" in loaded.stdout
    assert _resonance(env, "analyze").returncode == 0
    before = json.loads(_resonance(env, "stats", "--json").stdout)
    assert set(before) == {"users", "posts", "topics", "amplifications", "amplified_pairs"}
    assert before["users"] == 200 and before["amplifications"] > 500

    assert "FalkorDB stopped" in _resonance(env, "db", "stop").stdout
    assert _resonance(env, "db", "status").returncode == 3
    assert "FalkorDB started" in _resonance(env, "db", "start").stdout
    assert json.loads(_resonance(env, "stats", "--json").stdout) == before


def test_unusable_data_dir_is_a_clear_error(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    result = _resonance({**env, "RESONANCE_DATA_DIR": str(tmp_path / "file" / "d")}, "db", "start")
    assert result.returncode == 1
    assert "unusable" in result.stderr and "Traceback" not in result.stderr


def test_neo4j_down_is_a_clear_error(env: dict[str, str]) -> None:
    result = _resonance({**env, "NEO4J_URI": "bolt://127.0.0.1:1"}, "stats")
    assert result.returncode == 1
    assert "Neo4j is not reachable" in result.stderr and "Traceback" not in result.stderr


def _crash_on_every_start(data_dir: Path) -> None:
    """What the bulk path once did: GRAPH.BULK writes an id of 4,097 bytes (the loaders now
    refuse it; this bypasses them), then the unique constraint on ``User.id`` is created and
    the server dies (SIGSEGV in EnforceUniqueEntity). 50,000 good users make it die about
    0.4 s after it answers, at every later start."""
    server = EmbeddedServer(data_dir)
    info = server.start()
    backend = FalkorDBBackend.connect(
        info.host, info.port, info.password, "g", query_timeout_ms=60_000
    )
    bulk = BulkBuilder(backend.bulk_send)
    bulk.declare("User", ("id",))
    for number in range(50_000):
        bulk.node("User", (str(number),))
    bulk.node("User", ("W" * 4097,))
    bulk.finish()
    with contextlib.suppress(GraphError):
        backend.ensure_schema()
    server._wait_for_exit(info.pid, 30.0)
    assert server.status() is None


def test_db_start_reports_a_server_that_dies_right_after_starting_and_how_to_recover(
    env: dict[str, str], tmp_path: Path
) -> None:
    _crash_on_every_start(tmp_path / "data")
    result = _resonance(env, "db", "start")
    assert result.returncode == 1, result.stdout
    assert "FalkorDB started" not in result.stdout and "Traceback" not in result.stderr
    message = " ".join(result.stderr.split())
    assert "died" in message and "SIGSEGV in EnforceUniqueEntity" in message
    moves = re.findall(r"mv (\S+) (\S+?)[;,]", message)
    assert [Path(source).name for source, _ in moves][:1] == ["appendonlydir"]
    for source, target in moves:  # the advice works: with the data moved aside it starts
        Path(source).rename(target)
    again = _resonance(env, "db", "start")
    assert again.returncode == 0 and "FalkorDB started" in again.stdout


def test_start_step_says_what_the_database_is_doing() -> None:
    assert _start_step(StartProgress("loading", 12.0, 43.0, 20.0)) == (
        "FalkorDB is loading its data 43%, about 20 s left (12 s)"
    )
    assert "building its unique indexes" in _start_step(StartProgress("indexing", 1.0))
    assert _start_step(StartProgress("starting", 0.2)) == "starting FalkorDB (0 s)"


def test_db_backup_and_restore_through_the_command_line(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert "not running" in _resonance(env, "db", "backup", str(tmp_path / "b")).stderr
    assert _resonance(env, "db", "start").returncode == 0
    generate_demo(tmp_path / "demo", users=120, days=4)
    rejects = str(tmp_path / "r.txt")
    assert (
        _resonance(env, "load", "csv", str(tmp_path / "demo"), "--rejects", rejects).returncode == 0
    )
    saved = json.loads(_resonance(env, "stats", "--json").stdout)

    made = _resonance(env, "db", "backup", str(tmp_path / "b"))
    assert made.returncode == 0, made.stderr
    assert "backed up" in made.stdout and "resonance db restore" in made.stdout
    more = tmp_path / "more"
    more.mkdir()
    (more / "users.csv").write_text("id,handle\nlate-1,late_one\nlate-2,late_two\n")
    (more / "amplifications.csv").write_text(
        "id,amplifier_id,author_id,post_id,kind,created_at\n"
        "late-a1,late-1,late-2,,mention,2026-11-01T10:00:00Z\n"
    )
    assert _resonance(env, "load", "csv", str(more), "--rejects", rejects).returncode == 0
    assert json.loads(_resonance(env, "stats", "--json").stdout) != saved

    running = _resonance(env, "db", "restore", str(tmp_path / "b"), "--force")
    assert running.returncode == 1 and "resonance db stop" in running.stderr
    assert _resonance(env, "db", "stop").returncode == 0
    refused = _resonance(env, "db", "restore", str(tmp_path / "b"))
    assert refused.returncode == 1 and "--force" in refused.stderr
    assert "Traceback" not in refused.stderr
    restored = _resonance(env, "db", "restore", str(tmp_path / "b"), "--force")
    assert restored.returncode == 0, restored.stderr
    assert _resonance(env, "db", "start").returncode == 0
    assert json.loads(_resonance(env, "stats", "--json").stdout) == saved
