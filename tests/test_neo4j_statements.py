"""Every statement the Neo4j backend can send passes Neo4j's own Cypher front-end."""

from __future__ import annotations

import os

import pytest

from graph import queries
from graph.backends import neo4j as neo4j_dialect
from graph.explorer import queries as explorer_queries
from graph.shortlists import queries as shortlist_queries
from tests.cypher_lint import lint_available, lint_cypher


def _statements() -> list[str]:
    return sorted(
        {
            *queries.all_queries(),
            *explorer_queries.all_queries(),
            *shortlist_queries.all_queries(),
            *neo4j_dialect.all_statements(),
        }
    )


def test_the_inventory_is_complete() -> None:
    statements = _statements()
    assert queries.UPSERT_AMPLIFICATIONS in statements
    assert queries.STAGE_SCORES in statements and queries.STAGE_TOPIC_RANKS in statements
    assert queries.SWITCH_TO_STAGED_ANALYSIS in statements
    assert all(s in statements for s in queries.TOP_INFLUENCERS.values())
    assert all(s in statements for s in neo4j_dialect.SCHEMA)
    assert any("(n:Shortlist) REQUIRE n.id IS UNIQUE" in s for s in neo4j_dialect.SCHEMA)
    assert neo4j_dialect.SEARCH_USERS in statements
    assert shortlist_queries.UPSERT_MEMBER in statements
    assert len(statements) >= 30


def test_neo4j_front_end_reports_nothing() -> None:
    reason = lint_available()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must check the Neo4j statements: {reason}")
        pytest.skip(reason)
    statements = _statements()
    problems = {
        statement.strip(): diagnostics
        for statement, diagnostics in zip(statements, lint_cypher(statements), strict=True)
        if diagnostics
    }
    assert problems == {}
