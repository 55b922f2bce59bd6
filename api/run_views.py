"""The influencer lists and an account's details as a past run saw them (the ``run``
parameter): the latest run is read as before, any other from its history (``graph.runs``)."""

from __future__ import annotations

from dataclasses import replace

from api.influencer_filters import InfluencerFilters
from graph.explorer.leaderboard import Leaderboard
from graph.explorer.models import TopicStanding, UserDetail, UserScores
from graph.models import Page
from graph.runs.history import get_run, latest_run
from graph.runs.models import RunStanding
from graph.runs.past_rankings import run_influencers, standing
from graph.store import SortKey, Store


def is_past(store: Store, run: int | None) -> bool:
    """True when ``run`` names a run other than the latest analysis's."""
    return run is not None and run != latest_run(store)


def influencer_page(
    store: Store,
    leaderboard: Leaderboard,
    filters: InfluencerFilters,
    run: int | None,
    *,
    limit: int,
    offset: int = 0,
    sort: SortKey = "rank",
) -> Page:
    """The filtered page of the latest ranking, or of run ``run`` (404 when it is not kept;
    409 when ``since``/``until`` are not that run's window)."""
    if run is None or not is_past(store, run):
        filters.check_window(store)
        return leaderboard.influencers(
            store, filters.query(store), limit=limit, offset=offset, sort=sort
        )
    info = get_run(store, run)
    filters.check_window(store, covered={"since": info.since, "until": info.until})
    return run_influencers(store, run, filters.query(store), limit=limit, offset=offset, sort=sort)


def past_detail(detail: UserDetail, found: RunStanding | None) -> UserDetail:
    """``detail`` (the account now) with the run's standing instead of the latest scores: rank,
    score, amplifiers, role and topic ranks as the run had them. What the history does not
    keep (PageRank, community, reasons, top amplifiers and posts, topic scores) is empty."""
    if found is None:
        return replace(
            detail, scores=UserScores(), role=None, roles=(), reasons=(), topics=(),
            top_amplifiers=(), top_posts=(),
        )  # fmt: skip
    topics = tuple(
        TopicStanding(topic=topic, rank=rank, score=0.0, focus=0.0, amplifiers=0)
        for topic, rank in sorted(zip(found.topics, found.topic_ranks, strict=False), key=_by_rank)
    )
    return replace(
        detail,
        scores=UserScores(score=found.score, rank=found.rank, amplifiers=found.amplifiers),
        role=found.role,
        roles=(found.role,) if found.role else (),
        reasons=(),
        topics=topics,
        top_amplifiers=(),
        top_posts=(),
    )


def _by_rank(item: tuple[str, int]) -> tuple[int, str]:
    return item[1], item[0]


def user_in_run(store: Store, detail: UserDetail, run: int) -> UserDetail:
    """``detail`` as run ``run`` saw the account (404 when the run is not kept)."""
    return past_detail(detail, standing(store, run, detail.id))
