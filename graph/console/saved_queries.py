"""Saved targeting queries: read-only Cypher with named parameters and their defaults, kept in
the graph as ``(:SavedQuery {id, label, description, query, params, builtin, created_at})``
(``params`` a JSON object of the defaults, as text: a property cannot hold a map; the built-in
ones also keep their ``position`` in the list) and run from
the console under its read-only rules, unchanged. The built-in ones ship with the app (README's
targeting queries, then one with parameters); they are written into the graph the first time
the list is read, and cannot be deleted.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, LiteralString

from graph.console.checks import check_query
from graph.errors import GraphError, NodeNotFound
from graph.queries import statements_of
from graph.store import Store

BUILTIN_QUERIES: tuple[dict[str, Any], ...] = (
    {
        "id": "thematic-bloggers-on-a-topic",
        "label": "Thematic bloggers on a topic",
        "description": (
            "The thematic bloggers of #vegan, best topic rank first, with their reasons."
        ),
        "query": (
            "MATCH (u:User)-[i:INFLUENTIAL_IN]->(:Topic {id: 'vegan'})\n"
            "WHERE u.role = 'thematic_blogger'\n"
            "RETURN u.handle AS handle, u.community AS community, i.rank AS topic_rank,\n"
            "       i.focus AS focus, u.reasons AS reasons\n"
            "ORDER BY topic_rank ASC\n"
            "LIMIT 20"
        ),
        "params": {},
    },
    {
        "id": "brand-ambassadors-by-reach",
        "label": "Brand ambassadors by reach",
        "description": (
            "Accounts that amplified the brand on several days and have an audience of their own."
        ),
        "query": (
            "MATCH (u:User)\n"
            "WHERE 'brand_ambassador' IN u.roles AND u.rank IS NOT NULL\n"
            "RETURN u.handle AS handle, u.amplifiers AS amplifiers,\n"
            "       u.communities_reached AS communities, u.rank AS rank, u.topics AS topics\n"
            "ORDER BY rank ASC\n"
            "LIMIT 20"
        ),
        "params": {},
    },
    {
        "id": "outside-voices-community-amplifies",
        "label": "Outside voices community 1 amplifies",
        "description": (
            "Accounts outside community 1 that its members amplify most: voices "
            "that carry a message out of it."
        ),
        "query": (
            "MATCH (a:User)-[:AMPLIFIED]->(u:User)\n"
            "WHERE a.community = 1 AND u.community <> 1 AND u.rank IS NOT NULL\n"
            "  AND coalesce(u.role, '') <> 'booster'\n"
            "WITH u, count(DISTINCT a) AS amplifiers_in_community\n"
            "RETURN u.handle AS handle, u.community AS home, amplifiers_in_community,\n"
            "       u.rank AS rank\n"
            "ORDER BY amplifiers_in_community DESC, rank ASC\n"
            "LIMIT 20"
        ),
        "params": {},
    },
    {
        "id": "bloggers-in-a-community-not-shortlisted",
        "label": "Bloggers in a community, not yet shortlisted",
        "description": (
            "Thematic bloggers of a topic in a community that no shortlist holds "
            "yet (parameters: topic, community)."
        ),
        "query": (
            "MATCH (u:User)-[i:INFLUENTIAL_IN]->(:Topic {id: $topic})\n"
            "WHERE u.role = 'thematic_blogger' AND u.community = $community\n"
            "  AND NOT (:Shortlist)-[:INCLUDES]->(u)\n"
            "RETURN u.handle AS handle, i.rank AS topic_rank\n"
            "ORDER BY topic_rank\n"
            "LIMIT 20"
        ),
        "params": {"topic": "vegan", "community": 1},
    },
)


LIST_SAVED_QUERIES: LiteralString = """
MATCH (q:SavedQuery)
RETURN q.id AS id, q.label AS label, q.description AS description, q.query AS query,
       q.params AS params, q.builtin AS builtin, q.created_at AS created_at
