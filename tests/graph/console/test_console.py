"""The read-only Cypher console: refusals, limits, and a replica that absorbs runaway queries.

Every FalkorDB test runs real servers: the session's main server (tests/conftest.py) and
console replicas of it. The replicas' memory limit stays at 300 MB so that the measured
killer query (``UNWIND range(1, 2000000000) ...``, 24 GB without the console) never puts the
machine at risk; every replica a test starts is gone when the test ends.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import neo4j
import pytest
import redis

from graph.backends.falkordb import FalkorDBBackend
from graph.config import Settings
from graph.console.checks import (
    MAX_PARAM_DEPTH,
    ConsoleRefused,
    check_query,
    code_only,
    explain_text,
    why_write,
)
from graph.console.falkordb import FalkorDBConsole
from graph.console.open import open_console
from graph.console.replica import (
    RESTARTING,
    ConsoleReplica,
    ConsoleUnavailable,
    clean_stale,
    status_bytes,
)
from graph.console.values import ConsoleResult, Elements, falkordb_element, neo4j_element
from graph.server import EmbeddedServer, ServerInfo
from graph.store import Store
from tests.cypher_lint import lint_available, lint_cypher

MEM = 300 << 20
KILLER = "UNWIND range(1, 2000000000) AS i WITH i WHERE i % 7 = 0 RETURN count(i)"
MakeConsole = Callable[..., FalkorDBConsole]


def _gone(pid: int | None, within_s: float = 5.0) -> bool:
    deadline = time.monotonic() + within_s
    while pid is not None and status_bytes(pid) is not None:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.fixture
def make_console(server: ServerInfo, graph_name: str) -> Iterator[MakeConsole]:
    """Consoles on replicas of the session server; all closed (and checked gone) at the end."""
    made: list[FalkorDBConsole] = []

    def make(**options: Any) -> FalkorDBConsole:
        # A replica loads a copy of the session server, which holds every test graph by then:
        # slow on a loaded machine (30 s once, with other suites running beside this one).
        settings = {"timeout_ms": 5_000, "max_rows": 50, "mem_bytes": MEM, "start_timeout_s": 120.0}
        settings |= options
        replica = ConsoleReplica(EmbeddedServer(server.data_dir), **settings)
        replica.start()
        made.append(FalkorDBConsole(replica, graph_name))
        return made[-1]

    yield make
    for console in made:
        pid = console.replica.pid
        console.close()
        assert _gone(pid), f"replica {pid} still running"
        assert not console.replica.dir.exists()


@pytest.fixture
def users(falkordb: FalkorDBBackend) -> FalkorDBBackend:
    """30 users in a chain of AMPLIFIED edges, on the main server."""
    falkordb.write(
        "UNWIND range(1, 30) AS i CREATE (:User {id: toString(i), n: i, handle: 'u' + toString(i)})"
    )
    falkordb.write(
        "MATCH (a:User), (b:User) WHERE b.n = a.n + 1 "
        "CREATE (a)-[:AMPLIFIED {id: a.id, w: 0.5}]->(b)"
    )
    return falkordb


def _eventually(console: FalkorDBConsole, query: str, expected: list[list[Any]]) -> None:
    """Replication is asynchronous: wait (briefly) until the replica shows the main's writes."""
    deadline = time.monotonic() + 10
    while True:
        try:
            rows = console.run(query).rows
        except (ConsoleRefused, ConsoleUnavailable):
            rows = None
        if rows == expected:
            return
        assert time.monotonic() < deadline, f"{query} -> {rows}, wanted {expected}"
        time.sleep(0.02)


_SNAPSHOT = (
    "MATCH (n) RETURN 'node', id(n), labels(n), properties(n) ORDER BY id(n)",
    "MATCH (a)-[r]->(b) RETURN 'edge', id(r), id(a), type(r), id(b), properties(r) ORDER BY id(r)",
    "CALL db.indexes() YIELD label, properties, types, entitytype "
    "RETURN label, properties, types, entitytype ORDER BY label",
    "CALL db.constraints() YIELD type, label, properties, entitytype, status "
    "RETURN type, label, properties, entitytype, status ORDER BY label",
)


