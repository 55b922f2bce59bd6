"""The explorer's pages, rendered by ``web``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from api.deps import StoreDep
from graph.subgraphs import top_network
from web.network import render_network_page

router = APIRouter(tags=["pages"])


@router.get("/", response_class=HTMLResponse)
def network_page(
    store: StoreDep, limit: Annotated[int, Query(ge=1, le=1000)] = 150
) -> HTMLResponse:
    """The network of the top influencers, sized by score."""
    network = top_network(store, limit=limit)
    title = f"Top {len(network.nodes)} voices by amplification"
    return HTMLResponse(render_network_page(network, title=title))
