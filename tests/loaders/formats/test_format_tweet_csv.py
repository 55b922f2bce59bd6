"""The ``tweet-csv`` reader (FiveThirtyEight / Clemson IRA tweet exports), at the record level.

Small files written into ``tmp_path`` check the mapping by hand; the ``slow`` tests read the real
IRA data in ``../shared/data/ira-russian-trolls`` and compare with its derived mention edges.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.errors import LoadError
from graph.models import AmplificationRow, PostRow, UserRow
from loaders.contract_csv import derived_id
from loaders.formats.tweet_csv import TweetCsvReader
from loaders.records import Record, Reject

T = TypeVar("T")


def columns(names: str) -> list[str]:
    return names.split(",")


HEADER = columns(
    "author_id,content,region,language,publish_date,harvested_date,"
    "following,followers,updates,post_type,retweet"
)
HEADER_538 = columns(
    "external_author_id,author,content,region,language,publish_date,harvested_date,following,"
    "followers,updates,post_type,account_type,retweet,account_category,new_june_2018,"
    "alt_external_id,tweet_id"
)
AUTHORS_HEADER = columns(
    "author_id,author,external_author_id,account_type,account_category,new_june_2018,"
    "congress_2017_id,in_congress_2017,in_congress_2018"
)
DATE = "2016-10-10 08:46:00"
DATE_MS = 1476089160000  # 2016-10-10T08:46:00Z
IRA = Path(__file__).resolve().parents[4] / "shared" / "data" / "ira-russian-trolls"
WINDOW = IRA / "ira_tweets_2016-10_2016-11.csv.gz"
EDGES = IRA / "ira_mention_edges.csv.gz"
# The regex SOURCE.md used to derive ira_mention_edges.csv.gz, and the "RT @x:" prefix.
MENTION = re.compile(r"(?<![\w@])@(\w{1,15})")
RETWEET = re.compile(r"RT @(\w{1,15}):")


def tweet(
    author: str, content: str, *, date: str = DATE, followers: str = "10", post_type: str = ""
) -> list[str]:
    """A row under ``HEADER``."""
    return [author, content, "Unknown", "English", date, date, "5", followers, "1", post_type, "0"]


def tweet_538(author: str, content: str, date: str, post_type: str, tweet_id: str) -> list[str]:
    """A row under ``HEADER_538`` (the external id is never used when ``author`` is set)."""
    head = ["999", author, content, "Unknown", "English", date, date, "5", "10", "1", post_type]
    return [*head, "Right", "1", "RightTroll", "0", "999", tweet_id]


def write(
    path: Path, rows: Sequence[Sequence[str]], header: Sequence[str] = HEADER, *, bom: bool = False
) -> Path:
    """A CSV file (gzipped for ``.gz``) as the csv module quotes it; BOM first if asked."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode("utf-8-sig" if bom else "utf-8")
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


def write_authors(path: Path, *authors: tuple[str, str]) -> Path:
    rows = [
        [aid, handle, "1", "Right", "RightTroll", "0", "1", "1", "1"] for aid, handle in authors
    ]
    return write(path, rows, AUTHORS_HEADER)


def read(path: Path, *, authors: Path | None = None, find_authors: bool = True) -> list[Record]:
    return list(TweetCsvReader(path, authors=authors, find_authors=find_authors).records())


def of(kind: type[T], records: Sequence[Record]) -> list[T]:
    return [record for record in records if isinstance(record, kind)]


def rejected(records: Sequence[Record]) -> list[tuple[int, str]]:
    return [(reject.error.line, reject.error.field) for reject in of(Reject, records)]


def edges(records: Sequence[Record]) -> list[tuple[str, str, str]]:
    return [(a.amplifier_id, a.author_id, a.kind) for a in of(AmplificationRow, records)]


# -- mapping -----------------------------------------------------------------------------------


