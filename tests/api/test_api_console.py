"""``POST /api/console``: on a memory-capped replica of the session's server, and on Neo4j's
console when NEO4J_URI is set."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from graph.backends.base import Backend
from graph.backends.falkordb import FalkorDBBackend
from graph.config import Settings
from graph.console.falkordb import FalkorDBConsole
from graph.console.replica import ConsoleReplica
from graph.server import EmbeddedServer, ServerInfo
from tests.graph.console.test_console import KILLER, MEM, _gone
from tests.support.api_client import api_client
from tests.support.graph_reads import THIRTY_USERS

NEO4J_SUITE = "console suite"


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
    request: pytest.FixtureRequest, backend: Backend, app_settings: Settings
) -> Iterator[TestClient]:
    """The app on thirty accounts: on FalkorDB with the replica of ``console``, on Neo4j with
    the console the app opens from its Settings (the same caps)."""
    settings = app_settings.model_copy(update={"console_timeout_ms": 5_000, "console_max_rows": 50})
    console = request.getfixturevalue("console") if backend.name == "falkordb" else None
    backend.write(THIRTY_USERS)
    with api_client(create_app(settings, backend=backend, console=console)) as test_client:
        yield test_client


@pytest.fixture
def falkor_client(
    falkordb: FalkorDBBackend, console: FalkorDBConsole, settings_for: Settings
) -> Iterator[TestClient]:
    """``client`` on FalkorDB only, for what only its replica does (a memory cap that stops a
    runaway query)."""
    falkordb.write(THIRTY_USERS)
    with api_client(create_app(settings_for, backend=falkordb, console=console)) as test_client:
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


# FalkorDB only: the replica's memory cap stops it (Neo4j's console has its own timeout).
def test_a_runaway_query_is_refused_and_the_service_lives(
    falkor_client: TestClient, console: FalkorDBConsole
) -> None:
    client = falkor_client
    response = _run(client, KILLER)
    assert response.status_code == 422, response.json()
    assert "stopped" in response.json()["detail"]
    health = client.get("/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    console.wait_ready(30)
    _eventually(client, "MATCH (u:User) RETURN count(u)", [[30]])


# FalkorDB only: the console it opens is a replica process, whose end is checked.
def test_the_app_opens_its_own_console_lazily_and_closes_it(
    falkordb: FalkorDBBackend, server: ServerInfo, graph_name: str
) -> None:
    settings = Settings(
        NEO4J_URI=None,
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


def test_rows_as_csv_are_safe_for_spreadsheets(client: TestClient) -> None:
    _eventually(client, "MATCH (u:User) RETURN count(u)", [[30]])
    query = (
        "MATCH (u:User) WHERE u.n <= 3 "
        "RETURN u.id AS id, u.n AS n, u AS node, '=HYPERLINK(1)' AS risky, [u.n, 'x'] AS list "
        "ORDER BY n"
    )
    response = client.post("/api/console.csv", json={"query": query, "params": {}})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["id", "n", "node", "risky", "list"]
    assert [row[0] for row in rows[1:]] == ["1", "2", "3"]
    assert rows[1][1] == "1" and rows[1][2] == "(:User 1)"
    assert rows[1][3] == "'=HYPERLINK(1)" and rows[1][4] == '[1, "x"]'


@pytest.mark.parametrize(
    ("query", "detail"),
    [("CREATE (:X)", "read-only"), ("MATCH (n RETURN n", "not valid Cypher")],
)
def test_csv_refuses_what_the_console_refuses(client: TestClient, query: str, detail: str) -> None:
    response = client.post("/api/console.csv", json={"query": query, "params": {}})
    assert response.status_code == 422 and detail in response.json()["detail"]


def test_csv_keeps_the_row_cap(client: TestClient) -> None:
    _eventually(client, "MATCH (u:User) RETURN count(u)", [[30]])
    query = "UNWIND range(1, 500) AS i RETURN i"
    response = client.post("/api/console.csv", json={"query": query, "params": {}})
    assert len(list(csv.reader(io.StringIO(response.text)))) == 1 + 50
