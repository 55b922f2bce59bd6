"""Why an account scores what it scores: its top contributing amplifiers and posts.

An amplifier's share of an account's score follows the score's blend
(``graph.analysis.influence``): ``1 - pagerank_share`` of it is the amplifier's share of the
audience weight (its pair's weight over all the account receives), ``pagerank_share`` its share
of the PageRank the account receives (``damping * pagerank[amplifier] * weight / amplifier's
total out-weight``, over everything received along edges). Top posts are the account's posts
amplified by the most distinct accounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from graph.algorithms.arrays import FloatArray
from graph.analysis.events import Events
from graph.analysis.weighting import Pairs

TOP_AMPLIFIERS = 5
TOP_POSTS = 3


@dataclass(frozen=True, slots=True)
class Explanation:
    """Per user (codes of ``Events.users``), lists ordered by contribution."""

    top_amplifiers: list[list[int]]
    amplifier_shares: list[list[float]]
    top_posts: list[list[int]]
    post_amplifiers: list[list[int]]


def _grouped(frame: pd.DataFrame, value: str, n: int) -> list[list[Any]]:
    """``frame`` sorted by ``target``: the ``value`` column split into one list per user."""
    out: list[list[Any]] = [[] for _ in range(n)]
    targets = frame["target"].to_numpy()
    if not targets.size:
        return out
    starts = np.flatnonzero(np.diff(targets)) + 1
    values = frame[value].to_numpy().tolist()  # one conversion, then list slices (5x faster)
    bounds = np.r_[0, starts, targets.size].tolist()
    heads = targets[bounds[:-1]].tolist()
    for target, start, end in zip(heads, bounds[:-1], bounds[1:], strict=True):
        out[target] = values[start:end]
    return out


def _shares(values: FloatArray, target: npt.NDArray[np.int64], n: int) -> FloatArray:
    total = np.bincount(target, weights=values, minlength=n)
    return values / np.where(total > 0, total, 1.0)[target]


def explain(
    events: Events,
    pairs: Pairs,
    pagerank: FloatArray,
    damping: float,
    pagerank_share: float = 1.0,
) -> Explanation:
    n = len(events.users)
    out_weight = np.bincount(pairs.source, weights=pairs.weight, minlength=n)
    contribution = damping * pagerank[pairs.source] * pairs.weight / out_weight[pairs.source]
    share = (1.0 - pagerank_share) * _shares(pairs.weight, pairs.target, n) + (
        pagerank_share * _shares(contribution, pairs.target, n)
    )
    edges = pd.DataFrame(
        {"target": pairs.target, "source": pairs.source, "c": share, "share": share}
    )
    edges = edges.sort_values(["target", "c", "source"], ascending=[True, False, True])
    top = edges.groupby("target", sort=False).head(TOP_AMPLIFIERS)
    amplified = events.post >= 0
    posts = pd.DataFrame(
        {
            "target": events.target[amplified],
            "post": events.post[amplified],
            "source": events.source[amplified],
        }
    ).drop_duplicates()
    counts = posts.groupby(["target", "post"]).size().rename("amplifiers").reset_index()
    counts = counts.sort_values(["target", "amplifiers", "post"], ascending=[True, False, True])
    best = counts.groupby("target", sort=False).head(TOP_POSTS)
    return Explanation(
        top_amplifiers=_grouped(top, "source", n),
        amplifier_shares=_grouped(top.assign(share=top["share"].round(4)), "share", n),
        top_posts=_grouped(best, "post", n),
        post_amplifiers=_grouped(best, "amplifiers", n),
    )
