"""Serving the app: uvicorn in a process set up for a long-running server."""

from __future__ import annotations

import gc
import os
from typing import Any

from fastapi import FastAPI

from api.guard import allowed_hosts
from graph.config import Settings

WILDCARDS = frozenset({"0.0.0.0", "::", ""})  # noqa: S104 (names, compared, never bound here)


def host_notice(settings: Settings) -> str | None:
    """What to tell the person starting a server on every address: it answers only to the
    names it knows (the Host check that stops DNS rebinding), so say which and how to add one.

    >>> host_notice(Settings(RESONANCE_HOST="127.0.0.1")) is None
    True
    >>> lan = Settings(RESONANCE_HOST="0.0.0.0", RESONANCE_ALLOWED_HOSTS="lan.example")
    >>> print(host_notice(lan))  # doctest: +NORMALIZE_WHITESPACE
    listening on every address, answering to Host names 0.0.0.0, 127.0.0.1, ::1, lan.example,
    localhost only: add the address or name clients type to RESONANCE_ALLOWED_HOSTS
    (comma-separated)
    """
    if settings.host not in WILDCARDS:
        return None
    names = ", ".join(sorted(allowed_hosts(settings)))
    return (
        f"listening on every address, answering to Host names {names} only: add the address "
        "or name clients type to RESONANCE_ALLOWED_HOSTS (comma-separated)"
    )


def _uvicorn_options(host: str, port: int, own_proxy_headers: bool) -> dict[str, Any]:
    """What every ``resonance serve`` passes to uvicorn, one process or several."""
    return {
        "host": host,
        "port": port,
        "log_level": "warning",
        "access_log": False,
        "proxy_headers": not own_proxy_headers,
    }


def run_workers(
    settings: Settings, workers: int, host: str, port: int, *, own_proxy_headers: bool = False
) -> None:
    """Serve with ``workers`` uvicorn worker processes, each building the app from the
    environment (``api.main.app_from_environment``). What must be one at a time or shared is
    across processes: the job lock and the job records (``api.jobs``, ``api.job_records``),
    the revoked sessions (``api.session_revocations``), the caches keyed by the data stamp
    (``api.response_cache``, ``graph.explorer.run_cache``), and the console's replica, which
    this process owns for all of them (``graph.console.shared``; none with Neo4j)."""
    import uvicorn

    from graph.console.open import open_shared_replica

    replica = open_shared_replica(settings, workers)  # starts the embedded server, if it is ours
    if replica is not None:
        os.environ["RESONANCE_CONSOLE_REPLICA"] = str(replica.dir)
        # A stopped or killed database stays down for every worker until `resonance db start`
        # (a worker's first request would otherwise start one, racing the others).
        os.environ["RESONANCE_DB_AUTOSTART"] = "0"
    try:
        uvicorn.run(
            "api.main:app_from_environment",
            factory=True,
            workers=workers,
            **_uvicorn_options(host, port, own_proxy_headers),
        )
    finally:
        if replica is not None:
            replica.close()


def run(app: FastAPI, host: str, port: int, *, own_proxy_headers: bool = False) -> None:
    """Serve ``app`` until interrupted.

    Everything alive once the app is built (modules, the app, its routes: ~150k objects) is
    moved out of the garbage collector's reach: otherwise each full collection walks all of it
    again, and on a busy server those pauses (100-150 ms measured) land on random requests.
    uvicorn uses uvloop and httptools, both dependencies, for its event loop and HTTP parsing.
    With ``own_proxy_headers`` (``RESONANCE_TRUSTED_PROXIES`` set: ``api.forwarded`` reads
    them), uvicorn leaves ``X-Forwarded-*`` alone.
    """
    import uvicorn

    gc.collect()
    gc.freeze()
    uvicorn.run(app, **_uvicorn_options(host, port, own_proxy_headers))
