"""Every setting of a scoring profile in words, for the people who choose influencers.

"Une note suppose des critères": the profile page shows each weight and threshold with what it
does, its bounds and the default, and a new profile is derived from one in use by changing some
of them (:func:`derive_profile`), validated as any profile is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from graph.analysis.profile import BUILT_IN, Profile, ProfileError, list_profiles, save_profile

#: (group, meaning) of every field but ``name`` and ``description``, in the page's order.
FIELD_MEANINGS: dict[str, tuple[str, str]] = {
    "kind_weights": (
        "weights",
        "How much one act of each kind counts: a quote says more than a retweet, a like less.",
    ),
    "post_share": (
        "weights",
        "How an amplifier's evidence is split between distinct posts amplified and distinct "
        "days it came back (0.5: half each); repeats of one post on one day count once.",
    ),
    "half_life_days": (
        "weights",
        "Days after which an amplifier's last act weighs half, counted back from the end of "
        "the window (for topics, communities, betweenness and roles).",
    ),
    "score_recency": (
        "score",
        "How fast an audience ages on the activity clock: a reader whose last act came before "
        "this share of the window's activity counts half in the score.",
    ),
    "pagerank_share": (
        "score",
        "Share of the score that comes from who the amplifiers are (PageRank); the rest is "
        "the breadth and recency of the audience.",
    ),
    "damping": (
        "score",
        "PageRank's damping: the chance that a reader follows amplification one more step.",
    ),
    "seed": ("score", "Seed of the sampled steps (communities, betweenness): same seed, same run."),
    "betweenness_samples": (
        "score",
        "Source accounts sampled for betweenness on large graphs (exact up to 5,000 accounts).",
    ),
    "leiden_iterations": (
        "score",
        "Refinement passes of the Leiden communities (-1: until nothing moves).",
    ),
    "max_topics": ("topics", "Most topics ranked: the busiest ones first."),
    "min_topic_events": ("topics", "Amplification acts a topic needs to be ranked at all."),
    "min_topic_amplifiers": (
        "topics",
        "Distinct amplifiers on a topic an account needs to be ranked on it.",
    ),
    "min_audience": ("roles", "Distinct amplifiers an account needs before it gets a role."),
    "thematic_top": (
        "roles",
        "Topic rank at or above which a focused account is a thematic voice (blogger).",
    ),
    "thematic_focus": (
        "roles",
        "Share of its amplification that must come through one topic for a thematic voice.",
    ),
    "ambassador_min_days": (
        "roles",
        "Distinct days an account must amplify the brand to be a brand ambassador.",
    ),
    "ambassador_min_audience": (
        "roles",
        "Distinct amplifiers of its own a brand ambassador needs (fans have few).",
    ),
    "bridge_percentile": (
        "roles",
        "Betweenness percentile from which an account links communities (bridge).",
    ),
    "bridge_min_share": (
        "roles",
        "Share of its audience a bridge must have in its second community.",
    ),
    "hub_min_topics": ("roles", "Topics a hub (a generalist trend setter) is ranked on at least."),
    "hub_max_focus": ("roles", "Highest focus on any one topic a hub may have."),
    "hub_percentile": ("roles", "Score percentile from which a generalist is a hub."),
    "ring_min_partners": (
        "boosting",
        "Accounts that amplify it and that it amplifies back, at least, to suspect a ring.",
    ),
    "ring_min_share": (
        "boosting",
        "Share of its weight the ring must bring for its pairs to be discounted.",
    ),
    "ring_min_events": ("boosting", "Acts each way a ring pair needs."),
    "hollow_min_events": (
        "boosting",
        "Acts in all from which an amplifier with no audience of its own looks hollow.",
    ),
    "hollow_min_repeats": (
        "boosting",
        "Acts on one account from which a hollow amplifier is boosting it.",
    ),
    "hollow_min_accounts": ("boosting", "Hollow amplifiers an account needs to be flagged."),
    "hollow_min_share": (
        "boosting",
        "Share of its weight the hollow amplifiers must bring for it to be flagged.",
    ),
    "burst_max_amplifiers": (
        "boosting",
        "Most accounts a burst of volume comes from (a handful amplifying over and over).",
    ),
    "burst_min_events": ("boosting", "Acts a burst needs at least."),
    "burst_min_share": (
        "boosting",
        "Share of its acts that those few accounts must bring for a burst.",
    ),
    "burst_day_share": ("boosting", "Share of the burst's acts on its busiest day."),
}
GROUPS: tuple[str, ...] = ("weights", "score", "topics", "roles", "boosting")
_BOUNDS = {"ge": "minimum", "gt": "above", "le": "maximum", "lt": "below"}


class ProfileExists(ProfileError):
    """A new profile may not take the name of one that exists (built-in or saved)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"a profile named {name!r} exists already: choose another name")


@dataclass(frozen=True, slots=True)
class ProfileSetting:
    """One field of a profile: its value and the default profile's, with its meaning."""

    name: str
    group: str
    meaning: str
    value: Any
    default: Any
    bounds: dict[str, float]  # minimum / above / maximum / below, those the field has


def _bounds(name: str) -> dict[str, float]:
    found: dict[str, float] = {}
    for rule in Profile.model_fields[name].metadata:
        for attribute, label in _BOUNDS.items():
            value = getattr(rule, attribute, None)
            if value is not None:
                found[label] = float(value)
    return found


def describe_profile(profile: Profile) -> list[ProfileSetting]:
    """Every setting of ``profile``, in :data:`FIELD_MEANINGS` order."""
    default = Profile()
    return [
        ProfileSetting(
            name=name,
            group=group,
            meaning=meaning,
            value=getattr(profile, name),
            default=getattr(default, name),
            bounds=_bounds(name),
        )
        for name, (group, meaning) in FIELD_MEANINGS.items()
    ]


def derive_profile(
    base: Profile, name: str, description: str, changes: Mapping[str, Any]
) -> Profile:
    """``base`` with ``changes`` (field -> value; ``kind_weights`` may name some kinds only),
    renamed: ``ProfileError`` naming each field that is unknown or out of its bounds."""
    unknown = sorted(set(changes) - set(FIELD_MEANINGS))
    if unknown:
        raise ProfileError(f"unknown profile setting(s) {unknown}")
    data = base.model_dump()
    for field, value in changes.items():
        if field == "kind_weights" and isinstance(value, Mapping):
            data["kind_weights"] = {**data["kind_weights"], **value}
        else:
            data[field] = value
    data["name"], data["description"] = name, description
    try:
        return Profile.model_validate(data, strict=True)  # true is no number here
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
            for error in exc.errors()
        )
        raise ProfileError(f"profile {name!r} does not validate: {problems}") from exc


def save_new_profile(profile: Profile, data_dir: Path) -> Path:
    """Save ``profile`` under a name no profile has yet (:class:`ProfileExists` otherwise)."""
    if profile.name in BUILT_IN or any(p.name == profile.name for p in list_profiles(data_dir)):
        raise ProfileExists(profile.name)
    return save_profile(profile, data_dir)
