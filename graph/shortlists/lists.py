"""Shortlists of accounts kept in the graph, with a note and tags per member.

``(:Shortlist {id, name, created_at, updated_at, profile, since, until})-[:INCLUDES {note, tags,
added_at}]->(:User)``: the profile and window are those of the analysis the shortlist was
started from. Members come back with their current scores, best rank first.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graph.backends.base import Row
from graph.errors import NodeNotFound
from graph.models import Influencer
from graph.shortlists import queries as q
from graph.store import Store

MAX_NAME = 200
MAX_NOTE = 5_000
MAX_TAGS = 20
MAX_TAG = 50


@dataclass(frozen=True, slots=True)
class Shortlist:
    id: str
    name: str
    created_at: str
    updated_at: str
    profile: str | None
    since: str | None
    until: str | None
    members: int


@dataclass(frozen=True, slots=True)
class Member:
    user: Influencer
    note: str
    tags: tuple[str, ...]
    added_at: str


@dataclass(frozen=True, slots=True)
class ShortlistPage:
    items: list[Shortlist]
    total: int
    limit: int
    offset: int


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _shortlist(row: Row) -> Shortlist:
    return Shortlist(
        id=str(row["id"]),
        name=str(row["name"]),
        created_at=str(row["created_at"]),
        updated_at=str(row["updated_at"]),
        profile=_text(row.get("profile")),
        since=_text(row.get("since")),
        until=_text(row.get("until")),
        members=int(row.get("members") or 0),
    )


class Shortlists:
    """Create, read, change and delete shortlists through the store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.store = store

    def create(self, name: str) -> Shortlist:
        rows = self.store.write(
            q.CREATE_SHORTLIST, {"id": uuid.uuid4().hex, "name": name, "now": _now()}
        )
        return _shortlist(rows[0])

    def get(self, shortlist_id: str) -> Shortlist:
        rows = self.store.read(q.SHORTLIST, {"id": shortlist_id})
        if not rows:
            raise NodeNotFound("Shortlist", shortlist_id)
        return _shortlist(rows[0])

    def page(self, *, limit: int = 50, offset: int = 0) -> ShortlistPage:
        rows = self.store.read(q.LIST_SHORTLISTS, {"limit": limit, "offset": offset})
        counted = self.store.read(q.COUNT_SHORTLISTS)
        total = int(counted[0]["n"]) if counted else 0
        return ShortlistPage([_shortlist(row) for row in rows], total, limit, offset)

    def members(self, shortlist_id: str) -> list[Member]:
        """The members with their current scores: ranked accounts by rank, then the others."""
        self.get(shortlist_id)
        rows = self.store.read(q.MEMBERS, {"id": shortlist_id})
        users = {user.id: user for user in self.store.users([str(row["user_id"]) for row in rows])}
        found = [
            Member(
                user=users[str(row["user_id"])],
                note=str(row.get("note") or ""),
                tags=tuple(str(tag) for tag in row.get("tags") or ()),
                added_at=str(row.get("added_at") or ""),
            )
            for row in rows
            if str(row["user_id"]) in users
        ]
        return sorted(found, key=lambda m: (m.user.rank <= 0, m.user.rank))

    def put_member(
        self, shortlist_id: str, user_id: str, *, note: str = "", tags: tuple[str, ...] = ()
    ) -> Member:
        """Add the account, or change its note and tags when it is already there."""
        self.get(shortlist_id)
        if not self.store.read(q.USER_EXISTS, {"user_id": user_id}):
            raise NodeNotFound("User", user_id)
        rows = self.store.write(
            q.UPSERT_MEMBER,
            {"id": shortlist_id, "user_id": user_id, "note": note, "tags": list(tags),
             "now": _now()},
        )  # fmt: skip
        added_at = str(rows[0]["added_at"]) if rows else _now()
        return Member(self.store.user(user_id), note, tuple(tags), added_at)

    def remove_member(self, shortlist_id: str, user_id: str) -> None:
        self.get(shortlist_id)
        rows = self.store.write(
            q.REMOVE_MEMBER, {"id": shortlist_id, "user_id": user_id, "now": _now()}
        )
        if not rows or not int(rows[0]["removed"] or 0):
            raise NodeNotFound("Shortlist member", user_id)

    def delete(self, shortlist_id: str) -> None:
        self.get(shortlist_id)
        self.store.write(q.DELETE_SHORTLIST, {"id": shortlist_id})
