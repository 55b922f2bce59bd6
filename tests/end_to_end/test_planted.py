"""The default ranking against a population whose influential and misleading accounts are known.

`tests.support.scenario` plants thematic bloggers (one silent for the last four days), a fan
live-tweeting a match with a burst from four friends, a reciprocal ring boosted by bought
accounts, a brand with ambassadors and mere fans, and bridges between communities. The default
profile must find the planted roles and resist the rest; a Klout-like volume score, computed
here on the same files, must not.
"""

from __future__ import annotations

import csv
import os
from datetime import datetime
from pathlib import Path

import pytest

from graph.analysis.baseline import klout_like, rank_of
from tests.cypher_lint import lint_available, lint_cypher
from tests.support.planted_runs import Planted, PlantedEngines, epoch_ms
from tests.support.scenario import Scenario
from tests.support.spark import need_spark

TOP_VOICES = 15  # the first screen of the ranked table


ENGINES = ("local", "spark")


@pytest.fixture(scope="module", params=ENGINES)
def planted(request: pytest.FixtureRequest, planted_engines: PlantedEngines) -> Planted:
    """The planted scenario as each engine analysed it: every check holds on both."""
    if request.param == "spark":
        need_spark()
    return planted_engines.get(str(request.param))


def _bloggers(s: Scenario) -> set[str]:
    return {user for group in s.bloggers.values() for user in group}


def test_each_topic_is_led_by_its_planted_bloggers(planted: Planted) -> None:
    s, run = planted.scenario, planted.full
    for topic in s.topics:
        assert set(run.topic_top[topic][:3]) == set(s.bloggers[topic]), topic
        for blogger in s.bloggers[topic]:
            user = run.users[blogger]
            assert user.role == "thematic_blogger", blogger
            assert user.topics[0] == topic
            assert any(reason.startswith(f"#{topic}: rank") for reason in user.reasons)


def test_the_top_of_the_ranking_is_planted_voices(planted: Planted) -> None:
    s, run = planted.scenario, planted.full
    top = sorted(run.users.values(), key=lambda user: user.rank or 10**9)[:TOP_VOICES]
    wanted = _bloggers(s) | set(s.bridges) | set(s.ambassadors)
    assert len({user.id for user in top} & _bloggers(s)) >= 11
    assert sum(user.id in wanted for user in top) >= 13


def test_a_silent_blogger_keeps_its_place(planted: Planted) -> None:
    """Four silent days: the rank within its topic is what it was the day the silence began."""
    s = planted.scenario
    topic = next(t for t, group in s.bloggers.items() if s.silent_blogger in group)
    now = planted.full.topic_rank[(s.silent_blogger, topic)]
    then = planted.before_silence.topic_rank[(s.silent_blogger, topic)]
    assert now <= 3
    assert now == then
    assert planted.full.users[s.silent_blogger].rank <= TOP_VOICES


def test_the_live_tweeting_fan_is_not_an_influencer(planted: Planted) -> None:
    s, run = planted.scenario, planted.full
    fan = run.users[s.fan]
    assert fan.rank > 100
    assert fan.role == "booster"
    assert any(reason.startswith("burst:") for reason in fan.reasons)
    for topic in s.topics:
        assert s.fan not in run.topic_top[topic]
    for friend in s.fan_friends:
        assert friend not in run.users or run.users[friend].rank > 100


def test_the_ring_and_its_bought_amplifiers_are_flagged_and_not_counted(
    planted: Planted,
) -> None:
    s, run = planted.scenario, planted.full
    for member in s.ring:
        user = run.users[member]
        assert user.role == "booster", member
        assert any(reason.startswith("suspicious ring") for reason in user.reasons)
        assert user.rank > 100, member
    for bought in s.bought:
        assert bought not in run.users or run.users[bought].rank > 100
    assert run.summary.discounted_pairs >= len(s.ring) * (len(s.ring) - 1)
    for topic in s.topics:
        assert not set(run.topic_top[topic]) & (set(s.ring) | set(s.bought))


def test_ambassadors_have_an_audience_and_fans_are_not_ambassadors(planted: Planted) -> None:
    s, run = planted.scenario, planted.full
    for ambassador in s.ambassadors:
        user = run.users[ambassador]
        assert "brand_ambassador" in user.roles, ambassador
        assert user.rank <= 50
        assert any(reason.startswith("brand ambassador:") for reason in user.reasons)
    for fan in s.fans_of_brand:
        assert fan not in run.users or "brand_ambassador" not in run.users[fan].roles
    ranked = planted.store.influencers(limit=10_000)
    assert not {user.id for user in ranked.items} & set(s.brand)
    for brand in s.brand:
        assert run.users[brand].role == "brand"
        assert run.users[brand].rank == 0  # scored, never ranked


