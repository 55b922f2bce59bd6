"""What happened after the split: the truth a backtest scores its rankings against.

For every account with at least one amplifier before the split (amplifying oneself does not
count; the brand's own accounts are never ranked, so never counted), two outcomes over the
events at or after the split and before the horizon:

* ``amplifiers``: its distinct amplifiers;
* ``reach``: two-step reach, the distinct accounts that amplified it, plus those that amplified
  them, all after the split (itself excluded).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from graph.algorithms.arrays import BoolArray, IntArray
from graph.analysis.events import Events


@dataclass(frozen=True, slots=True)
class Outcomes:
    """Per user (codes of ``Events.users``)."""

    eligible: BoolArray  # an amplifier before the split, and not the brand's
    amplifiers: IntArray  # distinct amplifiers after it
    reach: IntArray  # two-step reach after it


def distinct_pairs(events: Events) -> tuple[IntArray, IntArray]:
    """(amplifier, author) codes of the distinct pairs of ``events``, self-amplification out."""
    n = max(len(events.users), 1)
    other = events.source != events.target
    keys = np.unique(events.source[other] * n + events.target[other])
    return (keys // n).astype(np.int64), (keys % n).astype(np.int64)


def _reach(n: int, amplifier: IntArray, author: IntArray) -> IntArray:
    """Per author: its amplifiers and their amplifiers, distinct, itself excluded."""
    direct = sp.csr_matrix(
        (np.ones(amplifier.size, dtype=np.int8), (author, amplifier)), shape=(n, n)
    )
    both = (direct + direct @ direct).tocsr()
    both.setdiag(0)
    both.eliminate_zeros()
    return np.diff(both.indptr).astype(np.int64)


def outcomes(before: Events, after: Events, is_brand: BoolArray) -> Outcomes:
    """The outcomes of ``after`` for the accounts ``before`` gave an audience (both coded
    alike: ``Events.select`` of the same events)."""
    n = len(before.users)
    _, authors = distinct_pairs(before)
    eligible = (np.bincount(authors, minlength=n) > 0) & ~is_brand
    source, target = distinct_pairs(after)
    amplifiers = np.bincount(target, minlength=n).astype(np.int64)
    return Outcomes(eligible, amplifiers, _reach(n, source, target))
