"""What every way of loading shares (batched MERGE in :mod:`loaders.pipeline`, the bulk path in
:mod:`loaders.bulk`): the store, the report, the rejects file, progress and the guard."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from graph.store import Store
from loaders.guard import LoadGuard
from loaders.records import Reader
from loaders.report import LoadReport, RejectsFile, relative_text

#: ``progress(reader, rows_read, bytes_done, bytes_total)``, in decompressed bytes: a ``.gz``'s
#: total is its gzip trailer's size (exact below 4 GiB), and ``bytes_done`` stays below
#: ``bytes_total`` until the reader is done, so no bar reads 100% before the end.
LoadProgress = Callable[[Reader, int, int, int], None]
_PROGRESS_EVERY = 2_000


class LoadRun:
    """What every way of loading shares: the store, the report, the rejects file, progress,
    and the guard (cancel, decompressed bytes) checked between records.

    With ``root``, files under it are named relative to it in rejects, notices and errors.
    """

    def __init__(
        self,
        store: Store,
        *,
        rejects_path: Path | None = None,
        progress: LoadProgress | None = None,
        guard: LoadGuard | None = None,
        root: Path | None = None,
    ) -> None:
        self.store = store
        self.report = LoadReport()
        self.rejects = RejectsFile(rejects_path or Path("rejects.txt"), self.report, root=root)
        self.progress = progress
        self.guard = guard
        self.root = root
        self._totals: dict[int, int] = {}

    def load(self, readers: Iterable[Reader]) -> LoadReport:
        """Load every reader; return the report (also on ``self.report``)."""
        raise NotImplementedError

    def start(self, reader: Reader) -> None:
        """Before a reader's first record: hand it the guard, note its size for progress."""
        reader.guard = self.guard
        if self.progress is not None:
            self._totals[id(reader)] = reader.unpacked_size()

    def tick(self, reader: Reader) -> None:
        """After each record: stop if cancelled; report progress every so many rows."""
        if self.guard is not None:
            self.guard.check()
        if self.progress is not None and reader.rows_read % _PROGRESS_EVERY == 0:
            total = max(self._totals.get(id(reader), 0), reader.unpacked + 1)
            self.progress(reader, reader.rows_read, reader.unpacked, total)

    def finish(self, reader: Reader) -> None:
        """Add a finished reader's rows and notices to the report."""
        for name, count in reader.read_counts().items():
            self.report.read[name] += count
        self.report.notices.extend(relative_text(notice, self.root) for notice in reader.notices)
        if self.progress is not None:
            self.progress(reader, reader.rows_read, reader.unpacked, reader.unpacked)
