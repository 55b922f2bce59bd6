"""The read-only Cypher console: what every implementation does, and the protocol the API uses.

``graph.console.open.open_console(settings).run(query, params) -> ConsoleResult``.

FalkorDB: ``GRAPH.RO_QUERY`` (which refuses every write, write procedure and ``EXPLAIN
CREATE``) on the memory-capped replica of :mod:`graph.console.replica`, never on the main server.
Neo4j: a READ-mode session, an ``EXPLAIN`` that must report ``query_type == "r"``, then the
query with ``Query(text, timeout=...)``; the server's ``db.memory.transaction.max`` caps memory.
Both: a time limit, at most ``max_rows`` rows (``truncated`` says when there were more), no
LOAD CSV, and every refusal as :class:`ConsoleRefused` (HTTP 422) with the reason in words;
a restarting replica is :class:`ConsoleUnavailable` (HTTP 503).
"""

from __future__ import annotations

from typing import Protocol

from graph.backends.base import Params
from graph.console.values import ConsoleResult


class Console(Protocol):
    """What the API needs: run a query, wait out a restart, close (stops the replica)."""

    def run(self, query: str, params: Params | None = None) -> ConsoleResult: ...
    def wait_ready(self, timeout_s: float) -> None: ...
    def close(self) -> None: ...
