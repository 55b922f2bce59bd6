"""Scoring profiles: every weight and threshold of the analysis, named, documented and saved.

A profile is a JSON file ``$RESONANCE_DATA_DIR/profiles/NAME.json``; ``default`` and ``recent``
are built in. The README's "Scores, weights and roles" section explains each field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from graph.errors import GraphError
from graph.models import AMPLIFICATION_KINDS

DEFAULT_KIND_WEIGHTS: Mapping[str, float] = {
    "retweet": 1.0,
    "quote": 1.2,
    "reply": 0.7,
    "mention": 0.8,
    "share": 1.0,
    "like": 0.3,
}


NAME_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
_NAME = re.compile(NAME_PATTERN)


class ProfileError(GraphError):
    """A profile that does not exist or does not validate."""


class Profile(BaseModel):
    """How amplification becomes influence. Defaults are the ``default`` profile."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(default="default", pattern=NAME_PATTERN)
    description: str = "Volume-neutral, 90-day half-life: the documented default."
    # Edge weights.
    kind_weights: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_KIND_WEIGHTS))
    post_share: float = Field(default=0.5, ge=0.0, le=1.0)
    half_life_days: float = Field(default=90.0, gt=0.0)
    # The global score (graph.analysis.influence).
    score_recency: float = Field(default=0.2, gt=0.0, le=10.0)
    pagerank_share: float = Field(default=0.1, ge=0.0, le=1.0)
    # Scores.
    damping: float = Field(default=0.85, gt=0.0, lt=1.0)
    seed: int = 7
    betweenness_samples: int = Field(default=64, ge=10)
    leiden_iterations: int = Field(default=2, ge=-1)
    max_topics: int = Field(default=50, ge=0)
    min_topic_events: int = Field(default=30, ge=1)
    min_topic_amplifiers: int = Field(default=3, ge=1)
    # Roles.
    min_audience: int = Field(default=5, ge=1)
    thematic_top: int = Field(default=10, ge=1)
    thematic_focus: float = Field(default=0.5, ge=0.0, le=1.0)
    ambassador_min_days: int = Field(default=3, ge=1)
    ambassador_min_audience: int = Field(default=10, ge=1)
    bridge_percentile: float = Field(default=0.9, ge=0.0, le=1.0)
    bridge_min_share: float = Field(default=0.2, ge=0.0, le=0.5)
    hub_min_topics: int = Field(default=3, ge=2)
    hub_max_focus: float = Field(default=0.5, ge=0.0, le=1.0)
    hub_percentile: float = Field(default=0.95, ge=0.0, le=1.0)
    ring_min_partners: int = Field(default=3, ge=1)
    ring_min_share: float = Field(default=0.5, ge=0.0, le=1.0)
    ring_min_events: int = Field(default=5, ge=1)
    hollow_min_events: int = Field(default=20, ge=1)
    hollow_min_repeats: int = Field(default=5, ge=1)
    hollow_min_accounts: int = Field(default=5, ge=1)
    hollow_min_share: float = Field(default=0.6, ge=0.0, le=1.0)
    burst_max_amplifiers: int = Field(default=4, ge=1)
    burst_min_events: int = Field(default=50, ge=1)
    burst_min_share: float = Field(default=0.8, ge=0.0, le=1.0)
    burst_day_share: float = Field(default=0.5, ge=0.0, le=1.0)

    @field_validator("kind_weights")
    @classmethod
    def _known_kinds(cls, weights: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(weights) - set(AMPLIFICATION_KINDS))
        if unknown:
            raise ValueError(f"unknown kind(s) {unknown}; kinds are {list(AMPLIFICATION_KINDS)}")
        if any(value < 0 for value in weights.values()):
            raise ValueError("kind weights must be >= 0")
        return {kind: float(weights.get(kind, 0.0)) for kind in AMPLIFICATION_KINDS}

    @property
    def half_life_ms(self) -> float:
        return self.half_life_days * 86_400_000.0


BUILT_IN: dict[str, Profile] = {
    "default": Profile(),
    "recent": Profile(
        name="recent",
        description="Campaign view: 14-day half-life, so this month's voices come first.",
        half_life_days=14.0,
        score_recency=0.1,
    ),
}


def _folder(data_dir: Path) -> Path:
    return data_dir / "profiles"


def list_profiles(data_dir: Path) -> list[Profile]:
    """Built-in profiles, then saved ones (a saved profile may replace a built-in name)."""
    found = dict(BUILT_IN)
    folder = _folder(data_dir)
    if folder.is_dir():
        for path in sorted(folder.glob("*.json")):
            profile = load_profile(path.stem, data_dir)
            found[profile.name] = profile
    return list(found.values())


def load_profile(name: str, data_dir: Path) -> Profile:
    """The saved profile ``name``, else the built-in one; ``ProfileError`` when neither, or
    when ``name`` is not a profile name (it becomes a file name: ``../x`` must not).

    >>> load_profile("../secrets", Path("/nonexistent"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    graph.analysis.profile.ProfileError: '../secrets' is not a profile name: 1-64 letters, ...
    """
    if not _NAME.fullmatch(name):
        raise ProfileError(f"{name!r} is not a profile name: 1-64 letters, digits, _ or -")
    path = _folder(data_dir) / f"{name}.json"
    if path.is_file():
        try:
            data: Any = json.loads(path.read_text(encoding="utf-8"))
            return Profile.model_validate(data)
        except (ValueError, ValidationError) as exc:
            raise ProfileError(f"{path}: not a valid profile: {exc}") from exc
    if name in BUILT_IN:
        return BUILT_IN[name]
    known = ", ".join(profile.name for profile in list_profiles(data_dir))
    raise ProfileError(f"no profile named {name!r}; known: {known}")


def save_profile(profile: Profile, data_dir: Path) -> Path:
    """Write ``profile`` as ``profiles/NAME.json`` and return the path."""
    folder = _folder(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{profile.name}.json"
    path.write_text(profile.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return path
