"""Every Cypher statement the product can send to Neo4j, found by walking the product packages.

No list of modules is kept by hand: every module of ``graph``, ``api``, ``loaders`` and ``web``
(sub-packages included, at any depth) is imported, and its statements are taken from

* its ``all_queries()`` or ``all_statements()``, when the module defines one (the convention of
  the queries modules and the Neo4j dialect; see ``graph.queries.statements_of``), and
* its public upper-case module-level constants that hold Cypher: a statement, a tuple / list /
  frozenset of them, a dict of them, or a dict (or tuple of dicts) with a ``"query"`` (the
  console's examples).

A module whose own name starts with ``falkordb`` (``graph.backends.falkordb`` and friends) is
FalkorDB's dialect, never sent to Neo4j, and is left out. Private names (``_FIELDS``) are
fragments that public statements are built from, by the same convention as ``statements_of``.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import ModuleType

__all__ = [
    "CHECKED_PACKAGES",
    "EXPOSERS",
    "PRODUCT_PACKAGES",
    "Inventory",
    "cypher_constants",
    "exposed_statements",
    "is_falkordb_dialect",
    "looks_like_cypher",
    "neo4j_inventory",
    "product_modules",
]

PRODUCT_PACKAGES: tuple[str, ...] = ("graph", "api", "loaders", "web")
#: What the Neo4j check walks: the product, and the test-only reads the store contract sends.
CHECKED_PACKAGES: tuple[str, ...] = (*PRODUCT_PACKAGES, "tests.support")
EXPOSERS: tuple[str, ...] = ("all_queries", "all_statements")

# A statement starts with a clause (after an optional CYPHER / EXPLAIN / PROFILE prefix) and goes
# on after it; the project writes its keywords in upper case, so prose ("Create a ...") and a
# header value ("DENY") are not mistaken for one.
_CLAUSE = re.compile(
    r"\s*(?:(?:CYPHER|EXPLAIN|PROFILE)\s+)?"
    r"(?:MATCH|OPTIONAL\s+MATCH|UNWIND|MERGE|CREATE|CALL|RETURN|WITH|DROP|DETACH\s+DELETE"
    r"|FOREACH|LOAD\s+CSV|USE|SHOW|ALTER|TERMINATE|GRANT|DENY|REVOKE)(?:\s+|\()\S"
)


def looks_like_cypher(text: str) -> bool:
    """Whether ``text`` reads as a whole Cypher statement (it starts with a clause).

    >>> looks_like_cypher("\\nMATCH (n) RETURN n"), looks_like_cypher("Match a rule")
    (True, False)
    >>> looks_like_cypher("EXPLAIN MATCH (n) RETURN n"), looks_like_cypher("MATCHES")
    (True, False)
    >>> looks_like_cypher("CALL db.labels()"), looks_like_cypher("DENY")
    (True, False)
    """
    return _CLAUSE.match(text) is not None


def product_modules(packages: Iterable[str] = PRODUCT_PACKAGES) -> list[ModuleType]:
    """Each package and every module below it, at any depth, imported (an import error fails)."""

    def fail(name: str) -> None:
        raise ImportError(f"could not import {name} while walking the product packages")

    found: dict[str, ModuleType] = {}
    for name in packages:
        package = importlib.import_module(name)
        found[name] = package
        for info in pkgutil.walk_packages(package.__path__, f"{name}.", onerror=fail):
            found[info.name] = importlib.import_module(info.name)
    return [found[name] for name in sorted(found)]


def is_falkordb_dialect(module: ModuleType) -> bool:
    """A module of FalkorDB's own dialect (``graph.backends.falkordb_bulk``): never sent to
    Neo4j."""
    return module.__name__.rsplit(".", 1)[-1].startswith("falkordb")


def exposed_statements(module: ModuleType) -> dict[str, list[str]]:
    """``"all_queries()" -> statements`` for each of :data:`EXPOSERS` the module defines itself
    (one imported from another module does not count)."""
    found: dict[str, list[str]] = {}
    for name in EXPOSERS:
        function = vars(module).get(name)
        if callable(function) and getattr(function, "__module__", None) == module.__name__:
            found[f"{name}()"] = _strings(function, f"{module.__name__}.{name}()")
    return found


def _strings(function: Callable[[], object], origin: str) -> list[str]:
    result = function()
    if not isinstance(result, list | tuple) or not all(isinstance(s, str) for s in result):
        raise TypeError(f"{origin} must return a list of statements, not {result!r:.80}")
    return list(result)


def _cypher_in(value: object) -> Iterator[str]:
    if isinstance(value, str):
        if looks_like_cypher(value):
            yield value
    elif isinstance(value, Mapping):
        query = value.get("query")
        if isinstance(query, str):
            yield from _cypher_in(query)
        else:
            for item in value.values():
                if isinstance(item, str):
                    yield from _cypher_in(item)
    elif isinstance(value, tuple | list | frozenset):
        for item in value:
            if isinstance(item, str | Mapping):
                yield from _cypher_in(item)


def cypher_constants(module: ModuleType) -> dict[str, list[str]]:
    """``NAME -> statements`` for the module's public upper-case constants that hold Cypher."""
    found: dict[str, list[str]] = {}
    for name, value in vars(module).items():
        if name.startswith("_") or not name.isupper() or isinstance(value, ModuleType):
            continue
        statements = list(_cypher_in(value))
        if statements:
            found[name] = statements
    return found


@dataclass
class Inventory:
    """The statements, each with where it was found: ``module.NAME``, ``module.all_queries()``."""

    origins: dict[str, set[str]] = field(default_factory=dict)
    exposing: list[str] = field(default_factory=list)  # modules with all_queries / all_statements
    holding: list[str] = field(default_factory=list)  # modules with Cypher constants
    skipped: list[str] = field(default_factory=list)  # FalkorDB's dialect

    @property
    def statements(self) -> list[str]:
        return sorted(self.origins)

    def add(self, statement: str, origin: str) -> None:
        self.origins.setdefault(statement, set()).add(origin)


def neo4j_inventory(packages: Iterable[str] = CHECKED_PACKAGES) -> Inventory:
    """Every statement of every product module that Neo4j can be sent (see the module doc)."""
    inventory = Inventory()
    for module in product_modules(packages):
        if is_falkordb_dialect(module):
            inventory.skipped.append(module.__name__)
            continue
        exposed = exposed_statements(module)
        if exposed:
            inventory.exposing.append(module.__name__)
        for name, statements in exposed.items():
            for statement in statements:
                inventory.add(statement, f"{module.__name__}.{name}")
        constants = cypher_constants(module)
        if constants:
            inventory.holding.append(module.__name__)
        for name, statements in constants.items():
            for statement in statements:
                inventory.add(statement, f"{module.__name__}.{name}")
    return inventory
