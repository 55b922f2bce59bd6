"""The API token: with one set, every /api request needs it, whatever the bind address; beyond
localhost one of 16+ characters is required; wrong tokens are limited per client address."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from typer.testing import CliRunner

from api.auth import MIN_TOKEN_LENGTH
from api.cli import app as cli
from api.main import create_app
from api.throttle import MAX_FAILURES, FailureLimiter
from graph.backends.falkordb import FalkorDBBackend
from graph.config import Settings
from graph.errors import ConfigError
from tests.support.api_client import api_client

TOKEN = "s3cret-token-for-tests"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
WRONG = {"Authorization": "Bearer nope"}


def _client(backend: FalkorDBBackend, tmp_path: Path, **env: str) -> TestClient:
    settings = Settings(_env_file=None, RESONANCE_DATA_DIR=tmp_path, **env)  # type: ignore[call-arg]
    return api_client(create_app(settings, backend=backend))


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
        create_app(Settings(_env_file=None, RESONANCE_HOST="0.0.0.0"), backend=falkordb)
    result = CliRunner().invoke(
        cli, ["serve", "--host", "0.0.0.0"], env={"RESONANCE_DATA_DIR": str(tmp_path)}
    )
    assert result.exit_code != 0 and "RESONANCE_API_TOKEN" in result.output
    for host in ("127.0.0.1", "localhost"):
        create_app(Settings(_env_file=None, RESONANCE_HOST=host), backend=falkordb)


@pytest.mark.parametrize("blank", ["", "   ", "\t\n"])
def test_an_empty_token_is_no_token(
    falkordb: FalkorDBBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, blank: str
) -> None:
    """Was a token: docker-compose set RESONANCE_API_TOKEN="" and an empty Bearer matched."""
    monkeypatch.setenv("RESONANCE_API_TOKEN", blank)
    assert Settings(_env_file=None).api_token is None
    with pytest.raises(ConfigError, match="set RESONANCE_API_TOKEN"):
        create_app(Settings(_env_file=None, RESONANCE_HOST="0.0.0.0"), backend=falkordb)
    with _client(falkordb, tmp_path) as client:  # locally: no token, so nothing to log in to
        assert client.get("/api/shortlists").status_code == 200
        assert client.get("/login", follow_redirects=False).status_code == 303


def test_surrounding_blanks_are_not_part_of_the_token() -> None:
    settings = Settings(_env_file=None, RESONANCE_API_TOKEN=f"  {TOKEN}\n")  # type: ignore[call-arg]
    assert settings.api_token is not None and settings.api_token.get_secret_value() == TOKEN


@pytest.mark.parametrize("token", ["x", "a" * (MIN_TOKEN_LENGTH - 1)])
def test_a_short_token_is_refused_beyond_loopback(
    falkordb: FalkorDBBackend, tmp_path: Path, token: str
) -> None:
    """Was accepted: a one-character token guarded a server listening on 0.0.0.0."""
    exposed = Settings(_env_file=None, RESONANCE_HOST="0.0.0.0", RESONANCE_API_TOKEN=token)  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match=f"fewer than the {MIN_TOKEN_LENGTH} required"):
        create_app(exposed, backend=falkordb)
    result = CliRunner().invoke(
        cli,
        ["serve", "--host", "0.0.0.0"],
        env={"RESONANCE_DATA_DIR": str(tmp_path), "RESONANCE_API_TOKEN": token},
    )
    assert result.exit_code != 0 and f"{MIN_TOKEN_LENGTH}" in result.output
    local = Settings(_env_file=None, RESONANCE_API_TOKEN=token)  # type: ignore[call-arg]
    create_app(local, backend=falkordb)  # on loopback, the choice is the user's
    long_enough = "a" * MIN_TOKEN_LENGTH
    create_app(exposed.model_copy(update={"api_token": SecretStr(long_enough)}), backend=falkordb)


def test_with_a_token_on_loopback_every_api_read_needs_it(local: TestClient) -> None:
    """Were open on 127.0.0.1 (behind a TLS proxy, as the README suggests) while the pages
    showed a login wall: shortlist notes, jobs, the whole graph."""
    for path in (
        "/api/influencers",
        "/api/influencers.csv",
        "/api/shortlists",
        "/api/topics",
        "/api/users/u1",
        "/api/jobs",
        "/api/analysis",
        "/openapi.json",
    ):
        refused = local.get(path)
        assert refused.status_code == 401, path
        assert refused.headers["www-authenticate"] == "Bearer", path
        assert local.get(path, headers=BEARER).status_code in (200, 404), path
    assert local.get("/health").status_code == 200
    assert local.get("/docs", follow_redirects=False).headers["location"] == "/login?next=%2Fdocs"


def test_with_a_token_every_change_needs_it(local: TestClient) -> None:
    refused = local.post("/api/shortlists", json={"name": "x"})
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    assert local.post("/api/shortlists", json={"name": "x"}, headers=WRONG).status_code == 401
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
        assert client.get("/api/shortlists", headers=WRONG).status_code == 200


def test_wrong_bearer_tokens_get_429_with_retry_after_per_client_address(
    local: TestClient,
) -> None:
    """Were plain 401s, 1,000 of them in 30 s: a token could be guessed at line speed."""
    for _ in range(MAX_FAILURES):
        assert local.get("/api/influencers", headers=WRONG).status_code == 401
    limited = local.get("/api/influencers", headers=WRONG)
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert "too many wrong tokens" in limited.json()["detail"]
    # Blocked means blocked: the right token does not get through either (no guessing oracle)
    assert local.get("/api/influencers", headers=BEARER).status_code == 429
    created = local.post("/api/shortlists", json={"name": "x"}, headers=BEARER)
    assert created.status_code == 429
    # ... for that address only
    other = api_client(local.app, client=("192.0.2.7", 40000))
    assert other.get("/api/influencers", headers=BEARER).status_code == 200
    assert local.get("/health").status_code == 200  # no token tried: not limited


def test_failures_leave_the_window() -> None:
    now = [1000.0]
    limiter = FailureLimiter(max_failures=3, window_s=60, clock=lambda: now[0])
    for _ in range(3):
        assert limiter.retry_after("10.0.0.1") is None
        limiter.record("10.0.0.1")
        now[0] += 1
    assert limiter.retry_after("10.0.0.1") == 57
    assert limiter.retry_after("10.0.0.2") is None
    now[0] = 1060.5  # the first failure (at 1000) has left the window
    assert limiter.retry_after("10.0.0.1") is None
    # One machine's IPv6 addresses (a /64) are one client
    for suffix in ("1", "2", "3"):
        limiter.record(f"2001:db8:0:1::{suffix}")
    assert limiter.retry_after("2001:db8:0:1::99") is not None
    assert limiter.retry_after("2001:db8:0:2::1") is None
