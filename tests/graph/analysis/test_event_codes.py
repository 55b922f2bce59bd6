"""``EventCoder``: chunk by chunk, the codes of one factorization of the whole read."""

from __future__ import annotations

import numpy as np
import pandas as pd

from graph.analysis.event_codes import EventCoder
from graph.models import AMPLIFICATION_KINDS

USERS = ["a", "b", "c", "d", "e"]
# Each chunk as the server returns it: source is the position in that chunk's $ids.
CHUNKS = [
    (0, {"source": [1, 0, 1], "target": ["c", "d", "zed"], "kind": ["retweet", "like", "quote"],
         "at": [30, 10, 20], "post": ["p2", None, "p1"]}),
    (2, {}),
    (3, {"source": [1, 0, 0], "target": ["a", "zed", "yan"], "kind": ["reply", "mention", "x"],
         "at": [5, 6, 7], "post": ["p1", "", "p3"]}),
]  # fmt: skip


def test_codes_are_one_factorization_of_the_whole_read() -> None:
    coder = EventCoder(USERS)
    for offset, part in CHUNKS:
        coder.add(offset, part)
    source, target, users = coder.users()
    sources = [USERS[offset + i] for offset, part in CHUNKS for i in part.get("source", [])]
    targets = [t for _, part in CHUNKS for t in part.get("target", [])]
    codes, names = pd.factorize(np.array(sources + targets, dtype=object))
    assert users == list(names)  # "zed" and "yan" were not in the user list read first
    assert source.tolist() == codes[: len(sources)].tolist()
    assert target.tolist() == codes[len(sources) :].tolist()
    assert [users[s] for s in source] == ["b", "a", "b", "e", "d", "d"]
    assert [users[t] for t in target] == ["c", "d", "zed", "a", "zed", "yan"]

    post, posts = coder.posts()
    assert posts == ["p2", "p1", "p3"]
    assert [posts[p] if p >= 0 else None for p in post] == ["p2", None, "p1", "p1", None, "p3"]
    kinds = list(AMPLIFICATION_KINDS)
    assert coder.kinds().tolist() == [kinds.index("retweet"), kinds.index("like"),
                                      kinds.index("quote"), kinds.index("reply"),
                                      kinds.index("mention"), -1]  # fmt: skip
    assert coder.ats().tolist() == [30, 10, 20, 5, 6, 7]


def test_no_rows_codes_nothing() -> None:
    coder = EventCoder(USERS)
    coder.add(0, {})
    source, target, users = coder.users()
    assert (source.size, target.size, users) == (0, 0, [])
    post, posts = coder.posts()
    assert (post.size, posts) == (0, [])
    assert coder.kinds().size == 0
