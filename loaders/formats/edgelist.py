"""Line-oriented graph files: SNAP activity lists, plain edge lists and cascade-tree CSVs.

Sniffing order: a file whose lines are ``a b ts RT|MT|RE`` is SNAP activity, never an edge list
(``EdgeListReader.sniff`` refuses a fourth column that is not an integer time), so
``SnapActivityReader`` takes precedence. Every reader emits each user once, just before the first
event that names it; the seen ids live in ``SeenIds`` (a bitmap for small decimal ids, a set for
the rest: fine for millions of users, the one thing here that grows with the file).

>>> events_for_weight("2.5", cap=1000)
3
"""

from __future__ import annotations

import csv
import math
import zlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import ClassVar, Literal, NamedTuple

from graph.errors import LoadError
from graph.models import AMPLIFICATION_KINDS, AmplificationRow, PostRow, UserRow
from loaders.bounded_lines import BoundedLines
from loaders.records import Reader, Record

Direction = Literal["amplifier-author", "author-amplifier"]
DIRECTIONS: tuple[str, ...] = ("amplifier-author", "author-amplifier")
READ_ERRORS = (OSError, EOFError, zlib.error, UnicodeDecodeError, csv.Error)
MAX_MS = 253_402_300_799_999  # 9999-12-31T23:59:59.999Z
MAX_LINE = 1 << 20  # longer lines are rejected, not held
UNREADABLE = "not UTF-8 text, or a line over 1 MiB"
_BITMAP_IDS = 1 << 24  # decimal ids below this sit in a bitmap (at most 2 MiB)
_HEADER_NAMES = {"source", "target", "src", "dst", "from", "to", "weight", "amplifier", "author"}
_HEADER_NAMES |= {"amplifier_id", "author_id", "usera", "userb", "node1", "node2", "id1", "id2"}
_HEADER_NAMES |= {"timestamp", "time", "count"}
_CONTRACT_NAMES = {"id", "handle", "name", "kind", "created_at", "post_id", "text", "followers"}


class SeenIds:
    """Ids already emitted: canonical decimal ids below 2**24 in a bitmap, others in a set."""

    def __init__(self) -> None:
        self._bits = bytearray()
        self._others: set[str] = set()

    def add(self, key: str) -> bool:
        """Remember ``key``; True when it is new."""
        if key.isascii() and key.isdigit() and (key[0] != "0" or key == "0") and len(key) < 9:
            number = int(key)
            if number < _BITMAP_IDS:
                byte, bit = number >> 3, 1 << (number & 7)
                if byte >= len(self._bits):
                    self._bits.extend(bytes(max(byte + 1 - len(self._bits), len(self._bits))))
                if self._bits[byte] & bit:
                    return False
                self._bits[byte] |= bit
                return True
        if key in self._others:
            return False
        self._others.add(key)
        return True


def check_options(direction: str, kind: str, cap: int = 1) -> None:
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}, not {direction!r}")
    if kind not in AMPLIFICATION_KINDS:
        raise ValueError(f"kind must be one of {AMPLIFICATION_KINDS}, not {kind!r}")
    if cap < 1:
        raise ValueError("max_events_per_edge must be >= 1")


def default_timestamp(path: Path) -> int:
    """The file's modification time in epoch ms: the latest moment its events can date from."""
    try:
        return int(path.stat().st_mtime * 1000)
    except OSError:
        return 0


def events_for_weight(text: str, *, cap: int) -> int:
    """Events an edge of weight ``text`` stands for: rounded up, at least 1, at most ``cap``."""
    weight = float(text)
    if not math.isfinite(weight) or weight <= 0:
        raise ValueError(f"weight must be a finite number > 0, got {text!r}")
    return min(cap, math.ceil(weight))


def checked_ms(value: int) -> int:
    """``value`` (epoch ms) when it lies within the years 1970-9999, else ValueError."""
    if not 0 <= value <= MAX_MS:
        raise ValueError("time is outside the years 1970-9999")
    return value


