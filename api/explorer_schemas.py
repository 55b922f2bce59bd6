"""Response and request models of the explorer's endpoints (users, networks, topics,
communities, lookalikes, analysis). Built from ``graph.explorer.models`` records with
``model_validate(record, from_attributes=True)``; user text stays data, never markup."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AliasChoices, BaseModel, Field

from api.params import NO_NUL
from api.schemas import NOT_BOOL, InfluencerOut
from graph.explorer.reads import AUDIENCE_LIMIT, LookalikeSort

#: How many lookalikes, the audience compared and the order: one definition for the query
#: parameters of ``GET /api/users/{id}/lookalikes`` and the body of ``POST /api/lookalikes``.
LookalikeCount = Annotated[int, Field(ge=1, le=200, description="how many lookalikes"), NOT_BOOL]
AudienceSize = Annotated[
    int, Field(ge=10, le=20_000, description="compare the N most engaged amplifiers"), NOT_BOOL
]
LookalikeOrder = Annotated[
    LookalikeSort, Field(description="shared (distinct amplifiers in common) or similarity")
]
LOOKALIKES = 20  # how many lookalikes by default


class AccountRefOut(BaseModel):
    id: str
    handle: str
    name: str
    rank: int | None = Field(description="overall rank; null for the brand's own accounts")
    score: float | None = Field(description="0-100 relative to the top account")
    role: str | None
    community: int | None
    amplifiers: int = Field(description="distinct accounts that amplified it")
    is_brand: bool


class ProfileOut(BaseModel):
    handle: str
    name: str
    bio: str
    url: str
    followers: int | None
    is_brand: bool
    platform: str
    placeholder: bool = Field(description="referenced by the data but never described")


class ScoresOut(BaseModel):
    score: float | None
    pagerank: float | None
    rank: int | None
    amplifiers: int
    acts: int
    communities_reached: int
    community: int | None
    betweenness: float | None
    core: int | None
    influence: float | None
    passivity: float | None
    discounted: int = Field(description="amplifier pairs not counted (boosting)")


class TopicStandingOut(BaseModel):
    topic: str
    rank: int = Field(description="1 = the topic's top external voice")
    score: float = Field(description="0-100 relative to the topic's top account")
    focus: float = Field(description="share of its received weight that came through the topic")
    amplifiers: int = Field(description="distinct amplifiers on the topic")


class TopAmplifierOut(BaseModel):
    account: AccountRefOut
    share: float = Field(description="share of the PageRank the account receives")


class TopPostOut(BaseModel):
    id: str
    text: str
    created_at: str | None = Field(description="ISO 8601, UTC")
    url: str
    amplifiers: int = Field(description="distinct accounts that amplified the post")
    topics: list[str]


class UserDetailOut(BaseModel):
    id: str
    # The JSON key stays ``profile`` (the API's contract); the record calls it its identity.
    profile: ProfileOut = Field(validation_alias=AliasChoices("identity", "profile"))
    scores: ScoresOut
    role: str | None
    roles: list[str]
    reasons: list[str]
    topics: list[TopicStandingOut] = Field(description="topics it is ranked on, best rank first")
    top_amplifiers: list[TopAmplifierOut]
    top_posts: list[TopPostOut]


class EdgeOut(BaseModel):
    source: str = Field(description="the amplifier")
    target: str = Field(description="the account amplified")
    events: int = Field(description="acts of amplification")
    weight: float = Field(description="volume-neutral weight (pair_weight, without recency)")
    kinds: list[str] = Field(description="the kinds of amplification between them")


class NetworkOut(BaseModel):
    nodes: list[InfluencerOut]
    edges: list[EdgeOut]
    truncated: bool = Field(description="more nodes qualified than the limit allowed")


class EgoNetworkOut(NetworkOut):
    center: str
    depth: int
    distance: dict[str, int] = Field(description="hops from the centre, per node id")


class TopicOut(BaseModel):
    topic: str
    ranked: int = Field(description="accounts ranked on the topic")
    amplifiers: int = Field(
        description="sum over the ranked accounts of their distinct amplifiers on the topic"
    )


class TopicPage(BaseModel):
    items: list[TopicOut]
    total: int
    limit: int
    offset: int


class CommunityTopicOut(BaseModel):
    topic: str
    members: int = Field(description="members whose best-ranked topic it is")


class CommunityOut(BaseModel):
    community: int
    name: str | None = Field(default=None, description="the analysts' name for it, if any")
    label: str = Field(
        default="", description="its name, else its top topics and top voice, as pages show it"
    )
    size: int = Field(description="analysed accounts in the community")
    ranked: int
    topics: list[CommunityTopicOut]
    top_members: list[AccountRefOut]


class CommunityPage(BaseModel):
    items: list[CommunityOut]
    total: int
    limit: int
    offset: int


class MemberPage(BaseModel):
    items: list[InfluencerOut]
    total: int
    limit: int
    offset: int


class CommunityDetailOut(CommunityOut):
    members: MemberPage


class LookalikeOut(BaseModel):
    account: AccountRefOut
    shared: int = Field(description="distinct amplifiers in common with the seeds")
    similarity: float = Field(description="shared / sqrt(audience used x its own amplifiers)")


class LookalikesOut(BaseModel):
    seeds: list[AccountRefOut]
    audience: int = Field(description="distinct accounts that amplified the seeds")
    audience_used: int = Field(description="the most engaged of them that were compared")
    items: list[LookalikeOut]


class LookalikesIn(BaseModel):
    user_ids: list[Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]] = Field(
        min_length=1, max_length=100, description="the seeds, e.g. a shortlist"
    )
    limit: LookalikeCount = LOOKALIKES
    sort: LookalikeOrder = "shared"
    audience: AudienceSize = AUDIENCE_LIMIT


class AnalysisOut(BaseModel):
    run: int | None
    profile: str
    settings: dict[str, Any] = Field(description="every weight and threshold of the profile")
    since: str | None
    until: str | None
    reference: str | None = Field(description="the time recency is measured from")
    analyzed_at: str | None
    users_scored: int
    ranked: int
    edges: int
    events: int
    topics: int
    communities: int
    discounted_pairs: int
