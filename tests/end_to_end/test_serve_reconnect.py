"""A running ``resonance serve`` follows the embedded database across a restart on a new port
(issue 10, finding 6): the API and the console's replica reconnect on the next request."""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path

from graph.config import Settings
from graph.connect import AddressWatch
from graph.server import EmbeddedServer
from loaders.demo import generate_demo
from tests.graph.console.test_console import MEM
from tests.support.served import Reply, clean_env, request, resonance, served

COUNT = {"query": "MATCH (u:User) RETURN count(u)"}


def _reads(port: int, user_id: str) -> list[Reply]:
    return [
        request(port, "GET", "/api/influencers?limit=5"),
        request(port, "GET", f"/api/users/{user_id}"),
        request(port, "POST", "/api/console", COUNT),
        request(port, "GET", "/health"),
    ]


def test_serve_reconnects_after_database_restarts_on_a_new_port(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = clean_env(RESONANCE_DATA_DIR=str(data), RESONANCE_CONSOLE_MEM_BYTES=str(MEM))
    generate_demo(tmp_path / "demo", users=200, days=5)
    resonance(env, "db", "start")
    try:
        resonance(env, "load", "csv", str(tmp_path / "demo"), "--rejects", str(tmp_path / "r"))
        resonance(env, "analyze")
        with served(env, tmp_path / "serve.log") as port:
            first = request(port, "GET", "/api/influencers?limit=5")
            assert first.status == 200, first
            user_id = first.body["items"][0]["id"]
            deadline = time.monotonic() + 30  # the first console query starts the replica
            while request(port, "POST", "/api/console", COUNT).status != 200:
                assert time.monotonic() < deadline
                time.sleep(0.1)
            before = _reads(port, user_id)
            assert [reply.status for reply in before] == [200] * 4, before
            old = EmbeddedServer(data).read_state()

            resonance(env, "db", "stop")
            down = _reads(port, user_id)
            assert [reply.status for reply in down] == [503] * 4, down
            for reply in down:  # a clear message, never a restarted database
                assert "resonance db start" in reply.body["detail"], reply
            assert EmbeddedServer(data).read_state() is None

            resonance(env, "db", "start")
            new = EmbeddedServer(data).read_state()
            assert old is not None and new is not None and new[1] != old[1], (old, new)
            after = _reads(port, user_id)  # the very first requests: no 503 allowed
            assert [reply.status for reply in after] == [200] * 4, after
            assert after[0].body == before[0].body and after[1].body == before[1].body
            assert after[2].body["rows"] == before[2].body["rows"]
    finally:
        with contextlib.suppress(AssertionError):
            resonance(env, "db", "stop")


def test_address_watch_sees_every_new_address_and_a_removed_file(tmp_path: Path) -> None:
    watch = AddressWatch(Settings(RESONANCE_DATA_DIR=tmp_path))
    assert watch.read() is None
    state = tmp_path / "falkordb" / "server.json"
    state.parent.mkdir()
    for pid, port in [(10, 5000), (11, 5000), (11, 5001)]:  # same size each time
        time.sleep(0.05)  # file times tick every few ms; a server restart takes far longer
        state.write_text(json.dumps({"pid": pid, "port": port}))
        assert watch.read() == (pid, port)
        assert watch.read() == (pid, port)
    state.unlink()
    assert watch.read() is None
