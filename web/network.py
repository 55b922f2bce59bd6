"""The network page's graph: ranked influencers as vis-network node and edge records.

This is the one module in Resonance that imports pyvis. pyvis builds the vis-network node and
edge records; the page itself is our own Jinja template (autoescaped, :mod:`web.pages`) that
loads the vis-network files vendored under ``web/static/vendor`` so it works with no internet.
Sizes, colours and tooltips come from :mod:`web.appearance`, big networks' positions from
:mod:`web.layout`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from typing import Any, Final

from pyvis.edge import Edge as PyvisEdge
from pyvis.network import Network as PyvisNetwork

from graph.models import Network, NetworkEdge
from web.appearance import (
    BRAND_COLOURS,
    COMMUNITY_PALETTE,
    FONT,
    MAX_EDGE_WIDTH,
    MAX_NODE_SIZE,
    MIN_EDGE_WIDTH,
    MIN_NODE_SIZE,
    PERSON_COLOURS,
    at_handle,
    community_colour,
    finite,
    format_score,
    label_size,
    node_colour,
    node_info,
    node_size,
    node_title,
    plural,
    scaled,
)
from web.layout import LAYOUT_SEED, spring_layout

PHYSICS_NODE_LIMIT: Final = 300
"""Above this many nodes the browser gets a server-computed layout and physics stays off."""


def _options(*, physics: bool) -> dict[str, Any]:
    """vis-network options: barnes-hut stabilisation when small, a fixed layout when large."""
    options: dict[str, Any] = {
        "autoResize": True,
        "nodes": {
            "borderWidth": 1.5,
            "borderWidthSelected": 3,
            "font": {
                "face": FONT,
                "size": 13,
                "color": "#1f2433",
                "strokeWidth": 3,
                "strokeColor": "#ffffff",
            },
            "scaling": {"label": {"drawThreshold": 9}},
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.55}},
            "arrowStrikethrough": False,
            "color": {
                "color": "#9aa3b8",
                "highlight": "#e0a100",
                "hover": "#6c7a99",
                "opacity": 0.55,
            },
            "selectionWidth": 1.5,
            "smooth": {"enabled": physics, "type": "continuous", "roundness": 0.4},
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": not physics,
            "navigationButtons": False,
            "keyboard": False,
        },
    }
    if physics:
        options["layout"] = {"randomSeed": LAYOUT_SEED, "improvedLayout": True}
        options["physics"] = {
            "enabled": True,
            "solver": "barnesHut",
            "barnesHut": {
                "gravitationalConstant": -4000,
                "centralGravity": 0.3,
                "springLength": 110,
                "springConstant": 0.03,
                "damping": 0.15,
                "avoidOverlap": 0.6,
            },
            "stabilization": {
                "enabled": True,
                "iterations": 600,
                "updateInterval": 25,
                "fit": True,
            },
            "minVelocity": 0.75,
        }
    else:
        options["physics"] = {"enabled": False}
        options["layout"] = {"improvedLayout": False}
    return options


def _edge_title(edge: NetworkEdge, handles: dict[str, str]) -> str:
    source, target = at_handle(handles[edge.source]), at_handle(handles[edge.target])
    return (
        f"{source} amplified {target}\n"
        f"{plural(edge.events, 'time')} · weight {format_score(edge.weight)}"
    )


def build_network(network: Network) -> dict[str, Any]:
    """vis-network data for ``network``: ``{"nodes": [...], "edges": [...], "options": {...}}``.

    Nodes are sized by score (area proportional), brands are orange diamonds, people blue dots;
    edges point from the amplifier to the amplified author, wider for heavier weight. Edges
    with an end outside ``network.nodes`` are left out. Networks of more than
    ``PHYSICS_NODE_LIMIT`` nodes get ``x``/``y`` from a seeded spring layout and no physics.
    """
    physics = len(network.nodes) <= PHYSICS_NODE_LIMIT
    positions = {} if physics else spring_layout(network)
    # A server layout spans ~sqrt(n) times the spacing, so the fitted view is zoomed out that
    # much; bigger fonts keep the largest accounts named in the overview.
    label_boost = 1.0 if physics else max(1.0, math.sqrt(len(network.nodes)) / 9)
    max_score = max((finite(n.score) for n in network.nodes), default=0.0)
    handles = {influencer.id: influencer.handle for influencer in network.nodes}
    edges = [e for e in network.edges if e.source in handles and e.target in handles]
    max_weight = max((finite(e.weight) for e in edges), default=0.0)

    net = PyvisNetwork(directed=True)
    for influencer in network.nodes:
        size = node_size(influencer.score, max_score)
        place: dict[str, float] = {}
        if influencer.id in positions:
            place["x"], place["y"] = positions[influencer.id]
        net.add_node(
            influencer.id,
            label=influencer.handle,
            shape="diamond" if influencer.is_brand else "dot",
            color=node_colour(brand=influencer.is_brand, community=influencer.community),
            size=size,
            font={"size": round(label_size(size) * label_boost)},
            title=node_title(influencer),
            info=node_info(influencer),
            **place,
        )
    # pyvis' own add_edge looks both ends up in a list of every node (1,000 nodes and 3,500
    # edges: 75 ms); the ends are known to exist here, so the records are built directly.
    links: list[dict[str, Any]] = [
        PyvisEdge(
            edge.source,
            edge.target,
            True,
            width=scaled(edge.weight, max_weight, MIN_EDGE_WIDTH, MAX_EDGE_WIDTH),
            title=_edge_title(edge, handles),
        ).options
        for edge in edges
    ]
    nodes: list[dict[str, Any]] = list(net.nodes)
    return {"nodes": nodes, "edges": links, "options": _options(physics=physics)}


def view_data(network: Network, graph: Mapping[str, Any]) -> dict[str, Any]:
    """What the page's script needs besides the graph: the legend and the sizing of the nodes
    it adds itself (expanded neighbours), so they look like the server's."""
    members: defaultdict[int, int] = defaultdict(int)
    for influencer in network.nodes:
        if influencer.community is not None and not influencer.is_brand:
            members[influencer.community] += 1
    legend = [
        {"community": community, "colour": community_colour(community), "members": count}
        for community, count in sorted(members.items(), key=lambda item: (-item[1], item[0]))
    ]
    return {
        "legend": legend,
        "palette": list(COMMUNITY_PALETTE),
        "unassigned": PERSON_COLOURS[0],
        "brand": BRAND_COLOURS[0],
        "maxScore": max((finite(n.score) for n in network.nodes), default=0.0),
        "minSize": MIN_NODE_SIZE,
        "maxSize": MAX_NODE_SIZE,
        "physics": bool(graph["options"]["physics"]["enabled"]),
    }
