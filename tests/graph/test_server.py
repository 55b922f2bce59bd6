"""The embedded FalkorDB's lifecycle, durability and exposure, on real servers."""

from __future__ import annotations

import json
import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

import graph.server
from graph.backends.falkordb import FalkorDBBackend
from graph.errors import ServerError
from graph.server import EmbeddedServer, ServerInfo


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[EmbeddedServer]:
    server = EmbeddedServer(tmp_path / "data")
    yield server
    server.stop()


def _backend(info: ServerInfo, graph: str = "g") -> FalkorDBBackend:
    return FalkorDBBackend.connect(
        info.host, info.port, info.password, graph, query_timeout_ms=10_000
    )


def _count_users(info: ServerInfo) -> int:
    backend = _backend(info)
    try:
        rows = backend.read("MATCH (u:User) RETURN count(u) AS n")
        return int(rows[0]["n"]) if rows else 0
    finally:
        backend.close()


def _write_users(info: ServerInfo, start: int, count: int) -> None:
    backend = _backend(info)
    try:
        for i in range(start, start + count):  # one acknowledged write per query
            backend.write("CREATE (:User {id: $id})", {"id": str(i)})
    finally:
        backend.close()


def _listening(pid: int) -> list[tuple[str, int]]:
    """(address, port) of every TCP socket ``pid`` listens on, read from /proc."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and inode in inodes:
                address, port = local.split(":")
                found.append((address, int(port, 16)))
    return found


def test_start_stop_start_keeps_data(embedded: EmbeddedServer) -> None:
    info = embedded.start()
    _write_users(info, 0, 25)
    assert embedded.stop() is True
    assert embedded.status() is None
    again = embedded.start()
    assert again.pid != info.pid
    assert _count_users(again) == 25


def test_kill_9_keeps_every_acknowledged_write(embedded: EmbeddedServer) -> None:
    info = embedded.start()
    _write_users(info, 0, 200)
    embedded.kill()  # SIGKILL: no chance to save
    assert embedded.status() is None  # the stale state is recognised
    again = embedded.start()
    assert _count_users(again) == 200


def test_second_start_reuses_the_running_instance(embedded: EmbeddedServer, tmp_path: Path) -> None:
    first = embedded.start()
    second = EmbeddedServer(tmp_path / "data").start()
    assert second.reused is True
    assert (second.pid, second.port) == (first.pid, first.port)


def test_password_is_required_and_kept_private(embedded: EmbeddedServer, tmp_path: Path) -> None:
    info = embedded.start()
    password_file = tmp_path / "data" / "password"
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    assert password_file.read_text().strip() == info.password
    with pytest.raises(redis.exceptions.AuthenticationError):
        redis.Redis(host=info.host, port=info.port).ping()
    with pytest.raises(redis.exceptions.AuthenticationError):
        redis.Redis(host=info.host, port=info.port, password="wrong").ping()
    assert redis.Redis(host=info.host, port=info.port, password=info.password).ping()
    assert info.password not in " ".join(Path(f"/proc/{info.pid}/cmdline").read_text().split("\0"))


def test_listens_on_loopback_only_and_without_bolt(embedded: EmbeddedServer) -> None:
    info = embedded.start()
    sockets = _listening(info.pid)
    assert sockets == [("0100007F", info.port)]  # 127.0.0.1, one port: no Bolt listener


def test_stale_pid_file_is_recovered(embedded: EmbeddedServer, tmp_path: Path) -> None:
    state = tmp_path / "data" / "falkordb" / "server.json"
    state.parent.mkdir(parents=True)
    # A pid that is alive but not a redis-server (this test process), and a port nobody uses.
    state.write_text(json.dumps({"pid": os.getpid(), "port": 1}))
    (state.parent / "redis.pid").write_text(str(os.getpid()))
    info = embedded.start()
    assert info.reused is False and info.pid != os.getpid()
    assert json.loads(state.read_text())["pid"] == info.pid


def test_refuses_a_port_that_is_taken(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ServerError, match=f"port {port} .* already in use"):
            EmbeddedServer(tmp_path / "data", port=port).start()


def test_free_ports_are_picked_below_the_outgoing_connections_range() -> None:
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    ports = {graph.server.free_port() for _ in range(20)}
    assert all(graph.server.LOWEST_PORT <= port < low for port in ports)
    assert len(ports) > 10  # drawn, not one port again and again


def test_a_free_port_taken_before_the_server_binds_it_is_replaced(
    embedded: EmbeddedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The port picked free can be taken by another program before the server listens (20
    clients' connections did, in tests/end_to_end/test_faults_under_load.py): another one."""
    with socket.socket() as taker:
        taker.bind(("127.0.0.1", 0))
        taker.listen()
        taken = taker.getsockname()[1]
        picks = iter([taken, graph.server.free_port()])
        monkeypatch.setattr(graph.server, "free_port", lambda: next(picks))
        info = embedded.start()
        assert info.port != taken
        assert _count_users(info) == 0
        assert "Failed listening on port" in (embedded.db_dir / "server.log").read_text()


def test_refuses_an_unusable_data_directory(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    with pytest.raises(ServerError, match=r"unusable.*RESONANCE_DATA_DIR"):
        EmbeddedServer(blocker / "data").start()


def test_status_and_stop_when_nothing_runs(tmp_path: Path) -> None:
    server = EmbeddedServer(tmp_path / "never")
    assert server.status() is None
    assert server.stop() is False
