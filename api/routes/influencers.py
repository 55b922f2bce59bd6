"""Ranked external influencers, as JSON pages and as CSV."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from api.analysis_window import WINDOW_RESPONSES
from api.deps import LeaderboardDep, StoreDep
from api.influencer_filters import FiltersDep
from api.params import Limit, Offset
from api.schemas import InfluencerOut, InfluencerPage
from graph.store import SortKey
from web.csv_export import chunked, influencer_csv

router = APIRouter(prefix="/api", tags=["influencers"])

Sort = Annotated[SortKey, Query(description="rank (score), followers, amplifiers or handle")]


@router.get("/influencers", response_model=InfluencerPage, responses=WINDOW_RESPONSES)
def list_influencers(
    store: StoreDep,
    leaderboard: LeaderboardDep,
    filters: FiltersDep,
    limit: Limit = 50,
    offset: Offset = 0,
    sort: Sort = "rank",
) -> InfluencerPage:
    """External influencers (the brand's own accounts excluded), filtered, sorted, paginated.
    ``q`` searches handles, names and bios; ``since``/``until`` must be the window of the
    latest analysis (its scores are the only ones there are), else 409."""
    filters.check_window(store)
    page = leaderboard.influencers(
        store, filters.query(store), limit=limit, offset=offset, sort=sort
    )
    return InfluencerPage(
        items=[InfluencerOut.model_validate(item, from_attributes=True) for item in page.items],
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
    filters: FiltersDep,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 1000,
    sort: Sort = "rank",
) -> StreamingResponse:
    """The same list as a CSV download (cells that a spreadsheet would run are neutralised)."""
    filters.check_window(store)
    page = leaderboard.influencers(store, filters.query(store), limit=limit, sort=sort)
    return StreamingResponse(
        chunked(influencer_csv(page.items)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="influencers.csv"'},
    )
