"""Small helpers of the format tests: write an input file, sort what a reader yields."""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from pathlib import Path

from graph.models import AmplificationRow, UserRow
from loaders.records import Record, Reject


def write(directory: Path, name: str, text: str | bytes) -> Path:
    """``text`` in ``directory/name``, gzipped when the name ends in ``.gz``."""
    data = text.encode() if isinstance(text, str) else text
    path = directory / name
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return path


def users(records: Iterable[Record]) -> list[UserRow]:
    return [r for r in records if isinstance(r, UserRow)]


def events(records: Iterable[Record]) -> list[AmplificationRow]:
    return [r for r in records if isinstance(r, AmplificationRow)]


def rejects(records: Iterable[Record]) -> list[tuple[int, str]]:
    return [(r.error.line, r.error.field) for r in records if isinstance(r, Reject)]
