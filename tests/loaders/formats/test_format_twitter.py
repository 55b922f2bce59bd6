"""The Twitter API v2 and v1.1 readers, on small files written into ``tmp_path``.

Reader-level: no database. Each test writes JSON with ``json.dumps`` (some gzipped), reads the
records back and checks users, posts, amplifications and rejects by hand.
"""

from __future__ import annotations

import gzip
import json
import tempfile
import tracemalloc
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.errors import LoadError
from graph.models import AmplificationRow, PostRow, UserRow
from loaders.formats.twitter_v1 import TwitterV1Reader
from loaders.formats.twitter_v2 import TwitterV2Reader
from loaders.records import Reader, Record, Reject

T0 = "2022-10-10T20:19:24.000Z"
T0_MS = 1665433164000
V1_T0 = "Mon Oct 10 20:19:24 +0000 2022"
ALICE_BIO = "Chef 🍜 | طاهية | 料理人"


def write(path: Path, lines: Iterable[object | str]) -> Path:
    """One JSON value per line (a ``str`` is written as is); gzipped when the name says so."""
    text = "".join((v if isinstance(v, str) else json.dumps(v)) + "\n" for v in lines)
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode("utf-8")))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def read(reader_class: type[Reader], path: Path) -> list[Record]:
    return list(reader_class(path).records())


def of_type(records: Sequence[Record], kind: type[Any]) -> list[Any]:
    return [r for r in records if isinstance(r, kind)]


def errors(records: Sequence[Record]) -> list[tuple[int, str, str]]:
    return [(r.error.line, r.error.field, r.error.reason) for r in of_type(records, Reject)]


def amps(records: Sequence[Record]) -> set[tuple[str, str, str, str, str]]:
    rows = of_type(records, AmplificationRow)
    return {(a.id, a.amplifier_id, a.author_id, a.kind, a.post_id) for a in rows}


def v2_tweet(tid: str, author_id: str, text: str = "hi", **extra: Any) -> dict[str, Any]:
    base = {"id": tid, "author_id": author_id, "created_at": T0, "text": text, "lang": "en"}
    return {**base, **extra}


def v2_user(uid: str, username: str, followers: int = 0, **extra: Any) -> dict[str, Any]:
    metrics = {"followers_count": followers, "following_count": 3}
    base = {"id": uid, "username": username, "name": username.title(), "public_metrics": metrics}
    return {**base, **extra}


def ref(kind: str, tid: str, **extra: Any) -> list[dict[str, Any]]:
    return [{"type": kind, "id": tid, **extra}]


def mentions(*users: tuple[str, str | None]) -> dict[str, Any]:
    return {"mentions": [{"username": name, **({"id": i} if i else {})} for name, i in users]}


ALICE_LINK = {"url": {"urls": [{"expanded_url": "https://alice.example"}]}}
TAGS = {
    "hashtags": [{"start": 6, "end": 12, "tag": "Vegan"}, {"tag": "vegan"}, {"tag": "TrailRunning"}]
}
ORIGINAL = v2_tweet("10", "1", "Hello #Vegan #vegan #TrailRunning 🚀", entities=TAGS)
QUOTE = v2_tweet("12", "3", "مرحبا look @bob", entities=mentions(("bob", "2")))
QUOTE["referenced_tweets"] = ref("quoted", "10")
RETWEET = v2_tweet("11", "2", "RT @alice: Hello #Vegan", referenced_tweets=ref("retweeted", "10"))
RETWEET["entities"] = {**mentions(("alice", "1")), "hashtags": [{"tag": "Vegan"}]}
REPLY = v2_tweet("13", "2", "@carol @alice agreed", in_reply_to_user_id="3")
REPLY.update(
    referenced_tweets=ref("replied_to", "12"), entities=mentions(("carol", "3"), ("alice", "1"))
)
PING = v2_tweet("14", "1", "ping @Dave and @bob", entities=mentions(("Dave", None), ("bob", None)))
ALICE_V2 = v2_user(
    "1", "alice", 1200, description=ALICE_BIO, entities=ALICE_LINK, url="https://t.co/x"
)
PAGE = {
    "data": [ORIGINAL, RETWEET, QUOTE, REPLY, PING],
    "includes": {
        "users": [ALICE_V2, v2_user("2", "bob"), v2_user("3", "carol", name="كارول 東京")],
        "tweets": [ORIGINAL, QUOTE],
    },
    "meta": {"result_count": 5},
}


