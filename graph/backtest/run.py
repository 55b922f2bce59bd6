"""A backtest: every ranking of the pre-split events against what happened after the split."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from graph.algorithms.arrays import BoolArray, FloatArray
from graph.analysis.events import Events, fetch_events
from graph.analysis.influence import global_score_of_events
from graph.analysis.profile import Profile
from graph.analysis.run import brand_mask
from graph.backtest import baselines, queries
from graph.backtest.metrics import ndcg_at_k, precision_at_k
from graph.backtest.outcomes import Outcomes, outcomes
from graph.errors import GraphError
from graph.models import utc_iso
from graph.store import Store

BacktestProgress = Callable[[str, float], None]  # (what is being done, fraction done)
DAY_MS = 86_400_000


class NothingToBacktest(GraphError):
    """No events before the split, or none after it."""


@dataclass(frozen=True, slots=True)
class MethodResult:
    """One ranking's figures on both outcomes."""

    method: str
    ndcg_amplifiers: float
    precision_amplifiers: float
    ndcg_reach: float
    precision_reach: float


@dataclass(frozen=True, slots=True)
class BacktestReport:
    split: str
    horizon: str  # "" for the end of the data
    k: int
    profile: str
    events_before: int
    events_after: int
    accounts: int  # eligible: an audience before the split
    methods: list[MethodResult] = field(default_factory=list)

    def result(self, method: str) -> MethodResult:
        return next(found for found in self.methods if found.method == method)

    def best_baseline(self, outcome: str) -> float:
        """The best baseline's NDCG@k on ``outcome`` (``amplifiers`` or ``reach``)."""
        return max(
            float(getattr(found, f"ndcg_{outcome}"))
            for found in self.methods
            if found.method != self.methods[0].method
        )


def split_at_share(events: Events, share: float) -> int:
    """The moment by which ``share`` (0-1, exclusive) of the events had happened."""
    if not 0.0 < share < 1.0:
        raise GraphError(f"a split share must be between 0 and 1 (exclusive), got {share}")
    if not events.count:
        raise NothingToBacktest("there are no amplification events to split")
    ordered = np.sort(events.at)
    return int(ordered[min(int(share * ordered.size), ordered.size - 1)])


def _score(name: str, scores: FloatArray, truth: Outcomes, k: int) -> MethodResult:
    eligible = truth.eligible
    return MethodResult(
        name,
        round(ndcg_at_k(scores, truth.amplifiers, eligible, k), 4),
        round(precision_at_k(scores, truth.amplifiers, eligible, k), 4),
        round(ndcg_at_k(scores, truth.reach, eligible, k), 4),
        round(precision_at_k(scores, truth.reach, eligible, k), 4),
    )


def backtest_events(
    events: Events,
    *,
    split: int,
    horizon: int | None = None,
    k: int = 100,
    profile: Profile | None = None,
    is_brand: BoolArray | None = None,
    posts: Sequence[tuple[str, int]] = (),
    followers: Mapping[str, int] | None = None,
    progress: BacktestProgress | None = None,
) -> BacktestReport:
    """Rank ``events`` before ``split`` (epoch ms) with ``profile`` and the baselines; score each
    on the events at or after it, before ``horizon`` (None: all of them)."""
    profile = profile or Profile()
    say = progress or (lambda _what, _done: None)
    brand = np.zeros(len(events.users), dtype=bool) if is_brand is None else is_brand
    before = events.select(events.at < split)
    late = events.at >= split
    after = events.select(late if horizon is None else late & (events.at < horizon))
    if not before.count or not after.count:
        raise NothingToBacktest(
            f"the split {utc_iso(split)} leaves {before.count:,} events before it and "
            f"{after.count:,} after it: a backtest needs both"
        )
    say("what happened after the split", 0.1)
    truth = outcomes(before, after, brand)
    say(f"ranking {before.count:,} events with the profile {profile.name}", 0.3)
    rankings: dict[str, FloatArray] = {
        f"resonance ({profile.name})": global_score_of_events(before, profile, until=split).score
    }
    say("baselines", 0.7)
    rankings["volume (Klout-like)"] = baselines.volume(before, posts, split)
    rankings["distinct amplifiers"] = baselines.amplifiers(before)
    rankings["pagerank (unweighted)"] = baselines.unweighted_pagerank(before)
    if followers:
        rankings["followers"] = baselines.followers(before, followers)
    say("scoring the rankings", 0.9)
    report = BacktestReport(
        split=utc_iso(split),
        horizon="" if horizon is None else utc_iso(horizon),
        k=k,
        profile=profile.name,
        events_before=before.count,
        events_after=after.count,
        accounts=int(truth.eligible.sum()),
        methods=[_score(name, scores, truth, k) for name, scores in rankings.items()],
    )
    say("done", 1.0)
    return report


def backtest(
    store: Store,
    *,
    split: int | None = None,
    split_share: float | None = None,
    horizon_days: float | None = None,
    k: int = 100,
    profile: Profile | None = None,
    progress: BacktestProgress | None = None,
) -> BacktestReport:
    """:func:`backtest_events` on the database's events: the split is a moment (epoch ms) or
    the share of the events before it; the horizon is in days after the split."""
    say = progress or (lambda _what, _done: None)
    say("reading amplification events", 0.0)
    events = fetch_events(store)
    if split is None:
        split = split_at_share(events, 0.7 if split_share is None else split_share)
    horizon = None if horizon_days is None else split + int(horizon_days * DAY_MS)
    is_brand = brand_mask(store, events)
    posts = store.read_columns(queries.POSTS_BEFORE, {"split": split})
    counts = store.read_columns(queries.FOLLOWER_COUNTS)
    return backtest_events(
        events,
        split=split,
        horizon=horizon,
        k=k,
        profile=profile,
        is_brand=is_brand,
        posts=list(zip(posts.get("author", []), posts.get("at", []), strict=True)),
        followers=dict(zip(counts.get("id", []), counts.get("followers", []), strict=True)),
        progress=lambda what, done: say(what, 0.2 + 0.8 * done),
    )
