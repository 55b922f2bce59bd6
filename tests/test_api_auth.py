"""The API token: changes need it when set; everything under /api needs it beyond localhost."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli import app as cli
from api.main import create_app
from graph.backends.falkordb import FalkorDBBackend
from graph.config import Settings
from graph.errors import ConfigError

TOKEN = "s3cret-token-for-tests"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


def _client(backend: FalkorDBBackend, tmp_path: Path, **env: str) -> TestClient:
    settings = Settings(RESONANCE_DATA_DIR=tmp_path, **env)  # type: ignore[arg-type]
    return TestClient(create_app(settings, backend=backend))


@pytest.fixture
def local(falkordb: FalkorDBBackend, tmp_path: Path) -> Iterator[TestClient]:
    falkordb.write("CREATE (:User {id: 'u1', handle: 'one'})")
    with _client(falkordb, tmp_path, RESONANCE_API_TOKEN=TOKEN) as client:
        yield client


@pytest.fixture
def exposed(falkordb: FalkorDBBackend, tmp_path: Path) -> Iterator[TestClient]:
    falkordb.write("CREATE (:User {id: 'u1', handle: 'one'})")
    env = {"RESONANCE_HOST": "0.0.0.0", "RESONANCE_API_TOKEN": TOKEN}
    with _client(falkordb, tmp_path, **env) as client:
        yield client


def test_binding_beyond_localhost_needs_a_token(falkordb: FalkorDBBackend, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="RESONANCE_API_TOKEN"):
        create_app(Settings(RESONANCE_HOST="0.0.0.0"), backend=falkordb)
    result = CliRunner().invoke(
        cli, ["serve", "--host", "0.0.0.0"], env={"RESONANCE_DATA_DIR": str(tmp_path)}
    )
    assert result.exit_code != 0 and "RESONANCE_API_TOKEN" in result.output
    for host in ("127.0.0.1", "localhost"):
        create_app(Settings(RESONANCE_HOST=host), backend=falkordb)


def test_local_with_a_token_guards_changes_only(local: TestClient) -> None:
    assert local.get("/api/shortlists").status_code == 200
    assert local.get("/api/influencers").status_code == 200
    refused = local.post("/api/shortlists", json={"name": "x"})
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    wrong = {"Authorization": "Bearer nope"}
    assert local.post("/api/shortlists", json={"name": "x"}, headers=wrong).status_code == 401
    basic = {"Authorization": f"Basic {TOKEN}"}
    assert local.post("/api/shortlists", json={"name": "x"}, headers=basic).status_code == 401
    created = local.post("/api/shortlists", json={"name": "x"}, headers=BEARER)
    assert created.status_code == 201
    shortlist = created.json()["id"]
    assert local.put(f"/api/shortlists/{shortlist}/members/u1", json={}).status_code == 401
    put = local.put(f"/api/shortlists/{shortlist}/members/u1", json={}, headers=BEARER)
    assert put.status_code == 200
    assert local.delete(f"/api/shortlists/{shortlist}/members/u1").status_code == 401
    assert local.delete(f"/api/shortlists/{shortlist}").status_code == 401
    assert local.post("/api/jobs/analyze", json={}).status_code == 401
    files = [("files", ("users.csv", b"id,handle\n", "text/csv"))]
    assert local.post("/api/jobs/load", files=files).status_code == 401
    assert local.post("/api/console", json={"query": "RETURN 1"}).status_code == 401
    assert local.delete(f"/api/shortlists/{shortlist}", headers=BEARER).status_code == 204


def test_exposed_guards_reads_too(exposed: TestClient) -> None:
    for path in ("/api/influencers", "/api/shortlists", "/api/topics", "/api/users/u1"):
        assert exposed.get(path).status_code == 401, path
        assert exposed.get(path, headers=BEARER).status_code == 200, path
    assert exposed.get("/health").status_code == 200
    assert exposed.post("/api/shortlists", json={"name": "x"}).status_code == 401
    assert exposed.post("/api/shortlists", json={"name": "x"}, headers=BEARER).status_code == 201


def test_no_token_locally_changes_freely(falkordb: FalkorDBBackend, tmp_path: Path) -> None:
    with _client(falkordb, tmp_path) as client:
        assert client.post("/api/shortlists", json={"name": "x"}).status_code == 201
