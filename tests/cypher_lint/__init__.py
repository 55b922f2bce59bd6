"""Lint Cypher statements with Neo4j's own Cypher front-end.

The checking is done by ``lint.mjs`` (Node.js) with the npm package
``@neo4j-cypher/language-support``: Neo4j's parser and semantic analysis
(Cypher 5 by default), plus the package's checks that parameters, procedures
and functions are declared. Every ``$param`` in a query is declared
automatically; Neo4j's built-in procedures and functions are declared by
``lint.mjs`` (APOC / GDS are not, so calling them is reported).

Install once (CI does the same)::

    npm ci --prefix tests/cypher_lint

Usage in a test::

    from tests.cypher_lint import lint_available, lint_cypher

    reason = lint_available()
    if reason is not None:
        pytest.skip(reason)
    assert lint_cypher(["MATCH (n) RETURN n"]) == [[]]
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypedDict

__all__ = [
    "LINT_DIR",
    "Diagnostic",
    "format_diagnostic",
    "lint_available",
    "lint_cypher",
    "lint_cypher_diagnostics",
]

LINT_DIR: Path = Path(__file__).resolve().parent
PACKAGE = "@neo4j-cypher/language-support"
INSTALL_HINT = "run `npm ci --prefix tests/cypher_lint`"
MIN_NODE_MAJOR = 20
TIMEOUT_S = 600.0

PARAM_RE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
# What a declared parameter stands for; the front-end only checks that it is declared.
PARAM_SAMPLE: list[dict[str, Any]] = [{}]
REPORTED_SEVERITIES = frozenset({"error", "warning"})


class Diagnostic(TypedDict):
    """One diagnostic as written by ``lint.mjs``."""

    message: str
    severity: str
    offset: int | None


def _pinned_version() -> str:
    manifest = json.loads((LINT_DIR / "package.json").read_text(encoding="utf-8"))
    return str(manifest["dependencies"][PACKAGE])


def _installed_version() -> str | None:
    manifest = LINT_DIR / "node_modules" / PACKAGE / "package.json"
    if not manifest.is_file():
        return None
    return str(json.loads(manifest.read_text(encoding="utf-8"))["version"])


@functools.cache
def _node_major(node: str) -> int | None:
    try:
        proc = subprocess.run(
            [node, "--version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.fullmatch(r"v(\d+)\..*", proc.stdout.strip())
    return int(match.group(1)) if proc.returncode == 0 and match else None


def lint_available() -> str | None:
    """None when the linter can run, else why not (for ``pytest.skip``)."""
    node = shutil.which("node")
    if node is None:
        return f"node not found on PATH: install Node.js >= {MIN_NODE_MAJOR}, then {INSTALL_HINT}"
    major = _node_major(node)
    if major is None or major < MIN_NODE_MAJOR:
        found = "unknown version" if major is None else f"v{major}"
        return f"{node} is {found}; the Cypher linter needs Node.js >= {MIN_NODE_MAJOR}"
    installed = _installed_version()
    if installed is None:
        return f"node_modules missing: {INSTALL_HINT}"
    pinned = _pinned_version()
    if installed != pinned:
        return f"{PACKAGE} {installed} is installed but {pinned} is pinned: {INSTALL_HINT}"
    return None


def lint_cypher_diagnostics(queries: Sequence[str]) -> list[list[Diagnostic]]:
    """Every diagnostic (any severity) for each query, in one ``node`` run."""
    if isinstance(queries, str):
        raise TypeError("lint_cypher expects a sequence of queries, not a single str")
    if not queries:
        return []
    reason = lint_available()
    if reason is not None:
        raise RuntimeError(f"Cypher linter unavailable: {reason}")
    node = shutil.which("node")
    assert node is not None  # checked by lint_available()
    items = [
        {"query": query, "parameters": dict.fromkeys(PARAM_RE.findall(query), PARAM_SAMPLE)}
        for query in queries
    ]
    proc = subprocess.run(
        [node, str(LINT_DIR / "lint.mjs")],
        input=json.dumps(items),
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=LINT_DIR,
        timeout=TIMEOUT_S,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"lint.mjs failed (exit {proc.returncode}):\n{proc.stderr.strip()}")
    results: object = json.loads(proc.stdout)
    if not isinstance(results, list) or len(results) != len(queries):
        raise RuntimeError(f"lint.mjs returned malformed output: {proc.stdout[:500]!r}")
    return [[_diagnostic(raw) for raw in per_query] for per_query in results]


def _diagnostic(raw: object) -> Diagnostic:
    if not isinstance(raw, dict):
        raise RuntimeError(f"lint.mjs returned a malformed diagnostic: {raw!r}")
    message, severity, offset = raw.get("message"), raw.get("severity"), raw.get("offset")
    if (
        not isinstance(message, str)
        or not isinstance(severity, str)
        or not (offset is None or (isinstance(offset, int) and not isinstance(offset, bool)))
    ):
        raise RuntimeError(f"lint.mjs returned a malformed diagnostic: {raw!r}")
    return Diagnostic(message=message, severity=severity, offset=offset)


def format_diagnostic(diagnostic: Diagnostic) -> str:
    """``"<severity>: <message> at offset <n>"`` (offset: index into the query str)."""
    text = f"{diagnostic['severity']}: {diagnostic['message']}"
    offset = diagnostic["offset"]
    return text if offset is None else f"{text} at offset {offset}"


def lint_cypher(queries: Sequence[str]) -> list[list[str]]:
    """Per query, its errors and warnings as readable strings; ``[]`` means clean.

    Every ``$name`` parameter in a query is declared, so only real problems are
    reported: syntax errors, semantic errors (undefined variables, removed
    syntax such as ``exists(n.p)``), unknown procedures/functions or YIELD
    columns, and warnings such as deprecations. Raises RuntimeError when the
    linter cannot run (see :func:`lint_available`).
    """
    return [
        [format_diagnostic(d) for d in per_query if d["severity"] in REPORTED_SEVERITIES]
        for per_query in lint_cypher_diagnostics(queries)
    ]
