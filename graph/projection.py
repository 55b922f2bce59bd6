"""Database -> compact in-memory graph: integer node ids and edge arrays (amplifier -> author)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from graph.backends.base import Row
from graph.weighting import pair_weight


@dataclass(frozen=True, slots=True)
class Projection:
    """``ids[i]`` is node i; edge k runs ``source[k] -> target[k]`` with ``weight[k]``."""

    ids: list[str]
    source: npt.NDArray[np.int64]
    target: npt.NDArray[np.int64]
    weight: npt.NDArray[np.float64]
    events: npt.NDArray[np.int64]

    @property
    def node_count(self) -> int:
        return len(self.ids)

    @property
    def edge_count(self) -> int:
        return int(self.source.size)


def project(rows: Iterable[Row], *, kind_weights: Mapping[str, float] | None = None) -> Projection:
    """Aggregate ``(source, target, kind, events)`` rows into one weighted edge per pair.

    >>> p = project([{"source": "a", "target": "b", "kind": "retweet", "events": 3},
    ...              {"source": "a", "target": "b", "kind": "like", "events": 1}])
    >>> p.ids, p.events.tolist(), round(float(p.weight[0]), 2)
    (['a', 'b'], [4], 2.3)
    """
    pairs: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for row in rows:
        kinds = pairs[(str(row["source"]), str(row["target"]))]
        kind = str(row["kind"])
        kinds[kind] = kinds.get(kind, 0) + int(row["events"])
    index: dict[str, int] = {}
    for source, target in pairs:
        index.setdefault(source, len(index))
        index.setdefault(target, len(index))
    count = len(pairs)
    src = np.empty(count, dtype=np.int64)
    dst = np.empty(count, dtype=np.int64)
    weight = np.empty(count, dtype=np.float64)
    events = np.empty(count, dtype=np.int64)
    for k, ((source, target), kinds) in enumerate(pairs.items()):
        src[k] = index[source]
        dst[k] = index[target]
        weight[k] = pair_weight(kinds, kind_weights)
        events[k] = sum(kinds.values())
    return Projection(list(index), src, dst, weight, events)
