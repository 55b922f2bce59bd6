"""The one place that decides Neo4j or embedded: Neo4j when ``NEO4J_URI`` is set, else the
embedded FalkorDB, for the store (:func:`open_backend`) and the console (:func:`open_server`)
alike."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from graph.backends.base import Backend
from graph.config import Settings
from graph.server import HOST, EmbeddedServer, ServerInfo

if TYPE_CHECKING:
    import neo4j

#: ``(pid, port)`` of a running embedded server, as it recorded them in its data directory.
EmbeddedAddress = tuple[int, int]

NOT_RUNNING = (
    "the embedded database is not running; start it with `resonance db start` "
    "(`resonance db status` says where it listens)"
)


class AddressWatch:
    """Where the embedded server of ``settings.data_dir`` says it runs (``server.json``,
    written once it answers, removed when it stops; None when none is recorded), cheap enough
    for every request: one ``stat`` (2 us), the file read again only when it changed."""

    @classmethod
    def of(cls, settings: Settings) -> AddressWatch | None:
        """The watch of the configured embedded server; None with Neo4j (nothing to follow:
        its driver reconnects)."""
        return None if settings.uses_neo4j else cls(settings)

    def __init__(self, settings: Settings) -> None:
        self._server = EmbeddedServer(settings.data_dir)
        self._path = self._server.state_path
        self._seen: tuple[int, int, int] | None = None
        self._address: EmbeddedAddress | None = None

    def read(self) -> EmbeddedAddress | None:
        try:
            stat = os.stat(self._path)
        except OSError:
            self._seen = self._address = None
            return None
        seen = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if seen != self._seen:
            self._seen, self._address = seen, self._server.read_state()
        return self._address


def open_backend(settings: Settings) -> Backend:
    """Connect to the configured server, starting the embedded one if needed. Caller closes."""
    if settings.uses_neo4j:
        from graph.backends.neo4j import Neo4jBackend

        assert settings.neo4j_uri is not None
        return Neo4jBackend.connect(
            settings.neo4j_uri,
            settings.neo4j_username,
            settings.neo4j_password.get_secret_value(),
            settings.neo4j_database,
            query_timeout_ms=settings.query_timeout_ms,
        )
    from graph.backends.falkordb import FalkorDBBackend

    info = EmbeddedServer.from_settings(settings).start()
    return FalkorDBBackend.connect(
        info.host,
        info.port,
        info.password,
        settings.graph_name,
        query_timeout_ms=settings.query_timeout_ms,
    )


@dataclass(frozen=True)
class Neo4jServer:
    """The configured Neo4j server, for a client that speaks to it directly: a driver of its
    own (the caller closes it) and the database to use."""

    driver: neo4j.Driver
    database: str


def open_server(settings: Settings) -> Neo4jServer | EmbeddedServer:
    """The configured server itself (what the console needs): a Neo4j driver, or the embedded
    server, started if need be."""
    if settings.uses_neo4j:
        import neo4j

        assert settings.neo4j_uri is not None
        auth = (settings.neo4j_username, settings.neo4j_password.get_secret_value())
        return Neo4jServer(neo4j.GraphDatabase.driver(settings.neo4j_uri, auth=auth),
                           settings.neo4j_database)  # fmt: skip
    server = EmbeddedServer.from_settings(settings)
    server.start()
    return server


def start_embedded(settings: Settings) -> ServerInfo | None:
    """Start the embedded server when it is the configured one (None with Neo4j)."""
    return None if settings.uses_neo4j else EmbeddedServer.from_settings(settings).start()


def connect_embedded(settings: Settings, address: EmbeddedAddress) -> Backend:
    """The embedded server at ``address`` (from :class:`AddressWatch`), never starting one:
    what a running app does when the server was restarted under it."""
    from graph.backends.falkordb import FalkorDBBackend

    server = EmbeddedServer(settings.data_dir)
    return FalkorDBBackend.connect(
        HOST,
        address[1],
        server.password(),
        settings.graph_name,
        query_timeout_ms=settings.query_timeout_ms,
    )
