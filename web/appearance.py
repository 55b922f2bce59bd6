"""How the network page looks: node and label sizes by score, edge widths, community colours,
tooltips and the details panel's text. Tooltips are plain strings, which vis-network 9 shows as
text (``Popup.setText`` assigns ``innerText``), so they are never HTML-escaped here."""

from __future__ import annotations

import math
from typing import Any, Final

from graph.models import Influencer

MIN_NODE_SIZE: Final = 8.0
MAX_NODE_SIZE: Final = 48.0
MIN_LABEL_SIZE: Final = 12
MAX_LABEL_SIZE: Final = 24
MIN_EDGE_WIDTH: Final = 0.75
MAX_EDGE_WIDTH: Final = 6.0
FONT: Final = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
PERSON_COLOURS: Final = ("#8a93a8", "#5f677a", "#a7afc2")  # fill, border, hover fill: no community
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
BRAND_COLOURS: Final = ("#ff8a5b", "#d9572b", "#ffa57f")
SELECTED_COLOURS: Final = {"background": "#ffd166", "border": "#e0a100"}


def finite(value: float) -> float:
    return value if math.isfinite(value) else 0.0


def scaled(value: float, top: float, low: float, high: float) -> float:
    """``low`` .. ``high`` by the square root of ``value / top`` (area proportional to value)."""
    if top <= 0.0:
        return low
    fraction = min(max(finite(value) / top, 0.0), 1.0)
    return round(low + (high - low) * math.sqrt(fraction), 2)


def node_size(score: float, max_score: float) -> float:
    """Node radius for ``score``: sqrt-scaled between 8 (score 0) and 48 (``max_score``).

    >>> node_size(0.0, 4.0), node_size(1.0, 4.0), node_size(4.0, 4.0)
    (8.0, 28.0, 48.0)
    """
    return scaled(score, max_score, MIN_NODE_SIZE, MAX_NODE_SIZE)


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


def at_handle(handle: str) -> str:
    return handle if handle.startswith("@") else f"@{handle}"


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"


def node_title(influencer: Influencer) -> str:
    """The plain-text tooltip of a node (vis-network shows it as text, so no escaping)."""
    head = at_handle(influencer.handle)
    if influencer.name:
        head = f"{head} — {influencer.name}"
    facts = [
        "brand account" if influencer.is_brand else f"rank {influencer.rank}",
        f"score {format_score(influencer.score)}",
        plural(influencer.amplifiers, "amplifier"),
    ]
    return f"{head}\n{' · '.join(facts)}"


def community_colour(community: int | None) -> str:
    """The fill colour of a community's members; grey when the account has none.

    >>> community_colour(0), community_colour(10), community_colour(None)
    ('#4e79a7', '#4e79a7', '#8a93a8')
    """
    if community is None or community < 0:
        return PERSON_COLOURS[0]
    return COMMUNITY_PALETTE[community % len(COMMUNITY_PALETTE)]


def node_colour(*, brand: bool, community: int | None = None) -> dict[str, Any]:
    fill, border, hover = BRAND_COLOURS if brand else PERSON_COLOURS
    if not brand and community is not None and community >= 0:
        fill = hover = community_colour(community)
        border = "#2b3040"
    return {
        "background": fill,
        "border": border,
        "highlight": dict(SELECTED_COLOURS),
        "hover": {"background": hover, "border": border},
    }


def node_info(influencer: Influencer) -> dict[str, Any]:
    """What the page's details panel shows for a node, ready to display (numbers are left to
    the page, which writes them as its language does)."""
    return {
        "handle": at_handle(influencer.handle),
        "name": influencer.name,
        "bio": influencer.bio,
        "rank": influencer.rank,
        "score": format_score(influencer.score),
        "amplifiers": influencer.amplifiers,
        "followers": influencer.followers,
        "brand": influencer.is_brand,
        "community": influencer.community,
        "role": influencer.role,
    }
