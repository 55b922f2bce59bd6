"""How well a ranking predicts an outcome: NDCG@k and precision@k over the eligible accounts.

The ranking orders the eligible accounts by falling score (ties by code: the order of the
events); an account's gain is ``log2(1 + outcome)``; DCG@k sums the gains of the ranking's top
k, each divided by ``log2(1 + position)``, and NDCG@k divides it by the DCG@k of the ideal order
(by falling outcome). Precision@k is the share of the ranking's top k that are among the top k
by outcome (ties there by code as well).
"""

from __future__ import annotations

import numpy as np

from graph.algorithms.arrays import BoolArray, FloatArray, IntArray


def top_k(values: FloatArray, eligible: BoolArray, k: int) -> IntArray:
    """The codes of the ``k`` eligible accounts with the highest ``values``, ties by code."""
    codes = np.flatnonzero(eligible)
    order = codes[np.lexsort((codes, -values[codes]))]
    return order[:k].astype(np.int64)


def _dcg(gain: FloatArray, codes: IntArray) -> float:
    discount = 1.0 / np.log2(np.arange(2, codes.size + 2))
    return float((gain[codes] * discount).sum())


def ndcg_at_k(scores: FloatArray, outcome: IntArray, eligible: BoolArray, k: int) -> float:
    """NDCG@k of ranking by ``scores``; 0 when no eligible account has any outcome.

    >>> import numpy as np
    >>> everyone = np.ones(3, dtype=bool)
    >>> ndcg_at_k(np.array([3.0, 2.0, 1.0]), np.array([7, 3, 0]), everyone, 2)
    1.0
    >>> round(ndcg_at_k(np.array([1.0, 2.0, 3.0]), np.array([7, 3, 0]), everyone, 2), 4)
    0.2961
    """
    gain = np.log2(1.0 + outcome.astype(np.float64))
    ideal = _dcg(gain, top_k(outcome.astype(np.float64), eligible, k))
    return _dcg(gain, top_k(scores, eligible, k)) / ideal if ideal > 0 else 0.0


def precision_at_k(scores: FloatArray, outcome: IntArray, eligible: BoolArray, k: int) -> float:
    """Share of the ranking's top k among the top k by outcome.

    >>> import numpy as np
    >>> precision_at_k(np.array([1.0, 2.0, 3.0]), np.array([7, 3, 0]), np.ones(3, bool), 2)
    0.5
    """
    ranked = top_k(scores, eligible, k)
    best = top_k(outcome.astype(np.float64), eligible, k)
    return float(np.intersect1d(ranked, best).size / k) if k > 0 else 0.0
