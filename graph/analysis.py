"""The analysis run: project the amplification graph, score it, write the scores back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from graph.algorithms.betweenness import betweenness
from graph.algorithms.communities import leiden
from graph.algorithms.components import k_core
from graph.algorithms.pagerank import pagerank
from graph.projection import project
from graph.store import Store

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class AnalysisSummary:
    users_scored: int
    edges: int
    ranked: int
    communities: int


def analyze(
    store: Store, *, damping: float = 0.85, seed: int = 7, progress: Progress | None = None
) -> AnalysisSummary:
    """Score the amplification graph (amplifier -> author) and write the results to the users.

    ``score`` is weighted PageRank relative to the top account (0-100); ``rank`` orders the
    external accounts only: the brand's own accounts get a score but never a rank.
    ``community`` is the seeded Leiden community (0 = the largest), ``betweenness`` the
    (sampled above 5,000 users) betweenness with distances ``1 / weight``, ``core`` the k-core
    number of the undirected view.
    """
    say = progress or (lambda _message: None)
    say("projecting the amplification graph")
    graph = project(store.amplification_pairs())
    say(f"PageRank on {graph.node_count} users and {graph.edge_count} amplified pairs")
    scores = pagerank(graph.node_count, graph.source, graph.target, graph.weight, damping=damping)
    amplifiers = np.bincount(graph.target, minlength=graph.node_count)
    say("communities (Leiden)")
    communities = leiden(graph.node_count, graph.source, graph.target, graph.weight, seed=seed)
    say("betweenness")
    between = betweenness(
        graph.node_count, graph.source, graph.target, 1.0 / graph.weight, seed=seed
    )
    cores = k_core(graph.node_count, graph.source, graph.target)
    top = float(scores.max()) if scores.size else 1.0
    brand = store.brand_ids()
    order = sorted(range(graph.node_count), key=lambda i: (-scores[i], graph.ids[i]))
    rows = []
    rank = 0
    for i in order:
        user_id = graph.ids[i]
        external = user_id not in brand
        rank += external
        rows.append(
            {
                "id": user_id,
                "pagerank": float(scores[i]),
                "score": round(100.0 * float(scores[i]) / top, 4),
                "rank": rank if external else None,
                "amplifiers": int(amplifiers[i]),
                "community": int(communities[i]),
                "betweenness": round(float(between[i]), 4),
                "core": int(cores[i]),
            }
        )
    say("writing scores back")
    store.write_scores(rows)
    return AnalysisSummary(
        users_scored=len(rows),
        edges=graph.edge_count,
        ranked=rank,
        communities=int(communities.max()) + 1 if communities.size else 0,
    )
