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
from tests.support.planted_runs import PlantedEngines

SHARED = Path(__file__).resolve().parents[2] / "shared"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerInfo]:
    """A real embedded FalkorDB on 127.0.0.1, a free port and a temporary data directory."""
    embedded = EmbeddedServer(tmp_path_factory.mktemp("falkordb"))
    info = embedded.start()
    yield info
    embedded.stop()


@pytest.fixture(scope="session")
def planted_engines(
    server: ServerInfo, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PlantedEngines]:
    """The planted scenario analysed by each engine, on first use, once per session."""
    engines = PlantedEngines(server, tmp_path_factory.mktemp("planted"))
    yield engines
    engines.close()


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


def _neo4j_env() -> dict[str, str]:
    """The Neo4j server the tests were given, as ``NEO4J_*`` settings (defaults as Settings')."""
    return {
        "NEO4J_URI": os.environ["NEO4J_URI"],
        "NEO4J_USERNAME": os.environ.get("NEO4J_USERNAME", "neo4j"),
        "NEO4J_PASSWORD": os.environ.get("NEO4J_PASSWORD", ""),
        "NEO4J_DATABASE": os.environ.get("NEO4J_DATABASE", "neo4j"),
    }


def _neo4j_backend() -> Backend:
    from graph.backends.neo4j import Neo4jBackend

    env = _neo4j_env()
    return Neo4jBackend.connect(
        env["NEO4J_URI"],
        env["NEO4J_USERNAME"],
        env["NEO4J_PASSWORD"],
        env["NEO4J_DATABASE"],
        query_timeout_ms=60_000,
    )


# No Neo4j server can run on our machines; with `docker compose up -d neo4j` and
# NEO4J_URI=bolt://127.0.0.1:7687 (plus NEO4J_PASSWORD) the parametrised suites run there too.
def neo4j_skip(suite: str) -> str:
    """Why a suite's Neo4j variant did not run."""
    return f"NEO4J_URI is not set: {suite} not run against Neo4j"


#: The params of a fixture that runs its tests on every backend: FalkorDB always, Neo4j when
#: ``NEO4J_URI`` is set (``-m neo4j`` selects the Neo4j variants).
BACKENDS = ("falkordb", pytest.param("neo4j", marks=pytest.mark.neo4j))


def suite_of(request: pytest.FixtureRequest) -> str:
    """The suite a test belongs to, for its skip reason: the module's ``NEO4J_SUITE``, else
    the module's name."""
    return str(getattr(request.module, "NEO4J_SUITE", request.module.__name__))


def open_test_backend(request: pytest.FixtureRequest, server: ServerInfo, graph: str) -> Backend:
    """The backend of ``request.param``, empty: FalkorDB's ``graph`` on the session server, or
    the Neo4j of ``NEO4J_URI`` (cleared: it is one database for every test), which skips the
    test, saying why, when none is set. The caller clears and closes it."""
    if request.param == "neo4j":
        if not os.environ.get("NEO4J_URI"):
            pytest.skip(neo4j_skip(suite_of(request)))
        chosen = _neo4j_backend()
        chosen.clear()
        return chosen
    return FalkorDBBackend.connect(
        server.host, server.port, server.password, graph, query_timeout_ms=60_000
    )


def settings_env(
    backend: Backend, server: ServerInfo, graph: str, data_dir: Path
) -> dict[str, str | None]:
    """The environment of a Resonance process on ``backend`` (a CLI run, an app's Settings):
    the session server's data directory and ``graph`` on FalkorDB (``NEO4J_URI`` unset even
    when the tests were given one), the ``NEO4J_*`` of the environment and ``data_dir`` on
    Neo4j."""
    if backend.name == "neo4j":
        return {**_neo4j_env(), "RESONANCE_DATA_DIR": str(data_dir)}
    return {"NEO4J_URI": None, "RESONANCE_DATA_DIR": str(server.data_dir), "RESONANCE_GRAPH": graph}


@pytest.fixture(params=BACKENDS)
def backend(
    request: pytest.FixtureRequest, server: ServerInfo, graph_name: str
) -> Iterator[Backend]:
    """Every backend the parametrised suites must pass on: FalkorDB always, Neo4j when
    configured (cleared before and after)."""
    chosen = open_test_backend(request, server, graph_name)
    yield chosen
    chosen.clear()
    chosen.close()


@pytest.fixture
def store(backend: Backend) -> Store:
    store = Store(backend, batch_size=100)
    store.ensure_schema()
    return store


@pytest.fixture
def backend_env(
    backend: Backend, server: ServerInfo, graph_name: str, tmp_path: Path
) -> dict[str, str | None]:
    """:func:`settings_env` of this test's ``backend`` (data in ``tmp_path`` on Neo4j)."""
    return settings_env(backend, server, graph_name, tmp_path / "data")


@pytest.fixture
def app_settings(backend_env: dict[str, str | None]) -> Settings:
    """Settings of an app on this test's ``backend``: FalkorDB's graph on the session server,
    or the Neo4j of ``NEO4J_*``."""
    return Settings(**backend_env)  # type: ignore[arg-type]


@pytest.fixture
def falkor_store(falkordb: FalkorDBBackend) -> Store:
    store = Store(falkordb, batch_size=100)
    store.ensure_schema()
    return store


@pytest.fixture
def settings_for(server: ServerInfo, tmp_path: Path, graph_name: str) -> Settings:
    """Settings that point at the session server's data directory and this test's graph."""
    return Settings(
        NEO4J_URI=None,  # FalkorDB's, even when the tests were given a Neo4j server
        RESONANCE_DATA_DIR=server.data_dir,
        RESONANCE_GRAPH=graph_name,
        RESONANCE_BATCH_SIZE=500,
    )
