"""``resonance runs list|show|delete|risers|compare`` through the CLI, on a hand-made history
in the session's embedded FalkorDB."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner, Result

from api.cli import app
from graph.server import ServerInfo
from graph.store import Store
from tests.support.run_history import add_accounts, write_run

EARLIER, LATER = 1_000, 2_000


@pytest.fixture
def env(falkor_store: Store, server: ServerInfo, graph_name: str) -> dict[str, str | None]:
    add_accounts(falkor_store)
    write_run(
        falkor_store,
        EARLIER,
        {"a": (1, 9), "b": (2, 4), "c": (3, 6), "d": (None, 0), "e": (4, 7)},
        since="2026-01-01T00:00:00Z",
    )
    write_run(
        falkor_store,
        LATER,
        {"c": (1, 8), "a": (2, 9), "d": (3, 6), "e": (4, 2), "b": (5, 3), "f": (6, 5)},
        roles={"c": "bridge"},
    )
    return {
        "RESONANCE_DATA_DIR": str(server.data_dir),
        "RESONANCE_GRAPH": graph_name,
        "NEO4J_URI": None,
    }


def run(env: dict[str, str | None], *args: str) -> Result:
    return CliRunner().invoke(app, ["runs", *args], env=env)


def test_list_and_show(env: dict[str, str | None]) -> None:
    listed = run(env, "list", "--json")
    assert listed.exit_code == 0, listed.output
    assert [(r["id"], r["latest"]) for r in json.loads(listed.stdout)] == [
        (LATER, True),
        (EARLIER, False),
    ]
    table = run(env, "list")
    assert table.exit_code == 0 and "2 kept runs" in table.stdout and "latest" in table.stdout
    assert "1000" in table.stdout and "2000" in table.stdout
    shown = run(env, "show", str(EARLIER), "--json")
    assert json.loads(shown.stdout)["ranked"] == 4
    assert "ranked: 4" in run(env, "show", str(EARLIER)).stdout
    missing = run(env, "show", "5")
    assert missing.exit_code == 1 and "run 5 not found" in missing.output


def test_delete_refuses_the_latest(env: dict[str, str | None]) -> None:
    refused = run(env, "delete", str(LATER))
    assert refused.exit_code == 1 and "latest analysis" in refused.output
    deleted = run(env, "delete", str(EARLIER))
    assert deleted.exit_code == 0 and f"run {EARLIER} deleted" in deleted.stdout
    assert [r["id"] for r in json.loads(run(env, "list", "--json").stdout)] == [LATER]
    alone = run(env, "risers")
    assert alone.exit_code == 1 and "two runs" in alone.output


def test_risers_and_compare(env: dict[str, str | None]) -> None:
    risen = json.loads(run(env, "risers", "--json").stdout)
    assert (risen["from"], risen["to"]) == (EARLIER, LATER)
    assert [(m["id"], m["gain"]) for m in risen["items"]] == [("c", 2), ("d", 2)]
    strict = json.loads(run(env, "risers", "--min-audience", "7", "--json").stdout)
    assert [m["id"] for m in strict["items"]] == ["c"]
    table = run(env, "risers")
    assert table.exit_code == 0 and "rising voices: run 1000 to run 2000" in table.stdout
    assert "@c" in table.stdout and "@a" not in table.stdout
    compared = json.loads(
        run(
            env, "compare", "--from", str(EARLIER), "--to", str(LATER), "--top", "2", "--json"
        ).stdout
    )
    assert [
        (m["id"], m["earlier_rank"], m["earlier_role"], m["role"]) for m in compared["items"]
    ] == [
        ("c", 3, "voice", "bridge"),
        ("a", 1, "voice", "voice"),
    ]
    printed = run(env, "compare", "--top", "3")
    assert printed.exit_code == 0 and "bridge" in printed.stdout and "@d" in printed.stdout
