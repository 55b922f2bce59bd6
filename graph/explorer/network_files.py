"""A network view as a file for Gephi and the like: GEXF or GraphML, written with networkx.

Nodes carry what the explorer shows of each account (handle, name, score, rank, role, roles,
community, topic ranks, amplifiers, followers, whether it is the brand's); edges the weight,
the acts and the kinds of amplification. GEXF and GraphML hold scalars only, so lists are
written as text: ``roles`` and ``kinds`` comma-separated, ``topic_ranks`` as
``topic:rank`` pairs (``camping:1, vegan:3``). A value the view does not have (an unranked
account's rank) is left out rather than written as an empty string. Characters XML cannot
hold (control characters in a bio) are dropped: networkx would write them as they are and
no reader could open the file.
"""

from __future__ import annotations

import io
import re
from typing import Any, Literal

import networkx as nx

from graph.models import Influencer, Network

FileFormat = Literal["gexf", "graphml"]
MEDIA_TYPES: dict[FileFormat, str] = {
    "gexf": "application/gexf+xml",
    "graphml": "application/graphml+xml",
}
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _topic_ranks(node: Influencer) -> list[tuple[str, int]]:
    # A topic list without its ranks (the short form) has none to pair.
    return list(zip(node.topics, node.topic_ranks, strict=False))


def _node_attributes(node: Influencer, distance: dict[str, int]) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "label": _text(node.handle or node.id),
        "handle": _text(node.handle),
        "name": _text(node.name),
        "score": float(node.score),
        "pagerank": float(node.pagerank),
        "amplifiers": int(node.amplifiers),
        "is_brand": bool(node.is_brand),
        "roles": _text(", ".join(node.roles)),
        "topic_ranks": _text(", ".join(f"{t}:{r}" for t, r in _topic_ranks(node))),
    }
    optional = {
        "rank": node.rank or None,
        "role": _text(node.role) if node.role else None,
        "community": node.community,
        "followers": node.followers,
        "distance": distance.get(node.id),
    }
    attributes.update({key: value for key, value in optional.items() if value is not None})
    return attributes


def network_graph(network: Network, distance: dict[str, int] | None = None) -> nx.DiGraph:
    """The view as a directed graph (amplifier -> author), attributes as described above."""
    graph = nx.DiGraph()
    for node in network.nodes:
        graph.add_node(_text(node.id), **_node_attributes(node, distance or {}))
    for edge in network.edges:
        graph.add_edge(
            _text(edge.source),
            _text(edge.target),
            weight=float(edge.weight),
            events=int(edge.events),
            kinds=", ".join(edge.kinds),
        )
    return graph


def network_file(
    network: Network, file_format: FileFormat, distance: dict[str, int] | None = None
) -> bytes:
    """The view as a GEXF 1.2 or GraphML document (UTF-8)."""
    graph = network_graph(network, distance)
    out = io.BytesIO()
    if file_format == "gexf":
        nx.write_gexf(graph, out, encoding="utf-8", version="1.2draft")
    else:
        nx.write_graphml(graph, out, encoding="utf-8")
    return out.getvalue()
