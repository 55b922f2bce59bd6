"""The Spark engine's results, streamed from the Parquet its executors wrote into the store a
batch at a time: the driver never holds the graph's rows all at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.dataset as ds

BATCH = 10_000


class ParquetRows:
    """The rows of a Parquet folder as dicts, read afresh on each pass (``Store.stage_analysis``
    takes two: the scores, then the history)."""

    def __init__(self, path: Path) -> None:
        self._dataset = ds.dataset(str(path), format="parquet")
        self._count = int(self._dataset.count_rows())

    def __len__(self) -> int:
        return self._count

    def __contains__(self, item: object) -> bool:
        return any(row == item for row in self)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for batch in self._dataset.to_batches(batch_size=BATCH):
            yield from batch.to_pylist()
