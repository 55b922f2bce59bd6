"""Each dialect's schema statements, applied for real on FalkorDB and checked for Neo4j."""

from __future__ import annotations

import time
from typing import Any

import pytest

from graph.backends import neo4j as neo4j_dialect
from graph.backends.falkordb import FalkorDBBackend
from graph.errors import InvalidQuery
from graph.shortlists import queries as shortlist_queries


def _indexes(backend: FalkorDBBackend) -> dict[tuple[str, str], set[str]]:
    """(entity type, label) -> {property: index kinds} from ``db.indexes()``."""
    found: dict[tuple[str, str], set[str]] = {}
    rows = backend.read(
        "CALL db.indexes() YIELD label, properties, types, entitytype "
        "RETURN label, properties, types, entitytype"
    )
    for row in rows:
        types: dict[str, Any] = row["types"]
        for prop in row["properties"]:
            for kind in types.get(prop, []):
                found.setdefault((row["entitytype"], row["label"]), set()).add(f"{prop}:{kind}")
    return found


def _constraints(backend: FalkorDBBackend) -> set[tuple[str, str, str]]:
    deadline = time.monotonic() + 10
    while True:
        rows = backend.read(
            "CALL db.constraints() YIELD type, label, properties, status "
            "RETURN type, label, properties, status"
        )
        if all(r["status"] == "OPERATIONAL" for r in rows) or time.monotonic() > deadline:
            return {(r["type"], r["label"], ",".join(r["properties"])) for r in rows}
        time.sleep(0.1)


def test_falkordb_schema(falkordb: FalkorDBBackend) -> None:
    falkordb.ensure_schema()
    falkordb.ensure_schema()  # idempotent
    indexes = _indexes(falkordb)
    for label in ("User", "Post", "Topic", "Shortlist", "Run"):
        assert "id:RANGE" in indexes[("NODE", label)]
    assert {"handle:FULLTEXT", "name:FULLTEXT", "bio:FULLTEXT"} <= indexes[("NODE", "User")]
    assert "id:RANGE" in indexes[("RELATIONSHIP", "AMPLIFIED")]
    assert _constraints(falkordb) == {
        ("UNIQUE", "User", "id"),
        ("UNIQUE", "Post", "id"),
        ("UNIQUE", "Topic", "id"),
        ("UNIQUE", "Shortlist", "id"),
        ("UNIQUE", "Run", "id"),
    }


def test_falkordb_unique_ids_are_enforced(falkordb: FalkorDBBackend) -> None:
    falkordb.ensure_schema()
    _constraints(falkordb)
    falkordb.write("CREATE (:User {id: 'same'})")
    with pytest.raises(InvalidQuery, match="unique"):
        falkordb.write("CREATE (:User {id: 'same'})")


def test_neo4j_schema_statements() -> None:
    schema = " ".join(neo4j_dialect.SCHEMA)
    for label in ("User", "Post", "Topic", "Shortlist", "Run"):
        assert f"FOR (n:{label}) REQUIRE n.id IS UNIQUE" in schema
    assert "DROP CONSTRAINT shortlist_id IF EXISTS" in neo4j_dialect.DROP_STATEMENTS
    assert "CREATE FULLTEXT INDEX user_text IF NOT EXISTS" in schema
    assert all("IF NOT EXISTS" in statement for statement in neo4j_dialect.SCHEMA)


def test_falkordb_finds_a_shortlist_by_its_index(falkordb: FalkorDBBackend) -> None:
    falkordb.ensure_schema()
    _constraints(falkordb)
    plan = "\n".join(falkordb._graph.explain(shortlist_queries.SHORTLIST, {"id": "x"}).plan)
    assert "Node By Index Scan" in plan and "Shortlist" in plan, plan
    falkordb.write("CREATE (:Shortlist {id: 'same'})")
    with pytest.raises(InvalidQuery, match="unique"):
        falkordb.write("CREATE (:Shortlist {id: 'same'})")