@pytest.mark.parametrize("name", ["page.jsonl", "page.jsonl.gz"])
def test_v2_page(tmp_path: Path, name: str) -> None:
    reader = TwitterV2Reader(write(tmp_path / name, [PAGE]))
    records = list(reader.records())
    assert reader.rows_read == 1 and errors(records) == []
    users = {u.id: u for u in of_type(records, UserRow)}
    assert users["1"] == UserRow("1", "alice", "Alice", 1200, ALICE_BIO, "https://alice.example")
    assert users["3"].name == "كارول 東京" and users["2"].followers == 0
    assert users["@dave"] == UserRow("@dave", "Dave")
    posts = {p.id: p for p in of_type(records, PostRow)}
    assert sorted(posts) == sorted(p.id for p in of_type(records, PostRow))  # each once
    assert set(posts) == {"10", "12", "13", "14"}  # a retweet is no post
    assert posts["10"].topics == ("vegan", "trailrunning") and posts["10"].created_at == T0_MS
    assert posts["10"].text.endswith("🚀") and posts["12"].text.startswith("مرحبا")
    assert posts["10"].url == "https://twitter.com/i/web/status/10"
    assert amps(records) == {
        ("11:retweet:10", "2", "1", "retweet", "10"),
        ("12:quote:10", "3", "1", "quote", "10"),
        ("12:mention:2", "3", "2", "mention", ""),
        ("13:reply:12", "2", "3", "reply", "12"),
        ("13:mention:1", "2", "1", "mention", ""),
        ("14:mention:@dave", "1", "@dave", "mention", ""),
        ("14:mention:2", "1", "2", "mention", ""),
    }
    assert {a.created_at for a in of_type(records, AmplificationRow)} == {T0_MS}


def test_v2_pretty_document_array_and_concatenated(tmp_path: Path) -> None:
    compact = read(TwitterV2Reader, write(tmp_path / "a.jsonl", [PAGE]))
    pretty = tmp_path / "page.json"
    pretty.write_text(json.dumps(PAGE, indent=2, ensure_ascii=False), encoding="utf-8")
    assert read(TwitterV2Reader, pretty) == compact
    both = tmp_path / "jq.json"
    both.write_text(json.dumps(PAGE, indent=2) + "\n" + json.dumps(PAGE, indent=1) + "\n")
    reader = TwitterV2Reader(both)
    assert list(reader.records()) == compact + compact and reader.rows_read == 2
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(PAGE, indent=2)[:-40])
    assert errors(read(TwitterV2Reader, broken))[0][1] == "document"
    array = read(TwitterV2Reader, write(tmp_path / "b.jsonl", [[PAGE, 7]]))
    assert array[:-1] == compact and errors(array) == [(1, "[1]", "not a JSON object")]


def test_v2_tweet_per_line_and_missing_references(tmp_path: Path) -> None:
    embedded = ref("quoted", "20", tweet=v2_tweet("20", "6", "orig #A"))
    flat = v2_tweet(
        "21", "5", "so true", author=v2_user("5", "erin", 7), referenced_tweets=embedded
    )
    reply = v2_tweet(
        "30", "5", "@frank yes", in_reply_to_user_id="6", entities=mentions(("frank", "6"))
    )
    reply["referenced_tweets"] = ref("replied_to", "29")
    lines = [
        reply,
        v2_tweet("31", "5", "RT @frank: x", referenced_tweets=ref("retweeted", "28")),
        flat,
    ]
    reader = TwitterV2Reader(write(tmp_path / "tweets.jsonl", lines))
    records = list(reader.records())
    assert reader.rows_read == 3
    assert errors(records) == [(2, "referenced_tweets[0]", "referenced tweet's author unknown")]
    assert amps(records) == {
        ("30:reply:29", "5", "6", "reply", "29"),  # the replied-to user is not mentioned too
        ("21:quote:20", "5", "6", "quote", "20"),
    }
    assert {p.id for p in of_type(records, PostRow)} == {"30", "20", "21"}
    assert [u.handle for u in of_type(records, UserRow)] == ["erin"]


def test_v2_rejects_name_line_and_field(tmp_path: Path) -> None:
    bad_page = {"data": [v2_tweet("40", "1"), {"author_id": "1", "created_at": T0}, "x"]}
    lines = [
        v2_tweet("1", "1"),
        '{"id": "2", "author_id": ',
        "42",
        v2_tweet("3", "1", created_at=None),
        v2_tweet("4", "1", created_at="yesterday"),
        v2_tweet("5", "1", created_at="2022-10-10T20:19:24"),
        v2_tweet("6", "1", referenced_tweets=ref("liked", "1")),
        {**v2_tweet("7", "1"), "author_id": None},
        bad_page,
        v2_tweet("8", "1"),
    ]
    reader = TwitterV2Reader(write(tmp_path / "bad.jsonl", lines))
    records = list(reader.records())
    assert reader.rows_read == len(lines)
    assert [(line, field) for line, field, _ in errors(records)] == [
        *[(2, "line"), (3, "line"), (4, "created_at"), (5, "created_at"), (6, "created_at")],
        *[(7, "referenced_tweets[0].type"), (8, "author_id"), (9, "data[1].id"), (9, "data[2]")],
    ]
    assert "unknown type 'liked'" in errors(records)[5][2]
    assert {p.id for p in of_type(records, PostRow)} == {"1", "6", "40", "8"}


