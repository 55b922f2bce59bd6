"""Neo4j 5 over Bolt with the official driver, and its Cypher dialect."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, LiteralString

import neo4j
from neo4j import GraphDatabase, Query, RoutingControl
from neo4j.exceptions import (
    AuthError,
    ClientError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from graph.backends.base import Backend, Params, Row, WriteCounts
from graph.backends.text import fulltext_terms
from graph.errors import GraphUnavailable, InvalidQuery

SCHEMA: tuple[LiteralString, ...] = (
    "CREATE CONSTRAINT user_id IF NOT EXISTS FOR (n:User) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT post_id IF NOT EXISTS FOR (n:Post) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT topic_id IF NOT EXISTS FOR (n:Topic) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT shortlist_id IF NOT EXISTS FOR (n:Shortlist) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT run_id IF NOT EXISTS FOR (n:Run) REQUIRE n.id IS UNIQUE",
    "CREATE INDEX amplified_id IF NOT EXISTS FOR ()-[r:AMPLIFIED]-() ON (r.id)",
    "CREATE INDEX staged_score_id IF NOT EXISTS FOR (n:StagedScore) ON (n.id)",
    "CREATE FULLTEXT INDEX user_text IF NOT EXISTS FOR (n:User) ON EACH [n.handle, n.name, n.bio]",
)
SEARCH_USERS: LiteralString = (
    "CALL db.index.fulltext.queryNodes('user_text', $q) YIELD node, score "
    "RETURN node.id AS id ORDER BY score DESC LIMIT $limit"
)
CLEAR_DATA: LiteralString = "MATCH (n) DETACH DELETE n"
DROP_STATEMENTS: tuple[LiteralString, ...] = (
    "DROP CONSTRAINT user_id IF EXISTS",
    "DROP CONSTRAINT post_id IF EXISTS",
    "DROP CONSTRAINT topic_id IF EXISTS",
    "DROP CONSTRAINT shortlist_id IF EXISTS",
    "DROP CONSTRAINT run_id IF EXISTS",
    "DROP INDEX amplified_id IF EXISTS",
    "DROP INDEX staged_score_id IF EXISTS",
    "DROP INDEX user_text IF EXISTS",
)
PING: LiteralString = "CALL dbms.components() YIELD name, versions RETURN name, versions"


def all_statements() -> list[str]:
    """Every fixed statement this dialect module can send (checked by Neo4j's front-end)."""
    return [*SCHEMA, SEARCH_USERS, CLEAR_DATA, *DROP_STATEMENTS, PING]


def _plain(value: Any) -> Any:
    if isinstance(value, neo4j.graph.Node):
        return {**dict(value), "_labels": sorted(value.labels)}
    if isinstance(value, neo4j.graph.Relationship):
        return {**dict(value), "_type": value.type}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


class Neo4jBackend(Backend):
    """One database on a Neo4j 5 server."""

    name = "neo4j"

    def __init__(self, driver: neo4j.Driver, database: str, *, query_timeout_ms: int) -> None:
        self._driver = driver
        self.database = database
        self._timeout_s = query_timeout_ms / 1000

    @classmethod
    def connect(
        cls, uri: str, username: str, password: str, database: str, *, query_timeout_ms: int
    ) -> Neo4jBackend:
        try:
            driver = GraphDatabase.driver(uri, auth=(username, password))
        except (ValueError, Neo4jError) as exc:
            raise GraphUnavailable(f"cannot use NEO4J_URI={uri!r}: {exc}") from exc
        backend = cls(driver, database, query_timeout_ms=query_timeout_ms)
        try:
            driver.verify_connectivity()  # fails fast, where queries retry for a while
            backend.ping()
        except (ServiceUnavailable, SessionExpired, OSError) as exc:
            driver.close()
            raise GraphUnavailable(_unreachable(exc)) from exc
        except AuthError as exc:
            driver.close()
            raise GraphUnavailable(_refused(exc)) from exc
        except GraphUnavailable:
            driver.close()
            raise
        return backend

    def _execute(
        self, query: LiteralString, params: Params | None, *, read: bool, timeout_s: float
    ) -> list[Row]:
        records, _ = self._execute_full(query, params, read=read, timeout_s=timeout_s)
        return [{key: _plain(value) for key, value in dict(record).items()} for record in records]

    def _execute_full(
        self, query: LiteralString, params: Params | None, *, read: bool, timeout_s: float
    ) -> tuple[list[neo4j.Record], neo4j.ResultSummary]:
        try:
            records, summary, _ = self._driver.execute_query(
                Query(query, timeout=timeout_s),
                dict(params or {}),
                database_=self.database,
                routing_=RoutingControl.READ if read else RoutingControl.WRITE,
            )
        except AuthError as exc:
            raise GraphUnavailable(_refused(exc)) from exc
        except (ServiceUnavailable, SessionExpired, OSError) as exc:
            raise GraphUnavailable(_unreachable(exc)) from exc
        except ClientError as exc:
            raise InvalidQuery(f"{exc.code}: {exc.message}") from exc
        except Neo4jError as exc:
            raise InvalidQuery(f"{exc.code}: {exc.message}") from exc
        return records, summary

    def write(self, query: LiteralString, params: Params | None = None) -> list[Row]:
        return self._execute(query, params, read=False, timeout_s=self._timeout_s)

    def write_counted(self, query: LiteralString, params: Params | None = None) -> WriteCounts:
        _, summary = self._execute_full(query, params, read=False, timeout_s=self._timeout_s)
        counters = summary.counters
        return WriteCounts(counters.nodes_created, counters.relationships_created)

    def read(
        self, query: LiteralString, params: Params | None = None, *, timeout_ms: int | None = None
    ) -> list[Row]:
        timeout_s = timeout_ms / 1000 if timeout_ms else self._timeout_s
        return self._execute(query, params, read=True, timeout_s=timeout_s)

    def schema_statements(self) -> Sequence[str]:
        return SCHEMA

    def ensure_schema(self) -> None:
        for statement in SCHEMA:
            self.write(statement)

    def search_users(self, text: str, limit: int) -> list[str]:
        terms = fulltext_terms(text)
        if not terms:
            return []
        query = " ".join(f"{term}*" for term in terms)
        return [str(row["id"]) for row in self.read(SEARCH_USERS, {"q": query, "limit": limit})]

    def clear(self) -> None:
        self.write(CLEAR_DATA)
        for statement in DROP_STATEMENTS:
            self.write(statement)

    def ping(self) -> None:
        self.read(PING)

    def close(self) -> None:
        self._driver.close()


def _unreachable(exc: Exception) -> str:
    return (
        f"Neo4j is not reachable ({exc}); check NEO4J_URI or start it with "
        "`docker compose up -d neo4j`"
    )


def _refused(exc: AuthError) -> str:
    return f"Neo4j refused the credentials: {exc.message}; check NEO4J_USERNAME and NEO4J_PASSWORD"
