"""The explorer's pages, rendered by ``web``: the network, the influencer table, the overview,
the shortlists and the Cypher console."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from api.deps import StoreDep
from api.routes.influencers import Community, MinScore, Role, Topic
from graph.roles import ROLE_ORDER
from graph.subgraphs import top_network
from web.network import render_network_page, render_page, script_json

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


CONSOLE_EXAMPLES: tuple[dict[str, object], ...] = (
    {
        "label": "Thematic bloggers on a topic",
        "query": (
            "MATCH (u:User)-[i:INFLUENTIAL_IN]->(:Topic {id: 'vegan'})\n"
            "WHERE u.role = 'thematic_blogger'\n"
            "RETURN u.handle AS handle, u.community AS community, i.rank AS topic_rank,\n"
            "       i.focus AS focus, u.reasons AS reasons\n"
            "ORDER BY topic_rank ASC\n"
            "LIMIT 20"
        ),
        "params": {},
    },
    {
        "label": "Brand ambassadors by reach",
        "query": (
            "MATCH (u:User)\n"
            "WHERE 'brand_ambassador' IN u.roles AND u.rank IS NOT NULL\n"
            "RETURN u.handle AS handle, u.amplifiers AS amplifiers,\n"
            "       u.communities_reached AS communities, u.rank AS rank, u.topics AS topics\n"
            "ORDER BY rank ASC\n"
            "LIMIT 20"
        ),
        "params": {},
    },
    {
        "label": "Outside voices community 1 amplifies",
        "query": (
            "MATCH (a:User)-[:AMPLIFIED]->(u:User)\n"
            "WHERE a.community = 1 AND u.community <> 1 AND u.rank IS NOT NULL\n"
            "  AND coalesce(u.role, '') <> 'booster'\n"
            "WITH u, count(DISTINCT a) AS amplifiers_in_community\n"
            "RETURN u.handle AS handle, u.community AS home, amplifiers_in_community,\n"
            "       u.rank AS rank\n"
            "ORDER BY amplifiers_in_community DESC, rank ASC\n"
            "LIMIT 20"
        ),
        "params": {},
    },
    {
        "label": "Bloggers in a community, not yet shortlisted",
        "query": (
            "MATCH (u:User)-[i:INFLUENTIAL_IN]->(:Topic {id: $topic})\n"
            "WHERE u.role = 'thematic_blogger' AND u.community = $community\n"
            "  AND NOT (:Shortlist)-[:INCLUDES]->(u)\n"
            "RETURN u.handle AS handle, i.rank AS topic_rank\n"
            "ORDER BY topic_rank\n"
            "LIMIT 20"
        ),
        "params": {"topic": "vegan", "community": 1},
    },
)
"""The console page's example buttons: README's targeting queries, then one with parameters."""


@router.get("/shortlists", response_class=HTMLResponse)
def shortlists_page() -> HTMLResponse:
    """The shortlists; one opened shows its members with editable notes and tags, and a CSV."""
    return HTMLResponse(render_page("shortlists.html", title="Shortlists", roles=ROLE_ORDER))


@router.get("/console", response_class=HTMLResponse)
def console_page() -> HTMLResponse:
    """Read-only Cypher: a query, its parameters, the rows as a table and their graph."""
    page = render_page(
        "console.html",
        title="Console",
        roles=ROLE_ORDER,
        examples=CONSOLE_EXAMPLES,
        examples_json=script_json(CONSOLE_EXAMPLES),
    )
    return HTMLResponse(page)
