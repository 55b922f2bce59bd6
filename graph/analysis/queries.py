"""The analysis's own reads: the events it scores, read by column."""

from __future__ import annotations

from typing import LiteralString

from graph.queries import statements_of

# The analysis reads events by chunks of amplifiers (``$ids``) within a window.
USER_IDS: LiteralString = "MATCH (u:User) RETURN u.id AS id"

# ``source`` is the amplifier's position in ``$ids`` (an integer, not its id again; the
# ``WITH`` lets FalkorDB look ``key`` up in the index, which ``{id: $ids[i]}`` does not).
AMPLIFICATIONS_OF: LiteralString = """
UNWIND range(0, size($ids) - 1) AS i
WITH i, $ids[i] AS key
MATCH (a:User {id: key})-[r:AMPLIFIED]->(b:User)
RETURN i AS source, b.id AS target, r.kind AS kind, r.at AS at, r.post_id AS post
"""

AMPLIFICATIONS_IN: LiteralString = """
UNWIND range(0, size($ids) - 1) AS i
WITH i, $ids[i] AS key
MATCH (a:User {id: key})-[r:AMPLIFIED]->(b:User)
WHERE r.at >= $since AND r.at < $until
RETURN i AS source, b.id AS target, r.kind AS kind, r.at AS at, r.post_id AS post
"""

POST_TOPICS: LiteralString = """
MATCH (p:Post)-[:TAGGED]->(t:Topic)
RETURN p.id AS post, t.id AS topic
"""


def all_queries() -> list[str]:
    """Every statement here, for the Neo4j front-end check."""
    return statements_of(globals())
