"""``fetch_events`` and ``pair_weights`` against answers computed here from the rows written."""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graph.analysis.events
from graph.analysis.events import Events, fetch_events
from graph.analysis.profile import Profile
from graph.analysis.weighting import DAY_MS, Pairs, pair_weight, pair_weights, reference_time
from graph.models import AMPLIFICATION_KINDS, AmplificationRow, PostRow, UserRow
from graph.store import Store

NEO4J_SUITE = "analysis suite"

START = 1_790_000_000_000 - 1_790_000_000_000 % DAY_MS  # midnight UTC
HOUR = 3_600_000
USER_IDS = [f"u{i}" for i in range(8)]  # u6 never acts nor is amplified; u7 likes and replies
POSTS = [
    PostRow(id="p1", author_id="u0", created_at=START, topics=("ai", "eu")),
    PostRow(id="p2", author_id="u0", created_at=START + HOUR, topics=("ai",)),
    PostRow(id="p3", author_id="u1", created_at=START + 2 * HOUR, topics=("eu",)),
    PostRow(id="p4", author_id="u2", created_at=START + 3 * HOUR, topics=("sport",)),
    PostRow(id="p5", author_id="u2", created_at=START + 4 * HOUR),  # untagged
]
# "ghost" is a post id no Post node holds: it has no topics.
POSTS_OF = {"u0": ["p1", "p2"], "u1": ["p3"], "u2": ["p4", "p5", "ghost"], "u3": [], "u4": []}

Key = tuple[str, str, str, int, str | None]


def build_events() -> list[AmplificationRow]:
    rng = random.Random(20240611)
    rows: list[AmplificationRow] = []

    def add(amp: str, author: str, kind: str, at: int, post: str = "") -> None:
        rows.append(AmplificationRow(f"e{len(rows):04d}", amp, author, kind, at, post))

    authors = list(POSTS_OF)
    for _ in range(90):
        author = rng.choice(authors)
        amp = rng.choice([u for u in USER_IDS[:6] if u != author])
        kind = rng.choice(AMPLIFICATION_KINDS)
        at = START + rng.randrange(9) * DAY_MS + rng.randrange(DAY_MS)
        posts = POSTS_OF[author]
        post = rng.choice(posts) if posts and rng.random() < 0.75 else ""
        add(amp, author, kind, at, post)
    # The same post retweeted over and over in one afternoon: one post, one day.
    for minute in range(6):
        add("u3", "u0", "retweet", START + 14 * HOUR + minute * 60_000, "p1")
    # Bare mentions on two days, two of them on the same day: two "posts", two days.
    for at in (START + DAY_MS + 5, START + DAY_MS + 7 * HOUR, START + 4 * DAY_MS):
        add("u4", "u1", "mention", at)
    # One act at exactly the first and the last instant a window below uses.
    add("u5", "u2", "quote", START + 2 * DAY_MS, "p4")
    add("u5", "u2", "share", START + 6 * DAY_MS, "p5")
    # Only acts a profile may weigh zero: likes and a reply.
    add("u7", "u0", "like", START + 3 * DAY_MS, "p1")
    add("u7", "u0", "like", START + 5 * DAY_MS, "p2")
    add("u7", "u0", "reply", START + 5 * DAY_MS + HOUR, "p2")
    return rows


EVENTS = build_events()
TAGS: dict[str, set[str]] = {post.id: set(post.topics) for post in POSTS}


def key_of(row: AmplificationRow) -> Key:
    return (row.amplifier_id, row.author_id, row.kind, row.created_at, row.post_id or None)


def keys_of(events: Events) -> Counter[Key]:
    post_ids: list[str | None] = [*events.posts, None]  # code -1 -> None
    return Counter(
        (
            events.users[s],
            events.users[t],
            AMPLIFICATION_KINDS[k],
            int(at),
            post_ids[p],
        )
        for s, t, k, at, p in zip(
            events.source.tolist(),
            events.target.tolist(),
            events.kind.tolist(),
            events.at.tolist(),
            events.post.tolist(),
            strict=True,
        )
    )


@pytest.fixture
def loaded(store: Store) -> Store:
    store.upsert_users([UserRow(id=u, handle=f"@{u}") for u in USER_IDS])
    store.upsert_posts(POSTS)
    store.upsert_amplifications(EVENTS)
    return store


