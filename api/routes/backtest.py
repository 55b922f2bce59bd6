"""The backtest as a background job (``POST /api/jobs/backtest``, polled and cancelled like the
others) and its page (``/backtest``): the form, the job's progress, the table and the chart."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from api.auth import TOKEN_REQUIRED, has_session
from api.deps import SettingsDep, StoreProvider
from api.error_responses import BAD_INPUT
from api.jobs import JobControl
from api.routes.jobs import BUSY, JobOut, JobsDep, submit_job
from api.routes.pages import LOGIN, page_locale
from api.schemas import NOT_BOOL
from graph.analysis.profile import NAME_PATTERN, list_profiles, load_profile
from graph.analysis.roles import ROLE_ORDER
from graph.backtest.run import backtest
from graph.backtest.split import SPLIT_PATTERN, parse_split
from web.pages import render_page

router = APIRouter(prefix="/api/jobs", tags=["jobs"])
page_router = APIRouter(tags=["pages"])

#: The most days a horizon may span (a century: beyond it every event is in).
MAX_HORIZON_DAYS = 36_500
RESPONSES: dict[int | str, dict[str, Any]] = {
    **BAD_INPUT,
    422: {
        **BAD_INPUT[422],
        "description": "invalid input, a split that is no share (1% to 99%) or moment, or an "
        "unknown profile",
    },
    **BUSY,
}


class BacktestIn(BaseModel):
    split: str = Field(
        default="70%",
        pattern=SPLIT_PATTERN,
        description="the share of the events before it (70%), or an ISO date or date-time "
        "(UTC unless it says; a bare date splits at the end of that day)",
    )
    horizon: Annotated[float | None, NOT_BOOL] = Field(
        default=None,
        ge=0.01,
        le=MAX_HORIZON_DAYS,
        description="days after the split counted as what happened next (null: all of them)",
    )
    k: Annotated[int, NOT_BOOL] = Field(
        default=100, ge=1, le=100_000, description="the top k of each ranking scored"
    )
    profile: str = Field(
        default="default", pattern=NAME_PATTERN, description="built-in (default, recent) or saved"
    )


@router.post(
    "/backtest",
    status_code=202,
    response_model=JobOut,
    responses=RESPONSES,
    dependencies=[TOKEN_REQUIRED],
)
def backtest_job(
    request: Request, runner: JobsDep, settings: SettingsDep, body: BacktestIn | None = None
) -> JobOut:
    """Rank the events before the split with the profile and the baselines (Klout-like volume,
    distinct amplifiers, unweighted PageRank, followers where known) and score each ranking on
    what happened after it, in the background. The result is the report: ``split``,
    ``horizon`` (empty for the end of the data), ``k``, ``profile``, the event and account
    counts, and ``methods`` (the profile's ranking first) with NDCG@k and precision@k on each
    outcome (distinct amplifiers, two-step reach). A backtest only reads, yet it takes the one
    job slot too: it never sees a load or an analysis half done."""
    wanted = body or BacktestIn()
    # An unknown profile (ProfileError) and a bad split (InvalidWindow) are 422s of the one
    # error handler (api/errors.py).
    profile = load_profile(wanted.profile, settings.data_dir)
    moment, share = parse_split(wanted.split, name="split")
    stores: StoreProvider = request.app.state.stores

    def work(control: JobControl) -> dict[str, Any]:
        report = backtest(
            stores.store(),
            split=moment,
            split_share=share,
            horizon_days=wanted.horizon,
            k=wanted.k,
            profile=profile,
            progress=control,  # raises Cancelled at the next step once the job is cancelled
        )
        return asdict(report)

    return submit_job(runner, "backtest", work)


@page_router.get("/backtest", response_class=HTMLResponse, dependencies=[LOGIN])
def backtest_page(request: Request, settings: SettingsDep) -> HTMLResponse:
    """The backtest: a form that starts the job, its progress, then the table of NDCG@k and
    precision@k per ranking and their chart."""
    profiles = [profile.name for profile in list_profiles(settings.data_dir)]
    page = render_page(
        "backtest.html",
        title="Backtest",
        roles=ROLE_ORDER,
        logged_in=has_session(request),
        profiles=profiles,
        locale=page_locale(request),
    )
    return HTMLResponse(page)
