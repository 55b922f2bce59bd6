"""The explorer's endpoints on a graph with nothing in it, on every backend.

Apart from ``test_api_explorer``, whose module keeps one loaded graph: on Neo4j that graph is
the one database, which this test's empty graph would clear under it.
"""

from __future__ import annotations

from api.main import create_app
from graph.backends.base import Backend
from graph.config import Settings
from tests.support.api_client import api_client

NEO4J_SUITE = "explorer suite"


def test_an_empty_graph(backend: Backend, app_settings: Settings) -> None:
    with api_client(create_app(app_settings, backend=backend)) as empty:
        response = empty.get("/api/analysis")
        assert response.status_code == 404
        assert response.json() == {"detail": "no analysis yet: run `resonance analyze` first"}
        for path in ("/api/topics", "/api/communities"):
            assert empty.get(path).json()["total"] == 0
        assert empty.get("/api/users/u1").status_code == 404
