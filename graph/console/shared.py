"""A worker process's handle on the console replica that the serving process owns.

``resonance serve --workers N`` starts one replica for every worker (memory for one copy of the
graph, not N): the serving process runs its watchdog (``ConsoleReplica(shared=True)``), and
each worker's console reaches it through :class:`SharedReplica`, which reads the replica's
published state (:mod:`graph.console.replica_state`) where the in-process replica keeps it in
memory. The same methods, so :class:`graph.console.falkordb.FalkorDBConsole` takes either.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

from graph.console import replica_state
from graph.console.replica import MAIN_DOWN, RESTARTING, ConsoleUnavailable, replica_title
from graph.console.replica_state import Death, Reason, ReplicaState
from graph.server import EmbeddedServer, pid_alive

POLL_S = 0.02


class SharedReplica:
    """The replica in ``folder``, owned by another process."""

    def __init__(
        self,
        folder: Path,
        main: EmbeddedServer,
        *,
        timeout_ms: int,
        max_rows: int,
        mem_bytes: int,
    ) -> None:
        self.folder = folder
        self.main = main
        self.timeout_ms = timeout_ms
        self.max_rows = max_rows
        self.mem_bytes = mem_bytes

    def _wait(self, wait_s: float) -> ReplicaState:
        """The synced replica's state, waiting up to ``wait_s``; ConsoleUnavailable if none."""
        replica_state.want(self.folder)
        deadline = time.monotonic() + wait_s
        while True:
            state = replica_state.read_state(self.folder)
            if state is not None and state.ready:
                return state
            if time.monotonic() >= deadline:
                raise ConsoleUnavailable(state.problem if state is not None else RESTARTING)
            time.sleep(POLL_S)

    def wait_ready(self, timeout_s: float) -> None:
        self._wait(timeout_s)

    def current(self, wait_s: float = 0.0) -> tuple[int, int, str]:
        """(generation, port, password) of the synced replica, as ``ConsoleReplica.current``:
        one that follows a main server restarted since is restarted first."""
        main = self.main.read_state()
        if main is None:
            raise ConsoleUnavailable(f"{RESTARTING} ({MAIN_DOWN})")
        state = self._wait(wait_s)
        if state.following != main:
            self.kill(state.generation, "restart", "the embedded database restarted")
            state = self._wait(wait_s)
        return state.generation, state.port, state.password

    def kill(self, generation: int, reason: Reason, detail: str) -> None:
        """SIGKILL the replica of ``generation`` if it is still the current one; the owner's
        watchdog records the death with ``reason`` and starts the next."""
        state = replica_state.read_state(self.folder)
        if state is None or state.generation != generation or not pid_alive(state.pid):
            return
        replica_state.request_kill(self.folder, generation, reason, detail)
        with contextlib.suppress(OSError):  # only this replica, never a reused pid
            if replica_title(state.port) in Path(f"/proc/{state.pid}/cmdline").read_bytes():
                os.kill(state.pid, signal.SIGKILL)

    def death(self, generation: int, wait_s: float) -> Death | None:
        """How the replica of ``generation`` ended, waiting up to ``wait_s``; None if alive."""
        deadline = time.monotonic() + wait_s
        while True:
            state = replica_state.read_state(self.folder)
            if state is not None and generation in state.deaths:
                return state.deaths[generation]
            if time.monotonic() >= deadline:
                return None
            time.sleep(POLL_S)

    def close(self) -> None:
        """Nothing to stop: the replica is the serving process's."""