def check_consistent(events: Events) -> None:
    """The codes are dense and in range; the post-topic table matches what was tagged."""
    n = len(events.users)
    assert len(set(events.users)) == n
    for codes in (events.source, events.target):
        assert codes.dtype == np.int64
        assert codes.size == events.count
        assert ((codes >= 0) & (codes < n)).all()
    assert ((events.kind >= 0) & (events.kind < len(AMPLIFICATION_KINDS))).all()
    assert ((events.post >= -1) & (events.post < len(events.posts))).all()
    assert set(events.posts) == {p for p in (events.posts[c] for c in events.post if c >= 0)}
    assert "" not in events.posts
    assert events.post_topic.shape == (events.post_topic.shape[0], 2)
    pairs = {(events.posts[p], events.topics[t]) for p, t in events.post_topic.tolist()}
    expected = {(post, topic) for post in events.posts for topic in TAGS.get(post, ())}
    assert pairs == expected
    assert len(pairs) == events.post_topic.shape[0]


@pytest.mark.parametrize("chunk", [2, 5, graph.analysis.events.CHUNK])
def test_fetch_events_gives_back_every_event_written(
    loaded: Store, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(graph.analysis.events, "CHUNK", chunk)
    seen: list[tuple[int, int]] = []
    events = fetch_events(loaded, progress=lambda done, total: seen.append((done, total)))
    check_consistent(events)
    assert events.count == len(EVENTS)
    assert keys_of(events) == Counter(key_of(row) for row in EVENTS)
    acting = {r.amplifier_id for r in EVENTS} | {r.author_id for r in EVENTS}
    assert set(events.users) == acting
    assert "u6" not in events.users
    assert seen[-1] == (len(USER_IDS), len(USER_IDS))
    assert len(seen) == math.ceil(len(USER_IDS) / chunk)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def _window(since: int | None, until: int | None) -> list[AmplificationRow]:
    return [
        row
        for row in EVENTS
        if (since is None or row.created_at >= since) and (until is None or row.created_at < until)
    ]


WINDOWS = [
    (START + 2 * DAY_MS, START + 6 * DAY_MS),  # both edges fall on an event
    (START + 2 * DAY_MS + 1, START + 6 * DAY_MS + 1),
    (START + 2 * DAY_MS, None),
    (None, START + 6 * DAY_MS),
    (None, START + 14 * HOUR + 3 * 60_000),
    (START + 3 * DAY_MS, START + 3 * DAY_MS),  # empty
    (START + 100 * DAY_MS, None),  # after everything
    (None, None),
]


@pytest.mark.parametrize(("since", "until"), WINDOWS)
def test_windows_keep_since_inclusive_until_exclusive(
    loaded: Store, since: int | None, until: int | None
) -> None:
    events = fetch_events(loaded, since=since, until=until)
    check_consistent(events)
    assert keys_of(events) == Counter(key_of(row) for row in _window(since, until))


def test_window_edges_are_on_events() -> None:
    times = {row.created_at for row in EVENTS}
    assert START + 2 * DAY_MS in times
    assert START + 6 * DAY_MS in times


@pytest.mark.parametrize("topic", ["ai", "eu", "sport", "none-such"])
@pytest.mark.parametrize(("since", "until"), [(None, None), (START + DAY_MS, START + 5 * DAY_MS)])
def test_topic_keeps_events_on_posts_tagged_with_it(
    loaded: Store, topic: str, since: int | None, until: int | None
) -> None:
    events = fetch_events(loaded, since=since, until=until, topic=topic)
    expected = [row for row in _window(since, until) if topic in TAGS.get(row.post_id, ())]
    assert keys_of(events) == Counter(key_of(row) for row in expected)
    if topic != "none-such":
        assert expected, "the dataset should exercise the topic"


def test_topic_mask_and_select(loaded: Store) -> None:
    events = fetch_events(loaded)
    for topic in ("ai", "eu", "sport", "nope"):
        mask = events.topic_mask(topic)
        post_ids: list[str | None] = [*events.posts, None]
        expected = [topic in TAGS.get(post_ids[p] or "", ()) for p in events.post.tolist()]
        assert mask.tolist() == expected
        chosen = events.select(mask)
        assert chosen.users is events.users and chosen.posts is events.posts
        assert chosen.count == sum(expected)


def test_an_empty_store_gives_no_events(store: Store) -> None:
    events = fetch_events(store)
    assert events.count == 0
    assert events.users == [] and events.posts == [] and events.topics == []
    assert pair_weights(events, Profile(), reference_time(events, None)).count == 0


# ----------------------------------------------------------------- weights


@dataclass
class Expected:
    weight: float
    events: int
    posts: int
    last: int


def expected_pairs(
    rows: Iterable[tuple[str, str, str, int, str | None]], profile: Profile, reference: int
) -> dict[tuple[str, str], Expected]:
    """The documented rule, one pair at a time, from (amplifier, author, kind, at, post)."""
    posts: dict[tuple[str, str], dict[str, set[object]]] = defaultdict(lambda: defaultdict(set))
    days: dict[tuple[str, str], dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    every: dict[tuple[str, str], set[object]] = defaultdict(set)
    count: Counter[tuple[str, str]] = Counter()
    last: dict[tuple[str, str], int] = {}
    for amp, author, kind, at, post in rows:
        pair = (amp, author)
        day = at // DAY_MS
        post_key: object = ("post", post) if post is not None else ("day", day)
        posts[pair][kind].add(post_key)
        days[pair][kind].add(day)
        every[pair].add(post_key)
        count[pair] += 1
        last[pair] = max(last.get(pair, at), at)
    out: dict[tuple[str, str], Expected] = {}
    for pair, kinds in posts.items():
        evidence = {kind: (len(kinds[kind]), len(days[pair][kind])) for kind in kinds}
        weight = pair_weight(evidence, profile, age_ms=reference - last[pair])
        if weight > 0:
            out[pair] = Expected(weight, count[pair], len(every[pair]), last[pair])
    return out


def actual_pairs(events: Events, pairs: Pairs) -> dict[tuple[str, str], Expected]:
    out: dict[tuple[str, str], Expected] = {}
    for s, t, w, n, p, last in zip(
        pairs.source.tolist(),
        pairs.target.tolist(),
        pairs.weight.tolist(),
        pairs.events.tolist(),
        pairs.posts.tolist(),
        pairs.last.tolist(),
        strict=True,
    ):
        key = (events.users[s], events.users[t])
        assert key not in out, f"pair {key} listed twice"
        out[key] = Expected(w, n, p, last)
    return out


def assert_same(
    actual: dict[tuple[str, str], Expected], expected: dict[tuple[str, str], Expected]
) -> None:
    assert set(actual) == set(expected)
    for pair, want in expected.items():
        got = actual[pair]
        assert got.weight == pytest.approx(want.weight, rel=1e-12, abs=1e-12), pair
        assert (got.events, got.posts, got.last) == (want.events, want.posts, want.last), pair


PROFILES = [
    Profile(),
    Profile(name="recent", half_life_days=14.0),
    Profile(
        name="custom",
        post_share=0.2,
        half_life_days=3.0,
        kind_weights={"retweet": 2.0, "quote": 0.5, "reply": 0.0, "mention": 1.0, "share": 1.5},
    ),
    Profile(name="days_only", post_share=0.0),
    Profile(name="posts_only", post_share=1.0),
]


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
def test_pair_weights_follow_the_documented_rule(loaded: Store, profile: Profile) -> None:
    events = fetch_events(loaded)
    reference = reference_time(events, None)
    assert reference == max(row.created_at for row in EVENTS)
    pairs = pair_weights(events, profile, reference)
    expected = expected_pairs((key_of(row) for row in EVENTS), profile, reference)
    assert_same(actual_pairs(events, pairs), expected)
    if profile.name == "custom":  # reply and like weigh nothing: reply/like-only pairs vanish
        assert ("u7", "u0") not in expected
        assert len(expected) < len({(r.amplifier_id, r.author_id) for r in EVENTS})


@pytest.mark.parametrize(("since", "until"), [(START + DAY_MS, START + 5 * DAY_MS), (None, None)])
def test_pair_weights_in_a_window_measure_recency_from_its_end(
    loaded: Store, since: int | None, until: int | None
) -> None:
    profile = Profile(half_life_days=2.0)
    events = fetch_events(loaded, since=since, until=until)
    reference = reference_time(events, until)
    assert reference == (until if until is not None else max(r.created_at for r in EVENTS))
    pairs = pair_weights(events, profile, reference)
    rows = (key_of(row) for row in _window(since, until))
    assert_same(actual_pairs(events, pairs), expected_pairs(rows, profile, reference))


def test_repeats_count_once_and_bare_acts_once_per_day() -> None:
    """The two hand-made patterns of the dataset, weighed by hand."""
    events = _events([(0, 1, 0, START + 14 * HOUR + m * 60_000, 0) for m in range(6)], 2, 1)
    pairs = pair_weights(events, Profile(), int(events.at.max()))
    assert pairs.weight.tolist() == [1.0]  # one post on one day: the retweet's weight
    assert (pairs.events.tolist(), pairs.posts.tolist()) == ([6], [1])
    bare = [START + DAY_MS + 5, START + DAY_MS + 7 * HOUR, START + 4 * DAY_MS]
    events = _events([(0, 1, 3, at, -1) for at in bare], 2, 0)
    pairs = pair_weights(events, Profile(), bare[-1])
    assert pairs.weight.tolist() == pytest.approx([0.8 * math.log2(3)], rel=1e-12)
    assert pairs.posts.tolist() == [2]


def _events(rows: Sequence[tuple[int, int, int, int, int]], n_users: int, n_posts: int) -> Events:
    def column(i: int) -> npt.NDArray[np.int64]:
        return np.array([row[i] for row in rows], dtype=np.int64)

    return Events(
        users=[f"u{i}" for i in range(n_users)],
        source=column(0),
        target=column(1),
        kind=column(2),
        at=column(3),
        post=column(4),
        posts=[f"p{i}" for i in range(n_posts)],
        topics=[],
        post_topic=np.zeros((0, 2), dtype=np.int64),
    )


@st.composite
def random_events(draw: st.DrawFn) -> tuple[Events, Profile, int]:
    n_users = draw(st.integers(1, 6))
    n_posts = draw(st.integers(0, 5))
    row = st.tuples(
        st.integers(0, n_users - 1),
        st.integers(0, n_users - 1),
        st.integers(0, len(AMPLIFICATION_KINDS) - 1),
        st.integers(0, 40 * DAY_MS),
        st.integers(-1, n_posts - 1),
    )
    rows = draw(st.lists(row, max_size=40))
    weights = draw(
        st.fixed_dictionaries(
            {},
            optional={
                k: st.floats(0.0, 3.0, allow_nan=False, allow_infinity=False)
                for k in AMPLIFICATION_KINDS
            },
        )
    )
    profile = Profile(
        post_share=draw(st.floats(0.0, 1.0)),
        half_life_days=draw(st.floats(0.5, 365.0)),
        kind_weights=weights or dict(Profile().kind_weights),
    )
    latest = max((r[3] for r in rows), default=0)
    reference = latest + draw(st.integers(0, 60 * DAY_MS))
    return _events(rows, n_users, n_posts), profile, reference


@settings(max_examples=150, deadline=None)
@given(case=random_events())
def test_vectorised_weights_equal_a_plain_loop(case: tuple[Events, Profile, int]) -> None:
    events, profile, reference = case
    post_ids: list[str | None] = [*events.posts, None]
    rows = [
        (events.users[s], events.users[t], AMPLIFICATION_KINDS[k], at, post_ids[p])
        for s, t, k, at, p in zip(
            events.source.tolist(),
            events.target.tolist(),
            events.kind.tolist(),
            events.at.tolist(),
            events.post.tolist(),
            strict=True,
        )
    ]
    pairs = pair_weights(events, profile, reference)
    assert_same(actual_pairs(events, pairs), expected_pairs(rows, profile, reference))
    assert (pairs.weight > 0).all()


def test_bare_acts_before_1970_do_not_merge_with_a_post() -> None:
    """Found by review: bare acts were keyed -1 - day, which is >= 0 before 1970."""
    # A bare mention half a day before the epoch (day -1) and a mention of post code 0.
    events = _events([(0, 1, 3, -DAY_MS // 2, -1), (0, 1, 3, 5, 0)], 2, 1)
    pairs = pair_weights(events, Profile(), 5)
    assert pairs.posts.tolist() == [2]
    assert pairs.weight.tolist() == pytest.approx([pair_weight({"mention": (2, 2)})], rel=1e-12)


def test_a_kind_the_profile_does_not_know_weighs_nothing() -> None:
    """Code -1 (a kind outside AMPLIFICATION_KINDS) must not borrow the last kind's weight."""
    events = _events([(0, 1, -1, 5, 0), (0, 2, 0, 5, 1)], 3, 2)
    pairs = pair_weights(events, Profile(), 5)
    assert pairs.target.tolist() == [2]
