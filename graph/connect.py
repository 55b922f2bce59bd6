"""Choose and open the configured backend: Neo4j when ``NEO4J_URI`` is set, else embedded."""

from __future__ import annotations

import os

from graph.backends.base import Backend
from graph.config import Settings
from graph.server import HOST, EmbeddedServer

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

    def __init__(self, settings: Settings) -> None:
        self._server = EmbeddedServer(settings.data_dir)
        self._path = self._server._state_path
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
            self._seen, self._address = seen, self._server._read_state()
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


def connect_embedded(settings: Settings, address: EmbeddedAddress) -> Backend:
    """The embedded server at ``address`` (from :class:`AddressWatch`), never starting one:
    what a running app does when the server was restarted under it."""
    from graph.backends.falkordb import FalkorDBBackend

    server = EmbeddedServer(settings.data_dir)
    return FalkorDBBackend.connect(
        HOST,
        address[1],
        server._password(),
        settings.graph_name,
        query_timeout_ms=settings.query_timeout_ms,
    )
