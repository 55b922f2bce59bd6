"""The activity clock: how old a pair's last act is, measured in the network's evidence since.

The global score's recency (``graph.analysis.influence``) ages a pair by what happened after
its last act, not by the calendar::

    age(pair) = units of evidence after the pair's last act / all units of evidence

A unit of evidence is what ``graph.analysis.weighting`` counts: the first act of one amplifier
on one post of one author (a bare act, with no post: on one day), over the pairs the signals
kept. So:

- when the whole network is quiet (a weekend, a holiday, a gap in the export) nobody ages, and
  in a burst (an announcement, a launch) what came before it ages quickly, as it does in the
  audience's attention;
- fifty retweets of one post count one unit, and the suspicious pairs count none: volume and
  rings can not make the clock run;
- a week of data and five years of data are measured alike, as shares of the window's
  evidence.

An account silent while the others keep amplifying ages as it would by the calendar on steady
data: four silent days of a 28-day window are a seventh of its evidence. A window shorter than a
day is too short to tell recent from old: its ages shrink in proportion (a window of six hours,
a quarter), as the calendar recency had a day at least.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from graph.algorithms.arrays import FloatArray, IntArray
from graph.analysis.events import Events
from graph.analysis.weighting import DAY_MS, Pairs, post_slots


def evidence_ticks(events: Events, kept: Pairs) -> IntArray:
    """The time of every unit of evidence of the ``kept`` pairs, sorted (epoch ms)."""
    n = max(len(events.users), 1)
    pair = events.source * n + events.target
    keys = np.sort(kept.source * n + kept.target)
    if keys.size == 0:
        return np.zeros(0, dtype=np.int64)
    # Which kept pair each event belongs to, if any: a binary search (np.isin sorts both).
    index = np.minimum(np.searchsorted(keys, pair), keys.size - 1)
    counted = keys[index] == pair
    posts = post_slots(events)  # a unit: one pair on one slot, as the weighting counts it
    unit = index[counted] * posts.count + posts.slot[counted]
    first = pd.Series(events.at[counted]).groupby(unit, sort=False).min().to_numpy()
    return np.sort(first).astype(np.int64)


def activity_age(ticks: IntArray, last: IntArray, reference: int) -> FloatArray:
    """For each time in ``last``, the share of ``ticks`` strictly after it: 0 for the latest
    act, close to 1 for one before nearly all the evidence; times the share of a day that the
    ticks span up to ``reference``, when that is less than a day."""
    if ticks.size == 0:
        return np.zeros(last.size, dtype=np.float64)
    order = np.argsort(last, kind="stable")  # sorted needles search several times faster
    after = np.empty(last.size, dtype=np.int64)
    after[order] = ticks.size - np.searchsorted(ticks, last[order], side="right")
    short = min(max(reference - int(ticks[0]), 0) / DAY_MS, 1.0)
    return after.astype(np.float64) / ticks.size * short
