"""The network page: ranked influencers drawn as an interactive, offline vis-network graph.

This is the one module in Resonance that imports pyvis. pyvis builds the vis-network node and
edge records; the page itself is our own Jinja template (autoescaped) that loads the vis-network
files vendored under ``web/static/vendor`` so it works with no internet.

Security: every piece of user text reaches the HTML either through Jinja autoescape or inside
the ``<script type="application/json">`` block written by :func:`script_json`, which cannot close
the script element. Tooltips (``title``) are plain strings, which vis-network 9 shows as text
(``Popup.setText`` assigns ``innerText``), so they are never HTML-escaped here.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Mapping
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Final

import igraph as ig
import numpy as np
import numpy.typing as npt
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from pyvis.edge import Edge as PyvisEdge
from pyvis.network import Network as PyvisNetwork

from graph.algorithms.seeded import seeded
from graph.models import Influencer, Network, NetworkEdge

__all__ = [
    "COMMUNITY_PALETTE",
    "PHYSICS_NODE_LIMIT",
    "build_network",
    "community_colour",
    "format_score",
    "node_size",
    "render_network_page",
    "render_page",
    "script_json",
    "static_dir",
    "view_data",
]

MIN_NODE_SIZE: Final = 8.0
MAX_NODE_SIZE: Final = 48.0
MIN_LABEL_SIZE: Final = 12
MAX_LABEL_SIZE: Final = 24
MIN_EDGE_WIDTH: Final = 0.75
MAX_EDGE_WIDTH: Final = 6.0
PHYSICS_NODE_LIMIT: Final = 300
"""Above this many nodes the browser gets a server-computed layout and physics stays off."""
LAYOUT_SEED: Final = 42
LAYOUT_SPACING: Final = 70.0
LAYOUT_GRAVITY: Final = 0.05
LAYOUT_ITERATIONS: Final = 500
LAYOUT_COMMUNITY_PULL: Final = 2.0
TABLE_ROWS: Final = 100

_HERE: Final = Path(__file__).resolve().parent
_FONT: Final = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
_PERSON: Final = ("#8a93a8", "#5f677a", "#a7afc2")  # fill, border, hover fill: no community
COMMUNITY_PALETTE: Final = (
    "#4e79a7",
    "#59a14f",
    "#b07aa1",
    "#edc948",
    "#76b7b2",
    "#e15759",
    "#9c755f",
    "#17becf",
    "#bcbd22",
    "#6c8cff",
)
"""Fill colours of the communities (community ``c`` gets ``COMMUNITY_PALETTE[c % 10]``)."""
_BRAND: Final = ("#ff8a5b", "#d9572b", "#ffa57f")
_SELECTED: Final = {"background": "#ffd166", "border": "#e0a100"}
_SCRIPT_ESCAPES: Final = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


def static_dir() -> Path:
    """The folder of static assets (our CSS and JS, vendored vis-network) for the app to mount."""
    return _HERE / "static"


def _finite(value: float) -> float:
    return value if math.isfinite(value) else 0.0


def _scaled(value: float, top: float, low: float, high: float) -> float:
    """``low`` .. ``high`` by the square root of ``value / top`` (area proportional to value)."""
    if top <= 0.0:
        return low
    fraction = min(max(_finite(value) / top, 0.0), 1.0)
    return round(low + (high - low) * math.sqrt(fraction), 2)


def node_size(score: float, max_score: float) -> float:
    """Node radius for ``score``: sqrt-scaled between 8 (score 0) and 48 (``max_score``).

    >>> node_size(0.0, 4.0), node_size(1.0, 4.0), node_size(4.0, 4.0)
    (8.0, 28.0, 48.0)
    """
    return _scaled(score, max_score, MIN_NODE_SIZE, MAX_NODE_SIZE)


def label_size(size: float) -> int:
    """Label font size for a node of radius ``size``: 12 px for the smallest, 24 px for the largest.

    Small labels drop out first when zooming out (``scaling.label.drawThreshold``), so the
    overview names the big accounts and zooming in names the rest.

    >>> label_size(8.0), label_size(48.0)
    (12, 24)
    """
    fraction = (size - MIN_NODE_SIZE) / (MAX_NODE_SIZE - MIN_NODE_SIZE)
    return round(MIN_LABEL_SIZE + (MAX_LABEL_SIZE - MIN_LABEL_SIZE) * min(max(fraction, 0.0), 1.0))


def format_score(value: float) -> str:
    """A score for people: three significant figures, thousands separated.

    >>> format_score(0.012345), format_score(87.54), format_score(12345.6)
    ('0.0123', '87.5', '12,346')
    """
    if not math.isfinite(value):
        return "n/a"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _at(handle: str) -> str:
    return handle if handle.startswith("@") else f"@{handle}"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def node_title(influencer: Influencer) -> str:
    """The plain-text tooltip of a node (vis-network shows it as text, so no escaping)."""
    head = _at(influencer.handle)
    if influencer.name:
        head = f"{head} — {influencer.name}"
    facts = [
        "brand account" if influencer.is_brand else f"rank {influencer.rank}",
        f"score {format_score(influencer.score)}",
        _plural(influencer.amplifiers, "amplifier"),
    ]
    return f"{head}\n{' · '.join(facts)}"


def community_colour(community: int | None) -> str:
    """The fill colour of a community's members; grey when the account has none.

    >>> community_colour(0), community_colour(10), community_colour(None)
    ('#4e79a7', '#4e79a7', '#8a93a8')
    """
    if community is None or community < 0:
        return _PERSON[0]
    return COMMUNITY_PALETTE[community % len(COMMUNITY_PALETTE)]


def _colour(*, brand: bool, community: int | None = None) -> dict[str, Any]:
    fill, border, hover = _BRAND if brand else _PERSON
    if not brand and community is not None and community >= 0:
        fill = hover = community_colour(community)
        border = "#2b3040"
    return {
        "background": fill,
        "border": border,
        "highlight": dict(_SELECTED),
        "hover": {"background": hover, "border": border},
    }


def _info(influencer: Influencer) -> dict[str, Any]:
    """What the page's details panel shows for a node, ready to display."""
    followers = "" if influencer.followers is None else f"{influencer.followers:,}"
    return {
        "handle": _at(influencer.handle),
        "name": influencer.name,
        "bio": influencer.bio,
        "rank": influencer.rank,
        "score": format_score(influencer.score),
        "amplifiers": influencer.amplifiers,
        "followers": followers,
        "brand": influencer.is_brand,
        "community": influencer.community,
        "role": influencer.role,
    }


