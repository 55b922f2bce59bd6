"""Property tests of the CSV contract parsers: a bad row is a ``LoadError``, never a crash."""

from __future__ import annotations

import gzip
import tempfile
from collections.abc import Callable
from datetime import UTC, timedelta, timezone
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from graph.errors import LoadError
from graph.models import AMPLIFICATION_KINDS, AmplificationRow, PostRow, UserRow
from loaders.contract_csv import (
    COLUMNS,
    REQUIRED,
    TABLES,
    parse_amplification,
    parse_post,
    parse_user,
    read_rows,
    topics_of,
)

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PATH = Path("fuzz.csv")
LINE = 7

Record = UserRow | PostRow | AmplificationRow
Parser = Callable[[Path, int, dict[str, str]], Record]

#: Values that reach the interesting branches, mixed with arbitrary text.
INTERESTING = st.sampled_from(
    [
        "",
        " ",
        "@",
        "@@handle",
        "0",
        "-1",
        "1_000",
        "1.5",
        "1e3",
        "9" * 5000,
        "true",
        "FALSE",
        "maybe",
        *AMPLIFICATION_KINDS,
        "RETWEET",
        "2026-10-03T14:05:00Z",
        "2026-10-03T14:05:00",
        "2026-10-03",
        "0001-01-01T00:00:00+23:59",
        "9999-12-31T23:59:59.999999-23:59",
        "20261003T140500Z",
        "#Vegan;vegan",
        "# ;#;;",
        "1",
    ]
)
VALUES = st.one_of(INTERESTING, st.text(max_size=30))


def raw_rows(table: str) -> st.SearchStrategy[dict[str, str]]:
    """Dicts keyed mostly by the table's columns (required ones sometimes absent)."""
    keys = st.one_of(st.sampled_from(COLUMNS[table]), st.text(max_size=8))
    return st.dictionaries(keys, VALUES, max_size=10)


def full_rows(table: str) -> st.SearchStrategy[dict[str, str]]:
    """Every column present, each value interesting or arbitrary."""
    return st.fixed_dictionaries({column: VALUES for column in COLUMNS[table]})


def _timestamps() -> st.SearchStrategy[str]:
    offsets = st.timedeltas(
        min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23, minutes=59)
    )
    zones = st.one_of(st.just(UTC), st.builds(timezone, offsets))
    return st.datetimes(timezones=zones).map(lambda moment: moment.isoformat())


#: Mostly valid values per column, so the parsers also get to return records.
PLAUSIBLE: dict[str, st.SearchStrategy[str]] = {
    "id": st.text(min_size=1, max_size=10),
    "handle": st.text(min_size=1, max_size=10),
    "amplifier_id": st.text(min_size=1, max_size=10),
    "author_id": st.text(min_size=1, max_size=10),
    "post_id": st.text(max_size=10),
    "followers": st.integers(min_value=-3, max_value=10**12).map(str),
    "is_brand": st.sampled_from(["", "true", "False", "1", "0", "yes", "N", "t"]),
    "kind": st.sampled_from(AMPLIFICATION_KINDS).map(lambda kind: kind.upper())
    | st.sampled_from(AMPLIFICATION_KINDS),
    "created_at": _timestamps(),
    "hashtags": st.lists(st.text(max_size=8), max_size=4).map(";".join),
}


def plausible_rows(table: str) -> st.SearchStrategy[dict[str, str]]:
    """Every column present, each value plausible (other strategies bring the noise)."""
    return st.fixed_dictionaries(
        {column: PLAUSIBLE.get(column, st.text(max_size=20)) for column in COLUMNS[table]}
    )


def rows_for(table: str) -> st.SearchStrategy[dict[str, str]]:
    return st.one_of(plausible_rows(table), raw_rows(table), full_rows(table))


def check_parser(parse: Parser, raw: dict[str, str]) -> Record | None:
    try:
        record = parse(PATH, LINE, raw)
    except LoadError as error:
        assert error.path == str(PATH)
        assert error.line == LINE
        assert error.field
        assert str(error).startswith(f"{PATH}:{LINE}: {error.field}: ")
        return None
    return record


# ------------------------------------------------------------------------------ users
@FUZZ
@given(rows_for("users"))
def test_parse_user_returns_a_record_or_raises_load_error(raw: dict[str, str]) -> None:
    user = check_parser(parse_user, raw)
    if user is None:
        return
    assert isinstance(user, UserRow)
    assert user.id and user.handle
    assert not user.handle.startswith("@")
    assert user.followers is None or user.followers >= 0
    assert user.platform and user.platform == user.platform.lower()


