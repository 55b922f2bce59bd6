"""The history's Cypher: runs, the ``RANKED_IN`` of each, trajectories and movements.

The portable subset of ``shared/CYPHER_COMPAT.md``, always parameterised; runs are found by
their ``id`` (the run stamp, epoch ms, indexed and unique). Only complete runs are read
(``r.complete = true``): a run being written, or left by a crash, is invisible here.
"""

from __future__ import annotations

from typing import LiteralString

from graph.queries import statements_of

_RUN_FIELDS: LiteralString = """
RETURN r.id AS id, r.since AS since, r.until AS until, r.reference AS reference,
       r.profile AS profile, r.profile_json AS profile_json, r.analyzed_at AS analyzed_at,
       r.started_at AS started_at, r.finished_at AS finished_at,
       r.users_scored AS users_scored, r.ranked AS ranked, r.edges AS edges, r.events AS events,
       r.topics AS topics, r.communities AS communities, r.discounted_pairs AS discounted_pairs,
       r.engine AS engine, r.spark_master AS spark_master, r.spark_partitions AS spark_partitions
"""

RUNS: LiteralString = (
    "MATCH (r:Run) WHERE r.complete = true WITH r ORDER BY r.id DESC" + _RUN_FIELDS
    + "ORDER BY id DESC"
)  # fmt: skip

RUN: LiteralString = "MATCH (r:Run {id: $run}) WHERE r.complete = true WITH r" + _RUN_FIELDS

LATEST_RUN: LiteralString = "MATCH (a:Analysis {id: 'latest'}) RETURN a.run AS run"

DELETE_RUN: LiteralString = """
MATCH (r:Run {id: $run})
WHERE r.complete = true
DETACH DELETE r
RETURN count(*) AS deleted
"""

# One row per kept run, oldest first; rank and score are null where the account was not ranked.
TRAJECTORY: LiteralString = """
MATCH (r:Run)
WHERE r.complete = true
OPTIONAL MATCH (:User {id: $id})-[x:RANKED_IN]->(r)
RETURN r.id AS run, r.since AS since, r.until AS until, r.analyzed_at AS analyzed_at,
       x.rank AS rank, x.score AS score, x.role AS role, x.amplifiers AS amplifiers
ORDER BY run ASC
"""

# The trajectories of several accounts at once: one row per known account and kept run (a
# known account with no run kept has one row, ``run`` null); unknown ids have no row.
TRAJECTORIES: LiteralString = """
UNWIND $ids AS id
MATCH (u:User {id: id})
OPTIONAL MATCH (r:Run)
WHERE r.complete = true
OPTIONAL MATCH (u)-[x:RANKED_IN]->(r)
RETURN u.id AS id, r.id AS run, r.since AS since, r.until AS until,
       r.analyzed_at AS analyzed_at, x.rank AS rank, x.score AS score, x.role AS role,
       x.amplifiers AS amplifiers
ORDER BY run ASC
"""

USER_EXISTS: LiteralString = "MATCH (u:User {id: $id}) RETURN u.id AS id"

# An account's standing in one run (no row: not ranked in it).
STANDING: LiteralString = """
MATCH (:User {id: $id})-[x:RANKED_IN]->(:Run {id: $run})
RETURN x.rank AS rank, x.score AS score, x.role AS role, x.amplifiers AS amplifiers,
       x.topics AS topics, x.topic_ranks AS topic_ranks
"""

_MOVEMENT_FIELDS: LiteralString = """
RETURN u.id AS id, u.handle AS handle, now.rank AS rank, now.score AS score, now.role AS role,
       now.amplifiers AS amplifiers, before.rank AS earlier_rank, before.score AS earlier_score,
       before.role AS earlier_role, before.amplifiers AS earlier_amplifiers, gain,
       coalesce(now.reasons, []) AS reasons, coalesce(before.reasons, []) AS earlier_reasons
"""

# The later run's top ``$top``, each with its standing in the earlier run (null: unranked then).
COMPARE: LiteralString = (
    """
MATCH (u:User)-[now:RANKED_IN]->(:Run {id: $to})
WITH u, now
ORDER BY now.rank ASC
LIMIT $top
OPTIONAL MATCH (u)-[before:RANKED_IN]->(:Run {id: $from})
WITH u, now, before, before.rank - now.rank AS gain
"""
    + _MOVEMENT_FIELDS
    + "ORDER BY rank ASC"
)

# Ranked in the later run with at least ``$min_audience`` amplifiers, by ranks gained; an
# account unranked in the earlier run counts as ranked just after its last ranked one.
RISERS: LiteralString = (
    """
OPTIONAL MATCH (:Run {id: $from})<-[earlier:RANKED_IN]-(:User)
WITH coalesce(max(earlier.rank), 0) + 1 AS unranked
MATCH (u:User)-[now:RANKED_IN]->(:Run {id: $to})
WHERE now.amplifiers >= $min_audience
OPTIONAL MATCH (u)-[before:RANKED_IN]->(:Run {id: $from})
WITH u, now, before, coalesce(before.rank, unranked) - now.rank AS gain
WHERE gain > 0
"""
    + _MOVEMENT_FIELDS
    + "ORDER BY gain DESC, rank ASC LIMIT $limit"
)

# A past run's ranking, as the influencer lists show it: the run's rank, score, role, audience
# and topics; the account's identity as loaded now. ``$role`` is the primary role.
_RANKED_IN_RUN: LiteralString = """
MATCH (u:User)-[x:RANKED_IN]->(:Run {id: $run})
WHERE ($role IS NULL OR x.role = $role) AND ($min_score IS NULL OR x.score >= $min_score)
  AND ($ids IS NULL OR u.id IN $ids)
WITH u, x, x.rank AS rank, x.score AS score
"""

_PAST_INFLUENCER_FIELDS: LiteralString = """
RETURN u.id AS id, u.handle AS handle, u.name AS name, rank, score, u.followers AS followers,
       u.is_brand AS is_brand, x.amplifiers AS amplifiers, u.bio AS bio, x.role AS role,
       x.topics AS topics, x.topic_ranks AS topic_ranks
"""

_ORDER: dict[str, LiteralString] = {
    "rank": "ORDER BY rank ASC, id ASC SKIP $offset LIMIT $limit",
    "followers": "ORDER BY coalesce(followers, -1) DESC, rank ASC SKIP $offset LIMIT $limit",
    "amplifiers": "ORDER BY amplifiers DESC, rank ASC SKIP $offset LIMIT $limit",
    "handle": "ORDER BY handle ASC, rank ASC SKIP $offset LIMIT $limit",
}

#: One query per sort order: ORDER BY cannot take a parameter.
RUN_INFLUENCERS: dict[str, LiteralString] = {
    key: _RANKED_IN_RUN + _PAST_INFLUENCER_FIELDS + order for key, order in _ORDER.items()
}
COUNT_RUN_INFLUENCERS: LiteralString = _RANKED_IN_RUN + "RETURN count(u) AS n"


def all_queries() -> list[str]:
    """Every statement here, for the Neo4j front-end check."""
    return statements_of(globals())
