"""The generic CSV contract as a reader: a directory of users, posts and amplifications."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar

from graph.errors import LoadError
from graph.models import AmplificationRow, PostRow, UserRow
from loaders.contract_csv import (
    TABLES,
    parse_amplification,
    parse_post,
    parse_user,
    read_rows,
    table_path,
    unknown_columns,
)
from loaders.records import Reader, Record, Reject

_PARSERS: dict[str, Callable[[Path, int, dict[str, str]], UserRow | PostRow | AmplificationRow]] = {
    "users": parse_user,
    "posts": parse_post,
    "amplifications": parse_amplification,
}


class CsvContractReader(Reader):
    """``users.csv``, ``posts.csv``, ``amplifications.csv`` (or ``.csv.gz``) in that order."""

    format: ClassVar[str] = "csv"
    strict_posts: ClassVar[bool] = True

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        if not self.path.is_dir():
            raise LoadError(str(self.path), 0, "path", "not a directory")
        self.files = {t: p for t in TABLES if (p := table_path(self.path, t)) is not None}
        if not self.files:
            raise LoadError(
                str(self.path), 0, "path", "holds none of users.csv, posts.csv, amplifications.csv"
            )
        self._table = "users"
        self._done_bytes = 0
        self._counts: Counter[str] = Counter()

    @property
    def size(self) -> int:
        return sum(path.stat().st_size for path in self.files.values())

    @property
    def position(self) -> int:
        return self._done_bytes + super().position

    def input_files(self) -> list[Path]:
        return list(self.files.values())

    @property
    def current_path(self) -> Path:
        return self.files.get(self._table, self.path)

    @property
    def current_table(self) -> str:
        return self._table

    def read_counts(self) -> dict[str, int]:
        return dict(self._counts)

    def records(self) -> Iterator[Record]:
        for table, path in self.files.items():
            for column in unknown_columns(path, table):
                self.notices.append(f"{path}: column {column!r} is not in the contract; ignored")
        for table, path in self.files.items():
            self._table = table
            parse = _PARSERS[table]
            for line, raw in read_rows(path, table, open_text=self.open_text):
                self.rows_read += 1
                self._counts[table] += 1
                self.line = line
                try:
                    yield parse(path, line, raw)
                except LoadError as error:
                    yield Reject(error)
            self._done_bytes += path.stat().st_size
            self._counter = None

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        return path.is_dir() and any(table_path(path, table) for table in TABLES)
