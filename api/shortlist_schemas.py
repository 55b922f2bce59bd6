"""Request and response models of the shortlist endpoints; user text stays data."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from api.params import NO_NUL
from api.schemas import NOT_BOOL
from graph.shortlists.lists import MAX_NAME, MAX_NOTE, MAX_TAG, MAX_TAGS
from graph.shortlists.target import MAX_COMMUNITIES, MAX_TOPICS

#: Something left once the ends are trimmed, and no NUL (see ``NO_NUL``): one character that
#: is neither white space (``\s``, and U+0085, which the trimming also removes) nor NUL.
FILLED = r"^[^\x00]*[^\s\x85\x00][^\x00]*$"
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME, pattern=FILLED),
]
Tag = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TAG, pattern=FILLED),
]


class ShortlistIn(BaseModel):
    name: Name = Field(description=f"1 to {MAX_NAME} characters")


class MemberIn(BaseModel):
    note: str = Field(default="", max_length=MAX_NOTE, pattern=NO_NUL)
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)
    cost: Annotated[float | None, NOT_BOOL] = Field(
        default=None,
        gt=0,
        le=1e12,
        description="what working with the account costs, in any unit (null: none set; a "
        "selection for a budget counts it as 1)",
    )


class ShortlistOut(BaseModel):
    id: str
    name: str
    created_at: str = Field(description="ISO 8601, UTC")
    updated_at: str = Field(description="ISO 8601, UTC: the last change to it or its members")
    profile: str | None = Field(description="the profile of the analysis it was started from")
    since: str | None
    until: str | None
    members: int


class ShortlistPageOut(BaseModel):
    items: list[ShortlistOut]
    total: int
    limit: int
    offset: int


class RunLabelOut(BaseModel):
    run: int = Field(description="the run's id (its stamp, epoch ms)")
    profile: str | None
    since: str | None
    until: str | None
    analyzed_at: str | None
    kept: bool = Field(
        description="false once the run history has dropped the run: the label is then what "
        "the shortlist copied when the member was added"
    )


class StandingOut(BaseModel):
    score: float | None
    rank: int | None = Field(description="overall rank; null when not ranked")
    role: str | None
    run: RunLabelOut | None = Field(description="the run these come from; null: none analysed")


class MemberOut(BaseModel):
    user_id: str
    handle: str
    name: str
    rank: int | None = Field(description="overall rank; null when not ranked")
    score: float
    role: str | None
    reasons: list[str]
    note: str
    tags: list[str]
    cost: float | None
    added_at: str
    added: StandingOut = Field(description="score, rank and role when first added, and that run")
    now: StandingOut = Field(description="score, rank and role now, and the latest run")
    rank_change: int | None = Field(
        description="ranks climbed since added (negative: fell); null unless ranked both times"
    )
    in_target: float | None = Field(
        default=None,
        description="share of its audience inside the shortlist's target (null: no target)",
    )


class TargetIn(BaseModel):
    topics: list[Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]] = Field(
        default_factory=list, max_length=MAX_TOPICS, description="topic ids"
    )
    communities: list[Annotated[int, Field(ge=0, le=1_000_000), NOT_BOOL]] = Field(
        default_factory=list, max_length=MAX_COMMUNITIES, description="community numbers"
    )


class TargetOut(BaseModel):
    topics: list[str]
    communities: list[int]


class ShortlistDetailOut(ShortlistOut):
    target: TargetOut = Field(description="where the campaign wants to be heard (empty: none)")
    latest_run: RunLabelOut | None = Field(description="the run the current scores come from")
    items: list[MemberOut] = Field(description="members, best rank first, unranked last")


class OverlapOut(BaseModel):
    members: list[str] = Field(description="member ids, largest audience first")
    audience: list[int] = Field(
        description="each member's distinct amplifiers, boosters and hollow accounts left out"
    )
    unique: list[int] = Field(description="of them, those no other member reaches")
    shared: list[list[float]] = Field(
        description="shared[i][j]: the share of member i's audience that member j reaches too"
    )
    union: int = Field(description="the distinct accounts the whole list reaches")


class SelectionIn(BaseModel):
    budget: Annotated[float, NOT_BOOL] = Field(
        gt=0, le=1e15, description="in the unit of the members' costs"
    )


class SelectionStepOut(BaseModel):
    member: str
    cost: float
    gain: int = Field(description="accounts it adds to those already reached")
    coverage: int = Field(description="accounts reached once it is picked")
    spent: float = Field(description="the budget spent once it is picked")


class SelectionOut(BaseModel):
    budget: float
    rule: str = Field(description="the greedy run that won: 'gain' or 'gain per cost'")
    steps: list[SelectionStepOut] = Field(description="the picks, in order: the coverage curve")
    coverage: int
    spent: float
    union: int = Field(description="what the whole list reaches")
    unit_cost: list[str] = Field(description="members without a cost, counted as costing 1")
