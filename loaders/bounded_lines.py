"""Physical lines read with a bound, so no input line, however long, is ever held whole.

A compressed upload is small on the wire but can hold gigabytes without a line break; a reader
that pulls "the next line" would hold all of it. ``BoundedLines`` reads each line with
``readline(limit + 1)`` and ends the file with a ``LoadError`` naming the line as soon as one
runs past the limit: what follows cannot be resynchronised (a CSV quote may be open), so the
rows loaded before it are kept and the rest of the file is not read. For CSV, whose quoted
fields may span lines, ``records=True`` also bounds a whole record: the caller calls
``new_record()`` before each one.

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
from pathlib import Path
from typing import IO, AnyStr, Generic

from graph.errors import LoadError

#: The most characters (bytes, for JSON lines) one physical line may have, its line break
#: included; also the most a CSV record may have over all its lines, and csv's field limit.
MAX_LINE_CHARS = 16 * 1024 * 1024
csv.field_size_limit(MAX_LINE_CHARS)


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

    def __iter__(self) -> BoundedLines[AnyStr]:
        return self

    def __next__(self) -> AnyStr:
        piece: AnyStr = self._stream.readline(self.limit + 1)
        if not piece:
            raise StopIteration
        self.line += 1
        if len(piece) > self.limit:
            reason = (
                f"longer than {describe(self.limit)} without a line break (the most one line "
                "may have); the rest of the file is not read"
            )
            raise LoadError(self.path, self.line, "line", reason)
        if self._records:
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