def _layout(network: Network) -> dict[str, tuple[float, float]]:
    """Fixed-seed spring layout in vis-network pixels, for networks too big for browser physics.

    Cached by the graph's shape: the same nodes and weighted pairs (the top network between two
    analyses) are laid out once per process.
    """
    community = {influencer.id: influencer.community for influencer in network.nodes}
    pairs: defaultdict[tuple[str, str], float] = defaultdict(float)
    for edge in network.edges:
        if edge.source in community and edge.target in community and edge.source != edge.target:
            pair = (min(edge.source, edge.target), max(edge.source, edge.target))
            pairs[pair] += max(_finite(edge.weight), 0.0)
    return dict(_cached_layout(tuple(sorted(community.items())), tuple(sorted(pairs.items()))))


@lru_cache(maxsize=16)
def _cached_layout(
    nodes: tuple[tuple[str, int | None], ...],
    weighted: tuple[tuple[tuple[str, str], float], ...],
) -> tuple[tuple[str, tuple[float, float]], ...]:
    """Fruchterman-Reingold (igraph's C implementation, seeded): 0.1-0.2 s for 1,000 accounts
    and a few thousand pairs, where networkx's took 5-6 s.

    Hidden hubs shape it: each community's members are tied to a hub of their own (so that a
    community is drawn as a region, as its legend colour promises) and those hubs, and every
    account, weakly to one centre (gravity: without it isolated accounts and small components
    drift far out and squash the rest into a corner; isolated accounts get a firmer tie, which
    parks them on the rim). ``nodes`` are ``(id, community)``.
    """
    ids = [key for key, _ in nodes]
    index = {key: i for i, key in enumerate(ids)}
    edges = [(index[a], index[b]) for (a, b), _ in weighted]
    weights = [math.log1p(w) + 0.1 for _, w in weighted]
    centre = len(ids)
    hubs: dict[int, int] = {}
    for i, (_, group) in enumerate(nodes):
        if group is not None:
            hub = hubs.setdefault(group, centre + 1 + len(hubs))
            edges.append((hub, i))
            weights.append(LAYOUT_COMMUNITY_PULL)
    linked = {i for edge in edges for i in edge}
    edges += [(centre, i) for i in range(centre)]
    weights += [LAYOUT_GRAVITY if i in linked else 10 * LAYOUT_GRAVITY for i in range(centre)]
    edges += [(centre, hub) for hub in hubs.values()]
    weights += [LAYOUT_GRAVITY] * len(hubs)
    graph = ig.Graph(n=centre + 1 + len(hubs), edges=edges)
    with seeded(LAYOUT_SEED):
        layout = graph.layout_fruchterman_reingold(weights=weights, niter=LAYOUT_ITERATIONS)
    points = np.asarray(layout.coords, dtype=np.float64)[:centre]
    return tuple(zip(ids, _rescaled(points, LAYOUT_SPACING * math.sqrt(len(ids))), strict=True))


