"""The explorer's networks: the edges among a set of accounts, and the top-ranked accounts'
network the network page draws."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from graph.analysis.weighting import pair_weight
from graph.explorer import queries as q
from graph.explorer.leaderboard import Leaderboard
from graph.models import InfluencerQuery, Network, NetworkEdge
from graph.store import EVERYONE, Store


def edges_among(store: Store, ids: Sequence[str]) -> list[NetworkEdge]:
    """Amplification among ``ids``, one edge per pair, weighted by ``pair_weight`` without
    recency: the views show the whole history between two accounts."""
    if not ids:
        return []
    evidence: dict[tuple[str, str], dict[str, tuple[int, int]]] = defaultdict(dict)
    events: Counter[tuple[str, str]] = Counter()
    for row in store.read(q.EDGES_AMONG, {"ids": list(ids)}):
        pair = (str(row["source"]), str(row["target"]))
        evidence[pair][str(row["kind"])] = (int(row["posts"]), int(row["days"]))
        events[pair] += int(row["events"])
    return [
        NetworkEdge(
            source, target, events[(source, target)], pair_weight(by_kind), tuple(sorted(by_kind))
        )
        for (source, target), by_kind in sorted(evidence.items())
    ]


def top_network(
    store: Store,
    query: InfluencerQuery = EVERYONE,
    *,
    limit: int = 150,
    include_brand: bool = True,
    leaderboard: Leaderboard | None = None,
) -> Network:
    """The ``limit`` best-ranked external users (plus the brand's accounts) and their edges.

    ``query`` filters as in :meth:`Store.influencers` (with a topic the ranks and scores are
    the topic's; ``ids`` keeps only those accounts); the brand's accounts are added only when
    no filter is set. A ``leaderboard`` (the API's) serves the ranking from memory.
    """
    if leaderboard is None:
        page = store.influencers(query, limit=limit)
    else:
        page = leaderboard.influencers(store, query, limit=limit)
    nodes = list(page.items)
    if include_brand and not query.filtered:
        nodes += store.brand_accounts()
    return Network(nodes=nodes, edges=edges_among(store, [node.id for node in nodes]))
