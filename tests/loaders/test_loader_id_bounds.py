"""Ids, handles and hashtags beyond their bound are rejected before the database sees them.

A value of 4,097 bytes reaching a unique ``id`` kills FalkorDB (SIGSEGV in the unique-constraint
check); these tests send such values through every way in and prove the session's one server
stays up (same pid, PING answers), the good rows load and the rejects name file, line, field.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
import redis
from typer.testing import CliRunner

from api.cli import app
from api.main import create_app
from graph.backends.falkordb import FalkorDBBackend
from graph.config import Settings
from graph.models import PostRow, UserRow
from graph.server import ServerInfo
from graph.store import Store
from loaders.detect import open_reader
from loaders.key_bounds import MAX_EVENT_ID_BYTES, MAX_KEY_BYTES, key_problem
from loaders.pipeline import load
from tests.support.api_client import api_client
from tests.support.ingest import load_csv_dir

HUGE = "W" * 4097
T = "2026-10-03T14:05:00Z"
REJECT = re.compile(r"^(?P<file>.+):(?P<line>\d+): (?P<field>[\w.]+): ")


def _assert_server_up(server: ServerInfo) -> None:
    client = redis.Redis(host=server.host, port=server.port, password=server.password)
    try:
        assert client.ping()
        assert client.info("server")["process_id"] == server.pid  # never restarted
    finally:
        client.close()


def _ids(store: Store, label: str) -> set[str]:
    rows = store.read(f"MATCH (n:{label}) RETURN n.id AS id")  # type: ignore[misc]
    return {str(row["id"]) for row in rows}


def _contract_dir(folder: Path) -> Path:
    """Good rows around oversized ids, handles, hashtags in text and placeholder ids."""
    folder.mkdir()
    (folder / "users.csv").write_text(
        f"id,handle\n1,ada\n{HUGE},big\n2,bob\n3,{HUGE}\n", encoding="utf-8"
    )
    (folder / "posts.csv").write_text(
        "id,author_id,created_at,text\n"
        f"p1,1,{T},hello #vegan\n"
        f"p2,1,{T},third-party text #{HUGE}\n"
        f"{HUGE},1,{T},x\n"
        f"p3,{HUGE},{T},x\n",
        encoding="utf-8",
    )
    (folder / "amplifications.csv").write_text(
        "amplifier_id,author_id,post_id,kind,created_at\n"
        f"2,1,p1,retweet,{T}\n"
        f"{HUGE},1,p1,retweet,{T}\n"
        f"2,{HUGE},,mention,{T}\n",
        encoding="utf-8",
    )
    return folder


EXPECTED_REJECTS = {
    ("users.csv", 3, "id"),
    ("users.csv", 5, "handle"),
    ("posts.csv", 3, "hashtags"),
    ("posts.csv", 4, "id"),
    ("posts.csv", 5, "author_id"),
    ("amplifications.csv", 3, "amplifier_id"),
    ("amplifications.csv", 4, "author_id"),
}


def _rejects(path: Path) -> set[tuple[str, int, str]]:
    """``(file name, line, field)`` of every ``file:line: field: reason`` in a rejects file."""
    found = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        match = REJECT.match(line)
        assert match is not None, line
        found.add((Path(match["file"]).name, int(match["line"]), match["field"]))
    return found


def _assert_good_rows_loaded(store: Store) -> None:
    assert _ids(store, "User") == {"1", "2"}  # no placeholder from a rejected row either
    assert _ids(store, "Post") == {"p1"}
    assert _ids(store, "Topic") == {"vegan"}
    rows = store.read("MATCH ()-[a:AMPLIFIED]->() RETURN count(a) AS n")
    assert rows[0]["n"] == 1


@pytest.mark.parametrize("path_flag", ["--no-bulk", "--bulk"])
def test_ids_hashtags_and_placeholder_ids_of_4097_bytes_are_rejected_and_database_stays_up(
    server: ServerInfo, falkordb: FalkorDBBackend, graph_name: str, tmp_path: Path, path_flag: str
) -> None:
    """``resonance load csv DIR`` on the batched path and on the GRAPH.BULK path."""
    folder = _contract_dir(tmp_path / "in")
    rejects = tmp_path / "rejects.txt"
    env = {"RESONANCE_DATA_DIR": str(server.data_dir), "RESONANCE_GRAPH": graph_name}
    result = CliRunner().invoke(
        app, ["load", "csv", str(folder), path_flag, "--rejects", str(rejects)], env=env
    )
    assert result.exit_code == 0, result.output
    _assert_server_up(server)
    _assert_good_rows_loaded(Store(falkordb))
    assert _rejects(rejects) == EXPECTED_REJECTS
    assert "4,097 bytes of UTF-8, longer than the 200 bytes allowed" in rejects.read_text()


def test_the_library_load_rejects_oversized_keys_and_database_stays_up(
    server: ServerInfo, falkor_store: Store, tmp_path: Path
) -> None:
    folder = _contract_dir(tmp_path / "in")
    report = load_csv_dir(falkor_store, folder, rejects_path=tmp_path / "r.txt")
    _assert_server_up(server)
    _assert_good_rows_loaded(falkor_store)
    assert report.rejected["users.id"] == 1 and report.rejected["posts.hashtags"] == 1
    assert report.rejected["amplifications.amplifier_id"] == 1
    assert _rejects(tmp_path / "r.txt") == EXPECTED_REJECTS


def _twitter_v1(path: Path) -> Path:
    tweets = [
        {"id_str": "11", "created_at": "Sat Oct 03 14:05:00 +0000 2026", "text": "hi",
         "user": {"id_str": "1", "screen_name": "ada"}},
        {"id_str": HUGE, "created_at": "Sat Oct 03 14:05:00 +0000 2026", "text": "hi",
         "user": {"id_str": "2", "screen_name": "bob"}},
        {"id_str": "12", "created_at": "Sat Oct 03 14:05:00 +0000 2026", "text": f"#{HUGE}",
         "entities": {"hashtags": [{"text": HUGE}]}, "user": {"id_str": "1", "screen_name": "ada"}},
        {"id_str": "13", "created_at": "Sat Oct 03 14:05:00 +0000 2026", "text": "hi",
         "user": {"id_str": HUGE, "screen_name": "eve"}},
    ]  # fmt: skip
    path.write_text("".join(json.dumps(tweet) + "\n" for tweet in tweets), encoding="utf-8")
    return path


def _edgelist(path: Path) -> Path:
    path.write_text(f"1 2\n{HUGE} 2\n3 {HUGE}\n", encoding="utf-8")
    return path


def _graphml(path: Path) -> Path:
    path.write_text(
        '<?xml version="1.0"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n'
        '<graph edgedefault="directed">\n'
        '<node id="1"/>\n<node id="2"/>\n'
        f'<node id="{HUGE}"/>\n'
        '<edge source="1" target="2"/>\n'
        f'<edge source="{HUGE}" target="2"/>\n'
        "</graph>\n</graphml>\n",
        encoding="utf-8",
    )
    return path


def _gexf(path: Path) -> Path:
    path.write_text(
        '<?xml version="1.0"?>\n<gexf xmlns="http://gexf.net/1.3">\n<graph>\n<nodes>\n'
        '<node id="1"/>\n<node id="2"/>\n'
        f'<node id="{HUGE}"/>\n'
        "</nodes>\n<edges>\n"
        '<edge source="1" target="2"/>\n'
        f'<edge source="2" target="{HUGE}"/>\n'
        "</edges>\n</graph>\n</gexf>\n",
        encoding="utf-8",
    )
    return path


def _tweet_csv(path: Path) -> Path:
    path.write_text(
        "author_id,author,content,publish_date\n"
        "1,ada,hello @bob #vegan,10/03/2026 14:05\n"
        f"{HUGE},big,hi,10/03/2026 14:05\n"
        f"1,ada,#{HUGE},10/03/2026 14:05\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("make", "name", "rejected_lines"),
    [
        (_twitter_v1, "stream.jsonl", {2, 3, 4}),
        (_edgelist, "edges.txt", {2, 3}),
        (_graphml, "g.graphml", {6, 8}),
        (_gexf, "g.gexf", {7, 11}),
        (_tweet_csv, "tweets.csv", {3, 4}),
    ],
)
@pytest.mark.parametrize("bulk", [False, True])
def test_every_format_rejects_4097_byte_ids_with_file_and_line_and_database_stays_up(
    server: ServerInfo,
    falkor_store: Store,
    tmp_path: Path,
    make: object,
    name: str,
    rejected_lines: set[int],
    bulk: bool,
) -> None:
    assert callable(make)
    path = make(tmp_path / name)
    rejects = tmp_path / "r.txt"
    report = load(falkor_store, [open_reader(path)], rejects_path=rejects, bulk=bulk)
    _assert_server_up(server)
    assert report.loaded["users"] >= 1
    assert all(len(user_id) < 4097 for user_id in _ids(falkor_store, "User"))
    lines = rejects.read_text(encoding="utf-8").splitlines()
    assert {int(line.split(":")[1]) for line in lines} == rejected_lines
    assert all(line.startswith(f"{path}:") and "bytes of UTF-8" in line for line in lines)


def test_bounds_are_bytes_of_utf8_at_the_documented_limits() -> None:
    at_limit, over = "é" * (MAX_KEY_BYTES // 2), "é" * (MAX_KEY_BYTES // 2) + "x"
    assert key_problem(UserRow(id=at_limit, handle="a")) is None
    assert key_problem(UserRow(id=over, handle="a")) == (
        "id",
        f"id {over[:24] + '…'!r} is 201 bytes of UTF-8, longer than the 200 bytes allowed",
    )
    assert key_problem(UserRow(id="1", handle=over))[0] == "handle"  # type: ignore[index]
    post = PostRow(id="p", author_id="1", created_at=0, topics=("ok", over))
    assert key_problem(post)[0] == "hashtags"  # type: ignore[index]
    assert MAX_KEY_BYTES < MAX_EVENT_ID_BYTES < 4096


def test_an_upload_through_post_api_jobs_load_rejects_oversized_keys_and_database_stays_up(
    server: ServerInfo, falkordb: FalkorDBBackend, tmp_path: Path
) -> None:
    folder = _contract_dir(tmp_path / "in")
    settings = Settings(RESONANCE_DATA_DIR=tmp_path / "data")
    with api_client(create_app(settings, backend=falkordb)) as client:
        files = [
            ("files", (name, (folder / name).read_bytes(), "text/csv"))
            for name in ("users.csv", "posts.csv", "amplifications.csv")
        ]
        started = client.post("/api/jobs/load", files=files)
        assert started.status_code == 202, started.json()
        deadline = time.monotonic() + 120
        while (job := client.get(f"/api/jobs/{started.json()['id']}").json())["state"] not in (
            "done",
            "failed",
        ):
            assert time.monotonic() < deadline, job
            time.sleep(0.1)
    assert job["state"] == "done", job
    _assert_server_up(server)
    _assert_good_rows_loaded(Store(falkordb))