def _dump(info: ServerInfo, key: str) -> list[object]:
    """The main server's graph: every node and relationship with its internal id, labels and
    properties, every index and constraint, read with a client of its own.

    Not redis ``DUMP``: with FalkorDB 4.16.3 the serialized bytes of a graph whose indexes hold
    entries differ from one ``DUMP`` to the next with no change in between.
    """
    client = redis.Redis(host=info.host, port=info.port, password=info.password)
    try:
        return [client.execute_command("GRAPH.RO_QUERY", key, query)[1] for query in _SNAPSHOT]
    finally:
        client.close()


# --------------------------------------------------------------------- reading
def test_reads_rows_nodes_relationships_and_json_safe_values(
    users: FalkorDBBackend, make_console: MakeConsole
) -> None:
    console = make_console()
    _eventually(console, "MATCH (u:User) RETURN count(u)", [[30]])
    result = console.run(
        "MATCH p = (a:User {id: $id})-[r:AMPLIFIED]->(b:User) "
        "RETURN a, r, b, p, a.n AS n, date('2024-01-02') AS day, {x: [1, 2.5]} AS m, "
        "duration({days: 2, hours: 3}) AS d",
        {"id": "1"},
    )
    assert isinstance(result, ConsoleResult)
    assert result.columns == ["a", "r", "b", "p", "n", "day", "m", "d"]
    assert not result.truncated and result.elapsed_ms > 0
    a, r, b, path, n, day, mapping, duration = result.rows[0]
    assert a == {"kind": "node", "id": a["id"], "labels": ["User"], "properties": a["properties"]}
    assert a["properties"] == {"id": "1", "n": 1, "handle": "u1"}
    assert r["kind"] == "relationship" and r["type"] == "AMPLIFIED"
    assert (r["start"], r["end"], r["properties"]) == (a["id"], b["id"], {"id": "1", "w": 0.5})
    assert path == {"kind": "path", "nodes": [a, b], "relationships": [r]}
    assert (n, day, mapping, duration) == (1, "2024-01-02", {"x": [1, 2.5]}, "P2DT3H")
    assert result.nodes == [a, b] and result.relationships == [r]
    json.dumps(result.rows)  # JSON-safe


def test_parameters_are_values_never_cypher(
    users: FalkorDBBackend, make_console: MakeConsole
) -> None:
    console = make_console()
    _eventually(console, "MATCH (u:User) RETURN count(u)", [[30]])
    hostile = "x'}) DETACH DELETE u //\" CREATE (:Evil)"
    query = "MATCH (u:User) WHERE u.id = $id OR u.handle IN $handles RETURN u.n ORDER BY u.n"
    assert console.run(query, {"id": hostile, "handles": ["u2", "u3"]}).rows == [[2], [3]]
    assert console.run("RETURN $m.k AS k", {"m": {"k": [1, None, True]}}).rows == [
        [[1, None, True]]
    ]
    for bad in ({"x": object()}, {"x": float("nan")}, {"a`b": 1}, {"x": {"k`": 1}}):
        with pytest.raises(ConsoleRefused, match="parameter"):
            console.run("RETURN $x", bad)


def test_row_cap_truncates_to_exactly_the_cap(
    users: FalkorDBBackend, make_console: MakeConsole
) -> None:
    console = make_console(max_rows=10)
    _eventually(console, "MATCH (u:User) RETURN count(u)", [[30]])
    capped = console.run("MATCH (u:User) RETURN u.n AS n ORDER BY n")
    assert capped.rows == [[n] for n in range(1, 11)] and capped.truncated
    exact = console.run("MATCH (u:User) WHERE u.n <= 10 RETURN u.n AS n ORDER BY n")
    assert len(exact.rows) == 10 and not exact.truncated
    assert len(console.run("MATCH (u:User) RETURN u").nodes) == 10


def test_time_limit_stops_a_slow_query(
    falkordb: FalkorDBBackend, server: ServerInfo, make_console: MakeConsole
) -> None:
    falkordb.write("UNWIND range(1, 3000) AS i CREATE (:User {id: toString(i)})")
    console = make_console(timeout_ms=200)
    _eventually(console, "MATCH (u:User) RETURN count(u)", [[3000]])
    started = time.monotonic()
    with pytest.raises(ConsoleRefused, match=r"time limit \(200 ms\)"):
        console.run("MATCH (a:User), (b:User) RETURN count(*)")  # 9M pairs: 1.4 s unlimited
    assert time.monotonic() - started < 2
    assert console.run("MATCH (u:User) RETURN count(u)").rows == [[3000]]
    main = EmbeddedServer(server.data_dir).status()
    assert main is not None and main.pid == server.pid


