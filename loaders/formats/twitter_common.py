"""What the Twitter readers share: JSON values read lazily, fields checked, times in epoch ms.

A file is JSON lines (one value per line, streamed) unless its first non-blank line is a lone
``{`` or ``[``: then it is a pretty-printed document (or several concatenated, as ``jq .``
writes them) and each is parsed whole once read, up to ``MAX_DOCUMENT_BYTES``. A value that
cannot be used becomes a ``Reject`` naming the physical line; for a document, the line where the
document starts.
"""

from __future__ import annotations

import codecs
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, BinaryIO

from graph.errors import LoadError
from loaders.bounded_lines import BoundedLines, describe
from loaders.records import Reader, Reject

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_V1_TIME = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?P<month>[A-Z][a-z]{2}) (?P<day>\d{2}) "
    r"(?P<h>\d{2}):(?P<m>\d{2}):(?P<s>\d{2}) (?P<sign>[+-])(?P<oh>\d{2})(?P<om>\d{2}) (?P<y>\d{4})"
)
_BLANK = re.compile(r"[ \t\r\n]*")
_SURROGATE = re.compile("[\ud800-\udfff]")
_READ_ERRORS = (OSError, EOFError, zlib.error)
#: The most bytes (decompressed) one pretty-printed document may have; JSON lines have no
#: such cap, only ``loaders.bounded_lines.MAX_LINE_CHARS`` per line.
MAX_DOCUMENT_BYTES = 256 * 1024 * 1024
#: Where a post can be seen; the ``i/web`` form needs no handle.
POST_URL = "https://twitter.com/i/web/status/{}"


