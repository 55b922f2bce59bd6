"""Readers of line-oriented graph files: SNAP activity, edge lists, cascade CSVs (no database)."""

from __future__ import annotations

import csv
import gzip
import json
import os
import random
import subprocess
import sys
import tempfile
import zlib
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from graph.errors import LoadError
from graph.models import AmplificationRow, PostRow, UserRow
from loaders.formats.edgelist import (
    CascadeReader,
    EdgeListReader,
    SeenIds,
    SnapActivityReader,
    numbered_lines,
)
from loaders.records import Reader, Reject
from tests.support.record_files import events, rejects, users, write

DATA = Path(__file__).resolve().parents[4] / "shared" / "data"
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def dataset(*parts: str) -> Path:
    path = DATA.joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"real dataset {path} is absent (it lives in ../shared/data, outside the repo)")
    return path


# --- SNAP activity -----------------------------------------------------------------------------

SNAP = "223789 213163 1341100972 MT\n223789 213163 1341100972 RE\n376989 50329 1341101181 RT\n"


@pytest.mark.parametrize("name", ["activity.txt", "activity.txt.gz"])
def test_snap_maps_kinds_times_users_and_ids(tmp_path: Path, name: str) -> None:
    records = list(SnapActivityReader(write(tmp_path, name, SNAP)).records())
    assert records[:3] == [
        UserRow("223789", "223789"),
        UserRow("213163", "213163"),
        AmplificationRow(
            "223789>213163@1341100972:mention", "223789", "213163", "mention", 1341100972000
        ),
    ]
    assert [e.kind for e in events(records)] == ["mention", "reply", "retweet"]
    assert [u.id for u in users(records)] == ["223789", "213163", "376989", "50329"]
    assert events(records)[2].id == "376989>50329@1341101181:retweet"


def test_snap_rejects_bad_rows_with_line_and_field_and_goes_on(tmp_path: Path) -> None:
    text = "# SNAP activity\n\n1 2 10 RT\n1 2 10\n1 2 10 XX\n1 2 ten RE\n1 2 -5 RE\n3 4 11 re\n"
    path = write(tmp_path, "a.txt", text)
    reader = SnapActivityReader(path)
    records = list(reader.records())
    assert rejects(records) == [(4, "row"), (5, "kind"), (6, "timestamp"), (7, "timestamp")]
    assert [e.id for e in events(records)] == ["1>2@10:retweet", "3>4@11:reply"]
    assert reader.rows_read == 6  # comment and blank line are not rows
    first = next(r for r in records if isinstance(r, Reject)).error
    assert str(first).startswith(f"{path}:4: row: ")


def test_snap_identical_lines_are_one_event_under_one_id(tmp_path: Path) -> None:
    records = list(SnapActivityReader(write(tmp_path, "a.txt", "1 2 10 RT\n1 2 10 RT\n")).records())
    assert [e.id for e in events(records)] == ["1>2@10:retweet"] * 2
    assert len(users(records)) == 2


def test_a_file_without_line_breaks_is_not_held_in_memory(tmp_path: Path) -> None:
    text = "a b 1\n" + "x" * 3_000_000 + "\nc d 1\n" + "y" * 2_000_000
    records = list(EdgeListReader(write(tmp_path, "e.txt", text), timestamp=0).records())
    assert rejects(records) == [(2, "row"), (4, "row")]
    assert [e.id for e in events(records)] == ["a>b#0", "c>d#0"]
    reject = next(r for r in records if isinstance(r, Reject))
    assert "over 1 MiB" in reject.error.reason


@pytest.mark.parametrize("seed", range(3))
def test_lines_across_block_boundaries_match_a_plain_split(tmp_path: Path, seed: int) -> None:
    chance = random.Random(seed)
    lengths = [chance.choice([0, 1, 5, 90, 4_000, 131_071, 131_072, 400_000]) for _ in range(40)]
    lines = [("é" if n % 2 else "a") * n for n in lengths]
    lines[7] = "z" * (1 << 21)  # too long: rejected, not held
    data = "".join(line + chance.choice(["\n", "\r\n"]) for line in lines).encode()
    path = write(tmp_path, "big.txt", data[:-1])  # the last line has no line break
    found = list(numbered_lines(EdgeListReader(path, timestamp=0)))
    expected = [
        (n, None if len(line.encode()) > 1 << 20 else line) for n, line in enumerate(lines, 1)
    ]
    assert [(n, t if t is None else t.rstrip("\r")) for n, t in found] == expected


