"""What the console refuses before any server sees the query, and why a write is a write.

The servers are the real guard (``GRAPH.RO_QUERY``; Neo4j's read session and ``EXPLAIN``);
these helpers refuse what no server should be asked (LOAD CSV, odd parameters) and put the
server's refusal into words.
"""

from __future__ import annotations

import math
import re
from typing import Any

from graph.backends.base import Params
from graph.backends.falkordb_params import MAX_DEPTH
from graph.errors import InvalidQuery

#: Lists and maps in lists and maps, at most: as deep as FalkorDB's parameter header goes.
MAX_PARAM_DEPTH = MAX_DEPTH

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
    if params and (problem := param_problem(params)) is not None:
        raise ConsoleRefused(problem)


def _name_problem(name: object) -> str | None:
    if not isinstance(name, str):
        return "is not text"
    if not name:
        return "is empty"
    if "`" in name:
        return "holds a backtick"  # FalkorDB's header cannot escape one
    if "\x00" in name:
        return "holds a NUL character"
    return None


def param_problem(params: Params) -> str | None:
    """Why ``params`` cannot be sent, in words; ``None`` when they can. Refused: a name or map
    key that is not text, empty, or holds a backtick or a NUL; text holding a NUL (FalkorDB
    reads the query as C text); values other than text, numbers (finite), booleans, null,
    lists and maps; lists and maps nested deeper than ``MAX_PARAM_DEPTH``. Walked with a
    stack: a deeply nested value must not exhaust the interpreter's.

    >>> param_problem({"ids": ["a", "b"], "m": {"k": [1, 2.5, None, True]}}) is None
    True
    >>> param_problem({"m": {"": 1}})
    "parameter 'm': the map key '' is empty"
    """
    pending: list[tuple[object, Any, int]] = []
    for given, top in params.items():
        if (problem := _name_problem(given)) is not None:
            return f"parameter name {given!r} {problem}"
        pending.append((given, top, 0))
    while pending:
        name, value, depth = pending.pop()
        if value is None or isinstance(value, bool | int):
            continue
        if isinstance(value, str):
            if "\x00" in value:
                return f"parameter {name!r}: a text value holds a NUL character"
            continue
        if isinstance(value, float) and math.isfinite(value):
            continue
        if not isinstance(value, list | tuple | dict):
            return f"parameter {name!r}: {type(value).__name__} values are not supported"
        if depth >= MAX_PARAM_DEPTH:
            return f"parameter {name!r}: lists and maps nested over {MAX_PARAM_DEPTH} levels deep"
        if isinstance(value, dict):
            for key in value:
                if (problem := _name_problem(key)) is not None:
                    return f"parameter {name!r}: the map key {key!r} {problem}"
            value = list(value.values())
        pending.extend((name, item, depth + 1) for item in value)
    return None


def time_limit(timeout_ms: int) -> ConsoleRefused:
    return ConsoleRefused(f"the query ran past the console's time limit ({timeout_ms} ms)")
