"""The generic CSV loader (``shared/DATA_CONTRACT.md``) against a real embedded FalkorDB.

Every test writes its own small CSV files into ``tmp_path``, loads them with
``tests.support.ingest.load_csv_dir`` and reads the result back from the database with Cypher.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import app
from graph.backends.falkordb import FalkorDBBackend
from graph.errors import LoadError
from graph.models import GraphStats
from graph.server import ServerInfo
from graph.store import Store
from loaders.report import LoadReport
from tests.support.ingest import load_csv_dir

USER_COLUMNS = ("id", "handle", "name", "followers", "bio", "url", "is_brand", "platform")
POST_COLUMNS = ("id", "author_id", "created_at", "text", "hashtags", "lang", "url")
AMPLIFICATION_COLUMNS = ("id", "amplifier_id", "author_id", "post_id", "kind", "created_at")

ALICE_NAME = "José Ñúñez 🚀 東京"
ALICE_BIO = 'Chef, runner; says "hi"\nand bakes, too'

USERS: list[tuple[str, ...]] = [
    ("u1", "@alice", ALICE_NAME, "1200", ALICE_BIO, "https://alice.example", "false", ""),
    ("u2", "bob", "Bob", "0", "", "", "true", "Mastodon"),
    ("u3", "carol", "", "", "", "", "", "bluesky"),
    ("brand", "AcmeFoods", "Acme Foods", "50000", "The brand", "https://acme.example", "TRUE", ""),
]
POSTS: list[tuple[str, ...]] = [
    (
        "p1",
        "u1",
        "2026-10-03T14:05:00Z",
        'Loving #Vegan food, "really"',
        "#Vegan;vegan; TrailRunning",
        "en",
        "https://x.example/p1",
    ),
    ("p2", "u2", "2026-10-03T16:05:00+02:00", "Hello #Vegan and #Coffee ☕", "", "en", ""),
    ("p3", "brand", "2026-10-04T00:00:00.123Z", "no tags here", "", "", ""),
]
AMPLIFICATIONS: list[tuple[str, ...]] = [
    ("a1", "u2", "u1", "p1", "retweet", "2026-10-03T15:00:00Z"),
    ("a2", "u3", "u1", "p1", "Quote", "2026-10-03T15:30:00Z"),
    ("a3", "u3", "u1", "", "mention", "2026-10-03T16:00:00Z"),
    ("", "u1", "brand", "p3", "share", "2026-10-04T01:00:00Z"),
    ("a5", "u2", "brand", "p3", "like", "2026-10-04T02:00:00+01:00"),
]
ROUND_TRIP_STATS = GraphStats(users=4, posts=3, topics=3, amplifications=5, amplified_pairs=4)

REJECT_LINE = re.compile(r"^(?P<file>.+):(?P<line>\d+): (?P<field>[a-z_]+): (?P<reason>.+)$")
DERIVED_ID = re.compile(r"^h[0-9a-f]{24}$")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# --------------------------------------------------------------------------- helpers
def ms(moment: datetime) -> int:
    """Epoch milliseconds, by exact integer arithmetic."""
    return (moment - EPOCH) // timedelta(milliseconds=1)


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_dataset(
    directory: Path,
    *,
    users: Sequence[Sequence[str]] | None = USERS,
    posts: Sequence[Sequence[str]] | None = POSTS,
    amplifications: Sequence[Sequence[str]] | None = AMPLIFICATIONS,
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    if users is not None:
        write_csv(directory / "users.csv", USER_COLUMNS, users)
    if posts is not None:
        write_csv(directory / "posts.csv", POST_COLUMNS, posts)
    if amplifications is not None:
        write_csv(directory / "amplifications.csv", AMPLIFICATION_COLUMNS, amplifications)
    return directory


def gzip_dataset(source: Path, target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for path in source.glob("*.csv"):
        (target / f"{path.name}.gz").write_bytes(gzip.compress(path.read_bytes()))
    return target


def load(store: Store, directory: Path, rejects: Path) -> LoadReport:
    return load_csv_dir(store, directory, rejects_path=rejects)


def user_props(store: Store) -> dict[str, dict[str, Any]]:
    rows = store.read(
        "MATCH (u:User) RETURN u.id AS id, u.handle AS handle, u.name AS name, "
        "u.followers AS followers, u.bio AS bio, u.url AS url, u.is_brand AS is_brand, "
        "u.platform AS platform, u.placeholder AS placeholder ORDER BY id"
    )
    return {str(row["id"]): row for row in rows}


def post_props(store: Store) -> dict[str, dict[str, Any]]:
    rows = store.read(
        "MATCH (a:User)-[:POSTED]->(p:Post) RETURN p.id AS id, a.id AS author, "
        "p.author_id AS author_id, p.created_at AS created_at, p.text AS text, "
        "p.lang AS lang, p.url AS url ORDER BY id"
    )
    return {str(row["id"]): row for row in rows}


def post_topics(store: Store) -> dict[str, set[str]]:
    topics: dict[str, set[str]] = {}
    for row in store.read(
        "MATCH (p:Post) OPTIONAL MATCH (p)-[:TAGGED]->(t:Topic) RETURN p.id AS post, t.id AS topic"
    ):
        found = topics.setdefault(str(row["post"]), set())
        if row["topic"] is not None:
            found.add(str(row["topic"]))
    return topics


def edges(store: Store) -> dict[str, dict[str, Any]]:
    rows = store.read(
        "MATCH (a:User)-[r:AMPLIFIED]->(b:User) RETURN r.id AS id, a.id AS amplifier, "
        "b.id AS author, r.kind AS kind, r.at AS at, r.post_id AS post_id ORDER BY id"
    )
    return {str(row["id"]): row for row in rows}


def snapshot(store: Store) -> dict[str, Any]:
    """Everything the graph holds, as plain comparable values."""
    read = store.read
    return {
        "stats": store.stats(),
        "users": read("MATCH (u:User) RETURN u AS node ORDER BY u.id"),
        "posts": read("MATCH (p:Post) RETURN p AS node ORDER BY p.id"),
        "topics": read("MATCH (t:Topic) RETURN t.id AS id ORDER BY id"),
        "amplified": read(
            "MATCH (a:User)-[r:AMPLIFIED]->(b:User) "
            "RETURN a.id AS a, b.id AS b, r AS r ORDER BY r.id"
        ),
        "relationships": read(
            "MATCH ()-[r]->() RETURN type(r) AS type, count(r) AS n ORDER BY type"
        ),
    }


def reject_lines(path: Path) -> list[tuple[str, int, str, str]]:
    found: list[tuple[str, int, str, str]] = []
    for text in path.read_text(encoding="utf-8").splitlines():
        match = REJECT_LINE.match(text)
        assert match is not None, f"not FILE:LINE: FIELD: reason: {text!r}"
        found.append((match["file"], int(match["line"]), match["field"], match["reason"]))
    return found


# ------------------------------------------------------------------------ round trip
@pytest.mark.parametrize("batch_size", [100, 2])
def test_round_trip_properties(
    falkor_store: Store, falkordb: FalkorDBBackend, tmp_path: Path, batch_size: int
) -> None:
    directory = write_dataset(tmp_path / "data")
    report = load(Store(falkordb, batch_size=batch_size), directory, tmp_path / "r.txt")

    assert report.rejected_total == 0
    assert not (tmp_path / "r.txt").exists()
    assert report.read == Counter(users=4, posts=3, amplifications=5)
    assert report.loaded == Counter(users=4, posts=3, amplifications=5)
    assert report.placeholder_users == 0
    assert report.self_amplifications == 0
    assert report.notices == []

    users = user_props(falkor_store)
    assert users["u1"] == {
        "id": "u1",
        "handle": "alice",
        "name": ALICE_NAME,
        "followers": 1200,
        "bio": ALICE_BIO,
        "url": "https://alice.example",
        "is_brand": False,
        "platform": "twitter",
        "placeholder": False,
    }
    assert users["u2"]["followers"] == 0
    assert users["u2"]["is_brand"] is True
    assert users["u2"]["platform"] == "mastodon"
    assert users["u3"]["followers"] is None
    assert users["u3"]["is_brand"] is False
    assert users["u3"]["platform"] == "bluesky"
    assert users["brand"]["is_brand"] is True
    assert users["brand"]["platform"] == "twitter"
    assert isinstance(users["u1"]["followers"], int)

    posts = post_props(falkor_store)
    assert posts["p1"] == {
        "id": "p1",
        "author": "u1",
        "author_id": "u1",
        "created_at": ms(datetime(2026, 10, 3, 14, 5, tzinfo=UTC)),
        "text": 'Loving #Vegan food, "really"',
        "lang": "en",
        "url": "https://x.example/p1",
    }
    assert posts["p1"]["created_at"] == 1791036300000
    assert posts["p2"]["created_at"] == posts["p1"]["created_at"]  # +02:00 is the same instant
    assert posts["p2"]["text"] == "Hello #Vegan and #Coffee ☕"
    assert posts["p3"]["created_at"] == ms(datetime(2026, 10, 4, 0, 0, 0, 123_000, tzinfo=UTC))
    assert posts["p3"]["author"] == "brand"

    assert post_topics(falkor_store) == {
        "p1": {"vegan", "trailrunning"},
        "p2": {"vegan", "coffee"},  # taken from the text: the hashtags column is empty
        "p3": set(),
    }
    topics = falkor_store.read("MATCH (t:Topic) RETURN t.id AS id ORDER BY id")
    assert [row["id"] for row in topics] == ["coffee", "trailrunning", "vegan"]

    amplified = edges(falkor_store)
    derived = [key for key in amplified if not key.startswith("a")]
    assert len(derived) == 1 and DERIVED_ID.match(derived[0])
    assert amplified["a1"] == {
        "id": "a1",
        "amplifier": "u2",
        "author": "u1",
        "kind": "retweet",
        "at": ms(datetime(2026, 10, 3, 15, 0, tzinfo=UTC)),
        "post_id": "p1",
    }
    assert amplified["a2"]["kind"] == "quote"
    assert amplified["a3"]["post_id"] in ("", None)
    assert amplified[derived[0]] == {
        "id": derived[0],
        "amplifier": "u1",
        "author": "brand",
        "kind": "share",
        "at": ms(datetime(2026, 10, 4, 1, 0, tzinfo=UTC)),
        "post_id": "p3",
    }
    assert amplified["a5"]["at"] == ms(datetime(2026, 10, 4, 1, 0, tzinfo=UTC))

    # Influence flows to the one amplified: amplifier -> author, never the reverse.
    reverse = falkor_store.read(
        "MATCH (:User {id: 'u1'})-[r:AMPLIFIED]->(:User {id: 'u2'}) RETURN count(r) AS n"
    )
    assert reverse[0]["n"] == 0

    assert falkor_store.stats() == ROUND_TRIP_STATS


def test_progress_reports_every_table(falkor_store: Store, tmp_path: Path) -> None:
    calls: list[tuple[int, int, int]] = []
    directory = write_dataset(tmp_path / "data")
    load_csv_dir(
        falkor_store,
        directory,
        rejects_path=tmp_path / "rejects.txt",
        progress=lambda _reader, rows, done, total: calls.append((rows, done, total)),
    )
    total = sum(path.stat().st_size for path in directory.iterdir())
    assert calls[-1] == (4 + 3 + 5, total, total)


def test_bom_crlf_and_header_spaces_are_accepted(falkor_store: Store, tmp_path: Path) -> None:
    directory = tmp_path / "data"
    directory.mkdir()
    (directory / "users.csv").write_bytes(
        "\ufeff id , handle ,name\r\n"  # line 1
        'x1,@xavier,"Xavière\r\nsecond line"\r\n'  # lines 2-3
        "\r\n"  # line 4, blank
        "x2,,No handle\r\n"  # line 5
        "x3,yan,\r\n".encode()  # line 6
    )
    rejects = tmp_path / "rejects.txt"
    report = load(falkor_store, directory, rejects)
    assert report.notices == []
    assert report.rejected == Counter({"users.handle": 1})
    assert rejects.read_text(encoding="utf-8").startswith(f"{directory / 'users.csv'}:5: handle: ")
    users = user_props(falkor_store)
    assert sorted(users) == ["x1", "x3"]
    assert users["x1"]["handle"] == "xavier"
    assert users["x1"]["name"] == "Xavière\r\nsecond line"


# ----------------------------------------------------------------------- idempotency
def test_loading_twice_changes_nothing(falkor_store: Store, tmp_path: Path) -> None:
    directory = write_dataset(tmp_path / "data")
    first = load(falkor_store, directory, tmp_path / "rejects.txt")
    before = snapshot(falkor_store)
    assert before["stats"] == ROUND_TRIP_STATS

    second = load(falkor_store, directory, tmp_path / "rejects.txt")
    assert snapshot(falkor_store) == before
    # The second load writes nothing new: every row is reported as a duplicate.
    assert sum(second.loaded.values()) == 0
    assert second.duplicates == first.read
    assert second.rejected_total == 0


def test_amplifications_without_id_column_get_stable_ids(
    falkor_store: Store, tmp_path: Path
) -> None:
    directory = write_dataset(tmp_path / "data", amplifications=None)
    write_csv(
        directory / "amplifications.csv",
        ("amplifier_id", "author_id", "post_id", "kind", "created_at"),
        [
            ("u2", "u1", "p1", "retweet", "2026-10-03T15:00:00Z"),
            ("u3", "u1", "p1", "retweet", "2026-10-03T15:00:00Z"),
            ("u2", "u1", "p1", "quote", "2026-10-03T15:00:00Z"),
            ("u2", "u1", "", "retweet", "2026-10-03T15:00:00Z"),
            ("u2", "u1", "p1", "retweet", "2026-10-03T15:00:01Z"),
        ],
    )
    load(falkor_store, directory, tmp_path / "rejects.txt")
    ids = sorted(edges(falkor_store))
    assert len(ids) == 5
    assert all(DERIVED_ID.match(key) for key in ids)

    # Same rows, another zone for the same instant: the same ids, nothing duplicated.
    write_csv(
        directory / "amplifications.csv",
        ("kind", "created_at", "post_id", "author_id", "amplifier_id"),
        [("retweet", "2026-10-03T17:00:00+02:00", "p1", "u1", "u2")],
    )
    report = load(falkor_store, directory, tmp_path / "rejects.txt")
    assert report.loaded["amplifications"] == 0
    assert report.duplicates["amplifications"] == 1
    assert sorted(edges(falkor_store)) == ids
    assert falkor_store.stats().amplifications == 5


# ------------------------------------------------------------------------------ gzip
def test_gzipped_files_are_read_directly(falkor_store: Store, tmp_path: Path) -> None:
    plain = write_dataset(tmp_path / "plain")
    zipped = gzip_dataset(plain, tmp_path / "zipped")
    assert sorted(path.name for path in zipped.iterdir()) == [
        "amplifications.csv.gz",
        "posts.csv.gz",
        "users.csv.gz",
    ]
    report = load(falkor_store, zipped, tmp_path / "rejects.txt")
    assert report.loaded == Counter(users=4, posts=3, amplifications=5)
    assert falkor_store.stats() == ROUND_TRIP_STATS
    assert user_props(falkor_store)["u1"]["bio"] == ALICE_BIO
    assert user_props(falkor_store)["u1"]["name"] == ALICE_NAME


# --------------------------------------------------------------------------- rejects
USERS_WITH_REJECTS = """\
id,handle,name,followers,bio,is_brand
ok1,okone,One,10,"first line
second line, with a comma",false
bad1,,No handle,5,,false
bad2,badtwo,Two,-3,,false
bad3,badthree,Three,1.5,,false
bad4,badfour,Four,7,,maybe
bad5,badfive,Five,7,,false,extra
ok2,@oktwo,Two,,"a ""multi""
line
bio",true
bad6,@,Six,,,
ok3,okthree,,,,
"""
POSTS_WITH_REJECTS = """\
id,author_id,created_at,text,hashtags
p1,ok1,2026-10-03T14:05:00Z,"text with
a newline #Tag",
p2,ok1,2026-10-03T14:05:00,no zone,
p3,ok1,yesterday,garbage,
p4,,2026-10-03T14:05:00Z,no author,
p5,ok2,2026-10-03T15:05:00+01:00,fine,
"""
AMPLIFICATIONS_WITH_REJECTS = """\
id,amplifier_id,author_id,post_id,kind,created_at
a1,ok2,ok1,p1,retweet,2026-10-03T15:00:00Z
a2,ok2,ok1,p1,boost,2026-10-03T15:00:00Z
a3,ok2,ok1,nope,quote,2026-10-03T15:00:00Z
a4,ok3,ok1,p2,reply,2026-10-03T15:00:00Z
a5,ok2,ok1,,mention,not a date
a6,ok3,ok2,p5,share,2026-10-03T16:00:00Z
a7,,ok2,p5,share,2026-10-03T16:00:00Z
a8,ok1,ok3,p1,like,2026-10-03T16:00:00+00:00
"""


@pytest.mark.parametrize("batch_size", [100, 2])
def test_rejects_are_listed_and_valid_rows_load(
    falkor_store: Store, falkordb: FalkorDBBackend, tmp_path: Path, batch_size: int
) -> None:
    directory = tmp_path / "data"
    directory.mkdir()
    (directory / "users.csv").write_text(USERS_WITH_REJECTS, encoding="utf-8")
    (directory / "posts.csv").write_text(POSTS_WITH_REJECTS, encoding="utf-8")
    (directory / "amplifications.csv").write_text(AMPLIFICATIONS_WITH_REJECTS, encoding="utf-8")
    rejects = tmp_path / "out" / "rejects.txt"

    report = load(Store(falkordb, batch_size=batch_size), directory, rejects)

    users, posts, amps = (
        str(directory / f"{name}.csv") for name in ("users", "posts", "amplifications")
    )
    found = reject_lines(rejects)
    assert sorted((file, line, field) for file, line, field, _ in found) == sorted(
        [
            (users, 4, "handle"),
            (users, 5, "followers"),
            (users, 6, "followers"),
            (users, 7, "is_brand"),
            (users, 8, "row"),
            (users, 12, "handle"),
            (posts, 4, "created_at"),
            (posts, 5, "created_at"),
            (posts, 6, "author_id"),
            (amps, 3, "kind"),
            (amps, 4, "post_id"),
            (amps, 5, "post_id"),
            (amps, 6, "created_at"),
            (amps, 8, "amplifier_id"),
        ]
    )
    reasons = {(file, line): reason for file, line, _, reason in found}
    assert "boost" in reasons[(amps, 3)]
    assert "nope" in reasons[(amps, 4)]
    assert "p2" in reasons[(amps, 5)]
    assert "maybe" in reasons[(users, 7)]
    assert "1.5" in reasons[(users, 6)]
    assert "yesterday" in reasons[(posts, 5)]
    assert report.rejects_path == rejects
    assert report.rejected == Counter(
        {
            "users.handle": 2,
            "users.followers": 2,
            "users.is_brand": 1,
            "users.row": 1,
            "posts.created_at": 2,
            "posts.author_id": 1,
            "amplifications.kind": 1,
            "amplifications.post_id": 2,
            "amplifications.created_at": 1,
            "amplifications.amplifier_id": 1,
        }
    )
    assert report.rejected_total == 14
    assert report.read == Counter(users=9, posts=5, amplifications=8)

    # Every valid row around the rejects is in the database.
    loaded_users = user_props(falkor_store)
    assert sorted(loaded_users) == ["ok1", "ok2", "ok3"]
    assert loaded_users["ok1"]["bio"] == "first line\nsecond line, with a comma"
    assert loaded_users["ok2"]["handle"] == "oktwo"
    assert loaded_users["ok2"]["bio"] == 'a "multi"\nline\nbio'
    assert loaded_users["ok2"]["is_brand"] is True
    assert loaded_users["ok3"]["followers"] is None
    assert sorted(post_props(falkor_store)) == ["p1", "p5"]
    assert post_topics(falkor_store)["p1"] == {"tag"}
    assert sorted(edges(falkor_store)) == ["a1", "a6", "a8"]
    assert report.placeholder_users == 0
    assert falkor_store.stats() == GraphStats(
        users=3, posts=2, topics=1, amplifications=3, amplified_pairs=3
    )


def test_post_id_from_an_earlier_load_is_accepted(falkor_store: Store, tmp_path: Path) -> None:
    load(falkor_store, write_dataset(tmp_path / "first"), tmp_path / "rejects1.txt")
    later = write_dataset(
        tmp_path / "later",
        users=None,
        posts=None,
        amplifications=[
            ("b1", "u3", "u2", "p2", "retweet", "2026-10-05T10:00:00Z"),
            ("b2", "u3", "u2", "p9", "retweet", "2026-10-05T10:00:00Z"),
        ],
    )
    rejects = tmp_path / "rejects2.txt"
    report = load(falkor_store, later, rejects)
    assert report.loaded["amplifications"] == 1
    assert report.rejected == Counter({"amplifications.post_id": 1})
    assert [(line, field) for _, line, field, _ in reject_lines(rejects)] == [(3, "post_id")]
    assert edges(falkor_store)["b1"]["post_id"] == "p2"
    assert "b2" not in edges(falkor_store)


# ---------------------------------------------------------------------- placeholders
def test_referenced_ids_become_placeholders_then_get_filled_in(
    falkor_store: Store, tmp_path: Path
) -> None:
    first = write_dataset(
        tmp_path / "first",
        users=[("known", "known", "Known", "", "", "", "", "")],
        posts=[("p1", "ghost1", "2026-10-03T14:05:00Z", "#x", "", "", "")],
        amplifications=[
            ("e1", "ghost2", "ghost1", "p1", "retweet", "2026-10-03T15:00:00Z"),
            ("e2", "ghost1", "ghost3", "", "mention", "2026-10-03T15:00:00Z"),
            ("e3", "ghost2", "ghost3", "", "reply", "2026-10-03T15:00:00Z"),
            ("e4", "known", "ghost1", "p1", "like", "2026-10-03T15:00:00Z"),
        ],
    )
    report = load(falkor_store, first, tmp_path / "rejects.txt")
    assert report.placeholder_users == 3
    users = user_props(falkor_store)
    assert sorted(users) == ["ghost1", "ghost2", "ghost3", "known"]
    for ghost in ("ghost1", "ghost2", "ghost3"):
        assert users[ghost]["placeholder"] is True
        assert users[ghost]["handle"] == ghost
        assert users[ghost]["is_brand"] is False
    assert users["known"]["placeholder"] is False
    assert post_props(falkor_store)["p1"]["author"] == "ghost1"
    assert falkor_store.stats().amplifications == 4

    again = load(falkor_store, first, tmp_path / "rejects.txt")
    assert again.placeholder_users == 0

    later = write_dataset(
        tmp_path / "later",
        users=[("ghost1", "@realghost", "Real Ghost", "42", "", "", "true", "blog")],
        posts=None,
        amplifications=None,
    )
    assert load(falkor_store, later, tmp_path / "rejects.txt").placeholder_users == 0
    users = user_props(falkor_store)
    assert users["ghost1"]["placeholder"] is False
    assert users["ghost1"]["handle"] == "realghost"
    assert users["ghost1"]["followers"] == 42
    assert users["ghost1"]["platform"] == "blog"
    assert users["ghost2"]["placeholder"] is True

    # Reloading the first directory does not turn the filled-in user back into a placeholder.
    load(falkor_store, first, tmp_path / "rejects.txt")
    assert user_props(falkor_store)["ghost1"]["placeholder"] is False
    assert falkor_store.stats().users == 4


# ------------------------------------------------------- self-amplification, duplicates
def test_self_amplification_and_duplicates(falkor_store: Store, tmp_path: Path) -> None:
    directory = write_dataset(
        tmp_path / "data",
        users=[
            ("u1", "one", "", "", "", "", "", ""),
            ("u2", "two", "", "", "", "", "", ""),
            ("u1", "one", "", "", "", "", "", ""),
        ],
        posts=[
            ("p1", "u1", "2026-10-03T14:05:00Z", "first", "", "", ""),
            ("p1", "u1", "2026-10-03T14:05:00Z", "first", "", "", ""),
        ],
        amplifications=[
            ("s1", "u1", "u1", "p1", "retweet", "2026-10-03T15:00:00Z"),
            ("a1", "u2", "u1", "p1", "retweet", "2026-10-03T15:00:00Z"),
            ("a1", "u2", "u1", "p1", "retweet", "2026-10-03T15:00:00Z"),
            ("", "u2", "u1", "", "mention", "2026-10-03T16:00:00Z"),
            ("", "u2", "u1", "", "mention", "2026-10-03T16:00:00Z"),
            ("", "u2", "u2", "", "mention", "2026-10-03T16:00:00Z"),
        ],
    )
    report = load(falkor_store, directory, tmp_path / "rejects.txt")
    assert report.self_amplifications == 2
    assert report.duplicates == Counter(users=1, posts=1, amplifications=2)
    assert report.rejected_total == 0
    assert report.placeholder_users == 0
    self_edges = falkor_store.read("MATCH (a:User)-[r:AMPLIFIED]->(a) RETURN count(r) AS n")
    assert self_edges[0]["n"] == 0
    assert falkor_store.stats() == GraphStats(
        users=2, posts=1, topics=0, amplifications=2, amplified_pairs=1
    )


# -------------------------------------------------------------------- header problems
def test_missing_required_column_raises_and_keeps_earlier_files(
    falkor_store: Store, tmp_path: Path
) -> None:
    directory = write_dataset(tmp_path / "data", posts=None)
    write_csv(
        directory / "posts.csv",
        ("id", "author_id", "text"),
        [("p1", "u1", "no timestamp column")],
    )
    with pytest.raises(LoadError) as caught:
        load(falkor_store, directory, tmp_path / "rejects.txt")
    path = str(directory / "posts.csv")
    assert (caught.value.path, caught.value.line, caught.value.field) == (path, 1, "created_at")
    assert str(caught.value).startswith(f"{path}:1: created_at: ")
    # users.csv was loaded before posts.csv was opened: nothing of it is lost.
    assert sorted(user_props(falkor_store)) == ["brand", "u1", "u2", "u3"]
    assert falkor_store.stats().posts == 0


def test_missing_required_column_keeps_an_earlier_load(falkor_store: Store, tmp_path: Path) -> None:
    load(falkor_store, write_dataset(tmp_path / "good"), tmp_path / "rejects.txt")
    before = snapshot(falkor_store)
    bad = tmp_path / "bad"
    write_csv(bad / "users.csv", ("id", "name"), [("u9", "Nine")])
    with pytest.raises(LoadError) as caught:
        load(falkor_store, bad, tmp_path / "rejects.txt")
    assert caught.value.path == str(bad / "users.csv")
    assert caught.value.line == 1
    assert caught.value.field == "handle"
    assert snapshot(falkor_store) == before


def test_unknown_column_gives_a_notice(falkor_store: Store, tmp_path: Path) -> None:
    directory = tmp_path / "data"
    write_csv(
        directory / "users.csv",
        ("id", "handle", "favourite_colour"),
        [("u1", "one", "teal")],
    )
    report = load(falkor_store, directory, tmp_path / "rejects.txt")
    assert len(report.notices) == 1
    assert "favourite_colour" in report.notices[0]
    assert str(directory / "users.csv") in report.notices[0]
    assert report.loaded["users"] == 1
    props = falkor_store.read("MATCH (u:User {id: 'u1'}) RETURN u AS node")
    assert "favourite_colour" not in props[0]["node"]


def test_directory_without_contract_files_raises(falkor_store: Store, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("nothing here", encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        load(falkor_store, empty, tmp_path / "rejects.txt")
    assert caught.value.path == str(empty)
    with pytest.raises(LoadError):
        load(falkor_store, tmp_path / "missing", tmp_path / "rejects.txt")
    assert falkor_store.stats() == GraphStats(0, 0, 0, 0, 0)


def test_file_that_is_not_utf8_raises_load_error(falkor_store: Store, tmp_path: Path) -> None:
    directory = tmp_path / "data"
    directory.mkdir()
    (directory / "users.csv").write_bytes(b"id,handle\nu1,caf\xe9\n")
    with pytest.raises(LoadError) as caught:
        load(falkor_store, directory, tmp_path / "rejects.txt")
    assert caught.value.path == str(directory / "users.csv")


def test_corrupt_gzip_raises_load_error(falkor_store: Store, tmp_path: Path) -> None:
    directory = tmp_path / "data"
    directory.mkdir()
    (directory / "users.csv.gz").write_bytes(b"id,handle\nu1,one\n")  # not gzipped
    with pytest.raises(LoadError) as caught:
        load(falkor_store, directory, tmp_path / "rejects.txt")
    assert caught.value.path == str(directory / "users.csv.gz")


# ------------------------------------------------------------------------------- CLI
def test_cli_load_and_stats(
    falkordb: FalkorDBBackend, server: ServerInfo, graph_name: str, tmp_path: Path
) -> None:
    directory = write_dataset(
        tmp_path / "data",
        amplifications=[*AMPLIFICATIONS, ("bad", "u1", "u2", "", "boost", "2026-10-03T15:00:00Z")],
    )
    rejects = tmp_path / "rejects.txt"
    env: dict[str, str | None] = {
        "RESONANCE_DATA_DIR": str(server.data_dir),
        "RESONANCE_GRAPH": graph_name,
        "NEO4J_URI": None,
    }
    runner = CliRunner()

    loaded = runner.invoke(app, ["load", "csv", str(directory), "--rejects", str(rejects)], env=env)
    assert loaded.exit_code == 0, loaded.output
    assert "Load report" in loaded.output
    assert "users 4, posts 3, amplifications 6" in loaded.output  # rows read
    assert re.search(r"users\W+4\W+0\W", loaded.output)  # new, already there
    assert re.search(r"amplifications\W+5\W+0\W", loaded.output)
    assert "placeholder users created: 0" in loaded.output
    assert "self-amplifications skipped: 0" in loaded.output
    assert "rejected: 1" in loaded.output
    assert "amplifications.kind: 1" in loaded.output
    assert [(line, field) for _, line, field, _ in reject_lines(rejects)] == [(7, "kind")]

    stats = runner.invoke(app, ["stats", "--json"], env=env)
    assert stats.exit_code == 0, stats.output
    assert json.loads(stats.stdout) == {
        "users": 4,
        "posts": 3,
        "topics": 3,
        "amplifications": 5,
        "amplified_pairs": 4,
    }
    assert Store(falkordb).stats() == ROUND_TRIP_STATS


def test_cli_load_of_a_bad_directory_fails_cleanly(
    falkordb: FalkorDBBackend, server: ServerInfo, graph_name: str, tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    env: dict[str, str | None] = {
        "RESONANCE_DATA_DIR": str(server.data_dir),
        "RESONANCE_GRAPH": graph_name,
        "NEO4J_URI": None,
    }
    result = CliRunner().invoke(
        app, ["load", "csv", str(empty), "--rejects", str(tmp_path / "r.txt")], env=env
    )
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
