"""Subgraphs for the explorer, built from named store reads."""

from __future__ import annotations

from collections import defaultdict

from graph.models import Network, NetworkEdge
from graph.store import Store
from graph.weighting import pair_weight


def top_network(store: Store, *, limit: int = 150, include_brand: bool = True) -> Network:
    """The ``limit`` best-ranked external users (plus the brand's accounts) and their edges."""
    nodes = list(store.influencers(limit=limit).items)
    if include_brand:
        nodes += store.brand_accounts()
    ids = [node.id for node in nodes]
    kinds: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for row in store.edges_among(ids):
        pair = kinds[(str(row["source"]), str(row["target"]))]
        pair[str(row["kind"])] = pair.get(str(row["kind"]), 0) + int(row["events"])
    edges = [
        NetworkEdge(source, target, sum(counts.values()), pair_weight(counts))
        for (source, target), counts in sorted(kinds.items())
    ]
    return Network(nodes=nodes, edges=edges)
