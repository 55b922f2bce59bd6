"""Open the console of the configured server (:func:`graph.connect.open_server` chooses it)."""

from __future__ import annotations

from graph.config import Settings
from graph.connect import Neo4jServer, open_server
from graph.console.falkordb import FalkorDBConsole
from graph.console.neo4j import Neo4jConsole
from graph.console.protocol import Console
from graph.console.replica import ConsoleReplica


def open_console(settings: Settings) -> Console:
    """The console of the configured server (the caller closes it)."""
    server = open_server(settings)
    if isinstance(server, Neo4jServer):
        return Neo4jConsole(
            server.driver, server.database,
            timeout_ms=settings.console_timeout_ms, max_rows=settings.console_max_rows,
        )  # fmt: skip
    replica = ConsoleReplica(
        server, timeout_ms=settings.console_timeout_ms, max_rows=settings.console_max_rows,
        mem_bytes=settings.console_mem_bytes, queries=settings.console_workers,
        start_timeout_s=settings.db_start_timeout_s,
    )  # fmt: skip
    replica.start()
    return FalkorDBConsole(replica, settings.graph_name)
