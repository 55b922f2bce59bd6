"""`resonance analyze`, `resonance export influencers` and `resonance profile` through the CLI,
on the planted scenario loaded once into a real embedded FalkorDB."""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from api.cli import app
from graph.backends.falkordb import FalkorDBBackend
from graph.server import ServerInfo
from graph.store import Store
from loaders.formats.contract import CsvContractReader
from loaders.pipeline import load
from tests.support.scenario import Scenario, generate_scenario
from web.csv_export import INFLUENCER_COLUMNS

REQUIRED = [
    "rank",
    "user_id",
    "handle",
    "score",
    "role",
    "community",
    "pagerank",
    "betweenness",
    "topics",
    "reasons",
]


@dataclass(frozen=True)
class Loaded:
    scenario: Scenario
    folder: Path
    env: dict[str, str | None]
    store: Store


@pytest.fixture(scope="module")
def loaded(server: ServerInfo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    folder = tmp_path_factory.mktemp("scenario")
    scenario = generate_scenario(folder)
    graph = f"t_cli_{uuid.uuid4().hex[:8]}"
    backend = FalkorDBBackend.connect(
        server.host, server.port, server.password, graph, query_timeout_ms=60_000
    )
    store = Store(backend)
    store.ensure_schema()
    load(store, [CsvContractReader(folder)])
    env: dict[str, str | None] = {
        "RESONANCE_DATA_DIR": str(server.data_dir),
        "RESONANCE_GRAPH": graph,
        "NEO4J_URI": None,
    }
    yield Loaded(scenario, folder, env, store)
    backend.clear()
    backend.close()


def run(loaded: Loaded, *args: str) -> Result:
    return CliRunner().invoke(app, list(args), env=loaded.env)


def latest(loaded: Loaded) -> dict[str, object]:
    found = loaded.store.latest_analysis()
    assert found is not None
    return found


def amplifications_between(loaded: Loaded, since: datetime, until: datetime) -> int:
    with open(loaded.folder / "amplifications.csv", encoding="utf-8", newline="") as handle:
        stamps = [
            datetime.fromisoformat(row["created_at"].replace("Z", "+00:00"))
            for row in csv.DictReader(handle)
        ]
    return sum(since <= stamp < until for stamp in stamps)


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_analyze_reports_and_records_the_run(loaded: Loaded) -> None:
    result = run(loaded, "analyze")
    assert result.exit_code == 0, result.output
    assert "profile default: scored" in result.output
    assert "roles:" in result.output and "thematic_blogger" in result.output
    record = latest(loaded)
    assert record["profile"] == "default"
    assert record["since"] == "" and record["until"] == ""


def test_analyze_within_a_window(loaded: Loaded) -> None:
    result = run(loaded, "analyze", "--since", "2026-10-20", "--until", "2026-10-25")
    assert result.exit_code == 0, result.output
    record = latest(loaded)
    assert record["since"] == "2026-10-20T00:00:00Z"
    assert record["until"] == "2026-10-26T00:00:00Z"  # a bare --until date includes that day
    expected = amplifications_between(
        loaded, datetime(2026, 10, 20, tzinfo=UTC), datetime(2026, 10, 26, tzinfo=UTC)
    )
    assert 0 < expected < loaded.scenario.amplifications
    assert f"from {expected:,} amplifications" in result.output
    assert loaded.store.read("MATCH (a:Analysis {id: 'latest'}) RETURN a.events AS n") == [
        {"n": expected}
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "yesterday"], "--since: 'yesterday' is not an ISO date"),
        (["--until", "2026-13-01"], "--until: '2026-13-01' is not an ISO date"),
        (["--since", "2026-10-20", "--until", "2026-10-01"], "is not before --until"),
        (["--profile", "no-such-profile"], "no profile named 'no-such-profile'"),
    ],
)
def test_analyze_refuses_bad_options_clearly(loaded: Loaded, args: list[str], message: str) -> None:
    result = run(loaded, "analyze", *args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_export_influencers_has_the_promised_columns(loaded: Loaded, tmp_path: Path) -> None:
    assert run(loaded, "analyze").exit_code == 0
    output = tmp_path / "influencers.csv"
    result = run(loaded, "export", "influencers", "--limit", "25", "-o", str(output))
    assert result.exit_code == 0, result.output
    rows = read_csv(output)
    assert list(rows[0])[: len(REQUIRED)] == REQUIRED
    assert list(rows[0]) == list(INFLUENCER_COLUMNS)
    assert [int(row["rank"]) for row in rows] == list(range(1, 26))
    assert not {row["user_id"] for row in rows} & set(loaded.scenario.brand)
    top = rows[0]
    assert top["role"] == "thematic_blogger" and top["reasons"] and "#1" in top["topics"]
    printed = run(loaded, "export", "influencers", "--limit", "25")
    assert printed.stdout == output.read_text(encoding="utf-8")


def test_export_influencers_on_a_topic_uses_the_topic_rank(loaded: Loaded, tmp_path: Path) -> None:
    assert run(loaded, "analyze").exit_code == 0
    output = tmp_path / "vegan.csv"
    result = run(
        loaded, "export", "influencers", "--topic", "vegan", "--limit", "3", "-o", str(output)
    )
    assert result.exit_code == 0, result.output
    rows = read_csv(output)
    assert {row["user_id"] for row in rows} == set(loaded.scenario.bloggers["vegan"])
    assert [row["rank"] for row in rows] == ["1", "2", "3"]
    assert float(rows[0]["score"]) == pytest.approx(100.0)
    authority = loaded.store.read(
        "MATCH (u:User)-[i:INFLUENTIAL_IN]->(:Topic {id: 'vegan'}) "
        "RETURN u.id AS id, i.rank AS rank, i.score AS score ORDER BY rank LIMIT 3"
    )
    assert [(r["id"], str(r["rank"])) for r in authority] == [
        (row["user_id"], row["rank"]) for row in rows
    ]


def test_export_influencers_by_role_and_community(loaded: Loaded, tmp_path: Path) -> None:
    assert run(loaded, "analyze").exit_code == 0
    output = tmp_path / "ambassadors.csv"
    result = run(loaded, "export", "influencers", "--role", "brand_ambassador", "-o", str(output))
    assert result.exit_code == 0, result.output
    rows = read_csv(output)
    assert set(loaded.scenario.ambassadors) <= {row["user_id"] for row in rows}
    assert {row["role"] for row in rows} == {"brand_ambassador"}
    community = rows[0]["community"]
    result = run(loaded, "export", "influencers", "--community", community, "-o", str(output))
    assert result.exit_code == 0, result.output
    members = read_csv(output)
    assert members and {row["community"] for row in members} == {community}
    ranks = [int(row["rank"]) for row in members]
    assert ranks == sorted(ranks)


def test_export_influencers_refuses_an_unknown_role(loaded: Loaded) -> None:
    result = run(loaded, "export", "influencers", "--role", "celebrity")
    assert result.exit_code == 1
    assert "roles are booster, brand_ambassador" in result.output


def test_export_before_any_analysis_says_what_to_do(server: ServerInfo, tmp_path: Path) -> None:
    env = {
        "RESONANCE_DATA_DIR": str(server.data_dir),
        "RESONANCE_GRAPH": "t_never_analysed",
        "NEO4J_URI": None,
    }
    result = CliRunner().invoke(app, ["export", "influencers"], env=env)
    assert result.exit_code == 1
    assert "run `resonance analyze` first" in result.output


def test_profiles_save_show_list_and_analyze(loaded: Loaded) -> None:
    name = f"campaign-{uuid.uuid4().hex[:6]}"
    saved = run(
        loaded,
        "profile",
        "save",
        name,
        "--from",
        "recent",
        "--set",
        "half_life_days=30",
        "--kind-weight",
        "like=0",
        "--description",
        "no likes",
    )
    assert saved.exit_code == 0, saved.output
    shown = json.loads(run(loaded, "profile", "show", name).stdout)
    assert shown["name"] == name and shown["half_life_days"] == 30
    assert shown["kind_weights"]["like"] == 0 and shown["kind_weights"]["retweet"] == 1.0
    assert shown["description"] == "no likes"
    listed = run(loaded, "profile", "list").output
    assert "default:" in listed and "recent:" in listed and f"{name}: no likes" in listed
    result = run(loaded, "analyze", "--profile", name)
    assert result.exit_code == 0, result.output
    record = latest(loaded)
    assert record["profile"] == name
    assert (
        json.loads(
            str(
                loaded.store.read("MATCH (a:Analysis {id: 'latest'}) RETURN a.profile_json AS p")[
                    0
                ]["p"]
            )
        )["half_life_days"]
        == 30
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "half_life_days=-1"], "is not valid"),
        (["--set", "no_such_field=1"], "is not valid"),
        (["--kind-weight", "wink=1"], "unknown kind"),
        (["--set", "novalue"], "write FIELD=VALUE"),
    ],
)
def test_profile_save_refuses_invalid_values(loaded: Loaded, args: list[str], message: str) -> None:
    result = run(loaded, "profile", "save", f"bad-{uuid.uuid4().hex[:6]}", *args)
    assert result.exit_code == 1
    assert message in result.output
