"""Scoring profiles: defaults, validation, and the save/load/list round trip on disk."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from graph.analysis.profile import (
    BUILT_IN,
    DEFAULT_KIND_WEIGHTS,
    Profile,
    ProfileError,
    list_profiles,
    load_profile,
    save_profile,
)
from graph.errors import GraphError
from graph.models import AMPLIFICATION_KINDS


def test_defaults() -> None:
    profile = Profile()
    assert profile.name == "default"
    assert profile.kind_weights == dict(DEFAULT_KIND_WEIGHTS)
    assert list(profile.kind_weights) == list(AMPLIFICATION_KINDS)
    assert profile.post_share == 0.5
    assert profile.half_life_days == 90.0
    assert profile.half_life_ms == 90 * 86_400_000
    assert profile.damping == 0.85
    assert (profile.ring_min_partners, profile.ring_min_events) == (3, 5)
    assert (profile.hollow_min_events, profile.hollow_min_accounts) == (20, 5)
    assert (profile.burst_min_events, profile.burst_max_amplifiers) == (50, 4)


def test_kind_weights_are_completed_with_zero_and_made_floats() -> None:
    profile = Profile(kind_weights={"retweet": 2, "like": 0})
    assert profile.kind_weights == {k: 0.0 for k in AMPLIFICATION_KINDS} | {"retweet": 2.0}
    assert all(type(w) is float for w in profile.kind_weights.values())


def test_profiles_are_frozen() -> None:
    profile = Profile()
    with pytest.raises(ValidationError):
        profile.damping = 0.5


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"kind_weights": {"retweet": 1.0, "boost": 2.0}}, "boost"),
        ({"kind_weights": {"retweet": -0.1}}, ">= 0"),
        ({"name": "has space"}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 65}, "name"),
        ({"name": "../escape"}, "name"),
        ({"post_share": 1.5}, "post_share"),
        ({"half_life_days": 0}, "half_life_days"),
        ({"damping": 1.0}, "damping"),
        ({"betweenness_samples": 9}, "betweenness_samples"),
        ({"bridge_min_share": 0.6}, "bridge_min_share"),
        ({"hub_min_topics": 1}, "hub_min_topics"),
        ({"no_such_field": 1}, "no_such_field"),
    ],
)
def test_invalid_profiles_are_refused(fields: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Profile.model_validate(fields)
    assert fragment in str(caught.value)


def test_unknown_kind_names_the_known_ones() -> None:
    with pytest.raises(ValidationError) as caught:
        Profile(kind_weights={"boost": 1.0})
    for kind in AMPLIFICATION_KINDS:
        assert kind in str(caught.value)


@pytest.mark.parametrize("name", ["a", "default-2", "Campaign_Q3", "x" * 64])
def test_good_names(name: str) -> None:
    assert Profile(name=name).name == name


def test_built_ins(tmp_path: Path) -> None:
    assert set(BUILT_IN) == {"default", "recent"}
    assert load_profile("default", tmp_path) == Profile()
    recent = load_profile("recent", tmp_path)
    assert recent.name == "recent"
    assert recent.half_life_days == 14.0
    assert recent.kind_weights == Profile().kind_weights
    assert [p.name for p in list_profiles(tmp_path)] == ["default", "recent"]
    assert not (tmp_path / "profiles").exists()


def test_save_load_list_round_trip(tmp_path: Path) -> None:
    profile = Profile(
        name="campaign",
        description='Quotes first; "q" \\ ünïcode',
        kind_weights={"quote": 3.0, "retweet": 0.5},
        post_share=0.25,
        half_life_days=7.5,
        ring_min_events=9,
    )
    path = save_profile(profile, tmp_path)
    assert path == tmp_path / "profiles" / "campaign.json"
    assert json.loads(path.read_text(encoding="utf-8"))["half_life_days"] == 7.5
    assert load_profile("campaign", tmp_path) == profile
    other = save_profile(Profile(name="b-side", seed=11), tmp_path)
    assert other.name == "b-side.json"
    names = [p.name for p in list_profiles(tmp_path)]
    assert names == ["default", "recent", "b-side", "campaign"]
    # Saving again replaces the file.
    save_profile(profile.model_copy(update={"seed": 99}), tmp_path)
    assert load_profile("campaign", tmp_path).seed == 99


def test_a_saved_profile_replaces_a_built_in_name(tmp_path: Path) -> None:
    mine = Profile(name="default", description="mine", half_life_days=30.0)
    save_profile(mine, tmp_path)
    assert load_profile("default", tmp_path) == mine
    listed = list_profiles(tmp_path)
    assert [p.name for p in listed] == ["default", "recent"]
    assert listed[0] == mine
    assert BUILT_IN["default"] == Profile()  # the built-in itself is untouched
    assert load_profile("recent", tmp_path) == BUILT_IN["recent"]


def test_an_unknown_profile_names_the_known_ones(tmp_path: Path) -> None:
    save_profile(Profile(name="mine"), tmp_path)
    with pytest.raises(ProfileError) as caught:
        load_profile("nope", tmp_path)
    message = str(caught.value)
    assert "'nope'" in message
    for known in ("default", "recent", "mine"):
        assert known in message
    assert isinstance(caught.value, GraphError)


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "",
        "[1, 2]",
        '{"name": "broken", "kind_weights": {"boost": 1}}',
        '{"name": "broken", "damping": 2}',
        '{"name": "broken", "extra": true}',
    ],
)
def test_a_corrupt_file_names_its_path(tmp_path: Path, content: str) -> None:
    folder = tmp_path / "profiles"
    folder.mkdir()
    path = folder / "broken.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_profile("broken", tmp_path)
    assert str(path) in str(caught.value)
    with pytest.raises(ProfileError) as listed:
        list_profiles(tmp_path)
    assert str(path) in str(listed.value)


def test_a_corrupt_file_does_not_hide_a_built_in_silently(tmp_path: Path) -> None:
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "recent.json").write_text("{", encoding="utf-8")
    with pytest.raises(ProfileError, match=r"recent\.json"):
        load_profile("recent", tmp_path)
    assert load_profile("default", tmp_path) == Profile()