def epoch_ms(number: float) -> int:
    """Unix seconds (magnitude below 10**11, i.e. before 5138) or milliseconds -> epoch ms.

    >>> epoch_ms(1341100972), epoch_ms(1341100972000), epoch_ms(1.5)
    (1341100972000, 1341100972000, 1500)
    """
    try:
        value = round(number * 1000) if abs(number) < 1e11 else int(number)
    except (OverflowError, ValueError):
        raise ValueError("time is not a finite number") from None
    return checked_ms(value)


def _decoded(block: bytes) -> Sequence[str | None]:
    try:
        return block.decode("utf-8").replace("\r\n", "\n").split("\n")[:-1]
    except UnicodeDecodeError:
        lines: list[str | None] = []
        for raw in block.split(b"\n")[:-1]:
            try:
                lines.append(raw.decode("utf-8").rstrip("\r"))
            except UnicodeDecodeError:
                lines.append(None)
        return lines


def numbered_lines(reader: Reader) -> Iterator[tuple[int, str | None]]:
    """``(line, text)`` without the line ending; None for a line that is not UTF-8 or over 1 MiB.

    Reads 128 KiB blocks and decodes each at once (per-line ``readline`` costs twice as much);
    memory stays bounded even when the file has no line breaks at all.
    """
    line, pending, overlong = 0, bytearray(), False
    try:
        with reader.open_binary() as stream:
            while block := stream.read(1 << 17):
                cut = block.rfind(b"\n") + 1
                if not cut:
                    overlong = overlong or len(pending) + len(block) > MAX_LINE
                    pending = bytearray() if overlong else pending + block
                    continue
                if overlong:
                    line, overlong, pending = line + 1, False, bytearray()
                    yield line, None
                    block, cut = block[block.index(b"\n") + 1 :], cut - block.index(b"\n") - 1
                data = bytes(pending + block[:cut]) if pending else block[:cut]
                lines = _decoded(data.removeprefix(b"\xef\xbb\xbf") if line == 0 else data)
                yield from enumerate(lines, line + 1)
                line, pending = line + len(lines), bytearray(block[cut:])
            if overlong:
                yield line + 1, None
            elif pending:
                data = bytes(pending) + b"\n"
                lines = _decoded(data.removeprefix(b"\xef\xbb\xbf") if line == 0 else data)
                yield from enumerate(lines, line + 1)
    except READ_ERRORS as exc:
        raise LoadError(str(reader.path), line + 1, "file", f"cannot read: {exc}") from exc


def split_fields(text: str) -> list[str]:
    """Split on tabs, else commas (quotes stripped), else runs of whitespace."""
    if "\t" in text:
        return [field.strip() for field in text.strip().split("\t")]
    if "," in text:
        return [field.strip().strip('"').strip() for field in text.split(",")]
    return text.split()


def _data_lines(head: bytes, comments: str) -> list[str]:
    text = head.decode("utf-8", errors="replace")
    lines = text.splitlines()
    if len(head) >= 1024 and not text.endswith(("\n", "\r")):
        lines = lines[:-1]  # cut off by the sniff window
    return [line for line in lines if line.strip() and line.strip()[0] not in comments]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


