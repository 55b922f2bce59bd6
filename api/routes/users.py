"""One account in depth, its ego network and its lookalikes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.error_responses import not_found
from api.explorer_schemas import (
    LOOKALIKES,
    AudienceSize,
    EgoNetworkOut,
    LookalikeCount,
    LookalikeOrder,
    LookalikesOut,
    UserDetailOut,
)
from api.params import NETWORK, NETWORK_FILE, NetworkLimit, UserId
from api.routes.explorer_deps import (
    ExplorerDep,
    NetworkFormat,
    network_download,
    network_fields,
)
from api.run_schemas import PastRun
from api.run_views import is_past, user_in_run
from graph.explorer.reads import AUDIENCE_LIMIT

router = APIRouter(prefix="/api/users", tags=["users"])

Depth = Annotated[int, Query(ge=1, le=2, description="1: direct neighbours; 2: theirs too")]
# The same bounds and words as the body of ``POST /api/lookalikes``, as query parameters.
LookalikeLimit = Annotated[LookalikeCount, Query()]
Sort = Annotated[LookalikeOrder, Query()]
Audience = Annotated[AudienceSize, Query()]


@router.get(
    "/{user_id}",
    response_model=UserDetailOut,
    responses=not_found("user"),
    summary="One account in depth",
)
def user_detail(explorer: ExplorerDep, user_id: UserId, run: PastRun = None) -> UserDetailOut:
    """Profile, scores, role and reasons, topic ranks, top amplifiers (with handles and
    shares) and top posts (with text, date, URL and distinct amplifiers). With ``run`` (a
    kept run, ``GET /api/runs``): rank, score, amplifiers, role and topic ranks as that run
    had them, and nothing of what the history does not keep."""
    detail = explorer.user(user_id)
    if run is not None and is_past(explorer.store, run):
        detail = user_in_run(explorer.store, detail, run)
    return UserDetailOut.model_validate(detail, from_attributes=True)


@router.get(
    "/{user_id}/network",
    response_model=EgoNetworkOut,
    responses=not_found("user"),
    summary="The account's ego network",
)
def ego_network(
    explorer: ExplorerDep, user_id: UserId, depth: Depth = 1, limit: NetworkLimit = NETWORK
) -> EgoNetworkOut:
    """The account, the accounts that amplified it or that it amplified and, at depth 2,
    their neighbours (ring by ring, best score first, at most ``limit`` nodes), with the
    aggregated amplification among them."""
    view = explorer.ego_network(user_id, depth=depth, limit=limit)
    return EgoNetworkOut.model_validate(
        {
            **network_fields(view),
            "center": user_id,
            "depth": depth,
            "distance": view.distance,
        },
        from_attributes=True,
    )


@router.get(
    "/{user_id}/network.{file_format}",
    response_class=Response,
    responses={**not_found("user"), **NETWORK_FILE},
    summary="The account's ego network as a GEXF or GraphML file",
)
def ego_network_file(
    explorer: ExplorerDep,
    user_id: UserId,
    file_format: NetworkFormat,
    depth: Depth = 1,
    limit: NetworkLimit = NETWORK,
) -> Response:
    """``/network`` with the same parameters, as a file: node attributes score, rank, role,
    community, topic ranks and hops from the account; edge attributes weight, acts, kinds."""
    view = explorer.ego_network(user_id, depth=depth, limit=limit)
    return network_download(view, file_format, f"ego-{user_id}")


@router.get(
    "/{user_id}/lookalikes",
    response_model=LookalikesOut,
    responses=not_found("user"),
    summary="Accounts amplified by the same audience",
)
def user_lookalikes(
    explorer: ExplorerDep,
    user_id: UserId,
    limit: LookalikeLimit = LOOKALIKES,
    sort: Sort = "shared",
    audience: Audience = AUDIENCE_LIMIT,
) -> LookalikesOut:
    """Accounts that the account's amplifiers also amplify, by distinct amplifiers in common
    (or by similarity), the account itself and the brand's accounts left out."""
    found = explorer.lookalikes([user_id], limit=limit, sort=sort, audience=audience)
    return LookalikesOut.model_validate(found, from_attributes=True)