def test_bridges_connect_two_communities(planted: Planted) -> None:
    s, run = planted.scenario, planted.full
    for bridge in s.bridges:
        user = run.users[bridge]
        assert user.communities_reached >= 2, bridge
        assert "bridge" in user.roles, (bridge, user.reasons)


def test_explanations_name_amplifiers_and_posts(planted: Planted) -> None:
    s, run = planted.scenario, planted.full
    with open(planted.folder / "posts.csv", encoding="utf-8", newline="") as handle:
        authors = {row["id"]: row["author_id"] for row in csv.DictReader(handle)}
    for blogger in _bloggers(s):
        user = run.users[blogger]
        assert len(user.top_amplifiers) == 5
        shares = list(user.top_amplifier_shares)
        assert shares == sorted(shares, reverse=True)
        assert 0 < sum(shares) <= 1.0 + 1e-9
        assert user.top_posts and all(authors[post] == blogger for post in user.top_posts)


def test_a_klout_like_volume_score_gets_it_wrong(planted: Planted) -> None:
    """The same files scored by volume with a one-day decay: the fan on top, the silent
    blogger and the deserving bloggers far down, the ring among the leaders."""
    s, run = planted.scenario, planted.full
    with open(planted.folder / "amplifications.csv", encoding="utf-8", newline="") as handle:
        events = [
            (row["amplifier_id"], row["author_id"], epoch_ms(_parse(row["created_at"])))
            for row in csv.DictReader(handle)
        ]
    with open(planted.folder / "posts.csv", encoding="utf-8", newline="") as handle:
        posts = [
            (row["author_id"], epoch_ms(_parse(row["created_at"])))
            for row in csv.DictReader(handle)
        ]
    brand = set(s.brand)
    scores = klout_like(events, posts, now_ms=epoch_ms(s.end))
    klout = rank_of({user: score for user, score in scores.items() if user not in brand})
    ours = {user: item.rank for user, item in run.users.items() if item.rank}

    def bloggers_on_top(ranks: dict[str, int]) -> int:
        return sum(1 for user in _bloggers(s) if ranks.get(user, 10**9) <= TOP_VOICES)

    assert klout[s.fan] <= 3 < 100 < ours[s.fan]
    assert ours[s.silent_blogger] <= TOP_VOICES < 100 < klout[s.silent_blogger]
    assert bloggers_on_top(ours) >= 11 > bloggers_on_top(klout) + 3
    assert min(klout[m] for m in s.ring) <= TOP_VOICES < 100 < min(ours[m] for m in s.ring)


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_queries() -> list[str]:
    text = README.read_text(encoding="utf-8")
    return [block.split("```", 1)[0].strip() for block in text.split("```cypher\n")[1:]]


def test_the_readme_targeting_queries_run_and_find_the_planted_voices(planted: Planted) -> None:
    found = _readme_queries()
    assert len(found) >= 3
    s = planted.scenario
    results = [planted.store.read(query) for query in found]  # type: ignore[arg-type]
    assert all(results), "every targeting query finds someone on the planted data"
    bloggers = [row["handle"] for row in results[0]]
    handles = {u.id: u.handle for u in planted.full.users.values()}
    assert {handles[b] for b in s.bloggers["vegan"]} <= set(bloggers[:3])
    assert {handles[a] for a in s.ambassadors} <= {row["handle"] for row in results[1]}


def test_the_readme_targeting_queries_pass_neo4j_front_end() -> None:
    reason = lint_available()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must check the README queries: {reason}")
        pytest.skip(reason)
    found = _readme_queries()
    assert dict(zip(found, lint_cypher(found), strict=True)) == {q: [] for q in found}


def test_passivity_aware_influence_ranks_the_planted_voices_too(planted: Planted) -> None:
    """The IP algorithm's influence (stored as `influence`), measured against the same truth:
    its top 15 are planted voices, and the fan and the ring stay far down."""
    s, run = planted.scenario, planted.full
    external = [user for user in run.users.values() if user.rank]
    by_influence = sorted(external, key=lambda user: (-user.influence, user.rank))
    place = {user.id: k for k, user in enumerate(by_influence, start=1)}
    planted_voices = _bloggers(s) | set(s.bridges) | set(s.ambassadors)
    assert sum(user.id in planted_voices for user in by_influence[:TOP_VOICES]) >= 14
    assert place[s.silent_blogger] <= TOP_VOICES
    assert place[s.fan] > 100 and min(place[m] for m in s.ring) > 100
