"""The store contract: the same tests on FalkorDB always and on Neo4j when NEO4J_URI is set."""

from __future__ import annotations

import pytest

from graph.errors import InvalidQuery, NodeNotFound
from graph.models import AmplificationRow, PostRow, UserRow
from graph.store import SORT_KEYS, Store

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
    rows = store.backend.read(
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
    events = store.backend.read(
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
    pairs = {
        (r["source"], r["target"], r["kind"]): r["events"] for r in store.amplification_pairs()
    }
    assert pairs == {
        ("u2", "u1", "retweet"): 1,
        ("u2", "u1", "like"): 1,
        ("u3", "u1", "quote"): 1,
        ("u1", "u3", "reply"): 1,
        ("u1", "b1", "mention"): 1,
    }
    assert store.brand_ids() == {"b1"}


def _score(store: Store) -> None:
    store.write_scores(
        [
            {"id": "b1", "score": 100.0, "pagerank": 0.4, "rank": None, "amplifiers": 1},
            {"id": "u1", "score": 90.0, "pagerank": 0.3, "rank": 1, "amplifiers": 2},
            {"id": "u3", "score": 50.0, "pagerank": 0.2, "rank": 2, "amplifiers": 1},
            {"id": "u2", "score": 10.0, "pagerank": 0.1, "rank": 3, "amplifiers": 0},
        ]
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


def test_rescoring_replaces_old_scores(store: Store) -> None:
    _seed(store)
    _score(store)
    store.write_scores([{"id": "u3", "score": 100.0, "pagerank": 1.0, "rank": 1, "amplifiers": 1}])
    assert [i.id for i in store.influencers().items] == ["u3"]


def test_user_lookup_and_not_found(store: Store) -> None:
    _seed(store)
    assert store.user("u3").handle == "carol"
    with pytest.raises(NodeNotFound, match="User 'nobody' not found"):
        store.user("nobody")


def test_edges_among(store: Store) -> None:
    _seed(store)
    rows = store.edges_among(["u1", "u2"])
    assert {(r["source"], r["target"], r["kind"], r["events"]) for r in rows} == {
        ("u2", "u1", "retweet", 1),
        ("u2", "u1", "like", 1),
    }


def test_full_text_search(store: Store) -> None:
    _seed(store)
    assert [u.id for u in store.search_users("vegan")] == ["u1"]
    assert [u.id for u in store.search_users("climb")] == ["u3"]
    assert store.search_users('"); DROP <script>') == []


def test_schema_is_idempotent(store: Store) -> None:
    store.ensure_schema()
    store.ensure_schema()


def test_a_bad_query_becomes_invalid_query(store: Store) -> None:
    with pytest.raises(InvalidQuery):
        store.backend.read("MATCH (n RETURN n")


def test_reads_refuse_writes(store: Store) -> None:
    with pytest.raises(InvalidQuery):
        store.backend.read("CREATE (n:User {id: 'sneaky'})")
    assert store.stats().users == 0


def test_a_brief_row_keeps_what_is_known(store: Store) -> None:
    _seed(store)
    # A later export only names the accounts (a mention, a reply): nothing known is wiped.
    store.upsert_users([UserRow("u1", "alice_new"), UserRow("b1", "brand")])
    rows = store.backend.read(
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
