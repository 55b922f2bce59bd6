"""Every profile setting has its meaning in words; a derived profile is validated as any."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.analysis.profile import BUILT_IN, Profile, ProfileError, load_profile
from graph.analysis.profile_fields import (
    FIELD_MEANINGS,
    GROUPS,
    ProfileExists,
    derive_profile,
    describe_profile,
    save_new_profile,
)


def test_every_setting_of_the_profile_has_a_meaning_and_a_group() -> None:
    settings = set(Profile.model_fields) - {"name", "description"}
    assert set(FIELD_MEANINGS) == settings, "a new profile field needs its meaning in words"
    assert {group for group, _ in FIELD_MEANINGS.values()} == set(GROUPS)
    assert all(
        len(meaning) > 20 and meaning.endswith(".") for _, meaning in FIELD_MEANINGS.values()
    )


def test_describe_gives_values_defaults_and_bounds() -> None:
    recent = {s.name: s for s in describe_profile(BUILT_IN["recent"])}
    assert (recent["half_life_days"].value, recent["half_life_days"].default) == (14.0, 90.0)
    assert recent["half_life_days"].bounds == {"above": 0.0}
    assert recent["pagerank_share"].bounds == {"minimum": 0.0, "maximum": 1.0}
    assert recent["damping"].bounds == {"above": 0.0, "below": 1.0}
    assert recent["seed"].bounds == {}
    assert recent["kind_weights"].value["quote"] == 1.2
    assert [s.name for s in describe_profile(Profile())] == list(FIELD_MEANINGS)


def test_derive_changes_some_settings_and_keeps_the_rest() -> None:
    made = derive_profile(
        BUILT_IN["recent"], "campaign", "likes ignored", {"kind_weights": {"like": 0}, "seed": 3}
    )
    assert (made.name, made.description, made.seed) == ("campaign", "likes ignored", 3)
    assert made.kind_weights["like"] == 0.0 and made.kind_weights["quote"] == 1.2
    assert made.half_life_days == 14.0  # from its base


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"damping": 1.5}, "damping"),
        ({"half_life_days": 0, "post_share": -1}, "half_life_days"),
        ({"kind_weights": {"poke": 1.0}}, "kind_weights"),
        ({"no_such_setting": 1}, "no_such_setting"),
        ({"name": "other"}, "name"),
    ],
)
def test_derive_names_each_setting_it_refuses(changes: dict[str, object], named: str) -> None:
    with pytest.raises(ProfileError, match=named):
        derive_profile(Profile(), "campaign", "", changes)


def test_a_new_profile_takes_no_existing_name(tmp_path: Path) -> None:
    with pytest.raises(ProfileExists, match="recent"):
        save_new_profile(derive_profile(Profile(), "recent", "", {}), tmp_path)
    made = derive_profile(Profile(), "campaign", "", {"seed": 9})
    save_new_profile(made, tmp_path)
    assert load_profile("campaign", tmp_path) == made
    with pytest.raises(ProfileExists):
        save_new_profile(made, tmp_path)


def test_derive_takes_no_boolean_for_a_number() -> None:
    with pytest.raises(ProfileError, match="burst_day_share"):
        derive_profile(Profile(), "campaign", "", {"burst_day_share": False})
    assert derive_profile(Profile(), "campaign", "", {"half_life_days": 30}).half_life_days == 30
