"""Every reader bounds the memory one record may take, whatever the compression.

Each test writes a small gzip whose content is one enormous line (or tag, or document), made
as a stream so it never sits in memory here, lowers the limit so the test stays fast, and
checks that the reader refuses it with ``file:line: field: reason`` while ``tracemalloc``'s
peak stays far below the size of the line.
"""

from __future__ import annotations

import gzip
import json
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from graph.errors import LoadError
from graph.store import Store
from loaders import bounded_lines
from loaders.formats import twitter_common
from loaders.formats.contract import CsvContractReader
from loaders.formats.edgelist import CascadeReader, EdgeListReader
from loaders.formats.gexf import GexfReader
from loaders.formats.graphml import GraphMLReader
from loaders.formats.tweet_csv import TweetCsvReader
from loaders.formats.twitter_v1 import TwitterV1Reader
from loaders.formats.twitter_v2 import TwitterV2Reader
from loaders.pipeline import load
from loaders.records import Reader, Record, Reject
from tests.support.record_files import users

MiB = 1 << 20
LIMIT = 1 * MiB  # the per-line limit the tests set
HUGE = 32 * MiB  # the size of the line, tag or document that must not be held
BOUND = 8 * MiB  # what reading may allocate at its peak: well under HUGE
T0 = "2026-10-03T14:05:00Z"


@pytest.fixture(autouse=True)
def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bounded_lines, "MAX_LINE_CHARS", LIMIT)
    monkeypatch.setattr(twitter_common, "MAX_DOCUMENT_BYTES", LIMIT)