# ---------------------------------------------------------- writes are refused
# (query, what the refusal says, whether Neo4j's own front-end accepts the text)
BATTERY: list[tuple[str, str, bool]] = [
    ("CREATE (:X)", "read-only: CREATE writes", True),
    ("CREATE (:User {id: 'x'})-[:AMPLIFIED]->(:User {id: 'y'})", "CREATE writes", True),
    ("MERGE (u:User {id: '1'}) RETURN u", "read-only: MERGE writes", True),
    ("MERGE (u:User {id: '1'}) ON MATCH SET u.evil = true", "MERGE writes", True),
    ("MATCH (u:User) SET u.n = 0", "read-only: SET writes", True),
    ("MATCH (u:User) SET u += {evil: true}", "SET writes", True),
    ("MATCH (u:User) SET u:Evil", "SET writes", True),
    ("MATCH (u:User) REMOVE u.handle", "read-only: REMOVE writes", True),
    ("MATCH (u:User) REMOVE u:User", "REMOVE writes", True),
    ("MATCH (u:User) DELETE u", "read-only: DELETE writes", True),
    ("MATCH (u:User) DETACH DELETE u", "read-only: DETACH DELETE writes", True),
    ("MATCH ()-[r:AMPLIFIED]->() DELETE r", "DELETE writes", True),
    ("CREATE INDEX FOR (n:Post) ON (n.text)", "CREATE INDEX changes the graph's schema", True),
    ("CREATE INDEX user_x FOR (n:User) ON (n.x)", "not valid Cypher", True),
    ("DROP INDEX FOR (n:User) ON (n.id)", "DROP INDEX changes the graph's schema", False),
    ("DROP INDEX user_text", "not valid Cypher", True),
    ("CREATE FULLTEXT INDEX t FOR (n:Post) ON EACH [n.text]", "not valid Cypher", True),
    ("CREATE CONSTRAINT FOR (u:User) REQUIRE u.id IS UNIQUE", "not valid Cypher", True),
    ("CALL db.idx.fulltext.createNodeIndex('Post', 'text')", "CALL db.idx.fulltext.create", False),
    ("CALL db.idx.fulltext.drop('User')", "CALL db.idx.fulltext.drop changes the graph", False),
    ("CALL db.createLabel('Evil')", "not registered", True),
    ("MATCH (u:User) WITH collect(u) AS us FOREACH (x IN us | CREATE (:X))", "CREATE", True),
    ("MATCH (u:User) CALL { WITH u CREATE (:X {id: u.id}) } RETURN count(*)", "CREATE", True),
    ("MATCH (u:User) CALL { WITH u SET u.n = 1 } RETURN count(*)", "SET writes", True),
    ("UNWIND range(1, 3) AS i MERGE (:X {i: i})", "MERGE writes", True),
    ("OPTIONAL MATCH (n:Nope) MERGE (m:X) RETURN m", "MERGE writes", True),
    ("MATCH (a:User), (b:User) WHERE a.n < b.n CREATE (a)-[:AMPLIFIED]->(b)", "CREATE", True),
    ("MATCH (u:User) WITH u LIMIT 1 SET u.n = 1 RETURN u", "SET writes", True),
    ("EXPLAIN CREATE (:X)", "CREATE writes", True),
    ("PROFILE MATCH (u:User) SET u.n = 1", "SET writes", True),
    ("LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row", "LOAD CSV", True),
    (
        "LOAD CSV WITH HEADERS FROM 'https://x.test/a.csv' AS r CREATE (:X {v: r.v})",
        "LOAD CSV",
        True,
    ),
    ("MATCH (n) RETURN count(n); MATCH (n) DETACH DELETE n", "one statement at a time", True),
    ("MATCH (n) RETURN n GRAPH.DELETE g", "not valid Cypher", False),
    ("RETURN 1\r\n*2\r\n$12\r\nGRAPH.DELETE\r\n$1\r\ng", "not valid Cypher", False),
]


