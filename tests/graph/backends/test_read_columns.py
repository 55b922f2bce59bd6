"""``read_columns``: FalkorDB's columnar fast path is ``read`` transposed, on real data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, LiteralString

import pytest

from graph.backends.base import Backend, Columns, Row
from graph.backends.falkordb import FalkorDBBackend
from graph.errors import InvalidQuery
from graph.models import AmplificationRow, PostRow, UserRow
from graph.server import ServerInfo
from graph.store import Store

START = 1_790_000_000_000
HOUR = 3_600_000

USERS = [
    UserRow(id="ann", handle="@ann", name="Ann 'A'", followers=120, bio='says "hi"', is_brand=True),
    UserRow(id="bob", handle="@bob", name="Bob \\ B", followers=None),
    UserRow(id="cyd", handle="@cyd", name="Cyd 😀", followers=0, bio="line\nbreak"),
    UserRow(id="dee", handle="@dee"),
]
POSTS = [
    PostRow(id="p1", author_id="ann", created_at=START, text="first", topics=("ai", "eu")),
    PostRow(id="p2", author_id="ann", created_at=START + HOUR, text="", topics=("ai",)),
    PostRow(id="p3", author_id="bob", created_at=START + 2 * HOUR, text="<b>x</b>"),
]
EVENTS = [
    AmplificationRow("e1", "bob", "ann", "retweet", START + 10, "p1"),
    AmplificationRow("e2", "cyd", "ann", "quote", START + 20, "p1"),
    AmplificationRow("e3", "cyd", "ann", "like", START + 30, "p2"),
    AmplificationRow("e4", "dee", "bob", "mention", START + 40, ""),
    AmplificationRow("e5", "ann", "bob", "reply", START + 50, "p3"),
    AmplificationRow("e6", "bob", "ann", "retweet", START + 60, "p2"),
]


@pytest.fixture
def loaded(falkor_store: Store) -> Store:
    falkor_store.upsert_users(USERS)
    falkor_store.upsert_posts(POSTS)
    falkor_store.upsert_amplifications(EVENTS)
    return falkor_store


def transposed(rows: list[Row]) -> Columns:
    if not rows:
        return {}
    return {name: [row[name] for row in rows] for name in rows[0]}


QUERIES: list[tuple[LiteralString, dict[str, Any] | None]] = [
    ("MATCH (u:User) RETURN u.id AS id, u.handle AS handle ORDER BY id", None),
    ("MATCH (u:User) RETURN u.id AS id, u.name AS name, u.bio AS bio ORDER BY id", None),
    ("MATCH (u:User) RETURN u.id AS id, u.followers AS followers ORDER BY id", None),
    ("MATCH (u:User) RETURN u.is_brand AS brand, u.placeholder AS p ORDER BY u.id", None),
    (
        "MATCH (a:User)-[r:AMPLIFIED]->(b:User) "
        "RETURN a.id AS source, b.id AS target, r.kind AS kind, r.at AS at, r.post_id AS post "
        "ORDER BY r.id",
        None,
    ),
    (
        "MATCH (a:User)-[r:AMPLIFIED]->(b:User) WHERE r.at >= $since "
        "RETURN r.id AS id, toFloat(r.at - $since) / 7.0 AS ratio, r.at % 3 = 0 AS divisible "
        "ORDER BY id",
        {"since": START + 20},
    ),
    (
        "MATCH (p:Post) OPTIONAL MATCH (p)-[:TAGGED]->(t:Topic) "
        "WITH p, collect(t.id) AS topics "
        "RETURN p.id AS id, topics, size(topics) AS n, p.text AS text ORDER BY id",
        None,
    ),
    (
        "MATCH (u:User) RETURN u.id AS id, [u.followers, u.handle, u.is_brand, 0.5] AS mixed, "
        "CASE WHEN u.followers IS NULL THEN null ELSE u.id END AS maybe ORDER BY id",
        None,
    ),
    ("MATCH (u:User) WHERE u.id IN $ids RETURN u.id AS id ORDER BY id", {"ids": ["bob", "dee"]}),
    ("UNWIND $values AS v RETURN v", {"values": [1, None, "x", 2.5, True, [], ["a", [1]]]}),
    ("UNWIND range(1, 2500) AS i RETURN i, toString(i) AS s, i * 0.5 AS half", None),
    ("MATCH (a:User)-[r:AMPLIFIED]->(b:User) RETURN count(r) AS n, avg(r.at) AS mean", None),
]


@pytest.mark.usefixtures("loaded")
@pytest.mark.parametrize(("query", "params"), QUERIES)
def test_read_columns_is_read_by_column(
    falkordb: FalkorDBBackend, query: LiteralString, params: dict[str, Any] | None
) -> None:
    rows = falkordb.read(query, params)
    assert rows, "each query here returns rows"
    columns = falkordb.read_columns(query, params)
    assert columns == transposed(rows)
    assert list(columns) == list(rows[0])
    for name, values in columns.items():
        for value, row in zip(values, rows, strict=True):
            assert type(value) is type(row[name]), (name, value, row[name])


def test_read_columns_gives_what_was_written(loaded: Store) -> None:
    columns = loaded.read_columns(
        "MATCH (u:User) RETURN u.id AS id, u.name AS name, u.bio AS bio, "
        "u.followers AS followers, u.is_brand AS brand ORDER BY id"
    )
    ordered = sorted(USERS, key=lambda user: user.id)
    assert columns == {
        "id": [user.id for user in ordered],
        "name": [user.name for user in ordered],
        "bio": [user.bio for user in ordered],
        "followers": [user.followers for user in ordered],
        "brand": [user.is_brand for user in ordered],
    }
    events = loaded.read_columns(
        "MATCH (a:User)-[r:AMPLIFIED]->(b:User) "
        "RETURN r.id AS id, a.id AS source, b.id AS target, r.at AS at, r.post_id AS post "
        "ORDER BY id"
    )
    assert events == {
        "id": [e.id for e in EVENTS],
        "source": [e.amplifier_id for e in EVENTS],
        "target": [e.author_id for e in EVENTS],
        "at": [e.created_at for e in EVENTS],
        "post": [e.post_id for e in EVENTS],
    }


def test_no_rows_give_an_empty_dict(loaded: Store) -> None:
    query: LiteralString = "MATCH (u:User) WHERE u.id = $id RETURN u.id AS id, u.name AS name"
    assert loaded.read(query, {"id": "nobody"}) == []
    assert loaded.read_columns(query, {"id": "nobody"}) == {}
    assert loaded.read_columns("MATCH (x:NoSuchLabel) RETURN x.id AS id") == {}


@pytest.fixture
def missing_graph(server: ServerInfo, graph_name: str) -> Iterator[FalkorDBBackend]:
    backend = FalkorDBBackend.connect(
        server.host, server.port, server.password, f"{graph_name}_never", query_timeout_ms=60_000
    )
    yield backend
    backend.close()


def test_a_graph_that_does_not_exist_reads_empty(missing_graph: FalkorDBBackend) -> None:
    assert missing_graph.read_columns("MATCH (u:User) RETURN u.id AS id") == {}
    assert missing_graph.read("MATCH (u:User) RETURN u.id AS id") == []
    # Reading did not create it.
    assert missing_graph.read_columns("MATCH (n) RETURN count(n) AS n") == {}


def test_an_empty_graph_reads_empty(falkor_store: Store) -> None:
    assert falkor_store.read_columns("MATCH (u:User) RETURN u.id AS id") == {}


@pytest.mark.parametrize(
    "query",
    [
        "RETURN nonsense((",
        "MATCH (u:User RETURN u",
        "RETURN $undefined AS x",
        "CREATE (:User {id: 'sneaky'})",
    ],
)
def test_invalid_queries_raise_invalid_query(loaded: Store, query: LiteralString) -> None:
    with pytest.raises(InvalidQuery):
        loaded.read_columns(query)
    assert loaded.read("MATCH (u:User {id: 'sneaky'}) RETURN u.id AS id") == []


@pytest.mark.parametrize(
    "query",
    [
        "MATCH (u:User) RETURN u",
        "MATCH (:User)-[r:AMPLIFIED]->(:User) RETURN r",
        "RETURN {a: 1} AS m",
    ],
)
def test_graph_entities_and_maps_are_refused(loaded: Store, query: LiteralString) -> None:
    with pytest.raises(InvalidQuery):
        loaded.read_columns(query)


class _RowsOnly(Backend):
    """A backend whose only real method is ``read``: the default ``read_columns`` on top."""

    name = "rows-only"

    def __init__(self, inner: Backend) -> None:
        self.inner = inner

    def read(
        self, query: LiteralString, params: Any = None, *, timeout_ms: int | None = None
    ) -> list[Row]:
        return self.inner.read(query, params, timeout_ms=timeout_ms)

    def write(self, query: LiteralString, params: Any = None) -> list[Row]:
        raise NotImplementedError

    def write_counted(self, query: LiteralString, params: Any = None) -> Any:
        raise NotImplementedError

    def schema_statements(self) -> list[str]:
        raise NotImplementedError

    def ensure_schema(self) -> None:
        raise NotImplementedError

    def search_users(self, text: str, limit: int) -> list[str]:
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError

    def ping(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


@pytest.mark.usefixtures("loaded")
@pytest.mark.parametrize(("query", "params"), QUERIES)
def test_default_read_columns_agrees_with_falkordbs(
    falkordb: FalkorDBBackend, query: LiteralString, params: dict[str, Any] | None
) -> None:
    default = _RowsOnly(falkordb)
    assert default.read_columns(query, params) == falkordb.read_columns(query, params)


@pytest.mark.usefixtures("loaded")
def test_default_read_columns_of_no_rows_is_empty(falkordb: FalkorDBBackend) -> None:
    default = _RowsOnly(falkordb)
    assert default.read_columns("MATCH (x:NoSuchLabel) RETURN x.id AS id") == {}


#: Results of strings, integers and nulls only: what ``read_text_columns`` takes.
TEXT_QUERIES: list[tuple[LiteralString, dict[str, Any] | None]] = [
    ("MATCH (u:User) RETURN u.id AS id, u.name AS name, u.bio AS bio ORDER BY id", None),
    ("MATCH (u:User) RETURN u.id AS id, u.followers AS followers ORDER BY id", None),
    (
        "MATCH (a:User)-[r:AMPLIFIED]->(b:User) "
        "RETURN a.id AS source, b.id AS target, r.kind AS kind, r.at AS at, r.post_id AS post "
        "ORDER BY r.id",
        None,
    ),
    ("UNWIND $values AS v RETURN v", {"values": [1, None, "x", "", "1", "null", -(2**62)]}),
    ("UNWIND range(1, 2500) AS i RETURN i, toString(i) AS s", None),
]


@pytest.mark.usefixtures("loaded")
@pytest.mark.parametrize(("query", "params"), TEXT_QUERIES)
def test_read_text_columns_is_read_columns_for_strings_and_integers(
    falkordb: FalkorDBBackend, query: LiteralString, params: dict[str, Any] | None
) -> None:
    columns = falkordb.read_columns(query, params)
    text = falkordb.read_text_columns(query, params)
    assert text == columns
    for name, values in text.items():
        for value, expected in zip(values, columns[name], strict=True):
            assert type(value) is type(expected), (name, value, expected)


@pytest.mark.usefixtures("loaded")
@pytest.mark.parametrize(("query", "params"), TEXT_QUERIES)
def test_default_read_text_columns_agrees_with_falkordbs(
    falkordb: FalkorDBBackend, query: LiteralString, params: dict[str, Any] | None
) -> None:
    assert _RowsOnly(falkordb).read_text_columns(query, params) == falkordb.read_text_columns(
        query, params
    )


def test_read_text_columns_of_no_rows_or_no_graph_is_empty(falkordb: FalkorDBBackend) -> None:
    assert falkordb.read_text_columns("MATCH (x:NoSuchLabel) RETURN x.id AS id") == {}
