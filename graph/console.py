"""The read-only Cypher console: ``open_console(settings).run(query, params) -> ConsoleResult``.

FalkorDB: ``GRAPH.RO_QUERY`` (which refuses every write, write procedure and ``EXPLAIN
CREATE``) on the memory-capped replica of :mod:`graph.console_replica`, never on the main server.
Neo4j: a READ-mode session, an ``EXPLAIN`` that must report ``query_type == "r"``, then the
query with ``Query(text, timeout=...)``; the server's ``db.memory.transaction.max`` caps memory.
Both: a time limit, at most ``max_rows`` rows (``truncated`` says when there were more), no
LOAD CSV, and every refusal as :class:`ConsoleRefused` (HTTP 422) with the reason in words;
a restarting replica is :class:`ConsoleUnavailable` (HTTP 503).
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import neo4j
import redis
from falkordb import Edge, FalkorDB, Node, Path
from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable, SessionExpired
from redis.backoff import NoBackoff
from redis.retry import Retry

from graph.backends.falkordb_params import params_header
from graph.config import Settings
from graph.console_replica import (
    MAX_REPLY_BYTES,
    RESTARTING,
    ConsoleReplica,
    ConsoleUnavailable,
)
from graph.errors import GraphUnavailable, InvalidQuery
from graph.server import HOST, EmbeddedServer

__all__ = ["Console", "ConsoleRefused", "ConsoleResult", "ConsoleUnavailable", "open_console"]

Params = Mapping[str, Any]
_LITERALS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n]*|/\*.*?\*/", re.S)
_WRITES = re.compile(
    r"(?<![.$\w])(?:(CREATE|DROP)\s+(?:\w+\s+)?(INDEX|CONSTRAINT)|CALL\s+([\w.]+)"
    r"|(DETACH\s+DELETE|CREATE|MERGE|SET|REMOVE|DELETE))\b",
    re.I,
)
_WRITE_PROCEDURE = re.compile(r"create|drop|delete|set|add|remove|merge|write", re.I)
_LOAD_CSV = re.compile(r"(?<![.$\w])LOAD\s+CSV\b", re.I)
_EXPLAIN = re.compile(r"\s*(?:EXPLAIN|PROFILE)\b", re.I)


class ConsoleRefused(InvalidQuery):
    """The console refused or stopped a query; the message says why."""


@dataclass(frozen=True, slots=True)
class ConsoleResult:
    """A console answer: JSON-safe rows, plus every node and relationship found in them."""

    columns: list[str]
    rows: list[list[Any]]
    truncated: bool
    elapsed_ms: float
    nodes: list[dict[str, Any]] = field(default_factory=list)
    relationships: list[dict[str, Any]] = field(default_factory=list)


class Console(Protocol):
    def run(self, query: str, params: Params | None = None) -> ConsoleResult: ...
    def wait_ready(self, timeout_s: float) -> None: ...
    def close(self) -> None: ...


# ------------------------------------------------------------------ the query text
def code_only(query: str) -> str:
    """``query`` with string literals, quoted names and comments blanked out."""
    return _LITERALS.sub(" ", query)


def why_write(query: str) -> str:
    """Which clause of ``query`` writes, in words (for a query the server called a write)."""
    for match in _WRITES.finditer(code_only(query)):
        verb, target, procedure, clause = match.groups()
        if target:
            return f"{verb.upper()} {target.upper()} changes the graph's schema"
        if procedure and _WRITE_PROCEDURE.search(procedure):
            return f"CALL {procedure} changes the graph"
        if clause:
            return f"{' '.join(clause.upper().split())} writes to the graph"
    return "the query would change the graph"


def explain_text(query: str) -> str:
    """The ``EXPLAIN`` of ``query`` (a leading EXPLAIN or PROFILE of its own is replaced)."""
    match = _EXPLAIN.match(query)
    return "EXPLAIN " + (query[match.end() :].lstrip() if match else query)


def check_query(query: str, params: Params | None) -> None:
    """Refuse what no server should be asked: empty text, LOAD CSV, odd parameters."""
    if not query.strip():
        raise ConsoleRefused("the query is empty")
    if _LOAD_CSV.search(code_only(query)):
        raise ConsoleRefused("the console does not run LOAD CSV: it reads the server's files")
    for name, value in (params or {}).items():
        if not isinstance(name, str) or not name or "`" in name:
            raise ConsoleRefused(f"parameter name {name!r} is not allowed")
        _check_param(name, value)


def _check_param(name: str, value: Any) -> None:
    if value is None or isinstance(value, str | bool | int):
        return
    if isinstance(value, float) and math.isfinite(value):
        return
    if isinstance(value, list | tuple):
        for item in value:
            _check_param(name, item)
        return
    if isinstance(value, dict) and all(isinstance(k, str) and "`" not in k for k in value):
        for item in value.values():
            _check_param(name, item)
        return
    raise ConsoleRefused(f"parameter {name!r}: {type(value).__name__} values are not supported")


def _time_limit(timeout_ms: int) -> ConsoleRefused:
    return ConsoleRefused(f"the query ran past the console's time limit ({timeout_ms} ms)")


# ----------------------------------------------------------------- JSON-safe values
class _Elements:
    """Turns result values into JSON-safe ones and collects the graph elements among them."""

    def __init__(self, element: Callable[[Any, _Elements], Any]) -> None:
        self.element = element  # a server's hook: a node/edge/path as a dict, else NotImplemented
        self.nodes: dict[str, dict[str, Any]] = {}
        self.relationships: dict[str, dict[str, Any]] = {}

    def node(self, id_: Any, labels: Any, properties: Mapping[str, Any]) -> dict[str, Any]:
        node: dict[str, Any] = {"kind": "node", "id": str(id_), "labels": sorted(labels or [])}
        node["properties"] = {str(k): self.value(v) for k, v in properties.items()}
        return self.nodes.setdefault(node["id"], node)

    def relationship(
        self, id_: Any, type_: Any, start: Any, end: Any, properties: Mapping[str, Any]
    ) -> dict[str, Any]:
        rel: dict[str, Any] = {"kind": "relationship", "id": str(id_), "type": str(type_)}
        rel |= {"start": str(start), "end": str(end)}
        rel["properties"] = {str(k): self.value(v) for k, v in properties.items()}
        return self.relationships.setdefault(rel["id"], rel)

    def value(self, value: Any) -> Any:
        if value is None or isinstance(value, str | bool | int):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else str(value)
        if isinstance(value, list | tuple):
            return [self.value(item) for item in value]
        if isinstance(value, Mapping):
            return {str(k): self.value(v) for k, v in value.items()}
        if isinstance(value, bytes):
            return value.hex()
        made = self.element(value, self)
        if made is not NotImplemented:
            return made
        for method in ("iso_format", "isoformat"):  # neo4j.time and datetime values
            if callable(getattr(value, method, None)):
                return str(getattr(value, method)())
        return str(value)

    def result(
        self, columns: list[str], rows: list[list[Any]], max_rows: int, started: float
    ) -> ConsoleResult:
        kept = [[self.value(cell) for cell in row] for row in rows[:max_rows]]
        elapsed = (time.perf_counter() - started) * 1000
        return ConsoleResult(
            columns, kept, len(rows) > max_rows, elapsed,
            list(self.nodes.values()), list(self.relationships.values()),
        )  # fmt: skip


def falkordb_element(value: Any, out: _Elements) -> Any:
    if isinstance(value, Node):
        return out.node(value.id, value.labels, value.properties)
    if isinstance(value, Edge):
        return out.relationship(
            value.id, value.relation, value.src_node, value.dest_node, value.properties
        )
    if isinstance(value, Path):
        return {
            "kind": "path",
            "nodes": out.value(value.nodes()),
            "relationships": out.value(value.edges()),
        }
    if type(value).__name__ == "relativedelta":  # a FalkorDB duration
        parts = [(getattr(value, unit), unit[0].upper()) for unit in ("years", "months", "days")]
        clock = [
            (getattr(value, unit), unit[0].upper()) for unit in ("hours", "minutes", "seconds")
        ]
        text = "P" + "".join(f"{n}{u}" for n, u in parts if n)
        return text + (
            "T" + "".join(f"{n}{u}" for n, u in clock if n) if any(n for n, _ in clock) else ""
        )
    return NotImplemented


def neo4j_element(value: Any, out: _Elements) -> Any:
    if isinstance(value, neo4j.graph.Node):
        return out.node(value.element_id, value.labels, dict(value))
    if isinstance(value, neo4j.graph.Relationship):
        start, end = value.start_node, value.end_node
        return out.relationship(
            value.element_id, value.type, start.element_id if start else None,
            end.element_id if end else None, dict(value),
        )  # fmt: skip
    if isinstance(value, neo4j.graph.Path):
        return {
            "kind": "path",
            "nodes": out.value(value.nodes),
            "relationships": out.value(value.relationships),
        }
    if isinstance(value, neo4j.spatial.Point):
        return {"srid": value.srid, "coordinates": [float(c) for c in value]}
    return NotImplemented


# --------------------------------------------------------------------- FalkorDB
class FalkorDBConsole:
    """Console queries on the read-only replica of the embedded FalkorDB."""

    def __init__(self, replica: ConsoleReplica, graph_name: str) -> None:
        self.replica = replica
        self.graph_name = graph_name
        self.timeout_ms = replica.timeout_ms
        self.max_rows = replica.max_rows
        self._lock = threading.Lock()
        self._client: tuple[int, FalkorDB] | None = None

    def _graph(self, generation: int, port: int, password: str) -> Any:
        with self._lock:
            if self._client is None or self._client[0] != generation:
                if self._client is not None:
                    self._client[1].connection.close()
                client = FalkorDB(
                    host=HOST, port=port, password=password, socket_connect_timeout=2.0,
                    socket_timeout=self.timeout_ms / 1000 + 2.0, retry=Retry(NoBackoff(), 0),
                )  # fmt: skip
                self._client = (generation, client)
            return self._client[1].select_graph(self.graph_name)

    def run(self, query: str, params: Params | None = None) -> ConsoleResult:
        check_query(query, params)
        text = params_header(params) + query
        generation, port, password = self.replica.current()
        started = time.perf_counter()
        try:
            result = self._graph(generation, port, password).ro_query(text, None, self.timeout_ms)
        except redis.exceptions.BusyLoadingError as exc:
            raise ConsoleUnavailable(RESTARTING) from exc
        except redis.exceptions.TimeoutError as exc:  # the server did not stop it: we do
            self.replica.kill(generation, "time", "it ran past the time limit")
            raise _time_limit(self.timeout_ms) from exc
        except redis.exceptions.ConnectionError as exc:
            raise self._lost(generation) from exc
        except redis.exceptions.ResponseError as exc:
            raise self._refused(str(exc), query) from exc
        columns = [str(column[1]) for column in result.header]
        return _Elements(falkordb_element).result(
            columns, result.result_set, self.max_rows, started
        )

    def _lost(self, generation: int) -> Exception:
        death = self.replica.death(generation, wait_s=2.0)
        if death is None:
            mb = MAX_REPLY_BYTES >> 20
            return ConsoleRefused(f"the result is over {mb} MB: return fewer or smaller values")
        if death.reason == "memory":
            return ConsoleRefused(f"the query was stopped: {death.detail}; {RESTARTING}")
        if death.reason == "time":
            return _time_limit(self.timeout_ms)
        return ConsoleUnavailable(RESTARTING)

    def _refused(self, message: str, query: str) -> Exception:
        if "MASTERDOWN" in message or "LOADING" in message:
            return ConsoleUnavailable(RESTARTING)
        if "read-only queries" in message:
            return ConsoleRefused(f"the console is read-only: {why_write(query)}")
        if "timed out" in message:
            return _time_limit(self.timeout_ms)
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
        return _Elements(neo4j_element).result(columns, rows, self.max_rows, started)

    def _refused(self, exc: Neo4jError, query: str) -> ConsoleRefused:
        code = exc.code or ""
        if "TimedOut" in code:
            return _time_limit(self.timeout_ms)
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
        mem_bytes=settings.console_mem_bytes, start_timeout_s=settings.db_start_timeout_s,
    )  # fmt: skip
    replica.start()
    return FalkorDBConsole(replica, settings.graph_name)
