"""Weakly connected components and k-core numbers, via igraph."""

from __future__ import annotations

import igraph as ig
import numpy as np

from graph.algorithms.arrays import FloatArray, IntArray


def _undirected(node_count: int, source: IntArray, target: IntArray) -> ig.Graph:
    edges = np.column_stack((np.asarray(source), np.asarray(target))).astype(np.int64)
    return ig.Graph(n=node_count, edges=edges.tolist(), directed=False)


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


def k_core(node_count: int, source: IntArray, target: IntArray) -> IntArray:
    """Core number of every node: the largest k such that it lies in the k-core.

    Computed on the undirected simple view of the graph (direction ignored, parallel and
    reciprocal edges merged, self-loops dropped), so it equals networkx's ``core_number`` on
    ``nx.Graph`` of the same edges.

    Parameters
    ----------
    node_count
        Number of nodes; nodes are ``0 .. node_count - 1``.
    source, target
        Edge k joins ``source[k]`` and ``target[k]``.

    Examples
    --------
    >>> import numpy as np
    >>> triangle_and_tail = np.array([0, 1, 2, 2, 1]), np.array([1, 2, 0, 3, 0])
    >>> k_core(5, *triangle_and_tail).tolist()
    [2, 2, 2, 1, 0]
    """
    graph = _undirected(node_count, source, target)
    graph.simplify(multiple=True, loops=True)
    return np.asarray(graph.coreness(), dtype=np.int64)
