"""Shortlists kept in the graph: create, list, read, add or annotate members, remove, export."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response
from fastapi.responses import StreamingResponse

from api.auth import AUTH_RESPONSES, TOKEN_REQUIRED
from api.deps import StoreDep
from api.error_responses import BAD_INPUT, DOWN, not_found
from api.params import NO_NUL, Limit, Offset, UserId
from api.shortlist_schemas import (
    MemberIn,
    MemberOut,
    OverlapOut,
    RunLabelOut,
    SelectionIn,
    SelectionOut,
    ShortlistDetailOut,
    ShortlistIn,
    ShortlistOut,
    ShortlistPageOut,
    StandingOut,
    TargetIn,
    TargetOut,
)
from graph.shortlists import overlap as reach
from graph.shortlists.lists import Member, RunLabel, Shortlist, Shortlists
from graph.shortlists.target import Target, get_target, set_target, target_shares
from web.csv_export import chunked
from web.shortlist_csv import CSV_COLUMNS, shortlist_csv_lines

__all__ = ["CSV_COLUMNS", "router"]

router = APIRouter(prefix="/api/shortlists", tags=["shortlists"])

ShortlistId = Annotated[
    str, Path(min_length=1, max_length=64, pattern=NO_NUL, description="the shortlist's id")
]


def get_shortlists(store: StoreDep) -> Shortlists:
    return Shortlists(store)


ShortlistsDep = Annotated[Shortlists, Depends(get_shortlists)]


def _out(shortlist: Shortlist) -> ShortlistOut:
    return ShortlistOut.model_validate(shortlist, from_attributes=True)


def _shares(shortlists: Shortlists, shortlist_id: str) -> tuple[Target, dict[str, float | None]]:
    """The list's target and each member's share of its audience inside it."""
    target = get_target(shortlists.store, shortlist_id)
    if target.empty:
        return target, {}
    audiences = reach.audiences(shortlists.store, shortlist_id)
    return target, target_shares(shortlists.store, audiences, target)


def _member(member: Member, in_target: float | None = None) -> MemberOut:
    user = member.user
    return MemberOut(
        user_id=user.id, handle=user.handle, name=user.name,
        rank=user.rank if user.rank > 0 else None, score=user.score, role=user.role,
        reasons=list(user.reasons), note=member.note, tags=list(member.tags),
        cost=member.cost, added_at=member.added_at,
        added=StandingOut.model_validate(member.added, from_attributes=True),
        now=StandingOut.model_validate(member.now, from_attributes=True),
        rank_change=member.rank_change, in_target=in_target,
    )  # fmt: skip


def _label(run: RunLabel | None) -> RunLabelOut | None:
    return None if run is None else RunLabelOut.model_validate(run, from_attributes=True)


@router.post(
    "", status_code=201, response_model=ShortlistOut,
    responses={**BAD_INPUT, **DOWN, **AUTH_RESPONSES}, summary="Start a shortlist",
    dependencies=[TOKEN_REQUIRED],
)  # fmt: skip
def create_shortlist(shortlists: ShortlistsDep, body: ShortlistIn) -> ShortlistOut:
    """A new empty shortlist; it records the profile and window of the latest analysis."""
    return _out(shortlists.create(body.name))


@router.get("", response_model=ShortlistPageOut, responses=DOWN, summary="The shortlists")
def list_shortlists(
    shortlists: ShortlistsDep, limit: Limit = 50, offset: Offset = 0
) -> ShortlistPageOut:
    """Shortlists, the most recently changed first, with their member counts."""
    page = shortlists.page(limit=limit, offset=offset)
    return ShortlistPageOut.model_validate(page, from_attributes=True)


@router.get(
    "/{shortlist_id}.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "as CSV"}, **not_found("list")},
    summary="A shortlist as CSV",
)
def shortlist_csv(shortlists: ShortlistsDep, shortlist_id: ShortlistId) -> StreamingResponse:
    """The columns of ``/api/influencers.csv`` (now) plus ``note``, ``tags``, ``added_at``, the
    latest run's ``profile``, ``since``, ``until``, ``analyzed_at``, ``run``, then the standing
    when added: ``added_score``, ``added_rank``, ``added_role``, ``added_run``,
    ``added_profile``, ``added_window``, ``added_analyzed_at``, ``added_run_kept``."""
    shortlist = shortlists.get(shortlist_id)
    members = shortlists.members(shortlist_id)
    _, shares = _shares(shortlists, shortlist_id)
    return StreamingResponse(
        chunked(shortlist_csv_lines(members, shortlists.latest_run(), shares)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="shortlist-{shortlist.id}.csv"'},
    )


@router.get(
    "/{shortlist_id}", response_model=ShortlistDetailOut, responses=not_found("shortlist"),
    summary="One shortlist and its members",
)  # fmt: skip
def get_shortlist(shortlists: ShortlistsDep, shortlist_id: ShortlistId) -> ShortlistDetailOut:
    """The shortlist and its members (handle, rank, score, role, reasons, note, tags), each
    with its standing when added and now, labelled with their runs."""
    shortlist = shortlists.get(shortlist_id)
    target, shares = _shares(shortlists, shortlist_id)
    items = [
        _member(member, shares.get(member.user.id)) for member in shortlists.members(shortlist_id)
    ]
    latest = _label(shortlists.latest_run())
    return ShortlistDetailOut(
        **_out(shortlist).model_dump(),
        target=TargetOut(topics=list(target.topics), communities=list(target.communities)),
        latest_run=latest,
        items=items,
    )


@router.put(
    "/{shortlist_id}/target", response_model=TargetOut,
    responses={**not_found("shortlist or topic"), **BAD_INPUT, **AUTH_RESPONSES},
    summary="Set the campaign target", dependencies=[TOKEN_REQUIRED],
)  # fmt: skip
def put_target(shortlists: ShortlistsDep, shortlist_id: ShortlistId, body: TargetIn) -> TargetOut:
    """Where the campaign wants to be heard: topics and/or communities (both empty: no
    target). Each member's share of its audience inside it shows on the list and its CSV."""
    target = set_target(shortlists.store, shortlist_id, body.topics, body.communities)
    return TargetOut(topics=list(target.topics), communities=list(target.communities))


