"""Every statement the Neo4j backend can send passes Neo4j's own Cypher front-end.

The statements are not listed by hand: ``tests/cypher_lint/inventory.py`` walks every module of
the product packages, at any depth, and takes what each exposes (``all_queries()``,
``all_statements()``) and every public Cypher constant it holds, FalkorDB's own dialect aside.
A new feature's Cypher is checked the day it is written, wherever its module sits.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.routes import pages
from graph import queries
from graph.analysis import queries as analysis_queries
from graph.backends import falkordb as falkordb_dialect
from graph.backends import neo4j as neo4j_dialect
from graph.console import saved_queries
from graph.explorer import queries as explorer_queries
from graph.shortlists import queries as shortlist_queries
from tests.cypher_lint import lint_available, lint_cypher
from tests.cypher_lint.inventory import (
    Inventory,
    exposed_statements,
    looks_like_cypher,
    neo4j_inventory,
    product_modules,
)


@pytest.fixture(scope="module")
def inventory() -> Inventory:
    return neo4j_inventory()


def test_the_walk_finds_the_modules_with_statements(inventory: Inventory) -> None:
    # None of these is named to the walk: it finds them, sub-packages included.
    exposing = {queries, analysis_queries, explorer_queries, shortlist_queries, neo4j_dialect}
    assert {module.__name__ for module in exposing} <= set(inventory.exposing)
    assert saved_queries.__name__ in inventory.holding  # the built-in targeting queries
    assert falkordb_dialect.__name__ in inventory.skipped
    assert "tests.support.graph_reads" in inventory.exposing  # the contract's test-only reads
    assert falkordb_dialect.__name__ not in {*inventory.exposing, *inventory.holding}
    walked = {module.__name__ for module in product_modules()}
    assert {pages.__name__, neo4j_dialect.__name__, "api.main", "loaders.pipeline"} <= walked


def test_the_inventory_is_complete(inventory: Inventory) -> None:
    statements = inventory.statements
    for module in (queries, analysis_queries, explorer_queries, shortlist_queries, neo4j_dialect):
        exposed = [s for found in exposed_statements(module).values() for s in found]
        assert exposed and set(exposed) <= set(statements), module.__name__
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
    assert all(example["query"] in statements for example in saved_queries.BUILTIN_QUERIES)
    assert saved_queries.PUT_BUILTIN_QUERIES in statements
    assert len(statements) >= 30


def test_every_exposed_statement_reads_as_cypher(inventory: Inventory) -> None:
    """The constant scan recognises every statement the modules expose: a module that holds
    statements but exposes none of them is still checked."""
    missed = {s: origins for s, origins in inventory.origins.items() if not looks_like_cypher(s)}
    assert missed == {}


@pytest.fixture
def feature_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A package ``newfeature`` with a feature folder two levels deep, on ``sys.path``."""
    files = {
        "newfeature/__init__.py": "",
        "newfeature/history/__init__.py": "",
        "newfeature/history/store/__init__.py": "",
        "newfeature/history/store/queries.py": (
            'HISTORY = "MATCH (h:History) RETURN h"\n'
            'BY_KIND = {"a": "UNWIND $ids AS i RETURN i", "b": "not a statement"}\n'
            'SCHEMA = ("CREATE INDEX h IF NOT EXISTS FOR (h:History) ON (h.at)",)\n'
            '_FIELDS = "RETURN h.id AS id"  # a private fragment\n'
            'NOTE = "Match a history to its run"\n'
        ),
        "newfeature/history/report.py": (
            'def all_queries() -> list[str]:\n    return ["MATCH (n:Report) RETURN n"]\n'
        ),
        "newfeature/history/falkordb_history.py": (
            "SEEK = \"CALL db.idx.fulltext.queryNodes('h', $q) YIELD node RETURN node\"\n"
        ),
    }
    for relative, text in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "newfeature"
    for name in [name for name in sys.modules if name.split(".")[0] == "newfeature"]:
        del sys.modules[name]


def test_a_new_feature_folder_is_found_at_any_depth(feature_package: str) -> None:
    found = neo4j_inventory([feature_package])
    queries_module = "newfeature.history.store.queries"
    assert found.origins == {
        "MATCH (h:History) RETURN h": {f"{queries_module}.HISTORY"},
        "UNWIND $ids AS i RETURN i": {f"{queries_module}.BY_KIND"},
        "CREATE INDEX h IF NOT EXISTS FOR (h:History) ON (h.at)": {f"{queries_module}.SCHEMA"},
        "MATCH (n:Report) RETURN n": {"newfeature.history.report.all_queries()"},
    }
    assert found.skipped == ["newfeature.history.falkordb_history"]


def test_neo4j_front_end_reports_nothing(inventory: Inventory) -> None:
    reason = lint_available()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must check the Neo4j statements: {reason}")
        pytest.skip(reason)
    statements = inventory.statements
    problems = {
        f"{sorted(inventory.origins[statement])}: {statement.strip()}": diagnostics
        for statement, diagnostics in zip(statements, lint_cypher(statements), strict=True)
        if diagnostics
    }
    assert problems == {}
