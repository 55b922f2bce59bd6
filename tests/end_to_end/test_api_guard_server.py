"""Big bodies against a real ``resonance serve`` (uvicorn in its own process, its memory read
from /proc): with a token set, an anonymous 60 MB body is answered 401 before it is read; with
the token, a 60 MB body is 413 at the first MiB, declared or chunked; the server's memory stays
flat and ``/health`` answers throughout. Before the guard, a 60 MB body of ``[],`` took the
server from 246 MB to 1.78 GB and froze every request, ``/health`` included, for 8 s.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.server import ServerInfo
from tests.support.served import clean_env

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "guard-server-token-0123456789"
BODY_BYTES = 60 << 20
CHUNK = b"[]," * (1 << 16)  # 192 KiB of what the probe sent
MAX_RSS_GROWTH = 30 << 20  # a 60 MB body read would be 60 MB at the very least


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def _get(port: int, path: str, timeout_s: float = 10) -> tuple[int, float]:
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout_s) as sock:
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
        )
        status = _status(sock)
    return status, time.monotonic() - started


def _status(sock: socket.socket) -> int:
    """The status of the response on ``sock`` (its head read, nothing more)."""
    head = b""
    while b"\r\n\r\n" not in head:
        data = sock.recv(4096)
        assert data, f"connection closed before a response: {head!r}"
        head += data
    return int(head.split(b" ", 2)[1])


@pytest.fixture(scope="module")
def served(
    server: ServerInfo, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[int, int]]:
    """``resonance serve`` on a free port with a token: (port, pid)."""
    port = _free_port()
    env = clean_env(
        RESONANCE_DATA_DIR=str(server.data_dir),
        RESONANCE_GRAPH=f"t_{uuid.uuid4().hex[:12]}",
        RESONANCE_PORT=str(port),
        RESONANCE_API_TOKEN=TOKEN,
        PYTHONPATH=str(ROOT),
    )
    folder = tmp_path_factory.mktemp("serve")  # the cwd: no .env of a developer's
    log = folder / "serve.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve"],
            env=env,
            cwd=folder,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            try:
                if _get(port, "/health", timeout_s=2)[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "resonance serve did not answer /health"
            time.sleep(0.1)
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def _post_head(port: int, *, chunked: bool, token: bool) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=20)
    lines = [
        "POST /api/shortlists HTTP/1.1",
        "Host: 127.0.0.1",
        "Content-Type: application/json",
        "X-Requested-With: Resonance",
        "Transfer-Encoding: chunked" if chunked else f"Content-Length: {BODY_BYTES}",
    ]
    if token:
        lines.append(f"Authorization: Bearer {TOKEN}")
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    return sock


def _send(sock: socket.socket, count: int, *, chunked: bool) -> None:
    piece = b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK) if chunked else CHUNK
    for _ in range(count):
        sock.sendall(piece)


class _HealthWatch:
    """``/health`` asked every 50 ms in a thread; the slowest answer."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.slowest = 0.0
        self.statuses: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            status, seconds = _get(self.port, "/health")
            self.statuses.add(status)
            self.slowest = max(self.slowest, seconds)
            time.sleep(0.05)

    def __enter__(self) -> _HealthWatch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=20)


@pytest.mark.parametrize(
    ("token", "chunked", "status"),
    [(False, False, 401), (False, True, 401), (True, False, 413), (True, True, 413)],
    ids=["anonymous-declared", "anonymous-chunked", "token-declared", "token-chunked"],
)
def test_a_60_mb_body_is_refused_before_it_is_read_and_memory_stays_flat(
    served: tuple[int, int], token: bool, chunked: bool, status: int
) -> None:
    port, pid = served
    before = _rss(pid)
    chunks = BODY_BYTES // len(CHUNK)
    with _HealthWatch(port) as health:
        sock = _post_head(port, chunked=chunked, token=token)
        with sock:
            # The answer comes while at most 2 MiB of the 60 MB have been sent: the server
            # did not wait for the rest (anonymous: not even for the first byte).
            _send(sock, 0 if not token else (2 << 20) // len(CHUNK) + 1, chunked=chunked)
            assert _status(sock) == status
            # The rest, which the server drops, or refuses by closing the connection.
            with contextlib.suppress(ConnectionResetError, BrokenPipeError):
                _send(sock, chunks, chunked=chunked)
        time.sleep(0.3)
    grown = _rss(pid) - before
    assert grown < MAX_RSS_GROWTH, f"server RSS grew {grown / 2**20:.0f} MiB"
    assert health.statuses == {200} and health.slowest < 1.0, health.slowest
    assert _get(port, "/health")[0] == 200