def test_battery_of_writes_is_refused_and_the_graph_is_unchanged(
    falkor_store: Store, falkordb: FalkorDBBackend, server: ServerInfo, make_console: MakeConsole
) -> None:
    falkordb.write("UNWIND range(1, 20) AS i CREATE (:User {id: toString(i), n: i, handle: 'h'})")
    falkordb.write("MATCH (a:User {n: 1}), (b:User {n: 2}) CREATE (a)-[:AMPLIFIED {id: 'e'}]->(b)")
    assert len(BATTERY) >= 20
    console = make_console()
    _eventually(console, "MATCH (u:User) RETURN count(u)", [[20]])
    before = _dump(server, falkordb.graph_name)
    nodes, edges, indexes, constraints = before
    assert (len(nodes), len(edges)) == (20, 1) and indexes and constraints  # type: ignore[arg-type]
    unexplained = {}
    for query, why, _ in BATTERY:
        with pytest.raises(ConsoleRefused) as refused:
            console.run(query)
        if why not in str(refused.value):
            unexplained[query] = str(refused.value)
    assert unexplained == {}
    # A procedure that only reads (FalkorDB runs algo.* as READ) is allowed and writes nothing.
    assert (
        len(console.run("CALL algo.pageRank('User', 'AMPLIFIED') YIELD node RETURN node").rows)
        == 20
    )
    assert console.run("MATCH (u:User) RETURN count(u), sum(u.n)").rows == [[20, 210]]
    assert _dump(server, falkordb.graph_name) == before
    everything = "MATCH (n) OPTIONAL MATCH (n)-[r]->(m) RETURN n.id, labels(n), properties(n), "
    everything += "type(r), properties(r), m.id ORDER BY n.id, m.id"
    on_main = [list(row.values()) for row in falkordb.read(everything)]
    assert console.run(everything).rows == on_main and len(on_main) == 20


def test_battery_parses_on_neo4j_so_its_explain_check_is_what_refuses() -> None:
    reason = lint_available()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must check the console battery with Neo4j's front-end: {reason}")
        pytest.skip(reason)
    texts = [explain_text(query) for query, _, _ in BATTERY]
    for (query, _, parses), found in zip(BATTERY, lint_cypher(texts), strict=True):
        errors = [d for d in found if d.startswith("error")]
        assert (errors == []) == parses, (query, errors)


# ---------------------------------------------------- the runaway read query
@pytest.mark.parametrize("backstop", [False, True], ids=["watchdog", "rlimit"])
def test_runaway_read_kills_only_the_replica_which_comes_back_in_sync(
    backstop: bool, users: FalkorDBBackend, server: ServerInfo, make_console: MakeConsole
) -> None:
    console = make_console(rlimit=backstop, timeout_ms=2_000)
    replica = console.replica
    _eventually(console, "MATCH (u:User) RETURN count(u)", [[30]])
    first = replica.pid
    started = time.monotonic()
    with pytest.raises(ConsoleRefused, match=r"stopped: it (used|needed) more than .* 300 MB"):
        console.run(KILLER)
    stopped_s = time.monotonic() - started
    death = replica.death(1, wait_s=1)
    assert death is not None and death.reason == "memory"
    # the watchdog polls every 50 ms; the backstop fails the 32 GB allocation outright
    assert death.peak_rss < replica.limit + (150 << 20), death
    assert stopped_s < 5
    assert _gone(first)
    # the main server never noticed: same process, still answering, still writable
    main = EmbeddedServer(server.data_dir).status()
    assert main is not None and main.pid == server.pid
    users.write("CREATE (:User {id: 'after', n: 99})")
    console.wait_ready(30)
    assert replica.pid not in (None, first)
    _eventually(console, "MATCH (u:User) RETURN count(u), max(u.n)", [[31, 99]])


def test_restarting_replica_says_so(users: FalkorDBBackend, make_console: MakeConsole) -> None:
    console = make_console()
    console.ready_wait_s = 0.0
    generation, _, _ = console.replica.current()
    console.replica.kill(generation, "restart", "test")
    with pytest.raises(ConsoleUnavailable, match=RESTARTING):
        console.run("RETURN 1")
    console.wait_ready(30)
    _eventually(console, "MATCH (u:User) RETURN count(u)", [[30]])


def test_a_query_during_a_replica_restart_waits_for_it_instead_of_failing(
    users: FalkorDBBackend, make_console: MakeConsole
) -> None:
    console = make_console()
    _eventually(console, "MATCH (u:User) RETURN count(u)", [[30]])
    generation, _, _ = console.replica.current()
    console.replica.kill(generation, "restart", "test")
    assert console.run("MATCH (u:User) RETURN count(u)").rows == [[30]]
    assert console.replica.current()[0] > generation


