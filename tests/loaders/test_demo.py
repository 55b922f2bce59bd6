"""The demo generator writes realistic, seeded data that obeys the generic data contract."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from loaders.demo import HOSTILE_HANDLE, DemoSummary, generate_demo

FILES = ("users.csv", "posts.csv", "amplifications.csv")
REQUIRED = {
    "users.csv": {"id", "handle"},
    "posts.csv": {"id", "author_id", "created_at"},
    "amplifications.csv": {"amplifier_id", "author_id", "kind", "created_at"},
}
KINDS = {"retweet", "quote", "reply", "mention", "share", "like"}
START = datetime(2026, 10, 1, tzinfo=UTC)

Rows = list[dict[str, str]]


def read(path: Path) -> Rows:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def stamp(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, value
    return parsed


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    out = tmp_path_factory.mktemp("demo")
    return out, generate_demo(out)


@pytest.fixture(scope="module")
def tables(demo: tuple[Path, DemoSummary]) -> dict[str, Rows]:
    return {name: read(demo[0] / name) for name in FILES}


def in_degree(amplifications: Rows) -> dict[str, set[str]]:
    amplifiers: dict[str, set[str]] = defaultdict(set)
    for row in amplifications:
        amplifiers[row["author_id"]].add(row["amplifier_id"])
    return amplifiers


def test_same_seed_gives_identical_bytes(demo: tuple[Path, DemoSummary], tmp_path: Path) -> None:
    again = generate_demo(tmp_path)
    assert again == demo[1]
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (demo[0] / name).read_bytes(), name


def test_other_seed_differs(tmp_path: Path) -> None:
    generate_demo(tmp_path / "a", seed=1, users=300, days=5)
    generate_demo(tmp_path / "b", seed=2, users=300, days=5)
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() != (tmp_path / "b" / name).read_bytes()


def test_files_are_rfc4180_utf8_with_a_header(demo: tuple[Path, DemoSummary]) -> None:
    for name in FILES:
        raw = (demo[0] / name).read_bytes()
        header = raw.decode("utf-8").split("\r\n", 1)[0].split(",")
        assert REQUIRED[name] <= set(header), name
    users = (demo[0] / "users.csv").read_text(encoding="utf-8")
    posts = (demo[0] / "posts.csv").read_text(encoding="utf-8")
    assert '""' in users and '""' in posts  # quotes inside fields are doubled
    assert any("\n" in row["text"] for row in read(demo[0] / "posts.csv"))


def test_every_contract_rule_holds(tables: dict[str, Rows]) -> None:
    users, posts, amps = tables["users.csv"], tables["posts.csv"], tables["amplifications.csv"]
    for name, rows in tables.items():
        assert rows, name
        for row in rows:
            assert all(row[column] for column in REQUIRED[name]), (name, row)
    user_ids = {row["id"] for row in users}
    post_time = {row["id"]: stamp(row["created_at"]) for row in posts}
    assert len(user_ids) == len(users) and len(post_time) == len(posts)
    assert len({row["id"] for row in amps}) == len(amps)
    for user in users:
        assert int(user["followers"]) >= 0 and user["is_brand"] in {"true", "false"}
        assert "@" not in user["handle"]
    assert len({row["handle"] for row in users}) == len(users)
    end = START + timedelta(days=30)
    for post in posts:
        assert post["author_id"] in user_ids
        assert START <= post_time[post["id"]] < end
        for tag in post["hashtags"].split(";"):
            assert tag == tag.lower() and f"#{tag}" in post["text"].lower()
    for amp in amps:
        assert amp["kind"] in KINDS
        assert amp["amplifier_id"] != amp["author_id"]
        assert {amp["amplifier_id"], amp["author_id"]} <= user_ids
        created = stamp(amp["created_at"])
        assert START <= created < end
        if amp["post_id"]:
            assert amp["post_id"] in post_time
            assert created > post_time[amp["post_id"]]
        else:
            assert amp["kind"] == "mention"
    by_post = {row["id"]: row["author_id"] for row in posts}
    assert all(by_post[a["post_id"]] == a["author_id"] for a in amps if a["post_id"])


def test_summary_matches_the_files(demo: tuple[Path, DemoSummary], tables: dict[str, Rows]) -> None:
    summary = demo[1]
    assert summary.users == len(tables["users.csv"]) == 3000
    assert summary.posts == len(tables["posts.csv"])
    assert summary.amplifications == len(tables["amplifications.csv"])
    brands = [row for row in tables["users.csv"] if row["is_brand"] == "true"]
    assert summary.brand_accounts == len(brands) >= 1
    tags = {tag for row in tables["posts.csv"] for tag in row["hashtags"].split(";")}
    assert set(summary.topics) == tags and len(summary.topics) >= 5
    assert summary.communities >= 4
    assert 10_000 <= summary.posts <= 20_000
    assert 40_000 <= summary.amplifications <= 80_000


def test_kinds_are_mostly_retweets_then_mentions(tables: dict[str, Rows]) -> None:
    kinds = Counter(row["kind"] for row in tables["amplifications.csv"]).most_common()
    assert [kind for kind, _ in kinds[:2]] == ["retweet", "mention"]
    assert set(dict(kinds)) == KINDS


def test_ambassadors_amplify_the_brand_and_have_their_own_audience(
    tables: dict[str, Rows],
) -> None:
    brands = {row["id"] for row in tables["users.csv"] if row["is_brand"] == "true"}
    amps = tables["amplifications.csv"]
    brand_fans = Counter(row["amplifier_id"] for row in amps if row["author_id"] in brands)
    audience = in_degree(amps)
    ambassadors = [
        user
        for user, count in brand_fans.items()
        if count >= 10 and len(audience[user] - brands) >= 50 and user not in brands
    ]
    assert len(ambassadors) >= 3
    assert all(len(audience[brand]) >= 100 for brand in brands)


def test_the_hostile_handle_is_present_once_on_a_low_profile_user(tables: dict[str, Rows]) -> None:
    hostile = [row for row in tables["users.csv"] if row["handle"] == HOSTILE_HANDLE]
    assert len(hostile) == 1 and int(hostile[0]["followers"]) < 1000
    assert any(row["author_id"] == hostile[0]["id"] for row in tables["posts.csv"])
    names = [row["name"] for row in tables["users.csv"]]
    assert any(any(ord(char) > 127 for char in name) for name in names)


def test_in_degree_is_heavy_tailed(tables: dict[str, Rows]) -> None:
    degrees = sorted(
        (len(v) for v in in_degree(tables["amplifications.csv"]).values()), reverse=True
    )
    top = degrees[: len(tables["users.csv"]) // 100]
    assert sum(top) / sum(degrees) >= 0.15  # the top 1% of users get at least 15x their share
    assert degrees[0] >= 20 * degrees[len(degrees) // 2]


def test_booster_ring_retweets_itself_in_bursts(tables: dict[str, Rows]) -> None:
    ring = {row["id"] for row in tables["users.csv"] if row["bio"].startswith("Follow back")}
    assert len(ring) >= 5
    retweets = [
        row
        for row in tables["amplifications.csv"]
        if row["amplifier_id"] in ring and row["author_id"] in ring
    ]
    assert {(row["amplifier_id"], row["author_id"]) for row in retweets} == {
        (a, b) for a in ring for b in ring if a != b
    }
    by_hour = Counter(row["created_at"][:13] for row in retweets)
    assert max(by_hour.values()) >= len(ring) * (len(ring) - 1) // 2


def test_activity_follows_a_daily_rhythm(tables: dict[str, Rows]) -> None:
    hours = Counter(int(row["created_at"][11:13]) for row in tables["posts.csv"])
    night = sum(hours[h] for h in range(1, 5))
    evening = sum(hours[h] for h in range(18, 22))
    assert evening > 4 * night


def test_start_is_taken_as_utc(tmp_path: Path) -> None:
    start = datetime(2027, 3, 1, 12, tzinfo=timezone(timedelta(hours=2)))
    generate_demo(tmp_path, users=150, days=2, start=start)
    times = [stamp(row["created_at"]) for row in read(tmp_path / "posts.csv")]
    assert min(times) >= start and max(times) < start + timedelta(days=2)
    assert all(row["created_at"].endswith("Z") for row in read(tmp_path / "posts.csv"))


def test_too_small_a_population_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="users >= 100"):
        generate_demo(tmp_path, users=10)
