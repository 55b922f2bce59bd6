"""CSV injection: every export (``/api/influencers.csv``, a shortlist's CSV, ``resonance export
influencers`` and ``resonance export communities``) neutralises hostile text on every line of a
cell, on the real embedded database.

Each export is read twice, as a spreadsheet might: with the ``csv`` module (every field must be
quoted, every line of every cell safe) and as raw text split on ``\\r\\n``, ``\\r`` and ``\\n``
(what a spreadsheet that breaks rows on a bare carriage return sees: no line may start with a
formula lead).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Final
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.cli import app as cli_app
from api.main import create_app
from api.routes.shortlists import CSV_COLUMNS
from graph.analysis.run import analyze
from graph.backends.falkordb import FalkorDBBackend
from graph.config import Settings
from graph.models import AmplificationRow, PostRow, UserRow
from graph.server import ServerInfo
from graph.store import Store
from tests.support.api_client import api_client
from web.csv_export import FORMULA_LEADS, INFLUENCER_COLUMNS, Fixed, csv_line, spreadsheet_safe

T0 = 1_790_000_000_000
GRAPH: Final = "csv_injection"
CR_NAME: Final = "Bob\r=cmd|' /C calc'!A0"
LF_HANDLE: Final = "lf\n+SUM(1+1)"
CRLF_NAME: Final = "crlf\r\n@SUM(1)"
TAB_HANDLE: Final = "\t=1+1"
MINUS_NAME: Final = "-2+3"
CR_ID: Final = 'cr\r=HYPERLINK("evil.example")'
MINUS_ID: Final = "-1+cmd"
HOSTILE_POST: Final = "post\r-1+1"
NOTE: Final = "call in May\r=cmd|' /C calc'!A0\n+1\r\n@x\n\tt\n-2"
TAGS: Final = ("x\r=a", "plain", "-b")
HOSTILE: Final = (CR_NAME, LF_HANDLE, CRLF_NAME, TAB_HANDLE, MINUS_NAME, CR_ID, MINUS_ID)
_BREAK: Final = re.compile(r"\r\n|\r|\n")
_TEXT_LEADS: Final = tuple(lead for lead in FORMULA_LEADS if lead != "\r")


def _lines(text: str) -> list[str]:
    return _BREAK.split(text)


def _unquoted(cell: str) -> str:
    """What the text was before it was neutralised: the ``'`` before each line removed."""
    return "".join(
        part[1:] if index % 2 == 0 and part.startswith("'") else part
        for index, part in enumerate(re.split(r"(\r\n|\r|\n)", cell))
    )