def _rescaled(points: npt.NDArray[np.float64], scale: float) -> list[tuple[float, float]]:
    """Centred on the origin, the farthest coordinate at ``scale``, rounded to 0.1 pixel."""
    if len(points) == 0:
        return []
    centred = points - points.mean(axis=0)
    extent = float(np.abs(centred).max())
    if extent > 0:
        centred *= scale / extent
    return [(round(float(x), 1), round(float(y), 1)) for x, y in centred]


def _options(*, physics: bool) -> dict[str, Any]:
    """vis-network options: barnes-hut stabilisation when small, a fixed layout when large."""
    options: dict[str, Any] = {
        "autoResize": True,
        "nodes": {
            "borderWidth": 1.5,
            "borderWidthSelected": 3,
            "font": {
                "face": _FONT,
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
    source, target = _at(handles[edge.source]), _at(handles[edge.target])
    return (
        f"{source} amplified {target}\n"
        f"{_plural(edge.events, 'time')} · weight {format_score(edge.weight)}"
    )


def build_network(network: Network) -> dict[str, Any]:
    """vis-network data for ``network``: ``{"nodes": [...], "edges": [...], "options": {...}}``.

    Nodes are sized by score (area proportional), brands are orange diamonds, people blue dots;
    edges point from the amplifier to the amplified author, wider for heavier weight. Edges
    with an end outside ``network.nodes`` are left out. Networks of more than
    ``PHYSICS_NODE_LIMIT`` nodes get ``x``/``y`` from a seeded spring layout and no physics.
    """
    physics = len(network.nodes) <= PHYSICS_NODE_LIMIT
    positions = {} if physics else _layout(network)
    # A server layout spans ~sqrt(n) times the spacing, so the fitted view is zoomed out that
    # much; bigger fonts keep the largest accounts named in the overview.
    label_boost = 1.0 if physics else max(1.0, math.sqrt(len(network.nodes)) / 9)
    max_score = max((_finite(n.score) for n in network.nodes), default=0.0)
    handles = {influencer.id: influencer.handle for influencer in network.nodes}
    edges = [e for e in network.edges if e.source in handles and e.target in handles]
    max_weight = max((_finite(e.weight) for e in edges), default=0.0)

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
            color=_colour(brand=influencer.is_brand, community=influencer.community),
            size=size,
            font={"size": round(label_size(size) * label_boost)},
            title=node_title(influencer),
            info=_info(influencer),
            **place,
        )
    # pyvis' own add_edge looks both ends up in a list of every node (1,000 nodes and 3,500
    # edges: 75 ms); the ends are known to exist here, so the records are built directly.
    links: list[dict[str, Any]] = [
        PyvisEdge(
            edge.source,
            edge.target,
            True,
            width=_scaled(edge.weight, max_weight, MIN_EDGE_WIDTH, MAX_EDGE_WIDTH),
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
        "unassigned": _PERSON[0],
        "brand": _BRAND[0],
        "maxScore": max((_finite(n.score) for n in network.nodes), default=0.0),
        "minSize": MIN_NODE_SIZE,
        "maxSize": MAX_NODE_SIZE,
        "physics": bool(graph["options"]["physics"]["enabled"]),
    }


def script_json(value: object) -> Markup:
    """JSON for a ``<script type="application/json">`` block that no string can break out of.

    >>> str(script_json({"a": "</script>&"}))
    '{"a":"\\\\u003c/script\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for character, escape in _SCRIPT_ESCAPES:  # str.replace: 100x faster than str.translate
        text = text.replace(character, escape)
    return Markup(text)  # noqa: S704 - <, >, & are escaped above


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(_HERE / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["score"] = format_score
    return environment


FILTERS: Final = ("topic", "role", "community", "min_score", "q", "since", "until")


def _filter_values(filters: Mapping[str, object] | None) -> dict[str, str]:
    """Every filter of the filter bar as text, empty when unset."""
    given = filters or {}
    return {key: "" if given.get(key) is None else str(given.get(key)) for key in FILTERS}


def render_page(template_name: str, **context: Any) -> str:
    """One of the explorer's other pages (``influencers.html``, ``overview.html``): static HTML
    whose script fills it from the JSON API. ``static_url`` defaults to ``/static``."""
    context["static_url"] = str(context.get("static_url", "/static")).rstrip("/")
    context["filters"] = _filter_values(context.get("filters"))
    context.setdefault("roles", ())
    context.setdefault("window_notice", None)
    return _environment().get_template(template_name).render(**context)


def render_network_page(
    network: Network,
    *,
    title: str,
    static_url: str = "/static",
    csv_url: str = "/api/influencers.csv",
    api_url: str = "/api/influencers",
    filters: Mapping[str, object] | None = None,
    roles: tuple[str, ...] = (),
    focus: str | None = None,
    logged_in: bool = False,
    window_notice: str | None = None,
) -> str:
    """The explorer's network page as HTML: graph, top-influencer table, CSV download.

    Asset URLs are ``static_url`` + a path under :func:`static_dir`; the page references
    nothing outside ``static_url``, ``csv_url`` and ``api_url`` (its script calls the JSON API
    under ``/api``). ``filters`` (topic, role, community, min_score) are the ones the network
    was drawn with, shown in the filter bar; ``focus`` is a user id to select on load;
    ``logged_in`` shows the "Log out" button; ``window_notice`` says why the window asked
    for cannot be drawn (with a button that analyses it).
    """
    graph = build_network(network)
    chosen = _filter_values(filters)
    # External voices by rank; the brand's own accounts (never ranked) after them.
    ranked = sorted(network.nodes, key=lambda n: (n.is_brand, n.rank, n.handle))
    template = _environment().get_template("network.html")
    return template.render(
        title=title,
        static_url=static_url.rstrip("/"),
        csv_url=csv_url,
        api_url=api_url,
        graph_json=script_json(graph),
        view_json=script_json({**view_data(network, graph), "focus": focus, "filters": chosen}),
        filters=chosen,
        roles=roles,
        influencers=ranked[:TABLE_ROWS],
        node_count=len(network.nodes),
        edge_count=len(graph["edges"]),
        physics=graph["options"]["physics"]["enabled"],
        logged_in=logged_in,
        window_notice=window_notice,
    )
