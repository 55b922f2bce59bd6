"""The external-reach lens: a shortlist's campaign target (topics and/or communities) and, for
each candidate, the share of its audience inside the target.

A member's audience is as for the overlap (``graph.shortlists.overlap``: distinct amplifiers,
boosters and hollow accounts left out). An amplifier is inside the target when it belongs to
one of the target's communities (the latest analysis's) or has amplified a post tagged with
one of its topics: where the campaign wants to be heard. A large audience mostly outside the
target is reach the campaign does not need.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

from graph.backends.base import Columns
from graph.errors import NodeNotFound
from graph.shortlists import queries as q
from graph.shortlists.lists import Shortlists
from graph.store import Store

MAX_TOPICS = 50
MAX_COMMUNITIES = 200
CHUNK = 10_000  # accounts per read of their amplified posts


@dataclass(frozen=True, slots=True)
class Target:
    topics: tuple[str, ...] = ()
    communities: tuple[int, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.topics and not self.communities


def get_target(store: Store, shortlist_id: str) -> Target:
    """The shortlist's target (empty when none was set; NodeNotFound for no such list)."""
    rows = store.read(q.TARGET, {"id": shortlist_id})
    if not rows:
        raise NodeNotFound("Shortlist", shortlist_id)
    row = rows[0]
    return Target(
        tuple(str(t) for t in row.get("topics") or ()),
        tuple(int(c) for c in row.get("communities") or ()),
    )


def known_topics(store: Store, topics: Sequence[str]) -> list[str]:
    """``topics`` without repeats, each checked to exist (NodeNotFound naming those that do
    not)."""
    wanted = list(dict.fromkeys(topics))
    known = {str(row["id"]) for row in store.read(q.KNOWN_TOPICS, {"topics": wanted})}
    missing = [topic for topic in wanted if topic not in known]
    if missing:
        raise NodeNotFound("Topic", ", ".join(missing))
    return wanted


def set_target(
    store: Store, shortlist_id: str, topics: Sequence[str], communities: Sequence[int]
) -> Target:
    """Save the target with the shortlist; every topic must exist (NodeNotFound naming it)."""
    Shortlists(store).get(shortlist_id)
    wanted = known_topics(store, topics)
    chosen = sorted(set(communities))
    now = datetime.now(UTC).isoformat()
    store.write(
        q.SET_TARGET, {"id": shortlist_id, "topics": wanted, "communities": chosen, "now": now}
    )
    return Target(tuple(wanted), tuple(chosen))


def inside(store: Store, accounts: Collection[str], target: Target) -> set[str]:
    """The accounts among ``accounts`` that sit inside ``target``."""
    ids = sorted(accounts)
    found: set[str] = set()
    if not ids or target.empty:
        return found
    if target.communities:
        params = {"ids": ids, "communities": list(target.communities)}
        found |= {str(row["id"]) for row in store.read(q.IN_COMMUNITIES, params)}
    rest = [account for account in ids if account not in found]
    if target.topics and rest:
        found |= _on_topics(store, rest, target.topics)
    return found


def _on_topics(store: Store, ids: Sequence[str], topics: Sequence[str]) -> set[str]:
    """The accounts among ``ids`` that amplified a post tagged with one of ``topics`` (the
    tagged posts and the accounts' amplified posts are read at once, on two connections)."""
    chunks = [ids[start : start + CHUNK] for start in range(0, len(ids), CHUNK)]

    def amplified(chunk: Sequence[str]) -> Columns:
        return store.read_text_columns(q.AMPLIFIED_POSTS, {"ids": list(chunk)})

    with ThreadPoolExecutor(max_workers=2) as pool:
        tagged_read = pool.submit(store.read_text_columns, q.TAGGED_POSTS, {"topics": list(topics)})
        parts = list(pool.map(amplified, chunks))
        tagged = set(tagged_read.result().get("post", []))
    found: set[str] = set()
    for chunk, rows in zip(chunks, parts, strict=True):
        for source, post in zip(rows.get("source", []), rows.get("post", []), strict=True):
            if post in tagged:
                found.add(chunk[source])
    return found


def audiences_of(store: Store, ids: Sequence[str]) -> dict[str, set[str]]:
    """The audience of each account of ``ids`` that exists, as a shortlist member's is."""
    rows = store.read(q.AUDIENCES_OF, {"ids": list(dict.fromkeys(ids))})
    return {str(row["member"]): {str(a) for a in row["audience"] or ()} for row in rows}


def target_shares(
    store: Store, audiences: Mapping[str, set[str]], target: Target
) -> dict[str, float | None]:
    """Each member's share of its audience inside ``target`` (None: no target, or no
    audience to measure)."""
    if target.empty:
        return {member: None for member in audiences}
    everyone: set[str] = set().union(*audiences.values()) if audiences else set()
    within = inside(store, everyone, target)
    return {
        member: len(people & within) / len(people) if people else None
        for member, people in audiences.items()
    }
