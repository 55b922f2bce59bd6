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

#: The reasons in words, as templates (the pages translate them: ``web/locales``).
REASONS: dict[str, str] = {
    "brand": "the brand's own account: scored, never ranked among external voices",
    "audience": "amplified by {audience} distinct accounts ({acts} acts)",
    "audience_community": (
        "amplified by {audience} distinct accounts ({acts} acts) from one community"
    ),
    "audience_communities": (
        "amplified by {audience} distinct accounts ({acts} acts) from {reached} communities"
    ),
    "topic": "#{topic}: rank {rank}, {focus} of its amplification on the topic",
    "ring": (
        "suspicious ring: {partners} accounts it amplifies amplify it back ({share} of its "
        "amplification); not counted"
    ),
    "hollow": (
        "suspicious audience: {hollow} high-volume amplifiers with no audience of their own "
        "bring {share}; not counted"
    ),
    "burst": (
        "burst: {share} of {acts} acts from at most {accounts} accounts, {day} on a single day"
    ),
    "ambassador": (
        "brand ambassador: amplified the brand on {days} days ({posts} posts) and has an "
        "audience of {audience}"
    ),
    "bridge": (
        "bridge: {top} of its amplification from community {first}, {second} from community "
        "{other}; betweenness {betweenness}"
    ),
    "hub": "hub: amplified on {count} topics, none above {focus}",
}


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


@dataclass(frozen=True, slots=True)
class RoleCuts:
    """The percentile cuts of the bridge and hub rules, over every account with an audience
    (``None``: no such account). The Spark engine computes them over the whole graph and
    applies the rules a batch of accounts at a time."""

    bridge: float | None
    hub: float | None


def _cut(values: FloatArray, among: BoolArray, percentile: float) -> float | None:
    return float(np.quantile(values[among], percentile)) if among.any() else None


def role_cuts(
    profile: Profile, audience: IntArray, score: FloatArray, betweenness: FloatArray
) -> RoleCuts:
    has_audience = audience >= profile.min_audience
    return RoleCuts(
        bridge=_cut(betweenness, has_audience, profile.bridge_percentile),
        hub=_cut(score, has_audience, profile.hub_percentile),
    )


def _percentile_flag(values: FloatArray, among: BoolArray, cut: float | None) -> BoolArray:
    if cut is None:
        return np.zeros(values.size, dtype=bool)
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
    cuts: RoleCuts | None = None,
) -> Roles:
    """The roles of every account; ``cuts`` (default: from these accounts) sets the bridge
    and hub rules' percentiles."""
    n = is_brand.size
    audience = signals.audience
    cuts = cuts or role_cuts(profile, audience, score, betweenness)
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
    bridge = _percentile_flag(betweenness, has_audience, cuts.bridge) & (
        reach.second_share >= profile.bridge_min_share
    )
    spread = (topics.focus >= HUB_TOPIC_SHARE) & (topics.amplifiers >= profile.min_topic_amplifiers)
    max_focus = topics.focus.max(axis=1) if topics.topics else np.zeros(n)
    hub = (
        _percentile_flag(score, has_audience, cuts.hub)
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
        said.append(REASONS["brand"])
    if s.audience[i]:
        reached = int(reach.communities_reached[i])
        audience = {"audience": s.audience[i], "acts": s.received_events[i]}
        if reached > 1:
            said.append(REASONS["audience_communities"].format(**audience, reached=reached))
        elif reached == 1:
            said.append(REASONS["audience_community"].format(**audience))
        else:
            said.append(REASONS["audience"].format(**audience))
    for topic, rank, _, focus in topics.of(i)[:3]:
        said.append(REASONS["topic"].format(topic=topic, rank=rank, focus=f"{focus:.0%}"))
    if "booster" in matched:
        if s.ring[i]:
            said.append(
                REASONS["ring"].format(
                    partners=s.reciprocal_partners[i], share=f"{s.reciprocal_share[i]:.0%}"
                )
            )
        if s.hollow[i]:
            said.append(
                REASONS["hollow"].format(
                    hollow=s.hollow_amplifiers[i], share=f"{s.hollow_share[i]:.0%}"
                )
            )
        if s.burst[i]:
            said.append(
                REASONS["burst"].format(
                    share=f"{s.burst_top_share[i]:.0%}",
                    acts=s.received_events[i],
                    accounts=profile.burst_max_amplifiers,
                    day=f"{s.burst_day_share[i]:.0%}",
                )
            )
    if "brand_ambassador" in matched:
        said.append(
            REASONS["ambassador"].format(days=days[i], posts=brand_posts[i], audience=s.audience[i])
        )
    if "bridge" in matched:
        said.append(
            REASONS["bridge"].format(
                top=f"{reach.top_share[i]:.0%}",
                first=reach.top_community[i],
                second=f"{reach.second_share[i]:.0%}",
                other=reach.second_community[i],
                betweenness=f"{betweenness[i]:.4g}",
            )
        )
    if "hub" in matched:
        count = int((topics.focus[i] >= HUB_TOPIC_SHARE).sum())
        said.append(REASONS["hub"].format(count=count, focus=f"{profile.hub_max_focus:.0%}"))
    return said
