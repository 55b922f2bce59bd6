"""Named reads and writes on top of whichever backend is configured."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import fields
from datetime import UTC, datetime
from itertools import islice
from typing import Any, Literal, LiteralString, TypeVar

from graph import queries
from graph.backends.base import Backend, BulkSend, Columns, Params, Row
from graph.errors import InvalidQuery, NodeNotFound
from graph.models import (
    AmplificationRow,
    GraphStats,
    Influencer,
    InfluencerQuery,
    Page,
    PostRow,
    UserRow,
)
from graph.write_pipeline import write_overlapped

SortKey = Literal["rank", "followers", "amplifiers", "handle"]
SORT_KEYS: tuple[SortKey, ...] = ("rank", "followers", "amplifiers", "handle")
SEARCH_LIMIT = 10_000
"""The most accounts a text filter on the influencer list keeps (best matches first)."""

T = TypeVar("T")

#: What a run's ``(:Run)`` node keeps of the provenance (``graph/runs``).
RUN_FIELDS: tuple[str, ...] = (
    "since", "until", "reference", "profile", "profile_json", "analyzed_at", "users_scored",
    "ranked", "edges", "events", "topics", "communities", "discounted_pairs", "engine",
    "spark_master", "spark_partitions",
)  # fmt: skip
#: What each ranked account's ``RANKED_IN`` keeps of its row, in ``STAGE_RANKED_IN``'s order.
RANKED_IN_FIELDS: tuple[str, ...] = (
    "id", "rank", "score", "role", "amplifiers", "topics", "topic_ranks", "reasons",
)  # fmt: skip
#: A run keeps the reasons of its top accounts only (what comparing two runs shows changed):
#: a few strings an account, for every ranked account of every run, would bloat the history.
REASONS_KEPT = 1_000
#: What a staged score keeps of its row, in ``STAGE_SCORES``'s order (the switch copies them).
STAGED_SCORE_KEYS: tuple[str, ...] = (
    "id", "score", "pagerank", "rank", "amplifiers", "acts", "communities_reached", "community",
    "betweenness", "core", "influence", "passivity", "role", "roles", "reasons", "topics",
    "topic_ranks", "top_amplifiers", "top_amplifier_shares", "top_posts", "top_post_amplifiers",
    "discounted", "hollow_account",
)  # fmt: skip
#: What :meth:`Store.amend_staged_scores` overwrites, in ``AMEND_STAGED_SCORES``'s order.
AMENDED_SCORE_KEYS: tuple[str, ...] = ("id", "betweenness", "role", "roles", "reasons")
#: What a staged topic rank keeps of its row, in ``STAGE_TOPIC_RANKS``'s order.
STAGED_TOPIC_RANK_KEYS: tuple[str, ...] = (
    "user_id", "topic", "score", "rank", "focus", "amplifiers",
)  # fmt: skip


class AnalysisNotSwitched(InvalidQuery):
    """What an analysis staged was incomplete when it was to be switched over (another
    write-back ran meanwhile?): nothing was changed, the previous run stands."""

    def __init__(self, run: int, expected: tuple[int, int], found: tuple[int, int]) -> None:
        super().__init__(
            f"the analysis run {run} was not switched over: {expected[0]:,} scores and "
            f"{expected[1]:,} topic ranks were staged but {found[0]:,} and {found[1]:,} were "
            "found (did another analysis run at the same time?); the previous analysis "
            "stands: run the analysis again"
        )


def _rows(items: Sequence[dict[str, Any]], keys: Sequence[str]) -> list[list[Any]]:
    """Each item's values in the order of ``keys`` (the staging statements' ``row[k]``)."""
    return [[item.get(key) for key in keys] for item in items]


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of at most ``size`` items."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _row(record: Any) -> dict[str, Any]:
    """A record as query parameters (``dataclasses.asdict`` deep-copies, and is slow)."""
    return {name: getattr(record, name) for name in _FIELDS[type(record)]}


_FIELDS: dict[type, tuple[str, ...]] = {
    kind: tuple(f.name for f in fields(kind)) for kind in (UserRow, PostRow, AmplificationRow)
}


def _count(rows: list[Row]) -> int:
    return int(rows[0]["n"]) if rows and rows[0].get("n") is not None else 0


def influencer_from_row(row: Row) -> Influencer:
    return Influencer(
        id=str(row["id"]),
        handle=str(row.get("handle") or row["id"]),
        name=str(row.get("name") or ""),
        rank=int(row["rank"]) if row.get("rank") is not None else 0,
        score=float(row.get("score") or 0.0),
        pagerank=float(row.get("pagerank") or 0.0),
        followers=int(row["followers"]) if row.get("followers") is not None else None,
        is_brand=bool(row.get("is_brand")),
        amplifiers=int(row.get("amplifiers") or 0),
        bio=str(row.get("bio") or ""),
        community=int(row["community"]) if row.get("community") is not None else None,
        betweenness=float(row.get("betweenness") or 0.0),
        core=int(row.get("core") or 0),
        role=str(row["role"]) if row.get("role") else None,
        roles=tuple(str(x) for x in row.get("roles") or ()),
        reasons=tuple(str(x) for x in row.get("reasons") or ()),
        topics=tuple(str(x) for x in row.get("topics") or ()),
        topic_ranks=tuple(int(x) for x in row.get("topic_ranks") or ()),
        acts=int(row.get("acts") or 0),
        communities_reached=int(row.get("communities_reached") or 0),
        influence=float(row.get("influence") or 0.0),
        top_amplifiers=tuple(str(x) for x in row.get("top_amplifiers") or ()),
        top_amplifier_shares=tuple(float(x) for x in row.get("top_amplifier_shares") or ()),
        top_posts=tuple(str(x) for x in row.get("top_posts") or ()),
    )


#: The query that shows every influencer.
EVERYONE = InfluencerQuery()


class Store:
    """The application's view of the graph database. The backend's owner closes it."""

    def __init__(self, backend: Backend, *, batch_size: int = 5_000) -> None:
        self.backend = backend
        self.batch_size = batch_size

    # -------------------------------------------- what features build on
    # A feature keeps its own Cypher (``graph/<feature>/queries.py``) and runs it here: the
    # store is the one way to the database.
    @property
    def backend_name(self) -> str:
        """``"falkordb"`` or ``"neo4j"``."""
        return self.backend.name

    def read(
        self, query: LiteralString, params: Params | None = None, *, timeout_ms: int | None = None
    ) -> list[Row]:
        """Run a read-only statement; its rows as dicts keyed by column."""
        return self.backend.read(query, params, timeout_ms=timeout_ms)

    def read_columns(
        self, query: LiteralString, params: Params | None = None, *, timeout_ms: int | None = None
    ) -> Columns:
        """A large read of plain values, by column (``{}`` when no rows)."""
        return self.backend.read_columns(query, params, timeout_ms=timeout_ms)

    def read_text_columns(
        self, query: LiteralString, params: Params | None = None, *, timeout_ms: int | None = None
    ) -> Columns:
        """``read_columns`` for results of strings, integers and nulls only: faster on
        FalkorDB, where a float or a boolean would come back as its text."""
        return self.backend.read_text_columns(query, params, timeout_ms=timeout_ms)

    def write(self, query: LiteralString, params: Params | None = None) -> list[Row]:
        """Run a statement that may write; its rows as dicts keyed by column."""
        return self.backend.write(query, params)

    def ping(self) -> None:
        """Raise ``GraphUnavailable`` unless the server answers."""
        self.backend.ping()

    def bulk_path(self) -> BulkSend | None:
        """The server's bulk path for building a new graph, None when it has none."""
        return self.backend.bulk_path()

    def clear(self) -> None:
        """Delete every node, relationship and index of this graph."""
        self.backend.clear()

    # ------------------------------------------------------------- schema
    def ensure_schema(self) -> None:
        self.backend.ensure_schema()

    # ------------------------------------------------------------- writes
    def upsert_users(self, users: Sequence[UserRow]) -> int:
        """Create or update users; return how many were new."""
        created = 0
        for chunk in batched(users, self.batch_size):
            rows = [_row(user) for user in chunk]
            created += self.backend.write_counted(
                queries.UPSERT_USERS, {"rows": rows}
            ).nodes_created
        return created

    def create_placeholder_users(self, ids: Iterable[str]) -> int:
        """Create minimal users for ids referenced but never listed; return how many were new."""
        created = 0
        for chunk in batched(sorted(set(ids)), self.batch_size):
            rows = self.backend.write(queries.CREATE_PLACEHOLDER_USERS, {"ids": chunk})
            created += int(rows[0]["created"]) if rows else 0
        return created

    def upsert_posts(self, posts: Sequence[PostRow]) -> int:
        """Create or update posts (authors must exist) and tag them; return how many were new."""
        created = 0
        for chunk in batched(posts, self.batch_size):
            rows = [{**_row(post), "topics": list(post.topics)} for post in chunk]
            created += self.backend.write_counted(
                queries.UPSERT_POSTS, {"rows": rows}
            ).nodes_created
            tagged = [{"id": row["id"], "topics": row["topics"]} for row in rows if row["topics"]]
            if tagged:
                self.backend.write(queries.TAG_POSTS, {"rows": tagged})
        return created

    def upsert_amplifications(self, events: Sequence[AmplificationRow]) -> int:
        """Write amplification events (both users must exist); return how many were new."""
        created = 0
        for chunk in batched(events, self.batch_size):
            rows = [_row(event) for event in chunk]
            counts = self.backend.write_counted(queries.UPSERT_AMPLIFICATIONS, {"rows": rows})
            created += counts.relationships_created
        return created

    def existing_posts(self, ids: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for chunk in batched(sorted(set(ids)), self.batch_size):
            found.update(
                str(row["id"]) for row in self.backend.read(queries.EXISTING_POSTS, {"ids": chunk})
            )
        return found

    def write_analysis(
        self,
        users: Sequence[dict[str, Any]],
        topic_authority: Sequence[dict[str, Any]],
        provenance: dict[str, Any],
        *,
        run: int,
        batch_size: int = 10_000,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        """Replace an analysis: user properties (the short form for accounts nobody amplified),
        ``INFLUENTIAL_IN`` relationships and ``(:Analysis {id: 'latest'})``; accounts an earlier
        run scored and this one did not lose their scores. ``run`` identifies this run.

        All or nothing: :meth:`stage_analysis`, then :meth:`switch_analysis`; until the switch
        every read sees the previous run whole."""
        self.stage_analysis(
            users, topic_authority, run=run, batch_size=batch_size, progress=progress
        )
        self.switch_analysis(run, len(users), len(topic_authority), provenance)

    def stage_analysis(
        self,
        users: Collection[dict[str, Any]],
        topic_authority: Collection[dict[str, Any]],
        *,
        run: int,
        batch_size: int = 10_000,
        progress: Callable[[int], None] | None = None,
        history: bool = True,
    ) -> None:
        """Write a run's rows by batches beside the current analysis, which reads still see,
        and its history: an incomplete ``(:Run {id: run})`` and (unless ``history`` is false:
        then :meth:`stage_history` writes them) a ``RANKED_IN`` for each ranked account. What
        an interrupted write-back staged, and the incomplete run it left, are deleted first."""
        self.ensure_schema()  # amend_staged_scores needs the index a graph loaded before lacks
        write = self.backend.write
        write(queries.CLEAR_STAGED_SCORES)
        write(queries.CLEAR_STAGED_TOPIC_RANKS)
        self._open_run(run)
        count = len(users)
        write_overlapped(
            write,
            queries.STAGE_SCORES,
            (
                {"rows": _rows(chunk, STAGED_SCORE_KEYS), "run": run}
                for chunk in batched(users, batch_size)
            ),
            sent=None if progress is None else lambda k: progress(min(k * batch_size, count)),
        )
        write_overlapped(
            write,
            queries.STAGE_TOPIC_RANKS,
            (
                {"rows": _rows(chunk, STAGED_TOPIC_RANK_KEYS), "run": run}
                for chunk in batched(topic_authority, batch_size)
            ),
        )
        if history:
            self.stage_history(users, run=run, batch_size=batch_size)

    def amend_staged_scores(
        self, users: Sequence[dict[str, Any]], *, run: int, batch_size: int = 10_000
    ) -> None:
        """Overwrite the ``AMENDED_SCORE_KEYS`` of scores :meth:`stage_analysis` staged for
        ``run`` (each row names its account by ``id``; a missing key unsets the property)."""
        write_overlapped(
            self.backend.write,
            queries.AMEND_STAGED_SCORES,
            (
                {"rows": _rows(chunk, AMENDED_SCORE_KEYS), "run": run}
                for chunk in batched(users, batch_size)
            ),
        )

    def stage_history(
        self, users: Collection[dict[str, Any]], *, run: int, batch_size: int = 10_000
    ) -> None:
        """A ``RANKED_IN`` to the incomplete ``(:Run {id: run})`` for each ranked account."""
        ranked = (
            [
                user.get(key) if key != "reasons" or user["rank"] <= REASONS_KEPT else None
                for key in RANKED_IN_FIELDS
            ]
            for user in users
            if user.get("rank") is not None
        )
        write_overlapped(
            self.backend.write,
            queries.STAGE_RANKED_IN,
            ({"rows": rows, "run": run} for rows in batched(ranked, batch_size)),
        )

    def switch_analysis(
        self,
        run: int,
        users: int,
        topic_ranks: int,
        provenance: dict[str, Any],
        *,
        started_at: str | None = None,
    ) -> None:
        """Put the staged run in place in one statement, or raise :class:`AnalysisNotSwitched`
        (nothing changed) unless ``users`` scores and ``topic_ranks`` ranks are staged. The
        same statement marks the run's ``(:Run)`` complete, with ``provenance`` and
        ``started_at`` / ``finished_at`` (ISO times; ``started_at`` defaults to the
        provenance's ``analyzed_at``)."""
        expected = {"run": run, "users": users, "ranks": topic_ranks}
        history = _run_history(provenance, started_at)
        try:
            self.backend.write(
                queries.SWITCH_TO_STAGED_ANALYSIS,
                {**expected, "provenance": {"run": run, **provenance}, "history": history},
            )
        except InvalidQuery as exc:
            rows = self.backend.read(queries.STAGED_COUNTS, {"run": run})
            found = (int(rows[0]["users"]), int(rows[0]["ranks"])) if rows else (0, 0)
            if found != (users, topic_ranks):
                raise AnalysisNotSwitched(run, (users, topic_ranks), found) from exc
            raise

    def record_run(
        self,
        users: Collection[dict[str, Any]],
        provenance: dict[str, Any],
        *,
        run: int,
        started_at: str | None = None,
        batch_size: int = 10_000,
    ) -> None:
        """Keep ``run`` in the history only: its ``(:Run)`` (complete once its ``RANKED_IN``
        are written, with ``provenance`` as :meth:`switch_analysis` records it) and a
        ``RANKED_IN`` for each ranked account; the accounts' scores stay as they are. What an
        interrupted write left incomplete is deleted first."""
        self._open_run(run)
        self.stage_history(users, run=run, batch_size=batch_size)
        self.backend.write(
            queries.COMPLETE_RUN, {"run": run, "history": _run_history(provenance, started_at)}
        )

    def _open_run(self, run: int) -> None:
        """An incomplete ``(:Run {id: run})``, once what an interrupted write left is deleted."""
        self.backend.write(queries.CLEAR_INCOMPLETE_RUNS)
        self.backend.write(queries.CREATE_INCOMPLETE_RUN, {"run": run})

    def prune_runs(self, keep: int) -> int:
        """Delete the complete runs (and their ``RANKED_IN``) beyond the ``keep`` newest; the
        latest analysis's run is never deleted. How many were deleted."""
        if keep < 1:
            raise ValueError(f"keep must be at least 1, not {keep}")
        rows = self.backend.write(queries.PRUNE_RUNS, {"keep": keep})
        return int(rows[0]["deleted"]) if rows else 0

    # -------------------------------------------------------------- reads
    def data_stamp(self) -> tuple[Any, Any, Any]:
        """``(latest analysis run, loads ended, edits made)``: what changes whenever what the
        explorer shows can (one statement, so never half of a switch)."""
        rows = self.backend.read(queries.DATA_STAMP)
        if not rows:
            return (None, None, None)
        return (rows[0]["run"], rows[0]["loads"], rows[0]["edits"])

    def count_an_edit(self) -> None:
        """Record an edit of what the pages show, such as a community's name (``data_stamp``
        changes)."""
        self.backend.write(queries.COUNT_AN_EDIT)

    def count_a_load(self) -> None:
        """Record that a load ended (``data_stamp`` changes)."""
        self.backend.write(queries.COUNT_A_LOAD)

    def is_empty(self) -> bool:
        """True when the graph holds no node at all."""
        return not self.backend.read(queries.ANY_NODE)

    def stats(self) -> GraphStats:
        read = self.backend.read
        return GraphStats(
            users=_count(read(queries.COUNT_USERS)),
            posts=_count(read(queries.COUNT_POSTS)),
            topics=_count(read(queries.COUNT_TOPICS)),
            amplifications=_count(read(queries.COUNT_AMPLIFICATIONS)),
            amplified_pairs=_count(read(queries.COUNT_AMPLIFIED_PAIRS)),
        )

    def brand_ids(self) -> set[str]:
        return {str(row["id"]) for row in self.backend.read(queries.BRAND_USERS)}

    def influencers(
        self,
        query: InfluencerQuery = EVERYONE,
        *,
        limit: int = 50,
        offset: int = 0,
        sort: SortKey = "rank",
    ) -> Page:
        """External influencers (brand accounts excluded), filtered by ``query``, in the
        requested order.

        With ``query.topic``, rank and score are the topic's (``INFLUENTIAL_IN``); ``role`` is
        the primary role; ``min_score`` applies to the score shown; ``ids`` keeps only those
        accounts (a text search's, :meth:`search_ids`).
        """
        filters: dict[str, Any] = {
            "role": query.role,
            "community": query.community,
            "min_score": query.min_score,
            "ids": None if query.ids is None else list(query.ids),
        }
        if query.topic is None:
            statement, count = queries.TOP_INFLUENCERS[sort], queries.COUNT_INFLUENCERS
        else:
            filters["topic"] = query.topic
            statement, count = (
                queries.TOP_INFLUENCERS_ON_TOPIC[sort],
                queries.COUNT_INFLUENCERS_ON_TOPIC,
            )
        rows = self.backend.read(statement, {"limit": limit, "offset": offset, **filters})
        total = _count(self.backend.read(count, filters))
        return Page(
            items=[influencer_from_row(row) for row in rows],
            total=total,
            limit=limit,
            offset=offset,
        )

    def latest_analysis(self) -> dict[str, Any] | None:
        """Provenance of the last analysis (profile, window, when), or None before any."""
        rows = self.backend.read(queries.LATEST_ANALYSIS)
        return dict(rows[0]) if rows else None

    def community_members(self) -> list[tuple[str, int]]:
        """``(user_id, community)`` for every analysed user, by community then id."""
        rows = self.backend.read(queries.COMMUNITY_MEMBERSHIP)
        return [(str(row["user_id"]), int(row["community"])) for row in rows]

    def brand_accounts(self) -> list[Influencer]:
        return [influencer_from_row(row) for row in self.backend.read(queries.BRAND_INFLUENCERS)]

    def users(self, ids: Sequence[str]) -> list[Influencer]:
        return [
            influencer_from_row(row)
            for row in self.backend.read(queries.USERS_BY_ID, {"ids": list(ids)})
        ]

    def user(self, user_id: str) -> Influencer:
        found = self.users([user_id])
        if not found:
            raise NodeNotFound("User", user_id)
        return found[0]

    def search_ids(self, text: str, *, limit: int = SEARCH_LIMIT) -> list[str]:
        """Ids of the accounts whose handle, name or bio match ``text`` (full-text, prefixes),
        best match first, at most ``limit``."""
        return self.backend.search_users(text, limit)

    def search_users(self, text: str, *, limit: int = 20) -> list[Influencer]:
        ids = self.search_ids(text, limit=limit)
        by_id = {user.id: user for user in self.users(ids)}
        return [by_id[key] for key in ids if key in by_id]


def _run_history(provenance: dict[str, Any], started_at: str | None) -> dict[str, Any]:
    """What a complete ``(:Run)`` records: the ``RUN_FIELDS`` of ``provenance``, when it
    started (default: the provenance's ``analyzed_at``) and finished (now)."""
    finished_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    history = {key: provenance[key] for key in RUN_FIELDS if key in provenance}
    history["started_at"] = started_at or provenance.get("analyzed_at") or finished_at
    history["finished_at"] = finished_at
    return history
