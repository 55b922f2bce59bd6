"""Reads only the tests make: every amplified pair, and how many accounts each topic ranks."""

from __future__ import annotations

from typing import LiteralString

from graph.backends.base import Row
from graph.queries import statements_of
from graph.store import Store

AMPLIFICATION_PAIRS: LiteralString = """
MATCH (a:User)-[r:AMPLIFIED]->(b:User)
RETURN a.id AS source, b.id AS target, r.kind AS kind, count(r) AS events
"""

TOPIC_RANKINGS: LiteralString = """
MATCH (:User)-[i:INFLUENTIAL_IN]->(t:Topic)
RETURN t.id AS topic, count(i) AS ranked
ORDER BY ranked DESC, topic ASC
"""


def amplification_pairs(store: Store) -> list[Row]:
    """Per (amplifier, author, kind): the number of events."""
    return store.read(AMPLIFICATION_PAIRS)


def topic_rankings(store: Store) -> list[tuple[str, int]]:
    """``(topic, accounts ranked on it)`` for every topic the analysis ranked."""
    rows = store.read(TOPIC_RANKINGS)
    return [(str(row["topic"]), int(row["ranked"])) for row in rows]


def all_queries() -> list[str]:
    """Every statement here, for the Neo4j front-end check."""
    return statements_of(globals())