class SnapActivityReader(Reader):
    """SNAP activity lists, ``userA userB unix_seconds RT|MT|RE``: A amplified B (Higgs).

    RT -> retweet, MT -> mention, RE -> reply. Users get ``id = handle =`` the id as written.
    Event ids are ``f"{a}>{b}@{seconds}:{kind}"``: identical lines are the same event, so they
    carry the same id and the store keeps one (no per-event memory here). Blank lines and ``#``
    comments are skipped; every other line counts in ``rows_read``.
    """

    format: ClassVar[str] = "snap"
    KINDS: ClassVar[dict[str, str]] = {"RT": "retweet", "MT": "mention", "RE": "reply"}

    def records(self) -> Iterator[Record]:
        seen = SeenIds()
        for line, text in numbered_lines(self):
            fields = text.split() if text is not None else ["?"]
            if not fields or fields[0].startswith("#"):
                continue
            self.rows_read, self.line = self.rows_read + 1, line
            if text is None or len(fields) != 4:
                reason = "expected 4 fields: userA userB unix_ts RT|MT|RE"
                yield self.reject(line, "row", UNREADABLE if text is None else reason)
                continue
            amplifier, author, seconds, code = fields
            kind = self.KINDS.get(code.upper())
            if kind is None:
                yield self.reject(
                    line, "kind", f"unknown type {code[:40]!r}; expected RT, MT or RE"
                )
                continue
            try:
                created_at = checked_ms(int(seconds) * 1000)
            except ValueError:
                yield self.reject(
                    line, "timestamp", f"not a unix time in seconds: {seconds[:40]!r}"
                )
                continue
            for user in (amplifier, author):
                if seen.add(user):
                    yield UserRow(user, user)
            event_id = f"{amplifier}>{author}@{created_at // 1000}:{kind}"
            yield AmplificationRow(event_id, amplifier, author, kind, created_at)

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        lines = [line.split() for line in _data_lines(head, "#")]
        return bool(lines) and all(
            len(f) == 4 and f[3] in cls.KINDS and f[2].lstrip("-").isdigit() for f in lines
        )


class _Layout(NamedTuple):
    """Where an edge list keeps its values, and how many fields a row may have."""

    source: int = 0
    target: int = 1
    weight: int | None = 2
    time: int | None = 3
    least: int = 2
    most: int = 4


def _layout(fields: list[str]) -> _Layout | None:
    """The columns a header line names, or None when ``fields`` is data.

    >>> _layout(["Source", "Target", "Type", "Weight"])
    _Layout(source=0, target=1, weight=3, time=None, least=2, most=4)
    >>> _layout(["1", "2", "3"]) is None
    True
    """
    names = [name.lower() for name in fields]
    known = sum(name in _HEADER_NAMES for name in names)
    if known < 2 and (len(names) < 3 or _is_number(names[2])):
        return None
    if known < 2:
        return _Layout(most=len(names))

    def find(*candidates: str) -> int | None:
        return next((i for i, name in enumerate(names) if name in candidates), None)

    source = find("source", "src", "from", "amplifier", "amplifier_id", "usera", "node1", "id1")
    target = find("target", "dst", "to", "author", "author_id", "userb", "node2", "id2")
    weight, time = find("weight", "count"), find("timestamp", "time")
    return _Layout(
        0 if source is None else source,
        1 if target is None else target,
        weight,
        time,
        least=max(source or 0, 1 if target is None else target) + 1,
        most=len(names),
    )


