"""Every statement the Neo4j backend can send passes Neo4j's own Cypher front-end."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from graph import queries
from graph.analysis import queries as analysis_queries
from graph.backends import neo4j as neo4j_dialect
from graph.explorer import queries as explorer_queries
from graph.shortlists import queries as shortlist_queries
from tests.cypher_lint import lint_available, lint_cypher

ROOT = Path(__file__).resolve().parents[1]


def _statement_modules() -> dict[str, Callable[[], list[str]]]:
    """Every module of graph/ (and of tests/support/) that exposes its statements through
    ``all_queries()`` or ``all_statements()``: a new feature's Cypher is found, not listed."""
    found: dict[str, Callable[[], list[str]]] = {}
    for folder in (ROOT / "graph", ROOT / "tests" / "support"):
        for path in sorted(folder.rglob("*.py")):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            source = path.read_text()
            if "def all_queries(" not in source and "def all_statements(" not in source:
                continue
            module = importlib.import_module(name)
            found[name] = getattr(module, "all_queries", None) or module.all_statements
    return found


def _statements() -> list[str]:
    return sorted({s for listed in _statement_modules().values() for s in listed()})


def test_every_queries_module_is_found() -> None:
    assert {
        "graph.queries",
        "graph.analysis.queries",
        "graph.explorer.queries",
        "graph.shortlists.queries",
        "graph.backends.neo4j",
        "tests.support.graph_reads",
    } <= set(_statement_modules())


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
    assert explorer_queries.EDGES_AMONG in statements
    assert analysis_queries.AMPLIFICATIONS_IN in statements
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
