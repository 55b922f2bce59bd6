"""Per-account evidence from the weighted pairs and the events: audience, reach and the signs of
gaming. Each field is a plain per-user array; the rules that read them live in
``graph.analysis.roles``.

Suspicious boosting (all thresholds in the profile):

* **ring**: at least ``ring_min_partners`` accounts amplify it and are amplified by it, each way
  with at least ``ring_min_events`` acts, and they bring at least ``ring_min_share`` of the
  weight it receives from accounts that are not hollow (friends who retweet each other now and
  then are not a ring);
* **hollow audience**: at least ``hollow_min_accounts`` of its amplifiers have no audience of
  their own yet amplify at volume (``hollow_min_events`` acts or more in all) and amplified it
  over and over (``hollow_min_repeats`` acts or more), and they bring at least
  ``hollow_min_share`` of the weight it receives (a fan who retweets many accounts once or
  twice each is not a hollow amplifier of any of them);
* **burst**: at least ``burst_min_events`` events received, ``burst_min_share`` of them from at
  most ``burst_max_amplifiers`` accounts, and ``burst_day_share`` of them on a single day.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from graph.algorithms.arrays import BoolArray, FloatArray, IntArray
from graph.analysis.events import Events
from graph.analysis.profile import Profile
from graph.analysis.weighting import DAY_MS, Pairs


@dataclass(frozen=True, slots=True)
class Signals:
    audience: IntArray  # distinct amplifiers
    received_events: IntArray
    received_weight: FloatArray
    reciprocal_partners: IntArray
    reciprocal_share: FloatArray
    hollow_amplifiers: IntArray
    hollow_share: FloatArray
    burst_top_share: FloatArray  # share of received events from the top few amplifiers
    burst_day_share: FloatArray  # share of received events on the busiest day
    ring: BoolArray
    hollow: BoolArray
    burst: BoolArray
    ring_pairs: BoolArray  # per pair: amplification inside a ring
    hollow_pairs: BoolArray  # per pair: a hollow account amplifying a boosted one
    hollow_account: BoolArray  # amplifies at volume, with no audience of its own

    @property
    def booster(self) -> BoolArray:
        return self.ring | self.hollow | self.burst

    @property
    def discounted(self) -> BoolArray:
        """Pairs whose weight the scores do not count: the ring's internal amplification and
        the hollow accounts' amplification of the accounts they boost."""
        return self.ring_pairs | self.hollow_pairs


def _share(part: FloatArray, whole: FloatArray) -> FloatArray:
    return np.divide(part, whole, out=np.zeros_like(part), where=whole > 0)


def compute_signals(events: Events, pairs: Pairs, profile: Profile) -> Signals:
    n = len(events.users)
    src, dst, w = pairs.source, pairs.target, pairs.weight
    audience = np.bincount(dst, minlength=n).astype(np.int64)
    received_events = np.bincount(events.target, minlength=n).astype(np.int64)
    given_events = np.bincount(events.source, minlength=n).astype(np.int64)
    received = np.bincount(dst, weights=w, minlength=n).astype(np.float64)

    hollow_account = (audience == 0) & (given_events >= profile.hollow_min_events)
    hollow_pair = hollow_account[src] & (pairs.events >= profile.hollow_min_repeats)
    hollow_count = np.bincount(dst[hollow_pair], minlength=n).astype(np.int64)
    hollow_weight = np.bincount(dst[hollow_pair], weights=w[hollow_pair], minlength=n)
    hollow_share = _share(hollow_weight.astype(np.float64), received)
    hollow = (hollow_count >= profile.hollow_min_accounts) & (
        hollow_share >= profile.hollow_min_share
    )

    # A ring pair: both directions exist, each with at least ring_min_events acts. The ring's
    # share is of the weight the hollow accounts do not already explain.
    intense = pairs.events >= profile.ring_min_events
    reverse = intense & np.isin(dst * n + src, (src * n + dst)[intense])
    partners = np.bincount(dst[reverse], minlength=n).astype(np.int64)
    reciprocal_share = _share(
        np.bincount(dst[reverse], weights=w[reverse], minlength=n).astype(np.float64),
        np.maximum(received - hollow_weight, 0.0),
    )
    ring = (partners >= profile.ring_min_partners) & (reciprocal_share >= profile.ring_min_share)

    top_share, day_share = _bursts(events, n, profile.burst_max_amplifiers)
    burst = (
        (received_events >= profile.burst_min_events)
        & (top_share >= profile.burst_min_share)
        & (day_share >= profile.burst_day_share)
    )
    ring_pairs = reverse & ring[src] & ring[dst]
    hollow_pairs = hollow_pair & hollow[dst]
    return Signals(
        audience=audience,
        received_events=received_events,
        received_weight=received,
        reciprocal_partners=partners,
        reciprocal_share=reciprocal_share,
        hollow_amplifiers=hollow_count,
        hollow_share=hollow_share,
        burst_top_share=top_share,
        burst_day_share=day_share,
        ring=ring,
        hollow=hollow,
        burst=burst,
        ring_pairs=ring_pairs,
        hollow_pairs=hollow_pairs,
        hollow_account=hollow_account,
    )


def _bursts(events: Events, n: int, top: int) -> tuple[FloatArray, FloatArray]:
    """Per author: share of events from its ``top`` amplifiers, share on its busiest day."""
    total = np.bincount(events.target, minlength=n).astype(np.float64)
    if not events.count:
        return np.zeros(n), np.zeros(n)
    frame = pd.DataFrame(
        {"target": events.target, "source": events.source, "day": events.at // DAY_MS}
    )
    per_source = frame.groupby(["target", "source"]).size().sort_values(ascending=False)
    top_events = per_source.groupby(level="target").head(top).groupby(level="target").sum()
    busiest = frame.groupby(["target", "day"]).size().groupby(level="target").max()
    top_total = np.zeros(n)
    top_total[top_events.index.to_numpy()] = top_events.to_numpy()
    day_total = np.zeros(n)
    day_total[busiest.index.to_numpy()] = busiest.to_numpy()
    return _share(top_total, total), _share(day_total, total)
