"""The shared Cypher: the portable subset of ``shared/CYPHER_COMPAT.md``, always parameterised.

Every constant here runs unchanged on Neo4j 5 and FalkorDB; the test suite sends each one
through Neo4j's own Cypher front-end and runs the store contract tests on FalkorDB.
"""

from __future__ import annotations

from typing import LiteralString

# ---------------------------------------------------------------- writes
# What a row leaves blank keeps what an earlier load said (a tweet that only names an account
# must not wipe its profile), and an account once marked as the brand's stays the brand's.
UPSERT_USERS: LiteralString = """
UNWIND $rows AS row
MERGE (u:User {id: row.id})
SET u.handle = row.handle,
    u.name = CASE WHEN row.name = '' THEN coalesce(u.name, '') ELSE row.name END,
    u.followers = coalesce(row.followers, u.followers),
    u.bio = CASE WHEN row.bio = '' THEN coalesce(u.bio, '') ELSE row.bio END,
    u.url = CASE WHEN row.url = '' THEN coalesce(u.url, '') ELSE row.url END,
    u.is_brand = row.is_brand OR coalesce(u.is_brand, false),
    u.platform = row.platform, u.placeholder = false
"""

CREATE_PLACEHOLDER_USERS: LiteralString = """
UNWIND $ids AS id
OPTIONAL MATCH (existing:User {id: id})
WITH id, existing
WHERE existing IS NULL
CREATE (u:User {id: id, handle: id, is_brand: false, placeholder: true})
RETURN count(u) AS created
"""

UPSERT_POSTS: LiteralString = """
UNWIND $rows AS row
MATCH (a:User {id: row.author_id})
MERGE (p:Post {id: row.id})
SET p.author_id = row.author_id, p.created_at = row.created_at, p.text = row.text,
    p.lang = row.lang, p.url = row.url
MERGE (a)-[:POSTED]->(p)
"""

TAG_POSTS: LiteralString = """
UNWIND $rows AS row
MATCH (p:Post {id: row.id})
UNWIND row.topics AS topic
MERGE (t:Topic {id: topic})
MERGE (p)-[:TAGGED]->(t)
"""

# An event is created once (looked up through the AMPLIFIED.id index) and never changed: it
# is a fact about the past. Faster than MERGE on the relationship, which scans the pair's edges.
UPSERT_AMPLIFICATIONS: LiteralString = """
UNWIND $rows AS row
OPTIONAL MATCH ()-[known:AMPLIFIED {id: row.id}]->()
WITH row, known
WHERE known IS NULL
MATCH (a:User {id: row.amplifier_id})
MATCH (b:User {id: row.author_id})
CREATE (a)-[r:AMPLIFIED {id: row.id, kind: row.kind, at: row.created_at, post_id: row.post_id}]->(b)
"""

EXISTING_POSTS: LiteralString = """
UNWIND $ids AS id
MATCH (p:Post {id: id})
RETURN p.id AS id
"""

CLEAR_SCORES: LiteralString = """
MATCH (u:User)
WHERE u.score IS NOT NULL
REMOVE u.score, u.pagerank, u.rank, u.amplifiers, u.community, u.betweenness, u.core
"""

WRITE_SCORES: LiteralString = """
UNWIND $rows AS row
MATCH (u:User {id: row.id})
SET u.score = row.score, u.pagerank = row.pagerank, u.rank = row.rank,
    u.amplifiers = row.amplifiers, u.community = row.community,
    u.betweenness = row.betweenness, u.core = row.core
"""

# ---------------------------------------------------------------- reads
ANY_NODE: LiteralString = "MATCH (n) RETURN n.id AS id LIMIT 1"
COUNT_USERS: LiteralString = "MATCH (u:User) RETURN count(u) AS n"
COUNT_POSTS: LiteralString = "MATCH (p:Post) RETURN count(p) AS n"
COUNT_TOPICS: LiteralString = "MATCH (t:Topic) RETURN count(t) AS n"
COUNT_AMPLIFICATIONS: LiteralString = "MATCH (:User)-[r:AMPLIFIED]->(:User) RETURN count(r) AS n"
COUNT_AMPLIFIED_PAIRS: LiteralString = """
MATCH (a:User)-[r:AMPLIFIED]->(b:User)
WITH a, b, count(r) AS events
RETURN count(events) AS n
"""

AMPLIFICATION_PAIRS: LiteralString = """
MATCH (a:User)-[r:AMPLIFIED]->(b:User)
RETURN a.id AS source, b.id AS target, r.kind AS kind, count(r) AS events
"""

BRAND_USERS: LiteralString = "MATCH (u:User) WHERE u.is_brand = true RETURN u.id AS id"

_INFLUENCER_FIELDS = """
RETURN u.id AS id, u.handle AS handle, u.name AS name, u.rank AS rank, u.score AS score,
       u.pagerank AS pagerank, u.followers AS followers, u.is_brand AS is_brand,
       u.amplifiers AS amplifiers, u.bio AS bio, u.community AS community,
       u.betweenness AS betweenness, u.core AS core
"""

#: One query per sort order: ORDER BY cannot take a parameter.
TOP_INFLUENCERS: dict[str, LiteralString] = {
    "rank": "MATCH (u:User) WHERE u.rank IS NOT NULL"
    + _INFLUENCER_FIELDS
    + "ORDER BY rank ASC, id ASC SKIP $offset LIMIT $limit",
    "followers": "MATCH (u:User) WHERE u.rank IS NOT NULL"
    + _INFLUENCER_FIELDS
    + "ORDER BY coalesce(followers, -1) DESC, rank ASC SKIP $offset LIMIT $limit",
    "amplifiers": "MATCH (u:User) WHERE u.rank IS NOT NULL"
    + _INFLUENCER_FIELDS
    + "ORDER BY amplifiers DESC, rank ASC SKIP $offset LIMIT $limit",
    "handle": "MATCH (u:User) WHERE u.rank IS NOT NULL"
    + _INFLUENCER_FIELDS
    + "ORDER BY handle ASC, rank ASC SKIP $offset LIMIT $limit",
}

COUNT_INFLUENCERS: LiteralString = "MATCH (u:User) WHERE u.rank IS NOT NULL RETURN count(u) AS n"

BRAND_INFLUENCERS: LiteralString = (
    "MATCH (u:User) WHERE u.is_brand = true AND u.score IS NOT NULL"
    + _INFLUENCER_FIELDS
    + "ORDER BY score DESC, id ASC"
)

COMMUNITY_MEMBERS: LiteralString = """
MATCH (u:User)
WHERE u.community IS NOT NULL
RETURN u.id AS user_id, u.community AS community
ORDER BY community ASC, user_id ASC
"""

USERS_BY_ID: LiteralString = "UNWIND $ids AS key MATCH (u:User {id: key})" + _INFLUENCER_FIELDS

EDGES_AMONG: LiteralString = """
UNWIND $ids AS key
MATCH (a:User {id: key})-[r:AMPLIFIED]->(b:User)
WHERE b.id IN $ids
RETURN a.id AS source, b.id AS target, r.kind AS kind, count(r) AS events
"""


def all_queries() -> list[str]:
    """Every shared statement, for the front-end check and the contract tests."""
    found: list[str] = []
    for name, value in globals().items():
        if name.startswith("_") or not name.isupper():
            continue
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            found.extend(str(query) for query in value.values())
    return found
