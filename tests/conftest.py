"""Shared fixtures: one real embedded FalkorDB per session, a fresh graph per test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.backends.base import Backend
from graph.backends.falkordb import FalkorDBBackend
from graph.config import Settings
from graph.server import EmbeddedServer, ServerInfo
from graph.store import Store

SHARED = Path(__file__).resolve().parents[2] / "shared"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerInfo]:
    """A real embedded FalkorDB on 127.0.0.1, a free port and a temporary data directory."""
    embedded = EmbeddedServer(tmp_path_factory.mktemp("falkordb"))
    info = embedded.start()
    yield info
    embedded.stop()


@pytest.fixture
def graph_name() -> str:
    return f"t_{uuid.uuid4().hex[:12]}"


@pytest.fixture
def falkordb(server: ServerInfo, graph_name: str) -> Iterator[FalkorDBBackend]:
    backend = FalkorDBBackend.connect(
        server.host, server.port, server.password, graph_name, query_timeout_ms=60_000
    )
    yield backend
    backend.clear()
    backend.close()


def _neo4j_backend() -> Backend:
    from graph.backends.neo4j import Neo4jBackend

    return Neo4jBackend.connect(
        os.environ["NEO4J_URI"],
        os.environ.get("NEO4J_USERNAME", "neo4j"),
        os.environ.get("NEO4J_PASSWORD", ""),
        os.environ.get("NEO4J_DATABASE", "neo4j"),
        query_timeout_ms=60_000,
    )


# No Neo4j server can run on our machines; with `docker compose up -d neo4j` and
# NEO4J_URI=bolt://127.0.0.1:7687 (plus NEO4J_PASSWORD) the contract runs there too.
NEO4J_SKIP = "NEO4J_URI is not set: store contract not run against Neo4j"


@pytest.fixture(params=["falkordb", "neo4j"])
def backend(
    request: pytest.FixtureRequest, server: ServerInfo, graph_name: str
) -> Iterator[Backend]:
    """Every backend the contract tests must pass on: FalkorDB always, Neo4j when configured."""
    if request.param == "neo4j":
        if not os.environ.get("NEO4J_URI"):
            pytest.skip(NEO4J_SKIP)
        chosen = _neo4j_backend()
        chosen.clear()
    else:
        chosen = FalkorDBBackend.connect(
            server.host, server.port, server.password, graph_name, query_timeout_ms=60_000
        )
    yield chosen
    chosen.clear()
    chosen.close()


@pytest.fixture
def store(backend: Backend) -> Store:
    store = Store(backend, batch_size=100)
    store.ensure_schema()
    return store


@pytest.fixture
def falkor_store(falkordb: FalkorDBBackend) -> Store:
    store = Store(falkordb, batch_size=100)
    store.ensure_schema()
    return store


@pytest.fixture
def settings_for(server: ServerInfo, tmp_path: Path, graph_name: str) -> Settings:
    """Settings that point at the session server's data directory and this test's graph."""
    return Settings(
        RESONANCE_DATA_DIR=server.data_dir, RESONANCE_GRAPH=graph_name, RESONANCE_BATCH_SIZE=500
    )
