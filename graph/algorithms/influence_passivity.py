"""Influence-Passivity (IP) scores by alternating iteration on sparse matrices.

Romero, Galuba, Asur and Huberman, "Influence and Passivity in Social Media" (ECML PKDD 2011).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from graph.algorithms.arrays import FloatArray, IntArray


def _normalised(vector: FloatArray) -> FloatArray:
    total = float(vector.sum())
    return vector / total if total > 0 else np.zeros_like(vector)


def influence_passivity(
    node_count: int,
    source: IntArray,
    target: IntArray,
    acceptance: FloatArray,
    *,
    max_iter: int = 100,
    tol: float = 1.0e-9,
) -> tuple[FloatArray, FloatArray]:
    """Influence and passivity of every node; each vector sums to 1.

    Edge k runs ``source[k] -> target[k]``: account ``a = source[k]`` amplified author
    ``t = target[k]``, and ``w = acceptance[k]`` (clipped to [0, 1]) is the fraction of ``t``'s
    content that ``a`` saw and amplified. In the paper's notation that edge is ``(i, j) = (t, a)``,
    "i influences j", with weight ``w_ij``. In our direction the paper's rates are

    * acceptance rate ``u_k = w_k / sum(w_m for edges m with source[m] == a)``: the share of all
      the amplification ``a`` handed out that went to ``t`` (paper: ``u_ij``, normalised over every
      influencer of ``j``);
    * rejection rate ``v_k = (1 - w_k) / sum(1 - w_m for edges m with target[m] == t)``: the share
      of all the rejection ``t`` met that came from ``a`` (paper: ``v_ji``, normalised over every
      user ``j`` = ``t`` influences).

    A zero denominator (an amplifier that accepted nothing, an author nobody rejected) makes the
    rates of those edges 0. Starting from uniform vectors, each step computes

    * passivity ``P[a] = sum(v_k * I[target[k]] for edges k with source[k] == a)``, then
    * influence ``I[t] = sum(u_k * P[source[k]] for edges k with target[k] == t)``, using the new
      ``P``,

    and normalises both to sum 1; it stops once both change by less than ``tol`` (L1 norm) or
    after ``max_iter`` steps. Parallel edges add their terms. So an author is influential when
    amplified by passive accounts, and an account is passive when it rejects influential authors.
    A vector that sums to 0 (no edges, or e.g. every acceptance 1, which leaves no rejection) is
    returned as all zeros; a node without edges of the relevant kind scores 0.

    Parameters
    ----------
    node_count
        Number of nodes; nodes are ``0 .. node_count - 1``.
    source, target
        Edge k: ``source[k]`` (the amplifier) amplified ``target[k]`` (the author).
    acceptance
        Per edge, the fraction of the target's content the source amplified (clipped to [0, 1]).
    max_iter
        Maximum number of iterations.
    tol
        Stop when the L1 change of both vectors falls below this.

    Returns
    -------
    influence, passivity
        Two arrays of length ``node_count``.

    Examples
    --------
    Node 0 amplified 90% of node 2's posts, node 1 only 10%; node 2 amplified 50% of node 0's.
    Node 1, which rejected most of what it saw, is more passive than node 0.

    >>> import numpy as np
    >>> influence, passivity = influence_passivity(
    ...     3, np.array([0, 1, 2]), np.array([2, 2, 0]), np.array([0.9, 0.1, 0.5])
    ... )
    >>> [round(float(x), 3) for x in influence], [round(float(x), 3) for x in passivity]
    ([0.5, 0.0, 0.5], [0.05, 0.45, 0.5])
    """
    source = np.asarray(source, dtype=np.int64)
    target = np.asarray(target, dtype=np.int64)
    if source.shape != target.shape or np.shape(acceptance) != source.shape:
        raise ValueError("source, target and acceptance must have the same length")
    if source.size == 0:
        return np.zeros(node_count, dtype=np.float64), np.zeros(node_count, dtype=np.float64)
    accepted = np.clip(np.asarray(acceptance, dtype=np.float64), 0.0, 1.0)
    rejected = 1.0 - accepted

    accepted_by = np.bincount(source, weights=accepted, minlength=node_count)[source]
    rate_u = np.divide(accepted, accepted_by, out=np.zeros_like(accepted), where=accepted_by > 0)
    rejected_from = np.bincount(target, weights=rejected, minlength=node_count)[target]
    rate_v = np.divide(
        rejected, rejected_from, out=np.zeros_like(rejected), where=rejected_from > 0
    )

    shape = (node_count, node_count)
    # P = to_passivity @ I sums over an amplifier's edges; I = to_influence @ P over an author's.
    to_passivity = sp.csr_matrix((rate_v, (source, target)), shape=shape)
    to_influence = sp.csr_matrix((rate_u, (target, source)), shape=shape)

    influence = np.full(node_count, 1.0 / node_count)
    passivity = influence.copy()
    for _ in range(max_iter):
        new_passivity = _normalised(np.asarray(to_passivity @ influence, dtype=np.float64))
        new_influence = _normalised(np.asarray(to_influence @ new_passivity, dtype=np.float64))
        change = max(
            float(np.abs(new_influence - influence).sum()),
            float(np.abs(new_passivity - passivity).sum()),
        )
        influence, passivity = new_influence, new_passivity
        if change < tol:
            break
    return influence, passivity
