"""The planted behaviour holds at a few thousand, twenty thousand and fifty thousand accounts.

`tests.support.scenario` grows the regular population (each regular user posting, choosing
favourites and amplifying as at the default size) around the same planted accounts, so the
default ranking has to find them among more and more organic noise. For several seeds at each
size: every topic's planted bloggers are in its top 10, the live-tweeting fan ranks below
every blogger, ring members stay out of the global top 50 and are flagged as boosters, the
blogger silent for its last days stays in its topic's top 10, ambassadors are found and fans
never are. Each (size, seed) is generated, bulk-loaded and analysed once, for all its checks.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from graph.analysis.run import analyze
from graph.backends.falkordb import FalkorDBBackend
from graph.models import Influencer, InfluencerQuery
from graph.server import ServerInfo
from graph.store import Store
from loaders.formats.contract import CsvContractReader
from loaders.pipeline import load
from tests.support.scenario import Scenario, generate_scenario

TOP = 10  # a topic's first screen
GLOBAL_TOP = 50  # no ring member in here
DEPTH = 1000  # how far down each topic's ranking is read, to report a planted account's place
SEEDS = (11, 12)
SIZES = (3000, 20_000, 50_000)  # the two 50,000 cases: 45 to 70 s each on two busy cores
CASES = [pytest.param((size, seed), id=f"{size}-s{seed}") for size in SIZES for seed in SEEDS]


@dataclass(frozen=True)
class Ranked:
    """One analysed (size, seed): the manifest, the planted accounts as stored, topic ranks."""

    scenario: Scenario
    users: dict[str, Influencer]  # the planted accounts, by id
    topic_rank: dict[str, dict[str, int]]  # topic -> user -> rank, the first DEPTH of each
    seconds: dict[str, float]  # generate, load, analyze

    def rank(self, user: str) -> int:
        """The global rank, or a rank past everyone's for an account left unranked (0)."""
        found = self.users.get(user)
        return found.rank if found is not None and found.rank else 10**9

    def top(self, topic: str) -> list[str]:
        ranks = self.topic_rank[topic]
        return sorted((user for user, rank in ranks.items() if rank <= TOP), key=ranks.__getitem__)

    def place(self, user: str, topic: str) -> int | str:
        """The topic rank, for messages: ``f">{DEPTH}"`` when it is further down than that."""
        return self.topic_rank[topic].get(user, f">{DEPTH}")


def _planted_ids(s: Scenario) -> list[str]:
    bloggers = [user for group in s.bloggers.values() for user in group]
    return [*bloggers, s.fan, *s.ring, *s.ambassadors, *s.fans_of_brand]


@pytest.fixture(scope="module", params=CASES)
def ranked(
    request: pytest.FixtureRequest, server: ServerInfo, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Ranked]:
    size, seed = request.param
    folder = tmp_path_factory.mktemp(f"planted-{size}-{seed}")
    clock = time.perf_counter()
    scenario = generate_scenario(folder, seed=seed, users=size)
    seconds = {"generate": time.perf_counter() - clock}
    backend = FalkorDBBackend.connect(
        server.host,
        server.port,
        server.password,
        f"t_sizes_{size}_{seed}",
        query_timeout_ms=300_000,
    )
    backend.clear()
    store = Store(backend)
    clock = time.perf_counter()
    report = load(store, [CsvContractReader(folder)], bulk=True)
    seconds["load"] = time.perf_counter() - clock
    assert report.rejected_total == 0
    clock = time.perf_counter()
    analyze(store)
    seconds["analyze"] = time.perf_counter() - clock
    users = {user.id: user for user in store.users(_planted_ids(scenario))}
    topic_rank = {
        topic: {
            user.id: user.rank
            for user in store.influencers(InfluencerQuery(topic=topic), limit=DEPTH).items
        }
        for topic in scenario.topics
    }
    print(
        f"\n{size} accounts, seed {seed}: "
        + ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items())
    )
    yield Ranked(scenario, users, topic_rank, seconds)
    backend.clear()
    backend.close()


def test_each_topic_top_10_holds_its_planted_bloggers(ranked: Ranked) -> None:
    s = ranked.scenario
    missing = {
        blogger: (topic, ranked.place(blogger, topic))
        for topic in s.topics
        for blogger in s.bloggers[topic]
        if blogger not in ranked.top(topic)
    }
    assert not missing, f"planted bloggers outside their topic's top {TOP}: {missing}"


def test_the_live_tweeting_fan_ranks_below_every_blogger(ranked: Ranked) -> None:
    s = ranked.scenario
    bloggers = {user: ranked.rank(user) for group in s.bloggers.values() for user in group}
    fan = ranked.rank(s.fan)
    above = {user: rank for user, rank in bloggers.items() if rank >= fan}
    assert not above, f"the fan ranks {fan}, not below these bloggers: {above}"
    topics = {topic: ranked.place(s.fan, topic) for topic in s.topics if s.fan in ranked.top(topic)}
    assert not topics, f"the fan in a topic's top {TOP}: {topics}"


def test_ring_members_are_boosters_out_of_the_global_top_50(ranked: Ranked) -> None:
    s = ranked.scenario
    high = {member: ranked.rank(member) for member in s.ring if ranked.rank(member) <= GLOBAL_TOP}
    assert not high, f"ring members in the global top {GLOBAL_TOP}: {high}"
    for member in s.ring:
        user = ranked.users[member]
        assert user.role == "booster" or "booster" in user.roles, (member, user.role, user.roles)
        assert any(reason.startswith("suspicious ring") for reason in user.reasons), (
            member,
            user.reasons,
        )


def test_the_silent_blogger_stays_in_its_topic_top_10(ranked: Ranked) -> None:
    s = ranked.scenario
    topic = next(t for t, group in s.bloggers.items() if s.silent_blogger in group)
    place = ranked.place(s.silent_blogger, topic)
    assert s.silent_blogger in ranked.top(topic), f"{s.silent_blogger} is #{topic} {place}"


def test_ambassadors_are_found_and_fans_never(ranked: Ranked) -> None:
    s = ranked.scenario
    for ambassador in s.ambassadors:
        user = ranked.users[ambassador]
        assert "brand_ambassador" in user.roles, (ambassador, user.roles, user.reasons)
        assert any(reason.startswith("brand ambassador:") for reason in user.reasons), ambassador
    fans = [
        fan
        for fan in s.fans_of_brand
        if fan in ranked.users and "brand_ambassador" in ranked.users[fan].roles
    ]
    assert not fans, f"mere fans taken for ambassadors: {fans}"
