"""Graph algorithms the tests compare against published tables, and the product does not run:
Louvain (the analysis runs Leiden) and weakly connected components."""

from __future__ import annotations

import numpy as np

from graph.algorithms.arrays import FloatArray, IntArray
from graph.algorithms.communities import _communities
from graph.algorithms.components import _undirected


def louvain(
    node_count: int,
    source: IntArray,
    target: IntArray,
    weight: FloatArray | None = None,
    *,
    resolution: float = 1.0,
    seed: int = 7,
) -> IntArray:
    """Community of every node by Louvain (igraph's ``community_multilevel``), final level.

    Same undirected view and labelling as `leiden`. igraph draws its random vertex order from
    a process-wide generator; it is swapped for a ``random.Random(seed)`` during the call and
    then restored to the ``random`` module, so do not run it concurrently with other igraph work.

    Examples
    --------
    >>> import numpy as np
    >>> two_triangles = np.array([0, 1, 2, 3, 4, 5, 2]), np.array([1, 2, 0, 4, 5, 3, 3])
    >>> louvain(6, *two_triangles).tolist()
    [0, 0, 0, 1, 1, 1]
    """
    return _communities(
        node_count,
        source,
        target,
        weight,
        seed,
        lambda graph, weights: graph.community_multilevel(weights=weights, resolution=resolution),
    )


def weakly_connected_components(
    node_count: int,
    source: IntArray,
    target: IntArray,
    weight: FloatArray | None = None,
    *,
    threshold: float | None = None,
) -> IntArray:
    """Component label of every node, ignoring edge direction.

    Labels are ``0 ..`` in order of each component's smallest node, so node 0 is in
    component 0. As in Neo4j GDS's ``gds.wcc``, with a ``threshold`` an edge is kept only if
    its weight is *strictly* greater than the threshold.

    Parameters
    ----------
    node_count
        Number of nodes; nodes are ``0 .. node_count - 1``.
    source, target
        Edge k joins ``source[k]`` and ``target[k]``.
    weight
        Edge weights; needed only with ``threshold``.
    threshold
        Drop every edge whose weight is not above this value (default: keep all edges).

    Examples
    --------
    >>> import numpy as np
    >>> s, t, w = np.array([0, 3, 2]), np.array([1, 4, 1]), np.array([0.5, 2.0, 1.0])
    >>> weakly_connected_components(6, s, t).tolist()
    [0, 0, 0, 1, 1, 2]
    >>> weakly_connected_components(6, s, t, w, threshold=0.5).tolist()
    [0, 1, 1, 2, 2, 3]
    """
    source, target = np.asarray(source), np.asarray(target)
    if threshold is not None:
        if weight is None:
            raise ValueError("a threshold needs edge weights")
        keep = np.asarray(weight, dtype=np.float64) > threshold
        source, target = source[keep], target[keep]
    membership = _undirected(node_count, source, target).connected_components().membership
    return np.asarray(membership, dtype=np.int64)
