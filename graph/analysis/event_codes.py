"""Chunks of amplification rows -> dense integer codes, coded as each chunk arrives.

The reading threads wait on the server most of the time; coding each chunk meanwhile (its
targets looked up among the users, its posts factorized) leaves only integer work for the
end. The codes are those of one factorization of the whole read, in order of first
appearance: every source, then every target; every post.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from graph.algorithms.arrays import IntArray
from graph.backends.base import Columns
from graph.models import AMPLIFICATION_KINDS

_KINDS = pd.Index(AMPLIFICATION_KINDS)


def _ints(values: Sequence[Any]) -> IntArray:
    return np.asarray(values, dtype=np.int64)


class EventCoder:
    """Takes the chunks of one read (``source``: the amplifier's position in the chunk of
    ``users`` it was read with) and codes users, kinds and posts."""

    def __init__(self, users: Sequence[str]) -> None:
        self._names = list(users)
        self._index = pd.Index(self._names, dtype=object)
        self._late: dict[str, int] = {}  # targets created after the user list was read
        self._sources: list[IntArray] = []
        self._targets: list[IntArray] = []
        self._kinds: list[IntArray] = []
        self._ats: list[IntArray] = []
        self._post_codes: list[IntArray] = []
        self._post_names: list[npt.NDArray[Any]] = []

    def add(self, offset: int, part: Columns) -> None:
        """One chunk's rows, read with ``users[offset:offset + CHUNK]`` as ``$ids``."""
        if not part:
            return
        self._sources.append(_ints(part["source"]) + offset)
        self._targets.append(self._user_positions(part["target"]))
        self._kinds.append(_KINDS.get_indexer(pd.Index(part["kind"], dtype=object)))
        self._ats.append(_ints(part["at"]))
        posts = np.array(part["post"], dtype=object)
        posts[pd.isna(posts) | (posts == "")] = None
        codes, names = pd.factorize(posts, use_na_sentinel=True)
        self._post_codes.append(codes.astype(np.int64))
        self._post_names.append(np.asarray(names, dtype=object))

    def _user_positions(self, ids: Sequence[str]) -> IntArray:
        positions = self._index.get_indexer(pd.Index(ids, dtype=object)).astype(np.int64)
        for row in np.flatnonzero(positions < 0).tolist():
            name = ids[row]
            positions[row] = self._late.setdefault(name, len(self._names) + len(self._late))
        return positions

    def users(self) -> tuple[IntArray, IntArray, list[str]]:
        """(source codes, target codes, the users those codes name)."""
        source = _joined(self._sources)
        target = _joined(self._targets)
        codes, positions = pd.factorize(np.concatenate((source, target)))
        names = self._names + list(self._late)
        count = source.size
        return (
            codes[:count].astype(np.int64),
            codes[count:].astype(np.int64),
            [str(names[position]) for position in positions.tolist()],
        )

    def kinds(self) -> IntArray:
        return _joined(self._kinds)

    def ats(self) -> IntArray:
        return _joined(self._ats)

    def posts(self) -> tuple[IntArray, list[str]]:
        """(post code of each event, ``-1``: none; the posts those codes name)."""
        if not self._post_names:
            return np.zeros(0, dtype=np.int64), []
        merged, names = pd.factorize(np.concatenate(self._post_names))
        codes: list[IntArray] = []
        start = 0
        for local, chunk_names in zip(self._post_codes, self._post_names, strict=True):
            into = np.append(merged[start : start + chunk_names.size], -1).astype(np.int64)
            codes.append(into[local])  # local -1 (no post) picks the appended -1
            start += chunk_names.size
        return np.concatenate(codes), [str(name) for name in names]


def _joined(parts: list[IntArray]) -> IntArray:
    if not parts:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate(parts).astype(np.int64, copy=False)
