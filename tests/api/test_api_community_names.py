"""Communities named by what they are about, through the API (FalkorDB, and Neo4j when
NEO4J_URI is set): a label from their top topics and top voice, an analyst's name kept in the
graph that follows its anchor account across analyses, and the cached reads see it at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from graph.analysis.profile import Profile
from graph.analysis.run import analyze
from graph.backends.base import Backend
from graph.config import Settings
from graph.store import Store
from loaders.demo import generate_demo
from tests.support.api_client import api_client
from tests.support.ingest import load_csv_dir

NEO4J_SUITE = "explorer suite"


@pytest.fixture
def loaded(
    backend: Backend, app_settings: Settings, tmp_path: Path
) -> Iterator[tuple[TestClient, Store]]:
    store = Store(backend)
    generate_demo(tmp_path / "demo", users=300, days=10)
    load_csv_dir(store, tmp_path / "demo", rejects_path=tmp_path / "rejects.txt")
    analyze(store)
    settings = app_settings.model_copy(update={"data_dir": tmp_path / "data"})
    with api_client(create_app(settings, backend=backend)) as client:
        yield client, store


def _communities(client: TestClient) -> dict[int, dict[str, object]]:
    page = client.get("/api/communities", params={"limit": 200}).json()
    return {int(item["community"]): item for item in page["items"]}


def test_labels_name_and_follow_the_anchor(loaded: tuple[TestClient, Store]) -> None:
    client, store = loaded
    before = _communities(client)
    first = before[0]
    topics = [t["topic"] for t in first["topics"]][:2]  # type: ignore[index]
    voice = first["top_members"][0]["handle"]  # type: ignore[index]
    assert first["name"] is None
    assert first["label"] == f"{' · '.join(topics)}, around @{voice.lstrip('@')}"

    named = client.put("/api/communities/0/name", json={"name": "  <b>Camping crowd</b> "})
    assert named.status_code == 200, named.text
    assert named.json() == {"community": 0, "name": "<b>Camping crowd</b>"}
    after = _communities(client)  # the cached list changed with the name
    assert (after[0]["name"], after[0]["label"]) == ("<b>Camping crowd</b>", "<b>Camping crowd</b>")
    assert all(after[c]["name"] is None for c in after if c != 0)
    detail = client.get("/api/communities/0").json()
    assert detail["label"] == "<b>Camping crowd</b>"

    # A new analysis numbers communities afresh: the name follows its anchor account.
    anchor = first["top_members"][0]["id"]  # type: ignore[index]
    analyze(store, Profile(seed=11, leiden_iterations=3))
    moved = client.get(f"/api/users/{anchor}").json()["scores"]["community"]
    again = _communities(client)
    assert again[moved]["name"] == "<b>Camping crowd</b>"
    assert [c for c in again if again[c]["name"]] == [moved]

    cleared = client.delete(f"/api/communities/{moved}/name")
    assert cleared.json() == {"community": moved, "name": None}
    assert _communities(client)[moved]["name"] is None


@pytest.mark.parametrize(
    ("community", "body", "status"),
    [
        (0, {"name": "   "}, 422),
        (0, {"name": "x" * 81}, 422),
        (0, {}, 422),
        (99_999, {"name": "a"}, 404),
    ],
)
def test_a_bad_name_is_refused(
    loaded: tuple[TestClient, Store], community: int, body: dict[str, str], status: int
) -> None:
    client, _ = loaded
    assert client.put(f"/api/communities/{community}/name", json=body).status_code == status
    assert all(item["name"] is None for item in _communities(client).values())