def test_snap_non_utf8_line_is_a_reject(tmp_path: Path) -> None:
    path = write(tmp_path, "a.txt", b"1 2 10 RT\n\xff\xfe 2 10 RT\r\n5 6 12 MT\r\n")
    records = list(SnapActivityReader(path).records())
    assert rejects(records) == [(2, "row")]
    assert [e.id for e in events(records)] == ["1>2@10:retweet", "5>6@12:mention"]


# --- plain edge lists --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("e.txt", "a b 3\nc a\n"),
        ("e.tsv", "a\tb\t3\nc\ta\n"),
        ("e.csv", "source,target,weight\na,b,3\nc,a\n"),
        ("e.csv.gz", "# exported\nsrc dst weight\n\na b 3\n% konect comment\nc a\n"),
        ("e.txt", "\ufeffa b 3\r\nc a\r\n"),
        ("e.csv", '"a","b","3"\n"c","a"\n'),
    ],
)
def test_edge_list_separators_comments_headers(tmp_path: Path, name: str, text: str) -> None:
    reader = EdgeListReader(write(tmp_path, name, text), timestamp=7)
    records = list(reader.records())
    assert rejects(records) == []
    assert [e.id for e in events(records)] == ["a>b#0", "a>b#1", "a>b#2", "c>a#0"]
    assert {(e.kind, e.created_at) for e in events(records)} == {("retweet", 7)}
    assert [u.id for u in users(records)] == ["a", "b", "c"]
    assert reader.rows_read == 2


def test_edge_list_weights_round_up_and_are_capped(tmp_path: Path) -> None:
    path = write(tmp_path, "e.txt", "a b 0.002\na c 2.5\na d 5000\na e 1e9\n")
    reader = EdgeListReader(path, max_events_per_edge=4, timestamp=0)
    per_author = Counter(e.author_id for e in events(reader.records()))
    assert per_author == {"b": 1, "c": 3, "d": 4, "e": 4}
    assert reader.capped_edges == 2


def test_edge_list_bad_rows_are_rejected_and_reading_goes_on(tmp_path: Path) -> None:
    text = "a b 1\na b 0\na b -2\na b nan\na b heavy\na\na b 1 2 3\n,b\na,\na b 1 x\nz y\n"
    records = list(EdgeListReader(write(tmp_path, "e.csv", text), timestamp=0).records())
    assert rejects(records) == [
        (2, "weight"),
        (3, "weight"),
        (4, "weight"),
        (5, "weight"),
        (6, "row"),
        (7, "row"),
        (8, "source"),
        (9, "target"),
        (10, "timestamp"),
    ]
    assert [e.id for e in events(records)] == ["a>b#0", "z>y#0"]


def test_edge_list_direction_kind_handles_and_time_column(tmp_path: Path) -> None:
    path = write(tmp_path, "e.txt", "0 1 1\n1 2 1 1341100972\n")
    reader = EdgeListReader(
        path, direction="author-amplifier", kind="mention", handles={"0": "SpeakerPelosi"}
    )
    records = list(reader.records())
    assert [(e.amplifier_id, e.author_id, e.kind) for e in events(records)] == [
        ("1", "0", "mention"),
        ("2", "1", "mention"),
    ]
    assert events(records)[1].id == "2>1@1341100972#0"
    assert events(records)[1].created_at == 1341100972000
    assert events(records)[0].created_at == int(path.stat().st_mtime * 1000)  # the default
    assert users(records)[1] == UserRow("0", "SpeakerPelosi")


MARIA = "\u043c\u0430\u0440\u0438\u044f"  # Cyrillic, written escaped for the linter


def test_edge_list_unicode_ids_and_repeated_pairs(tmp_path: Path) -> None:
    text = f"Zoë Ünal\t{MARIA}\t2\nZoë Ünal\t{MARIA}\t1\n東京\t{MARIA}\n"
    records = list(EdgeListReader(write(tmp_path, "e.tsv", text), timestamp=0).records())
    assert [e.id for e in events(records)] == [
        f"Zoë Ünal>{MARIA}#0",
        f"Zoë Ünal>{MARIA}#1",
        f"Zoë Ünal>{MARIA}#0",  # a pair listed twice repeats its ids: the store keeps one
        f"東京>{MARIA}#0",
    ]
    assert [u.id for u in users(records)] == ["Zoë Ünal", MARIA, "東京"]