# ------------------------------------------------------------------------------ posts
@FUZZ
@given(rows_for("posts"))
def test_parse_post_returns_a_record_or_raises_load_error(raw: dict[str, str]) -> None:
    post = check_parser(parse_post, raw)
    if post is None:
        return
    assert isinstance(post, PostRow)
    assert post.id and post.author_id
    assert isinstance(post.created_at, int)
    assert all(topic and topic == topic.lower() for topic in post.topics)
    assert len(set(post.topics)) == len(post.topics)


# --------------------------------------------------------------------- amplifications
@FUZZ
@given(rows_for("amplifications"))
def test_parse_amplification_returns_a_record_or_raises_load_error(raw: dict[str, str]) -> None:
    event = check_parser(parse_amplification, raw)
    if event is None:
        return
    assert isinstance(event, AmplificationRow)
    assert event.id and event.amplifier_id and event.author_id
    assert event.kind in AMPLIFICATION_KINDS
    assert isinstance(event.created_at, int)
    again = parse_amplification(PATH, LINE + 1, raw)
    assert again.id == event.id  # a derived id is stable


# ------------------------------------------------------------------------- read_rows
def header_then(table: str) -> st.SearchStrategy[bytes]:
    """A header with the required columns, then arbitrary bytes or CSV-ish text."""
    header = ",".join(COLUMNS[table]).encode() + b"\n"
    csvish = st.text(alphabet=st.sampled_from(list('ab,"\n\r\x00 é#')), max_size=80)
    tail = st.one_of(st.binary(max_size=120), csvish.map(str.encode))
    return tail.map(lambda rest: header + rest)


def contents(table: str) -> st.SearchStrategy[bytes]:
    return st.one_of(st.binary(max_size=200), header_then(table))


def check_read_rows(path: Path, table: str) -> None:
    try:
        rows = list(read_rows(path, table))
    except LoadError as error:
        assert error.path == str(path)
        assert error.line >= 1
        return
    lines = [line for line, _ in rows]
    assert lines == sorted(set(lines))
    assert all(line >= 2 for line in lines)
    for _, row in rows:
        assert all(value == value.strip() for value in row.values())


@FUZZ
@given(st.sampled_from(TABLES).flatmap(lambda table: st.tuples(st.just(table), contents(table))))
def test_read_rows_on_arbitrary_bytes(case: tuple[str, bytes]) -> None:
    table, data = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{table}.csv"
        path.write_bytes(data)
        check_read_rows(path, table)


@FUZZ
@given(st.sampled_from(TABLES).flatmap(lambda table: st.tuples(st.just(table), contents(table))))
def test_read_rows_on_arbitrary_gzipped_bytes(case: tuple[str, bytes]) -> None:
    table, data = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{table}.csv.gz"
        path.write_bytes(gzip.compress(data))
        check_read_rows(path, table)


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=200))
@example(b"id,handle\nu1,one\n")
@example(gzip.compress(b"id,handle\nu1,one\n")[:-12])
def test_read_rows_on_corrupt_gzip(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "users.csv.gz"
        path.write_bytes(data)
        check_read_rows(path, "users")


def test_required_columns_are_in_the_contract() -> None:
    for table in TABLES:
        assert set(REQUIRED[table]) <= set(COLUMNS[table])


# -------------------------------------------------------------------------- topics_of
@FUZZ
@given(
    st.one_of(st.text(max_size=40), st.sampled_from(["", "#Vegan;vegan", "# ;#;;", "A;a;B"])),
    st.text(max_size=60),
)
@example("", "Loving #Vegan food #vegan #ÉTÉ #été #İstanbul #ΣΟΦΊΑ")
@example(";;", "#ignored")
def test_topics_are_lower_case_non_empty_unique(hashtags: str, text: str) -> None:
    topics = topics_of(hashtags, text)
    assert isinstance(topics, tuple)
    for topic in topics:
        assert isinstance(topic, str)
        assert topic
        assert topic == topic.lower()
    assert len(set(topics)) == len(topics)


def test_topics_examples() -> None:
    assert topics_of("Vegan; #TrailRunning;vegan", "") == ("vegan", "trailrunning")
    assert topics_of("", "Loving #Vegan food #vegan") == ("vegan",)
    assert topics_of("", "no tags") == ()
    assert topics_of("Coffee", "#Vegan in the text is ignored") == ("coffee",)


def test_topics_ignore_space_after_hash() -> None:
    assert topics_of("# Vegan;vegan", "") == ("vegan",)
