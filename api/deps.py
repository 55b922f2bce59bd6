"""The seam between routes and the store: one lazily connected store per app."""

from __future__ import annotations

import threading
from typing import Annotated

from fastapi import Depends, Request

from graph.backends.base import Backend
from graph.config import Settings
from graph.connect import open_backend
from graph.console import Console, open_console
from graph.leaderboard import Leaderboard
from graph.run_cache import RunCache
from graph.store import Store


class StoreProvider:
    """Opens the backend on first use and again after a failure; closes what it opened."""

    def __init__(self, settings: Settings, backend: Backend | None = None) -> None:
        self.settings = settings
        self._backend = backend
        self._owned = backend is None
        self._lock = threading.Lock()
        # What only an analysis changes, kept between requests (see graph.run_cache).
        self.run_cache = RunCache()
        self.leaderboard = Leaderboard(self.run_cache)

    def store(self) -> Store:
        with self._lock:
            if self._backend is None:
                self._backend = open_backend(self.settings)
            return Store(self._backend, batch_size=self.settings.batch_size)

    def close(self) -> None:
        with self._lock:
            if self._backend is not None and self._owned:
                self._backend.close()
                self._backend = None


class ConsoleProvider:
    """One console per app, opened on the first console query (a FalkorDB console starts a
    replica process), closed with the app; a console passed in stays the caller's to close."""

    def __init__(self, settings: Settings, console: Console | None = None) -> None:
        self.settings = settings
        self._console = console
        self._owned = console is None
        self._lock = threading.Lock()

    def console(self) -> Console:
        with self._lock:
            if self._console is None:
                self._console = open_console(self.settings)
            return self._console

    def close(self) -> None:
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


def get_console(request: Request) -> Console:
    provider: ConsoleProvider = request.app.state.consoles
    return provider.console()


StoreDep = Annotated[Store, Depends(get_store)]
ConsoleDep = Annotated[Console, Depends(get_console)]
LeaderboardDep = Annotated[Leaderboard, Depends(get_leaderboard)]
RunCacheDep = Annotated[RunCache, Depends(get_run_cache)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