def test_edge_list_reads_a_gephi_edge_table(tmp_path: Path) -> None:
    text = "Source,Target,Type,Id,Label,Weight\nann,bob,Directed,0,,2.0\nbob,cy,Directed,1,,1\n"
    records = list(EdgeListReader(write(tmp_path, "edges.csv", text), timestamp=0).records())
    assert [e.id for e in events(records)] == ["ann>bob#0", "ann>bob#1", "bob>cy#0"]


def test_edge_list_options_are_checked(tmp_path: Path) -> None:
    path = write(tmp_path, "e.txt", "a b\n")
    with pytest.raises(ValueError, match="direction"):
        EdgeListReader(path, direction="sideways")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="kind"):
        EdgeListReader(path, kind="follow")
    with pytest.raises(ValueError, match="max_events_per_edge"):
        EdgeListReader(path, max_events_per_edge=0)


def test_unreadable_files_raise_load_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="cannot read"):
        list(EdgeListReader(tmp_path / "missing.txt", timestamp=0).records())
    broken = tmp_path / "broken.txt.gz"
    broken.write_bytes(gzip.compress(b"a b 1\n" * 100)[:-30])
    with pytest.raises(LoadError) as caught:
        list(SnapActivityReader(broken).records())
    assert caught.value.field == "file"


def test_seen_ids_keep_decimal_spellings_apart() -> None:
    seen = SeenIds()
    assert [seen.add(k) for k in ("7", "07", "7", "+7", "\u0667", "99999999", "x", "x")] == [
        True,
        True,
        False,
        True,
        True,
        True,
        True,
        False,
    ]


# --- cascade CSV -------------------------------------------------------------------------------

CASCADE_HEADER = (
    "dataset,cascade_root_tweet_id,label,parent_uid,parent_tweet_id,parent_delay_min,"
    "child_uid,child_tweet_id,child_delay_min\n"
)
ROOT = "265953285247209472"
CASCADE = CASCADE_HEADER + (
    f"twitter15,{ROOT},false,ROOT,ROOT,0.0,39364684,{ROOT},0.0\n"
    f"twitter15,{ROOT},false,39364684,{ROOT},0.0,21061006,265953402234748928,0.45\n"
    f"twitter15,{ROOT},false,39364684,{ROOT},0.0,21061006,265953402234748928,0.45\n"
    f"twitter15,{ROOT},false,21061006,265953402234748928,0.45,77,12345,2.0\n"
    f"twitter15,{ROOT},false,39364684,{ROOT},0.0,99\n"
)


@pytest.mark.parametrize("name", ["c.csv", "c.csv.gz"])
def test_cascade_rows_map_to_posts_users_and_events(tmp_path: Path, name: str) -> None:
    reader = CascadeReader(write(tmp_path, name, CASCADE), timestamp=0)
    records = list(reader.records())
    root_ms = (int(ROOT) >> 22) + 1288834974657
    assert records[:2] == [
        UserRow("39364684", "39364684"),
        PostRow(ROOT, "39364684", root_ms, topics=("false",)),
    ]
    found = events(records)
    assert [(e.id, e.amplifier_id, e.author_id, e.post_id) for e in found] == [
        ("21061006>39364684#265953402234748928", "21061006", "39364684", ROOT),
        ("21061006>39364684#265953402234748928", "21061006", "39364684", ROOT),
        ("77>21061006#12345", "77", "21061006", ROOT),
    ]
    assert found[0].created_at == (265953402234748928 >> 22) + 1288834974657
    assert found[2].created_at == root_ms + 120_000  # not a snowflake: root time plus delay
    assert rejects(records) == [(6, "row")]
    assert reader.rows_read == 5


def test_cascade_needs_its_columns(tmp_path: Path) -> None:
    with pytest.raises(LoadError) as caught:
        list(CascadeReader(write(tmp_path, "c.csv", "a,b\n1,2\n")).records())
    assert (caught.value.line, caught.value.field) == (1, "parent_uid")


# --- sniffing ----------------------------------------------------------------------------------