ORDER BY builtin DESC, q.position ASC, created_at ASC, id ASC
"""

# The built-in ones, as they ship (a new version's text replaces an older one's).
PUT_BUILTIN_QUERIES: LiteralString = """
UNWIND $rows AS row
MERGE (q:SavedQuery {id: row.id})
SET q.label = row.label, q.description = row.description, q.query = row.query,
    q.params = row.params, q.builtin = true, q.position = row.position,
    q.created_at = coalesce(q.created_at, row.now)
"""

CREATE_SAVED_QUERY: LiteralString = """
CREATE (q:SavedQuery {id: $id, label: $label, description: $description, query: $query,
                      params: $params, builtin: false, created_at: $now})
RETURN q.id AS id
"""

DELETE_SAVED_QUERY: LiteralString = """
MATCH (q:SavedQuery {id: $id})
WHERE q.builtin = false
DELETE q
RETURN count(*) AS deleted
"""

SAVED_QUERY_KIND: LiteralString = "MATCH (q:SavedQuery {id: $id}) RETURN q.builtin AS builtin"

MAX_LABEL = 100
MAX_DESCRIPTION = 500
MAX_QUERY = 100_000


class BuiltinQuery(GraphError):
    """A built-in query cannot be deleted."""


@dataclass(frozen=True, slots=True)
class SavedQuery:
    id: str
    label: str
    description: str
    query: str
    params: dict[str, Any]
    builtin: bool
    created_at: str


def _saved(row: dict[str, Any]) -> SavedQuery:
    return SavedQuery(
        id=str(row["id"]),
        label=str(row["label"] or ""),
        description=str(row["description"] or ""),
        query=str(row["query"] or ""),
        params=json.loads(row["params"] or "{}"),
        builtin=bool(row["builtin"]),
        created_at=str(row["created_at"] or ""),
    )


class SavedQueries:
    def __init__(self, store: Store) -> None:
        self.store = store

    def list(self) -> list[SavedQuery]:
        """The built-in queries, then the saved ones, oldest first."""
        rows = [_saved(row) for row in self.store.read(LIST_SAVED_QUERIES)]
        have = {query.id for query in rows if query.builtin}
        if have != {str(builtin["id"]) for builtin in BUILTIN_QUERIES}:
            now = datetime.now(UTC).isoformat()
            self.store.write(
                PUT_BUILTIN_QUERIES,
                {
                    "rows": [
                        {
                            **builtin,
                            "params": json.dumps(builtin["params"]),
                            "position": position,
                            "now": now,
                        }
                        for position, builtin in enumerate(BUILTIN_QUERIES)
                    ]
                },
            )
            rows = [_saved(row) for row in self.store.read(LIST_SAVED_QUERIES)]
        return rows

    def create(
        self, label: str, query: str, params: dict[str, Any], description: str = ""
    ) -> SavedQuery:
        """Keep a query (refused, as ``ConsoleRefused``, when the console would refuse it
        before asking any server: empty, LOAD CSV, parameters no server can take)."""
        check_query(query, params)
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:40] or "query"
        query_id = f"{slug}-{uuid.uuid4().hex[:8]}"
        self.store.write(
            CREATE_SAVED_QUERY,
            {
                "id": query_id,
                "label": label,
                "description": description,
                "query": query,
                "params": json.dumps(params),
                "now": datetime.now(UTC).isoformat(),
            },
        )
        return next(saved for saved in self.list() if saved.id == query_id)

    def delete(self, query_id: str) -> None:
        rows = self.store.read(SAVED_QUERY_KIND, {"id": query_id})
        if not rows:
            raise NodeNotFound("Saved query", query_id)
        if rows[0]["builtin"]:
            raise BuiltinQuery(f"the query {query_id!r} ships with the app and cannot be deleted")
        self.store.write(DELETE_SAVED_QUERY, {"id": query_id})


def all_queries() -> list[str]:
    """Every statement of this module, for the Neo4j front-end check."""
    return statements_of(globals())