def test_a_result_too_large_to_send_is_refused(
    users: FalkorDBBackend, make_console: MakeConsole
) -> None:
    console = make_console()
    _eventually(console, "MATCH (u:User) RETURN count(u)", [[30]])
    big = "UNWIND range(1, 40) AS i RETURN [x IN range(1, 30000) | 'abcdefghijklmnopqrstuvwxyz']"
    with pytest.raises(ConsoleRefused, match="result is over 32 MB"):
        console.run(big)
    assert console.run("MATCH (u:User) RETURN count(u)").rows == [[30]]


def test_missing_graph_is_said_plainly(make_console: MakeConsole) -> None:
    with pytest.raises(ConsoleRefused, match=r"no graph .* yet"):
        make_console().run("RETURN 1")


# ------------------------------------------------------------ process hygiene
def test_console_follows_a_main_server_restarted_on_a_new_port_at_the_first_query(
    tmp_path: Path,
) -> None:
    main = EmbeddedServer(tmp_path / "data")
    info = main.start()
    replica = ConsoleReplica(main, timeout_ms=2_000, max_rows=10, mem_bytes=MEM)
    try:
        backend = FalkorDBBackend.connect(
            info.host, info.port, info.password, "g", query_timeout_ms=5_000
        )
        backend.write("CREATE (:User {id: 'a'})")
        backend.close()
        replica.start()
        console = FalkorDBConsole(replica, "g")
        _eventually(console, "MATCH (u) RETURN count(u)", [[1]])
        main.stop()
        with pytest.raises(ConsoleUnavailable, match=r"not running: `resonance db start`"):
            console.run("MATCH (u) RETURN count(u)")
        assert main.start().port != info.port
        # the very first query finds the main moved, restarts the replica and waits for it
        assert console.run("MATCH (u) RETURN count(u)").rows == [[1]]
    finally:
        pid = replica.pid
        replica.close()
        main.stop()
    assert _gone(pid)


def test_a_replica_never_outlives_its_process(server: ServerInfo, tmp_path: Path) -> None:
    script = (
        "import sys, time\n"
        "from graph.console.replica import ConsoleReplica\n"
        "from graph.server import EmbeddedServer\n"
        "main = EmbeddedServer(sys.argv[1])\n"
        "r = ConsoleReplica(main, timeout_ms=1000, max_rows=5, mem_bytes=1 << 28)\n"
        "r.start()\n"
        "print(r.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script, str(server.data_dir)],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[3],
    )  # fmt: skip
    try:
        assert child.stdout is not None
        pid = int(child.stdout.readline())
        assert status_bytes(pid) is not None
    finally:
        child.kill()
        child.wait()
        assert child.stdout is not None
        child.stdout.close()
    assert _gone(pid), "PR_SET_PDEATHSIG should have killed the orphaned replica"
    clean_stale(server.data_dir / "console")  # and its directory goes at the next start
    assert not list((server.data_dir / "console").glob(f"{child.pid}-*"))


def test_open_console_uses_the_settings(settings_for: Settings, falkordb: FalkorDBBackend) -> None:
    falkordb.write("CREATE (:User {id: 'only'})")
    settings = settings_for.model_copy(update={"console_max_rows": 3, "console_timeout_ms": 900})
    console = open_console(settings)
    try:
        assert isinstance(console, FalkorDBConsole)
        assert (console.max_rows, console.timeout_ms, console.replica.mem_bytes) == (
            3,
            900,
            1 << 30,
        )
        # as many queries as the API's console threads run at once, each within the cap
        assert console.replica.queries == settings.console_workers == 2
        _eventually(console, "MATCH (u:User) RETURN u.id", [["only"]])
    finally:
        pid = console.replica.pid
        console.close()
    assert _gone(pid)


# ------------------------------------------------------------------ pure parts
def test_why_write_names_the_clause() -> None:
    assert why_write("MATCH (n) SET n.x = 1") == "SET writes to the graph"
    assert why_write("MATCH (n) WHERE n.name = 'CREATE' DETACH DELETE n") == (
        "DETACH DELETE writes to the graph"
    )
    assert why_write("create fulltext index t for (n:A) on each [n.x]") == (
        "CREATE INDEX changes the graph's schema"
    )
    assert why_write("CALL db.idx.fulltext.queryNodes('U', 'x') YIELD node DELETE node") == (
        "DELETE writes to the graph"
    )
    assert why_write("MATCH (n) RETURN n.set") == "the query would change the graph"
    assert code_only("RETURN 'CREATE' /* MERGE */ // SET").split() == ["RETURN"]