def test_maps_author_post_and_mention(tmp_path: Path) -> None:
    text = "Hi @Bob, see #Vote #vote and #Election2016"
    path = write(tmp_path / "tweets.csv", [tweet("alice", text, followers="42")])
    reader = TweetCsvReader(path)
    records = list(reader.records())
    post_id = derived_id("alice", str(DATE_MS), text)
    assert records == [
        UserRow("alice", "alice", followers=42),
        PostRow(post_id, "alice", DATE_MS, text, ("vote", "election2016"), "en"),
        UserRow("@bob", "Bob"),
        AmplificationRow(f"{post_id}:mention:@bob", "alice", "@bob", "mention", DATE_MS, post_id),
    ]
    assert reader.rows_read == 1
    assert reader.authors_path is None
    assert list(TweetCsvReader(path).records()) == records  # ids are stable across reads


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("2016-10-10 08:46:00", DATE_MS),
        ("2016-10-10 08:46", DATE_MS),
        ("10/10/2016 8:46", DATE_MS),  # FiveThirtyEight's M/D/YYYY H:MM
        ("2016-10-10T11:46:00+03:00", DATE_MS),  # a stated zone is honoured
    ],
)
def test_publish_date_forms_are_utc(tmp_path: Path, date: str, expected: int) -> None:
    records = read(write(tmp_path / "t.csv", [tweet("alice", "x", date=date)]))
    assert [post.created_at for post in of(PostRow, records)] == [expected]


def test_followers_first_sight_then_latest(tmp_path: Path) -> None:
    rows = [
        tweet("alice", "one", date="2016-10-01 00:00:00", followers="10"),
        tweet("bob", "b1", followers="5"),
        tweet("alice", "three", date="2016-10-03 00:00:00", followers="30"),
        tweet("alice", "two", date="2016-10-02 00:00:00", followers="20"),
        tweet("bob", "b2", followers="5"),
        tweet("alice", "four", date="2016-10-04 00:00:00", followers=""),
        tweet("carol", "c5", date="2016-10-05 00:00:00", followers=""),
        tweet("carol", "c1", date="2016-10-01 00:00:00", followers="7"),
    ]
    users = of(UserRow, read(write(tmp_path / "t.csv", rows)))
    # First sight with that row's count; at the end one upsert with the latest known count.
    assert users == [
        UserRow("alice", "alice", followers=10),
        UserRow("bob", "bob", followers=5),
        UserRow("carol", "carol", followers=None),
        UserRow("alice", "alice", followers=30),
        UserRow("carol", "carol", followers=7),  # the only count known
    ]


def test_rt_prefix_is_a_retweet_other_handles_mentions(tmp_path: Path) -> None:
    rows = [
        tweet("alice", "RT @Carol: vote with @carol and @Dave", post_type="R"),
        tweet("alice", "Agree RT @erin: not a prefix", post_type="Q"),
        tweet("alice", "RT @frank no colon", post_type="R"),
        tweet("alice", "RT @gina: an old-style manual retweet"),
        tweet("alice", "a retweet whose original author is lost", post_type="R"),
    ]
    records = read(write(tmp_path / "t.csv", rows))
    assert edges(records) == [
        ("alice", "@carol", "retweet"),
        ("alice", "@dave", "mention"),
        ("alice", "@erin", "mention"),
        ("alice", "@frank", "mention"),
        ("alice", "@gina", "retweet"),
    ]
    first = of(PostRow, records)[0]
    assert of(AmplificationRow, records)[0].id == f"{first.id}:retweet:@carol"
    assert len(of(PostRow, records)) == 5


def test_ira_mentions_resolve_to_author_ids(tmp_path: Path) -> None:
    authors = write_authors(
        tmp_path / "elsewhere.csv",
        ("alice", "Alice"),
        ("BBHelgeson3067781452", "BBHelgeson"),  # one handle, two author ids: the first wins
        ("BBHelgeson3268721905", "BBHelgeson"),
    )
    rows = [
        tweet("alice", "@bbhelgeson meet @ALICE and @zed", followers="7"),
        tweet("BBHelgeson3067781452", "hello @Zed", followers="99"),
    ]
    records = read(write(tmp_path / "t.csv", rows), authors=authors)
    assert edges(records) == [
        ("alice", "BBHelgeson3067781452", "mention"),
        ("alice", "alice", "mention"),  # self-mentions are kept
        ("alice", "@zed", "mention"),
        ("BBHelgeson3067781452", "@zed", "mention"),
    ]
    assert of(UserRow, records) == [
        UserRow("alice", "Alice", followers=7),
        UserRow("BBHelgeson3067781452", "BBHelgeson"),  # first seen as a mention target
        UserRow("@zed", "zed"),
        UserRow("BBHelgeson3067781452", "BBHelgeson", followers=99),  # then as an author
    ]


def test_unknown_handles_become_users_once(tmp_path: Path) -> None:
    rows = [
        tweet("alice", "@Bob @bob @BOB hi"),
        tweet("carol", "again @bob"),
        tweet("alice", "@bob"),
    ]
    records = read(write(tmp_path / "t.csv", rows))
    assert [user for user in of(UserRow, records) if user.id == "@bob"] == [UserRow("@bob", "Bob")]
    assert edges(records) == [
        ("alice", "@bob", "mention"),  # one event per post and target
        ("carol", "@bob", "mention"),
        ("alice", "@bob", "mention"),
    ]