SNIFF_CASES = {
    "snap": (SNAP.encode(), "snap"),
    "snap with comment": (b"# higgs\n" + SNAP.encode(), "snap"),
    "edges": (b"298960 105232 1\n95688 3393 1\n", "edgelist"),
    "edges csv header": (b"source,target,weight\na,b,2\n", "edgelist"),
    "konect": (b"% sym unweighted\n1 2 1 1341100972\n", "edgelist"),
    "pairs": (b"alice bob\ncarol dave\n", "edgelist"),
    "cascade": (CASCADE.encode(), "cascade"),
    "contract users": (b"id,handle\n1,alice\n", None),
    "ndjson": (b'{"id": 1}\n{"id": 2}\n', None),
    "graphml": (b'<?xml version="1.0"?>\n<graphml>\n</graphml>\n', None),
    "prose": (b"Hello there, world of text\n", None),
    "empty": (b"", None),
}


@pytest.mark.parametrize("case", sorted(SNIFF_CASES))
def test_sniff_claims_only_its_own_format(case: str) -> None:
    head, owner = SNIFF_CASES[case]
    readers: list[type[Reader]] = [SnapActivityReader, EdgeListReader, CascadeReader]
    claims = [r.format for r in readers if r.sniff(Path("x"), head[:1024])]
    assert claims == ([owner] if owner else [])


def test_sniff_ignores_a_line_cut_by_the_window() -> None:
    head = (b"376989 50329 1341101181 RT\n" * 40)[:1024]
    assert SnapActivityReader.sniff(Path("x"), head)
    assert not EdgeListReader.sniff(Path("x"), head)


# --- fuzzing: records and rejects, or LoadError, never another exception ------------------------

READERS: list[type[Reader]] = [SnapActivityReader, EdgeListReader, CascadeReader]
LINE_TEXT = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "1 2 10 RT",
                "a b 2",
                "a,b,1.5",
                "# c",
                "",
                "x y 0",
                f"1 2 {'9' * 400} RT",
                f"a b 1 {'9' * 400}",
                "a b 1e400",
                "a b inf 5",
                CASCADE_HEADER.strip(),
                f"t,{ROOT},x,1,2,0,3,4,inf",
                f"t,{ROOT},x,1,2,0,3,4,{'9' * 400}",
                "t,ROOT,,ROOT,ROOT,0,3,4,-1e300",
            ]
        ),
        st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40),
    ),
    max_size=12,
).map("\n".join)


def _drain(reader: Reader) -> None:
    try:
        for record in reader.records():
            assert isinstance(record, UserRow | PostRow | AmplificationRow | Reject)
        sniffed = reader.sniff(reader.path, reader.path.read_bytes()[:1024])
        assert isinstance(sniffed, bool)
    except LoadError:
        pass


@FUZZ
@given(data=st.one_of(st.binary(max_size=300), LINE_TEXT.map(str.encode)), gz=st.booleans())
def test_fuzz_line_readers_never_crash(data: bytes, gz: bool) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = write(Path(directory), "f.txt.gz" if gz else "f.txt", data)
        for reader in READERS:
            _drain(reader(path))


@st.composite
def damaged_gzips(draw: st.DrawFn) -> bytes:
    """A gzip of line-file text, then cut short, one byte changed, or bytes added after it."""
    packed = bytearray(gzip.compress(draw(LINE_TEXT).encode(), mtime=0))
    how = draw(st.sampled_from(["cut", "flip", "append"]))
    if how == "cut":
        return bytes(packed[: draw(st.integers(0, len(packed) - 1))])
    if how == "flip":
        at = draw(st.integers(0, len(packed) - 1))
        packed[at] ^= draw(st.integers(1, 255))
        return bytes(packed)
    return bytes(packed) + draw(st.binary(min_size=1, max_size=20))


def _gunzipped(data: bytes) -> bytes | None:
    """What the standard library unpacks from ``data``; None when it refuses it."""
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error):
        return None


def _outcome(reader: Reader) -> tuple[str, object]:
    """The records (rejects without their file name), or where a LoadError stopped the read."""
    try:
        found: list[object] = [
            ("reject", r.error.line, r.error.field, r.error.reason) if isinstance(r, Reject) else r
            for r in reader.records()
        ]
    except LoadError as exc:
        return "LoadError", (exc.line, exc.field)
    return "records", found


_SNAP_GZ = gzip.compress(SNAP.encode(), mtime=0)
#: The header's MTIME changed: still a whole gzip stream, with the same text.
_SNAP_GZ_NEW_TIME = _SNAP_GZ[:4] + b"\x01" + _SNAP_GZ[5:]


