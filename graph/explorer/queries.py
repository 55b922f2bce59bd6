"""The explorer's Cypher: read-only, parameterised, in the portable subset of
``shared/CYPHER_COMPAT.md`` (the test suite sends each through Neo4j's front-end and runs each
on FalkorDB).

Whatever names a user or a topic starts from the ``{id: ...}`` index and is bounded by LIMIT;
overviews make one pass over the users (or the ``INFLUENTIAL_IN`` relationships).
"""

from __future__ import annotations

from typing import LiteralString

from graph.queries import statements_of

# ------------------------------------------------ the leaderboard's columns
# What graph.explorer.leaderboard holds in memory between two analyses: the columns that rank,
# filter and sort, and the run stamp that says when they are stale.
ANALYSIS_RUN: LiteralString = "MATCH (a:Analysis {id: 'latest'}) RETURN a.run AS run"

RANKING_COLUMNS: LiteralString = """
MATCH (u:User)
WHERE u.rank IS NOT NULL
RETURN u.id AS id, u.rank AS rank, u.score AS score, u.role AS role, u.community AS community,
       u.amplifiers AS amplifiers
"""

TOPIC_RANKING_COLUMNS: LiteralString = """
MATCH (:Topic {id: $topic})<-[i:INFLUENTIAL_IN]-(u:User)
RETURN u.id AS id, i.rank AS rank, i.score AS score, u.role AS role, u.community AS community,
       u.amplifiers AS amplifiers
"""

# The identity part of ``graph.queries.USERS_BY_ID`` (handle, name, bio, followers, brand flag):
# what a load can change between two analyses.
IDENTITIES_BY_ID: LiteralString = """
UNWIND $ids AS key
MATCH (u:User {id: key})
RETURN u.id AS id, u.handle AS handle, u.name AS name, u.bio AS bio, u.followers AS followers,
       u.is_brand AS is_brand
"""

# ---------------------------------------------------------------- one account
USER_DETAIL: LiteralString = """
MATCH (u:User {id: $id})
RETURN u.id AS id, u.handle AS handle, u.name AS name, u.bio AS bio, u.url AS url,
       u.followers AS followers, u.is_brand AS is_brand, u.platform AS platform,
       u.placeholder AS placeholder, u.score AS score, u.pagerank AS pagerank, u.rank AS rank,
       u.amplifiers AS amplifiers, u.acts AS acts, u.communities_reached AS communities_reached,
       u.community AS community, u.betweenness AS betweenness, u.core AS core,
       u.influence AS influence, u.passivity AS passivity, u.discounted AS discounted,
       u.role AS role, u.roles AS roles, u.reasons AS reasons,
       u.top_amplifiers AS top_amplifiers, u.top_amplifier_shares AS top_amplifier_shares,
       u.top_posts AS top_posts, u.top_post_amplifiers AS top_post_amplifiers
"""

USER_TOPICS: LiteralString = """
MATCH (u:User {id: $id})-[i:INFLUENTIAL_IN]->(t:Topic)
RETURN t.id AS topic, i.rank AS rank, i.score AS score, i.focus AS focus,
       i.amplifiers AS amplifiers
ORDER BY rank ASC, topic ASC
"""

ACCOUNTS: LiteralString = """
UNWIND $ids AS key
MATCH (u:User {id: key})
RETURN u.id AS id, u.handle AS handle, u.name AS name, u.rank AS rank, u.score AS score,
       u.role AS role, u.community AS community, u.amplifiers AS amplifiers,
       u.is_brand AS is_brand
"""

POSTS: LiteralString = """
UNWIND $ids AS key
MATCH (p:Post {id: key})
RETURN p.id AS id, p.text AS text, p.created_at AS created_at, p.url AS url,
       [(p)-[:TAGGED]->(t:Topic) | t.id] AS topics
"""

# ---------------------------------------------------------------- networks
# Accounts that amplified, or were amplified by, any of ``$ids``: best score first.
NEIGHBOURS: LiteralString = """
UNWIND $ids AS key
MATCH (:User {id: key})-[r:AMPLIFIED]-(n:User)
WITH DISTINCT n
WITH n, coalesce(n.score, -1.0) AS score
RETURN n.id AS id, score
ORDER BY score DESC, id ASC
LIMIT $limit
"""

