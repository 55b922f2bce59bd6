"""Statements only the tests send: every amplified pair, how many accounts each topic ranks,
and the reads and edits of the suites that run on both backends (checked by Neo4j's front-end
with the product's, ``tests/graph/backends/test_neo4j_statements.py``)."""

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

# ------------------------------------------------------------------ the analysis suite
#: Every account's analysis, by id.
ALL_SCORES: LiteralString = """
MATCH (u:User)
RETURN u.id AS id, u.score AS score, u.pagerank AS pagerank, u.rank AS rank,
       u.amplifiers AS amplifiers, u.is_brand AS is_brand
ORDER BY id ASC
"""

USER_SCORE: LiteralString = "MATCH (u:User {id: $id}) RETURN u.score AS score, u.rank AS rank"

USER_STRUCTURE: LiteralString = """
MATCH (u:User)
RETURN u.id AS id, u.community AS community, u.betweenness AS betweenness, u.core AS core
"""

#: The amplifications of the accounts ``$ids``, both ways, deleted (their nodes stay).
DROP_AMPLIFICATIONS_OF: LiteralString = """
MATCH (a:User)-[r:AMPLIFIED]->(b:User)
WHERE a.id IN $ids OR b.id IN $ids
DELETE r
"""

DROP_ALL_AMPLIFICATIONS: LiteralString = "MATCH (:User)-[r:AMPLIFIED]->(:User) DELETE r"

USER_PROPERTIES: LiteralString = """
MATCH (u:User)
RETURN u.id AS id, properties(u) AS properties
ORDER BY id
"""

RANKED_IN: LiteralString = """
MATCH (u:User)-[r:RANKED_IN]->(run:Run {id: $run})
RETURN u.id AS id, properties(r) AS properties
ORDER BY id
"""

TOPIC_RANKS: LiteralString = """
MATCH (u:User)-[r:INFLUENTIAL_IN]->(t:Topic)
RETURN u.id AS id, t.id AS topic, properties(r) AS properties
ORDER BY id, topic
"""

LEFT_STAGED: LiteralString = (
    "MATCH (s) WHERE s:StagedScore OR s:StagedTopicRank RETURN count(s) AS n"
)

# ------------------------------------------------------------------ the explorer suite
SET_PROFILE: LiteralString = (
    "MATCH (u:User {id: $id}) SET u.handle = $handle, u.name = $name, u.followers = $followers"
)

DELETE_USER: LiteralString = "MATCH (u:User {id: $id}) DETACH DELETE u"

# ------------------------------------------------------------------ the console suite
#: Thirty accounts ``"1"`` .. ``"30"``, each with its number ``n`` and handle ``u<n>``.
THIRTY_USERS: LiteralString = (
    "UNWIND range(1, 30) AS i CREATE (:User {id: toString(i), n: i, handle: 'u' + toString(i)})"
)


def amplification_pairs(store: Store) -> list[Row]:
    """Per (amplifier, author, kind): the number of events."""
    return store.read(AMPLIFICATION_PAIRS)


def topic_rankings(store: Store) -> list[tuple[str, int]]:
    """``(topic, accounts ranked on it)`` for every topic the analysis ranked."""
    rows = store.read(TOPIC_RANKINGS)
    return [(str(row["topic"]), int(row["ranked"])) for row in rows]


FLAGGED_AMPLIFIERS: LiteralString = """
MATCH (u:User)
WHERE u.hollow_account = true OR 'booster' IN coalesce(u.roles, [])
RETURN u.id AS id
"""


def flagged_amplifiers(store: Store) -> set[str]:
    """The accounts the analysis flagged as boosters or hollow accounts."""
    return {str(row["id"]) for row in store.read(FLAGGED_AMPLIFIERS)}


def all_queries() -> list[str]:
    """Every statement here, for the Neo4j front-end check."""
    return statements_of(globals())
