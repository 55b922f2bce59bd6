"""The external-reach lens for any accounts (the influencer table's "In target" column): each
one's share of its audience inside a target of topics and/or communities."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import StoreDep
from api.error_responses import BAD_INPUT, not_found
from api.params import NO_NUL
from api.shortlist_schemas import TargetIn
from graph.shortlists.target import Target, audiences_of, known_topics, target_shares

router = APIRouter(prefix="/api", tags=["shortlists"])
MAX_ACCOUNTS = 200


class TargetSharesIn(TargetIn):
    user_ids: list[Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]] = Field(
        min_length=1, max_length=MAX_ACCOUNTS, description="the accounts measured"
    )


class TargetShareOut(BaseModel):
    user_id: str
    audience: int = Field(description="distinct amplifiers, boosters and hollow accounts aside")
    in_target: float | None = Field(description="share of that audience inside the target")


class TargetSharesOut(BaseModel):
    items: list[TargetShareOut] = Field(description="the accounts that exist, in the order asked")


@router.post(
    "/target-shares",
    response_model=TargetSharesOut,
    responses={**BAD_INPUT, **not_found("topic")},
    summary="Each account's share of its audience inside a target",
)
def shares(store: StoreDep, body: TargetSharesIn) -> TargetSharesOut:
    """Where each account's audience sits: the share of its distinct amplifiers (boosters and
    hollow accounts aside) in the target's communities or engaged with its topics (null
    without a target or an audience). It only reads."""
    reach = audiences_of(store, body.user_ids)
    target = Target(tuple(known_topics(store, body.topics)), tuple(sorted(set(body.communities))))
    found = target_shares(store, reach, target)
    return TargetSharesOut(
        items=[
            TargetShareOut(user_id=user, audience=len(reach[user]), in_target=found[user])
            for user in dict.fromkeys(body.user_ids)
            if user in reach
        ]
    )
