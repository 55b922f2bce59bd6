"""Watching the embedded server come up: what counts as progress, and what a death means.

A server replaying a long append-only file answers ``LOADING`` between commands and nothing at
all while one big command replays (measured: silent for seconds at a time), so neither answer
nor silence proves it is stuck. Progress is: the loaded share grew, or the process used CPU or
read from disk since the last look (``/proc/<pid>/stat`` and ``/proc/<pid>/io``). The start
timeout counts only time without progress. Once the server answers ``PING`` the start is not
over: FalkorDB enforces each graph's unique constraints in the background after loading, and
a record it cannot take (a value over 4 KiB in a unique id) kills it then, after the server
already answered; so the start waits until no constraint is still being built.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from graph.errors import ServerError

Phase = Literal["starting", "loading", "indexing", "ready"]
_DONE = {"OPERATIONAL", "FAILED"}
_CRASH_MARK = "REDIS BUG REPORT START"
_LOADING_MARKS = (b"Loading RDB", b"Reading RDB", b"DB loaded from base file", b"Loading AOF")
_READY_MARK = b"Ready to accept connections"


@dataclass(frozen=True, slots=True)
class StartProgress:
    """Where a start stands: ``loading`` its data (``percent`` done), ``indexing`` (unique
    constraints being built), ``starting`` (no answer yet) or ``ready``."""

    phase: Phase
    elapsed_s: float
    percent: float | None = None
    eta_s: float | None = None


StartCallback = Callable[[StartProgress], None]


def activity(pid: int) -> tuple[int, int] | None:
    """``(CPU clock ticks, bytes read)`` of ``pid`` so far, all threads; None when it is gone.
    Bytes read include sockets, so a server that answers reads this watcher's questions."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()
    reads = 0
    try:
        for line in Path(f"/proc/{pid}/io").read_text().splitlines():
            if line.startswith("rchar:"):
                reads = int(line.split()[1])
    except OSError:
        pass  # another user's process: CPU time alone
    return int(fields[11]) + int(fields[12]), reads  # utime + stime


class Probe:
    """Asks a starting server how far it is, never waiting more than ``timeout_s`` for it."""

    def __init__(self, port: int, password: str, *, timeout_s: float = 0.5) -> None:
        self._client = redis.Redis(
            host="127.0.0.1", port=port, password=password, socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s, retry=Retry(NoBackoff(), 0),
        )  # fmt: skip
        self.loaded = -1  # bytes loaded at the last answer; -1: not seen loading
        self.percent: float | None = None

    def close(self) -> None:
        self._client.close()

    def look(self) -> tuple[Phase, float | None, float | None, bool]:
        """``(phase, percent, eta_s, moved)``; ``moved``: the loaded bytes grew since last."""
        try:
            self._client.ping()
        except redis.BusyLoadingError:
            return self._loading()
        except redis.AuthenticationError as exc:
            raise ServerError(f"the server refuses this data directory's password: {exc}") from exc
        except (redis.ConnectionError, redis.TimeoutError):
            return self._silent()
        try:
            return ("indexing" if self._constraints_pending() else "ready"), None, None, False
        except (redis.ConnectionError, redis.TimeoutError):
            return self._silent()

    def _silent(self) -> tuple[Phase, float | None, float | None, bool]:
        """No answer: not listening yet, or busy replaying one long command of its data."""
        return ("loading" if self.loaded >= 0 else "starting"), self.percent, None, False

    def _loading(self) -> tuple[Phase, float | None, float | None, bool]:
        self.loaded = max(self.loaded, 0)
        try:
            info = self._client.info("persistence")
        except (redis.ConnectionError, redis.TimeoutError):
            return self._silent()
        loaded = int(info.get("loading_loaded_bytes", 0))
        moved, self.loaded = loaded > self.loaded, loaded
        self.percent = float(info.get("loading_loaded_perc", 0.0))
        eta = float(info.get("loading_eta_seconds", 0) or 0) or None
        return "loading", self.percent, eta, moved

    def _constraints_pending(self) -> bool:
        """True while a graph's unique constraint is still being built (and enforced)."""
        command = self._client.execute_command
        for graph in command("GRAPH.LIST"):  # type: ignore[no-untyped-call]
            reply = command(  # type: ignore[no-untyped-call]
                "GRAPH.RO_QUERY", graph, "CALL db.constraints() YIELD status RETURN status"
            )
            rows = reply[1] if len(reply) > 2 else []
            for (status,) in rows:
                text = status.decode() if isinstance(status, bytes) else str(status)
                if text not in _DONE:
                    return True
        return False