@pytest.mark.parametrize("name", ["tweets.csv", "tweets.csv.gz"])
def test_unicode_and_quoted_content(tmp_path: Path, name: str) -> None:
    text = 'Повод #1, "цитата"\nновая, строка @Навальный и 東京 #東京 🚀 @josé_1\r\nend'  # noqa: RUF001
    path = write(tmp_path / name, [tweet("Кирилл", text), tweet("x", "after")], bom=True)
    records = read(path)
    posts = of(PostRow, records)
    assert [post.text for post in posts] == [text, "after"]
    assert posts[0].topics == ("1", "東京")
    assert posts[0].author_id == "Кирилл"
    assert edges(records)[:2] == [
        ("Кирилл", "@навальный", "mention"),
        ("Кирилл", "@josé_1", "mention"),
    ]
    assert UserRow("@навальный", "Навальный") in records


def test_bad_rows_are_rejected_and_reading_goes_on(tmp_path: Path) -> None:
    rows = [
        tweet("alice", "spans\ntwo lines, with a comma"),  # lines 2-3
        tweet("", "no author"),  # line 4
        tweet("alice", "bad date", date="yesterday"),  # line 5
        ["alice", "too", "few"],  # line 6
        tweet("alice", "two-digit year", date="10/1/17 19:58"),  # line 7: ambiguous
        tweet("alice", "", date="2016-13-01 00:00:00"),  # line 8: no month 13
        tweet("alice", ""),  # line 9: empty content is allowed
        tweet("bob", "fine", followers="n/a"),  # line 10: unreadable count = unknown
        [*tweet("carol", "one too many"), "extra"],  # line 11
    ]
    path = write(tmp_path / "t.csv", rows)
    reader = TweetCsvReader(path)
    records = list(reader.records())
    assert rejected(records) == [
        (4, "author_id"),
        (5, "publish_date"),
        (6, "row"),
        (7, "publish_date"),
        (8, "publish_date"),
        (11, "row"),
    ]
    assert {reject.error.path for reject in of(Reject, records)} == {str(path)}
    assert [post.text for post in of(PostRow, records)] == [
        "spans\ntwo lines, with a comma",
        "",
        "fine",
    ]
    assert UserRow("bob", "bob", followers=None) in records
    assert reader.rows_read == len(rows)


def test_fivethirtyeight_columns(tmp_path: Path) -> None:
    write_authors(tmp_path / "ira_authors.csv", ("10_gop", "10_gop"), ("TEN_GOP", "TEN_GOP"))
    rows = [
        tweet_538("10_GOP", "RT @TEN_GOP: great @10_gop", "10/1/2017 19:58", "RETWEET", "914580"),
        tweet_538("NEWGUY", "hi", "10/1/2017 20:00", "", "9.18E+17"),
        ["", "", *tweet_538("", "nobody", "10/1/2017 20:00", "", "1")[2:]],  # no author at all
    ]
    records = read(write(tmp_path / "IRAhandle_tweets_1.csv", rows, HEADER_538))
    posts = of(PostRow, records)
    assert [(p.id, p.author_id, p.created_at) for p in posts] == [
        ("914580", "10_gop", 1506887880000),  # a plain tweet_id is the post id
        (derived_id("NEWGUY", "1506888000000", "hi"), "NEWGUY", 1506888000000),
    ]
    assert edges(records) == [("10_gop", "TEN_GOP", "retweet"), ("10_gop", "10_gop", "mention")]
    assert rejected(records) == [(4, "author")]


