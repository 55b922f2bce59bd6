"""The house of STYLE.md, walked from the source: which package and which feature folder may
import which, no import circle anywhere (a function-level import included), and one seam to the
database.

The arrows::

    loaders ──┐
    api ──────┼──> graph      graph imports none of the others; nothing imports api
    web ──────┘
    api ──> web               web renders graph models, never imports api or loaders

and inside ``graph/``: the foundation at its root (plus ``backends/`` and ``algorithms/``)
imports no feature folder; ``analysis/`` imports no other feature; ``explorer/`` may read
``analysis/`` (the weights it shows are the analysis's); ``console/`` and ``shortlists/``
import no other feature; ``runs/`` (the history of analyses) may read ``analysis/``; so may
``spark/`` (the analysis on Apache Spark applies the same rules).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("api", "graph", "loaders", "web")

#: What ``graph/`` holds at its root: the foundation everything else stands on.
FOUNDATION_MODULES = {
    "config", "connect", "errors", "models", "queries", "server", "server_watch", "store",
    "write_pipeline", "backup", "orphans",
}  # fmt: skip
FOUNDATION_FOLDERS = {"algorithms", "backends"}
#: Each feature folder, and the other features it may import.
FEATURES: dict[str, set[str]] = {
    "analysis": set(),
    "explorer": {"analysis"},
    "console": set(),
    "shortlists": set(),
    "runs": {"analysis"},
    "backtest": {"analysis"},
    "spark": {"analysis"},
}

#: Third-party packages a package of ours must not import.
FORBIDDEN_LIBRARIES = {
    "graph": {"fastapi", "starlette", "uvicorn", "pyvis", "typer", "rich", "jinja2"},
    "loaders": {"fastapi", "starlette", "uvicorn", "pyvis", "typer", "rich"},
    "web": {"fastapi", "starlette", "uvicorn", "typer", "rich"},
    # The API reaches the database through graph.connect and the store, never a driver.
    "api": {"neo4j", "falkordb", "redis", "pyvis"},
}
#: Our packages a package must not import (and nothing imports api: it is a composition root).
FORBIDDEN_PACKAGES = {
    "graph": {"api", "web", "loaders"},
    "loaders": {"api", "web"},
    "web": {"api", "loaders"},
    "api": set(),
}
#: The modules that may reach through ``store.backend``: the store itself, and connect.
BACKEND_SEAM = {"graph/store.py", "graph/connect.py"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def _modules() -> dict[str, Path]:
    """Every module of our packages by dotted name (packages under their own name)."""
    return {
        _module_name(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")
    }


@cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), str(path))


def _imported(module: str, path: Path) -> Iterator[str]:
    """The dotted names ``module`` imports, anywhere in it (inside functions too)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _ours(module: str, path: Path) -> set[str]:
    """The modules of ours that ``module`` imports (``from a import b`` names ``a.b`` when it
    is a module, else ``a``)."""
    known = _modules()
    found: set[str] = set()
    for name in _imported(module, path):
        if name in known and name != module:
            found.add(name)
    # ``from graph.explorer import queries`` yields both graph.explorer and graph.explorer.queries:
    # keep the package only when nothing below it was named.
    return {
        name
        for name in found
        if known[name].name != "__init__.py" or not any(o.startswith(name + ".") for o in found)
    }


def _libraries(path: Path) -> set[str]:
    module = _module_name(path)
    return {name.split(".")[0] for name in _imported(module, path)}


def _area(module: str) -> str:
    """``graph`` (the foundation), ``graph.<feature>``, or the top package."""
    parts = module.split(".")
    if parts[0] == "graph" and len(parts) > 1 and parts[1] in FEATURES:
        return f"graph.{parts[1]}"
    return parts[0]


def _edges() -> dict[str, set[str]]:
    return {module: _ours(module, path) for module, path in _modules().items()}


def _relative(module: str) -> str:
    return str(_modules()[module].relative_to(ROOT))


# ------------------------------------------------------------------ the packages
@pytest.mark.parametrize("package", sorted(FORBIDDEN_PACKAGES))
def test_package_arrows(package: str) -> None:
    broken = {
        _relative(module): sorted(
            target
            for target in targets
            if target.split(".")[0] in FORBIDDEN_PACKAGES[package]
            or (target.split(".")[0] == "api" and package != "api")
        )
        for module, targets in _edges().items()
        if module.split(".")[0] == package
    }
    assert {path: names for path, names in broken.items() if names} == {}


