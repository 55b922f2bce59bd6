"""The store contract: the same tests on FalkorDB always and on Neo4j when NEO4J_URI is set."""

from __future__ import annotations

from typing import Any

import pytest

from graph.errors import InvalidQuery, NodeNotFound
from graph.explorer import queries as explorer_queries
from graph.explorer.network import edges_among
from graph.models import AmplificationRow, InfluencerQuery, PostRow, UserRow
from graph.store import SORT_KEYS, AnalysisNotSwitched, Store
from tests.support.graph_reads import amplification_pairs, topic_rankings

NEO4J_SUITE = "store contract"

T0 = 1_790_000_000_000


def _seed(store: Store) -> None:
    store.upsert_users(
        [
            UserRow("u1", "alice", "Alice Ávila", 1200, "Vegan trail runner", is_brand=False),
            UserRow("u2", "bob", "Bob", 50, "gear nerd"),
            UserRow("u3", "carol", "Carol", None, "climbing coach"),
            UserRow("b1", "brand", "The Brand", 90000, "official", is_brand=True),
        ]
    )
    store.upsert_posts(
        [
            PostRow("p1", "u1", T0, "Run #vegan", ("vegan", "trailrunning")),
            PostRow("p2", "u3", T0 + 1000, "Climb", ("climbing",)),
        ]
    )
    store.upsert_amplifications(
        [
            AmplificationRow("a1", "u2", "u1", "retweet", T0 + 10, "p1"),
            AmplificationRow("a2", "u3", "u1", "quote", T0 + 20, "p1"),
            AmplificationRow("a3", "u2", "u1", "like", T0 + 30, "p1"),
            AmplificationRow("a4", "u1", "u3", "reply", T0 + 40, "p2"),
            AmplificationRow("a5", "u1", "b1", "mention", T0 + 50),
        ]
    )


def test_writes_are_counted(store: Store) -> None:
    _seed(store)
    stats = store.stats()
    assert (stats.users, stats.posts, stats.topics) == (4, 2, 3)
    assert (stats.amplifications, stats.amplified_pairs) == (5, 4)


def test_writes_are_idempotent(store: Store) -> None:
    _seed(store)
    first = store.stats()
    _seed(store)
    assert store.stats() == first


def test_properties_round_trip(store: Store) -> None:
    _seed(store)
    rows = store.read(
        "MATCH (u:User {id: $id}) RETURN u.handle AS handle, u.name AS name, "
        "u.followers AS followers, u.is_brand AS is_brand, u.placeholder AS placeholder",
        {"id": "u1"},
    )
    assert rows == [
        {
            "handle": "alice",
            "name": "Alice Ávila",
            "followers": 1200,
            "is_brand": False,
            "placeholder": False,
        }
    ]
    events = store.read(
        "MATCH (a:User)-[r:AMPLIFIED]->(b:User {id: 'u1'}) "
        "RETURN a.id AS amplifier, r.kind AS kind, r.at AS at, r.post_id AS post ORDER BY r.at"
    )
    assert [(e["amplifier"], e["kind"], e["at"], e["post"]) for e in events] == [
        ("u2", "retweet", T0 + 10, "p1"),
        ("u3", "quote", T0 + 20, "p1"),
        ("u2", "like", T0 + 30, "p1"),
    ]


def test_placeholders_are_created_once(store: Store) -> None:
    _seed(store)
    assert store.create_placeholder_users(["u1", "x1", "x2", "x1"]) == 2
    assert store.create_placeholder_users(["x1", "x2"]) == 0
    assert store.stats().users == 6


def test_existing_posts(store: Store) -> None:
    _seed(store)
    assert store.existing_posts(["p1", "p9", "p2"]) == {"p1", "p2"}


def test_amplification_pairs_for_projection(store: Store) -> None:
    _seed(store)
    pairs = {(r["source"], r["target"], r["kind"]): r["events"] for r in amplification_pairs(store)}
    assert pairs == {
        ("u2", "u1", "retweet"): 1,
        ("u2", "u1", "like"): 1,
        ("u3", "u1", "quote"): 1,
        ("u1", "u3", "reply"): 1,
        ("u1", "b1", "mention"): 1,
    }
    assert store.brand_ids() == {"b1"}


