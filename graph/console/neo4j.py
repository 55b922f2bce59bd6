"""The console on Neo4j: a READ-mode session, an ``EXPLAIN`` that must report
``query_type == "r"``, then the query with ``Query(text, timeout=...)``."""

from __future__ import annotations

import time

import neo4j
from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable, SessionExpired

from graph.backends.base import Params
from graph.console.checks import ConsoleRefused, check_query, explain_text, time_limit, why_write
from graph.console.values import ConsoleResult, Elements, neo4j_element
from graph.errors import GraphUnavailable


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
