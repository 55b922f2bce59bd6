"""Lookalikes of a shortlist: accounts amplified by the same audience as several seeds."""

from __future__ import annotations

from fastapi import APIRouter

from api.error_responses import BAD_INPUT, not_found
from api.explorer_schemas import LookalikesIn, LookalikesOut
from api.routes.explorer_deps import ExplorerDep

router = APIRouter(prefix="/api", tags=["users"])


@router.post(
    "/lookalikes",
    response_model=LookalikesOut,
    responses={**not_found("user among the seeds"), **BAD_INPUT},
    summary="Accounts amplified by the same audience as a shortlist",
)
def shortlist_lookalikes(explorer: ExplorerDep, body: LookalikesIn) -> LookalikesOut:
    """The seeds' audience is every account that amplified any of them; candidates are ranked
    by how many of its members amplified them (or by similarity), seeds and brand left out."""
    found = explorer.lookalikes(
        body.user_ids, limit=body.limit, sort=body.sort, audience=body.audience
    )
    return LookalikesOut.model_validate(found, from_attributes=True)
