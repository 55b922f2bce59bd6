"""``POST /api/console`` on a memory-capped replica of the session's server."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from graph.backends.falkordb import FalkorDBBackend
from graph.config import Settings
from graph.console.falkordb import FalkorDBConsole
from graph.console.replica import ConsoleReplica
from graph.server import EmbeddedServer, ServerInfo
from tests.graph.console.test_console import KILLER, MEM, _gone
from tests.support.api_client import api_client


@pytest.fixture
def console(server: ServerInfo, graph_name: str) -> Iterator[FalkorDBConsole]:
    replica = ConsoleReplica(
        EmbeddedServer(server.data_dir), timeout_ms=5_000, max_rows=50, mem_bytes=MEM
    )
    replica.start()
    made = FalkorDBConsole(replica, graph_name)
    yield made
    pid = made.replica.pid
    made.close()
    assert _gone(pid), f"replica {pid} still running"


@pytest.fixture
def client(
    falkordb: FalkorDBBackend, console: FalkorDBConsole, server: ServerInfo, graph_name: str
) -> Iterator[TestClient]:
    falkordb.write(
        "UNWIND range(1, 30) AS i CREATE (:User {id: toString(i), n: i, handle: 'u' + toString(i)})"
    )
    settings = Settings(RESONANCE_DATA_DIR=server.data_dir, RESONANCE_GRAPH=graph_name)
    with api_client(create_app(settings, backend=falkordb, console=console)) as test_client:
        yield test_client


def _run(client: TestClient, query: str, params: dict[str, Any] | None = None) -> Any:
    return client.post("/api/console", json={"query": query, "params": params or {}})


def _eventually(client: TestClient, query: str, expected: list[list[Any]]) -> None:
    """Replication is asynchronous: wait until the replica shows the main server's writes."""
    deadline = time.monotonic() + 10
    while True:
        response = _run(client, query)
        if response.status_code == 200 and response.json()["rows"] == expected:
            return
        assert time.monotonic() < deadline, response.json()
        time.sleep(0.05)


def test_a_read_returns_rows_and_nodes(client: TestClient) -> None:
    _eventually(client, "MATCH (u:User) RETURN count(u)", [[30]])
    response = _run(client, "MATCH (u:User {id: $id}) RETURN u, u.n AS n", {"id": "7"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"columns", "rows", "truncated", "elapsed_ms", "nodes", "relationships"}
    assert body["columns"] == ["u", "n"] and body["truncated"] is False
    assert body["rows"][0][1] == 7
    assert [node["properties"]["handle"] for node in body["nodes"]] == ["u7"]
    assert body["nodes"][0]["labels"] == ["User"] and body["relationships"] == []


def test_a_write_is_refused(client: TestClient) -> None:
    response = _run(client, "CREATE (:User {id: 'x'})")
    assert response.status_code == 422
    assert "read-only" in response.json()["detail"]
    empty = client.post("/api/console", json={"query": ""})
    assert empty.status_code == 422


def test_the_row_cap_truncates(client: TestClient) -> None:
    body = _run(client, "UNWIND range(1, 100) AS i RETURN i").json()
    assert body["truncated"] is True
    assert [row[0] for row in body["rows"]] == list(range(1, 51))


def test_a_runaway_query_is_refused_and_the_service_lives(
    client: TestClient, console: FalkorDBConsole
) -> None:
    response = _run(client, KILLER)
    assert response.status_code == 422, response.json()
    assert "stopped" in response.json()["detail"]
    health = client.get("/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    console.wait_ready(30)
    _eventually(client, "MATCH (u:User) RETURN count(u)", [[30]])


def test_the_app_opens_its_own_console_lazily_and_closes_it(
    falkordb: FalkorDBBackend, server: ServerInfo, graph_name: str
) -> None:
    settings = Settings(
        RESONANCE_DATA_DIR=server.data_dir,
        RESONANCE_GRAPH=graph_name,
        RESONANCE_CONSOLE_MEM_BYTES=MEM,
    )
    falkordb.write("CREATE (:User {id: 'one'})")
    app = create_app(settings, backend=falkordb)
    with api_client(app) as test_client:
        assert app.state.consoles._console is None
        _eventually(test_client, "MATCH (u:User) RETURN u.id", [["one"]])
        opened = app.state.consoles._console
        assert isinstance(opened, FalkorDBConsole)
        pid = opened.replica.pid
    assert app.state.consoles._console is None
    assert _gone(pid)
