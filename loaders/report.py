"""What a load did: rows read, loaded, rejected (by reason), placeholders, skips, duplicates."""

from __future__ import annotations

import os
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from graph.errors import LoadError


@dataclass
class LoadReport:
    read: Counter[str] = field(default_factory=Counter)
    loaded: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    placeholder_users: int = 0
    batches: int = 0
    self_amplifications: int = 0
    duplicates: Counter[str] = field(default_factory=Counter)
    notices: list[str] = field(default_factory=list)
    rejects_path: Path | None = None

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "read": dict(self.read),
            "loaded": dict(self.loaded),
            "rejected": dict(self.rejected),
            "placeholder_users": self.placeholder_users,
            "batches": self.batches,
            "self_amplifications": self.self_amplifications,
            "duplicates": dict(self.duplicates),
            "notices": list(self.notices),
            "rejects_path": str(self.rejects_path) if self.rejects_path else None,
        }


#: The most rejected rows listed in a rejects file; the rest are counted (the report counts all).
MAX_REJECT_LINES = 10_000


class RejectsFile:
    """Writes ``file:line: field: reason`` lines, creating the file on the first reject.

    At most ``limit`` lines are written (a compressed upload of bad lines would otherwise write
    gigabytes); ``close`` then adds one line with the count of the rows not listed. With
    ``root``, files under it are named relative to it (an upload's folder is the server's
    business, not the user's).
    """

    def __init__(
        self,
        path: Path,
        report: LoadReport,
        *,
        limit: int = MAX_REJECT_LINES,
        root: Path | None = None,
    ) -> None:
        self.path = path
        self.report = report
        self.limit = limit
        self.root = root
        self.written = 0
        self.unlisted = 0
        self._handle: TextIO | None = None
        self._lock = threading.Lock()  # the reader and the writer thread both reject rows

    def add(self, table: str, error: LoadError) -> None:
        with self._lock:
            self._add(table, error)

    def _add(self, table: str, error: LoadError) -> None:
        self.report.rejected[f"{table}.{error.field}"] += 1
        if self.written >= self.limit:
            self.unlisted += 1
            return
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = open(self.path, "w", encoding="utf-8")  # noqa: SIM115 - closed in close()
            self.report.rejects_path = self.path
        self._handle.write(f"{relative_error(error, self.root)}\n")
        self.written += 1

    def close(self) -> None:
        with self._lock:
            if self._handle is None:
                return
            if self.unlisted:
                self._handle.write(
                    f"... and {self.unlisted:,} more rejected rows, not listed (the first "
                    f"{self.limit:,} are; the load report counts them all)\n"
                )
            self._handle.close()
            self._handle = None


def relative_name(path: str, root: Path | None) -> str:
    """``path`` relative to ``root`` when it lies under it, else as it is.

    >>> relative_name("/srv/up/x1/users.csv", Path("/srv/up/x1"))
    'users.csv'
    >>> relative_name("/elsewhere/users.csv", Path("/srv/up/x1"))
    '/elsewhere/users.csv'
    """
    if root is None:
        return path
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return path


def relative_error(error: LoadError, root: Path | None) -> LoadError:
    """The same error with its file named relative to ``root``."""
    name = relative_name(error.path, root)
    if name == error.path:
        return error
    return LoadError(name, error.line, error.field, error.reason)


def relative_text(text: str, root: Path | None) -> str:
    """Free text (a notice, a message) with ``root``'s own path taken out of it."""
    if root is None:
        return text
    return text.replace(f"{root}{os.sep}", "").replace(str(root), ".")
