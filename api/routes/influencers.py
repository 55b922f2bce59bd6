"""Ranked external influencers, as JSON pages and as CSV."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from api.analysis_window import WINDOW_RESPONSES
from api.deps import LeaderboardDep, StoreDep
from api.error_responses import ErrorOut
from api.influencer_filters import FiltersDep
from api.params import Limit, Offset
from api.run_schemas import PastRun
from api.run_views import influencer_page
from api.schemas import InfluencerOut, InfluencerPage
from graph.store import SortKey
from web.csv_export import chunked, influencer_csv

router = APIRouter(prefix="/api", tags=["influencers"])

#: A ``run`` that is not kept is a 404.
LIST_RESPONSES = {**WINDOW_RESPONSES, 404: {"model": ErrorOut, "description": "no such run"}}
Sort = Annotated[SortKey, Query(description="rank (score), followers, amplifiers or handle")]


@router.get("/influencers", response_model=InfluencerPage, responses=LIST_RESPONSES)
def list_influencers(
    store: StoreDep,
    leaderboard: LeaderboardDep,
    filters: FiltersDep,
    limit: Limit = 50,
    offset: Offset = 0,
    sort: Sort = "rank",
    run: PastRun = None,
) -> InfluencerPage:
    """External influencers (the brand's own accounts excluded), filtered, sorted, paginated.
    ``q`` searches handles, names and bios; ``since``/``until`` must be the window of the
    latest analysis (or of ``run``), else 409. With ``run`` (a kept run, ``GET /api/runs``)
    rank, score, role, amplifiers and topic ranks are that run's; topic and community filters
    need the latest run."""
    page = influencer_page(store, leaderboard, filters, run, limit=limit, offset=offset, sort=sort)
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
        **LIST_RESPONSES,
    },
)
def influencers_csv(
    store: StoreDep,
    leaderboard: LeaderboardDep,
    filters: FiltersDep,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 1000,
    sort: Sort = "rank",
    run: PastRun = None,
) -> StreamingResponse:
    """The same list as a CSV download (cells that a spreadsheet would run are neutralised)."""
    page = influencer_page(store, leaderboard, filters, run, limit=limit, sort=sort)
    return StreamingResponse(
        chunked(influencer_csv(page.items)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="influencers.csv"'},
    )
