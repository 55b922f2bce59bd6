"""One console replica for several worker processes (``resonance serve --workers N``): the
owner (``ConsoleReplica(shared=True)``) publishes its state, the workers' consoles
(``SharedReplica``) find it, kill it (time limit, restarted main) with their reason, and read
how it died. Real servers: the session's main server and a replica of it; the second worker
is a real process."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.backends.falkordb import FalkorDBBackend
from graph.console.checks import ConsoleRefused
from graph.console.falkordb import FalkorDBConsole
from graph.console.replica import ConsoleReplica
from graph.console.replica_state import read_state
from graph.console.shared import SharedReplica
from graph.server import EmbeddedServer, ServerInfo
from tests.graph.console.test_console import KILLER, MEM, _eventually, _gone

LIMITS = {"timeout_ms": 2_000, "max_rows": 50, "mem_bytes": MEM}


@pytest.fixture
def owner(server: ServerInfo) -> Iterator[ConsoleReplica]:
    replica = ConsoleReplica(
        EmbeddedServer(server.data_dir), **LIMITS, queries=2, start_timeout_s=120.0, shared=True
    )
    replica.start()
    yield replica
    pid = replica.pid
    replica.close()
    assert _gone(pid) and not replica.dir.exists()


def _worker(owner: ConsoleReplica, graph_name: str) -> FalkorDBConsole:
    shared = SharedReplica(owner.dir, owner.main, **LIMITS)
    return FalkorDBConsole(shared, graph_name, ready_wait_s=120.0)


def test_the_replica_starts_when_a_worker_first_needs_it(
    owner: ConsoleReplica, falkordb: FalkorDBBackend, graph_name: str
) -> None:
    time.sleep(0.5)
    assert owner.pid is None and read_state(owner.dir) is None  # nobody asked yet
    falkordb.write("CREATE (:User {id: 'a'})")
    worker = _worker(owner, graph_name)
    _eventually(worker, "MATCH (u:User) RETURN count(u)", [[1]])
    state = read_state(owner.dir)
    assert state is not None and state.ready and state.pid == owner.pid
    assert (owner.dir / "state.json").stat().st_mode & 0o777 == 0o600


def test_two_workers_share_one_replica_and_see_how_it_died(
    owner: ConsoleReplica, falkordb: FalkorDBBackend, graph_name: str
) -> None:
    falkordb.write("UNWIND range(1, 3000) AS i CREATE (:User {id: toString(i)})")
    first, second = _worker(owner, graph_name), _worker(owner, graph_name)
    _eventually(first, "MATCH (u:User) RETURN count(u)", [[3000]])
    _eventually(second, "MATCH (u:User) RETURN count(u)", [[3000]])
    generation, port, _ = first.replica.current(1.0)
    assert second.replica.current(1.0)[:2] == (generation, port)
    replica_pid = owner.pid

    # A query past the time limit, stopped by the replica itself: nobody restarts it.
    first.timeout_ms = 200
    with pytest.raises(ConsoleRefused, match="time limit"):
        first.run("MATCH (a:User), (b:User), (c:User) RETURN count(*)")
    assert second.replica.current(1.0)[0] == generation and owner.pid == replica_pid

    # A runaway read: the owner's watchdog kills it; the other worker is told why.
    generation = second.replica.current(1.0)[0]
    with pytest.raises(ConsoleRefused, match=r"stopped: it (used|needed) more than"):
        second.run(KILLER)
    death = first.replica.death(generation, wait_s=5.0)
    assert death is not None and death.reason == "memory"
    _eventually(first, "MATCH (u:User) RETURN count(u)", [[3000]])


def test_a_worker_process_kill_carries_its_reason(
    owner: ConsoleReplica, falkordb: FalkorDBBackend, graph_name: str
) -> None:
    falkordb.write("CREATE (:User {id: 'a'})")
    worker = _worker(owner, graph_name)
    _eventually(worker, "MATCH (u:User) RETURN count(u)", [[1]])
    generation = worker.replica.current(1.0)[0]
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from graph.console.shared import SharedReplica\n"
        "from graph.server import EmbeddedServer\n"
        "r = SharedReplica(Path(sys.argv[1]), EmbeddedServer(Path(sys.argv[2])),"
        " timeout_ms=1000, max_rows=5, mem_bytes=1 << 28)\n"
        "gen, port, _ = r.current(30)\n"
        "r.kill(gen, 'restart', 'asked by another process')\n"
        "print(gen)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(owner.dir), str(owner.main.data_dir)],
        capture_output=True, text=True, timeout=60, check=True, cwd=Path(__file__).parents[3],
    )  # fmt: skip
    assert int(done.stdout) == generation
    death = worker.replica.death(generation, wait_s=5.0)
    assert death is not None and (death.reason, death.detail) == (
        "restart",
        "asked by another process",
    )
    _eventually(worker, "MATCH (u:User) RETURN count(u)", [[1]])
    assert worker.replica.current(1.0)[0] > generation