class EdgeListReader(Reader):
    """``src dst [weight [unix_time]]`` lines: whitespace, tab or comma separated.

    ``#`` and ``%`` lines are comments. A first line that names two known columns (``source``,
    ``target``, ``weight``, ...) or whose third field is not a number is a header and is skipped;
    known names then pick the columns, so Gephi edge tables (``Source,Target,Type,Weight``)
    read too. ``direction`` says which way the file's edges run (Congress:
    ``"author-amplifier"``). An edge of weight w stands for ``ceil(w)`` events, at most
    ``max_events_per_edge`` (Congress probabilities become one event each); a weight <= 0 is
    rejected. Event ids are ``f"{amplifier}>{author}#{k}"`` with k from 0, or
    ``f"{amplifier}>{author}@{time}#{k}"`` when a time column is present (KONECT): a pair
    listed twice repeats its ids and the store keeps one copy. Events are stamped with the time
    column, else ``timestamp`` (epoch ms), else the file's modification time. ``handles`` maps
    node ids to screen names (users default to ``handle = id``).
    """

    format: ClassVar[str] = "edgelist"

    def __init__(
        self,
        path: Path,
        *,
        direction: Direction = "amplifier-author",
        kind: str = "retweet",
        timestamp: int | None = None,
        max_events_per_edge: int = 1000,
        handles: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(path)
        check_options(direction, kind, max_events_per_edge)
        self.direction, self.kind, self.max_events_per_edge = direction, kind, max_events_per_edge
        self.timestamp = default_timestamp(self.path) if timestamp is None else timestamp
        self.handles: Mapping[str, str] = handles or {}
        #: edges whose weight asked for more than ``max_events_per_edge`` events
        self.capped_edges = 0

    def records(self) -> Iterator[Record]:
        seen = SeenIds()
        layout: _Layout | None = None
        for line, text in numbered_lines(self):
            stripped = text.strip() if text is not None else "?"
            if not stripped or stripped[0] in "#%":
                continue
            fields = split_fields(stripped)
            if layout is None:
                layout = _layout(fields) if text is not None else None
                if layout is not None:
                    continue
                layout = _Layout()
            self.rows_read, self.line = self.rows_read + 1, line
            if text is None or not layout.least <= len(fields) <= layout.most:
                reason = f"expected {layout.least}-{layout.most} fields"
                yield self.reject(line, "row", UNREADABLE if text is None else reason)
                continue
            yield from self._edge(line, seen, fields, layout)

    def _edge(self, line: int, seen: SeenIds, fields: list[str], at: _Layout) -> Iterator[Record]:
        source, target = fields[at.source], fields[at.target]
        weight = fields[at.weight] if at.weight is not None and at.weight < len(fields) else ""
        stamp = fields[at.time] if at.time is not None and at.time < len(fields) else ""
        if not source or not target:
            yield self.reject(line, "source" if not source else "target", "empty node id")
            return
        try:
            events = events_for_weight(weight or "1", cap=self.max_events_per_edge)
        except ValueError:
            yield self.reject(line, "weight", f"not a number > 0: {weight[:40]!r}")
            return
        created_at, tag = self.timestamp, ""
        if stamp:
            try:
                number = int(stamp)
                created_at, tag = epoch_ms(number), f"@{number}"
            except ValueError:
                yield self.reject(line, "timestamp", f"not a unix time: {stamp[:40]!r}")
                return
        if events == self.max_events_per_edge and float(weight or 1) > events:
            self.capped_edges += 1
        amplifier, author = (source, target)
        if self.direction == "author-amplifier":
            amplifier, author = target, source
        for user in (amplifier, author):
            if seen.add(user):
                yield UserRow(id=user, handle=self.handles.get(user, user))
        for k in range(events):
            event_id = f"{amplifier}>{author}{tag}#{k}"
            yield AmplificationRow(event_id, amplifier, author, self.kind, created_at)

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        lines = [split_fields(line) for line in _data_lines(head, "#%")]
        if lines and any(name.lower() in _CONTRACT_NAMES for name in lines[0]):
            return False
        if lines and _layout(lines[0]) is not None:
            lines = lines[1:]
        return bool(lines) and all(_plain_edge(fields) for fields in lines)


def _plain_edge(fields: list[str]) -> bool:
    if not 2 <= len(fields) <= 4 or any(set(f) & set('{}[]<>" \ufffd\x00') for f in fields):
        return False
    if len(fields) >= 3 and not _is_number(fields[2]):
        return False
    return len(fields) < 4 or (fields[3].isascii() and fields[3].isdigit())


def snowflake_ms(tweet_id: str) -> int | None:
    """When a tweet was posted, decoded from its snowflake id (ids after November 2010).

    >>> snowflake_ms("265953285247209472")
    1352243179033
    """
    if not (tweet_id.isascii() and tweet_id.isdigit()) or int(tweet_id) < 1 << 42:
        return None
    try:
        return checked_ms((int(tweet_id) >> 22) + 1_288_834_974_657)
    except ValueError:
        return None


class CascadeReader(Reader):
    """Propagation-tree CSVs (Twitter15/16): one ``parent -> child`` edge per row, with a header.

    Required columns ``parent_uid``, ``child_uid``, ``child_tweet_id``; optional
    ``cascade_root_tweet_id``, ``label``, ``child_delay_min``. The child retweeted or replied to
    the parent, so it is the amplifier: ``AmplificationRow(f"{child}>{parent}#{child_tweet_id}",
    child, parent, kind, post_id=root tweet)``. A ``ROOT`` parent marks the source tweet: a
    ``PostRow`` by the child whose topic is the cascade's ``label`` (true/false/unverified/
    non-rumor), no event. Times come from the tweet ids (snowflakes), else root time plus
    ``child_delay_min``, else ``timestamp`` (default: the file's modification time). Rows
    repeated in the file, and roots present in both datasets, repeat their ids.
    """

    format: ClassVar[str] = "cascade"
    REQUIRED: ClassVar[tuple[str, ...]] = ("parent_uid", "child_uid", "child_tweet_id")
    COLUMNS: ClassVar[tuple[str, ...]] = (
        *REQUIRED,
        "cascade_root_tweet_id",
        "label",
        "child_delay_min",
    )

    def __init__(self, path: Path, *, kind: str = "retweet", timestamp: int | None = None) -> None:
        super().__init__(path)
        check_options("amplifier-author", kind)
        self.kind = kind
        self.timestamp = default_timestamp(self.path) if timestamp is None else timestamp

    def records(self) -> Iterator[Record]:
        seen = SeenIds()
        line = 0
        try:
            with self.open_text() as handle:
                lines = BoundedLines(handle, self.path, records=True)
                rows = csv.reader(lines)
                header = [name.strip() for name in next(rows, [])]
                line = rows.line_num
                lines.new_record()
                for name in self.REQUIRED:
                    if name not in header:
                        raise LoadError(str(self.path), 1, name, "required column is missing")
                at = [header.index(n) if n in header else None for n in self.COLUMNS]
                for values in rows:
                    line, start = rows.line_num, line + 1
                    unterminated = lines.unterminated(header)
                    if unterminated is not None:  # the file ended inside a quote
                        self.rows_read += 1
                        yield self.reject(start, *unterminated)
                        break
                    lines.new_record()
                    if not values or values == [""]:
                        continue
                    self.rows_read, self.line = self.rows_read + 1, start
                    if len(values) != len(header):
                        yield self.reject(start, "row", f"expected {len(header)} values")
                        continue
                    fields = [values[i] if i is not None else "" for i in at]
                    yield from self._row(start, seen, *fields)
        except READ_ERRORS as exc:
            raise LoadError(str(self.path), line + 1, "file", f"cannot read: {exc}") from exc

    def _row(
        self, line: int, seen: SeenIds, parent: str, child: str, tweet: str, *rest: str
    ) -> Iterator[Record]:
        root, label, delay = rest
        if not child or not tweet:
            yield self.reject(line, "child_uid" if not child else "child_tweet_id", "empty")
            return
        created_at = snowflake_ms(tweet)
        if created_at is None:
            try:
                minutes = float(delay or "nan") * 60_000
                created_at = checked_ms(int((snowflake_ms(root) or self.timestamp) + minutes))
            except (ValueError, OverflowError):
                created_at = self.timestamp
        if seen.add(child):
            yield UserRow(child, child)
        if parent in ("ROOT", ""):
            label = label.strip().lower()
            yield PostRow(tweet, child, created_at, topics=(label,) if label else ())
            return
        if seen.add(parent):
            yield UserRow(parent, parent)
        event_id = f"{child}>{parent}#{tweet}"
        yield AmplificationRow(event_id, child, parent, self.kind, created_at, post_id=root)

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        first = head.decode("utf-8", errors="replace").lstrip("\ufeff").partition("\n")[0]
        names = {name.strip() for name in first.split(",")}
        return all(name in names for name in cls.REQUIRED)
