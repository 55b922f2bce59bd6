"""Physical lines read with a bound, so no input line, however long, is ever held whole.

A compressed upload is small on the wire but can hold gigabytes without a line break; a reader
that pulls "the next line" would hold all of it. ``BoundedLines`` reads each line with
``readline(limit + 1)`` and ends the file with a ``LoadError`` naming the line as soon as one
runs past the limit: what follows cannot be resynchronised (a CSV quote may be open), so the
rows loaded before it are kept and the rest of the file is not read. For CSV, whose quoted
fields may span lines, ``records=True`` also bounds a whole record: the caller calls
``new_record()`` before each one. A quote that is never closed would make the csv module
return everything after it as one value of the file's last record; with ``records=True`` the
quotes of the current record are followed, and when the file ends inside a quoted value
``unterminated()`` names the record's field, so the reader rejects that record instead.

>>> import io
>>> list(BoundedLines(io.StringIO("ab\\ncd"), "f.csv", limit=3))
['ab\\n', 'cd']
>>> lines = BoundedLines(io.StringIO("ab\\nlong line\\n"), "f.csv", limit=3)
>>> try:
...     list(lines)
... except LoadError as error:
...     print(error.line, error.field)
2 line
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from pathlib import Path
from typing import IO, AnyStr, Generic

from graph.errors import LoadError

#: The most characters (bytes, for JSON lines) one physical line may have, its line break
#: included; also the most a CSV record may have over all its lines, and csv's field limit.
MAX_LINE_CHARS = 16 * 1024 * 1024
csv.field_size_limit(MAX_LINE_CHARS)
_FIELD_END = re.compile(r"[,\r\n]")


class QuoteTracker:
    """Whether a quoted value is still open after the lines of a CSV record fed so far, read as
    the csv module reads the default dialect: a quote opens a value only at its start, ``""``
    inside is a quote, text after the closing quote is kept (``strict=False``). A line without
    a quote, outside one, costs one ``in`` test.

    >>> tracker = QuoteTracker()
    >>> tracker.feed('1,"a\\n', 0); tracker.feed("2,b\\n", 1); tracker.open
    (0, 1)
    >>> tracker.reset(); tracker.feed('1,"a\\n', 0); tracker.feed('b",c\\n', 1); tracker.open
    >>> tracker.reset(); tracker.feed('x"y,"z""', 0); tracker.open
    (0, 1)
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self._quoted, self._field, self._opened = False, 0, (0, 0)

    @property
    def open(self) -> tuple[int, int] | None:
        """``(line offset in the record, field number)`` of the quote still open, or None."""
        return self._opened if self._quoted else None

    def feed(self, text: str, offset: int) -> None:
        if not self._quoted and '"' not in text:
            return  # a line outside any quote: the record ends with it
        quoted, field = self._quoted, self._field if self._quoted else 0
        at_start, i, size = not quoted, 0, len(text)
        while i < size:
            if quoted:
                j = text.find('"', i)
                if j < 0:
                    break
                if text.startswith('""', j):
                    i = j + 2
                    continue
                quoted, at_start, i = False, False, j + 1
            elif at_start and text[i] == '"':
                quoted, self._opened, i = True, (offset, field), i + 1
            else:
                end = _FIELD_END.search(text, i)
                if end is None:
                    break
                field = field + 1 if end.group() == "," else 0
                at_start, i = True, end.end()
        self._quoted, self._field = quoted, field


def describe(size: int) -> str:
    """``16 MiB``, ``512 KiB``, or ``300 characters``.

    >>> describe(16 * 1024 * 1024), describe(3)
    ('16 MiB', '3 characters')
    """
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    return f"{size} characters"


class BoundedLines(Generic[AnyStr]):
    """The lines of ``stream`` (text or bytes), each at most ``limit`` long, line break included.

    ``line`` is the number of the line returned last. ``limit`` defaults to ``MAX_LINE_CHARS``
    as it is when the object is made. With ``records=True`` the lines since the last
    ``new_record()`` may not add up to more than ``limit`` either.
    """

    def __init__(
        self,
        stream: IO[AnyStr],
        path: Path | str,
        *,
        limit: int | None = None,
        records: bool = False,
    ) -> None:
        self._stream: IO[AnyStr] = stream
        self.path = str(path)
        self.limit = MAX_LINE_CHARS if limit is None else limit
        self.line = 0
        self._records = records
        self._record_line = 1
        self._record_size = 0
        self._quotes = QuoteTracker()
        self._ended = False

    def __iter__(self) -> BoundedLines[AnyStr]:
        return self

    def __next__(self) -> AnyStr:
        piece: AnyStr = self._stream.readline(self.limit + 1)
        if not piece:
            self._ended = True
            raise StopIteration
        self.line += 1
        if len(piece) > self.limit:
            reason = (
                f"longer than {describe(self.limit)} without a line break (the most one line "
                "may have); the rest of the file is not read"
            )
            raise LoadError(self.path, self.line, "line", reason)
        if self._records:
            if isinstance(piece, str):
                self._quotes.feed(piece, self.line - self._record_line)
            self._record_size += len(piece)
            if self._record_size > self.limit:
                reason = (
                    f"a record running over lines {self._record_line}-{self.line} is longer "
                    f"than {describe(self.limit)} (an unclosed quote?); the rest of the file is "
                    "not read"
                )
                raise LoadError(self.path, self._record_line, "row", reason)
        return piece

    def new_record(self) -> None:
        """The next line starts a record: count its size afresh."""
        self._record_line, self._record_size = self.line + 1, 0
        self._quotes.reset()

    def unterminated(self, header: Sequence[str]) -> tuple[str, str] | None:
        """``(field, reason)`` when the file ended inside a quoted value of the record read
        last (which then swallowed every line after the quote), else None."""
        found = self._quotes.open if self._ended else None
        if found is None:
            return None
        offset, number = found
        field = header[number].strip() or "row" if number < len(header) else "row"
        opened = self._record_line + offset
        reason = (
            f"unterminated quote: the quoted value opened on line {opened} runs to the end of "
            f"the file, so lines {self._record_line}-{self.line} are not loaded"
        )
        return field, reason
