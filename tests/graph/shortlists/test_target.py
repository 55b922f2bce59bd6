"""The external-reach lens on hand-made data in the real database (FalkorDB, and Neo4j when
NEO4J_URI is set): each member's share of its audience inside the shortlist's target, against
a count made here from the events themselves."""

from __future__ import annotations

import pytest

from graph.errors import NodeNotFound
from graph.models import AmplificationRow, PostRow, UserRow
from graph.shortlists import target as target_module
from graph.shortlists.lists import Shortlists
from graph.shortlists.overlap import audiences
from graph.shortlists.target import Target, get_target, inside, set_target, target_shares
from graph.store import Store

NEO4J_SUITE = "shortlist suite"
T0 = 1_790_000_000_000
PEOPLE = [f"a{i}" for i in range(8)]
COMMUNITY = {"a0": 0, "a1": 0, "a2": 1, "a3": 1, "a4": 2, "a5": 2, "a6": 3, "a7": 3}
POSTS = [("pv", "other", ("vegan",)), ("pc", "other", ("camping",)), ("m1p", "m1", ("gear",))]
# (amplifier, author, post)
EVENTS = [
    *[(a, "m1", "m1p") for a in ("a0", "a1", "a2", "a3", "a6")],
    *[(a, "m2", "") for a in ("a3", "a4", "a5", "a7")],
    ("a4", "other", "pv"),
    ("a6", "other", "pv"),
    ("a7", "other", "pc"),
    ("m1", "m1", "m1p"),  # itself: never its own audience
]


@pytest.fixture
def listed(store: Store) -> tuple[Store, str]:
    store.upsert_users([UserRow(id=u, handle=f"@{u}") for u in [*PEOPLE, "m1", "m2", "other"]])
    store.upsert_posts(
        [PostRow(id=p, author_id=a, created_at=T0, text=p, topics=t) for p, a, t in POSTS]
    )
    store.upsert_amplifications(
        [
            AmplificationRow(f"e{k}", source, target, "retweet", T0 + k, post)
            for k, (source, target, post) in enumerate(EVENTS)
        ]
    )
    for person, community in COMMUNITY.items():  # as an analysis leaves them
        store.write("MATCH (u:User {id: $id}) SET u.community = $c", {"id": person, "c": community})
    shortlists = Shortlists(store)
    made = shortlists.create("Campaign")
    for member in ("m1", "m2"):
        shortlists.put_member(made.id, member)
    return store, made.id


def _expected(target: Target) -> dict[str, float]:
    audience: dict[str, set[str]] = {"m1": set(), "m2": set()}
    on_topic: set[str] = set()
    tags = {post: set(topics) for post, _, topics in POSTS}
    for source, author, post in EVENTS:
        if author in audience and source != author:
            audience[author].add(source)
        if post and tags[post] & set(target.topics):
            on_topic.add(source)
    within = {p for p in PEOPLE if COMMUNITY[p] in target.communities} | on_topic
    return {m: len(people & within) / len(people) for m, people in audience.items()}


@pytest.mark.parametrize(
    "target",
    [
        Target(topics=("vegan",)),
        Target(communities=(1, 3)),
        Target(topics=("camping", "gear"), communities=(0,)),
        Target(topics=("vegan", "camping"), communities=(2,)),
    ],
)
def test_each_members_share_inside_the_target(listed: tuple[Store, str], target: Target) -> None:
    store, list_id = listed
    saved = set_target(store, list_id, target.topics, target.communities)
    assert saved == target == get_target(store, list_id)
    shares = target_shares(store, audiences(store, list_id), get_target(store, list_id))
    assert shares == pytest.approx(_expected(target))


def test_no_target_measures_nothing(listed: tuple[Store, str]) -> None:
    store, list_id = listed
    assert get_target(store, list_id).empty
    assert target_shares(store, audiences(store, list_id), Target()) == {"m1": None, "m2": None}
    assert inside(store, PEOPLE, Target()) == set()


def test_a_target_names_topics_that_exist(listed: tuple[Store, str]) -> None:
    store, list_id = listed
    with pytest.raises(NodeNotFound, match="nowhere"):
        set_target(store, list_id, ["vegan", "nowhere"], [])
    assert get_target(store, list_id).empty  # nothing saved
    with pytest.raises(NodeNotFound):
        set_target(store, "no-such-list", [], [1])


def test_the_accounts_are_read_in_chunks_with_the_same_answer(
    listed: tuple[Store, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, _ = listed
    target = Target(topics=("vegan", "camping"))
    whole = inside(store, PEOPLE, target)
    monkeypatch.setattr(target_module, "CHUNK", 3)  # 8 accounts: three reads
    assert inside(store, PEOPLE, target) == whole == {"a4", "a6", "a7"}
