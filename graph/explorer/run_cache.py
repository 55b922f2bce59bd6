"""Values that only an analysis changes, kept in memory until the next analysis is written.

Rankings, topic rankings, community sizes and leaders are written by ``graph.analysis.run`` and by
nothing else, yet reading them back means scanning every user. A :class:`RunCache` keeps what
was computed from them under the run stamp of ``(:Analysis {id: 'latest'})``, which the
analysis switches in the same statement as the scores; every lookup reads that stamp first (one
node, well under a millisecond), so a newer analysis, from this process or any other, empties
the cache. A value computed while a switch happened is not kept (its stamp is read again).

What loads can change without an analysis (handles, names, bios, amplification edges) is not
kept here: callers cache ids and figures, and read the accounts' current identities each time.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Final, TypeVar

from graph.explorer import queries as q
from graph.store import Store

T = TypeVar("T")

MAX_ENTRIES: Final = 256


def current_run(store: Store) -> object:
    """The latest analysis's run stamp, or None before any analysis."""
    rows = store.read(q.ANALYSIS_RUN)
    return rows[0]["run"] if rows else None


def on_one_run(store: Store, read: Callable[[], T], *, tries: int = 3) -> T:
    """``read()``, read again when an analysis was switched over meanwhile.

    Each statement sees one run (the switch is one statement), but a view read in several
    (a page and the accounts on it, an account and its topic ranks) could start on one run
    and end on the next; the run stamp read before and after tells. The last try stands."""
    for _ in range(tries - 1):
        run = current_run(store)
        value = read()
        if current_run(store) == run:
            return value
    return read()


class RunCache:
    """Thread-safe; least recently used entries dropped beyond ``max_entries``."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._lock = threading.Lock()
        self._run: object = None
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._max = max_entries

    def get(self, store: Store, key: Hashable, compute: Callable[[], T]) -> T:
        """The value kept under ``key`` for the latest run, computed (once) when missing."""
        return self.get_with_run(store, key, compute)[1]

    def get_with_run(
        self, store: Store, key: Hashable, compute: Callable[[], T]
    ) -> tuple[object, T]:
        """``get``, and the run stamp read for it (to tell later whether a switch happened)."""
        run = current_run(store)
        with self._lock:
            if run != self._run:
                self._run = run
                self._values.clear()
            if key in self._values:
                self._values.move_to_end(key)
                value: T = self._values[key]
                return run, value
            # Computed under the lock: a burst of requests after an analysis builds it once.
            value = compute()
            if current_run(store) != run:  # switched meanwhile: maybe half one run, half next
                return run, value
            self._values[key] = value
            while len(self._values) > self._max:
                self._values.popitem(last=False)
            return run, value
