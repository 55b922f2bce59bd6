"""What the explorer's reads return: one account in depth, views of the network, summaries.

Plain, typed records built by :mod:`graph.explorer.reads` (with the row readers at the end of this
module); the API turns them into JSON. User text (handles, names, bios, post text) is carried as
data, never as markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from graph.backends.base import Row
from graph.models import Influencer, Network


@dataclass(frozen=True, slots=True)
class AccountRef:
    """An account as other records mention it: who it is and where it stands."""

    id: str
    handle: str
    name: str = ""
    rank: int | None = None
    score: float | None = None
    role: str | None = None
    community: int | None = None
    amplifiers: int = 0
    is_brand: bool = False


@dataclass(frozen=True, slots=True)
class AccountIdentity:
    """Who the account is, as the loaded data said (not to be confused with a scoring
    ``Profile`` of ``graph.analysis.profile``)."""

    handle: str
    name: str
    bio: str
    url: str
    followers: int | None
    is_brand: bool
    platform: str
    placeholder: bool


@dataclass(frozen=True, slots=True)
class UserScores:
    """What the last analysis wrote on the account (None: not computed for it)."""

    score: float | None = None
    pagerank: float | None = None
    rank: int | None = None
    amplifiers: int = 0
    acts: int = 0
    communities_reached: int = 0
    community: int | None = None
    betweenness: float | None = None
    core: int | None = None
    influence: float | None = None
    passivity: float | None = None
    discounted: int = 0


@dataclass(frozen=True, slots=True)
class TopicStanding:
    """The account's ``INFLUENTIAL_IN`` relationship to one topic."""

    topic: str
    rank: int
    score: float
    focus: float
    amplifiers: int


@dataclass(frozen=True, slots=True)
class TopAmplifier:
    """One of the amplifiers contributing most to the account's PageRank, with its share."""

    account: AccountRef
    share: float


@dataclass(frozen=True, slots=True)
class TopPost:
    """One of the account's posts amplified by the most distinct accounts."""

    id: str
    text: str
    created_at: str | None  # ISO 8601, UTC
    url: str
    amplifiers: int  # distinct accounts that amplified it
    topics: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class UserDetail:
    """One account in depth: identity, scores, role and the evidence behind them."""

    id: str
    identity: AccountIdentity
    scores: UserScores
    role: str | None
    roles: tuple[str, ...]
    reasons: tuple[str, ...]
    topics: tuple[TopicStanding, ...]
    top_amplifiers: tuple[TopAmplifier, ...]
    top_posts: tuple[TopPost, ...]


@dataclass(frozen=True, slots=True)
class Subgraph:
    """A network view capped at a number of nodes; ``truncated`` when more qualified."""

    network: Network
    truncated: bool
    distance: dict[str, int] = field(default_factory=dict)  # ego views: hops from the centre


@dataclass(frozen=True, slots=True)
class TopicSummary:
    """A topic the analysis ranked accounts on."""

    topic: str
    ranked: int  # accounts ranked on it
    amplifiers: int  # sum over them of their distinct amplifiers on the topic


@dataclass(frozen=True, slots=True)
class CommunityTopic:
    """A topic in a community: how many members have it as their best-ranked topic."""

    topic: str
    members: int


@dataclass(frozen=True, slots=True)
class CommunitySummary:
    """A community: its size, what its members are ranked on, and its best-ranked members."""

    community: int
    size: int
    ranked: int
    topics: tuple[CommunityTopic, ...]
    top_members: tuple[AccountRef, ...]


@dataclass(frozen=True, slots=True)
class CommunityDetail:
    """A community's summary and one page of its members, best rank first."""

    summary: CommunitySummary
    members: list[Influencer]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True, slots=True)
class Lookalike:
    """A candidate amplified by the seeds' audience: ``shared`` distinct amplifiers in common."""

    account: AccountRef
    shared: int
    similarity: float  # shared / sqrt(audience used * the candidate's distinct amplifiers)


