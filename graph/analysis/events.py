"""Database -> amplification events as integer-coded arrays, optionally within a time window.

The events are read in chunks of amplifiers over two connections at once (the server answers
reads on several threads) and coded with pandas as they arrive (``event_codes``): users, posts
and topics become dense integers, so every later step (weighting, algorithms, explanations) is
vectorised. Users and posts are coded in the order of their ids (``in_id_order``).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from graph.algorithms.arrays import IntArray
from graph.analysis import queries
from graph.analysis.event_codes import EventCoder
from graph.backends.base import Columns
from graph.store import Store

ReadProgress = Callable[[int, int], None]  # (amplifiers read, amplifiers in all)

#: Far past and far future in epoch milliseconds: the window when none is given.
NO_START = -(2**62)
NO_END = 2**62
CHUNK = 10_000


@dataclass(frozen=True, slots=True)
class Events:
    """Event k: ``users[source[k]]`` amplified ``users[target[k]]`` with ``KINDS[kind[k]]`` at
    ``at[k]`` (epoch ms), amplifying ``posts[post[k]]`` (``-1``: no post).

    ``post_topic`` lists (post, topic) code pairs: which of ``topics`` each post is tagged with.
    """

    users: list[str]
    source: IntArray
    target: IntArray
    kind: IntArray
    at: IntArray
    post: IntArray
    posts: list[str]
    topics: list[str]
    post_topic: IntArray  # shape (n, 2)

    @property
    def count(self) -> int:
        return int(self.source.size)

    def topic_mask(self, topic: str) -> npt.NDArray[np.bool_]:
        """Which events amplified a post tagged with ``topic``."""
        if topic not in self.topics:
            return np.zeros(self.count, dtype=bool)
        code = self.topics.index(topic)
        tagged = np.zeros(len(self.posts) + 1, dtype=bool)  # the extra slot is "no post"
        tagged[self.post_topic[self.post_topic[:, 1] == code, 0]] = True
        return tagged[self.post]

    def select(self, mask: npt.NDArray[np.bool_]) -> Events:
        """The events where ``mask`` holds; the codes (users, posts, topics) stay the same."""
        return Events(
            self.users,
            self.source[mask],
            self.target[mask],
            self.kind[mask],
            self.at[mask],
            self.post[mask],
            self.posts,
            self.topics,
            self.post_topic,
        )

    def within(self, since: int | None, until: int | None) -> Events:
        """The events with ``since <= at < until`` (None: open), coded afresh: only the users
        and posts they involve, as :func:`fetch_events` of that window reads them."""
        start = NO_START if since is None else since
        end = NO_END if until is None else until
        chosen = self.select((self.at >= start) & (self.at < end))
        count = chosen.count
        kept_users, user_codes = np.unique(
            np.concatenate((chosen.source, chosen.target)), return_inverse=True
        )
        amplified = chosen.post >= 0
        kept_posts, post_codes = np.unique(chosen.post[amplified], return_inverse=True)
        post = np.full(count, -1, dtype=np.int64)
        post[amplified] = post_codes
        new_post = np.full(len(self.posts), -1, dtype=np.int64)
        new_post[kept_posts] = np.arange(kept_posts.size)
        tagged = self.post_topic[new_post[self.post_topic[:, 0]] >= 0]
        return Events(
            users=[self.users[code] for code in kept_users.tolist()],
            source=user_codes[:count].astype(np.int64),
            target=user_codes[count:].astype(np.int64),
            kind=chosen.kind,
            at=chosen.at,
            post=post,
            posts=[self.posts[code] for code in kept_posts.tolist()],
            topics=self.topics,
            post_topic=np.column_stack((new_post[tagged[:, 0]], tagged[:, 1])).reshape(-1, 2),
        )


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of small objects are made.

    Reading 1M events made Python's collector run over and over: 2.5x slower with it on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _chunks(ids: Sequence[str], size: int) -> list[Sequence[str]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def fetch_events(
    store: Store,
    *,
    since: int | None = None,
    until: int | None = None,
    topic: str | None = None,
    progress: ReadProgress | None = None,
    workers: int = 2,
) -> Events:
    """Read the amplification events with ``since <= at < until`` (epoch ms; ``None``: open).

    ``topic`` keeps only the events that amplified a post tagged with it.
    """
    with gc_paused():
        return _fetch(store, since, until, topic, progress, workers)


def _fetch(
    store: Store,
    since: int | None,
    until: int | None,
    topic: str | None,
    progress: ReadProgress | None,
    workers: int,
) -> Events:
    windowed = since is not None or until is not None
    window = {
        "since": NO_START if since is None else since,
        "until": NO_END if until is None else until,
    }
    users = store.read_text_columns(queries.USER_IDS).get("id", [])
    chunks = _chunks(users, CHUNK)

    def read(chunk: Sequence[str]) -> Columns:
        if windowed:
            return store.read_text_columns(
                queries.AMPLIFICATIONS_IN, {"ids": list(chunk), **window}
            )
        return store.read_text_columns(queries.AMPLIFICATIONS_OF, {"ids": list(chunk)})

    coder = EventCoder(users)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        tagged = pool.submit(store.read_text_columns, queries.POST_TOPICS)
        for done, part in enumerate(pool.map(read, chunks), start=1):
            coder.add((done - 1) * CHUNK, part)
            if progress is not None:
                progress(min(done * CHUNK, len(users)), len(users))
        events = _code(coder, tagged.result())
    if topic is not None:
        events = events.select(events.topic_mask(topic))
    return events


def in_id_order(codes: IntArray, names: Sequence[str]) -> tuple[IntArray, list[str]]:
    """``codes`` (into ``names``; ``-1`` stays ``-1``) recoded so that code order is the
    names' order: results tied on a value are then ordered by id, whatever order the store
    returned the events in, and every engine codes alike (``graph.spark``)."""
    order = np.argsort(np.asarray(names, dtype=object), kind="stable")
    recode = np.empty(order.size + 1, dtype=np.int64)
    recode[order] = np.arange(order.size)
    recode[-1] = -1
    return recode[codes], [names[k] for k in order.tolist()]


def _code(coder: EventCoder, tagged: Columns) -> Events:
    source, target, users = coder.users()
    count = source.size
    codes, users = in_id_order(np.concatenate((source, target)), users)
    source, target = codes[:count], codes[count:]
    post, posts = in_id_order(*coder.posts())
    tagged_post = pd.Index(posts, dtype=object).get_indexer(
        pd.Index(tagged.get("post", []), dtype=object)
    )
    known = tagged_post >= 0
    topic_codes, topics = pd.factorize(np.asarray(tagged.get("topic", []), dtype=object)[known])
    post_topic = np.column_stack((tagged_post[known], topic_codes)).astype(np.int64)
    return Events(
        users=users,
        source=source,
        target=target,
        kind=coder.kinds(),
        at=coder.ats(),
        post=post,
        posts=posts,
        topics=[str(t) for t in topics],
        post_topic=post_topic.reshape(-1, 2),
    )
