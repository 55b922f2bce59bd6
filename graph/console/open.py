"""Open the console of the configured server (:func:`graph.connect.open_server` chooses it)."""

from __future__ import annotations

from graph.config import Settings
from graph.connect import Neo4jServer, open_server
from graph.console.falkordb import FalkorDBConsole
from graph.console.neo4j import Neo4jConsole
from graph.console.protocol import Console
from graph.console.replica import ConsoleReplica
from graph.console.shared import SharedReplica
from graph.server import EmbeddedServer


def open_console(settings: Settings) -> Console:
    """The console of the configured server (the caller closes it): on the replica the serving
    process shares when ``settings.console_replica`` names one, else on a replica of its own."""
    if settings.console_replica is not None and not settings.uses_neo4j:
        shared = SharedReplica(
            settings.console_replica, EmbeddedServer.from_settings(settings),
            timeout_ms=settings.console_timeout_ms, max_rows=settings.console_max_rows,
            mem_bytes=settings.console_mem_bytes,
        )  # fmt: skip
        return FalkorDBConsole(shared, settings.graph_name)
    server = open_server(settings)
    if isinstance(server, Neo4jServer):
        return Neo4jConsole(
            server.driver, server.database,
            timeout_ms=settings.console_timeout_ms, max_rows=settings.console_max_rows,
        )  # fmt: skip
    replica = _replica(server, settings, queries=settings.console_workers)
    replica.start()
    return FalkorDBConsole(replica, settings.graph_name)


def open_shared_replica(settings: Settings, workers: int) -> ConsoleReplica | None:
    """The one replica of ``workers`` worker processes (each running up to
    ``console_workers`` console queries), started once a worker asks for it; None on Neo4j.
    The caller closes it and gives its folder to the workers (``RESONANCE_CONSOLE_REPLICA``)."""
    if settings.uses_neo4j:
        return None
    server = EmbeddedServer.from_settings(settings)
    server.start()
    replica = _replica(server, settings, queries=settings.console_workers * workers, shared=True)
    replica.start()
    return replica


def _replica(
    server: EmbeddedServer, settings: Settings, *, queries: int, shared: bool = False
) -> ConsoleReplica:
    return ConsoleReplica(
        server, timeout_ms=settings.console_timeout_ms, max_rows=settings.console_max_rows,
        mem_bytes=settings.console_mem_bytes, queries=queries,
        start_timeout_s=settings.db_start_timeout_s, shared=shared,
    )  # fmt: skip
