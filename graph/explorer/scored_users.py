"""Accounts as :class:`Influencer` records, their analysis part kept in memory per run.

A page of 1,000 influencers read whole from FalkorDB costs ~30 ms in the server and as much
again to parse (reasons, topics, top amplifiers and posts: lists on every row). All of that
but the identity (handle, name, bio, followers, brand flag) is written by the analysis alone,
so it is kept per run (``graph.explorer.run_cache``) and only the identity, which a load may
change at any time, is read each call.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Final

from graph.backends.base import Row
from graph.explorer import queries as q
from graph.explorer.run_cache import RunCache
from graph.models import Influencer
from graph.store import Store

MAX_KEPT: Final = 200_000
"""Accounts kept per run; beyond it the set starts again (a run scores ~100k on a 1M graph)."""


def scored_users(
    store: Store,
    cache: RunCache | None,
    ids: Sequence[str],
    standing: Mapping[str, tuple[int, float]] | None = None,
) -> list[Influencer]:
    """The accounts among ``ids`` that exist, in the order of ``ids``, as ``store.users``
    reads them; ``standing`` replaces the rank and score of the accounts it names (a topic's)."""
    if cache is None or not ids:
        return _ranked(store.users(ids), standing)
    kept: dict[str, Influencer] = cache.get(store, ("scored users",), dict)
    if len(kept) > MAX_KEPT:
        kept.clear()
    # The records themselves, not their keys: another request may clear the set meanwhile.
    known = {key: item for key in ids if (item := kept.get(key)) is not None}
    fresh = {item.id: item for item in store.users([key for key in ids if key not in known])}
    kept.update(fresh)
    identities = {
        str(row["id"]): row
        for row in (store.read(q.IDENTITIES_BY_ID, {"ids": list(known)}) if known else ())
    }
    found: list[Influencer] = []
    for key in ids:
        given = (standing or {}).get(key)
        if key in fresh:
            item = fresh[key]
            found.append(item if given is None else replace(item, rank=given[0], score=given[1]))
        elif (row := identities.get(key)) is not None:
            found.append(_current(known[key], row, given))
    return found


def _current(item: Influencer, row: Row, given: tuple[int, float] | None) -> Influencer:
    """``item`` with the identity of ``row`` and the standing ``given``; ``item`` itself when
    neither changed it (the common case: no copy, and the same object each time)."""
    rank, score = (item.rank, item.score) if given is None else given
    handle = str(row.get("handle") or item.id)
    name = str(row.get("name") or "")
    bio = str(row.get("bio") or "")
    followers = int(row["followers"]) if row.get("followers") is not None else None
    is_brand = bool(row.get("is_brand"))
    if (rank, score, handle, name, bio, followers, is_brand) == (
        item.rank,
        item.score,
        item.handle,
        item.name,
        item.bio,
        item.followers,
        item.is_brand,
    ):
        return item
    return replace(
        item,
        rank=rank,
        score=score,
        handle=handle,
        name=name,
        bio=bio,
        followers=followers,
        is_brand=is_brand,
    )


def _ranked(
    items: list[Influencer], standing: Mapping[str, tuple[int, float]] | None
) -> list[Influencer]:
    if not standing:
        return items
    return [
        replace(item, rank=standing[item.id][0], score=standing[item.id][1])
        if item.id in standing
        else item
        for item in items
    ]
