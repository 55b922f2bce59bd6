"""The analysis's betweenness in worker processes: the same figures with one worker or two.

No database (so nothing to parametrise over Neo4j): the workers are forked processes that the
analysing process owns, whichever server it writes to."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from graph.algorithms.betweenness import betweenness
from graph.analysis.betweenness_workers import BackgroundBetweenness
from graph.analysis.profile import Profile
from graph.analysis.weighting import Pairs


def pairs_of(graph: nx.DiGraph) -> Pairs:
    source = np.array([u for u, _ in graph.edges()], dtype=np.int64)
    target = np.array([v for _, v in graph.edges()], dtype=np.int64)
    weight = np.random.default_rng(1).uniform(0.5, 3.0, source.size)
    ones = np.ones(source.size, dtype=np.int64)
    return Pairs(source, target, weight, ones, ones, ones, weight)


@pytest.mark.parametrize("workers", [1, 2])
def test_one_worker_or_two_give_the_analysis_its_betweenness(workers: int) -> None:
    graph = nx.gnm_random_graph(300, 1200, seed=4, directed=True)
    pairs = pairs_of(graph)
    profile = Profile(betweenness_samples=40)
    expected = betweenness(
        300,
        pairs.source,
        pairs.target,
        1.0 / pairs.weight,
        directed=False,
        exact_max_nodes=100,  # as on a large graph: sampled sources, shared between workers
        samples=40,
        seed=profile.seed,
    )
    with BackgroundBetweenness(300, pairs, profile, workers=workers, exact_max_nodes=100) as job:
        found = job.result()
    assert found == pytest.approx(expected, abs=1e-9)
    assert found.sum() > 0
