"""The read-only Cypher console: ``open_console(settings).run(query, params) -> ConsoleResult``.

FalkorDB: ``GRAPH.RO_QUERY`` (which refuses every write, write procedure and ``EXPLAIN
CREATE``) on the memory-capped replica of :mod:`graph.console.replica`, never on the main server.
Neo4j: a READ-mode session, an ``EXPLAIN`` that must report ``query_type == "r"``, then the
query with ``Query(text, timeout=...)``; the server's ``db.memory.transaction.max`` caps memory.
Both: a time limit, at most ``max_rows`` rows (``truncated`` says when there were more), no
LOAD CSV, and every refusal as :class:`ConsoleRefused` (HTTP 422) with the reason in words;
a restarting replica is :class:`ConsoleUnavailable` (HTTP 503).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any, Protocol

import neo4j
import redis
from falkordb import FalkorDB
from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable, SessionExpired
from redis.backoff import NoBackoff
from redis.retry import Retry

from graph.backends.falkordb_params import params_header
from graph.config import Settings
from graph.console.checks import (
    ConsoleRefused,
    check_query,
    explain_text,
    time_limit,
    why_write,
)
from graph.console.replica import (
    MAX_REPLY_BYTES,
    RESTARTING,
    ConsoleReplica,
    ConsoleUnavailable,
)
from graph.console.values import ConsoleResult, Elements, falkordb_element, neo4j_element
from graph.errors import GraphUnavailable
from graph.server import HOST, EmbeddedServer

__all__ = ["Console", "ConsoleRefused", "ConsoleResult", "ConsoleUnavailable", "open_console"]

Params = Mapping[str, Any]
#: How long a query waits for a replica that is (re)starting before it is told 503.
READY_WAIT_S = 5.0


class Console(Protocol):
    """What the API needs: run a query, wait out a restart, close (stops the replica)."""

    def run(self, query: str, params: Params | None = None) -> ConsoleResult: ...
    def wait_ready(self, timeout_s: float) -> None: ...
    def close(self) -> None: ...


# --------------------------------------------------------------------- FalkorDB
class FalkorDBConsole:
    """Console queries on the read-only replica of the embedded FalkorDB."""

    def __init__(
        self, replica: ConsoleReplica, graph_name: str, *, ready_wait_s: float = READY_WAIT_S
    ) -> None:
        self.replica = replica
        self.graph_name = graph_name
        self.ready_wait_s = ready_wait_s
        self.timeout_ms = replica.timeout_ms
        self.max_rows = replica.max_rows
        self._lock = threading.Lock()
        self._client: tuple[int, FalkorDB, Any] | None = None  # generation, client, graph

    def _graph(self, generation: int, port: int, password: str) -> Any:
        with self._lock:
            if self._client is None or self._client[0] != generation:
                if self._client is not None:
                    self._client[1].connection.close()
                client = FalkorDB(
                    host=HOST, port=port, password=password, socket_connect_timeout=2.0,
                    socket_timeout=self.timeout_ms / 1000 + 2.0, retry=Retry(NoBackoff(), 0),
                )  # fmt: skip
                self._client = (generation, client, client.select_graph(self.graph_name))
            return self._client[2]

    def run(self, query: str, params: Params | None = None) -> ConsoleResult:
        check_query(query, params)
        text = params_header(params) + query
        generation, port, password = self.replica.current(self.ready_wait_s)
        started = time.perf_counter()
        try:
            result = self._graph(generation, port, password).ro_query(text, None, self.timeout_ms)
        except redis.exceptions.BusyLoadingError as exc:
            raise ConsoleUnavailable(RESTARTING) from exc
        except redis.exceptions.TimeoutError as exc:  # the server did not stop it: we do
            self.replica.kill(generation, "time", "it ran past the time limit")
            raise time_limit(self.timeout_ms) from exc
        except redis.exceptions.ConnectionError as exc:
            raise self._lost(generation) from exc
        except redis.exceptions.ResponseError as exc:
            raise self._refused(str(exc), query) from exc
        columns = [str(column[1]) for column in result.header]
        return Elements(falkordb_element).result(columns, result.result_set, self.max_rows, started)

    def _lost(self, generation: int) -> Exception:
        death = self.replica.death(generation, wait_s=2.0)
        if death is None:
            mb = MAX_REPLY_BYTES >> 20
            return ConsoleRefused(f"the result is over {mb} MB: return fewer or smaller values")
        if death.reason == "memory":
            return ConsoleRefused(f"the query was stopped: {death.detail}; {RESTARTING}")
        if death.reason == "time":
            return time_limit(self.timeout_ms)
        return ConsoleUnavailable(RESTARTING)

    def _refused(self, message: str, query: str) -> Exception:
        if "MASTERDOWN" in message or "LOADING" in message:
            return ConsoleUnavailable(RESTARTING)
        if "errMsg" in message:
            return ConsoleRefused(f"the query is not valid Cypher: {message}")
        if "read-only queries" in message:
            return ConsoleRefused(f"the console is read-only: {why_write(query)}")
        if "timed out" in message:
            return time_limit(self.timeout_ms)
        if "more than one statement" in message:
            return ConsoleRefused("the console runs one statement at a time: remove the ';'")
        if "mem consumption exceeded" in message:
            mb = self.replica.mem_bytes >> 20
            return ConsoleRefused(f"the query was stopped: it needed more than {mb} MB")
        if "empty key" in message:
            return ConsoleRefused(f"there is no graph {self.graph_name!r} yet: load data first")
        return ConsoleRefused(f"the query was refused: {message}")

    def wait_ready(self, timeout_s: float) -> None:
        self.replica.wait_ready(timeout_s)

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client[1].connection.close()
                self._client = None
        self.replica.close()


# ------------------------------------------------------------------------ Neo4j
class Neo4jConsole:
    """Console queries in READ-mode sessions, each checked first with ``EXPLAIN``."""

    def __init__(self, driver: neo4j.Driver, database: str, *, timeout_ms: int, max_rows: int):
        self._driver = driver
        self.database = database
        self.timeout_ms = timeout_ms
        self.max_rows = max_rows

    def run(self, query: str, params: Params | None = None) -> ConsoleResult:
        check_query(query, params)
        values, timeout_s = dict(params or {}), self.timeout_ms / 1000
        started = time.perf_counter()
        try:
            with self._driver.session(
                database=self.database, default_access_mode=neo4j.READ_ACCESS,
                fetch_size=self.max_rows + 1,
            ) as session:  # fmt: skip
                plan = session.run(neo4j.Query(explain_text(query), timeout=timeout_s), values)
                kind = plan.consume().query_type
                if kind != "r":
                    raise ConsoleRefused(f"the console is read-only: {why_write(query)}")
                result = session.run(neo4j.Query(query, timeout=timeout_s), values)
                columns = list(result.keys())
                rows = [record.values() for record in result.fetch(self.max_rows + 1)]
        except (ServiceUnavailable, SessionExpired, AuthError, OSError) as exc:
            raise GraphUnavailable(f"Neo4j is not reachable: {exc}") from exc
        except Neo4jError as exc:
            raise self._refused(exc, query) from exc
        return Elements(neo4j_element).result(columns, rows, self.max_rows, started)

    def _refused(self, exc: Neo4jError, query: str) -> ConsoleRefused:
        code = exc.code or ""
        if "TimedOut" in code:
            return time_limit(self.timeout_ms)
        if "Memory" in code:
            return ConsoleRefused(f"the query needed more memory than Neo4j allows: {exc.message}")
        if "AccessMode" in code or "Forbidden" in code:
            return ConsoleRefused(f"the console is read-only: {why_write(query)}")
        return ConsoleRefused(f"the query was refused: {code}: {exc.message}")

    def wait_ready(self, timeout_s: float) -> None:
        return None

    def close(self) -> None:
        self._driver.close()


def open_console(settings: Settings) -> Console:
    """The console of the configured server (the caller closes it)."""
    if settings.uses_neo4j:
        assert settings.neo4j_uri is not None
        auth = (settings.neo4j_username, settings.neo4j_password.get_secret_value())
        driver = neo4j.GraphDatabase.driver(settings.neo4j_uri, auth=auth)
        return Neo4jConsole(
            driver, settings.neo4j_database,
            timeout_ms=settings.console_timeout_ms, max_rows=settings.console_max_rows,
        )  # fmt: skip
    main = EmbeddedServer.from_settings(settings)
    main.start()
    replica = ConsoleReplica(
        main, timeout_ms=settings.console_timeout_ms, max_rows=settings.console_max_rows,
        mem_bytes=settings.console_mem_bytes, queries=settings.console_workers,
        start_timeout_s=settings.db_start_timeout_s,
    )  # fmt: skip
    replica.start()
    return FalkorDBConsole(replica, settings.graph_name)
