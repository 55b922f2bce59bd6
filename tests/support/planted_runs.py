"""The planted scenario analysed by each engine, once per test session: the planted checks
(``tests/end_to_end/test_planted.py``) run on both, and the Spark engine's equivalence tests
(``tests/graph/spark``) compare them. Each engine has its own graph, loaded from the same files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from graph.analysis.profile import Profile
from graph.analysis.run import AnalysisSummary, analyze
from graph.backends.falkordb import FalkorDBBackend
from graph.models import Influencer, InfluencerQuery
from graph.server import ServerInfo
from graph.store import Store
from loaders.formats.contract import CsvContractReader
from loaders.pipeline import load
from tests.support.scenario import Scenario, generate_scenario
from tests.support.spark import spark_analyze

#: Every property an analysis writes on a user, read back for the engines' comparison.
USER_PROPERTIES = """
MATCH (u:User)
RETURN u.id AS id, u.pagerank AS pagerank, u.score AS score, u.rank AS rank, u.role AS role,
       u.roles AS roles, u.reasons AS reasons, u.community AS community, u.core AS core,
       u.betweenness AS betweenness, u.passivity AS passivity, u.influence AS influence,
       u.amplifiers AS amplifiers, u.acts AS acts, u.communities_reached AS communities_reached,
       u.topics AS topics, u.topic_ranks AS topic_ranks, u.top_amplifiers AS top_amplifiers,
       u.top_amplifier_shares AS top_amplifier_shares, u.top_posts AS top_posts,
       u.top_post_amplifiers AS top_post_amplifiers, u.discounted AS discounted,
       u.hollow_account AS hollow_account
"""


@dataclass(frozen=True)
class Run:
    summary: AnalysisSummary
    users: dict[str, Influencer]
    topic_top: dict[str, list[str]]  # topic -> ids by topic rank (top 10)
    topic_rank: dict[tuple[str, str], int]  # (user, topic) -> rank
    properties: dict[str, dict[str, Any]]  # user id -> USER_PROPERTIES


@dataclass(frozen=True)
class Planted:
    engine: str
    scenario: Scenario
    folder: Path
    full: Run
    before_silence: Run
    store: Store


def snapshot(store: Store, summary: AnalysisSummary, topics: tuple[str, ...]) -> Run:
    ranked = store.influencers(limit=10_000).items
    everyone = {user.id: user for user in ranked}
    everyone.update({user.id: user for user in store.brand_accounts()})
    topic_top: dict[str, list[str]] = {}
    topic_rank: dict[tuple[str, str], int] = {}
    for topic in (*topics, "football", "giveaway"):
        page = store.influencers(InfluencerQuery(topic=topic), limit=10_000).items
        topic_top[topic] = [user.id for user in page[:10]]
        topic_rank.update({(user.id, topic): user.rank for user in page})
    properties = {str(row["id"]): row for row in store.read(USER_PROPERTIES)}
    return Run(summary, everyone, topic_top, topic_rank, properties)


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


@dataclass
class PlantedEngines:
    """``get(engine)``: the planted scenario analysed by ``engine`` (done on first use)."""

    server: ServerInfo
    folder: Path
    runs: dict[str, Planted] = field(default_factory=dict)
    backends: list[FalkorDBBackend] = field(default_factory=list)

    def get(self, engine: str) -> Planted:
        if engine not in self.runs:
            self.runs[engine] = self._run(engine)
        return self.runs[engine]

    def _run(self, engine: str) -> Planted:
        folder = self.folder / "scenario"
        scenario = generate_scenario(folder)  # the same files every time (seeded)
        backend = FalkorDBBackend.connect(
            self.server.host, self.server.port, self.server.password, f"t_planted_{engine}",
            query_timeout_ms=60_000,
        )  # fmt: skip
        self.backends.append(backend)
        store = Store(backend)
        store.ensure_schema()
        report = load(store, [CsvContractReader(folder)])
        assert report.rejected_total == 0
        silence = epoch_ms(scenario.silent_since)
        if engine == "local":
            before = analyze(store, until=silence)
            before_run = snapshot(store, before, scenario.topics)
            full = analyze(store)
        else:
            work = self.folder / f"spark-{engine}"
            before = spark_analyze(store, Profile(), work, until=silence)
            before_run = snapshot(store, before, scenario.topics)
            full = spark_analyze(store, Profile(), work)
        return Planted(
            engine, scenario, folder, snapshot(store, full, scenario.topics), before_run, store
        )

    def close(self) -> None:
        for backend in self.backends:
            backend.clear()
            backend.close()
