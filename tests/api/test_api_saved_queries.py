"""Saved targeting queries in the graph, through the API (FalkorDB, and Neo4j when NEO4J_URI is
set): the built-in ones ship with the app, saved ones can be listed, run with their defaults
and deleted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from graph.backends.base import Backend
from graph.config import Settings
from graph.console.saved_queries import BUILTIN_QUERIES
from graph.store import Store
from tests.support.api_client import api_client

NEO4J_SUITE = "console suite"


@pytest.fixture
def client(backend: Backend, app_settings: Settings) -> Iterator[TestClient]:
    Store(backend).ensure_schema()
    with api_client(create_app(app_settings, backend=backend)) as test_client:
        yield test_client


def _ids(client: TestClient) -> list[str]:
    response = client.get("/api/queries")
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_the_built_in_queries_ship_with_the_app(client: TestClient) -> None:
    listed = client.get("/api/queries").json()["items"]
    assert [item["id"] for item in listed] == [q["id"] for q in BUILTIN_QUERIES]
    assert all(item["builtin"] for item in listed)
    assert listed[3]["params"] == {"topic": "vegan", "community": 1}
    assert _ids(client) == [q["id"] for q in BUILTIN_QUERIES]  # written once, not again
    refused = client.delete(f"/api/queries/{listed[0]['id']}")
    assert refused.status_code == 409 and "ships with the app" in refused.json()["detail"]


def test_save_list_and_delete_a_query(client: TestClient) -> None:
    body = {
        "label": "  Accounts by handle  ",
        "description": "<b>not markup</b>",
        "query": "MATCH (u:User) WHERE u.handle STARTS WITH $prefix RETURN u.id AS id",
        "params": {"prefix": "a", "limit": 5},
    }
    saved = client.post("/api/queries", json=body)
    assert saved.status_code == 201, saved.text
    made = saved.json()
    assert made["label"] == "Accounts by handle" and made["id"].startswith("accounts-by-handle-")
    assert made["builtin"] is False and made["params"] == {"prefix": "a", "limit": 5}
    assert made["description"] == "<b>not markup</b>"
    assert _ids(client)[-1] == made["id"]
    assert client.delete(f"/api/queries/{made['id']}").status_code == 204
    assert made["id"] not in _ids(client)
    assert client.delete(f"/api/queries/{made['id']}").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"label": "x", "query": "LOAD CSV FROM 'file:///etc/passwd' AS r RETURN r"},
        {"label": "x", "query": "RETURN $a", "params": {"a": "b\x00c"}},
        {"label": " ", "query": "RETURN 1"},
        {"label": "x", "query": ""},
    ],
)
def test_what_the_console_would_refuse_is_not_saved(
    client: TestClient, body: dict[str, object]
) -> None:
    before = _ids(client)
    assert client.post("/api/queries", json=body).status_code == 422
    assert _ids(client) == before
