"""The Cypher console's sandbox: a read-only, memory-capped replica of the embedded FalkorDB.

A read query can take redis-server down: ``UNWIND range(1, 2000000000) AS i ...`` grows it
until the kernel kills it, whatever TIMEOUT or QUERY_MEM_CAPACITY say (shared/CYPHER_COMPAT.md).
So console queries never reach the main server. They run on a second redis-server with
falkordb.so, started as ``replicaof`` the main one (same password, 127.0.0.1 only,
``replica-read-only``, no persistence, in its own directory ``<data dir>/console/<pid>-<id>/``).
A watchdog thread reads the replica's RSS from ``/proc`` every ``poll_s`` and SIGKILLs it once
it grows ``mem_bytes`` beyond its copy of the graph (an ``RLIMIT_DATA`` backstop stops a single
huge allocation before it is touched); then it starts a fresh replica, which resyncs from the
main server. The watchdog is the only thread that starts replicas, and each replica gets
``PR_SET_PDEATHSIG=SIGKILL`` on it: no replica outlives its watchdog or its process.

Up to ``queries`` console queries run at once (the API's console threads), each held to
``mem_bytes`` by FalkorDB, so the watchdog allows ``queries * mem_bytes``: concurrent queries
that each stay within the cap never add up to a kill (which failed every query in flight and
kept the console resyncing for as long as they came). The replica runs at a lower CPU priority
(nice 10) than the API and the main server. A replica follows a main server restarted on
another port: the watchdog notices within a second, and a query that finds the main moved
restarts the replica at once and waits (briefly) for it to sync.

With ``shared=True`` (``resonance serve --workers N``: one replica for every worker process) the
replica starts once a worker asks for it, and its state is published in its folder for the
workers (:mod:`graph.console.replica_state`, :mod:`graph.console.shared`).
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import secrets
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from graph.console import replica_state
from graph.console.replica_state import Death, Reason, ReplicaState
from graph.errors import GraphUnavailable, ServerError
from graph.orphans import kill_with_parent
from graph.server import HOST, EmbeddedServer, binaries, free_port, pid_alive, port_free

#: The largest reply a console query may send; beyond it the replica closes the connection.
MAX_REPLY_BYTES = 32 << 20
RESTARTING = "the console is restarting, try again in a moment"
MAIN_DOWN = "the embedded database is not running: `resonance db start`"
#: How much lower the replica's CPU priority is than the API's (``nice``).
NICE = 10
_OOM_MARK = "Out Of Memory allocating"


class ConsoleUnavailable(GraphUnavailable):
    """The console's replica is starting, syncing or restarting: try again in a moment."""


