"""The shared Cypher: the portable subset of ``shared/CYPHER_COMPAT.md``, always parameterised.

Every constant here runs unchanged on Neo4j 5 and FalkorDB; the test suite sends each one
through Neo4j's own Cypher front-end and runs the store contract tests on FalkorDB.
"""

from __future__ import annotations

from collections.abc import Mapping
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

# The analysis write-back is staged, then switched over in one statement, so that a crash at
# any point (of the analysis or of the server) leaves every read on the previous run or on the
# new one, never a mix. Staging creates plain nodes (no index, no relationship: invisible to
# every read, cheap to create: an update of a User node re-indexes it, ~15 us each) stamped
# with the run; ``SWITCH_TO_STAGED_ANALYSIS`` then moves them into place. A staging that was
# cut short is deleted by the next write-back, and never switched (the counts must match).
CLEAR_STAGED_SCORES: LiteralString = "MATCH (s:StagedScore) DELETE s"
CLEAR_STAGED_TOPIC_RANKS: LiteralString = "MATCH (s:StagedTopicRank) DELETE s"

# Each row is a list of values in the order of ``graph.store.STAGED_SCORE_KEYS`` (about half
# the text of maps keyed by name, and a third less of the server's time); a null (what the
# short form of accounts nobody amplified lacks) leaves the property unset.
STAGE_SCORES: LiteralString = """
UNWIND $rows AS row
CREATE (s:StagedScore)
SET s.run = $run, s.id = row[0], s.score = row[1], s.pagerank = row[2], s.rank = row[3],
    s.amplifiers = row[4], s.acts = row[5], s.communities_reached = row[6],
    s.community = row[7], s.betweenness = row[8], s.core = row[9], s.influence = row[10],
    s.passivity = row[11], s.role = row[12], s.roles = row[13], s.reasons = row[14],
    s.topics = row[15], s.topic_ranks = row[16], s.top_amplifiers = row[17],
    s.top_amplifier_shares = row[18], s.top_posts = row[19], s.top_post_amplifiers = row[20],
    s.discounted = row[21], s.hollow_account = row[22]
"""

# Rows as lists in the order of ``graph.store.AMENDED_SCORE_KEYS``: what only the betweenness
# decides, written onto scores already staged (by the index on ``StagedScore.id``), so that
# the rest is staged while the betweenness is still being computed.
AMEND_STAGED_SCORES: LiteralString = """
UNWIND $rows AS row
MATCH (s:StagedScore {id: row[0]})
WHERE s.run = $run
SET s.betweenness = row[1], s.role = row[2], s.roles = row[3], s.reasons = row[4]
"""

# Rows as lists in the order of ``graph.store.STAGED_TOPIC_RANK_KEYS``.
STAGE_TOPIC_RANKS: LiteralString = """
UNWIND $rows AS row
CREATE (s:StagedTopicRank)
SET s.run = $run, s.user_id = row[0], s.topic = row[1], s.score = row[2], s.rank = row[3],
    s.focus = row[4], s.amplifiers = row[5]
"""

# The run history (``graph/runs``): each analysis is a ``(:Run {id: <run stamp>})``, and each
# account it ranked is linked to it by ``RANKED_IN`` (nothing for the unranked). The run is
# created incomplete (``complete: false``, invisible to the history's reads) and its
# ``RANKED_IN`` are written by batches while the scores are staged; the switch marks it
# complete. What a crash left incomplete is deleted by the next write-back.
CLEAR_INCOMPLETE_RUNS: LiteralString = "MATCH (r:Run) WHERE r.complete = false DETACH DELETE r"

CREATE_INCOMPLETE_RUN: LiteralString = "CREATE (:Run {id: $run, complete: false})"

# A run kept in the history only (``Store.record_run``), once its ``RANKED_IN`` are written.
COMPLETE_RUN: LiteralString = """
MATCH (history:Run {id: $run})
SET history += $history, history.complete = true
"""

# Rows as lists in the order of ``graph.store.RANKED_IN_FIELDS``.
STAGE_RANKED_IN: LiteralString = """
MATCH (r:Run {id: $run})
UNWIND $rows AS row
MATCH (u:User {id: row[0]})
CREATE (u)-[:RANKED_IN {rank: row[1], score: row[2], role: row[3], amplifiers: row[4],
                        topics: row[5], topic_ranks: row[6], reasons: row[7]}]->(r)
"""

# Keeps the ``$keep`` newest complete runs and the latest analysis's, whatever its stamp. (The
# latest analysis is looked up after the SKIP: before it, FalkorDB 4.16 skipped wrongly.)
PRUNE_RUNS: LiteralString = """
MATCH (r:Run)
WHERE r.complete = true
WITH r
ORDER BY r.id DESC
SKIP $keep
OPTIONAL MATCH (a:Analysis {id: 'latest'})
WITH r, a
WHERE a IS NULL OR a.run IS NULL OR r.id <> a.run
DETACH DELETE r
RETURN count(*) AS deleted
"""

