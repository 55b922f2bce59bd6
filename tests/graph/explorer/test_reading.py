"""What to read, whom to follow, on hand-made data in the real database (FalkorDB, and Neo4j
when NEO4J_URI is set): the voices are the seeds' lookalikes, and each voice's posts are its
own, on the topics asked, by distinct amplifiers counted here independently."""

from __future__ import annotations

from collections import defaultdict

import pytest

from graph.analysis.profile import Profile
from graph.analysis.run import analyze
from graph.errors import NodeNotFound
from graph.explorer.reading import reading_list, seed_topics
from graph.explorer.reads import Explorer
from graph.models import AmplificationRow, PostRow, UserRow
from graph.store import Store

NEO4J_SUITE = "explorer suite"
T0 = 1_790_000_000_000
AUDIENCE = [f"a{i}" for i in range(8)]
# (post, author, topics)
POSTS = [
    ("s1", "seed", ("vegan",)),
    ("v1", "voice", ("vegan",)),
    ("v2", "voice", ("camping",)),
    ("v3", "voice", ("vegan", "camping")),
    ("v4", "voice", ()),
    ("w1", "other", ("vegan",)),
]


def _events() -> list[AmplificationRow]:
    """Every audience account amplifies the seed; a0-a5 amplify the voice, a6-a7 the other
    account; the voice's posts get 6, 4, 3 and 5 distinct amplifiers (v1 also retweeted twice
    by one of them, and once by its author, neither counted again)."""
    rows: list[tuple[str, str, str]] = [(a, "seed", "s1") for a in AUDIENCE]
    per_post = {"v1": AUDIENCE[:6], "v2": AUDIENCE[:4], "v3": AUDIENCE[2:5], "v4": AUDIENCE[:5]}
    for post, amplifiers in per_post.items():
        rows += [(a, "voice", post) for a in amplifiers]
    rows += [("a0", "voice", "v1"), ("voice", "voice", "v1")]
    rows += [(a, "other", "w1") for a in AUDIENCE[6:]]
    return [
        AmplificationRow(f"e{k}", source, target, "retweet", T0 + 60_000 * k, post)
        for k, (source, target, post) in enumerate(rows)
    ]


@pytest.fixture
def loaded(store: Store) -> Store:
    users = ["seed", "voice", "other", *AUDIENCE]
    store.upsert_users([UserRow(id=u, handle=f"@{u}") for u in users])
    store.upsert_posts(
        [
            PostRow(id=p, author_id=a, created_at=T0, text=f"<b>{p}</b>", topics=t)
            for p, a, t in POSTS
        ]
    )
    store.upsert_amplifications(_events())
    analyze(store, Profile(min_topic_events=5, min_topic_amplifiers=2))  # topics this small
    return store


def _expected_posts(topics: set[str]) -> list[tuple[str, int]]:
    amplifiers: dict[str, set[str]] = defaultdict(set)
    for event in _events():
        if event.author_id == "voice" and event.amplifier_id != "voice":
            amplifiers[event.post_id].add(event.amplifier_id)
    tagged = {post: set(t) for post, _, t in POSTS}
    kept = [
        (post, len(who)) for post, who in amplifiers.items() if not topics or tagged[post] & topics
    ]
    return sorted(kept, key=lambda item: (-item[1], item[0]))


@pytest.mark.parametrize("topics", [["vegan"], ["camping"], [], ["vegan", "camping"]])
def test_the_voices_posts_on_the_topics_by_distinct_amplifiers(
    loaded: Store, topics: list[str]
) -> None:
    found = reading_list(loaded, Explorer(loaded), ["seed"], topics=topics, voices=5, posts=3)
    assert found.seeds == ("seed",) and found.topics == tuple(topics)
    lookalikes = Explorer(loaded).lookalikes(["seed"], limit=5)
    assert [v.voice.account.id for v in found.voices] == [i.account.id for i in lookalikes.items]
    voice = next(v for v in found.voices if v.voice.account.id == "voice")
    assert voice.voice.shared == 6
    assert [(p.id, p.amplifiers) for p in voice.posts] == _expected_posts(set(topics))[:3]
    assert all(p.text == f"<b>{p.id}</b>" for p in voice.posts)  # as written, escaped by pages
    other = next(v for v in found.voices if v.voice.account.id == "other")
    assert [p.id for p in other.posts] == (["w1"] if not topics or "vegan" in topics else [])


def test_without_topics_the_seeds_own_topics_are_used(loaded: Store) -> None:
    assert seed_topics(loaded, ["seed"]) == ["vegan"]
    found = reading_list(loaded, Explorer(loaded), ["seed"], posts=10)
    assert found.topics == ("vegan",)
    voice = next(v for v in found.voices if v.voice.account.id == "voice")
    assert [p.id for p in voice.posts] == ["v1", "v3"]


def test_an_unknown_seed_is_not_found(loaded: Store) -> None:
    with pytest.raises(NodeNotFound, match="nobody"):
        reading_list(loaded, Explorer(loaded), ["seed", "nobody"])