def _row(
    user_id: str, score: float, rank: int | None, amplifiers: int, **extra: Any
) -> dict[str, Any]:
    """A user row as the analysis writes it (every property of WRITE_SCORES)."""
    row: dict[str, Any] = {
        "id": user_id,
        "score": score,
        "pagerank": score / 250,
        "rank": rank,
        "amplifiers": amplifiers,
        "acts": amplifiers,
        "communities_reached": 1,
        "community": 0,
        "betweenness": 0.0,
        "core": 1,
        "influence": 0.1,
        "passivity": 0.1,
        "role": None,
        "roles": [],
        "reasons": [],
        "topics": [],
        "topic_ranks": [],
        "top_amplifiers": [],
        "top_amplifier_shares": [],
        "top_posts": [],
        "top_post_amplifiers": [],
        "discounted": 0,
        "hollow_account": None,
    }
    row.update(extra)
    return row


RUN = 1


def _score(store: Store, run: int = RUN) -> None:
    store.write_analysis(
        [
            _row("b1", 100.0, None, 1, role="brand", roles=["brand"]),
            _row(
                "u1",
                90.0,
                1,
                2,
                role="thematic_blogger",
                roles=["thematic_blogger"],
                reasons=["#vegan: rank 1"],
                topics=["vegan"],
                topic_ranks=[1],
                top_amplifiers=["u3", "u2"],
                top_amplifier_shares=[0.6, 0.4],
                top_posts=["p1"],
                top_post_amplifiers=[2],
                community=1,
            ),
            _row("u3", 50.0, 2, 1, role="bridge", roles=["bridge"]),
            _row("u2", 10.0, 3, 0),
        ],
        [
            {
                "user_id": "u1",
                "topic": "vegan",
                "score": 100.0,
                "rank": 1,
                "focus": 1.0,
                "amplifiers": 2,
            },
            {
                "user_id": "u3",
                "topic": "vegan",
                "score": 40.0,
                "rank": 2,
                "focus": 0.5,
                "amplifiers": 1,
            },
        ],
        {"profile": "default", "since": "", "until": "", "users_scored": 4},
        run=run,
    )


def test_influencers_are_sorted_paginated_and_external(store: Store) -> None:
    _seed(store)
    _score(store)
    page = store.influencers(limit=2, offset=0)
    assert [i.id for i in page.items] == ["u1", "u3"] and page.total == 3
    assert [i.id for i in store.influencers(limit=2, offset=2).items] == ["u2"]
    assert [i.id for i in store.influencers(sort="followers").items] == ["u1", "u2", "u3"]
    assert [i.id for i in store.influencers(sort="handle").items] == ["u1", "u2", "u3"]
    assert next(i.id for i in store.influencers(sort="amplifiers").items) == "u1"
    assert set(SORT_KEYS) == {"rank", "followers", "amplifiers", "handle"}
    assert [b.id for b in store.brand_accounts()] == ["b1"]


def test_analysis_round_trips_explanations_and_provenance(store: Store) -> None:
    _seed(store)
    _score(store)
    top = store.influencers(limit=1).items[0]
    assert (top.id, top.role, top.roles, top.reasons) == (
        "u1",
        "thematic_blogger",
        ("thematic_blogger",),
        ("#vegan: rank 1",),
    )
    assert (top.topics, top.topic_ranks, top.top_amplifiers) == (("vegan",), (1,), ("u3", "u2"))
    assert top.top_amplifier_shares == (0.6, 0.4) and top.top_posts == ("p1",)
    quiet = store.user("u2")
    assert (quiet.amplifiers, quiet.reasons, quiet.top_amplifiers) == (0, (), ())
    latest = store.latest_analysis()
    assert latest is not None and latest["profile"] == "default"
    assert latest["users_scored"] == 4
    assert topic_rankings(store) == [("vegan", 2)]


def test_influencers_filtered_by_topic_role_community_and_score(store: Store) -> None:
    _seed(store)
    _score(store)
    on_topic = store.influencers(InfluencerQuery(topic="vegan"))
    assert [(i.id, i.rank, i.score) for i in on_topic.items] == [("u1", 1, 100.0), ("u3", 2, 40.0)]
    assert on_topic.total == 2
    assert store.influencers(InfluencerQuery(topic="climbing")).total == 0
    assert [i.id for i in store.influencers(InfluencerQuery(role="bridge")).items] == ["u3"]
    assert [
        i.id for i in store.influencers(InfluencerQuery(topic="vegan", role="bridge")).items
    ] == ["u3"]
    assert [i.id for i in store.influencers(InfluencerQuery(community=1)).items] == ["u1"]
    assert [i.id for i in store.influencers(InfluencerQuery(min_score=40)).items] == ["u1", "u3"]
    assert [
        i.id for i in store.influencers(InfluencerQuery(topic="vegan", min_score=50)).items
    ] == ["u1"]


