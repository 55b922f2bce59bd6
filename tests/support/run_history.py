"""Runs written by hand, through the store's own write-back, so that the history's reads can
be checked against numbers known in advance."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from graph.models import UserRow
from graph.store import Store

#: The accounts every hand-made history uses.
ACCOUNTS = ("a", "b", "c", "d", "e", "f")


def add_accounts(store: Store, ids: Iterable[str] = ACCOUNTS) -> None:
    store.upsert_users([UserRow(key, f"@{key}", key.upper()) for key in ids])


def user_row(
    user_id: str, rank: int | None, amplifiers: int, role: str = "voice"
) -> dict[str, Any]:
    """A user row as the analysis writes it; ``rank`` None is an unranked account."""
    return {
        "id": user_id,
        "score": 0.0 if rank is None else round(100.0 / rank, 4),
        "pagerank": 0.01,
        "rank": rank,
        "amplifiers": amplifiers,
        "acts": amplifiers,
        "communities_reached": 1,
        "community": 0,
        "betweenness": 0.0,
        "core": 1,
        "influence": 0.1,
        "passivity": 0.1,
        "role": role if rank is not None else None,
        "roles": [role] if rank is not None else [],
        "reasons": [],
        "topics": ["vegan"] if rank is not None else [],
        "topic_ranks": [rank] if rank is not None else [],
        "top_amplifiers": [],
        "top_amplifier_shares": [],
        "top_posts": [],
        "top_post_amplifiers": [],
        "discounted": 0,
        "hollow_account": None,
    }


def write_run(
    store: Store,
    run: int,
    standings: Mapping[str, tuple[int | None, int]],
    *,
    since: str = "",
    until: str = "",
    roles: Mapping[str, str] | None = None,
) -> None:
    """Write run ``run`` (its stamp) where each account has ``(rank, amplifiers)``."""
    rows = [
        user_row(key, rank, amplifiers, (roles or {}).get(key, "voice"))
        for key, (rank, amplifiers) in standings.items()
    ]
    provenance = {
        "profile": "default",
        "profile_json": "{}",
        "since": since,
        "until": until,
        "reference": until,
        "analyzed_at": "2026-01-01T00:00:00Z",
        "users_scored": len(rows),
        "ranked": sum(1 for rank, _ in standings.values() if rank is not None),
        "edges": 0,
        "events": 0,
        "topics": 1,
        "communities": 1,
        "discounted_pairs": 0,
    }
    store.write_analysis(rows, [], provenance, run=run)
