"""k-core numbers, via igraph."""

from __future__ import annotations

import igraph as ig
import numpy as np

from graph.algorithms.arrays import IntArray
from graph.algorithms.igraph_build import igraph_of


def _undirected(node_count: int, source: IntArray, target: IntArray) -> ig.Graph:
    return igraph_of(node_count, source, target, directed=False)


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
