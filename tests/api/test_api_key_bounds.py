"""What the API writes or looks up by key is bounded: 4,097-byte names and ids get 422 and the
database stays up (issue 10, finding 1)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient

from api.main import create_app
from graph.backends.falkordb import FalkorDBBackend
from graph.config import Settings
from graph.models import UserRow
from graph.server import ServerInfo
from graph.shortlists.lists import MAX_NAME, MAX_TAG
from graph.store import Store
from loaders.key_bounds import MAX_KEY_BYTES
from tests.support.api_client import api_client

HUGE = "W" * 4097


@pytest.fixture
def client(falkordb: FalkorDBBackend) -> Iterator[TestClient]:
    store = Store(falkordb, batch_size=100)
    store.ensure_schema()
    store.upsert_users([UserRow("u1", "ada")])
    with api_client(create_app(Settings(), backend=falkordb)) as test_client:
        yield test_client


def test_shortlist_names_tags_and_member_ids_of_4097_bytes_get_422_and_database_stays_up(
    client: TestClient, server: ServerInfo
) -> None:
    assert client.post("/api/shortlists", json={"name": HUGE}).status_code == 422
    assert client.post("/api/shortlists", json={"name": "é" * (MAX_NAME + 1)}).status_code == 422
    created = client.post("/api/shortlists", json={"name": "é" * MAX_NAME})
    assert created.status_code == 201  # 200 characters: at most 800 bytes of UTF-8
    shortlist = created.json()["id"]
    members = f"/api/shortlists/{shortlist}/members"
    assert client.put(f"{members}/{HUGE}", json={}).status_code == 422
    assert client.put(f"{members}/u1", json={"tags": [HUGE]}).status_code == 422
    assert client.put(f"{members}/u1", json={"tags": ["t" * MAX_TAG]}).status_code == 200
    assert client.get(f"/api/shortlists/{HUGE}").status_code == 422
    assert client.post("/api/lookalikes", json={"user_ids": [HUGE]}).status_code in (404, 422)
    live = redis.Redis(host=server.host, port=server.port, password=server.password)
    assert live.ping() and live.info("server")["process_id"] == server.pid
    live.close()


def _max_length(schema: dict[str, Any]) -> int | None:
    """``maxLength`` of a string schema, or of the string in an ``anyOf`` (optional ones)."""
    for option in [schema, *schema.get("anyOf", [])]:
        if "maxLength" in option:
            return int(option["maxLength"])
    return None


def test_every_key_that_loads_can_be_named_in_the_api(client: TestClient) -> None:
    """A key of at most MAX_KEY_BYTES bytes has at most that many characters: every path or
    query parameter naming a user or a topic must take that many."""
    schema = client.app.openapi()  # type: ignore[attr-defined]
    limits = {
        (path, parameter["name"]): _max_length(parameter["schema"])
        for path, operations in schema["paths"].items()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["name"] in ("user_id", "topic", "name")
    }
    assert limits, "no user or topic parameter found"
    assert all(limit is not None and limit >= MAX_KEY_BYTES for limit in limits.values()), limits