@dataclass(frozen=True, slots=True)
class Lookalikes:
    """Accounts amplified by the same audience as ``seeds``."""

    seeds: tuple[AccountRef, ...]
    audience: int  # distinct accounts that amplified any seed
    audience_used: int  # the most engaged of them that the comparison used
    items: list[Lookalike]


@dataclass(frozen=True, slots=True)
class AnalysisInfo:
    """Provenance of the latest analysis."""

    run: int | None
    profile: str
    settings: dict[str, object]
    since: str | None
    until: str | None
    reference: str | None
    analyzed_at: str | None
    users_scored: int
    ranked: int
    edges: int
    events: int
    topics: int
    communities: int
    discounted_pairs: int


# ------------------------------------------------------------------ from query rows
def optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def optional_float(value: Any) -> float | None:
    return None if value is None else float(value)


def strings(value: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in value or ())


def iso(ms: Any) -> str | None:
    """Epoch milliseconds as ISO 8601 UTC (the analysis' format); None when not a number.

    >>> iso(1790000000000)
    '2026-09-21T14:13:20Z'
    """
    if not isinstance(ms, int | float) or isinstance(ms, bool):
        return None
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def account_from_row(row: Row) -> AccountRef:
    return AccountRef(
        id=str(row["id"]),
        handle=str(row.get("handle") or row["id"]),
        name=str(row.get("name") or ""),
        rank=optional_int(row.get("rank")),
        score=optional_float(row.get("score")),
        role=str(row["role"]) if row.get("role") else None,
        community=optional_int(row.get("community")),
        amplifiers=int(row.get("amplifiers") or 0),
        is_brand=bool(row.get("is_brand")),
    )


def identity_from_row(row: Row) -> AccountIdentity:
    return AccountIdentity(
        handle=str(row.get("handle") or row["id"]),
        name=str(row.get("name") or ""),
        bio=str(row.get("bio") or ""),
        url=str(row.get("url") or ""),
        followers=optional_int(row.get("followers")),
        is_brand=bool(row.get("is_brand")),
        platform=str(row.get("platform") or ""),
        placeholder=bool(row.get("placeholder")),
    )


def scores_from_row(row: Row) -> UserScores:
    return UserScores(
        score=optional_float(row.get("score")),
        pagerank=optional_float(row.get("pagerank")),
        rank=optional_int(row.get("rank")),
        amplifiers=int(row.get("amplifiers") or 0),
        acts=int(row.get("acts") or 0),
        communities_reached=int(row.get("communities_reached") or 0),
        community=optional_int(row.get("community")),
        betweenness=optional_float(row.get("betweenness")),
        core=optional_int(row.get("core")),
        influence=optional_float(row.get("influence")),
        passivity=optional_float(row.get("passivity")),
        discounted=int(row.get("discounted") or 0),
    )


def standing_from_row(row: Row) -> TopicStanding:
    return TopicStanding(
        topic=str(row["topic"]),
        rank=int(row["rank"]),
        score=float(row["score"]),
        focus=float(row["focus"]),
        amplifiers=int(row["amplifiers"]),
    )


def post_from_row(key: str, row: Row | None, amplifiers: int) -> TopPost:
    """A top post; ``row`` is None when the post itself was never loaded."""
    row = row or {}
    return TopPost(
        id=key,
        text=str(row.get("text") or ""),
        created_at=iso(row.get("created_at")),
        url=str(row.get("url") or ""),
        amplifiers=amplifiers,
        topics=tuple(sorted(strings(row.get("topics")))),
    )


def community_summary(
    community: int, rows: Iterable[Row], leaders: Iterable[AccountRef]
) -> CommunitySummary:
    """A community from its rows of (best-ranked topic, members, ranked)."""
    rows = list(rows)
    topics = sorted(
        (CommunityTopic(str(row["topic"]), int(row["members"])) for row in rows if row["topic"]),
        key=lambda t: (-t.members, t.topic),
    )
    return CommunitySummary(
        community=community,
        size=sum(int(row["members"]) for row in rows),
        ranked=sum(int(row["ranked"]) for row in rows),
        topics=tuple(topics),
        top_members=tuple(leaders),
    )