def test_v2_bad_bytes_and_surrogates(tmp_path: Path) -> None:
    path = tmp_path / "bytes.jsonl"
    good = json.dumps(v2_tweet("1", "1", "ok \ud83d")).encode()
    path.write_bytes(b"\xef\xbb\xbf" + good + b"\n\xff\xfe{}\n" + good + b"\r\n")
    records = read(TwitterV2Reader, path)
    assert errors(records)[0][:2] == (2, "line")
    assert [p.text for p in of_type(records, PostRow)] == ["ok \ufffd"] * 2
    truncated = tmp_path / "cut.jsonl.gz"
    truncated.write_bytes(gzip.compress(good * 2000)[:-200])
    with pytest.raises(LoadError) as caught:
        read(TwitterV2Reader, truncated)
    assert caught.value.field == "file"


def v1_user(uid: str, name: str, followers: int = 10) -> dict[str, Any]:
    return dict(id=int(uid), id_str=uid, name=name.title(), screen_name=name, url=None,
                description=ALICE_BIO, followers_count=followers)  # fmt: skip


def v1_tweet(tid: str, user: dict[str, Any], text: str = "hi", **extra: Any) -> dict[str, Any]:
    number = int(tid) // 100 * 100  # what a JavaScript tool makes of a 64-bit id
    entities: dict[str, Any] = {"hashtags": [], "user_mentions": []}
    base = dict(created_at=V1_T0, id=number, id_str=tid, text=text, user=user, entities=entities)
    return {**base, **extra}


def v1_mentions(*users: tuple[str, str]) -> dict[str, Any]:
    return {"user_mentions": [{"id_str": i, "screen_name": name} for name, i in users]}


ALICE, BOB = v1_user("1050118621198921728", "alice", 1200), v1_user("2", "bob")
V1_EXTENDED = {
    "full_text": "Bonjour #Vegan #CAFÉ ☕ 東京",
    "entities": {"hashtags": [{"text": "Vegan"}, {"text": "CAFÉ"}]},
}
V1_ORIGINAL = v1_tweet("1050118621198921729", ALICE, "Bonjour #Vegan…", extended_tweet=V1_EXTENDED)
ORIGINAL_ID, ALICE_ID = V1_ORIGINAL["id_str"], ALICE["id_str"]
V1_RETWEET = v1_tweet("900", BOB, "RT @alice: Bonjour", retweeted_status=V1_ORIGINAL)
V1_RETWEET["entities"] = v1_mentions(("alice", ALICE_ID))
V1_QUOTE = v1_tweet("901", BOB, "so good", quoted_status=V1_ORIGINAL, is_quote_status=True)
V1_REPLY = v1_tweet("902", BOB, "@zed @alice hey", in_reply_to_status_id_str="77")
V1_REPLY.update(in_reply_to_user_id=99, in_reply_to_user_id_str="99", in_reply_to_screen_name="zed")
V1_REPLY["entities"] = v1_mentions(("zed", "99"), ("alice", ALICE_ID))
V1_REPLY_ALICE = v1_tweet("903", BOB, "@alice thanks", in_reply_to_status_id_str=ORIGINAL_ID)
V1_REPLY_ALICE.update(in_reply_to_user_id_str=ALICE_ID, in_reply_to_screen_name="alice")
V1_LINES = [
    V1_ORIGINAL,
    V1_RETWEET,
    V1_QUOTE,
    V1_REPLY,
    V1_REPLY_ALICE,
    {"delete": {"status": {"id_str": "5", "user_id_str": "2"}}},
]