def assert_spreadsheet_safe(raw: str) -> list[list[str]]:
    """``raw`` is safe read either way; returns its rows as the ``csv`` module reads them."""
    for line in _lines(raw):
        assert not line.startswith(_TEXT_LEADS), f"a raw line starts a formula: {line!r}"
    rows = list(csv.reader(io.StringIO(raw, newline=""), quoting=csv.QUOTE_ALL))
    assert rows and all(len(row) == len(rows[0]) for row in rows)
    rewritten = io.StringIO()
    csv.writer(rewritten, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    assert rewritten.getvalue() == raw, "not every field is quoted"
    for row in rows:
        for cell in row:
            for line in _lines(cell):
                assert not line.startswith(FORMULA_LEADS), f"a cell line is a formula: {cell!r}"
            assert not cell.startswith(("\r", "\n")), f"a cell starts with a line break: {cell!r}"
    return rows


@pytest.fixture(scope="module")
def hostile_graph(server: ServerInfo) -> Iterator[FalkorDBBackend]:
    """Accounts whose ids, handles, names, posts and topics carry formulas after line breaks."""
    backend = FalkorDBBackend.connect(
        server.host, server.port, server.password, GRAPH, query_timeout_ms=60_000
    )
    backend.clear()
    store = Store(backend, batch_size=100)
    store.ensure_schema()
    users = [UserRow(f"u{i}", f"user{i}", f"User {i}", 100 + i) for i in range(10)]
    targets = [
        UserRow("cr", "cr", CR_NAME, 5),
        UserRow("lf", LF_HANDLE, CRLF_NAME, 6),
        UserRow(CR_ID, TAB_HANDLE, MINUS_NAME, 7),
        UserRow(MINUS_ID, "minus", "Minus", 8),
    ]
    store.upsert_users(users + targets)
    store.upsert_posts([PostRow(HOSTILE_POST, "cr", T0, "hi", ("vegan",))])
    store.upsert_amplifications(
        [
            AmplificationRow(f"{a.id}>{t.id}", a.id, t.id, "retweet", T0 + i, HOSTILE_POST)
            for i, a in enumerate(users)
            for t in targets
        ]
    )
    analyze(store)
    yield backend
    backend.clear()
    backend.close()


@pytest.fixture(scope="module")
def client(hostile_graph: FalkorDBBackend) -> Iterator[TestClient]:
    with api_client(create_app(Settings(), backend=hostile_graph)) as test_client:
        yield test_client


def _assert_hostile_rows_kept_as_text(rows: list[list[str]], columns: tuple[str, ...]) -> None:
    """The hostile accounts are all there, their text intact once the quotes are removed."""
    assert tuple(rows[0]) == columns
    cells = {_unquoted(cell) for row in rows[1:] for cell in row}
    assert {CR_NAME, LF_HANDLE, CRLF_NAME, TAB_HANDLE, MINUS_NAME, CR_ID, MINUS_ID} <= cells


def test_csv_line_quotes_every_field_and_prefixes_every_formula_line() -> None:
    raw = "".join(csv_line([value, 1]) for value in (*HOSTILE, NOTE, "; ".join(TAGS)))
    rows = assert_spreadsheet_safe(csv_line(["text", "number"]) + raw)
    assert [_unquoted(row[0]) for row in rows[1:]] == [*HOSTILE, NOTE, "; ".join(TAGS)]
    assert spreadsheet_safe(CR_NAME) == "Bob\r'=cmd|' /C calc'!A0"
    assert spreadsheet_safe(NOTE) == "call in May\r'=cmd|' /C calc'!A0\n'+1\r\n'@x\n'\tt\n'-2"
    assert spreadsheet_safe("\r=x") == "'\r'=x" and spreadsheet_safe("\n") == "'\n"


def test_negative_numbers_stay_numbers_and_negative_looking_text_is_neutralised() -> None:
    line = csv_line([-0.5, Fixed(-0.25, 4), -3, "-0.5", None])
    assert line == '"-0.5","-0.2500","-3","\'-0.5",""\n'


def test_api_influencers_csv_neutralises_formulas_after_line_breaks(client: TestClient) -> None:
    response = client.get("/api/influencers.csv", params={"limit": 100})
    assert response.status_code == 200
    rows = assert_spreadsheet_safe(response.text)
    _assert_hostile_rows_kept_as_text(rows, INFLUENCER_COLUMNS)
    by_id = {_unquoted(row[1]): dict(zip(INFLUENCER_COLUMNS, row, strict=True)) for row in rows[1:]}
    assert by_id["cr"]["name"] == "Bob\r'=cmd|' /C calc'!A0"
    assert by_id["lf"]["handle"] == "lf\n'+SUM(1+1)" and by_id["lf"]["name"] == "crlf\r\n'@SUM(1)"
    assert by_id[CR_ID]["handle"] == "'\t=1+1" and by_id[CR_ID]["name"] == "'-2+3"
    assert by_id[MINUS_ID]["user_id"] == "'-1+cmd"
    assert "post\r'-1+1" in by_id["cr"]["top_posts"]
    assert float(by_id["cr"]["score"]) > 0 and int(by_id["cr"]["rank"]) >= 1  # numbers


def test_shortlist_csv_neutralises_notes_and_tags_after_line_breaks(client: TestClient) -> None:
    created = client.post("/api/shortlists", json={"name": "=Campaign\r+1"})
    assert created.status_code == 201, created.text
    shortlist = created.json()["id"]
    for user_id in ("cr", "lf", CR_ID, MINUS_ID):
        path = f"/api/shortlists/{shortlist}/members/{quote(user_id, safe='')}"
        answer = client.put(path, json={"note": NOTE, "tags": list(TAGS)})
        assert answer.status_code == 200, (user_id, answer.text)
    response = client.get(f"/api/shortlists/{shortlist}.csv")
    assert response.status_code == 200
    rows = assert_spreadsheet_safe(response.text)
    _assert_hostile_rows_kept_as_text(rows, CSV_COLUMNS)
    assert len(rows) == 5
    for row in rows[1:]:
        cells = dict(zip(CSV_COLUMNS, row, strict=True))
        assert cells["note"] == "call in May\r'=cmd|' /C calc'!A0\n'+1\r\n'@x\n'\tt\n'-2"
        assert cells["tags"] == "x\r'=a; plain; -b" and _unquoted(cells["tags"]) == "; ".join(TAGS)


def _cli_env(server: ServerInfo) -> dict[str, str | None]:
    return {"RESONANCE_DATA_DIR": str(server.data_dir), "RESONANCE_GRAPH": GRAPH, "NEO4J_URI": None}


def test_cli_export_influencers_neutralises_formulas_after_line_breaks(
    hostile_graph: FalkorDBBackend, server: ServerInfo, tmp_path: Path
) -> None:
    output = tmp_path / "influencers.csv"
    runner = CliRunner()
    args = ["export", "influencers", "--limit", "100"]
    result = runner.invoke(cli_app, [*args, "-o", str(output)], env=_cli_env(server))
    assert result.exit_code == 0, result.output
    raw = output.read_bytes().decode("utf-8")
    _assert_hostile_rows_kept_as_text(assert_spreadsheet_safe(raw), INFLUENCER_COLUMNS)
    printed = runner.invoke(cli_app, args, env=_cli_env(server))
    assert printed.exit_code == 0 and printed.stdout_bytes.decode("utf-8") == raw


def test_cli_export_communities_neutralises_formula_ids(
    hostile_graph: FalkorDBBackend, server: ServerInfo, tmp_path: Path
) -> None:
    output = tmp_path / "communities.csv"
    runner = CliRunner()
    result = runner.invoke(
        cli_app, ["export", "communities", "-o", str(output)], env=_cli_env(server)
    )
    assert result.exit_code == 0, result.output
    raw = output.read_bytes().decode("utf-8")
    rows = assert_spreadsheet_safe(raw)
    assert tuple(rows[0]) == ("user_id", "community")
    ids = {row[0] for row in rows[1:]}
    assert {'cr\r\'=HYPERLINK("evil.example")', "'-1+cmd", "cr", "lf"} <= ids
    assert all(row[1].isdigit() for row in rows[1:])
    printed = runner.invoke(cli_app, ["export", "communities"], env=_cli_env(server))
    assert printed.exit_code == 0 and printed.stdout_bytes.decode("utf-8") == raw
