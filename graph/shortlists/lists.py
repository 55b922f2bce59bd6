"""Shortlists of accounts kept in the graph, with a note and tags per member.

``(:Shortlist {id, name, created_at, updated_at, profile, since, until})-[:INCLUDES {note, tags,
added_at, added_score, added_rank, added_role, added_run, added_profile, added_since, added_until,
added_analyzed_at}]->(:User)``: the shortlist's profile and window are those of the analysis it
was started from; each member keeps its standing when it was first added and that run's
provenance. Members come back with then and now, each labelled with its run, best rank first.
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
class RunLabel:
    """The run a standing comes from: its id, profile, window and when it was analysed.
    ``kept`` is False once the history has dropped the run: the label is then what the
    shortlist copied when the member was added."""

    run: int
    profile: str | None
    since: str | None
    until: str | None
    analyzed_at: str | None
    kept: bool


@dataclass(frozen=True, slots=True)
class Standing:
    """A score, rank and role, and the run they come from; all None before any analysis
    (``rank`` is None when the account was not ranked)."""

    score: float | None
    rank: int | None
    role: str | None
    run: RunLabel | None


@dataclass(frozen=True, slots=True)
class Member:
    """A member with its note and tags, its standing when added, and its standing now."""

    user: Influencer
    note: str
    tags: tuple[str, ...]
    added_at: str
    cost: float | None
    added: Standing
    now: Standing

    @property
    def rank_change(self) -> int | None:
        """Ranks climbed since it was added (negative: it fell); None unless ranked both times."""
        if self.added.rank is None or self.now.rank is None:
            return None
        return self.added.rank - self.now.rank


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


def _filled(value: Any) -> str | None:
    """Text, or None for nothing: a run's open window end is stored as ``""``."""
    return None if value is None or value == "" else str(value)


def _rank(value: Any) -> int | None:
    return int(value) if value is not None and int(value) > 0 else None


def _added(row: Row) -> Standing:
    """The standing stored on ``INCLUDES`` and its run (looked up while the run is kept)."""
    run = row.get("added_run")
    label = None
    if run is not None:
        label = RunLabel(
            run=int(run),
            profile=_filled(row.get("added_profile")),
            since=_filled(row.get("added_since")),
            until=_filled(row.get("added_until")),
            analyzed_at=_filled(row.get("added_analyzed_at")),
            kept=bool(row.get("added_run_kept")),
        )
    score = row.get("added_score")
    return Standing(
        score=None if score is None else float(score),
        rank=_rank(row.get("added_rank")),
        role=_text(row.get("added_role")),
        run=label,
    )


def _latest(rows: list[Row]) -> RunLabel | None:
    if not rows or rows[0].get("run") is None:
        return None
    row = rows[0]
    return RunLabel(
        run=int(row["run"]),
        profile=_filled(row.get("profile")),
        since=_filled(row.get("since")),
        until=_filled(row.get("until")),
        analyzed_at=_filled(row.get("analyzed_at")),
        kept=True,
    )


def _now_standing(user: Influencer, latest: RunLabel | None) -> Standing:
    if latest is None:
        return Standing(None, None, None, None)
    return Standing(user.score, _rank(user.rank), user.role, latest)


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

    def latest_run(self) -> RunLabel | None:
        """The run whose scores the accounts carry now; None before any analysis."""
        return _latest(self.store.read(q.LATEST_RUN))

    def members(self, shortlist_id: str) -> list[Member]:
        """The members, then and now: ranked accounts by current rank, then the others."""
        self.get(shortlist_id)
        found = self._members(shortlist_id, None)
        return sorted(found, key=lambda m: (m.user.rank <= 0, m.user.rank))

    def _members(self, shortlist_id: str, user_id: str | None) -> list[Member]:
        rows = self.store.read(q.MEMBERS, {"id": shortlist_id, "user_id": user_id})
        users = {user.id: user for user in self.store.users([str(row["user_id"]) for row in rows])}
        latest = self.latest_run()
        return [
            Member(
                user=users[str(row["user_id"])],
                note=str(row.get("note") or ""),
                tags=tuple(str(tag) for tag in row.get("tags") or ()),
                added_at=str(row.get("added_at") or ""),
                cost=None if row.get("cost") is None else float(row["cost"]),
                added=_added(row),
                now=_now_standing(users[str(row["user_id"])], latest),
            )
            for row in rows
            if str(row["user_id"]) in users
        ]

    def put_member(
        self,
        shortlist_id: str,
        user_id: str,
        *,
        note: str = "",
        tags: tuple[str, ...] = (),
        cost: float | None = None,
    ) -> Member:
        """Add the account, snapshotting its standing and the latest run, or change its note,
        tags and cost when it is already there (the snapshot stays that of the first add)."""
        self.get(shortlist_id)
        if not self.store.read(q.USER_EXISTS, {"user_id": user_id}):
            raise NodeNotFound("User", user_id)
        self.store.write(
            q.UPSERT_MEMBER,
            {"id": shortlist_id, "user_id": user_id, "note": note, "tags": list(tags),
             "cost": cost, "now": _now()},
        )  # fmt: skip
        found = self._members(shortlist_id, user_id)
        if not found:  # removed by someone else in between
            raise NodeNotFound("Shortlist member", user_id)
        return found[0]

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
