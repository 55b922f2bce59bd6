"""The ranking held in memory between two analyses, so that list pages do not scan every user.

``Store.influencers`` filters and sorts all ranked users in the database on every call (a
scan of 100k users, twice: the page and its count). The columns that rank, filter and sort
(rank, score, role, community, amplifiers) only change when an analysis writes them, so a
:class:`Leaderboard` reads them once per analysis run, answers the filter and order with numpy,
and fetches only the page's rows by id. Each call first reads the run stamp of
``(:Analysis {id: 'latest'})`` (``graph.explorer.run_cache``): a newer analysis, from this
process or any other, rebuilds the columns.

Only the orders that the analysis alone decides are served here (``rank``, ``amplifiers``);
``followers`` and ``handle`` come from the loaded identities, which a load can change without a new
analysis, so they stay with the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from graph.algorithms.arrays import FloatArray, IntArray
from graph.explorer import queries as q
from graph.explorer.run_cache import RunCache, current_run
from graph.explorer.scored_users import scored_users
from graph.models import Influencer, InfluencerQuery, Page
from graph.store import EVERYONE, SortKey, Store

SERVED_SORTS: Final[frozenset[SortKey]] = frozenset({"rank", "amplifiers"})
TRIES: Final = 3
"""Reads of a page when analyses switch over while it is read; the last one stands."""


@dataclass(frozen=True)
class RankingColumns:
    """One ranking (overall or a topic's), rows in ``rank ASC, id ASC`` order."""

    ids: npt.NDArray[np.object_]
    rank: IntArray
    score: FloatArray
    role: npt.NDArray[np.object_]
    community: IntArray  # -1 when none
    amplifiers: IntArray

    @classmethod
    def read(cls, data: dict[str, list[Any]]) -> RankingColumns:
        ids = np.asarray(data.get("id", []), dtype=object)
        rank = np.asarray([_int(v, 0) for v in data.get("rank", [])], dtype=np.int64)
        order = np.lexsort((ids.astype(str), rank)) if len(ids) else np.zeros(0, np.int64)
        return cls(
            ids=ids[order],
            rank=rank[order],
            score=np.asarray([_float(v) for v in data.get("score", [])], np.float64)[order],
            role=np.asarray(data.get("role", []), dtype=object)[order],
            community=np.asarray([_int(v, -1) for v in data.get("community", [])], dtype=np.int64)[
                order
            ],
            amplifiers=np.asarray([_int(v, 0) for v in data.get("amplifiers", [])], dtype=np.int64)[
                order
            ],
        )

    def select(self, role: str | None, community: int | None, min_score: float | None) -> IntArray:
        """Row numbers passing the filters, in rank order."""
        keep = np.ones(len(self.ids), dtype=bool)
        if role is not None:
            keep &= self.role == role
        if community is not None:
            keep &= self.community == community
        if min_score is not None:
            keep &= self.score >= min_score
        return np.flatnonzero(keep).astype(np.int64)


def _int(value: Any, missing: int) -> int:
    return missing if value is None else int(value)


def _float(value: Any) -> float:
    return 0.0 if value is None else float(value)


class Leaderboard:
    """Influencer pages from the ranking in memory; thread-safe, one per application."""

    def __init__(self, cache: RunCache | None = None) -> None:
        self._cache = cache or RunCache()

    @staticmethod
    def serves(sort: SortKey) -> bool:
        return sort in SERVED_SORTS

    def influencers(
        self,
        store: Store,
        query: InfluencerQuery = EVERYONE,
        *,
        limit: int = 50,
        offset: int = 0,
        sort: SortKey = "rank",
    ) -> Page:
        """The page ``store.influencers`` returns for the same arguments (sorts in
        ``SERVED_SORTS``; others are passed to the store), all of it from one analysis run."""
        for _ in range(TRIES):
            run, page = self._page(store, query, limit, offset, sort)
            if current_run(store) == run:  # no analysis switched over meanwhile
                break
        return page

    def _page(
        self,
        store: Store,
        query: InfluencerQuery,
        limit: int,
        offset: int,
        sort: SortKey,
    ) -> tuple[object, Page]:
        """The page, and the run stamp read before any of it."""
        if not self.serves(sort):
            return current_run(store), store.influencers(
                query, limit=limit, offset=offset, sort=sort
            )
        run, columns = self._columns(store, query.topic)
        rows = columns.select(query.role, query.community, query.min_score)
        if query.ids is not None:
            rows = rows[np.isin(columns.ids[rows], np.asarray(list(query.ids), dtype=object))]
        if sort == "amplifiers":
            # amplifiers DESC, then rank ASC: rows are already in rank order, keep it stable.
            rows = rows[np.argsort(-columns.amplifiers[rows], kind="stable")]
        chosen = rows[offset : offset + limit]
        items = self._fetch(store, columns, chosen)
        return run, Page(items=items, total=len(rows), limit=limit, offset=offset)

    def _fetch(self, store: Store, columns: RankingColumns, chosen: IntArray) -> list[Influencer]:
        """The chosen rows' accounts with the ranking's rank and score; an account deleted
        since the analysis is left out (the database has the last word)."""
        ids = [str(columns.ids[i]) for i in chosen]
        standing = {
            key: (int(columns.rank[i]), float(columns.score[i]))
            for key, i in zip(ids, chosen, strict=True)
        }
        return scored_users(store, self._cache, ids, standing)

    def _columns(self, store: Store, topic: str | None) -> tuple[object, RankingColumns]:
        if topic is None:
            return self._cache.get_with_run(
                store,
                ("ranking",),
                lambda: RankingColumns.read(store.read_columns(q.RANKING_COLUMNS)),
            )
        return self._cache.get_with_run(
            store,
            ("topic ranking", topic),
            lambda: RankingColumns.read(
                store.read_columns(q.TOPIC_RANKING_COLUMNS, {"topic": topic})
            ),
        )
