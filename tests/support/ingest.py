"""Load a directory in the generic CSV contract (the library entry point of ``load csv``)."""

from __future__ import annotations

from pathlib import Path

from graph.store import Store
from loaders.formats.contract import CsvContractReader
from loaders.load_run import LoadProgress
from loaders.pipeline import load
from loaders.report import LoadReport


def load_csv_dir(
    store: Store,
    directory: Path,
    *,
    rejects_path: Path | None = None,
    progress: LoadProgress | None = None,
) -> LoadReport:
    """Load ``users``, ``posts``, ``amplifications`` (``.csv`` or ``.csv.gz``) from ``directory``.

    Idempotent: every write is a MERGE on a business key, so loading twice changes nothing.
    Rows that break the contract go to the rejects file and the load goes on.
    """
    return load(
        store, [CsvContractReader(Path(directory))], rejects_path=rejects_path, progress=progress
    )