@pytest.mark.parametrize("name", ["v1.jsonl", "v1.jsonl.gz"])
def test_v1_tweets(tmp_path: Path, name: str) -> None:
    reader = TwitterV1Reader(write(tmp_path / name, V1_LINES))
    records = list(reader.records())
    assert reader.rows_read == len(V1_LINES) and errors(records) == []
    alice_id, original = ALICE_ID, ORIGINAL_ID
    posts = {p.id: p for p in of_type(records, PostRow)}
    assert set(posts) == {original, "901", "902", "903"}
    assert posts[original].text == "Bonjour #Vegan #CAFÉ ☕ 東京"
    assert posts[original].topics == ("vegan", "café") and posts[original].created_at == T0_MS
    users = {u.id: u for u in of_type(records, UserRow)}
    assert users[alice_id] == UserRow(alice_id, "alice", "Alice", 1200, ALICE_BIO)
    assert users["99"] == UserRow("99", "zed")
    assert sum(u.id == alice_id and u.followers is None for u in of_type(records, UserRow)) == 0
    assert amps(records) == {
        (f"900:retweet:{original}", "2", alice_id, "retweet", original),
        (f"901:quote:{original}", "2", alice_id, "quote", original),
        ("902:reply:77", "2", "99", "reply", "77"),
        (f"902:mention:{alice_id}", "2", alice_id, "mention", ""),
        (f"903:reply:{original}", "2", alice_id, "reply", original),
    }
    ids = [r.id for r in records if not isinstance(r, Reject)]
    assert all(isinstance(i, str) for i in ids) and str(V1_ORIGINAL["id"]) not in ids


def test_v1_array_document(tmp_path: Path) -> None:
    lines = read(TwitterV1Reader, write(tmp_path / "lines.jsonl", V1_LINES))
    path = tmp_path / "array.json"
    path.write_text(json.dumps([*V1_LINES, "x"], indent=2, ensure_ascii=False), encoding="utf-8")
    reader = TwitterV1Reader(path)
    records = list(reader.records())
    assert records[:-1] == [r for r in lines if not isinstance(r, Reject)]
    assert errors(records) == [(1, "[6]", "not a JSON object")] and reader.rows_read == 1


def test_v1_rejects(tmp_path: Path) -> None:
    lines = [
        v1_tweet("1", BOB),
        "not json",
        v1_tweet("2", BOB, created_at="2022-13-45"),
        {k: v for k, v in v1_tweet("3", BOB).items() if k != "id_str"},
        v1_tweet("4", {"id_str": "8"}),
        v1_tweet("5", BOB, quoted_status_id_str="6", is_quote_status=True),
        v1_tweet("6", BOB, created_at=None, timestamp_ms="1665433164000"),
    ]
    reader = TwitterV1Reader(write(tmp_path / "bad.jsonl", lines))
    records = list(reader.records())
    assert reader.rows_read == len(lines)
    assert [(line, field) for line, field, _ in errors(records)] == [
        (2, "line"),
        (3, "created_at"),
        (4, "id_str"),
        (5, "user.screen_name"),
        (6, "quoted_status"),
    ]
    assert {p.id: p.created_at for p in of_type(records, PostRow)} == {
        "1": T0_MS,
        "4": T0_MS,
        "5": T0_MS,
        "6": T0_MS,
    }


V2_SAMPLE = json.dumps(PAGE).encode()
V1_SAMPLE = json.dumps(V1_LINES[1]).encode()
V1_LONG = json.dumps(v1_tweet("7", BOB, "x" * 2000)).encode()  # the user lies beyond 1 KiB
OTHERS = [
    b"id,handle,name,followers\nu1,alice,Alice,3\n",
    b"# Directed graph\n1 2 1341100972 RT\n3 4 1341100973 MT\n",
    b'<?xml version="1.0"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
    b"",
    b"[]",
    b"{{{",
    b'{"id": "1", "name": "generic", "created_at": "2022-10-10T20:19:24Z"}',
    b'{"data": [{"id": "1", "username": "a_user_page"}], "includes": {"tweets": []}}',
    b'{"data": [{' + b" " * 2000,
]


def test_sniff() -> None:
    v2_heads = [
        V2_SAMPLE,
        json.dumps(PAGE, indent=2).encode(),
        json.dumps(v2_tweet("1", "1", edit_history_tweet_ids=["1"])).encode(),
        json.dumps(v2_tweet("1", "1", public_metrics={"retweet_count": 1})).encode(),
        json.dumps({"id": "1", "author": {"id": "1", "username": "x"}}).encode(),
        b'{"data": [], "includes": {"users": []}, "meta": {"result_count": 0}}',
    ]
    for head in v2_heads:
        assert TwitterV2Reader.sniff(Path("x.jsonl"), head[:1024])
        assert not TwitterV1Reader.sniff(Path("x.jsonl"), head[:1024])
    for head in (V1_SAMPLE, V1_LONG, b"\xef\xbb\xbf" + V1_SAMPLE):
        assert TwitterV1Reader.sniff(Path("x.jsonl"), head[:1024])
        assert not TwitterV2Reader.sniff(Path("x.jsonl"), head[:1024])
    for head in OTHERS:
        assert not TwitterV2Reader.sniff(Path("x.csv"), head)
        assert not TwitterV1Reader.sniff(Path("x.csv"), head)


