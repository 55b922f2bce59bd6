"""The shared vocabulary: plain, typed records passed between graph, loaders, api and web."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

AMPLIFICATION_KINDS: tuple[str, ...] = ("retweet", "quote", "reply", "mention", "share", "like")


@dataclass(frozen=True, slots=True)
class UserRow:
    """A user as loaders write it (``users.csv``)."""

    id: str
    handle: str
    name: str = ""
    followers: int | None = None
    bio: str = ""
    url: str = ""
    is_brand: bool = False
    platform: str = "twitter"


@dataclass(frozen=True, slots=True)
class PostRow:
    """A post as loaders write it (``posts.csv``); ``created_at`` in epoch milliseconds."""

    id: str
    author_id: str
    created_at: int
    text: str = ""
    topics: tuple[str, ...] = ()
    lang: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class AmplificationRow:
    """One act of amplification; the edge runs amplifier -> author."""

    id: str
    amplifier_id: str
    author_id: str
    kind: str
    created_at: int
    post_id: str = ""


@dataclass(frozen=True, slots=True)
class Influencer:
    """A ranked user, as the API lists and the explorer draws them."""

    id: str
    handle: str
    name: str
    rank: int
    score: float
    pagerank: float
    followers: int | None
    is_brand: bool
    amplifiers: int
    bio: str = ""
    community: int | None = None
    betweenness: float = 0.0
    core: int = 0
    role: str | None = None
    roles: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    topic_ranks: tuple[int, ...] = ()
    acts: int = 0
    communities_reached: int = 0
    influence: float = 0.0
    top_amplifiers: tuple[str, ...] = ()
    top_amplifier_shares: tuple[float, ...] = ()
    top_posts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NetworkEdge:
    """Aggregated amplification between two users: ``events`` acts, ``weight`` weighted,
    ``kinds`` the kinds of amplification among them (sorted)."""

    source: str
    target: str
    events: int
    weight: float
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Network:
    """A subgraph for the explorer: ranked users and the amplification among them."""

    nodes: list[Influencer]
    edges: list[NetworkEdge]


@dataclass(frozen=True, slots=True)
class GraphStats:
    """What the database holds."""

    users: int
    posts: int
    topics: int
    amplifications: int
    amplified_pairs: int


@dataclass(slots=True)
class Page:
    """One page of a sorted list, with the total for pagination."""

    items: list[Influencer]
    total: int
    limit: int
    offset: int
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class InfluencerQuery:
    """Which influencers a list shows, as every reader of the lists takes it (``Store``,
    ``Leaderboard``, ``top_network``): the topic whose ranks and scores are shown, the primary
    role, the community, the lowest score shown and the accounts a text search found (``ids``,
    None for no search). The default shows everyone."""

    topic: str | None = None
    role: str | None = None
    community: int | None = None
    min_score: float | None = None
    ids: tuple[str, ...] | None = None

    @property
    def filtered(self) -> bool:
        """True when any filter is set."""
        return self != InfluencerQuery()


def utc_iso(ms: int | None) -> str:
    """Epoch milliseconds as an ISO UTC date-time to the second; ``""`` for None.

    >>> utc_iso(1790812800000), utc_iso(None)
    ('2026-10-01T00:00:00Z', '')
    """
    if ms is None:
        return ""
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
