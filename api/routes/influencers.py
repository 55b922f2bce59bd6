"""Ranked external influencers, as JSON pages and as CSV."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from api.deps import LeaderboardDep, StoreDep
from api.schemas import InfluencerOut, InfluencerPage
from graph.roles import RoleName
from graph.store import SortKey
from web.csv_export import chunked, influencer_csv

router = APIRouter(prefix="/api", tags=["influencers"])

Limit = Annotated[int, Query(ge=1, le=500, description="page size")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="rows to skip")]
Sort = Annotated[SortKey, Query(description="rank (score), followers, amplifiers or handle")]
Topic = Annotated[
    str | None,
    Query(max_length=200, description="rank on this topic: rank and score are the topic's"),
]
Role = Annotated[RoleName | None, Query(description="primary role")]
Community = Annotated[int | None, Query(ge=0, description="community number")]
MinScore = Annotated[float | None, Query(ge=0, le=100, description="lowest score shown")]


@router.get("/influencers", response_model=InfluencerPage)
def list_influencers(
    store: StoreDep,
    leaderboard: LeaderboardDep,
    limit: Limit = 50,
    offset: Offset = 0,
    sort: Sort = "rank",
    topic: Topic = None,
    role: Role = None,
    community: Community = None,
    min_score: MinScore = None,
) -> InfluencerPage:
    """External influencers (the brand's own accounts excluded), filtered, sorted, paginated."""
    page = leaderboard.influencers(
        store,
        limit=limit,
        offset=offset,
        sort=sort,
        topic=topic,
        role=role,
        community=community,
        min_score=min_score,
    )
    return InfluencerPage(
        items=[InfluencerOut(**asdict(item)) for item in page.items],
        total=page.total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get(
    "/influencers.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "the list as CSV"}},
)
def influencers_csv(
    store: StoreDep,
    leaderboard: LeaderboardDep,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 1000,
    sort: Sort = "rank",
    topic: Topic = None,
    role: Role = None,
    community: Community = None,
    min_score: MinScore = None,
) -> StreamingResponse:
    """The same list as a CSV download (cells that a spreadsheet would run are neutralised)."""
    page = leaderboard.influencers(
        store,
        limit=limit,
        offset=0,
        sort=sort,
        topic=topic,
        role=role,
        community=community,
        min_score=min_score,
    )
    return StreamingResponse(
        chunked(influencer_csv(page.items)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="influencers.csv"'},
    )