def test_explain_text_and_query_checks() -> None:
    assert explain_text("MATCH (n) RETURN n") == "EXPLAIN MATCH (n) RETURN n"
    assert explain_text("  profile MATCH (n) RETURN n") == "EXPLAIN MATCH (n) RETURN n"
    assert explain_text("EXPLAIN CREATE (:X)") == "EXPLAIN CREATE (:X)"
    check_query("RETURN 'LOAD CSV' AS s", {"a": [1, {"b": None}]})
    for query in ("", "  \n", "load  csv from 'x' AS r RETURN r"):
        with pytest.raises(ConsoleRefused):
            check_query(query, None)


def _nested(depth: int) -> object:
    value: object = "x"
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


@pytest.mark.parametrize(
    ("params", "why"),
    [
        ({"a": "x\x00y"}, "parameter 'a': a text value holds a NUL"),
        ({"a": [{"k": ["\x00"]}]}, "parameter 'a': a text value holds a NUL"),
        ({"a": {"k\x00": 1}}, "parameter 'a': the map key 'k\\x00' holds a NUL"),
        ({"a\x00": 1}, "parameter name 'a\\x00' holds a NUL"),
        ({"a": {"": 1}}, "parameter 'a': the map key '' is empty"),
        ({"a": [{"x`y": 1}]}, "parameter 'a': the map key 'x`y' holds a backtick"),
        ({"a": _nested(MAX_PARAM_DEPTH + 1)}, f"nested over {MAX_PARAM_DEPTH} levels deep"),
        ({"a": _nested(100_000)}, f"nested over {MAX_PARAM_DEPTH} levels deep"),
    ],
    ids=["nul", "nested-nul", "nul-key", "nul-name", "empty-key", "backtick", "deep", "deeper"],
)
def test_parameters_no_header_can_carry_are_refused_in_words(
    params: dict[str, Any], why: str
) -> None:
    """Were FalkorDB's parse error (a NUL cuts the query short), the client's ValueError (an
    empty map key: a 500), or a RecursionError (a deep value)."""
    with pytest.raises(ConsoleRefused) as refused:
        check_query("RETURN $a", params)
    assert why in str(refused.value)


def test_parameters_as_deep_as_the_limit_pass() -> None:
    check_query("RETURN $a", {"a": _nested(MAX_PARAM_DEPTH), "b": {"k": [1, 2.5, None, True]}})


def test_falkordb_and_neo4j_values_become_json() -> None:
    out = Elements(neo4j_element)
    graph = neo4j.graph.Graph()
    node = neo4j.graph.Node(graph, "4:x:1", 1, ["User", "Admin"], {"id": "u1"})
    point = neo4j.spatial.CartesianPoint((1.0, 2.0))
    values = [node, neo4j.time.Date(2024, 1, 2), point, b"\x01", float("inf"), (1, 2)]
    assert out.value(values) == [
        {"kind": "node", "id": "4:x:1", "labels": ["Admin", "User"], "properties": {"id": "u1"}},
        "2024-01-02", {"srid": 7203, "coordinates": [1.0, 2.0]}, "01", "inf", [1, 2],
    ]  # fmt: skip
    assert out.nodes == {"4:x:1": out.value(node)}
    plain = Elements(falkordb_element)
    when = datetime.datetime(2024, 1, 2, 3, 4, tzinfo=datetime.UTC)
    assert plain.value({"t": when, "n": None}) == {"t": "2024-01-02T03:04:00+00:00", "n": None}


# ------------------------------------------------------------------------ Neo4j
@pytest.mark.neo4j
def test_neo4j_console_reads_and_refuses_writes() -> None:
    if not os.environ.get("NEO4J_URI"):
        pytest.skip("NEO4J_URI is not set: the console is not run against Neo4j")
    console = open_console(Settings(RESONANCE_CONSOLE_MAX_ROWS=2))
    try:
        result = console.run("UNWIND range(1, 5) AS i RETURN i, $x AS x", {"x": "y"})
        assert result.rows == [[1, "y"], [2, "y"]] and result.truncated
        for query, _, parses in BATTERY:
            if parses:
                with pytest.raises(ConsoleRefused):
                    console.run(query)
        with pytest.raises(ConsoleRefused, match="read-only: CREATE writes"):
            console.run("CREATE (:ConsoleProbe)")
        assert console.run("MATCH (n:ConsoleProbe) RETURN count(n)").rows == [[0]]
    finally:
        console.close()
