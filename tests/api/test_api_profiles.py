"""Scoring profiles through the API (FalkorDB, and Neo4j when NEO4J_URI is set): every setting
in words, a changed copy saved under a new name, analysed with, and two profiles compared."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from graph.analysis.profile import load_profile
from graph.analysis.profile_fields import FIELD_MEANINGS
from graph.analysis.run import analyze
from graph.backends.base import Backend
from graph.config import Settings
from graph.runs import movement
from graph.runs.history import list_runs
from graph.store import Store
from loaders.demo import generate_demo
from tests.support.api_client import api_client
from tests.support.ingest import load_csv_dir

NEO4J_SUITE = "profiles suite"


@pytest.fixture
def settings(app_settings: Settings, tmp_path: Path) -> Settings:
    return app_settings.model_copy(update={"data_dir": tmp_path / "data"})


@pytest.fixture
def client(backend: Backend, settings: Settings, tmp_path: Path) -> Iterator[TestClient]:
    store = Store(backend)
    generate_demo(tmp_path / "demo", users=300, days=14)
    load_csv_dir(store, tmp_path / "demo", rejects_path=tmp_path / "rejects.txt")
    analyze(store)
    with api_client(create_app(settings, backend=backend)) as test_client:
        yield test_client


def _wait(client: TestClient, job: dict[str, Any]) -> dict[str, Any]:
    deadline = time.monotonic() + 240
    while True:
        body: dict[str, Any] = client.get(f"/api/jobs/{job['id']}").json()
        if body["state"] not in ("queued", "running"):
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.1)


def test_profiles_are_listed_with_the_one_in_use(client: TestClient) -> None:
    listed = client.get("/api/profiles").json()
    assert listed["in_use"] == "default"
    assert listed["groups"] == ["weights", "score", "topics", "roles", "boosting"]
    items = {item["name"]: item for item in listed["items"]}
    assert items["default"] == {
        "name": "default",
        "description": items["default"]["description"],
        "builtin": True,
        "in_use": True,
    }
    assert items["recent"]["builtin"] and not items["recent"]["in_use"]


def test_a_profile_shows_every_setting_in_words(client: TestClient) -> None:
    recent = client.get("/api/profiles/recent").json()
    settings = {s["name"]: s for s in recent["settings"]}
    assert list(settings) == list(FIELD_MEANINGS)
    assert settings["half_life_days"]["value"] == 14.0
    assert settings["half_life_days"]["default"] == 90.0
    assert settings["half_life_days"]["meaning"] == FIELD_MEANINGS["half_life_days"][1]
    assert settings["pagerank_share"]["bounds"] == {"minimum": 0.0, "maximum": 1.0}
    missing = client.get("/api/profiles/nobody")
    assert missing.status_code == 404 and "nobody" in missing.json()["detail"]
    assert client.get("/api/profiles/..%2Fsecrets").status_code in (404, 422)


def test_save_a_changed_profile_analyse_with_it_and_compare(
    client: TestClient, backend: Backend, settings: Settings
) -> None:
    body = {
        "name": "campaign",
        "description": "<b>likes ignored</b>",
        "base": "recent",
        "changes": {"kind_weights": {"like": 0}, "min_audience": 3},
    }
    saved = client.post("/api/profiles", json=body)
    assert saved.status_code == 201, saved.text
    made = {s["name"]: s["value"] for s in saved.json()["settings"]}
    assert made["kind_weights"]["like"] == 0.0 and made["min_audience"] == 3
    assert made["half_life_days"] == 14.0  # kept from its base
    assert saved.json()["description"] == "<b>likes ignored</b>"
    assert load_profile("campaign", settings.data_dir).min_audience == 3
    again = client.post("/api/profiles", json=body)
    assert again.status_code == 409 and "exists already" in again.json()["detail"]

    # Not analysed with yet: the comparison says what to do.
    early = client.get("/api/profiles/compare", params={"first": "default", "second": "campaign"})
    assert early.status_code == 409 and "analyse with it first" in early.json()["detail"]

    job = client.post("/api/jobs/analyze", json={"profile": "campaign"}).json()
    assert _wait(client, job)["state"] == "done"
    assert client.get("/api/profiles").json()["in_use"] == "campaign"

    compared = client.get(
        "/api/profiles/compare", params={"first": "default", "second": "campaign", "top": 10}
    )
    assert compared.status_code == 200, compared.text
    result = compared.json()
    runs = {run.profile: run.id for run in list_runs(Store(backend))}
    assert (result["first"]["id"], result["second"]["id"]) == (runs["default"], runs["campaign"])
    _, _, expected = movement.compare(
        Store(backend), earlier=runs["default"], later=runs["campaign"], top=10
    )
    assert [(i["id"], i["rank"], i["earlier_rank"]) for i in result["items"]] == [
        (m.id, m.rank, m.earlier_rank) for m in expected
    ]
    assert len(result["items"]) == 10


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"damping": 2}, "damping"),
        ({"kind_weights": {"poke": 1}}, "poke"),
        ({"unknown": 1}, "unknown"),
        ({"seed": "seven"}, "seed"),
    ],
)
def test_a_setting_out_of_bounds_is_refused_by_name(
    client: TestClient, changes: dict[str, Any], named: str
) -> None:
    refused = client.post("/api/profiles", json={"name": "bad", "changes": changes})
    assert refused.status_code == 422 and named in refused.text
    assert "bad" not in [p["name"] for p in client.get("/api/profiles").json()["items"]]
