"""Weighted PageRank by power iteration on a sparse matrix."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from graph.algorithms.arrays import FloatArray, IntArray


def pagerank(
    node_count: int,
    source: IntArray,
    target: IntArray,
    weight: FloatArray | None = None,
    *,
    damping: float = 0.85,
    personalization: FloatArray | None = None,
    tol: float = 1.0e-10,
    max_iter: int = 200,
) -> FloatArray:
    """PageRank of every node; scores sum to 1.

    Follows networkx's conventions: each node spreads its rank over its out-edges in proportion
    to their weight, a dangling node (no out-edge) spreads it like the teleport vector, and the
    iteration stops when the L1 change falls below ``node_count * tol``.

    Parameters
    ----------
    node_count
        Number of nodes; nodes are ``0 .. node_count - 1``.
    source, target
        Edge k runs ``source[k] -> target[k]``; parallel edges add up.
    weight
        Edge weights (default 1).
    damping
        Probability of following an edge rather than teleporting.
    personalization
        Teleport distribution (default uniform); normalised here.

    Examples
    --------
    >>> import numpy as np
    >>> r = pagerank(3, np.array([0, 1]), np.array([2, 2]))
    >>> [round(float(x), 3) for x in r]
    [0.213, 0.213, 0.574]
    """
    if node_count == 0:
        return np.zeros(0, dtype=np.float64)
    teleport = None if personalization is None else personalization.reshape(-1, 1)
    ranks = pagerank_many(
        node_count, source, target, weight, teleport, damping=damping, tol=tol, max_iter=max_iter
    )
    return np.asarray(ranks[:, 0], dtype=np.float64)


def pagerank_many(
    node_count: int,
    source: IntArray,
    target: IntArray,
    weight: FloatArray | None,
    teleports: FloatArray | None,
    *,
    damping: float = 0.85,
    tol: float = 1.0e-10,
    max_iter: int = 200,
) -> FloatArray:
    """PageRank for several teleport vectors at once (topic-sensitive PageRank).

    ``teleports`` has one column per vector (``None``: one uniform column); each is normalised
    and a zero column gives a zero result. One sparse-matrix product per iteration serves all
    columns; each column stops changing when it converges. Returns ``(node_count, columns)``.

    >>> import numpy as np
    >>> r = pagerank_many(3, np.array([0, 1]), np.array([2, 2]), None, np.eye(3)[:, :2])
    >>> [round(float(x), 3) for x in r[:, 0]]
    [0.541, 0.0, 0.459]
    """
    columns = 1 if teleports is None else teleports.shape[1]
    if node_count == 0:
        return np.zeros((0, columns), dtype=np.float64)
    weights = np.ones(source.size) if weight is None else np.asarray(weight, dtype=np.float64)
    matrix = sp.csr_matrix((weights, (source, target)), shape=(node_count, node_count))
    out_weight = np.asarray(matrix.sum(axis=1)).ravel()
    dangling = out_weight == 0
    inverse = np.divide(1.0, out_weight, out=np.zeros_like(out_weight), where=~dangling)
    transition_t = (sp.diags(inverse) @ matrix).T.tocsr()
    if teleports is None:
        teleport = np.full((node_count, 1), 1.0 / node_count)
    else:
        teleport = np.asarray(teleports, dtype=np.float64).reshape(node_count, columns)
        totals = teleport.sum(axis=0)
        teleport = np.divide(teleport, totals, out=np.zeros_like(teleport), where=totals > 0)
    rank = teleport.copy()
    for _ in range(max_iter):
        previous = rank
        rank = damping * (transition_t @ previous + previous[dangling].sum(axis=0) * teleport)
        rank += (1.0 - damping) * teleport
        if (np.abs(rank - previous).sum(axis=0) < node_count * tol).all():
            break
    totals = rank.sum(axis=0)
    return np.asarray(
        np.divide(rank, totals, out=np.zeros_like(rank), where=totals > 0), dtype=np.float64
    )
