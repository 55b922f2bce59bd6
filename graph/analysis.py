"""The analysis run: project the amplification graph, score it, write the scores back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from graph.algorithms.pagerank import pagerank
from graph.projection import project
from graph.store import Store

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class AnalysisSummary:
    users_scored: int
    edges: int
    ranked: int


def analyze(
    store: Store, *, damping: float = 0.85, progress: Progress | None = None
) -> AnalysisSummary:
    """Weighted PageRank over amplifier -> author edges, written back to the users.

    ``score`` is PageRank relative to the top account (0-100); ``rank`` orders the external
    accounts only: the brand's own accounts get a score but never a rank.
    """
    say = progress or (lambda _message: None)
    say("projecting the amplification graph")
    graph = project(store.amplification_pairs())
    say(f"PageRank on {graph.node_count} users and {graph.edge_count} amplified pairs")
    scores = pagerank(graph.node_count, graph.source, graph.target, graph.weight, damping=damping)
    amplifiers = np.bincount(graph.target, minlength=graph.node_count)
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
            }
        )
    say("writing scores back")
    store.write_scores(rows)
    return AnalysisSummary(users_scored=len(rows), edges=graph.edge_count, ranked=rank)
