"""The generic CSV contract (``shared/DATA_CONTRACT.md``): read and validate, row by row.

Each parser turns one raw row into a ``graph.models`` record or raises ``LoadError`` naming the
file, line and field. Nothing here touches the database.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
import zlib
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TextIO

from graph.errors import LoadError
from graph.models import AMPLIFICATION_KINDS, AmplificationRow, PostRow, UserRow
from loaders.bounded_lines import BoundedLines

TABLES: tuple[str, ...] = ("users", "posts", "amplifications")
COLUMNS: dict[str, tuple[str, ...]] = {
    "users": ("id", "handle", "name", "followers", "bio", "url", "is_brand", "platform"),
    "posts": ("id", "author_id", "created_at", "text", "hashtags", "lang", "url"),
    "amplifications": ("id", "amplifier_id", "author_id", "post_id", "kind", "created_at"),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "users": ("id", "handle"),
    "posts": ("id", "author_id", "created_at"),
    "amplifications": ("amplifier_id", "author_id", "kind", "created_at"),
}
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f", ""}
_HASHTAG = re.compile(r"#(\w+)", re.UNICODE)
_READ_ERRORS = (csv.Error, UnicodeDecodeError, OSError, EOFError, zlib.error)
_UNTERMINATED, _UNTERMINATED_FIELD = "__unterminated__", "__unterminated_field__"


def table_path(directory: Path, table: str) -> Path | None:
    """``table.csv`` or ``table.csv.gz`` in ``directory``, if present."""
    for name in (f"{table}.csv", f"{table}.csv.gz"):
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None


def open_text(path: Path) -> TextIO:
    """Open a UTF-8 (optionally gzipped) text file for the csv module."""
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def read_rows(
    path: Path, table: str, *, open_text: Callable[[Path], TextIO] = open_text
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line, row)`` with the line where each record starts; check the header first.

    A quote never closed ends the file with a row that the parsers reject (``unterminated
    quote``, naming the field where it opened), not with the rest of the file as one value.

    Lines and records longer than ``loaders.bounded_lines.MAX_LINE_CHARS`` end the file with a
    ``LoadError`` (field ``line`` or ``row``) before they are held in memory.
    """
    with open_text(path) as handle:
        lines = BoundedLines(handle, path, records=True)
        reader = csv.reader(lines)
        try:
            header = next(reader)
        except StopIteration:
            raise LoadError(str(path), 1, "header", "the file is empty") from None
        except _READ_ERRORS as exc:
            raise LoadError(str(path), 1, "header", str(exc)) from exc
        header = [name.strip() for name in header]
        for column in REQUIRED[table]:
            if column not in header:
                raise LoadError(str(path), 1, column, "required column is missing")
        start = reader.line_num + 1
        while True:
            lines.new_record()
            try:
                values = next(reader)
            except StopIteration:
                return
            except _READ_ERRORS as exc:
                raise LoadError(str(path), start, "row", str(exc)) from exc
            line, start = start, reader.line_num + 1
            unterminated = lines.unterminated(header)
            if unterminated is not None:  # the file ended inside a quote: this is not a row
                field, reason = unterminated
                yield line, {_UNTERMINATED: reason, _UNTERMINATED_FIELD: field}
                return
            if not values or values == [""]:
                continue
            row = dict(zip(header, (value.strip() for value in values), strict=False))
            if len(values) > len(header):
                row["__extra__"] = "1"
            yield line, row


def unknown_columns(path: Path, table: str) -> list[str]:
    """Columns in the header that the contract does not define (ignored with a notice)."""
    try:
        with open_text(path) as handle:
            header = next(csv.reader(BoundedLines(handle, path, records=True)), [])
    except _READ_ERRORS as exc:
        raise LoadError(str(path), 1, "header", str(exc)) from exc
    return [name for name in (column.strip() for column in header) if name not in COLUMNS[table]]


def parse_timestamp(value: str) -> int:
    """ISO-8601 with a zone -> epoch milliseconds.

    >>> parse_timestamp("2026-10-03T14:05:00Z")
    1791036300000
    """
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("timestamp has no time zone")
    return int(moment.timestamp() * 1000)