# Per (amplifier, author, kind) among ``$ids``: the evidence of
# ``graph.analysis.weighting.pair_weight`` (``graph.explorer.network.edges_among``).
# ``WITH`` before the filter: without it FalkorDB re-read every listed account's incoming edges
# per amplifier (13.9 s for the top 150 on a 1M-edge graph; 31 ms with it).
EDGES_AMONG: LiteralString = """
UNWIND $ids AS key
MATCH (a:User {id: key})-[r:AMPLIFIED]->(b:User)
WITH a, r, b
WHERE b.id IN $ids
RETURN a.id AS source, b.id AS target, r.kind AS kind, count(r) AS events,
       count(DISTINCT coalesce(r.post_id, '')) AS posts,
       count(DISTINCT r.at - r.at % 86400000) AS days
"""

# ---------------------------------------------------------------- topics
TOPICS: LiteralString = """
MATCH (t:Topic)<-[i:INFLUENTIAL_IN]-(:User)
RETURN t.id AS topic, count(i) AS ranked, sum(i.amplifiers) AS amplifiers
"""

TOPIC: LiteralString = "MATCH (t:Topic {id: $topic}) RETURN t.id AS topic"

# From the topic's index entry: its ranked accounts, best first.
TOPIC_RANKING: LiteralString = """
MATCH (:Topic {id: $topic})<-[i:INFLUENTIAL_IN]-(u:User)
WITH u, i.rank AS rank, i.score AS score
ORDER BY rank ASC, u.id ASC
LIMIT $limit
RETURN u.id AS id, rank, score
"""

# ---------------------------------------------------------------- communities
# One pass over the users: per community and best-ranked topic, how many members.
COMMUNITIES: LiteralString = """
MATCH (u:User)
WHERE u.community IS NOT NULL
RETURN u.community AS community, u.topics[0] AS topic, count(u) AS members,
       count(u.rank) AS ranked
"""

COMMUNITY: LiteralString = """
MATCH (u:User)
WHERE u.community = $community
RETURN u.topics[0] AS topic, count(u) AS members, count(u.rank) AS ranked
"""

# The best-ranked accounts of every community are among the best-ranked overall: a filter,
# no sort. Communities with fewer leaders under the cutoff than asked for are completed by
# COMMUNITY_RANKED_BELOW, which reads only their members.
COMMUNITY_LEADERS: LiteralString = """
MATCH (u:User)
WHERE u.rank <= $cutoff AND u.community IS NOT NULL
RETURN u.community AS community, u.id AS id, u.rank AS rank
"""

COMMUNITY_RANKED_BELOW: LiteralString = """
MATCH (u:User)
WHERE u.rank > $cutoff AND u.community IN $communities
RETURN u.community AS community, u.id AS id, u.rank AS rank
"""

# Members by rank (unranked ones, the brand's accounts among them, last by score).
COMMUNITY_MEMBERS: LiteralString = """
MATCH (u:User)
WHERE u.community = $community
WITH u, coalesce(u.rank, $unranked) AS rank, coalesce(u.score, -1.0) AS score
RETURN u.id AS id, rank, score
ORDER BY rank ASC, score DESC, id ASC
SKIP $offset
LIMIT $limit
"""

# ---------------------------------------------------------------- lookalikes
AUDIENCE: LiteralString = """
UNWIND $ids AS key
MATCH (a:User)-[r:AMPLIFIED]->(:User {id: key})
RETURN count(DISTINCT a) AS n
"""

# The seeds' ``$audience`` most engaged amplifiers (most acts, then id), and the accounts they
# amplified, by how many of them did. Seeds and brand accounts are left out by the caller.
_AMPLIFIED_BY_AUDIENCE = """
UNWIND $ids AS key
MATCH (a:User)-[r:AMPLIFIED]->(:User {id: key})
WITH a, count(r) AS acts
ORDER BY acts DESC, a.id ASC
LIMIT $audience
MATCH (a)-[q:AMPLIFIED]->(c:User)
WITH DISTINCT a, c
WITH c, count(a) AS shared
"""

