"""Console queries on a few threads of their own, so that they never hold up the rest of the API.

FastAPI runs every ``def`` route on AnyIO's shared pool of 40 threads: 40 slow console queries
in flight and ``/health`` waits behind them. :class:`ConsoleGate` runs console work on its own
small :class:`~concurrent.futures.ThreadPoolExecutor` (``workers`` threads), lets at most
``waiting`` more queries queue behind those, and at most ``per_client`` be in flight for one
client address; beyond either limit the request is refused at once with 429 and
``Retry-After``. The route awaits the work (``asyncio.wrap_future``) on the event loop, so a
waiting console query holds no thread at all.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from fastapi import HTTPException

T = TypeVar("T")

#: Seconds a refused client is told to wait (``Retry-After``).
RETRY_AFTER_S = 1


class ConsoleBusy(HTTPException):
    """429: too many console queries in flight (for this client, or for the console)."""

    def __init__(self, detail: str) -> None:
        super().__init__(429, detail, headers={"Retry-After": str(RETRY_AFTER_S)})


class ConsoleGate:
    """A bounded executor for console queries with a per-client limit; ``close()`` stops it."""

    def __init__(self, *, workers: int, per_client: int, waiting: int | None = None) -> None:
        self.workers = workers
        self.per_client = per_client
        self.capacity = workers + (4 * workers if waiting is None else waiting)
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._in_flight: dict[str, int] = {}
        self._total = 0

    async def run(self, client: str, work: Callable[[], T]) -> T:
        """Run ``work`` on the console's threads for ``client``; :class:`ConsoleBusy` when full."""
        future = self._submit(client, work)
        return await asyncio.wrap_future(future)  # cancelled here: cancelled there if queued

    def _submit(self, client: str, work: Callable[[], T]) -> Future[T]:
        with self._lock:
            mine = self._in_flight.get(client, 0)
            if mine >= self.per_client:
                raise ConsoleBusy(
                    f"{mine} console queries of yours are still running (at most "
                    f"{self.per_client} at a time): wait for one to finish, then try again"
                )
            if self._total >= self.capacity:
                raise ConsoleBusy(
                    f"the console is busy with {self._total} queries: try again in a moment"
                )
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="console")
            future = self._pool.submit(work)
            self._in_flight[client] = mine + 1
            self._total += 1
        # A slot is free again when the work ends (or is cancelled before it starts), not
        # when the request gives up waiting: the limits count what really occupies the threads.
        future.add_done_callback(lambda _done: self._release(client))
        return future

    def _release(self, client: str) -> None:
        with self._lock:
            self._total -= 1
            left = self._in_flight.get(client, 1) - 1
            if left > 0:
                self._in_flight[client] = left
            else:
                self._in_flight.pop(client, None)

    def in_flight(self) -> int:
        """How many console queries are running or waiting for a thread."""
        with self._lock:
            return self._total

    def close(self) -> None:
        """Cancel what waits, stop taking work; running queries end with their console."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
