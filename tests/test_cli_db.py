"""`resonance db start|stop|status` and the CLI slice, as separate processes share one server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

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
