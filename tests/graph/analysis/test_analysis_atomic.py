"""An analysis killed (kill -9) during its write-back leaves every read on one run (issue 10,
finding 5: 9,817 of 19,805 accounts once carried the new run's scores while the analysis
record still named the old one).

A real ``resonance analyze`` runs in a child process against its own embedded FalkorDB (the
database itself is killed too); the moment to kill is read from the server's ``MONITOR``
stream (the statement that was just sent), so nothing in the code under test waits for the
test. After each kill, what the API reads (influencer list, every account's details, the topic
rankings, the analysis record) must be the previous run's or the new run's, whole.

FalkorDB only (not parametrised over Neo4j like the rest of the analysis suite): it kills the
embedded server and times the kill from its ``MONITOR`` stream, which Neo4j has neither of.
"""

from __future__ import annotations

import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from graph import queries
from graph.algorithms.arrays import IntArray
from graph.analysis import queries as analysis_queries
from graph.analysis.run import analyze
from graph.backends.falkordb import FalkorDBBackend
from graph.explorer import queries as explorer_queries
from graph.explorer.leaderboard import Leaderboard, RankingColumns
from graph.explorer.run_cache import RunCache, current_run, on_one_run
from graph.models import Influencer, InfluencerQuery
from graph.server import EmbeddedServer, ServerInfo
from graph.store import Store
from loaders.demo import generate_demo
from loaders.formats.contract import CsvContractReader
from loaders.pipeline import load
from tests.graph.test_store_contract import _row, _seed
from tests.support.graph_reads import topic_rankings

USERS = 12_000  # the demo generator's accounts: a write-back of ~0.5 s, a switch of ~0.2 s
GRAPH = "atomic"
CLI = str(Path(sys.executable).parent / "resonance")
STAGING_SCORES = "CREATE (s:StagedScore)"
STAGING_TOPIC_RANKS = "CREATE (s:StagedTopicRank)"
SWITCH = "SET a += $provenance"  # only SWITCH_TO_STAGED_ANALYSIS writes the provenance
assert SWITCH in queries.SWITCH_TO_STAGED_ANALYSIS
assert STAGING_SCORES in queries.STAGE_SCORES and STAGING_TOPIC_RANKS in queries.STAGE_TOPIC_RANKS

Snapshot = dict[str, Any]