@router.put(
    "/{shortlist_id}/members/{user_id}", response_model=MemberOut,
    responses={**not_found("shortlist or user"), **BAD_INPUT, **AUTH_RESPONSES},
    summary="Add or annotate a member", dependencies=[TOKEN_REQUIRED],
)  # fmt: skip
def put_member(
    shortlists: ShortlistsDep, shortlist_id: ShortlistId, user_id: UserId, body: MemberIn
) -> MemberOut:
    """Add the account with a note, tags and a cost, keeping its score, rank, role and the
    latest run as they are now; or replace its note, tags and cost (what was kept when added
    stays)."""
    member = shortlists.put_member(
        shortlist_id, user_id, note=body.note, tags=tuple(body.tags), cost=body.cost
    )
    return _member(member)


@router.delete(
    "/{shortlist_id}/members/{user_id}", status_code=204,
    responses={**not_found("shortlist or member"), **AUTH_RESPONSES}, summary="Remove a member",
    dependencies=[TOKEN_REQUIRED],
)  # fmt: skip
def remove_member(
    shortlists: ShortlistsDep, shortlist_id: ShortlistId, user_id: UserId
) -> Response:
    shortlists.remove_member(shortlist_id, user_id)
    return Response(status_code=204)


@router.delete(
    "/{shortlist_id}", status_code=204, responses={**not_found("shortlist"), **AUTH_RESPONSES},
    summary="Delete a shortlist", dependencies=[TOKEN_REQUIRED],
)  # fmt: skip
def delete_shortlist(shortlists: ShortlistsDep, shortlist_id: ShortlistId) -> Response:
    shortlists.delete(shortlist_id)
    return Response(status_code=204)


@router.get(
    "/{shortlist_id}/overlap",
    response_model=OverlapOut,
    responses={**not_found("shortlist"), **DOWN},
    summary="How much the members' audiences overlap",
)
def shortlist_overlap(store: StoreDep, shortlist_id: ShortlistId) -> OverlapOut:
    """Each member's audience (distinct amplifiers, leaving out boosters and hollow accounts),
    the share of it each other member reaches too, what it alone reaches, and the union."""
    return OverlapOut.model_validate(reach.overlap(store, shortlist_id), from_attributes=True)


@router.post(
    "/{shortlist_id}/selection",
    response_model=SelectionOut,
    responses={**not_found("shortlist"), **BAD_INPUT},
    summary="The members that reach the most accounts within a budget",
)
def shortlist_selection(
    store: StoreDep, shortlist_id: ShortlistId, body: SelectionIn
) -> SelectionOut:
    """The subset whose audiences together reach the most accounts for at most ``budget``
    (members' costs, 1 where none is set), by lazy greedy (CELF): the better of picking by
    gain and by gain per cost, never below (1 - 1/e) / 2 of the best subset; the steps are
    the coverage curve. It only reads."""
    chosen = reach.select(store, shortlist_id, body.budget)
    return SelectionOut.model_validate(chosen, from_attributes=True)