# One statement, so one transaction on Neo4j and one atomic query on FalkorDB (a run-time error
# there rolls the whole query back; the append-only file logs it whole once it has run):
# 1. unless ``$users`` scores and ``$ranks`` topic ranks are staged for ``$run``, stop with an
#    error (an integer division by zero) before anything is written;
# 2. copy each staged score onto its account (what the short form lacks is removed) and stamp
#    ``u.analysis``; accounts an earlier run scored and this one did not lose their scores;
# 3. replace ``INFLUENTIAL_IN`` with the staged topic ranks;
# 4. delete the staging, mark the run's ``(:Run)`` complete with its provenance, and write
#    the provenance on ``(:Analysis {id: 'latest'})``.
# ``WITH count(*)`` between the steps keeps one row going when a step matched nothing.
SWITCH_TO_STAGED_ANALYSIS: LiteralString = """
OPTIONAL MATCH (staged:StagedScore {run: $run})
WITH count(staged) AS users
OPTIONAL MATCH (staged:StagedTopicRank {run: $run})
WITH users, count(staged) AS ranks
WHERE 1 / CASE WHEN users = $users AND ranks = $ranks THEN 1 ELSE 0 END = 1
MATCH (s:StagedScore {run: $run})
MATCH (u:User {id: s.id})
SET u.analysis = $run, u.score = s.score, u.pagerank = s.pagerank, u.rank = s.rank,
    u.amplifiers = s.amplifiers, u.acts = s.acts, u.communities_reached = s.communities_reached,
    u.community = s.community, u.betweenness = s.betweenness, u.core = s.core,
    u.influence = s.influence, u.passivity = s.passivity, u.role = s.role, u.roles = s.roles,
    u.reasons = s.reasons, u.topics = s.topics, u.topic_ranks = s.topic_ranks,
    u.top_amplifiers = s.top_amplifiers, u.top_amplifier_shares = s.top_amplifier_shares,
    u.top_posts = s.top_posts, u.top_post_amplifiers = s.top_post_amplifiers,
    u.discounted = s.discounted, u.hollow_account = s.hollow_account
WITH count(*) AS moved
MATCH (u:User)
WHERE u.score IS NOT NULL AND (u.analysis IS NULL OR u.analysis <> $run)
REMOVE u.analysis, u.score, u.pagerank, u.rank, u.amplifiers, u.community, u.betweenness, u.core,
       u.acts, u.communities_reached, u.influence, u.passivity, u.role, u.roles, u.reasons,
       u.topics, u.topic_ranks, u.top_amplifiers, u.top_amplifier_shares, u.top_posts,
       u.top_post_amplifiers, u.discounted, u.hollow_account
WITH count(*) AS cleared
MATCH (:User)-[old:INFLUENTIAL_IN]->(:Topic)
DELETE old
WITH count(*) AS dropped
MATCH (s:StagedTopicRank {run: $run})
MATCH (u:User {id: s.user_id})
MATCH (t:Topic {id: s.topic})
CREATE (u)-[:INFLUENTIAL_IN {score: s.score, rank: s.rank, focus: s.focus,
                             amplifiers: s.amplifiers}]->(t)
WITH count(*) AS ranked
MATCH (s:StagedScore {run: $run})
DELETE s
WITH count(*) AS unstaged
MATCH (s:StagedTopicRank {run: $run})
DELETE s
WITH count(*) AS unranked
MERGE (history:Run {id: $run})
SET history += $history, history.complete = true
WITH count(*) AS recorded
MERGE (a:Analysis {id: 'latest'})
SET a += $provenance
RETURN a.run AS run
"""

STAGED_COUNTS: LiteralString = """
OPTIONAL MATCH (staged:StagedScore {run: $run})
WITH count(staged) AS users
OPTIONAL MATCH (staged:StagedTopicRank {run: $run})
RETURN users, count(staged) AS ranks
"""

# ---------------------------------------------------------------- reads
ANY_NODE: LiteralString = "MATCH (n) RETURN n.id AS id LIMIT 1"

# What the explorer's reads depend on: the latest analysis's run stamp (switched with the
# scores), the number of loads that ended (each load counts one when it ends, done or not;
# not into a graph with no account, which shows nothing and must stay empty for the bulk path)
# and the number of the analysts' edits of what the pages show (community names).
DATA_STAMP: LiteralString = """
OPTIONAL MATCH (a:Analysis {id: 'latest'})
WITH a
OPTIONAL MATCH (v:DataVersion {id: 'loads'})
WITH a, v
OPTIONAL MATCH (e:DataVersion {id: 'edits'})
RETURN a.run AS run, v.version AS loads, e.version AS edits
"""

COUNT_AN_EDIT: LiteralString = """
MERGE (e:DataVersion {id: 'edits'})
SET e.version = coalesce(e.version, 0) + 1
"""

