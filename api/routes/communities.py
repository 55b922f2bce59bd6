"""Communities: an overview, one community with its members, and its network."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, Field

from api.auth import AUTH_RESPONSES, TOKEN_REQUIRED
from api.deps import StoreDep
from api.error_responses import BAD_INPUT, DOWN, not_found
from api.explorer_schemas import CommunityDetailOut, CommunityOut, CommunityPage, NetworkOut
from api.params import NETWORK, NETWORK_FILE, PAGE, Limit, NetworkLimit, Offset
from api.routes.explorer_deps import (
    ExplorerDep,
    NetworkFormat,
    network_download,
    network_fields,
)
from api.shortlist_schemas import FILLED
from graph.explorer.community_names import (
    MAX_NAME,
    clear_community_name,
    community_names,
    name_community,
    topic_label,
)
from graph.explorer.models import CommunitySummary

router = APIRouter(prefix="/api/communities", tags=["communities"])

CommunityId = Annotated[int, Path(ge=0, le=2**31, description="the community's number")]


class CommunityNameIn(BaseModel):
    name: str = Field(
        min_length=1, max_length=MAX_NAME, pattern=FILLED, description="what it is about"
    )


class CommunityNameOut(BaseModel):
    community: int
    name: str | None


def _out(summary: CommunitySummary, names: dict[int, str]) -> CommunityOut:
    out = CommunityOut.model_validate(summary, from_attributes=True)
    name = names.get(summary.community)
    return out.model_copy(update={"name": name, "label": name or topic_label(summary)})


@router.get("", response_model=CommunityPage, responses=DOWN, summary="Communities")
def list_communities(
    explorer: ExplorerDep, limit: Limit = PAGE, offset: Offset = 0
) -> CommunityPage:
    """Communities, largest first: size, the topics their members rank best on, and their
    best-ranked members."""
    items, total = explorer.communities(limit=limit, offset=offset)
    names = community_names(explorer.store)
    return CommunityPage(
        items=[_out(item, names) for item in items],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/{community}",
    response_model=CommunityDetailOut,
    responses=not_found("community"),
    summary="One community and its members",
)
def community_detail(
    explorer: ExplorerDep, community: CommunityId, limit: Limit = PAGE, offset: Offset = 0
) -> CommunityDetailOut:
    """The community's summary and a page of its members, best rank first (unranked last)."""
    found = explorer.community(community, limit=limit, offset=offset)
    summary = _out(found.summary, community_names(explorer.store))
    return CommunityDetailOut.model_validate(
        {
            **summary.model_dump(),
            "members": {
                "items": found.members,
                "total": found.total,
                "limit": found.limit,
                "offset": found.offset,
            },
        },
        from_attributes=True,
    )


@router.get(
    "/{community}/network",
    response_model=NetworkOut,
    responses=not_found("community"),
    summary="A community's top members and the amplification among them",
)
def community_network(
    explorer: ExplorerDep, community: CommunityId, limit: NetworkLimit = NETWORK
) -> NetworkOut:
    """The community's best-ranked members and the aggregated amplification among them."""
    view = explorer.community_network(community, limit=limit)
    return NetworkOut.model_validate(network_fields(view), from_attributes=True)


@router.get(
    "/{community}/network.{file_format}",
    response_class=Response,
    responses={**not_found("community"), **NETWORK_FILE},
    summary="A community's network as a GEXF or GraphML file",
)
def community_network_file(
    explorer: ExplorerDep,
    community: CommunityId,
    file_format: NetworkFormat,
    limit: NetworkLimit = NETWORK,
) -> Response:
    """``/network`` with the same parameters, as a file."""
    view = explorer.community_network(community, limit=limit)
    return network_download(view, file_format, f"community-{community}")


@router.put(
    "/{community}/name",
    response_model=CommunityNameOut,
    responses={**not_found("community"), **BAD_INPUT, **AUTH_RESPONSES},
    dependencies=[TOKEN_REQUIRED],
    summary="Name a community",
)
def put_name(store: StoreDep, community: CommunityId, body: CommunityNameIn) -> CommunityNameOut:
    """The analyst's name for the community, kept in the graph and anchored on its best-ranked
    member, whom it follows across later analyses."""
    return CommunityNameOut(
        community=community, name=name_community(store, community, body.name.strip())
    )


@router.delete(
    "/{community}/name",
    response_model=CommunityNameOut,
    responses=AUTH_RESPONSES,
    dependencies=[TOKEN_REQUIRED],
    summary="Forget a community's name",
)
def delete_name(store: StoreDep, community: CommunityId) -> CommunityNameOut:
    """Back to the label made from its top topics and top voice."""
    clear_community_name(store, community)
    return CommunityNameOut(community=community, name=None)