def test_rescoring_replaces_old_scores(store: Store) -> None:
    _seed(store)
    _score(store)
    store.write_analysis([_row("u3", 100.0, 1, 1)], [], {"profile": "recent"}, run=RUN + 1)
    assert [i.id for i in store.influencers().items] == ["u3"]
    assert store.influencers(InfluencerQuery(topic="vegan")).total == 0
    assert store.user("u1").reasons == () and store.user("u1").rank == 0
    latest = store.latest_analysis()
    assert latest is not None and latest["profile"] == "recent"


def _staged(store: Store) -> tuple[int, int]:
    rows = store.read(
        "OPTIONAL MATCH (s:StagedScore) WITH count(s) AS scores "
        "OPTIONAL MATCH (r:StagedTopicRank) RETURN scores, count(r) AS ranks"
    )
    return int(rows[0]["scores"]), int(rows[0]["ranks"])


def _standing(store: Store) -> tuple[object, ...]:
    return (
        store.latest_analysis(),
        store.influencers(),
        store.influencers(InfluencerQuery(topic="vegan")),
        store.users(["u1", "u2", "u3", "b1"]),
    )


def test_a_write_back_leaves_nothing_staged(store: Store) -> None:
    _seed(store)
    _score(store)
    assert _staged(store) == (0, 0)


def test_what_an_interrupted_write_back_staged_is_deleted_by_the_next(store: Store) -> None:
    _seed(store)
    store.stage_analysis(  # a run killed after staging, before its switch
        [_row("u2", 100.0, 1, 9, role="bridge", roles=["bridge"], reasons=["stale"])],
        [{"user_id": "u2", "topic": "vegan", "score": 1.0, "rank": 1, "focus": 1.0}],
        run=RUN + 7,
    )
    assert _staged(store) == (1, 1)
    assert store.latest_analysis() is None and store.influencers().total == 0
    _score(store)
    assert _staged(store) == (0, 0)
    assert store.user("u2").reasons == () and store.user("u2").rank == 3
    assert [i.id for i in store.influencers(InfluencerQuery(topic="vegan")).items] == ["u1", "u3"]


def test_a_disturbed_staging_is_not_switched_and_nothing_changes(store: Store) -> None:
    _seed(store)
    _score(store)
    before = _standing(store)
    rows = [_row("u3", 100.0, 1, 1), _row("u2", 50.0, 2, 1)]
    store.stage_analysis(rows, [], run=RUN + 1)
    store.write("MATCH (s:StagedScore {id: 'u2'}) DELETE s")  # as another run would
    with pytest.raises(AnalysisNotSwitched, match="1 and 0 were found"):
        store.switch_analysis(RUN + 1, len(rows), 0, {"profile": "recent"})
    assert _standing(store) == before


def test_an_empty_analysis_clears_every_score(store: Store) -> None:
    _seed(store)
    _score(store)
    store.write_analysis([], [], {"profile": "recent", "users_scored": 0}, run=RUN + 1)
    assert store.influencers().total == 0 and topic_rankings(store) == []
    assert store.user("u1").score == 0.0 and store.brand_accounts() == []
    latest = store.latest_analysis()
    assert latest is not None and latest["users_scored"] == 0


def test_user_lookup_and_not_found(store: Store) -> None:
    _seed(store)
    assert store.user("u3").handle == "carol"
    with pytest.raises(NodeNotFound, match="User 'nobody' not found"):
        store.user("nobody")


def test_edges_among(store: Store) -> None:
    _seed(store)
    rows = store.read(explorer_queries.EDGES_AMONG, {"ids": ["u1", "u2"]})
    assert {(r["source"], r["target"], r["kind"], r["events"]) for r in rows} == {
        ("u2", "u1", "retweet", 1),
        ("u2", "u1", "like", 1),
    }
    (edge,) = edges_among(store, ["u1", "u2"])
    assert (edge.source, edge.target, edge.events) == ("u2", "u1", 2)


def test_full_text_search(store: Store) -> None:
    _seed(store)
    assert [u.id for u in store.search_users("vegan")] == ["u1"]
    assert [u.id for u in store.search_users("climb")] == ["u3"]
    assert store.search_users('"); DROP <script>') == []


