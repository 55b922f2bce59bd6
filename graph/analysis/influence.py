"""The global score: how much of an audience an account has, and how sure it is to respond next.

Every pair's evidence (``graph.analysis.weighting``: volume-neutral, log-diminishing in repeated
acts) is given the score's own recency, measured on the activity clock
(``graph.analysis.clock``: the share of the window's evidence that came after the pair's last
act) rather than the calendar::

    score_weight(pair) = evidence(pair) * 2 ** (-age(pair) / score_recency)

so the pair whose last act came before the last fifth of the evidence counts half
(``score_recency`` 0.2), a quiet network ages nobody, and a week of data and five years of data
weigh "recent" alike; the topic authority and the roles keep the long calendar memory of
``half_life_days``. Then, with the suspicious pairs left out (``graph.analysis.signals``)::

    audience(x) = sum of score_weight over the pairs into x      (each amplifier counted once)
    influence(x) = (audience(x) / top) ** (1 - a) * (pagerank(x) / top) ** a

with ``a = pagerank_share`` and PageRank on the same weights: who your amplifiers are counts
for a share ``a``, how broad and how recent your audience is for the rest. Out-of-time
backtests (``graph.backtest``) chose this form: PageRank alone predicted the next period's
audience worse than counting distinct amplifiers did, and the calendar's recency worse than the
activity clock's on a one-week burst (Higgs).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from graph.algorithms.arrays import BoolArray, FloatArray, IntArray
from graph.algorithms.pagerank import pagerank
from graph.analysis.clock import activity_age, evidence_ticks
from graph.analysis.events import Events
from graph.analysis.profile import Profile
from graph.analysis.signals import compute_signals
from graph.analysis.weighting import Pairs, pair_weights, reference_time


@dataclass(frozen=True, slots=True)
class GlobalScore:
    """Per user (codes of ``Events.users``): the global score's parts."""

    pairs: Pairs  # the kept pairs, weighted with the score's recency
    audience_weight: FloatArray
    pagerank: FloatArray
    influence: FloatArray  # 0-1, relative to the top account

    @property
    def score(self) -> FloatArray:
        """0-100, relative to the top account."""
        return 100.0 * self.influence


def _relative(values: FloatArray) -> FloatArray:
    top = float(values.max()) if values.size else 0.0
    return values / top if top > 0 else np.zeros_like(values)


def global_score(events: Events, kept: Pairs, profile: Profile, reference: int) -> GlobalScore:
    """The global score of the accounts of ``events`` from the pairs the signals kept, their
    recency measured up to ``reference``."""
    n = len(events.users)
    age = activity_age(evidence_ticks(events, kept), kept.last, reference)
    pairs = replace(kept, weight=kept.evidence * np.exp2(-age / profile.score_recency))
    audience = np.bincount(pairs.target, weights=pairs.weight, minlength=n).astype(np.float64)
    ranks = pagerank(n, pairs.source, pairs.target, pairs.weight, damping=profile.damping)
    share = profile.pagerank_share
    blended = _relative(audience) ** (1.0 - share) * _relative(ranks) ** share
    return GlobalScore(pairs, audience, ranks, _relative(blended))


def external_ranks(values: FloatArray, is_brand: BoolArray) -> IntArray:
    """1 for the highest value among the accounts that are not the brand's, ties by code; the
    brand's own accounts get 0 (never ranked)."""
    n = values.size
    order = np.lexsort((np.arange(n), -values))
    rank = np.zeros(n, dtype=np.int64)
    external = order[~is_brand[order]]
    rank[external] = np.arange(1, external.size + 1)
    return rank


def global_score_of_events(
    events: Events, profile: Profile, *, until: int | None = None
) -> GlobalScore:
    """The global score of ``events`` alone, as an analysis of that window computes it (what a
    backtest ranks by)."""
    reference = reference_time(events, until)
    raw = pair_weights(events, profile, reference)
    signals = compute_signals(events, raw, profile)
    return global_score(events, raw.kept(~signals.discounted), profile, reference)