def generated(path: Path, lines: int) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for n in range(lines):
            tweet = v2_tweet(str(n), str(n % 500), f"tweet {n} #Tag{n % 7} " + "é" * 100)
            if n % 5 == 1:
                reply = [{"type": "replied_to", "id": str(n - 1)}]
                tweet.update(referenced_tweets=reply, in_reply_to_user_id=str((n - 1) % 500))
            handle.write(json.dumps(tweet) + "\n")
    return path


def test_large_file_is_streamed(tmp_path: Path) -> None:
    path = generated(tmp_path / "big.jsonl", 50_000)
    reader = TwitterV2Reader(path)
    tracemalloc.start()
    try:
        seen = sum(1 for _ in reader.records())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert reader.rows_read == 50_000 and seen == 60_000
    assert peak < path.stat().st_size / 10, (peak, path.stat().st_size)


KEYS = [
    *["id", "id_str", "author_id", "created_at", "text", "data", "includes", "users", "tweets"],
    *["referenced_tweets", "type", "entities", "mentions", "hashtags", "tag", "user", "username"],
    *["screen_name", "retweeted_status", "quoted_status", "user_mentions", "in_reply_to_user_id"],
    *["in_reply_to_user_id_str", "in_reply_to_status_id_str", "extended_tweet", "author", "tweet"],
    *["public_metrics", "followers_count", "timestamp_ms", "lang"],
]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=8),
    st.sampled_from([T0, V1_T0, "retweeted", "quoted", "replied_to", "1", "2", "", "x"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=6)
    ),
    max_leaves=20,
)
CHANGES = st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=3)
SAMPLES = [PAGE, ORIGINAL, QUOTE, REPLY, PING, *V1_LINES[:5]]


def changed(sample: dict[str, Any], top: dict[str, Any], inner: dict[str, Any]) -> dict[str, Any]:
    """``sample`` with some keys replaced at the top and in every tweet or user inside it."""
    result = {**sample, **top}
    for key in ("data", "retweeted_status", "quoted_status"):
        if isinstance(sample.get(key), dict):
            result[key] = {**sample[key], **inner}
        elif isinstance(sample.get(key), list):
            result[key] = [{**item, **inner} for item in sample[key]]
    return result


MUTATED = st.builds(changed, st.sampled_from(SAMPLES), CHANGES, CHANGES).map(json.dumps)
RAW = st.text(max_size=30).map(lambda text: text.replace("\n", " "))
LINES = st.lists(st.one_of(MUTATED, VALUES.map(json.dumps), RAW), max_size=8)


@pytest.mark.parametrize("reader_class", [TwitterV2Reader, TwitterV1Reader])
@settings(max_examples=200, deadline=None)
@given(lines=LINES)
def test_fuzz_only_records_or_rejects(reader_class: type[Reader], lines: list[str]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = write(Path(directory) / "fuzz.jsonl", lines)
        for record in reader_class(path).records():
            assert isinstance(record, UserRow | PostRow | AmplificationRow | Reject)
            if isinstance(record, Reject):
                assert 1 <= record.error.line <= len(lines)
            elif isinstance(record, PostRow | AmplificationRow):
                assert isinstance(record.created_at, int)


def test_hashtags_that_are_not_a_list_are_ignored() -> None:
    """Found by fuzzing: ``"hashtags": true`` crashed the v1 reader."""
    from loaders.formats.twitter_common import topics

    assert topics({"hashtags": True}, "text") == ()
    assert topics({"hashtags": [{"text": "#Vegan"}, "x", {"text": "vegan"}]}, "text") == ("vegan",)


@pytest.mark.parametrize("reader_class", [TwitterV2Reader, TwitterV1Reader])
def test_a_document_cut_short_is_rejected_on_its_last_line(reader_class: type[Reader]) -> None:
    """Found by fuzzing: a lone ``[`` was rejected on line 2 of a one-line file."""
    with tempfile.TemporaryDirectory() as directory:
        for lines, expected in ((["["], 1), (["[", "", ""], 1), (["[", '{"a": 1},'], 2)):
            path = write(Path(directory) / "cut.json", lines)
            rejects = [r for r in reader_class(path).records() if isinstance(r, Reject)]
            assert [r.error.line for r in rejects] == [expected], lines
