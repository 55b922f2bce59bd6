"""What a load did: rows read, loaded, rejected (by reason), placeholders, skips, duplicates."""

from __future__ import annotations

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


class RejectsFile:
    """Writes ``file:line: field: reason`` lines, creating the file on the first reject."""

    def __init__(self, path: Path, report: LoadReport) -> None:
        self.path = path
        self.report = report
        self._handle: TextIO | None = None
        self._lock = threading.Lock()  # the reader and the writer thread both reject rows

    def add(self, table: str, error: LoadError) -> None:
        with self._lock:
            self._add(table, error)

    def _add(self, table: str, error: LoadError) -> None:
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = open(self.path, "w", encoding="utf-8")  # noqa: SIM115 - closed in close()
            self.report.rejects_path = self.path
        self._handle.write(f"{error}\n")
        self.report.rejected[f"{table}.{error.field}"] += 1

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
