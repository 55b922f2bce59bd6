"""The first load into an empty FalkorDB graph, through the server's bulk path.

Records are packed as they arrive into FalkorDB's ``GRAPH.BULK`` format and the graph is built
in a few large calls, several times faster than batched ``UNWIND ... MERGE``; the schema (unique
ids, indexes, full-text) is created afterwards. The same rules as the batched path apply:
rejects, self-amplifications, duplicates, placeholder users and, for the CSV contract,
amplifications naming an unknown post. Empty text is stored as null (the batched path stores
an empty string). Memory grows with the number of distinct users, posts and events (their ids
and packed bytes), not with the size of the input file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from graph.backends.falkordb_bulk import BulkBuilder, Value, pack_relation, pack_value
from graph.errors import LoadError
from graph.models import AmplificationRow, PostRow, UserRow
from graph.store import Store
from loaders.key_bounds import bounded
from loaders.load_run import LoadRun
from loaders.records import Reader, Reject
from loaders.report import LoadReport

USER_PROPERTIES = (
    "id",
    "handle",
    "name",
    "followers",
    "bio",
    "url",
    "is_brand",
    "platform",
    "placeholder",
)
POST_PROPERTIES = ("id", "author_id", "created_at", "text", "lang", "url")
AMPLIFIED_PROPERTIES = ("id", "kind", "at", "post_id")

#: Inputs smaller than this load through batched MERGE even into an empty graph.
BULK_MIN_BYTES = 1 << 20


def supports_bulk(store: Store, readers: Sequence[Reader]) -> bool:
    """True when the backend has a bulk path, the graph holds nothing yet and the input is big."""
    if store.bulk_path() is None:
        return False
    return sum(reader.size for reader in readers) >= BULK_MIN_BYTES and store.is_empty()


class BulkLoader(LoadRun):
    """Builds a new graph from readers; ``report`` as the batched path would give."""

    def __init__(self, store: Store, **options: Any) -> None:
        super().__init__(store, **options)
        self.users: dict[str, UserRow] = {}
        self.numbers: dict[str, int] = {}  # user id -> node number, in order of first sight
        self.posts: dict[str, int] = {}  # post id -> its place among the posts
        self.post_values: list[bytes] = []
        self.posted: list[tuple[int, int]] = []  # (author number, post place)
        self.tagged: list[tuple[int, int]] = []  # (post place, topic place)
        self.topics: dict[str, int] = {}
        self.events: set[str] = set()
        self.packed_events: list[bytes] = []

    def load(self, readers: Iterable[Reader]) -> LoadReport:
        try:
            for reader in readers:
                self._read(reader)
        finally:
            self.rejects.close()
        send = self.store.bulk_path()
        assert send is not None
        self.store.clear()  # an empty graph may still hold its schema: the bulk path builds anew
        self._send(BulkBuilder(send))
        self.store.ensure_schema()
        self.report.batches += 1
        return self.report

    def _number(self, user_id: str) -> int:
        number = self.numbers.get(user_id)
        if number is None:
            number = self.numbers[user_id] = len(self.numbers)
        return number

    def _read(self, reader: Reader) -> None:
        self.start(reader)
        for record in bounded(reader):  # no oversized key reaches GRAPH.BULK
            if isinstance(record, Reject):
                self.rejects.add(reader.current_table, record.error)
            elif isinstance(record, UserRow):
                self.report.duplicates["users"] += record.id in self.users
                self.users[record.id] = record
                self._number(record.id)
            elif isinstance(record, PostRow):
                self._post(record)
            elif record.amplifier_id == record.author_id:
                self.report.self_amplifications += 1
            else:
                self._event(record, reader)
            self.tick(reader)
        self.finish(reader)

    def _post(self, post: PostRow) -> None:
        if post.id in self.posts:
            self.report.duplicates["posts"] += 1
            return
        place = self.posts[post.id] = len(self.posts)
        values: tuple[Value, ...] = (
            post.id,
            post.author_id,
            post.created_at,
            post.text,
            post.lang,
            post.url,
        )
        self.post_values.append(b"".join(map(pack_value, values)))
        self.posted.append((self._number(post.author_id), place))
        for topic in post.topics:
            self.tagged.append((place, self.topics.setdefault(topic, len(self.topics))))
        self.report.loaded["posts"] += 1

    def _event(self, event: AmplificationRow, reader: Reader) -> None:
        if event.id in self.events:
            self.report.duplicates["amplifications"] += 1
            return
        if reader.strict_posts and event.post_id and event.post_id not in self.posts:
            error = LoadError(
                str(reader.current_path), reader.line, "post_id", f"unknown post {event.post_id!r}"
            )
            self.rejects.add(reader.current_table, error)
            return
        self.events.add(event.id)
        source, target = self._number(event.amplifier_id), self._number(event.author_id)
        values = (event.id, event.kind, event.created_at, event.post_id)
        self.packed_events.append(pack_relation(source, target, values))
        self.report.loaded["amplifications"] += 1

    def _send(self, bulk: BulkBuilder) -> None:
        """Users (numbered 0..U-1), posts (U..), topics, then every relationship."""
        bulk.declare("User", USER_PROPERTIES)
        bulk.declare("Post", POST_PROPERTIES)
        bulk.declare("Topic", ("id",))
        bulk.declare("POSTED", ())
        bulk.declare("TAGGED", ())
        bulk.declare("AMPLIFIED", AMPLIFIED_PROPERTIES)
        for user_id in self.numbers:  # dicts keep insertion order: the node numbers
            user = self.users.get(user_id)
            if user is None:
                bulk.node("User", (user_id, user_id, None, None, None, None, False, None, True))
                self.report.placeholder_users += 1
                continue
            bulk.node(
                "User",
                (
                    user.id,
                    user.handle,
                    user.name,
                    user.followers,
                    user.bio,
                    user.url,
                    user.is_brand,
                    user.platform,
                    False,
                ),
            )
        self.report.loaded["users"] += len(self.users)
        for packed in self.post_values:
            bulk.packed_node("Post", packed)
        for topic in self.topics:
            bulk.node("Topic", (topic,))
        first_post, first_topic = len(self.numbers), len(self.numbers) + len(self.posts)
        for author, place in self.posted:
            bulk.relation("POSTED", author, first_post + place, ())
        for place, topic_place in self.tagged:
            bulk.relation("TAGGED", first_post + place, first_topic + topic_place, ())
        for packed in self.packed_events:
            bulk.packed_relation("AMPLIFIED", packed)
        bulk.finish()
