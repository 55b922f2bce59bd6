"""Influencer roles, each a documented rule over the scores and signals, with its reasons.

An account may match several rules; ``roles`` lists them all and ``role`` is the first of
``ROLE_ORDER`` it matches (a suspicious booster is a booster first). The brand's own accounts
get the role ``brand`` and nothing else: they are never listed as external influencers.

* ``booster``: one of the signals of ``graph.analysis.signals`` (ring, hollow audience, burst).
* ``brand_ambassador``: an external account that amplified the brand's own accounts on at least
  ``ambassador_min_days`` distinct days AND is amplified by at least
  ``ambassador_min_audience`` distinct accounts itself (a fan who only amplifies is not one).
* ``thematic_blogger``: in the top ``thematic_top`` of a topic, with at least
  ``thematic_focus`` of its amplification on that topic and ``min_audience`` amplifiers.
* ``bridge``: betweenness in the top ``1 - bridge_percentile`` of accounts with an audience, and
  at least ``bridge_min_share`` of its amplification from a second community.
* ``hub``: a score in the top ``1 - hub_percentile``, amplified on at least ``hub_min_topics``
  topics (10% or more each) with none above ``hub_max_focus``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd

from graph.algorithms.arrays import BoolArray, FloatArray, IntArray
from graph.analysis.events import Events
from graph.analysis.profile import Profile
from graph.analysis.signals import Signals
from graph.analysis.topics import TopicScores
from graph.analysis.weighting import DAY_MS, Pairs

RoleName = Literal["booster", "brand_ambassador", "thematic_blogger", "bridge", "hub"]
ROLE_ORDER: tuple[RoleName, ...] = get_args(RoleName)
HUB_TOPIC_SHARE = 0.1


@dataclass(frozen=True, slots=True)
class Reach:
    """Where an account's amplification comes from, by amplifier community."""

    communities_reached: IntArray
    top_community: IntArray
    top_share: FloatArray
    second_community: IntArray
    second_share: FloatArray


@dataclass(frozen=True, slots=True)
class Roles:
    role: list[str | None]
    roles: list[list[str]]
    reasons: list[list[str]]


def community_reach(pairs: Pairs, communities: IntArray, n: int) -> Reach:
    frame = pd.DataFrame(
        {"target": pairs.target, "community": communities[pairs.source], "w": pairs.weight}
    )
    by = frame.groupby(["target", "community"])["w"].sum().reset_index()
    by["share"] = by["w"] / by.groupby("target")["w"].transform("sum")
    by = by.sort_values(["target", "share", "community"], ascending=[True, False, True])
    by["place"] = by.groupby("target").cumcount()
    reached = np.bincount(by["target"].to_numpy(), minlength=n).astype(np.int64)
    out = []
    for place in (0, 1):
        rows = by[by["place"] == place]
        community = np.full(n, -1, dtype=np.int64)
        share = np.zeros(n)
        community[rows["target"].to_numpy()] = rows["community"].to_numpy()
        share[rows["target"].to_numpy()] = rows["share"].to_numpy()
        out.append((community, share))
    return Reach(reached, out[0][0], out[0][1], out[1][0], out[1][1])