COUNT_A_LOAD: LiteralString = """
OPTIONAL MATCH (u:User)
WITH u LIMIT 1
WITH u WHERE u IS NOT NULL
MERGE (v:DataVersion {id: 'loads'})
SET v.version = coalesce(v.version, 0) + 1
"""
COUNT_USERS: LiteralString = "MATCH (u:User) RETURN count(u) AS n"
COUNT_POSTS: LiteralString = "MATCH (p:Post) RETURN count(p) AS n"
COUNT_TOPICS: LiteralString = "MATCH (t:Topic) RETURN count(t) AS n"
COUNT_AMPLIFICATIONS: LiteralString = "MATCH (:User)-[r:AMPLIFIED]->(:User) RETURN count(r) AS n"
COUNT_AMPLIFIED_PAIRS: LiteralString = """
MATCH (a:User)-[r:AMPLIFIED]->(b:User)
WITH a, b, count(r) AS events
RETURN count(events) AS n
"""

BRAND_USERS: LiteralString = "MATCH (u:User) WHERE u.is_brand = true RETURN u.id AS id"

# Influencer reads: ``WITH u, <rank> AS rank, <score> AS score`` first (the user's own, or the
# topic's from INFLUENTIAL_IN), then the shared fields. ``$role`` is the primary role; ``$ids``
# (or null) the accounts a text search found.
_INFLUENCER_FIELDS = """
RETURN u.id AS id, u.handle AS handle, u.name AS name, rank, score,
       u.pagerank AS pagerank, u.followers AS followers, u.is_brand AS is_brand,
       u.amplifiers AS amplifiers, u.bio AS bio, u.community AS community,
       u.betweenness AS betweenness, u.core AS core, u.role AS role, u.roles AS roles,
       u.reasons AS reasons, u.topics AS topics, u.topic_ranks AS topic_ranks, u.acts AS acts,
       u.communities_reached AS communities_reached, u.influence AS influence,
       u.top_amplifiers AS top_amplifiers, u.top_amplifier_shares AS top_amplifier_shares,
       u.top_posts AS top_posts
"""

_RANKED = """
MATCH (u:User)
WHERE u.rank IS NOT NULL
  AND ($role IS NULL OR u.role = $role) AND ($community IS NULL OR u.community = $community)
  AND ($min_score IS NULL OR u.score >= $min_score) AND ($ids IS NULL OR u.id IN $ids)
WITH u, u.rank AS rank, u.score AS score
"""

_RANKED_ON_TOPIC = """
MATCH (:Topic {id: $topic})<-[i:INFLUENTIAL_IN]-(u:User)
WHERE ($role IS NULL OR u.role = $role) AND ($community IS NULL OR u.community = $community)
  AND ($min_score IS NULL OR i.score >= $min_score) AND ($ids IS NULL OR u.id IN $ids)
WITH u, i.rank AS rank, i.score AS score
"""

_ORDER: dict[str, LiteralString] = {
    "rank": "ORDER BY rank ASC, id ASC SKIP $offset LIMIT $limit",
    "followers": "ORDER BY coalesce(followers, -1) DESC, rank ASC SKIP $offset LIMIT $limit",
    "amplifiers": "ORDER BY amplifiers DESC, rank ASC SKIP $offset LIMIT $limit",
    "handle": "ORDER BY handle ASC, rank ASC SKIP $offset LIMIT $limit",
}

#: One query per sort order: ORDER BY cannot take a parameter.
TOP_INFLUENCERS: dict[str, LiteralString] = {
    key: _RANKED + _INFLUENCER_FIELDS + order for key, order in _ORDER.items()
}
TOP_INFLUENCERS_ON_TOPIC: dict[str, LiteralString] = {
    key: _RANKED_ON_TOPIC + _INFLUENCER_FIELDS + order for key, order in _ORDER.items()
}

COUNT_INFLUENCERS: LiteralString = _RANKED + "RETURN count(u) AS n"
COUNT_INFLUENCERS_ON_TOPIC: LiteralString = _RANKED_ON_TOPIC + "RETURN count(u) AS n"

BRAND_INFLUENCERS: LiteralString = (
    "MATCH (u:User) WHERE u.is_brand = true AND u.score IS NOT NULL "
    "WITH u, u.rank AS rank, u.score AS score" + _INFLUENCER_FIELDS + "ORDER BY score DESC, id ASC"
)

LATEST_ANALYSIS: LiteralString = """
MATCH (a:Analysis {id: 'latest'})
RETURN a.profile AS profile, a.since AS since, a.until AS until, a.reference AS reference,
       a.analyzed_at AS analyzed_at, a.users_scored AS users_scored, a.ranked AS ranked,
       a.topics AS topics, a.communities AS communities
"""

COMMUNITY_MEMBERSHIP: LiteralString = """
MATCH (u:User)
WHERE u.community IS NOT NULL
RETURN u.id AS user_id, u.community AS community
ORDER BY community ASC, user_id ASC
"""

USERS_BY_ID: LiteralString = (
    "UNWIND $ids AS key MATCH (u:User {id: key}) WITH u, u.rank AS rank, u.score AS score"
    + _INFLUENCER_FIELDS
)


def statements_of(namespace: Mapping[str, object]) -> list[str]:
    """The public upper-case statements (strings, or dicts of them) of a queries module."""
    found: list[str] = []
    for name, value in namespace.items():
        if name.startswith("_") or not name.isupper():
            continue
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            found.extend(str(query) for query in value.values())
    return found


def all_queries() -> list[str]:
    """Every shared statement, for the front-end check and the contract tests."""
    return statements_of(globals())