@pytest.mark.parametrize("package", sorted(FORBIDDEN_LIBRARIES))
def test_library_arrows(package: str) -> None:
    broken = {
        str(path.relative_to(ROOT)): sorted(_libraries(path) & FORBIDDEN_LIBRARIES[package])
        for path in (ROOT / package).rglob("*.py")
    }
    assert {path: names for path, names in broken.items() if names} == {}


def test_nothing_imports_api() -> None:
    """api is where the app and the CLI are composed: no package of ours stands on it."""
    users = {
        _relative(module): sorted(t for t in targets if t.split(".")[0] == "api")
        for module, targets in _edges().items()
        if module.split(".")[0] != "api"
    }
    assert {path: names for path, names in users.items() if names} == {}


def test_api_reaches_the_database_only_through_the_store() -> None:
    """No server-specific backend module in api/: only ``graph.backends.base`` (the interface)."""
    broken = {
        _relative(module): sorted(
            t for t in targets if t.startswith("graph.backends.") and t != "graph.backends.base"
        )
        for module, targets in _edges().items()
        if module.split(".")[0] == "api"
    }
    assert {path: names for path, names in broken.items() if names} == {}


# ------------------------------------------------------------ inside graph/
def test_graph_root_holds_the_foundation_only() -> None:
    """A module or folder of graph/ is either foundation or a feature folder, never loose."""
    root = ROOT / "graph"
    modules = {path.stem for path in root.glob("*.py")} - {"__init__"}
    folders = {path.name for path in root.iterdir() if (path / "__init__.py").exists()}
    assert modules == FOUNDATION_MODULES
    assert folders == FOUNDATION_FOLDERS | set(FEATURES)


def test_the_foundation_imports_no_feature() -> None:
    broken = {
        _relative(module): sorted(t for t in targets if _area(t).startswith("graph."))
        for module, targets in _edges().items()
        if _area(module) == "graph"
    }
    assert {path: names for path, names in broken.items() if names} == {}


@pytest.mark.parametrize("feature", sorted(FEATURES))
def test_feature_arrows(feature: str) -> None:
    """A feature imports the foundation, itself and only the features it is allowed."""
    allowed = {f"graph.{name}" for name in FEATURES[feature] | {feature}}
    broken = {
        _relative(module): sorted(
            t for t in targets if _area(t).startswith("graph.") and _area(t) not in allowed
        )
        for module, targets in _edges().items()
        if _area(module) == f"graph.{feature}"
    }
    assert {path: names for path, names in broken.items() if names} == {}


# ---------------------------------------------------------------- no circles
def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module, or of one importing itself
    (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            step = next(targets, None)
            if step is not None:
                if step not in index:
                    index[step] = low[step] = len(index)
                    stack.append(step)
                    on_stack.add(step)
                    work.append((step, iter(sorted(edges.get(step, ())))))
                elif step in on_stack:
                    low[node] = min(low[node], index[step])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges.get(node, ()):
                    found.append(sorted(component))
    return found


def test_cycle_finder_finds_a_hidden_circle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle() -> None:
    """Among all our modules, counting imports inside functions too."""
    assert _cycles(_edges()) == []


# -------------------------------------------------------------- one seam
def _backend_reads(tree: ast.Module) -> list[int]:
    """The lines where ``tree`` reads an attribute named ``backend``."""
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == "backend"
    ]


def test_backend_finder_finds_a_reach_through() -> None:
    assert _backend_reads(ast.parse("rows = store.backend.read(query)\nstore.read(query)")) == [1]
    assert _backend_reads(ast.parse("backend.read(query)  # store.backend\n'store.backend'")) == []


def test_only_the_store_reaches_the_backend() -> None:
    """Features read and write through the store (``read``, ``read_columns``, ``write``,
    ``bulk_path``...): no ``<anything>.backend`` outside graph/store.py and graph/connect.py, in
    the product, the benchmarks or the tests (a test about a backend takes it as a fixture)."""
    paths = [
        path for package in (*PACKAGES, "bench", "tests") for path in (ROOT / package).rglob("*.py")
    ]
    broken = {
        str(path.relative_to(ROOT)): lines
        for path in paths
        if str(path.relative_to(ROOT)) not in BACKEND_SEAM
        and (lines := _backend_reads(_tree(path)))
    }
    assert broken == {}


def test_pyvis_is_imported_in_one_module_only() -> None:
    users = [
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "pyvis" in _libraries(path)
    ]
    assert users == ["web/network.py"]