_LOOKALIKE_FIELDS = """
RETURN c.id AS id, c.handle AS handle, c.name AS name, c.rank AS rank, c.score AS score,
       c.role AS role, c.community AS community, c.amplifiers AS amplifiers,
       c.is_brand AS is_brand, shared
"""

#: One query per order: ORDER BY cannot take a parameter. ``similarity`` orders by
#: ``shared / sqrt(the candidate's distinct amplifiers)``, the cosine up to a constant.
LOOKALIKES: dict[str, LiteralString] = {
    "shared": _AMPLIFIED_BY_AUDIENCE
    + "ORDER BY shared DESC, c.id ASC LIMIT $limit"
    + _LOOKALIKE_FIELDS,
    "similarity": _AMPLIFIED_BY_AUDIENCE
    + """WITH c, shared, CASE WHEN coalesce(c.amplifiers, 0) > shared THEN c.amplifiers
                     ELSE shared END AS reach
ORDER BY toFloat(shared) / sqrt(toFloat(reach)) DESC, shared DESC, c.id ASC
LIMIT $limit"""
    + _LOOKALIKE_FIELDS,
}

# ---------------------------------------------------------------- what to read (reading.py)
# Each voice's posts that some account amplified, by distinct amplifiers, with their topics;
# only those tagged with one of ``$topics`` unless it is empty.
VOICE_POSTS: LiteralString = """
UNWIND $ids AS key
MATCH (a:User)-[r:AMPLIFIED]->(v:User {id: key})
WHERE r.post_id IS NOT NULL AND r.post_id <> '' AND a.id <> key
WITH key, r.post_id AS post, count(DISTINCT a) AS amplifiers
MATCH (p:Post {id: post})
WHERE p.author_id = key
OPTIONAL MATCH (p)-[:TAGGED]->(t:Topic)
WITH key, p, amplifiers, collect(t.id) AS topics
WHERE size($topics) = 0 OR any(topic IN topics WHERE topic IN $topics)
RETURN key AS voice, p.id AS id, p.text AS text, p.created_at AS created_at, amplifiers, topics
ORDER BY voice ASC, amplifiers DESC, id ASC
"""

SEED_TOPICS: LiteralString = """
UNWIND $ids AS key
MATCH (u:User {id: key})
RETURN u.topics AS topics
"""

# ---------------------------------------------------------------- community names
# An analyst's name for a community is anchored on the community's best-ranked member when it
# was named: it follows that account into whichever community a later analysis puts it in.
COMMUNITY_NAMES: LiteralString = """
MATCH (n:CommunityName)
MATCH (u:User {id: n.anchor})
WHERE u.community IS NOT NULL
RETURN u.community AS community, n.name AS name, n.anchor AS anchor,
       coalesce(u.rank, $unranked) AS rank
ORDER BY rank ASC, anchor ASC
"""

COMMUNITY_ANCHOR: LiteralString = """
MATCH (u:User)
WHERE u.community = $community
WITH u, coalesce(u.rank, $unranked) AS rank, coalesce(u.score, -1.0) AS score
RETURN u.id AS id
ORDER BY rank ASC, score DESC, id ASC
LIMIT 1
"""

DROP_COMMUNITY_NAMES: LiteralString = """
MATCH (n:CommunityName)
OPTIONAL MATCH (u:User {id: n.anchor})
WITH n, u
WHERE u.community = $community OR u IS NULL
DELETE n
"""

NAME_COMMUNITY: LiteralString = """
MERGE (n:CommunityName {anchor: $anchor})
SET n.name = $name, n.named_at = $now
"""

# ---------------------------------------------------------------- provenance
ANALYSIS: LiteralString = """
MATCH (a:Analysis {id: 'latest'})
RETURN a.run AS run, a.profile AS profile, a.profile_json AS profile_json, a.since AS since,
       a.until AS until, a.reference AS reference, a.analyzed_at AS analyzed_at,
       a.users_scored AS users_scored, a.ranked AS ranked, a.edges AS edges, a.events AS events,
       a.topics AS topics, a.communities AS communities, a.discounted_pairs AS discounted_pairs
"""


def all_queries() -> list[str]:
    """Every statement of this module, for the front-end check and the FalkorDB tests."""
    return statements_of(globals())
