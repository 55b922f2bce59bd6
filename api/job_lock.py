"""One job at a time per data directory, across processes: ``flock`` on ``<data dir>/job.lock``.

The API's job runner and the CLI's ``resonance load`` / ``resonance analyze`` take the lock for
the job's whole run; whoever holds it writes what it is doing into the file, so a refusal can
name it. The kernel releases the lock when the holder exits, however it exits (``kill -9``
included), so a crashed job never leaves the directory locked.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

LOCK_NAME = "job.lock"


class LockHeld(Exception):
    """Another job holds the lock; the message names it."""


def lock_path(data_dir: Path) -> Path:
    return Path(data_dir) / LOCK_NAME


class HeldLock:
    """The lock, held until :meth:`release` (or the process ends)."""

    def __init__(self, handle: TextIO) -> None:
        self._handle: TextIO | None = handle

    def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            try:
                handle.truncate(0)
                handle.flush()
            finally:
                handle.close()  # closing the descriptor drops the flock


def _holder(handle: TextIO) -> str:
    handle.seek(0)
    text = handle.read(500).strip()
    return text or "another job (it has not said which yet)"


def acquire(path: Path, what: str) -> HeldLock:
    """Take the lock for ``what`` (e.g. ``"resonance analyze (CLI)"``) without waiting;
    :class:`LockHeld` naming the holder when another job has it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - kept open while held
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _holder(handle)
        handle.close()
        raise LockHeld(f"another job is running: {holder}") from None
    except BaseException:
        handle.close()
        raise
    since = datetime.now(UTC).isoformat(timespec="seconds")
    handle.seek(0)
    handle.truncate(0)
    handle.write(f"{what}, pid {os.getpid()}, since {since}\n")
    handle.flush()
    return HeldLock(handle)


def check_free(path: Path) -> None:
    """:class:`LockHeld` when another job holds the lock now (nothing is taken)."""
    if not path.exists():
        return
    with open(path, encoding="utf-8") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockHeld(f"another job is running: {_holder(handle)}") from None


@contextmanager
def holding(path: Path, what: str) -> Iterator[None]:
    """The lock held for the ``with`` block."""
    held = acquire(path, what)
    try:
        yield
    finally:
        held.release()