def status_bytes(pid: int, field: str = "VmRSS") -> int | None:
    """A memory figure of ``/proc/<pid>/status`` (``VmRSS``, ``VmData``) in bytes; None if gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return None


def _child_setup() -> None:  # pragma: no cover - runs in the child between fork and exec
    kill_with_parent()
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.nice(NICE)


def _client(port: int, password: str, timeout_s: float) -> redis.Redis:
    return redis.Redis(
        host=HOST, port=port, password=password, socket_timeout=timeout_s,
        socket_connect_timeout=timeout_s, retry=Retry(NoBackoff(), 0), decode_responses=True,
    )  # fmt: skip


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def replica_title(port: int) -> bytes:
    """What a running replica's ``/proc/<pid>/cmdline`` holds (redis-server replaces its
    arguments with ``redis-server <host>:<port>``): the check before killing a recorded pid."""
    return f"{HOST}:{port}".encode()


def clean_stale(root: Path) -> None:
    """Remove the replica directories of dead processes (killing a replica left behind)."""
    for folder in root.glob("*-*"):
        owner = folder.name.split("-", 1)[0]
        if owner.isdigit() and _process_exists(int(owner)):
            continue
        with contextlib.suppress(OSError, ValueError, KeyError):
            recorded = json.loads((folder / "replica.json").read_text())
            pid, port = int(recorded["pid"]), int(recorded["port"])
            if pid_alive(pid) and replica_title(port) in Path(f"/proc/{pid}/cmdline").read_bytes():
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(folder, ignore_errors=True)


class ConsoleReplica:
    """One replica plus its watchdog; ``current()`` says where to send console queries."""

    def __init__(
        self,
        main: EmbeddedServer,
        *,
        timeout_ms: int,
        max_rows: int,
        mem_bytes: int,
        queries: int = 1,
        poll_s: float = 0.05,
        rlimit: bool = True,
        start_timeout_s: float = 30.0,
        shared: bool = False,
    ) -> None:
        self.main = main
        self.shared = shared
        self.timeout_ms = timeout_ms
        self.max_rows = max_rows
        self.mem_bytes = mem_bytes
        self.queries = queries  # how many console queries may run at once
        self.poll_s = poll_s
        self.rlimit = rlimit
        self.start_timeout_s = start_timeout_s
        self.root = main.data_dir / "console"
        self.dir = self.root / f"{os.getpid()}-{secrets.token_hex(4)}"
        self.limit = 0  # the RSS above which the current replica is killed
        self.peak_rss = 0  # of the current replica
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._wake = threading.Event()  # a query waits: retry a failed start now
        self._following: tuple[int, int] | None = None  # (pid, port) of the main server
        self._thread: threading.Thread | None = None
        self._gen = 0
        self._ready = False
        self._port = 0
        self._password = ""
        self._problem = RESTARTING
        self._deaths: dict[int, Death] = {}
        self._kills: dict[int, tuple[Reason, str]] = {}
        self._proc: subprocess.Popen[bytes] | None = None

    # ----------------------------------------------------------------- public
    def start(self) -> None:
        """Start the watchdog (which starts the replica) and wait until the replica is synced;
        shared, only start the watchdog (which starts the replica once a worker wants it)."""
        if self._thread is not None:
            return
        self.root.mkdir(mode=0o700, exist_ok=True)
        clean_stale(self.root)
        self.dir.mkdir(mode=0o700)
        (self.dir / "import").mkdir()
        self._thread = threading.Thread(
            target=self._supervise, name="console-watchdog", daemon=True
        )
        self._thread.start()
        if self.shared:
            return
        try:
            self.wait_ready(self.start_timeout_s)
        except ConsoleUnavailable:
            self.close()
            raise

    def wait_ready(self, timeout_s: float) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: self._ready or self._stop.is_set(), timeout_s):
                raise ConsoleUnavailable(self._problem)
            if not self._ready:
                raise ConsoleUnavailable("the console is closed")

    def current(self, wait_s: float = 0.0) -> tuple[int, int, str]:
        """(generation, port, password) of the synced replica, waiting up to ``wait_s`` while
        it (re)starts; ConsoleUnavailable otherwise. A replica of a main server that has been
        restarted since (a new pid or port in its data directory) is restarted first."""
        main = self.main.read_state()
        if main is None:  # stopped: its replica cannot serve (replica-serve-stale-data no)
            raise ConsoleUnavailable(f"{RESTARTING} ({MAIN_DOWN})")
        with self._cond:
            if self._ready and main != self._following:
                self.kill(self._gen, "restart", "the embedded database restarted")
            if not self._ready:
                self._wake.set()
            if not self._cond.wait_for(lambda: self._ready or self._stop.is_set(), wait_s):
                raise ConsoleUnavailable(self._problem)
            if not self._ready:
                raise ConsoleUnavailable("the console is closed")
            return self._gen, self._port, self._password

    @property
    def pid(self) -> int | None:
        proc = self._proc
        return proc.pid if proc is not None and proc.poll() is None else None

    def kill(self, generation: int, reason: Reason, detail: str) -> None:
        """SIGKILL the replica of ``generation`` (if still current); the watchdog restarts it."""
        with self._cond:
            proc = self._proc
            if generation != self._gen or proc is None or proc.poll() is not None:
                return
            self._kills.setdefault(generation, (reason, detail))
            self._ready = False
            self._problem = RESTARTING
            self._publish()
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)

    def death(self, generation: int, wait_s: float) -> Death | None:
        """How the replica of ``generation`` ended, waiting up to ``wait_s``; None if alive."""
        with self._cond:
            self._cond.wait_for(lambda: generation in self._deaths, wait_s)
            return self._deaths.get(generation)

    def close(self) -> None:
        """Stop the watchdog and the replica, and remove the replica's directory."""
        self._stop.set()
        self._wake.set()
        with self._cond:
            self._ready = False
            self._cond.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)

    # --------------------------------------------------------------- watchdog
    def _supervise(self) -> None:
        while self.shared and not replica_state.wanted(self.dir):
            if self._stop.wait(0.05):
                return
        backoff = 0.0
        while not self._stop.is_set():
            try:
                synced = self._run_one()
            except ServerError as exc:
                synced = False
                with self._cond:
                    self._problem = f"{RESTARTING} ({exc})"
                    self._publish()
            except Exception as exc:  # keep watching whatever went wrong
                synced = False
                with self._cond:
                    self._problem = f"{RESTARTING} (unexpected: {exc})"
                    self._publish()
            self._reap()
            backoff = 0.0 if synced else min(max(backoff * 2, 0.25), 2.0)
            if backoff:
                self._wake.wait(backoff)
                self._wake.clear()

    def _run_one(self) -> bool:
        """Start one replica and watch it until it dies; True if it got in sync."""
        main_state, proc = self._launch()
        with self._cond:
            self._following = main_state
            self._publish()
        deadline = time.monotonic() + self.start_timeout_s
        synced, next_check, baseline = False, 0.0, 0
        while True:
            code = proc.poll()
            if code is not None:
                self._record_death(proc, code)
                return synced
            if self._stop.is_set():
                self.kill(self._gen, "restart", "the console was closed")
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=10)
                continue
            rss = status_bytes(proc.pid) or 0
            self.peak_rss = max(self.peak_rss, rss)
            if rss > self.limit:
                mb = (self.queries * self.mem_bytes) >> 20
                self.kill(self._gen, "memory", f"it used more than the console's {mb} MB")
            now = time.monotonic()
            if not synced and now >= next_check:
                next_check = now + 0.02
                if self._in_sync():
                    synced, baseline = True, rss
                    self._on_synced(proc.pid, baseline)
                elif now > deadline:
                    self.kill(self._gen, "restart", "it did not sync in time")
            elif synced and now >= next_check:
                next_check = now + 1.0
                if self._main_state() != main_state:
                    self.kill(self._gen, "restart", "the embedded database restarted")
            self._stop.wait(self.poll_s)

    def _launch(self) -> tuple[tuple[int, int], subprocess.Popen[bytes]]:
        info = self.main.status()
        if info is None:
            raise ServerError(MAIN_DOWN)
        with (  # start the full sync at once, not after the default 5 s
            contextlib.suppress(redis.RedisError),
            _client(info.port, info.password, 2.0) as main,
        ):
            main.config_set("repl-diskless-sync-delay", 0)
        main_rss = status_bytes(info.pid) or 0  # while it syncs, the replica needs about as much
        port = self._port if self._port and port_free(self._port) else free_port()
        self._write_config(port, info.port, info.password)
        server, _ = binaries()
        (self.dir / "replica.log").write_text("")
        try:
            proc = subprocess.Popen(
                [server, str(self.dir / "redis.conf")], stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=True,
                start_new_session=True, preexec_fn=_child_setup,
            )  # fmt: skip
        except OSError as exc:
            raise ServerError(f"cannot run {server}: {exc}") from exc
        (self.dir / "replica.json").write_text(json.dumps({"pid": proc.pid, "port": port}))
        with self._cond:
            self._gen += 1
            self._proc, self._port, self._password = proc, port, info.password
            self.limit, self.peak_rss = main_rss + self.mem_bytes, 0
        return (info.pid, info.port), proc

    def _write_config(self, port: int, main_port: int, password: str) -> None:
        _, module = binaries()
        timeout, rows, mem = self.timeout_ms, self.max_rows + 1, self.mem_bytes
        lines = [
            f"bind {HOST}", "protected-mode yes", f"port {port}", f'dir "{self.dir}"',
            f'logfile "{self.dir / "replica.log"}"', "loglevel warning",
            f"requirepass {password}", f"masterauth {password}",
            f"replicaof {HOST} {main_port}", "replica-read-only yes",
            "replica-serve-stale-data no", "repl-diskless-load on-empty-db",
            'save ""', "appendonly no", "daemonize no", "crash-memcheck-enabled no",
            f"client-output-buffer-limit normal {MAX_REPLY_BYTES} 0 0",
            f'loadmodule "{module}" TIMEOUT_MAX {timeout} TIMEOUT_DEFAULT {timeout} '
            f"RESULTSET_SIZE {rows} QUERY_MEM_CAPACITY {mem} "
            f'IMPORT_FOLDER "{self.dir / "import"}/"',
        ]  # fmt: skip
        fd = os.open(self.dir / "redis.conf", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write("\n".join(lines) + "\n")

    def _in_sync(self) -> bool:
        try:
            with _client(self._port, self._password, 0.5) as client:
                info = client.info("replication")
        except redis.RedisError:
            return False
        return info.get("master_link_status") == "up" and not info.get("master_sync_in_progress")

    def _on_synced(self, pid: int, baseline: int) -> None:
        if self.rlimit:  # a backstop: one huge allocation fails (and aborts) before it is used
            with contextlib.suppress(OSError, ValueError):
                data = status_bytes(pid, "VmData") or 0
                _, hard = resource.prlimit(pid, resource.RLIMIT_DATA)
                room = (self.queries + 1) * self.mem_bytes
                resource.prlimit(pid, resource.RLIMIT_DATA, (data + room, hard))
        with self._cond:
            self.limit = baseline + self.queries * self.mem_bytes
            self._ready = True
            self._problem = RESTARTING
            self._publish()
            self._cond.notify_all()

    def _main_state(self) -> tuple[int, int] | None:
        state = self.main.read_state()
        return state if state is not None and pid_alive(state[0]) else None

    def _record_death(self, proc: subprocess.Popen[bytes], code: int) -> None:
        with self._cond:
            gen = self._gen
            asked = self._kills.pop(gen, None)
            if self.shared:  # a worker's reason, unless this process killed it first
                asked = replica_state.kill_request(self.dir, gen) or asked
            reason, detail = asked or ("crash", "")
            if reason == "crash":
                log = self._log_tail()
                if _OOM_MARK in log:
                    reason = "memory"
                    detail = f"it needed more than the console's {self.mem_bytes >> 20} MB"
                else:
                    detail = f"the replica exited with code {code}: {log[-300:]}"
            self._deaths[gen] = Death(gen, reason, detail, self.peak_rss)
            for old in [g for g in self._deaths if g < gen - 20]:
                del self._deaths[old]
            self._ready = False
            self._problem = RESTARTING
            self._publish()
            self._cond.notify_all()

    def _publish(self) -> None:
        """Shared: write the state for the workers (called with ``_cond`` held)."""
        if not self.shared:
            return
        proc = self._proc
        state = ReplicaState(
            generation=self._gen,
            pid=proc.pid if proc is not None else 0,
            port=self._port,
            password=self._password,
            ready=self._ready,
            problem=self._problem,
            following=self._following,
            deaths=dict(self._deaths),
        )
        with contextlib.suppress(OSError):  # closing: the folder may be gone
            replica_state.publish(self.dir, state)

    def _reap(self) -> None:
        proc = self._proc
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)

    def _log_tail(self) -> str:
        try:
            lines = (self.dir / "replica.log").read_text(errors="replace").splitlines()
        except OSError:
            return ""
        marked = [line.strip() for line in lines if _OOM_MARK in line]
        return " | ".join(marked + [line.strip() for line in lines[-5:]])