@FUZZ
@given(data=st.one_of(st.binary(max_size=200), damaged_gzips()))
@example(data=b"")
@example(data=_SNAP_GZ_NEW_TIME)
@example(data=_SNAP_GZ[:-1])  # the trailer cut short
@example(data=_SNAP_GZ[:-8] + b"\x00" * 8)  # a wrong CRC and length
def test_fuzz_corrupt_gzip_is_a_load_error(data: bytes) -> None:
    """A ``.gz`` that the standard library cannot unpack is a LoadError naming the file, from
    every reader; one it can unpack (an empty file, a byte flipped in the header's time) loads
    exactly what the unpacked bytes load as a plain file."""
    unpacked = _gunzipped(data)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "f.txt.gz"
        path.write_bytes(data)
        plain = Path(directory) / "f.txt"
        plain.write_bytes(unpacked or b"")
        # Lines without a time take the file's: give both files the same one.
        os.utime(plain, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns))
        for reader in READERS:
            if unpacked is None:
                with pytest.raises(LoadError) as raised:
                    list(reader(path).records())
                assert raised.value.path == str(path), reader.format
            else:
                assert _outcome(reader(path)) == _outcome(reader(plain)), reader.format


# --- the real datasets (../shared/data) --------------------------------------------------------

HIGGS_PROBE = """
import json, resource, sys
from collections import Counter
from pathlib import Path
from graph.models import AmplificationRow, UserRow
from loaders.formats.edgelist import SnapActivityReader
reader = SnapActivityReader(Path(sys.argv[1]))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
kinds, users, ids = Counter(), 0, set()
for record in reader.records():
    if type(record) is AmplificationRow:
        kinds[record.kind] += 1
    elif type(record) is UserRow:
        users += 1
    else:
        kinds["other"] += 1
growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(json.dumps({"kinds": kinds, "users": users, "rows": reader.rows_read, "kib": growth}))
"""


@pytest.mark.slow
def test_higgs_activity_counts_and_bounded_memory() -> None:
    """All 563,069 events of SOURCE.md, by kind, and 304,691 users, in one streaming pass.

    Run in a fresh interpreter so its peak resident memory measures this pass alone (tracemalloc
    would multiply the run time by six); the growth must stay far below the 14.7 MB unpacked.
    """
    path = dataset("higgs-twitter", "higgs-activity_time.txt.gz")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    done = subprocess.run(
        [sys.executable, "-c", HIGGS_PROBE, str(path)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=300,
    )
    found = json.loads(done.stdout)
    assert found["kinds"] == {"retweet": 354_930, "mention": 171_237, "reply": 36_902}
    assert sum(found["kinds"].values()) == found["rows"] == 563_069
    assert found["users"] == 304_691
    unpacked = 14_702_029
    assert found["kib"] * 1024 < unpacked / 3, found


@pytest.mark.slow
def test_higgs_retweet_edge_list() -> None:
    path = dataset("higgs-twitter", "higgs-retweet_network.edgelist.gz")
    reader = EdgeListReader(path, timestamp=1341100800000)
    kinds: Counter[str] = Counter(type(record).__name__ for record in reader.records())
    assert reader.rows_read == 328_132  # distinct pairs
    assert kinds == {"AmplificationRow": 354_930, "UserRow": 256_491}  # sum of weights


def test_congress_edges_reversed_to_amplifier_author() -> None:
    path = dataset("congress-twitter", "congress_edges_weighted.dat")
    with dataset("congress-twitter", "congress_members.csv").open(encoding="utf-8") as members:
        handles = {str(i): row["Handle"] for i, row in enumerate(csv.DictReader(members))}
    reader = EdgeListReader(path, direction="author-amplifier", handles=handles, timestamp=0)
    records = list(reader.records())
    assert len(users(records)) == 475
    assert len(events(records)) == reader.rows_read == 13_289
    assert rejects(records) == []
    amplified = Counter(handles[e.author_id] for e in events(records))
    assert amplified.most_common(2) == [("SpeakerPelosi", 210), ("GOPLeader", 157)]
    assert {u.handle for u in users(records)} == set(handles.values())


@pytest.mark.slow
def test_twitter15_16_cascades() -> None:
    path = dataset("twitter15-16-cascades", "twitter1516_cascade_edges.csv.gz")
    reader = CascadeReader(path, timestamp=0)
    kinds: Counter[str] = Counter(type(record).__name__ for record in reader.records())
    assert reader.rows_read == 987_994
    assert kinds == {"AmplificationRow": 985_686, "PostRow": 2_308, "UserRow": 677_640}
