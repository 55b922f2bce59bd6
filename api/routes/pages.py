"""The explorer's pages, rendered by ``web``: the network, the influencer table, the overview."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from api.deps import StoreDep
from api.routes.influencers import Community, MinScore, Role, Topic
from graph.roles import ROLE_ORDER
from graph.subgraphs import top_network
from web.network import render_network_page, render_page

router = APIRouter(tags=["pages"])

Focus = Annotated[str | None, Query(max_length=200, description="user id to select on load")]


@router.get("/", response_class=HTMLResponse)
def network_page(
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 150,
    topic: Topic = None,
    role: Role = None,
    community: Community = None,
    min_score: MinScore = None,
    focus: Focus = None,
) -> HTMLResponse:
    """The network of the top influencers (filtered like ``/api/influencers``), sized by score."""
    filters = {"topic": topic, "role": role, "community": community, "min_score": min_score}
    network = top_network(
        store, limit=limit, topic=topic, role=role, community=community, min_score=min_score
    )
    title = f"Top {len(network.nodes)} voices by amplification"
    if topic is not None:
        title += f" on {topic}"
    page = render_network_page(network, title=title, filters=filters, roles=ROLE_ORDER, focus=focus)
    return HTMLResponse(page)


@router.get("/influencers", response_class=HTMLResponse)
def influencers_page() -> HTMLResponse:
    """The ranked influencers as a sortable, filterable table with a CSV download."""
    return HTMLResponse(render_page("influencers.html", title="Influencers", roles=ROLE_ORDER))


@router.get("/overview", response_class=HTMLResponse)
def overview_page() -> HTMLResponse:
    """Topics by communities, the score distribution and the role counts."""
    return HTMLResponse(render_page("overview.html", title="Overview", roles=ROLE_ORDER))