def brand_days(events: Events, is_brand: BoolArray) -> tuple[IntArray, IntArray]:
    """Per external account: distinct days and distinct posts on which it amplified the brand."""
    n = len(events.users)
    mask = is_brand[events.target] & ~is_brand[events.source]
    frame = pd.DataFrame(
        {"source": events.source[mask], "day": events.at[mask] // DAY_MS, "post": events.post[mask]}
    )
    days = np.zeros(n, dtype=np.int64)
    posts = np.zeros(n, dtype=np.int64)
    if len(frame):
        grouped = frame.groupby("source")
        day_counts = grouped["day"].nunique()
        days[day_counts.index.to_numpy()] = day_counts.to_numpy()
        post_counts = grouped["post"].nunique()
        posts[post_counts.index.to_numpy()] = post_counts.to_numpy()
    return days, posts


def _percentile_flag(values: FloatArray, among: BoolArray, percentile: float) -> BoolArray:
    if not among.any():
        return np.zeros(values.size, dtype=bool)
    cut = float(np.quantile(values[among], percentile))
    return among & (values >= cut) & (values > 0)


def assign_roles(
    *,
    profile: Profile,
    is_brand: BoolArray,
    signals: Signals,
    topics: TopicScores,
    score: FloatArray,
    betweenness: FloatArray,
    reach: Reach,
    brand_activity: tuple[IntArray, IntArray],
) -> Roles:
    n = is_brand.size
    audience = signals.audience
    has_audience = audience >= profile.min_audience
    days, brand_posts = brand_activity
    ambassador = (
        ~is_brand
        & (days >= profile.ambassador_min_days)
        & (audience >= profile.ambassador_min_audience)
    )
    topical = (
        (topics.rank > 0)
        & (topics.rank <= profile.thematic_top)
        & (topics.focus >= profile.thematic_focus)
    )
    blogger = has_audience & topical.any(axis=1) if topics.topics else np.zeros(n, dtype=bool)
    bridge = _percentile_flag(betweenness, has_audience, profile.bridge_percentile) & (
        reach.second_share >= profile.bridge_min_share
    )
    spread = (topics.focus >= HUB_TOPIC_SHARE) & (topics.amplifiers >= profile.min_topic_amplifiers)
    max_focus = topics.focus.max(axis=1) if topics.topics else np.zeros(n)
    hub = (
        _percentile_flag(score, has_audience, profile.hub_percentile)
        & (spread.sum(axis=1) >= profile.hub_min_topics)
        & (max_focus <= profile.hub_max_focus)
    )
    flags = {
        "booster": signals.booster & ~is_brand,
        "brand_ambassador": ambassador,
        "thematic_blogger": blogger & ~is_brand,
        "bridge": bridge & ~is_brand,
        "hub": hub & ~is_brand,
    }
    role: list[str | None] = []
    roles: list[list[str]] = []
    reasons: list[list[str]] = []
    for i in range(n):
        matched: list[str] = [name for name in ROLE_ORDER if flags[name][i]]
        if is_brand[i]:
            matched = ["brand"]
        role.append(matched[0] if matched else None)
        roles.append(matched)
        reasons.append(
            _reasons(i, matched, profile, signals, topics, reach, days, brand_posts, betweenness)
        )
    return Roles(role, roles, reasons)


def _reasons(
    i: int,
    matched: list[str],
    profile: Profile,
    s: Signals,
    topics: TopicScores,
    reach: Reach,
    days: IntArray,
    brand_posts: IntArray,
    betweenness: FloatArray,
) -> list[str]:
    said: list[str] = []
    if "brand" in matched:
        said.append("the brand's own account: scored, never ranked among external voices")
    if s.audience[i]:
        reached = reach.communities_reached[i]
        where = f" from {reached} communities" if reached > 1 else ""
        where = " from one community" if reached == 1 else where
        said.append(
            f"amplified by {s.audience[i]} distinct accounts ({s.received_events[i]} acts){where}"
        )
    for topic, rank, _, focus in topics.of(i)[:3]:
        said.append(f"#{topic}: rank {rank}, {focus:.0%} of its amplification on the topic")
    if "booster" in matched:
        if s.ring[i]:
            said.append(
                f"suspicious ring: {s.reciprocal_partners[i]} accounts it amplifies amplify it "
                f"back ({s.reciprocal_share[i]:.0%} of its amplification); not counted"
            )
        if s.hollow[i]:
            said.append(
                f"suspicious audience: {s.hollow_amplifiers[i]} high-volume amplifiers with no "
                f"audience of their own bring {s.hollow_share[i]:.0%}; not counted"
            )
        if s.burst[i]:
            said.append(
                f"burst: {s.burst_top_share[i]:.0%} of {s.received_events[i]} acts from at "
                f"most {profile.burst_max_amplifiers} accounts, {s.burst_day_share[i]:.0%} "
                "on a single day"
            )
    if "brand_ambassador" in matched:
        said.append(
            f"brand ambassador: amplified the brand on {days[i]} days ({brand_posts[i]} posts) "
            f"and has an audience of {s.audience[i]}"
        )
    if "bridge" in matched:
        said.append(
            f"bridge: {reach.top_share[i]:.0%} of its amplification from community "
            f"{reach.top_community[i]}, {reach.second_share[i]:.0%} from community "
            f"{reach.second_community[i]}; betweenness {betweenness[i]:.4g}"
        )
    if "hub" in matched:
        count = int((topics.focus[i] >= HUB_TOPIC_SHARE).sum())
        said.append(f"hub: amplified on {count} topics, none above {profile.hub_max_focus:.0%}")
    return said