class Problem(Exception):
    """One field of one value cannot be used; becomes a ``Reject`` with the line."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Entry:
    """One parsed JSON value and the physical line where it starts."""

    line: int
    value: Any


def json_values(reader: Reader) -> Iterator[Entry | Reject]:
    """The file's JSON values in order, bumping ``reader.rows_read`` once per line or document.

    A line over ``MAX_LINE_CHARS`` bytes, or a document over ``MAX_DOCUMENT_BYTES``, ends the
    file with a ``LoadError`` before it is held in memory.
    """
    line, first = 0, True
    stream = reader.open_binary()
    wrapped = getattr(stream, "fileobj", None)  # a GzipFile leaves the file it reads open
    lines = BoundedLines(stream, reader.path)
    try:
        for raw in lines:
            line = lines.line
            if line == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            data = raw.strip()
            if not data:
                continue
            reader.rows_read += 1
            if first and data in (b"{", b"["):
                yield from _documents(reader, stream, line, raw)
                return
            first = False
            yield _parse(reader, line, data)
    except _READ_ERRORS as exc:
        raise LoadError(str(reader.path), line + 1, "file", f"cannot read: {exc}") from None
    finally:
        stream.close()
        if wrapped is not None:
            wrapped.close()


def _parse(reader: Reader, line: int, data: bytes) -> Entry | Reject:
    try:
        return Entry(line, json.loads(data.decode("utf-8")))
    except UnicodeDecodeError as exc:
        return reader.reject(line, "line", f"not UTF-8 text: {exc.reason} at byte {exc.start}")
    except json.JSONDecodeError as exc:
        return reader.reject(line, "line", f"invalid JSON: {exc.msg} at column {exc.colno}")
    except (ValueError, RecursionError) as exc:
        return reader.reject(line, "line", f"invalid JSON: {exc}")


def _documents(
    reader: Reader, stream: BinaryIO, first: int, head: bytes
) -> Iterator[Entry | Reject]:
    """Concatenated pretty-printed documents, each yielded once it has been read whole.

    Text read but not parsed yet is at most ``MAX_DOCUMENT_BYTES`` (and a chunk). A document
    that is not complete yet is parsed again only once the text has doubled, so each is decoded
    a bounded number of times. The first document is counted already in ``rows_read``.
    """
    limit, chunk = MAX_DOCUMENT_BYTES, 1 << 20
    utf8 = codecs.getincrementaldecoder("utf-8")()
    decoder = json.JSONDecoder()
    text, line = "", first  # read and not parsed yet; the line where it starts
    more: list[str] = []  # read after ``text``, not joined to it yet
    size, waiting, counted = 0, 0, True  # len(text) + len(more); the size to parse again at
    data, ended = head, False
    while True:
        try:
            piece = utf8.decode(data, final=ended)
        except UnicodeDecodeError as exc:
            line += "".join([text, *more]).count("\n") + data.count(b"\n", 0, exc.start)
            reason = f"not UTF-8 text: {exc.reason} at byte {exc.start}"
            yield reader.reject(line, "document", reason)
            return
        more.append(piece)
        size += len(piece)
        if size >= waiting or size > limit or ended:
            text, at = "".join([text, *more]), 0
            more.clear()
            while True:
                start = _BLANK.match(text, at).end()  # type: ignore[union-attr]
                line += text.count("\n", at, start)
                if start == len(text):
                    text, waiting = "", 0
                    break
                if not counted:
                    reader.rows_read, counted = reader.rows_read + 1, True
                try:
                    value, end = decoder.raw_decode(text, start)
                except json.JSONDecodeError as exc:
                    if ended:  # the line of the error; at the end of the file, its last line
                        where = line + text.count("\n", start, min(exc.pos, len(text.rstrip())))
                        yield reader.reject(where, "document", f"invalid JSON: {exc.msg}")
                        return
                    text = text[start:]
                except (ValueError, RecursionError) as exc:
                    yield reader.reject(line, "document", f"invalid JSON: {exc}")
                    return
                else:
                    if end < len(text) or ended:  # a number at the very end may go on
                        yield Entry(line, value)
                        line, at, counted = line + text.count("\n", start, end), end, False
                        continue
                    text = text[start:]
                waiting = 2 * len(text)  # not complete yet: read on until the text has doubled
                break
            size = len(text)
        if ended:
            return
        if size > limit:
            reason = (
                f"a JSON document over {describe(limit)} (decompressed); write it as JSON lines, "
                "one value per line (jq -c), to load it"
            )
            raise LoadError(str(reader.path), line, "document", reason)
        data = stream.read(chunk)
        ended = not data


def clean(text: str) -> str:
    r"""``text`` with lone UTF-16 surrogates (old truncated tweets) replaced by U+FFFD.

    >>> clean("ok \ud83d") == "ok \ufffd"
    True
    """
    return _SURROGATE.sub("\ufffd", text)


def as_dict(value: object) -> dict[str, Any]:
    """``value`` when it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[Any]:
    """``value`` when it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


def text_of(value: object) -> str:
    """An optional text field: a string, or empty."""
    return clean(value) if isinstance(value, str) else ""


def identifier(value: object) -> str | None:
    """A non-empty id as a string (an integer is written out exactly), else ``None``."""
    if isinstance(value, str) and value.strip():
        return clean(value.strip())
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def required_id(obj: dict[str, Any], key: str, where: str) -> str:
    value = obj.get(key)
    found = identifier(value)
    if found is None:
        reason = "required value is missing" if value in (None, "") else f"not an id: {value!r:.40}"
        raise Problem(where + key, reason)
    return found


def count(value: object) -> int | None:
    """A follower count: an integer >= 0, else ``None``."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def topics(entities: dict[str, Any], key: str) -> tuple[str, ...]:
    """Lower-cased hashtags from ``entities.hashtags[].<key>``, first occurrence first."""
    tags = (
        text_of(as_dict(tag).get(key)).lstrip("#").lower()
        for tag in as_list(entities.get("hashtags"))
    )
    return tuple(dict.fromkeys(tag for tag in tags if tag))


def profile_url(user: dict[str, Any]) -> str:
    """A user's own link, expanded from ``t.co`` when the entities say how."""
    for link in as_list(as_dict(as_dict(user.get("entities")).get("url")).get("urls")):
        expanded = text_of(as_dict(link).get("expanded_url"))
        if expanded:
            return expanded
    return text_of(user.get("url"))