def bomb(path: Path, head: str, filler: bytes = b"a", size: int = HUGE, tail: str = "") -> Path:
    """``head``, ``size`` bytes of ``filler`` and ``tail``, gzipped, written as a stream."""
    block = filler * (MiB // len(filler))
    with gzip.open(path, "wb", compresslevel=6) as out:
        out.write(head.encode())
        for _ in range(size // len(block)):
            out.write(block)
        out.write(tail.encode())
    assert path.stat().st_size <= max(size // 100, 4096)  # small on the wire
    return path


def read_until_error(reader: Reader) -> tuple[list[Record], LoadError | None, int]:
    """What ``reader`` yields, the ``LoadError`` that ended it, and the traced peak in bytes."""
    records: list[Record] = []
    error: LoadError | None = None
    tracemalloc.start()
    try:
        for record in reader.records():
            records.append(record)
    except LoadError as caught:
        error = caught
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return records, error, peak


def refused(reader: Reader, line: int, field: str, words: str) -> list[Record]:
    records, error, peak = read_until_error(reader)
    where = f"{error.line}: {error.field}" if error else "nothing"
    print(f"{reader.format} {reader.path.name}: refused {where}, peak {peak / MiB:.1f} MiB")
    assert error is not None, "the overlong input was not refused"
    assert (error.line, error.field) == (line, field)
    assert words in error.reason
    assert str(error).startswith(f"{error.path}:{line}: {field}: ")
    assert peak < BOUND, f"{peak / MiB:.1f} MiB held for one record"
    return records


# --- CSV: the contract, tweet CSV, cascades -----------------------------------------------------

USERS_HEAD = "id,handle,name,followers,bio\nu1,alice,Alice,10,\n"


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz"])
def test_contract_csv_line_without_break_is_refused(tmp_path: Path, suffix: str) -> None:
    directory = tmp_path / "data"
    directory.mkdir()
    path = directory / f"users{suffix}"
    if suffix == ".csv.gz":
        bomb(path, USERS_HEAD + "u2,bob,")
    else:  # plain text too: the limit is on the line, not on the compression
        path.write_text(USERS_HEAD + "u2,bob," + "a" * (4 * LIMIT))
    records = refused(CsvContractReader(directory), 3, "line", "longer than 1 MiB")
    assert [user.id for user in users(records)] == ["u1"]


def test_contract_csv_refusal_keeps_the_rows_before(falkor_store: Store, tmp_path: Path) -> None:
    directory = tmp_path / "data"
    directory.mkdir()
    bomb(directory / "users.csv.gz", USERS_HEAD + "u2,bob,")
    with pytest.raises(LoadError) as caught:
        load(falkor_store, [CsvContractReader(directory)], rejects_path=tmp_path / "rejects.txt")
    assert caught.value.path == str(directory / "users.csv.gz")
    assert (caught.value.line, caught.value.field) == (3, "line")
    assert falkor_store.stats().users == 1


def test_contract_csv_unclosed_quote_over_many_short_lines_is_refused(tmp_path: Path) -> None:
    directory = tmp_path / "data"
    directory.mkdir()
    bomb(directory / "users.csv.gz", USERS_HEAD + 'u2,bob,"', filler=b"a,b\n")
    refused(CsvContractReader(directory), 3, "row", "an unclosed quote?")


def test_contract_csv_header_line_is_bounded(tmp_path: Path) -> None:
    directory = tmp_path / "data"
    directory.mkdir()
    bomb(directory / "users.csv.gz", "id,handle,")
    refused(CsvContractReader(directory), 1, "line", "without a line break")


def test_multi_line_quoted_fields_still_load(falkor_store: Store, tmp_path: Path) -> None:
    directory = tmp_path / "data"
    directory.mkdir()
    bio = "\n".join(f"line {n}: " + "b" * 60 for n in range(200))  # 14 KiB over 200 lines
    with gzip.open(directory / "users.csv.gz", "wt", encoding="utf-8", newline="") as out:
        out.write(USERS_HEAD)
        out.write(f'u2,bob,Bob,5,"{bio}"\r\nu3,carol,"Carol\r\nC.",7,"a ""quoted""\nbio"\n')
    report = load(
        falkor_store, [CsvContractReader(directory)], rejects_path=tmp_path / "rejects.txt"
    )
    assert report.loaded["users"] == 3 and report.rejected_total == 0
    query = "MATCH (u:User) RETURN u.id AS id, u.bio AS bio, u.name AS name ORDER BY id"
    rows = falkor_store.read(query)
    assert [(row["id"], row["bio"], row["name"]) for row in rows][1:] == [
        ("u2", bio, "Bob"),
        ("u3", 'a "quoted"\nbio', "Carol\r\nC."),
    ]


TWEETS_HEAD = "author_id,content,publish_date,followers\n1,hi @bob,2017-01-01 10:00:00,5\n"


def test_tweet_csv_line_without_break_is_refused(tmp_path: Path) -> None:
    path = bomb(tmp_path / "tweets.csv.gz", TWEETS_HEAD + '2,"hello ')
    records = refused(TweetCsvReader(path, find_authors=False), 3, "line", "longer than 1 MiB")
    assert [user.id for user in users(records)] == ["1", "@bob"]


def test_tweet_csv_authors_file_is_bounded(tmp_path: Path) -> None:
    tweets = tmp_path / "tweets.csv"
    tweets.write_text(TWEETS_HEAD)
    bomb(tmp_path / "ira_authors.csv.gz", "author_id,author\n1,alice\n2,")
    refused(TweetCsvReader(tweets), 3, "line", "without a line break")


def test_cascade_csv_line_without_break_is_refused(tmp_path: Path) -> None:
    head = "parent_uid,child_uid,child_tweet_id\nROOT,1,100\n1,2,"
    refused(CascadeReader(bomb(tmp_path / "cascade.csv.gz", head)), 3, "line", "longer")


# --- edge lists: an overlong line is rejected and the next line read ---------------------------


def test_edge_list_overlong_line_is_rejected_and_skipped(tmp_path: Path) -> None:
    path = bomb(tmp_path / "edges.txt.gz", "1 2\n3 ", tail="\n4 5\n")
    records, error, peak = read_until_error(EdgeListReader(path, timestamp=0))
    print(f"edgelist: peak {peak / MiB:.1f} MiB for a {HUGE // MiB} MiB line")
    assert error is None and peak < BOUND
    assert [r.error.line for r in records if isinstance(r, Reject)] == [2]
    assert [user.id for user in users(records)] == ["1", "2", "4", "5"]


# --- Twitter JSON lines and documents -----------------------------------------------------------


def v1_line(tweet_id: str) -> str:
    user = {"id_str": "7", "screen_name": "alice"}
    tweet = {"id_str": tweet_id, "user": user, "created_at": "Wed Oct 10 20:19:24 +0000 2018"}
    return json.dumps(tweet) + "\n"


@pytest.mark.parametrize("filler", [b"a", b" "])
def test_json_line_without_break_is_refused(tmp_path: Path, filler: bytes) -> None:
    path = bomb(tmp_path / "tweets.jsonl.gz", v1_line("1") + '{"id_str": "2", "text": "', filler)
    records = refused(TwitterV1Reader(path), 2, "line", "longer than 1 MiB")
    assert [user.id for user in users(records)] == ["7"]


def test_pretty_document_over_the_cap_is_refused(tmp_path: Path) -> None:
    head = '{\n  "data": [\n    {"id": "1", "author_id": "2", "text": "'
    path = bomb(tmp_path / "page.json.gz", head)
    refused(TwitterV2Reader(path), 1, "document", "a JSON document over 1 MiB")


def test_pretty_whitespace_after_a_document_is_not_held(tmp_path: Path) -> None:
    page = json.dumps({"data": [{"id": "1", "author_id": "2", "created_at": T0}]}, indent=2)
    path = bomb(tmp_path / "page.json.gz", page, filler=b" \n", tail="\n")
    records, error, peak = read_until_error(TwitterV2Reader(path))
    print(f"twitter-v2: peak {peak / MiB:.1f} MiB after {HUGE // MiB} MiB of blank lines")
    assert error is None and peak < BOUND
    assert records == list(TwitterV2Reader(bomb(tmp_path / "one.json.gz", page, size=0)).records())


def pages(count: int) -> Iterator[dict[str, object]]:
    for n in range(count):
        tweets = [
            {"id": f"{n}-{k}", "author_id": str(k % 7), "created_at": T0, "text": "x" * 200}
            for k in range(100)
        ]
        yield {"data": tweets, "includes": {"users": [{"id": "1", "username": "u1"}]}}


@pytest.mark.parametrize(
    ("indent", "count"), [(2, 40), (None, 1)], ids=["concatenated", "one-3MiB-array"]
)
def test_documents_across_read_chunks_load_like_json_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, indent: int | None, count: int
) -> None:
    monkeypatch.setattr(twitter_common, "MAX_DOCUMENT_BYTES", 64 * MiB)
    monkeypatch.setattr(bounded_lines, "MAX_LINE_CHARS", 16 * MiB)
    documents = list(pages(count)) if indent else [list(pages(120))]
    lines = tmp_path / "pages.jsonl"
    lines.write_text("".join(json.dumps(page) + "\n" for page in documents))
    pretty = tmp_path / "pages.json.gz"
    with gzip.open(pretty, "wt", encoding="utf-8") as out:
        out.write("[\n" if not indent else "")
        for page in documents:
            text = json.dumps(page, indent=indent or 1)
            out.write((text[1:] if not indent else text) + "\n")
    assert pretty.stat().st_size > 0 and lines.stat().st_size > MiB  # more than one read chunk
    expected = list(TwitterV2Reader(lines).records())
    reader = TwitterV2Reader(pretty)
    assert list(reader.records()) == expected
    assert reader.rows_read == len(documents)


# --- GraphML and GEXF ---------------------------------------------------------------------------

GRAPHML = '<?xml version="1.0"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n'
GRAPHML += '<key id="d0" for="node" attr.name="bio" attr.type="string"/>\n'
GRAPHML += '<graph edgedefault="directed">\n<node id="1"/>\n'
GEXF = '<?xml version="1.0"?>\n<gexf xmlns="http://gexf.net/1.3" version="1.3">\n<graph>\n'
GEXF += '<attributes class="node"><attribute id="0" title="bio" type="string"/></attributes>\n'
GEXF += '<nodes>\n<node id="1" label="a"/>\n'


@pytest.mark.parametrize(
    ("reader_class", "head"),
    [
        (GraphMLReader, GRAPHML + '<node id="2"><data key="d0" note="'),
        (GraphMLReader, GRAPHML + "<!-- "),
        (GexfReader, GEXF + '<node id="2"><attvalues><attvalue for="0" value="'),
    ],
    ids=["graphml-attribute", "graphml-comment", "gexf-attvalue"],
)
def test_xml_markup_without_end_is_refused(
    tmp_path: Path, reader_class: Callable[[Path], Reader], head: str
) -> None:
    path = bomb(tmp_path / "graph.xml.gz", head)
    records = refused(reader_class(path), head.count("\n") + 1, "xml", "longer than 1 MiB")
    assert [user.id for user in users(records)] == ["1"]


def test_xml_huge_text_is_truncated_not_held(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bounded_lines, "MAX_LINE_CHARS", 16 * MiB)  # text is cut at 1 MiB
    head = GRAPHML + '<node id="2"><data key="d0">'
    path = bomb(tmp_path / "graph.graphml.gz", head, tail="</data></node></graph></graphml>\n")
    records, error, peak = read_until_error(GraphMLReader(path))
    print(f"graphml text: peak {peak / MiB:.1f} MiB for a {HUGE // MiB} MiB text node")
    assert error is None and peak < BOUND
    assert [user.id for user in users(records)] == ["1", "2"]
    assert 0 < len(users(records)[1].bio) <= 2 * MiB


def test_documents_just_under_the_cap_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Parsed again when the text doubles, a document is also tried once more at the cap."""
    monkeypatch.setattr(twitter_common, "MAX_DOCUMENT_BYTES", 5 * MiB)
    document = json.dumps(list(pages(160)), indent=1)
    assert 3 * MiB < len(document) < 5 * MiB
    path = tmp_path / "two.json.gz"
    path.write_bytes(gzip.compress((document + "\n" + document + "\n").encode()))
    lines = tmp_path / "two.jsonl"
    lines.write_text((json.dumps(list(pages(160))) + "\n") * 2)
    monkeypatch.setattr(bounded_lines, "MAX_LINE_CHARS", 16 * MiB)
    reader = TwitterV2Reader(path)
    records = list(reader.records())
    assert reader.rows_read == 2 and records == list(TwitterV2Reader(lines).records())
    assert len(records) > 2 * 160 * 100
    assert not [record for record in records if isinstance(record, Reject)]
    over = tmp_path / "over.json.gz"
    over.write_bytes(gzip.compress(json.dumps(list(pages(200)), indent=1).encode()))
    with pytest.raises(LoadError, match="a JSON document over 5 MiB"):
        list(TwitterV2Reader(over).records())


@pytest.mark.parametrize(
    ("reader_class", "head", "repeated", "line", "field", "words"),
    [
        (GraphMLReader, GRAPHML, '<node id="n">', 6 + 64, "node", "nested more than 64 deep"),
        (
            GraphMLReader,
            GRAPHML + '<node id="2">',
            '<data key="d{n}">' + "v" * 4000 + "</data>",
            6,
            "node",
            "values over 1 MiB in one node",
        ),
        (
            GexfReader,
            GEXF + '<node id="2"><attvalues>',
            '<attvalue for="{n}" value="' + "v" * 4000 + '"/>',
            7,
            "node",
            "values over 1 MiB in one node",
        ),
    ],
    ids=["graphml-depth", "graphml-many-values", "gexf-many-values"],
)
def test_xml_elements_are_bounded(
    tmp_path: Path,
    reader_class: Callable[[Path], Reader],
    head: str,
    repeated: str,
    line: int,
    field: str,
    words: str,
) -> None:
    path = tmp_path / "graph.xml.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.write(head)
        for n in range(100_000):
            out.write(repeated.replace("{n}", str(n)) + "\n")
    records = refused(reader_class(path), line, field, words)
    assert [user.id for user in users(records)] == ["1"]
