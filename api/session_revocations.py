"""Logged-out sessions, refused by every worker that serves one data directory.

A session cookie is signed, so by itself it stays valid until it expires: a copy taken before
``/logout`` would go on working for hours. ``/logout`` therefore records the session's id in
``DATA_DIR/sessions/revoked`` (one ``<id> <expires>`` line, appended under a lock), and every
check of a cookie refuses an id found there. Each process reads the file again only when it
changed (one ``stat`` per check, about a microsecond), so all the workers of ``resonance serve
--workers N`` see a logout at once. Lines of sessions that have expired anyway are dropped
whenever the file is rewritten, at most once an hour.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from functools import cache
from pathlib import Path
from typing import TextIO

PRUNE_EVERY_S = 3600


class Revocations:
    """The revoked session ids of one data directory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._seen: tuple[int, int] | None = None  # (mtime_ns, size) of what was read
        self._revoked: dict[str, int] = {}
        self._mutex = threading.Lock()
        self._pruned = 0.0

    def revoke(self, session_id: str, expires: int) -> None:
        """Refuse ``session_id`` from now on (until ``expires``, seconds since the epoch, after
        which the cookie is refused anyway)."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(self.path, "a+", encoding="ascii") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.write(f"{session_id} {expires}\n")
            handle.flush()
            os.fsync(handle.fileno())
            if time.time() - self._pruned > PRUNE_EVERY_S:
                self._prune(handle)

    def is_revoked(self, session_id: str, *, now: float | None = None) -> bool:
        expires = self._current().get(session_id)
        return expires is not None and (time.time() if now is None else now) < expires + 60

    def _current(self) -> dict[str, int]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return {}
        seen = (stat.st_mtime_ns, stat.st_size)
        with self._mutex:
            if seen != self._seen:
                with open(self.path, encoding="ascii", errors="replace") as handle:
                    fcntl.flock(handle, fcntl.LOCK_SH)  # never half a rewrite
                    self._revoked = _parse(handle.read())
                self._seen = seen
            return self._revoked

    def _prune(self, handle: TextIO) -> None:
        """Rewrite the file in place without the expired lines (the caller holds the lock: in
        place, so that a writer waiting for the lock appends to this same file)."""
        now = time.time()
        handle.seek(0)
        kept = _parse(handle.read())
        handle.seek(0)
        handle.truncate()
        handle.write("".join(f"{sid} {until}\n" for sid, until in kept.items() if until + 60 > now))
        handle.flush()
        os.fsync(handle.fileno())
        self._pruned = now


def _parse(text: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for line in text.splitlines():
        sid, _, until = line.partition(" ")
        if sid and until.isdigit():
            found[sid] = int(until)
    return found


@cache
def revocations_for(data_dir: Path) -> Revocations:
    """The one :class:`Revocations` of this process for ``data_dir``."""
    return Revocations(Path(data_dir) / "sessions" / "revoked")
