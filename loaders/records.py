"""What every format reader yields: records for the store, or rejects naming file, line, field."""

from __future__ import annotations

import gzip
import io
import struct
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, ClassVar

from graph.errors import LoadError
from graph.models import AmplificationRow, PostRow, UserRow
from loaders.guard import LoadGuard


@dataclass(frozen=True, slots=True)
class Reject:
    """A row that breaks the format's rules; the load goes on without it."""

    error: LoadError


Record = UserRow | PostRow | AmplificationRow | Reject


class CountingFile(io.RawIOBase):
    """A binary stream that counts the bytes read from it, telling ``on_read`` of each read."""

    def __init__(self, raw: BinaryIO, on_read: Callable[[int], None] | None = None) -> None:
        self._raw = raw
        self._on_read = on_read
        self.position = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        count = int(self._raw.readinto(buffer) or 0)  # type: ignore[attr-defined]
        self.position += count
        if count and self._on_read is not None:
            self._on_read(count)
        return count

    def close(self) -> None:
        self._raw.close()
        super().close()


class _GzipClosingSource(gzip.GzipFile):
    """A gzip stream over an open file that closes that file too."""

    def __init__(self, source: io.BufferedReader) -> None:
        super().__init__(fileobj=source, mode="rb")
        self._source = source

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._source.close()


def unpacked_size_of(path: Path) -> int:
    """``path``'s size, or for a ``.gz`` the size its trailer gives (at least the file's)."""
    size = path.stat().st_size
    if path.suffix != ".gz" or size < 18:
        return size
    try:
        with open(path, "rb") as handle:
            handle.seek(-4, io.SEEK_END)
            (isize,) = struct.unpack("<I", handle.read(4))
    except OSError:
        return size
    return max(int(isize), size)


class Reader(ABC):
    """One input file of one format, read lazily: never the whole file in memory.

    Subclasses set ``format``, implement ``records`` and ``sniff``, and bump ``rows_read`` for
    every input row (a CSV record, a JSON line, an edge-list line, a graph element) they consume.
    """

    format: ClassVar[str]
    #: True when an amplification's ``post_id`` must name a post that exists (the CSV contract).
    strict_posts: ClassVar[bool] = False

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.rows_read = 0
        #: The input line of the record yielded last (readers that can, keep it current).
        self.line = 0
        #: Things worth telling the user that are not rejects (ignored columns, ...).
        self.notices: list[str] = []
        self._counter: CountingFile | None = None
        #: Decompressed bytes read so far, over every file of this reader.
        self.unpacked = 0
        #: Set by the loader: counts the decompressed bytes, stops a cancelled load.
        self.guard: LoadGuard | None = None

    @property
    def current_path(self) -> Path:
        """The file being read (a reader of a directory reads several)."""
        return self.path

    @property
    def current_table(self) -> str:
        """What rejects are counted under: ``<table>.<field>``."""
        return self.format

    def read_counts(self) -> dict[str, int]:
        """Rows read, by input table, for the load report."""
        return {self.format: self.rows_read}

    @property
    def size(self) -> int:
        """Bytes on disk, for a progress bar."""
        return self.path.stat().st_size

    @property
    def position(self) -> int:
        """Bytes of the file consumed so far."""
        return self._counter.position if self._counter is not None else 0

    def input_files(self) -> list[Path]:
        """The files this reader reads (a reader of a directory lists them)."""
        return [self.path] if self.path.is_file() else []

    def unpacked_size(self) -> int:
        """The decompressed bytes to read, for progress: exact for plain files, the gzip
        trailer's size (ISIZE: exact for one gzip member under 4 GiB) for ``.gz``."""
        return sum(unpacked_size_of(path) for path in self.input_files())

    def _count_unpacked(self, count: int) -> None:
        self.unpacked += count
        if self.guard is not None:
            self.guard.spend(count, self.current_path, self.line)

    def open_binary(self, path: Path | None = None) -> BinaryIO:
        """The file's bytes, gunzipped when the name ends in ``.gz``, with progress counting
        (of the bytes on disk in ``position``, of the decompressed bytes in ``unpacked``)."""
        path = path or self.path
        self._counter = CountingFile(open(path, "rb"))  # noqa: SIM115 - returned
        buffered = io.BufferedReader(self._counter, buffer_size=1 << 20)
        source = _GzipClosingSource(buffered) if path.suffix == ".gz" else buffered  # type: ignore[arg-type]
        # counted as consumed, 64 KiB at a time (not as read ahead from disk, 1 MiB at a time)
        unpacked = CountingFile(source, self._count_unpacked)  # type: ignore[arg-type]
        return io.BufferedReader(unpacked, buffer_size=1 << 16)

    def open_text(self, path: Path | None = None) -> io.TextIOWrapper:
        """UTF-8 text (a BOM is skipped) with universal newlines left to the csv module."""
        return io.TextIOWrapper(self.open_binary(path), encoding="utf-8-sig", newline="")

    def reject(self, line: int, field: str, reason: str) -> Reject:
        return Reject(LoadError(str(self.path), line, field, reason))

    @abstractmethod
    def records(self) -> Iterator[Record]:
        """Users, posts, amplifications and rejects, in file order."""

    @classmethod
    @abstractmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        """True when ``head`` (the first KiB of the decompressed file) looks like this format."""
