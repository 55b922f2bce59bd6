"""What the console refuses before any server sees the query, and why a write is a write.

The servers are the real guard (``GRAPH.RO_QUERY``; Neo4j's read session and ``EXPLAIN``);
these helpers refuse what no server should be asked (LOAD CSV, odd parameters) and put the
server's refusal into words.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from graph.errors import InvalidQuery

Params = Mapping[str, Any]

_LITERALS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n]*|/\*.*?\*/", re.S)
_WRITES = re.compile(
    r"(?<![.$\w])(?:(CREATE|DROP)\s+(?:\w+\s+)?(INDEX|CONSTRAINT)|CALL\s+([\w.]+)"
    r"|(DETACH\s+DELETE|CREATE|MERGE|SET|REMOVE|DELETE))\b",
    re.I,
)
_WRITE_PROCEDURE = re.compile(r"create|drop|delete|set|add|remove|merge|write", re.I)
_LOAD_CSV = re.compile(r"(?<![.$\w])LOAD\s+CSV\b", re.I)
_EXPLAIN = re.compile(r"\s*(?:EXPLAIN|PROFILE)\b", re.I)


class ConsoleRefused(InvalidQuery):
    """The console refused or stopped a query; the message says why."""


def code_only(query: str) -> str:
    """``query`` with string literals, quoted names and comments blanked out."""
    return _LITERALS.sub(" ", query)


def why_write(query: str) -> str:
    """Which clause of ``query`` writes, in words (for a query the server called a write)."""
    for match in _WRITES.finditer(code_only(query)):
        verb, target, procedure, clause = match.groups()
        if target:
            return f"{verb.upper()} {target.upper()} changes the graph's schema"
        if procedure and _WRITE_PROCEDURE.search(procedure):
            return f"CALL {procedure} changes the graph"
        if clause:
            return f"{' '.join(clause.upper().split())} writes to the graph"
    return "the query would change the graph"


def explain_text(query: str) -> str:
    """The ``EXPLAIN`` of ``query`` (a leading EXPLAIN or PROFILE of its own is replaced)."""
    match = _EXPLAIN.match(query)
    return "EXPLAIN " + (query[match.end() :].lstrip() if match else query)


def check_query(query: str, params: Params | None) -> None:
    """Refuse what no server should be asked: empty text, LOAD CSV, odd parameters."""
    if not query.strip():
        raise ConsoleRefused("the query is empty")
    if _LOAD_CSV.search(code_only(query)):
        raise ConsoleRefused("the console does not run LOAD CSV: it reads the server's files")
    for name, value in (params or {}).items():
        if not isinstance(name, str) or not name or "`" in name:
            raise ConsoleRefused(f"parameter name {name!r} is not allowed")
        _check_param(name, value)


def _check_param(name: str, value: Any) -> None:
    if value is None or isinstance(value, str | bool | int):
        return
    if isinstance(value, float) and math.isfinite(value):
        return
    if isinstance(value, list | tuple):
        for item in value:
            _check_param(name, item)
        return
    if isinstance(value, dict) and all(isinstance(k, str) and "`" not in k for k in value):
        for item in value.values():
            _check_param(name, item)
        return
    raise ConsoleRefused(f"parameter {name!r}: {type(value).__name__} values are not supported")


def time_limit(timeout_ms: int) -> ConsoleRefused:
    return ConsoleRefused(f"the query ran past the console's time limit ({timeout_ms} ms)")