def test_csv_errors_reject_the_record_and_undecodable_bytes_stop(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", [tweet("alice", "x" * 300), tweet("bob", "short")])
    limit = csv.field_size_limit(200)
    try:
        records = read(path)
    finally:
        csv.field_size_limit(limit)
    assert rejected(records) == [(2, "row")]
    assert [post.text for post in of(PostRow, records)] == ["short"]
    broken = tmp_path / "latin1.csv"
    broken.write_bytes(write(tmp_path / "ok.csv", [tweet("alice", "ok")]).read_bytes() + b"\xff\n")
    with pytest.raises(LoadError) as caught:
        read(broken)
    assert caught.value.field == "row"


def test_authors_file_found_beside_the_tweets(tmp_path: Path) -> None:
    authors = write_authors(tmp_path / "ira_authors.csv", ("Bob", "Bob"))
    path = write(tmp_path / "tweets.csv.gz", [tweet("alice", "@bob")])
    assert TweetCsvReader(path).authors_path == authors
    assert edges(read(path)) == [("alice", "Bob", "mention")]
    assert edges(read(path, find_authors=False)) == [("alice", "@bob", "mention")]
    write_authors(tmp_path / "more_authors.csv.gz")
    with pytest.raises(LoadError) as caught:
        TweetCsvReader(path)
    assert caught.value.field == "authors"
    assert TweetCsvReader(path, authors=authors).authors_path == authors


def test_authors_file_rows_are_checked(tmp_path: Path) -> None:
    authors = write_authors(tmp_path / "a.csv", ("alice", "Alice"), ("", "ghost"), ("bob", ""))
    path = write(tmp_path / "t.csv", [tweet("bob", "@alice")])
    reader = TweetCsvReader(path, authors=authors)
    records = list(reader.records())
    assert [(r.error.path, r.error.line, r.error.field) for r in of(Reject, records)] == [
        (str(authors), 3, "author_id")
    ]
    assert edges(records) == [("bob", "alice", "mention")]
    assert UserRow("bob", "bob", followers=10) in records  # no handle: the id stands in
    assert reader.rows_read == 4


def test_header_problems_stop_the_file(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as caught:
        read(write(tmp_path / "a.csv", [], ["author_id", "publish_date"]))
    assert (caught.value.line, caught.value.field) == (1, "content")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(LoadError, match="empty"):
        read(tmp_path / "empty.csv")
    assert read(write(tmp_path / "b.csv", [])) == []


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (",".join(HEADER), True),
        ("\ufeff" + ",".join(HEADER) + "\r\n10_gop,hi,Unknown", True),
        (",".join(HEADER_538) + "\n" + "x" * 2000, True),
        (",".join(AUTHORS_HEADER), False),
        ("source_author_id,target_handle,target_is_ira_author_id,publish_date,post_type", False),
        ("id,author_id,created_at,text,hashtags,lang,url", False),
        ('{"author_id": "a", "content": "x", "publish_date": "y"}', False),
        ("", False),
    ],
)
def test_sniff(head: str, expected: bool) -> None:
    assert TweetCsvReader.sniff(Path("x.csv"), head.encode()[:1024]) is expected


@settings(max_examples=100, deadline=None)
@given(head=st.binary(max_size=1024))
def test_sniff_never_raises(head: bytes) -> None:
    assert TweetCsvReader.sniff(Path("x"), head) in (True, False)


# -- fuzzing -----------------------------------------------------------------------------------

TEXT = st.text(st.characters(codec="utf-8"), max_size=40)
CONTENT = st.lists(
    st.sampled_from(["@Bob", "@x_1", "RT @Eve:", "#Tag", " ", ",", '"', "\n"]) | TEXT
)
DATES = st.sampled_from([DATE, "10/1/2017 19:58", "", "soon", "2016-02-30 00:00"]) | TEXT
ROWS = st.one_of(
    st.builds(
        lambda author, parts, date: tweet(author, "".join(parts), date=date),
        st.sampled_from(["alice", "Bob", "", "Кирилл"]) | TEXT,
        CONTENT,
        DATES,
    ),
    st.lists(TEXT, max_size=13),  # any width, any values
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(ROWS, max_size=8), gz=st.booleans())
def test_fuzz_yields_records_or_rejects(rows: list[list[str]], gz: bool) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = write(Path(directory) / ("t.csv.gz" if gz else "t.csv"), rows)
        reader = TweetCsvReader(path)
        records = list(reader.records())
    kinds = (UserRow, PostRow, AmplificationRow, Reject)
    assert all(isinstance(record, kinds) for record in records)
    posts = of(PostRow, records)
    assert len(posts) + len(of(Reject, records)) == reader.rows_read
    post_ids = {post.id for post in posts}
    users = {user.id for user in of(UserRow, records)}
    for event in of(AmplificationRow, records):
        assert event.id == f"{event.post_id}:{event.kind}:{event.author_id}"
        assert event.post_id in post_ids
        assert {event.amplifier_id, event.author_id} <= users


# -- the real IRA data -------------------------------------------------------------------------


