"""The package seams of STYLE.md: graph imports none of the others; web never imports api."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "graph": {"api", "web", "loaders", "fastapi", "pyvis", "starlette", "typer", "rich"},
    "loaders": {"api", "web", "fastapi", "pyvis"},
    "web": {"api", "loaders", "fastapi", "starlette", "typer"},
    "api": set(),
}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_import_arrows(package: str) -> None:
    broken = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & FORBIDDEN[package])
        for path in (ROOT / package).rglob("*.py")
    }
    assert {path: names for path, names in broken.items() if names} == {}


def test_pyvis_is_imported_in_one_module_only() -> None:
    users = [
        str(path.relative_to(ROOT))
        for package in FORBIDDEN
        for path in (ROOT / package).rglob("*.py")
        if "pyvis" in _imports(path)
    ]
    assert users == ["web/network.py"]