NODE_KEYS = ("User", "Post", "Topic", "Shortlist", "Run")
#: What ``ensure_schema`` must leave in place, on either backend: (kind, type, entity, label,
#: property) for each index and constraint.
COMPLETE_SCHEMA = {
    *(("index", "RANGE", "NODE", label, "id") for label in NODE_KEYS),
    ("index", "RANGE", "NODE", "StagedScore", "id"),  # amending staged scores
    ("index", "RANGE", "RELATIONSHIP", "AMPLIFIED", "id"),
    *(("index", "FULLTEXT", "NODE", "User", field) for field in ("handle", "name", "bio")),
    *(("constraint", "UNIQUE", "NODE", label, "id") for label in NODE_KEYS),
}


def _schema(store: Store) -> set[tuple[str, str, str, str, str]]:
    """The indexes and constraints in force, as the database lists them."""
    found: set[tuple[str, str, str, str, str]] = set()
    if store.backend_name == "neo4j":
        for row in store.read(
            "SHOW INDEXES YIELD type, entityType, labelsOrTypes, properties "
            "WHERE type <> 'LOOKUP' RETURN type, entityType, labelsOrTypes, properties"
        ):
            for label in row["labelsOrTypes"]:
                for prop in row["properties"]:
                    found.add(("index", row["type"], row["entityType"], label, prop))
        for row in store.read(
            "SHOW CONSTRAINTS YIELD type, entityType, labelsOrTypes, properties "
            "RETURN type, entityType, labelsOrTypes, properties"
        ):
            kind = "UNIQUE" if "UNIQUE" in row["type"] else row["type"]
            for label in row["labelsOrTypes"]:
                for prop in row["properties"]:
                    found.add(("constraint", kind, row["entityType"], label, prop))
        return found
    for row in store.read(
        "CALL db.indexes() YIELD label, properties, types, entitytype "
        "RETURN label, properties, types, entitytype"
    ):
        for prop in row["properties"]:
            for kind in row["types"].get(prop, []):
                found.add(("index", kind, row["entitytype"], row["label"], prop))
    for row in store.read(
        "CALL db.constraints() YIELD type, label, properties, entitytype, status "
        "RETURN type, label, properties, entitytype, status"
    ):
        assert row["status"] == "OPERATIONAL", row  # ensure_schema waits for them
        for prop in row["properties"]:
            found.add(("constraint", row["type"], row["entitytype"], row["label"], prop))
    return found


def test_schema_is_idempotent(store: Store) -> None:
    """The fixture ran ``ensure_schema`` once: every index and constraint is there, and a
    second (and third) call leaves exactly the same ones."""
    once = _schema(store)
    assert once == COMPLETE_SCHEMA
    store.ensure_schema()
    assert _schema(store) == once
    store.ensure_schema()
    assert _schema(store) == once


def test_a_bad_query_becomes_invalid_query(store: Store) -> None:
    with pytest.raises(InvalidQuery):
        store.read("MATCH (n RETURN n")


def test_reads_refuse_writes(store: Store) -> None:
    with pytest.raises(InvalidQuery):
        store.read("CREATE (n:User {id: 'sneaky'})")
    assert store.stats().users == 0


def test_a_brief_row_keeps_what_is_known(store: Store) -> None:
    _seed(store)
    # A later export only names the accounts (a mention, a reply): nothing known is wiped.
    store.upsert_users([UserRow("u1", "alice_new"), UserRow("b1", "brand")])
    rows = store.read(
        "MATCH (u:User) WHERE u.id IN ['u1', 'b1'] RETURN u.id AS id, u.handle AS handle, "
        "u.name AS name, u.followers AS followers, u.bio AS bio, u.is_brand AS brand "
        "ORDER BY id"
    )
    assert rows == [
        {
            "id": "b1",
            "handle": "brand",
            "name": "The Brand",
            "followers": 90000,
            "bio": "official",
            "brand": True,
        },
        {
            "id": "u1",
            "handle": "alice_new",
            "name": "Alice Ávila",
            "followers": 1200,
            "bio": "Vegan trail runner",
            "brand": False,
        },
    ]
    store.upsert_users([UserRow("u1", "alice", "Alice A.", 1300, "new bio")])
    assert store.user("u1").followers == 1300 and store.user("u1").name == "Alice A."