class _Row:
    """Field access that raises ``LoadError`` with the file and line."""

    def __init__(self, path: Path, line: int, raw: dict[str, str]) -> None:
        self.path, self.line, self.raw = str(path), line, raw
        if _UNTERMINATED in raw:
            raise self.error(raw[_UNTERMINATED_FIELD], raw[_UNTERMINATED])
        if "__extra__" in raw:
            raise self.error("row", "more values than header columns")

    def error(self, field: str, reason: str) -> LoadError:
        return LoadError(self.path, self.line, field, reason)

    def required(self, field: str) -> str:
        value = self.raw.get(field, "")
        if not value:
            raise self.error(field, "required value is missing")
        return value

    def optional(self, field: str) -> str:
        return self.raw.get(field) or ""

    def timestamp(self, field: str) -> int:
        value = self.required(field)
        try:
            return parse_timestamp(value)
        except ValueError:
            raise self.error(field, f"not an ISO-8601 timestamp with a zone: {value!r}") from None


def parse_user(path: Path, line: int, raw: dict[str, str]) -> UserRow:
    row = _Row(path, line, raw)
    followers_text = row.optional("followers")
    followers: int | None = None
    if followers_text:
        try:
            followers = int(followers_text)
        except ValueError:
            raise row.error("followers", f"not an integer: {followers_text!r}") from None
        if followers < 0:
            raise row.error("followers", "must be >= 0")
    brand_text = row.optional("is_brand").lower()
    if brand_text not in _TRUE | _FALSE:
        raise row.error("is_brand", f"expected true or false, got {brand_text!r}")
    handle = row.required("handle").lstrip("@")
    if not handle:
        raise row.error("handle", "required value is missing")
    return UserRow(
        id=row.required("id"),
        handle=handle,
        name=row.optional("name"),
        followers=followers,
        bio=row.optional("bio"),
        url=row.optional("url"),
        is_brand=brand_text in _TRUE,
        platform=(row.optional("platform") or "twitter").lower(),
    )


def topics_of(hashtags: str, text: str) -> tuple[str, ...]:
    """Lower-cased topics from the ``hashtags`` column, else from ``#tags`` in the text.

    >>> topics_of("Vegan; #TrailRunning;vegan", "")
    ('vegan', 'trailrunning')
    >>> topics_of("", "Loving #Vegan food #vegan")
    ('vegan',)
    """
    found = [tag.strip().lstrip("#").strip() for tag in hashtags.split(";")] if hashtags else []
    if not hashtags:
        found = _HASHTAG.findall(text)
    return tuple(dict.fromkeys(tag.lower() for tag in found if tag))


def parse_post(path: Path, line: int, raw: dict[str, str]) -> PostRow:
    row = _Row(path, line, raw)
    text = row.optional("text")
    return PostRow(
        id=row.required("id"),
        author_id=row.required("author_id"),
        created_at=row.timestamp("created_at"),
        text=text,
        topics=topics_of(row.optional("hashtags"), text),
        lang=row.optional("lang"),
        url=row.optional("url"),
    )


def derived_id(*parts: str) -> str:
    """A stable id from a row's content, so reloading never duplicates."""
    digest = hashlib.sha1("\x1f".join(parts).encode(), usedforsecurity=False).hexdigest()
    return f"h{digest[:24]}"


def parse_amplification(path: Path, line: int, raw: dict[str, str]) -> AmplificationRow:
    row = _Row(path, line, raw)
    kind = row.required("kind").lower()
    if kind not in AMPLIFICATION_KINDS:
        raise row.error(
            "kind", f"unknown kind {kind!r}; expected one of {', '.join(AMPLIFICATION_KINDS)}"
        )
    amplifier, author = row.required("amplifier_id"), row.required("author_id")
    created_at = row.timestamp("created_at")
    post_id = row.optional("post_id")
    event_id = row.optional("id") or derived_id(amplifier, author, post_id, kind, str(created_at))
    return AmplificationRow(
        id=event_id,
        amplifier_id=amplifier,
        author_id=author,
        kind=kind,
        created_at=created_at,
        post_id=post_id,
    )
