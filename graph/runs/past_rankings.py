"""A past run's ranking, read from its ``RANKED_IN``: the influencer list and one account's
standing, as they were.

Identities (handle, name, bio, followers) are the accounts' as loaded now; rank, score, primary
role, amplifiers, topics and topic ranks are the run's. What the history does not keep
(PageRank, community, betweenness, reasons, top amplifiers and posts) is left empty, and the
lists of a past run cannot be filtered by topic or community (:class:`NotKept`).
"""

from __future__ import annotations

from typing import Any

from graph.errors import InvalidQuery
from graph.models import Influencer, InfluencerQuery, Page
from graph.runs import queries as q
from graph.runs.history import check_run
from graph.runs.models import RunStanding
from graph.store import SortKey, Store, influencer_from_row


class NotKept(InvalidQuery):
    """A filter that a past run's history cannot answer."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"{what} rankings are kept for the latest analysis only: leave out {what} to read "
            "a past run (`run`)"
        )


def run_influencers(
    store: Store,
    run: int,
    query: InfluencerQuery,
    *,
    limit: int = 50,
    offset: int = 0,
    sort: SortKey = "rank",
) -> Page:
    """The page ``Store.influencers`` returns, as the run ``run`` ranked them."""
    check_run(store, run)
    if query.topic is not None:
        raise NotKept("topic")
    if query.community is not None:
        raise NotKept("community")
    filters: dict[str, Any] = {
        "run": run,
        "role": query.role,
        "min_score": query.min_score,
        "ids": None if query.ids is None else list(query.ids),
    }
    rows = store.read(q.RUN_INFLUENCERS[sort], {"limit": limit, "offset": offset, **filters})
    counted = store.read(q.COUNT_RUN_INFLUENCERS, filters)
    total = int(counted[0]["n"]) if counted else 0
    items: list[Influencer] = [influencer_from_row(row) for row in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


def standing(store: Store, run: int, user_id: str) -> RunStanding | None:
    """The account's standing in the run (checked), None when the run did not rank it."""
    check_run(store, run)
    rows = store.read(q.STANDING, {"id": user_id, "run": run})
    if not rows:
        return None
    row = rows[0]
    return RunStanding(
        rank=int(row["rank"]),
        score=float(row.get("score") or 0.0),
        role=str(row["role"]) if row.get("role") else None,
        amplifiers=int(row.get("amplifiers") or 0),
        topics=tuple(str(x) for x in row.get("topics") or ()),
        topic_ranks=tuple(int(x) for x in row.get("topic_ranks") or ()),
    )