@dataclass
class Database:
    server: EmbeddedServer
    info: ServerInfo
    since: str  # the second run's window: the later half of the events
    falkordb: FalkorDBBackend = field(init=False)  # the store's connection, closed here
    store: Store = field(init=False)

    def __post_init__(self) -> None:
        self.connect()

    def connect(self) -> None:
        self.falkordb = FalkorDBBackend.connect(
            self.info.host, self.info.port, self.info.password, GRAPH, query_timeout_ms=120_000
        )
        self.store = Store(self.falkordb)

    def restart(self) -> None:
        self.falkordb.close()
        self.info = self.server.start()
        self.connect()

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "RESONANCE_"))}
        return {**env, "RESONANCE_DATA_DIR": str(self.info.data_dir), "RESONANCE_GRAPH": GRAPH}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    folder = tmp_path_factory.mktemp("atomic")
    server = EmbeddedServer(folder / "data")
    info = server.start()
    generate_demo(folder / "demo", users=USERS, days=30)
    backend = FalkorDBBackend.connect(
        info.host, info.port, info.password, GRAPH, query_timeout_ms=120_000
    )
    store = Store(backend)
    store.ensure_schema()
    load(store, [CsvContractReader(folder / "demo")], rejects_path=folder / "rejects.txt")
    bounds = backend.read("MATCH ()-[r:AMPLIFIED]->() RETURN min(r.at) AS first, max(r.at) AS last")
    middle = (int(bounds[0]["first"]) + int(bounds[0]["last"])) // 2
    backend.close()
    since = datetime.fromtimestamp(middle / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    database = Database(server, info, since)
    yield database
    database.falkordb.close()
    server.stop()


def analyse(db: Database, *args: str) -> None:
    done = subprocess.run(
        [CLI, "analyze", *args], env=db.env(), capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr


def snapshot(store: Store) -> Snapshot:
    """Everything the API reads of an analysis, its run stamp and time of day aside."""
    latest = store.latest_analysis()
    assert latest is not None
    scored = store.influencers(limit=1_000_000)
    topics = {
        topic: [
            (i.id, i.rank, i.score)
            for i in store.influencers(InfluencerQuery(topic=topic), limit=1_000_000).items
        ]
        for topic, _ in topic_rankings(store)
    }
    everyone = [str(row["id"]) for row in store.read(analysis_queries.USER_IDS)]
    return {
        "analysis": {k: v for k, v in latest.items() if k != "analyzed_at"},
        "influencers": [(i.id, i.rank, i.score, i.role) for i in scored.items],
        "topics": topics,
        "users": sorted(store.users(everyone), key=lambda user: user.id),
        "brand": store.brand_accounts(),
    }


def one_run(store: Store) -> int:
    """The run every scored account is stamped with, which the analysis record names."""
    (record,) = store.read(explorer_queries.ANALYSIS_RUN)
    stamps = store.read(
        "MATCH (u:User) WHERE u.score IS NOT NULL RETURN DISTINCT u.analysis AS run"
    )
    assert [row["run"] for row in stamps] == [record["run"]]
    return int(record["run"])


def staged(store: Store) -> tuple[int, int]:
    rows = store.read(
        "OPTIONAL MATCH (s:StagedScore) WITH count(s) AS scores "
        "OPTIONAL MATCH (r:StagedTopicRank) RETURN scores, count(r) AS ranks"
    )
    return int(rows[0]["scores"]), int(rows[0]["ranks"])


def settled_staging(store: Store, timeout_s: float = 30.0) -> tuple[int, int]:
    """What is staged once the batch the killed analysis had sent is done: MONITOR shows a
    command as the server takes it, before it runs, so a read right after the kill can come
    first (seen on a loaded machine: 0 staged)."""
    deadline = time.monotonic() + timeout_s
    last = staged(store)
    while time.monotonic() < deadline:
        time.sleep(0.2)
        now = staged(store)
        if now == last and now[0] > 0:
            return now
        last = now
    return last


class Monitor:
    """The server's ``MONITOR`` stream: each command as the server takes it (a raw socket, so
    that waiting for a line can time out without losing the stream)."""

    def __init__(self, info: ServerInfo) -> None:
        self._socket = socket.create_connection((info.host, info.port), timeout=10)
        self._buffer = b""
        self._socket.sendall(_command("AUTH", info.password) + _command("MONITOR"))
        assert self._line(10.0) == b"+OK" and self._line(10.0) == b"+OK"

    def _line(self, timeout_s: float) -> bytes | None:
        while b"\r\n" not in self._buffer:
            ready, _, _ = select.select([self._socket], [], [], timeout_s)
            if not ready:
                return None
            chunk = self._socket.recv(1 << 20)
            assert chunk, "the server closed the MONITOR connection"
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\r\n", 1)
        return line

    def wait_for(self, marker: str, alive: Callable[[], bool], timeout_s: float = 300.0) -> None:
        deadline = time.monotonic() + timeout_s
        needle = marker.encode()
        while time.monotonic() < deadline:
            line = self._line(1.0)
            if line is None:
                assert alive(), f"the analysis ended before sending {marker!r}"
            elif needle in line and b'"GRAPH.QUERY"' in line:
                return
        raise AssertionError(f"no {marker!r} within {timeout_s} s")

    def close(self) -> None:
        self._socket.close()


def _command(*parts: str) -> bytes:
    encoded = [part.encode() for part in parts]
    return b"*%d\r\n" % len(encoded) + b"".join(
        b"$%d\r\n%s\r\n" % (len(part), part) for part in encoded
    )


def kill_during(db: Database, marker: str, *, database: bool = False) -> None:
    """Start the second run's analysis and kill -9 it (or the database) once ``marker`` is
    sent; a killed database is started again (its append-only file replayed)."""
    monitor = Monitor(db.info)
    child = subprocess.Popen(
        [CLI, "analyze", "--since", db.since, "--profile", "recent"],
        env=db.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        monitor.wait_for(marker, alive=lambda: child.poll() is None)
        if database:
            db.server.kill()
        else:
            os.kill(child.pid, signal.SIGKILL)
    finally:
        if database:
            child.wait(timeout=120)  # it fails: the database is gone
        else:
            assert child.wait(timeout=60) == -signal.SIGKILL
        monitor.close()
    if database:
        db.restart()


def test_analysis_killed_during_write_back_leaves_one_run_whole(db: Database) -> None:
    analyse(db, "--since", db.since, "--profile", "recent")
    second = snapshot(db.store)
    analyse(db)
    first = snapshot(db.store)
    # The two runs differ everywhere a mix could show, and some accounts lose their scores.
    first_scores = {user.id: user.score for user in first["users"] if user.rank}
    second_scores = {user.id: user.score for user in second["users"] if user.rank}
    assert sum(first_scores[k] != v for k, v in second_scores.items() if k in first_scores) > 1000
    assert len(set(first_scores) - set(second_scores)) > 100
    assert first["analysis"]["profile"] == "default" and second["analysis"]["profile"] == "recent"
    assert first["topics"] != second["topics"]
    first_run = one_run(db.store)

    # Killed while its scores are staged, then while its topic ranks are: the first run stands.
    kill_during(db, STAGING_SCORES)
    # Within the write-back: some scores staged, not all.
    assert 0 < settled_staging(db.store)[0] < second["analysis"]["users_scored"]
    assert snapshot(db.store) == first and one_run(db.store) == first_run
    kill_during(db, STAGING_TOPIC_RANKS)
    scores, ranks = settled_staging(db.store)
    assert scores == second["analysis"]["users_scored"] and ranks > 0
    assert snapshot(db.store) == first and one_run(db.store) == first_run

    # The database itself killed while the switch runs (MONITOR shows a command as the server
    # starts it): on restart the first run stands whole, beside the whole staging.
    kill_during(db, SWITCH, database=True)
    assert snapshot(db.store) == first and one_run(db.store) == first_run
    topic_ranks = sum(len(ranked) for ranked in second["topics"].values())
    assert staged(db.store) == (second["analysis"]["users_scored"], topic_ranks)

    # The analysis killed once it sent the switch: the server runs it to its end, whole.
    kill_during(db, SWITCH)
    deadline = time.monotonic() + 60
    while staged(db.store) != (0, 0) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert snapshot(db.store) == second and one_run(db.store) != first_run

    # A rerun completes normally and leaves nothing staged.
    analyse(db)
    assert snapshot(db.store) == first and staged(db.store) == (0, 0)


def test_reads_during_a_write_back_see_one_run(db: Database) -> None:
    """Each read statement sees the previous run or the new one while an analysis writes."""
    consistent = (
        "MATCH (a:Analysis {id: 'latest'}) "
        "OPTIONAL MATCH (u:User) WHERE u.score IS NOT NULL "
        "WITH a, collect(DISTINCT u.analysis) AS stamps "
        "OPTIONAL MATCH (:User)-[i:INFLUENTIAL_IN]->(:Topic) "
        "RETURN a.run AS run, stamps, count(i) AS ranks"
    )
    reader_connection = FalkorDBBackend.connect(
        db.info.host, db.info.port, db.info.password, GRAPH, query_timeout_ms=120_000
    )
    reader = Store(reader_connection)
    seen: list[tuple[float, int, list[int], int]] = []
    writing: list[float] = []
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            (row,) = reader.read(consistent)
            seen.append((time.monotonic(), row["run"], row["stamps"], row["ranks"]))

    def progress(what: str, _done: float) -> None:
        if what.startswith("writing") and not writing:
            writing.append(time.monotonic())

    since = int(datetime.fromisoformat(db.since).timestamp() * 1000)
    analyze(db.store, since=since)  # the run to move away from
    before = one_run(db.store)
    polling = threading.Thread(target=poll)
    polling.start()
    try:
        analyze(db.store, since=None, until=None, progress=progress)
    finally:
        finished = time.monotonic()
        stop.set()
        polling.join()
        reader_connection.close()
    after = one_run(db.store)
    during = [entry for entry in seen if writing and writing[0] <= entry[0] <= finished]
    assert len(during) >= 3  # reads did run while the write-back did
    runs = {run for _, run, _, _ in seen}
    assert runs <= {before, after} and after in runs
    assert all(stamps == [run] for _, run, stamps, _ in seen)
    ranks = {run: {count for _, r, _, count in seen if r == run} for run in runs}
    assert all(len(counts) == 1 for counts in ranks.values())


def _analysed(store: Store, run: int, score: float) -> None:
    store.write_analysis(
        [_row("u1", score, 1, 2), _row("u2", 10.0, 2, 0)], [], {"profile": "default"}, run=run
    )


def test_a_view_read_across_a_switch_is_read_again(falkor_store: Store) -> None:
    _seed(falkor_store)
    _analysed(falkor_store, 1, 90.0)
    seen: list[object] = []

    def read() -> tuple[float, float]:
        seen.append(current_run(falkor_store))
        first = falkor_store.user("u1").score
        if len(seen) == 1:  # an analysis switches over between this view's statements
            _analysed(falkor_store, 2, 95.0)
        return first, falkor_store.user("u1").score

    assert on_one_run(falkor_store, read) == (95.0, 95.0) and seen == [1, 2]


def test_a_value_computed_across_a_switch_is_not_kept(falkor_store: Store) -> None:
    _seed(falkor_store)
    _analysed(falkor_store, 1, 90.0)
    cache = RunCache()
    computed: list[float] = []

    def compute() -> float:
        computed.append(falkor_store.user("u1").score)
        if len(computed) == 1:
            _analysed(falkor_store, 2, 95.0)
        return computed[-1]

    assert cache.get(falkor_store, "u1", compute) == 90.0
    assert cache.get(falkor_store, "u1", compute) == 95.0  # computed again, for run 2
    assert cache.get(falkor_store, "u1", compute) == 95.0 and computed == [90.0, 95.0]


def test_the_switch_moves_and_clears_the_same_properties() -> None:
    switch = queries.SWITCH_TO_STAGED_ANALYSIS
    moved = set(re.findall(r"u\.(\w+) = s\.\1\b", switch)) | {"analysis"}
    removed = re.search(r"REMOVE (.*?)\nWITH", switch, re.S)
    assert removed is not None
    cleared = {name.strip().removeprefix("u.") for name in removed.group(1).split(",")}
    assert moved == cleared
    assert moved == set(_row("u1", 1.0, 1, 1)) - {"id"} | {"analysis"}


def test_an_influencer_page_read_across_a_switch_is_read_again(falkor_store: Store) -> None:
    _seed(falkor_store)
    _analysed(falkor_store, 1, 90.0)
    fetched: list[int] = []

    class Switching(Leaderboard):
        def _fetch(
            self, store: Store, columns: RankingColumns, chosen: IntArray
        ) -> list[Influencer]:
            fetched.append(len(chosen))
            if len(fetched) == 1:  # the ranking is read; an analysis switches before the rows
                store.write_analysis([_row("u3", 70.0, 1, 1)], [], {}, run=2)
            return super()._fetch(store, columns, chosen)

    page = Switching().influencers(falkor_store)
    assert [(i.id, i.rank, i.score) for i in page.items] == [("u3", 1, 70.0)]
    assert page.total == 1 and fetched == [2, 1]
