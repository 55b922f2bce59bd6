"""A real ``resonance serve`` (uvicorn, its event loop and its thread pool) in a subprocess on
127.0.0.1 and a free port, and a small HTTP client that can speak from any loopback address
(127.0.0.2, 127.0.0.3, ...: each is a different client address to the server)."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PAGES_HEADERS = {"X-Requested-With": "Resonance", "Content-Type": "application/json"}


def clean_env(**settings: str) -> dict[str, str]:
    """This process's environment without any NEO4J_/RESONANCE_ setting, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "RESONANCE_"))}
    return {**env, **settings}


def resonance(env: dict[str, str], *args: str, timeout_s: float = 120) -> str:
    """Run the CLI in its own process; its output, or AssertionError with it on failure."""
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", *args], env={**env, "COLUMNS": "200"}, cwd=ROOT,
        capture_output=True, text=True, timeout=timeout_s, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"resonance {' '.join(args)}: {done.stdout}{done.stderr}"
    return done.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    headers: dict[str, str]  # names in lower case
    body: Any
    seconds: float


def request(
    port: int, method: str, path: str, body: object = None, *, source: str = "127.0.0.1",
    timeout_s: float = 30.0,
) -> Reply:  # fmt: skip
    """One request on a fresh connection made from the loopback address ``source``."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=timeout_s, source_address=(source, 0)
    )
    payload = None if body is None else json.dumps(body)
    started = time.perf_counter()
    try:
        connection.request(method, path, body=payload, headers=PAGES_HEADERS)
        response = connection.getresponse()
        raw = response.read()
    finally:
        connection.close()
    seconds = time.perf_counter() - started
    try:
        parsed: Any = json.loads(raw)
    except ValueError:
        parsed = raw.decode(errors="replace")
    headers = {name.lower(): value for name, value in response.getheaders()}
    return Reply(response.status, headers, parsed, seconds)


@contextlib.contextmanager
def served(
    env: dict[str, str], log: Path, *options: str, start_timeout_s: float = 60
) -> Iterator[int]:
    """``resonance serve [options]`` on a free port (yielded) until the block ends; output in
    ``log``."""
    port = _free_port()
    with log.open("w") as out:
        command = [sys.executable, "-m", "api.cli", "serve", "--port", str(port), *options]
        proc = subprocess.Popen(
            command, env=env, cwd=ROOT,
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + start_timeout_s
        while True:
            assert proc.poll() is None, f"serve exited: {log.read_text()}"
            with contextlib.suppress(OSError):
                request(port, "GET", "/openapi.json", timeout_s=2)
                break
            assert time.monotonic() < deadline, f"serve did not answer: {log.read_text()}"
            time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