@dataclass
class Window:
    """What the reader made of the Oct-Nov 2016 file, and what its posts' texts contain."""

    rows_read: int = 0
    rejects: int = 0
    posts: int = 0
    post_ids: set[str] = field(default_factory=set)
    authors: set[str] = field(default_factory=set)
    users: dict[str, UserRow] = field(default_factory=dict)
    kinds: Counter[str] = field(default_factory=Counter)
    events: set[tuple[str, int, str]] = field(default_factory=set)
    matches: int = 0  # MENTION matches in the texts, as the edges file counts them
    repeats: int = 0  # matches naming a handle already mentioned in the same text
    rt_prefixed: int = 0


@pytest.fixture(scope="module")
def window() -> Window:
    if not WINDOW.is_file() or not EDGES.is_file():
        pytest.skip(f"the IRA data set is not at {IRA} (see shared/data/README.md)")
    reader = TweetCsvReader(WINDOW)
    assert reader.authors_path == IRA / "ira_authors.csv"
    seen = Window()
    for record in reader.records():
        if isinstance(record, PostRow):
            seen.posts += 1
            seen.post_ids.add(record.id)
            seen.authors.add(record.author_id)
            handles = MENTION.findall(record.text) if "@" in record.text else []
            seen.matches += len(handles)
            seen.repeats += len(handles) - len({handle.lower() for handle in handles})
            seen.rt_prefixed += RETWEET.match(record.text) is not None
        elif isinstance(record, AmplificationRow):
            seen.kinds[record.kind] += 1
            seen.events.add((record.amplifier_id, record.created_at, record.author_id))
        elif isinstance(record, UserRow):
            seen.users[record.id] = record
        else:
            seen.rejects += 1
    seen.rows_read = reader.rows_read
    return seen


def edges_in_window() -> tuple[int, set[tuple[str, int, str]]]:
    """Rows of ``ira_mention_edges.csv.gz`` dated Oct-Nov 2016, and their distinct events."""
    count, events, stamps = 0, set(), {}
    with gzip.open(EDGES, "rt", encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        header = next(rows)
        names = ("source_author_id", "target_handle", "target_is_ira_author_id", "publish_date")
        source, target, ira, published = (header.index(name) for name in names)
        for row in rows:
            date = row[published]
            if not "2016-10-01" <= date < "2016-12-01":
                continue
            count += 1
            if date not in stamps:
                moment = datetime.fromisoformat(date).replace(tzinfo=UTC)
                stamps[date] = int(moment.timestamp()) * 1000
            target_id = row[ira] or "@" + row[target].lower()
            events.add((row[source], stamps[date], target_id))
    return count, events


@pytest.mark.slow
def test_real_window_posts_and_authors(window: Window) -> None:
    assert window.posts == 241_947  # the row count SOURCE.md states
    assert window.rejects == 0
    assert window.rows_read == 241_947 + 2_856  # tweets + ira_authors.csv rows
    # 10,919 rows repeat an earlier row's author, minute and text (10,863 byte for byte, the rest
    # differ only in harvested_date/updates): the same tweet collected twice, so one post id.
    assert len(window.post_ids) == 241_947 - 10_919
    assert len(window.authors) == 490  # distinct author_id in the file (counted with csv)
    for author in window.authors:
        assert window.users[author].followers is not None
    assert window.users["1488reasons"].handle == "1488reasons"


@pytest.mark.slow
def test_real_window_mentions_match_the_edges_file(window: Window) -> None:
    count, events = edges_in_window()
    # Every @handle match in the posts' texts is one row of the edges file, no more, no less.
    assert count == window.matches == 70_439
    # The reader emits one event per (post, target); the edges file one per match, so the 111
    # matches that repeat a handle (case-insensitively) within the same tweet are one event each.
    assert window.repeats == 111
    assert window.kinds.total() == count - window.repeats
    # "RT @x:" texts give a retweet for x instead of that mention.
    assert window.kinds["retweet"] == window.rt_prefixed == 385
    # The same (amplifier, minute, target) events, IRA targets resolved to the same author ids.
    assert window.events == events


@pytest.mark.slow
def test_real_files_sniff() -> None:
    if not WINDOW.is_file():
        pytest.skip(f"the IRA data set is not at {IRA}")
    with gzip.open(WINDOW, "rb") as handle:
        assert TweetCsvReader.sniff(WINDOW, handle.read(1024))
    with gzip.open(EDGES, "rb") as handle:
        assert not TweetCsvReader.sniff(EDGES, handle.read(1024))
    authors = IRA / "ira_authors.csv"
    assert not TweetCsvReader.sniff(authors, authors.read_bytes()[:1024])
