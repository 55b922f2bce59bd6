"""The planted-scenario generator writes what its manifest promises, and fools a Klout-like score.

These tests check the data only, never a Resonance ranking: every planted role is verified
from the CSV files themselves, and the files load through the real contract reader.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from graph.analysis.baseline import klout_like, rank_of
from graph.backends.base import Backend
from graph.models import GraphStats
from graph.store import Store
from loaders.formats.contract import CsvContractReader
from loaders.pipeline import load
from tests.support.scenario import Scenario, generate_scenario

FILES = ("users.csv", "posts.csv", "amplifications.csv")
Rows = list[dict[str, str]]


def read(path: Path) -> Rows:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def stamp(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, value
    return parsed


def ms(value: str) -> int:
    return int(stamp(value).timestamp()) * 1000


def amplifiers_of(amplifications: Rows) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for row in amplifications:
        found[row["author_id"]].add(row["amplifier_id"])
    return found


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Scenario]:
    out = tmp_path_factory.mktemp("scenario")
    return out, generate_scenario(out)


@pytest.fixture(scope="module")
def tables(scenario: tuple[Path, Scenario]) -> dict[str, Rows]:
    return {name.removesuffix(".csv"): read(scenario[0] / name) for name in FILES}


@pytest.fixture(scope="module")
def manifest(scenario: tuple[Path, Scenario]) -> Scenario:
    return scenario[1]


def test_same_seed_gives_identical_bytes(scenario: tuple[Path, Scenario], tmp_path: Path) -> None:
    again = generate_scenario(tmp_path)
    assert again == scenario[1]
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (scenario[0] / name).read_bytes(), name
    generate_scenario(tmp_path / "other", seed=12)
    assert (tmp_path / "other" / FILES[2]).read_bytes() != (tmp_path / FILES[2]).read_bytes()


def test_a_larger_population_grows_around_the_same_planted_accounts(
    manifest: Scenario, tmp_path: Path
) -> None:
    bigger = generate_scenario(tmp_path, days=7, users=3000)
    assert bigger.users == 3000 == len(read(tmp_path / "users.csv"))
    assert len(bigger.community_of) == 3000 - (manifest.users - len(manifest.community_of))
    assert "u2898" in bigger.community_of and "u2899" not in bigger.community_of
    assert (bigger.bloggers, bigger.ring, bigger.bought, bigger.ambassadors) == (
        manifest.bloggers,
        manifest.ring,
        manifest.bought,
        manifest.ambassadors,
    )
    assert set(bigger.community_of.values()) == {0, 1, 2, 3}
    with pytest.raises(ValueError, match="users >= 1000"):
        generate_scenario(tmp_path, users=999)


def test_manifest_counts_and_planted_ids(manifest: Scenario, tables: dict[str, Rows]) -> None:
    assert (manifest.users, manifest.posts, manifest.amplifications) == tuple(
        len(tables[t]) for t in ("users", "posts", "amplifications")
    )
    assert 1400 <= manifest.users <= 1600 and manifest.amplifications < 60_000
    ids = {row["id"] for row in tables["users"]}
    assert len(ids) == len(tables["users"])
    assert len({row["handle"] for row in tables["users"]}) == len(ids)
    planted = [
        *(b for group in manifest.bloggers.values() for b in group),
        manifest.fan,
        *manifest.fan_friends,
        *manifest.ring,
        *manifest.bought,
        *manifest.brand,
        *manifest.ambassadors,
        *manifest.fans_of_brand,
        *manifest.bridges,
    ]
    assert set(planted) <= ids and len(set(planted)) == len(planted)
    assert set(manifest.community_of) <= ids and not set(manifest.community_of) & set(planted)
    assert len(manifest.topics) == 4 and set(manifest.bloggers) == set(manifest.topics)
    assert manifest.silent_blogger in manifest.bloggers[manifest.topics[0]]
    assert (len(manifest.ring), len(manifest.bought), len(manifest.brand)) == (6, 40, 2)
    assert (len(manifest.ambassadors), len(manifest.fans_of_brand)) == (4, 30)
    brands = {row["id"] for row in tables["users"] if row["is_brand"] == "true"}
    assert brands == set(manifest.brand)


def test_bloggers_are_amplified_by_many_distinct_accounts(
    manifest: Scenario, tables: dict[str, Rows]
) -> None:
    amplifiers = amplifiers_of(tables["amplifications"])
    for topic, bloggers in manifest.bloggers.items():
        for blogger in bloggers:
            assert 55 <= len(amplifiers[blogger]) <= 150, blogger
            tags = {row["hashtags"] for row in tables["posts"] if row["author_id"] == blogger}
            assert tags == {topic}, blogger


def test_silent_blogger_is_silent_for_the_last_four_days(
    manifest: Scenario, tables: dict[str, Rows]
) -> None:
    assert manifest.silent_since == manifest.end - timedelta(days=4)

    def recent(rows: Rows, key: str) -> set[str]:
        return {row[key] for row in rows if stamp(row["created_at"]) >= manifest.silent_since}

    posted, amplified = (
        recent(tables["posts"], "author_id"),
        recent(tables["amplifications"], "author_id"),
    )
    everyone = {row["author_id"] for row in tables["amplifications"]}
    assert manifest.silent_blogger in everyone
    assert manifest.silent_blogger not in posted | amplified
    for blogger in {b for group in manifest.bloggers.values() for b in group}:
        if blogger != manifest.silent_blogger:
            assert blogger in posted and blogger in amplified, blogger


def test_fan_burst_is_four_friends_within_three_hours(
    manifest: Scenario, tables: dict[str, Rows]
) -> None:
    start, stop = manifest.match
    assert stop - start == timedelta(hours=3)
    assert start.date() == (manifest.end - timedelta(days=3)).date()
    live = {
        row["id"]: stamp(row["created_at"])
        for row in tables["posts"]
        if row["author_id"] == manifest.fan and start <= stamp(row["created_at"]) < stop
    }
    assert 130 <= len(live) <= 170
    burst = [row for row in tables["amplifications"] if row["post_id"] in live]
    assert {row["amplifier_id"] for row in burst} == set(manifest.fan_friends)
    assert len(manifest.fan_friends) == 4 and len(burst) >= 0.9 * 4 * len(live)
    times = [stamp(row["created_at"]) for row in burst] + list(live.values())
    assert start <= min(times) and max(times) - min(times) <= timedelta(hours=3)
    during = {
        row["amplifier_id"]
        for row in tables["amplifications"]
        if row["author_id"] == manifest.fan and start <= stamp(row["created_at"]) < stop
    }
    assert during == set(manifest.fan_friends)
    assert len(amplifiers_of(tables["amplifications"])[manifest.fan]) <= 12  # little audience
    assert all(r["hashtags"] == "football" for r in tables["posts"] if r["id"] in live)


def test_bought_accounts_never_post_and_are_never_amplified(
    manifest: Scenario, tables: dict[str, Rows]
) -> None:
    bought = set(manifest.bought)
    assert not bought & {row["author_id"] for row in tables["posts"]}
    assert not bought & {row["author_id"] for row in tables["amplifications"]}
    targets = {
        row["author_id"] for row in tables["amplifications"] if row["amplifier_id"] in bought
    }
    assert targets == set(manifest.ring)
    for account in bought:  # many times each
        count = sum(row["amplifier_id"] == account for row in tables["amplifications"])
        assert count >= 30, account


def test_ring_members_amplify_each_other(manifest: Scenario, tables: dict[str, Rows]) -> None:
    ring = set(manifest.ring)
    pairs: dict[tuple[str, str], int] = defaultdict(int)
    for row in tables["amplifications"]:
        if row["amplifier_id"] in ring and row["author_id"] in ring:
            pairs[row["amplifier_id"], row["author_id"]] += 1
    assert set(pairs) == {(a, b) for a in ring for b in ring if a != b}
    assert min(pairs.values()) >= 5


def test_ambassadors_amplify_the_brand_and_have_an_audience(
    manifest: Scenario, tables: dict[str, Rows]
) -> None:
    amplifiers = amplifiers_of(tables["amplifications"])
    brand_posts = {row["id"] for row in tables["posts"] if row["author_id"] in manifest.brand}
    for ambassador in manifest.ambassadors:
        days = {
            stamp(row["created_at"]).date()
            for row in tables["amplifications"]
            if row["amplifier_id"] == ambassador and row["post_id"] in brand_posts
        }
        assert len(days) >= 5, ambassador
        assert 30 <= len(amplifiers[ambassador]) <= 60, ambassador
    assert len(amplifiers[manifest.brand[0]]) >= 100


def test_brand_fans_amplify_the_brand_and_have_no_amplifiers(
    manifest: Scenario, tables: dict[str, Rows]
) -> None:
    amplifiers = amplifiers_of(tables["amplifications"])
    for fan in manifest.fans_of_brand:
        assert not amplifiers[fan], fan
        assert sum(fan in amplifiers[b] for b in manifest.brand) >= 1, fan


def test_bridges_are_amplified_by_two_communities(
    manifest: Scenario, tables: dict[str, Rows]
) -> None:
    amplifiers = amplifiers_of(tables["amplifications"])
    assert len(manifest.bridges) == len(manifest.bridge_communities) == 3
    for bridge, (one, two) in zip(manifest.bridges, manifest.bridge_communities, strict=True):
        assert one != two
        found = amplifiers[bridge]
        assert len(found) >= 40, bridge
        for community in (one, two):
            share = sum(manifest.community_of.get(a) == community for a in found) / len(found)
            assert share >= 0.3, (bridge, community, share)
        tags = {row["hashtags"] for row in tables["posts"] if row["author_id"] == bridge}
        assert tags == {manifest.topics[one], manifest.topics[two]}, bridge


def test_nothing_is_dated_after_the_end(manifest: Scenario, tables: dict[str, Rows]) -> None:
    assert manifest.end == datetime(2026, 11, 1, tzinfo=UTC)
    assert manifest.start == manifest.end - timedelta(days=28)
    for table in ("posts", "amplifications"):
        times = [stamp(row["created_at"]) for row in tables[table]]
        assert manifest.start <= min(times) and max(times) < manifest.end, table


def test_window_follows_the_arguments(tmp_path: Path) -> None:
    end = datetime(2026, 3, 1, 12, 30)  # naive: taken as UTC
    made = generate_scenario(tmp_path, seed=3, days=10, end=end)
    assert made.end == end.replace(tzinfo=UTC) and made.start == made.end - timedelta(days=10)
    for name in FILES[1:]:
        times = [stamp(row["created_at"]) for row in read(tmp_path / name)]
        assert made.start <= min(times) and max(times) < made.end, name
    with pytest.raises(ValueError, match="days >= 7"):
        generate_scenario(tmp_path, days=6)


def test_files_load_through_the_contract_reader(
    store: Store,
    backend: Backend,
    scenario: tuple[Path, Scenario],
    tables: dict[str, Rows],
    tmp_path: Path,
) -> None:
    rejects = tmp_path / "rejects.txt"
    big = Store(backend, batch_size=5_000)  # the store's connection, larger batches
    report = load(big, [CsvContractReader(scenario[0])], rejects_path=rejects)
    assert report.rejected_total == 0 and not rejects.exists()
    assert report.placeholder_users == 0 and report.self_amplifications == 0
    assert report.notices == []
    amplifications = tables["amplifications"]
    assert store.stats() == GraphStats(
        users=len(tables["users"]),
        posts=len(tables["posts"]),
        topics=len({row["hashtags"] for row in tables["posts"]}),
        amplifications=len(amplifications),
        amplified_pairs=len({(r["amplifier_id"], r["author_id"]) for r in amplifications}),
    )


def test_klout_like_is_fooled_by_the_scenario(manifest: Scenario, tables: dict[str, Rows]) -> None:
    scores = klout_like(
        (
            (r["amplifier_id"], r["author_id"], ms(r["created_at"]))
            for r in tables["amplifications"]
        ),
        ((r["author_id"], ms(r["created_at"])) for r in tables["posts"]),
        now_ms=int(manifest.end.timestamp()) * 1000,
    )
    ranks = rank_of(scores)
    assert ranks[manifest.fan] <= 10  # a burst from four friends
    assert ranks[manifest.silent_blogger] > 100  # four quiet days erase a reputation