def _log_since(log: Path, offset: int) -> bytes:
    try:
        with open(log, "rb") as handle:
            handle.seek(offset)
            return handle.read()
    except OSError:
        return b""


def crashing(log: Path, offset: int) -> bool:
    """True when the log, past ``offset``, holds a crash report (the process still writes it)."""
    return _CRASH_MARK.encode() in _log_since(log, offset)


def loading_logged(log: Path, offset: int) -> bool:
    """True when the log, past ``offset``, says the data is being loaded and not yet ready
    (a server replaying one long command answers nothing, not even ``LOADING``)."""
    text = _log_since(log, offset)
    return any(mark in text for mark in _LOADING_MARKS) and _READY_MARK not in text


def _crash_site(text: str) -> str:
    """`` in EnforceUniqueEntity`` from a crash report's ``EIP:`` line, if there is one."""
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if line.strip() == "EIP:" and number + 1 < len(lines):
            site = lines[number + 1]
            if "(" in site and "+" in site:
                return f" in {site.split('(', 1)[1].split('+', 1)[0]}"
    return ""


def death_message(
    db_dir: Path, log_offset: int, returncode: int | None, after_s: float, server: str
) -> str:
    """Why the server died at start, and how to get a database that starts again (``server``:
    the redis-server binary, which works as redis-check-aof under that name)."""
    log = db_dir / "server.log"
    try:
        with open(log, "rb") as handle:
            handle.seek(log_offset)
            text = handle.read().decode(errors="replace")
    except OSError:
        text = ""
    if returncode is not None and returncode < 0:
        how = f"killed by {signal.Signals(-returncode).name}"
    elif returncode is not None:
        how = f"exit code {returncode}"
    else:
        how = "it exited"
    head = f"the embedded database died {after_s:.1f} s after it was started ({how}"
    if _CRASH_MARK in text or (returncode is not None and returncode < 0):
        names = ("appendonlydir", "dump.rdb")
        files = [db_dir / name for name in names if (db_dir / name).exists()]
        moves = "; ".join(f"mv {path} {path}.broken" for path in files) or "(no data files)"
        return (
            f"{head}{_crash_site(text)}), so it did not start. It crashes at every start while "
            "its data holds a record it cannot load (FalkorDB crashes, for one, on a value over "
            "4 KiB in a unique id, which loaders now refuse). To recover, move the data aside "
            f"and start with an empty database, then load your inputs again: {moves}; then "
            f"`resonance db start`. The crash report is in {log}."
        )
    tail = " | ".join(line.strip() for line in text.splitlines()[-5:] if line.strip())
    hint = ""
    if "redis-check-aof" in text or "Bad file format" in text:
        check = db_dir / "redis-check-aof"
        hint = (
            f" The append-only file in {db_dir / 'appendonlydir'} is damaged (a torn write); "
            "the bundled server repairs it when run under the name redis-check-aof: "
            f"`ln -sf {server} {check} && {check} --fix "
            f"{db_dir / 'appendonlydir' / 'appendonly.aof.manifest'}`."
        )
    return f"{head}): {tail}.{hint} The log is {log}."


def stall_message(timeout_s: float, log_tail: str) -> str:
    return (
        f"the embedded database made no progress for {timeout_s:.0f} s (no answer, no CPU time, "
        "nothing read) and was stopped; set RESONANCE_DB_START_TIMEOUT_S higher if this machine "
        f"is very slow. Last log lines: {log_tail}"
    )


class StartClock:
    """The start timeout, counted only over time without progress."""

    def __init__(self, pid: int, timeout_s: float) -> None:
        self.pid = pid
        self.timeout_s = timeout_s
        self.started = self.last_progress = time.monotonic()
        self._activity = activity(pid)

    def note(self, moved: bool, *, reads_count: bool = True) -> None:
        """Record a look at the server: progress when ``moved``, or when its process used CPU
        (or, with ``reads_count``, read anything) since the last look."""
        now, before = activity(self.pid), self._activity
        self._activity = now
        worked = (
            now is not None
            and before is not None
            and (now[0] > before[0] or (reads_count and now[1] > before[1]))
        )
        if moved or worked:
            self.last_progress = time.monotonic()

    @property
    def stalled(self) -> bool:
        return time.monotonic() - self.last_progress > self.timeout_s

    @property
    def elapsed_s(self) -> float:
        return time.monotonic() - self.started
