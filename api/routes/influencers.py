"""Ranked external influencers, as JSON pages and as CSV."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from api.analysis_window import WINDOW_RESPONSES, Since, Until, check_window
from api.deps import LeaderboardDep, StoreDep
from api.explorer_schemas import NO_NUL
from api.routes.explorer_deps import Limit, Offset
from api.schemas import InfluencerOut, InfluencerPage
from api.text_filter import Text, matching_ids
from graph.roles import RoleName
from graph.store import SortKey
from web.csv_export import chunked, influencer_csv

router = APIRouter(prefix="/api", tags=["influencers"])

Sort = Annotated[SortKey, Query(description="rank (score), followers, amplifiers or handle")]
Topic = Annotated[
    str | None,
    Query(
        max_length=200,
        pattern=NO_NUL,
        description="rank on this topic: rank and score are the topic's",
    ),
]
Role = Annotated[RoleName | None, Query(description="primary role")]
Community = Annotated[int | None, Query(ge=0, description="community number")]
MinScore = Annotated[float | None, Query(ge=0, le=100, description="lowest score shown")]


@router.get("/influencers", response_model=InfluencerPage, responses=WINDOW_RESPONSES)
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
    q: Text = None,
    since: Since = None,
    until: Until = None,
) -> InfluencerPage:
    """External influencers (the brand's own accounts excluded), filtered, sorted, paginated.
    ``q`` searches handles, names and bios; ``since``/``until`` must be the window of the
    latest analysis (its scores are the only ones there are), else 409."""
    check_window(store, since, until)
    page = leaderboard.influencers(
        store,
        limit=limit,
        offset=offset,
        sort=sort,
        topic=topic,
        role=role,
        community=community,
        min_score=min_score,
        ids=matching_ids(store, q),
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
    responses={
        200: {"content": {"text/csv": {}}, "description": "the list as CSV"},
        **WINDOW_RESPONSES,
    },
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
    q: Text = None,
    since: Since = None,
    until: Until = None,
) -> StreamingResponse:
    """The same list as a CSV download (cells that a spreadsheet would run are neutralised)."""
    check_window(store, since, until)
    page = leaderboard.influencers(
        store,
        limit=limit,
        offset=0,
        sort=sort,
        topic=topic,
        role=role,
        community=community,
        min_score=min_score,
        ids=matching_ids(store, q),
    )
    return StreamingResponse(
        chunked(influencer_csv(page.items)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="influencers.csv"'},
    )
