"""The Cypher lint harness (tests/cypher_lint) can fail, and passes portable Cypher."""

from __future__ import annotations

import pytest

from tests.cypher_lint import (
    Diagnostic,
    format_diagnostic,
    lint_available,
    lint_cypher,
    lint_cypher_diagnostics,
)

EMOJI = "\N{GRINNING FACE}"

BAD_QUERIES: dict[str, str] = {
    "removed exists(prop)": "MATCH (n) WHERE exists(n.p) RETURN n",
    "pattern expression in size()": "MATCH (u) RETURN size((u)-->())",
    "Neo4j 4 index syntax": "CREATE INDEX ON :L(p)",
    "syntax error": "MATCH (n RETURN n",
    "undefined variable": "MATCH (n) RETURN m",
    "unknown procedure": "CALL db.index.fulltext.queryNodez('t', $q) YIELD node RETURN node",
    "unknown YIELD column": "CALL dbms.components() YIELD nope RETURN nope",
    "unknown function": "MATCH (n) RETURN cout(n)",
    "APOC is not built in": "CALL apoc.help('x') YIELD name RETURN name",
    "undefined variable after an emoji": f"MATCH (n {{name: '{EMOJI}'}}) RETURN m",
}

GOOD_QUERIES: list[str] = [
    "UNWIND $rows AS row MERGE (u:User {id: row.id}) SET u.handle = row.handle",
    "CREATE CONSTRAINT user_id IF NOT EXISTS FOR (u:User) REQUIRE u.id IS UNIQUE",
    "CREATE FULLTEXT INDEX user_text IF NOT EXISTS FOR (n:User) ON EACH [n.handle, n.name, n.bio]",
    "CALL db.index.fulltext.queryNodes('user_text', $q) YIELD node, score "
    "RETURN node.id AS id, score LIMIT $limit",
    "MATCH (a:User)-[r:AMPLIFIED]->(b:User) RETURN a.id AS src, b.id AS dst, count(r) AS n",
    "CALL dbms.components() YIELD name, versions RETURN name, versions",
    "EXPLAIN MATCH (n) RETURN n",
    "MATCH (n:User) WHERE n.bio IS NOT NULL RETURN count { (n)-->() } AS degree",
    "MATCH (u:User {id: $id}) SET u += $props RETURN u LIMIT $limit",  # params auto-declared
    f"MATCH (n {{name: '{EMOJI}'}}) RETURN n",
    "",
]

SYNTAX_ERROR = "MATCH (n RETURN n"
DEPRECATED = "MATCH (n) RETURN id(n)"
EMOJI_THEN_ERROR = f"RETURN '{EMOJI}' AS x, m"


@pytest.fixture(scope="module")
def linted() -> dict[str, list[Diagnostic]]:
    """All queries of this module, linted in a single node run."""
    reason = lint_available()
    if reason is not None:
        pytest.skip(reason)
    queries = [*BAD_QUERIES.values(), *GOOD_QUERIES, SYNTAX_ERROR, DEPRECATED, EMOJI_THEN_ERROR]
    results = lint_cypher_diagnostics(queries)
    assert len(results) == len(queries)
    return dict(zip(queries, results, strict=True))


def test_bad_queries_are_rejected(linted: dict[str, list[Diagnostic]]) -> None:
    accepted = [name for name, query in BAD_QUERIES.items() if not linted[query]]
    assert accepted == [], f"the linter accepted bad Cypher: {accepted}"
    for query in BAD_QUERIES.values():
        assert any(d["severity"] == "error" for d in linted[query]), linted[query]


def test_good_queries_are_clean(linted: dict[str, list[Diagnostic]]) -> None:
    dirty = {q: linted[q] for q in GOOD_QUERIES if linted[q]}
    assert dirty == {}


def test_severity_and_offset(linted: dict[str, list[Diagnostic]]) -> None:
    [syntax_error] = linted[SYNTAX_ERROR]
    assert syntax_error["severity"] == "error"
    assert syntax_error["offset"] == SYNTAX_ERROR.index("RETURN")

    deprecated = linted[DEPRECATED]
    assert deprecated
    assert {d["severity"] for d in deprecated} == {"warning"}
    assert {d["offset"] for d in deprecated} == {DEPRECATED.index("id(")}


def test_offsets_count_code_points(linted: dict[str, list[Diagnostic]]) -> None:
    [diag] = linted[EMOJI_THEN_ERROR]
    assert format_diagnostic(diag) == (
        f"error: Variable `m` not defined at offset {EMOJI_THEN_ERROR.index('m')}"
    )


def test_lint_cypher_reports_errors_and_warnings_as_text() -> None:
    if (reason := lint_available()) is not None:
        pytest.skip(reason)
    queries = [GOOD_QUERIES[0], SYNTAX_ERROR, DEPRECATED, SYNTAX_ERROR]  # duplicate linted once
    clean, syntax, deprecated, syntax_again = lint_cypher(queries)
    assert clean == []
    assert len(syntax) == 1
    assert syntax[0].startswith("error: Invalid input 'RETURN'")
    assert syntax[0].endswith(f" at offset {SYNTAX_ERROR.index('RETURN')}")
    assert deprecated
    assert all(d.startswith("warning: ") for d in deprecated), deprecated
    assert syntax_again == syntax


def test_no_queries_no_node_run() -> None:
    assert lint_cypher([]) == []


def test_a_single_str_is_refused() -> None:
    with pytest.raises(TypeError):
        lint_cypher("MATCH (n) RETURN n")
