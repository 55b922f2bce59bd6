"""Betweenness centrality (Brandes), exact or estimated from sampled sources, via igraph."""

from __future__ import annotations

import numpy as np

from graph.algorithms.arrays import FloatArray, IntArray
from graph.algorithms.igraph_build import igraph_of

#: Up to this many nodes, the betweenness is exact; above, estimated from sampled sources.
EXACT_MAX_NODES = 5000


def betweenness(
    node_count: int,
    source: IntArray,
    target: IntArray,
    weight: FloatArray | None = None,
    *,
    directed: bool = True,
    normalized: bool = False,
    exact_max_nodes: int = EXACT_MAX_NODES,
    samples: int = 500,
    seed: int = 7,
    part: tuple[int, int] = (0, 1),
) -> FloatArray:
    """Betweenness of every node: the share of shortest paths between other nodes through it.

    Same figures as networkx's ``betweenness_centrality`` and Neo4j GDS's ``gds.betweenness``:
    unnormalised sums over ordered pairs on a directed graph and over unordered pairs on an
    undirected one (networkx's halved value), endpoints excluded.

    Up to ``exact_max_nodes`` nodes the result is exact (igraph's Brandes). Above, it is an
    unbiased estimate: Brandes from ``samples`` sources drawn uniformly without replacement with
    ``numpy.random.default_rng(seed)``, scaled by ``node_count / samples`` like networkx's
    ``k``-sampling (GDS does not rescale its sampled sums). igraph's ``sources`` subset does the
    work in C; on a random graph of 100k nodes and 1M edges, 500 sources took 19 s directed,
    23 s undirected and 60 s weighted on one core (networkx's ``k=500`` is far slower).

    Parallel edges are kept, as in GDS's projection: each is a distinct shortest path, so a
    doubled edge doubles the paths through it (networkx's ``DiGraph`` would merge them; pass
    one edge per pair, as ``graph.analysis.weighting.pair_weights`` does, to get its figures).
    Self-loops never lie on a shortest path and change nothing.

    Parameters
    ----------
    node_count
        Number of nodes; nodes are ``0 .. node_count - 1``.
    source, target
        Edge k runs ``source[k] -> target[k]`` (amplifier -> author).
    weight
        Edge *lengths* for Dijkstra (default: every edge has length 1); they must be positive.
        For strength-like weights (more amplification = closer), pass ``1 / weight``.
    directed
        Follow edge directions; if false, every edge can be walked both ways.
    normalized
        Divide by the number of pairs that exclude the node: ``(n - 1)(n - 2)`` directed,
        half that undirected (as networkx does).
    exact_max_nodes
        Largest graph computed exactly.
    samples
        Number of sampled sources above ``exact_max_nodes``.
    seed
        Seed of the source sample.
    part
        ``(k, m)``: only the paths from the k-th of m shares of the sources (every m-th one
        from the k-th, of all nodes or of the sample). The m shares add up to the whole, so
        m processes can each compute one.

    Examples
    --------
    >>> import numpy as np
    >>> path = np.array([0, 1, 2]), np.array([1, 2, 3])
    >>> betweenness(4, *path).tolist()
    [0.0, 2.0, 2.0, 0.0]
    >>> betweenness(4, *path, directed=False, normalized=True).tolist()
    [0.0, 0.6666666666666666, 0.6666666666666666, 0.0]
    >>> betweenness(3, np.array([0, 0, 2]), np.array([1, 2, 1]), np.array([5.0, 1.0, 1.0])).tolist()
    [0.0, 0.0, 1.0]
    """
    if node_count == 0:
        return np.zeros(0, dtype=np.float64)
    weights: list[float] | None = None
    if weight is not None:
        lengths = np.asarray(weight, dtype=np.float64)
        if lengths.size and not (np.all(np.isfinite(lengths)) and lengths.min() > 0):
            raise ValueError("betweenness needs finite, positive edge lengths")
        weights = lengths.tolist()
    graph = igraph_of(node_count, source, target, directed=directed)
    share, shares = part
    if not 0 <= share < shares:
        raise ValueError(f"part must be (k, m) with 0 <= k < m, not {part}")
    if node_count <= exact_max_nodes or samples >= node_count:
        if shares == 1:
            values = np.asarray(graph.betweenness(directed=directed, weights=weights), dtype=float)
        else:
            sources = list(range(share, node_count, shares))
            partial = graph.betweenness(directed=directed, weights=weights, sources=sources)
            values = np.asarray(partial, dtype=np.float64)
    else:
        rng = np.random.default_rng(seed)
        sample = np.sort(rng.choice(node_count, size=samples, replace=False))
        sources = sample[share::shares].tolist()
        partial = graph.betweenness(directed=directed, weights=weights, sources=sources)
        values = np.asarray(partial, dtype=np.float64) * (node_count / samples)
    if normalized and node_count > 2:
        pairs = (node_count - 1) * (node_count - 2)
        values = values / (pairs if directed else pairs / 2)
    return np.asarray(values, dtype=np.float64)
