"""Batched writes with two in flight: the next batch is encoded while the server runs one.

A write-back of 100k accounts spent about as long in Python (building each batch's rows and
its parameter text) as the server spent running the batches; sending them one after the
other added the two. Two threads, each on its own pooled connection, overlap them (the GIL
is released while a thread waits on its socket). Only for batches that do not depend on each
other's effects, such as creating staged nodes: the server may run them in either order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import LiteralString

from graph.backends.base import Params, Row

Write = Callable[[LiteralString, Params | None], list[Row]]
IN_FLIGHT = 2


def write_overlapped(
    write: Write,
    query: LiteralString,
    batches: Iterable[Params],
    *,
    sent: Callable[[int], None] | None = None,
    in_flight: int = IN_FLIGHT,
) -> int:
    """Run ``query`` once per parameter batch, at most ``in_flight`` at a time; ``sent(k)`` is
    called (in this thread) as the k-th batch completes. The first error is raised once the
    batches in flight have ended; no further batch is sent after it. How many batches ran."""
    done = 0
    pending: set[Future[list[Row]]] = set()
    with ThreadPoolExecutor(max_workers=in_flight, thread_name_prefix="write") as pool:
        try:
            for params in batches:
                if len(pending) >= in_flight:
                    done += _settle(pending, sent, done, wait_all=False)
                pending.add(pool.submit(write, query, params))
            done += _settle(pending, sent, done, wait_all=True)
        except BaseException:
            for future in pending:
                future.cancel()
            wait(pending)
            raise
    return done


def _settle(
    pending: set[Future[list[Row]]],
    sent: Callable[[int], None] | None,
    done: int,
    *,
    wait_all: bool,
) -> int:
    """Wait for one (or all) of ``pending``; remove them, raise the first error. How many."""
    finished, _ = wait(pending, return_when="ALL_COMPLETED" if wait_all else FIRST_COMPLETED)
    pending.difference_update(finished)
    for future in finished:
        future.result()  # raises the batch's error
        done += 1
        if sent is not None:
            sent(done)
    return len(finished)
