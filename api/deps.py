"""The seam between routes and the store: one lazily connected store per app."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Request

from api.console_gate import ConsoleGate
from graph.backends.base import Backend
from graph.config import Settings
from graph.connect import (
    NOT_RUNNING,
    AddressWatch,
    EmbeddedAddress,
    connect_embedded,
    open_backend,
)
from graph.console.open import open_console
from graph.console.protocol import Console
from graph.errors import GraphUnavailable
from graph.explorer.leaderboard import Leaderboard
from graph.explorer.run_cache import RunCache
from graph.store import Store

T = TypeVar("T")


class StoreProvider:
    """Opens the backend on first use and again after a failure; closes what it opened.

    The embedded FalkorDB may be restarted under a running app, and with the default
    ``RESONANCE_DB_PORT=0`` it comes back on another port: every request compares the address
    the server recorded in the data directory with the one connected to, and connects anew
    when it changed. Only the first connection starts the server; once it ran, a stopped
    server is a 503 that says how to start it (a ``resonance db stop`` is not undone here).
    """

    def __init__(self, settings: Settings, backend: Backend | None = None) -> None:
        self.settings = settings
        self._backend = backend
        self._owned = backend is None
        # Only an embedded server restarts under the app (Neo4j's driver reconnects).
        self._watch = AddressWatch.of(settings) if self._owned else None
        self._address: EmbeddedAddress | None = None
        self._lock = threading.Lock()
        # What only an analysis changes, kept between requests (see graph.explorer.run_cache).
        self.run_cache = RunCache()
        self.leaderboard = Leaderboard(self.run_cache)

    def store(self) -> Store:
        with self._lock:
            self._connect()
            assert self._backend is not None
            return Store(self._backend, batch_size=self.settings.batch_size)

    def _connect(self) -> None:
        if self._watch is None:  # a backend passed in, or Neo4j (whose driver reconnects)
            if self._backend is None:
                self._backend = open_backend(self.settings)
            return
        address = self._watch.read()
        if self._backend is not None:
            if address == self._address:
                return
            self._drop()  # restarted (a new pid, maybe a new port) or stopped
        if self._address is None and self.settings.db_autostart:
            # The first connection starts the server if need be (not in a worker of
            # `serve --workers N`: the serving process started it, and only `resonance db
            # start` starts it again).
            self._backend = open_backend(self.settings)
            self._address = self._watch.read()
        elif address is None:
            raise GraphUnavailable(NOT_RUNNING)
        else:
            self._backend = connect_embedded(self.settings, address)
            self._address = address

    def _drop(self) -> None:
        backend, self._backend = self._backend, None
        if backend is not None:
            with contextlib.suppress(Exception):  # its server is gone: nothing to flush
                backend.close()

    def close(self) -> None:
        with self._lock:
            if self._backend is not None and self._owned:
                self._backend.close()
                self._backend = None


class ConsoleProvider:
    """One console per app, opened on the first console query (a FalkorDB console starts a
    replica process), closed with the app; a console passed in stays the caller's to close.

    Console queries, and the opening, run on the gate's own threads (:mod:`api.console_gate`),
    never on the threads that serve the rest of the API."""

    def __init__(self, settings: Settings, console: Console | None = None) -> None:
        self.settings = settings
        self._console = console
        self._owned = console is None
        self._lock = threading.Lock()
        self.gate = ConsoleGate(
            workers=settings.console_workers, per_client=settings.console_per_client
        )

    def console(self) -> Console:
        with self._lock:
            if self._console is None:
                self._console = open_console(self.settings)
            return self._console

    async def run(self, client: str, work: Callable[[Console], T]) -> T:
        """``work(console)`` for ``client`` (its address) on the gate's threads, opening the
        console there first if need be; :class:`~api.console_gate.ConsoleBusy` when full."""
        return await self.gate.run(client, lambda: work(self.console()))

    def close(self) -> None:
        self.gate.close()
        with self._lock:
            if self._console is not None and self._owned:
                self._console.close()
                self._console = None


def get_store(request: Request) -> Store:
    provider: StoreProvider = request.app.state.stores
    return provider.store()


def get_leaderboard(request: Request) -> Leaderboard:
    provider: StoreProvider = request.app.state.stores
    return provider.leaderboard


def get_run_cache(request: Request) -> RunCache:
    provider: StoreProvider = request.app.state.stores
    return provider.run_cache


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_consoles(request: Request) -> ConsoleProvider:
    """``async``: a ``def`` dependency would take one of AnyIO's threads, the console's never."""
    provider: ConsoleProvider = request.app.state.consoles
    return provider


StoreDep = Annotated[Store, Depends(get_store)]
ConsolesDep = Annotated[ConsoleProvider, Depends(get_consoles)]
LeaderboardDep = Annotated[Leaderboard, Depends(get_leaderboard)]
RunCacheDep = Annotated[RunCache, Depends(get_run_cache)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