def iso_millis(value: str) -> int:
    """ISO-8601 with a zone (API v2) -> epoch milliseconds.

    >>> iso_millis("2022-10-10T20:19:24.123Z")
    1665433164123
    """
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("no time zone")
    return (moment - _EPOCH) // _MILLISECOND


def v1_millis(value: str) -> int:
    """The v1.1 ``created_at`` (``Wed Oct 10 20:19:24 +0000 2018``) -> epoch milliseconds.

    >>> v1_millis("Wed Oct 10 20:19:24 +0000 2018")
    1539202764000
    """
    match = _V1_TIME.fullmatch(value)
    if match is None or match["month"] not in _MONTHS:
        raise ValueError("not a v1.1 timestamp")
    offset = timedelta(hours=int(match["oh"]), minutes=int(match["om"]))
    zone = timezone(-offset if match["sign"] == "-" else offset)
    moment = datetime(
        int(match["y"]), _MONTHS.index(match["month"]) + 1, int(match["day"]),
        int(match["h"]), int(match["m"]), int(match["s"]), tzinfo=zone,
    )  # fmt: skip
    return (moment - _EPOCH) // _MILLISECOND


def looks_v1_time(value: object) -> bool:
    return isinstance(value, str) and _V1_TIME.fullmatch(value) is not None


def head_object(head: bytes) -> dict[str, Any] | None:
    """The first JSON object in ``head``, as far as the truncated text goes, or ``None``.

    The first element of a top-level array counts. A string cut short is kept as far as it
    goes, a key cut short is dropped, and anything that is not JSON gives ``None``.

    >>> head_object(b'{"data": [{"id": "1", "text": "hel')
    {'data': [{'id': '1', 'text': 'hel'}]}
    >>> head_object(b"id,handle,name") is None
    True
    """
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
    if not text.startswith(("{", "[")):
        return None
    try:
        value = _Prefix(text).value(0)
    except (ValueError, RecursionError):
        return None
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, dict) else None


_STRING = re.compile(r'"((?:[^"\\]|\\.)*)("?)', re.DOTALL)
_SCALAR = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null")
_SCALARS = {"true": True, "false": False, "null": None}


class _Prefix:
    """A JSON parser that stops quietly where the text ends (``ended``)."""

    def __init__(self, text: str) -> None:
        self.text, self.at, self.ended = text, 0, False

    def _next(self) -> str:
        while self.at < len(self.text) and self.text[self.at] in " \t\r\n":
            self.at += 1
        if self.at == len(self.text):
            self.ended = True
            return ""
        return self.text[self.at]

    def value(self, depth: int) -> Any:
        if depth > 64:
            raise ValueError("too deep")
        char = self._next()
        if self.ended:
            return None
        if char in "{[":
            return self._container(char, depth)
        if char == '"':
            return self._string()
        match = _SCALAR.match(self.text, self.at)
        if match is None:
            raise ValueError(f"unexpected {char!r}")
        self.at = match.end()
        self.ended = self.at == len(self.text)
        token = match.group()
        return _SCALARS[token] if token in _SCALARS else json.loads(token)

    def _string(self) -> str:
        match = _STRING.match(self.text, self.at)
        assert match is not None  # the pattern matches any text that starts with a quote
        self.at = match.end()
        if not match.group(2):
            self.ended = True
            return match.group(1)
        return str(json.loads(match.group()))

    def _container(self, opening: str, depth: int) -> Any:
        self.at += 1
        result: Any = {} if opening == "{" else []
        closing = "}" if opening == "{" else "]"
        while True:
            char = self._next()
            if self.ended:
                return result
            if char == closing:
                self.at += 1
                return result
            if result:
                if char != ",":
                    raise ValueError(f"expected ',' not {char!r}")
                self.at += 1
            if opening == "[":
                result.append(self.value(depth + 1))
                if self.ended:
                    return result
                continue
            if self._next() != '"':
                if self.ended:
                    return result
                raise ValueError("expected a key")
            key = self._string()
            if self.ended or self._next() != ":":
                if self.ended:
                    return result
                raise ValueError("expected ':'")
            self.at += 1
            result[key] = self.value(depth + 1)
            if self.ended:
                return result
