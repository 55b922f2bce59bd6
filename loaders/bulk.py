"""The first load into an empty FalkorDB graph, through the server's bulk path.

Records are streamed into typed CSV files (one per label and relationship type) in a temporary
folder and the graph is built from them in one ``GRAPH.BULK`` pass, about ten times faster than
batched ``UNWIND ... MERGE``; the schema (unique ids, indexes, full-text) is created afterwards.
The same rules as the batched path apply: rejects, self-amplifications, duplicates, placeholder
users, and (for the CSV contract) amplifications naming an unknown post. Memory grows with the
number of distinct users and ids, not with the size of the input: users are kept (the last row
wins, as with MERGE ... SET), posts and events are written to disk as they come.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol, TextIO

from graph.errors import LoadError
from graph.models import AmplificationRow, PostRow, UserRow
from graph.store import Store
from loaders.pipeline import LoadRun, Progress
from loaders.records import Reader, Reject
from loaders.report import LoadReport

USER_HEADER = (
    "id:ID(User)",
    "handle:STRING",
    "name:STRING",
    "followers:INT",
    "bio:STRING",
    "url:STRING",
    "is_brand:BOOL",
    "platform:STRING",
    "placeholder:BOOL",
)
POST_HEADER = (
    "id:ID(Post)",
    "author_id:STRING",
    "created_at:INT",
    "text:STRING",
    "lang:STRING",
    "url:STRING",
)
AMPLIFIED_HEADER = (
    ":START_ID(User)",
    ":END_ID(User)",
    "id:STRING",
    "kind:STRING",
    "at:INT",
    "post_id:STRING",
)
# Users known by id and handle only, and events of no post, go to narrower files: the bulk
# loader packs every column of every row, so fewer columns load faster.
BRIEF_USER_HEADER = (
    "id:ID(User)",
    "handle:STRING",
    "is_brand:BOOL",
    "platform:STRING",
    "placeholder:BOOL",
)
BRIEF_AMPLIFIED_HEADER = AMPLIFIED_HEADER[:-1]
_PROGRESS_EVERY = 5_000


class BulkCapable(Protocol):
    """A backend that can build a new graph from CSV files."""

    def bulk_insert(
        self, nodes: list[tuple[str, Path]], relations: list[tuple[str, Path]]
    ) -> None: ...


#: Inputs smaller than this load through batched MERGE even into an empty graph: the bulk
#: path's fixed costs (a child process, CSV files) only pay off on real exports.
BULK_MIN_BYTES = 1 << 20


def supports_bulk(store: Store, readers: Sequence[Reader]) -> bool:
    """True when the backend has a bulk path, the graph holds nothing yet and the input is big."""
    if not hasattr(store.backend, "bulk_insert"):
        return False
    return sum(reader.size for reader in readers) >= BULK_MIN_BYTES and store.is_empty()


class _Files:
    """The CSV files the bulk loader reads, written as records arrive."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._handles: dict[str, TextIO] = {}
        self.writers: dict[str, Any] = {}
        for name, header in (
            ("Post", POST_HEADER),
            ("POSTED", (":START_ID(User)", ":END_ID(Post)")),
            ("TAGGED", (":START_ID(Post)", ":END_ID(Topic)")),
            ("AMPLIFIED", AMPLIFIED_HEADER),
            ("AMPLIFIED_BRIEF", BRIEF_AMPLIFIED_HEADER),
        ):
            handle = open(folder / f"{name}.csv", "w", newline="", encoding="utf-8")  # noqa: SIM115
            self._handles[name] = handle
            self.writers[name] = csv.writer(handle)
            self.writers[name].writerow(header)

    def path(self, name: str) -> Path:
        return self.folder / f"{name}.csv"

    def close(self) -> None:
        for handle in self._handles.values():
            handle.close()


class BulkLoader(LoadRun):
    """Builds a new graph from readers; ``report`` as the batched path would give."""

    def __init__(
        self, store: Store, *, rejects_path: Path | None = None, progress: Progress | None = None
    ) -> None:
        super().__init__(store, rejects_path=rejects_path, progress=progress)
        self.users: dict[str, UserRow] = {}
        self.referenced: set[str] = set()
        self.posts: set[str] = set()
        self.events: set[str] = set()
        self.topics: set[str] = set()

    def load(self, readers: Iterable[Reader]) -> LoadReport:
        backend = self.store.backend
        assert hasattr(backend, "bulk_insert")
        with tempfile.TemporaryDirectory(prefix="resonance-bulk-") as folder:
            files = _Files(Path(folder))
            try:
                for reader in readers:
                    self._read(reader, files)
            finally:
                files.close()
                self.rejects.close()
            nodes = self._write_nodes(files)
            relations = [
                ("POSTED", files.path("POSTED")),
                ("TAGGED", files.path("TAGGED")),
                ("AMPLIFIED", files.path("AMPLIFIED")),
                ("AMPLIFIED", files.path("AMPLIFIED_BRIEF")),
            ]
            backend.clear()  # an empty graph may still hold its schema: the bulk path builds anew
            backend.bulk_insert(nodes, relations)
        self.store.ensure_schema()
        self.report.batches += 1
        return self.report

    def _read(self, reader: Reader, files: _Files) -> None:
        size = reader.size
        report = self.report
        for record in reader.records():
            if isinstance(record, Reject):
                self.rejects.add(reader.current_table, record.error)
            elif isinstance(record, UserRow):
                report.duplicates["users"] += record.id in self.users
                self.users[record.id] = record
            elif isinstance(record, PostRow):
                self._post(record, files)
            elif record.amplifier_id == record.author_id:
                report.self_amplifications += 1
            else:
                self._event(record, reader, files)
            self.tick(reader, size)
        self.finish(reader, size)

    def _post(self, post: PostRow, files: _Files) -> None:
        if post.id in self.posts:
            self.report.duplicates["posts"] += 1
            return
        self.posts.add(post.id)
        self.referenced.add(post.author_id)
        files.writers["Post"].writerow(
            (post.id, post.author_id, post.created_at, post.text, post.lang, post.url)
        )
        files.writers["POSTED"].writerow((post.author_id, post.id))
        for topic in post.topics:
            self.topics.add(topic)
            files.writers["TAGGED"].writerow((post.id, topic))
        self.report.loaded["posts"] += 1

    def _event(self, event: AmplificationRow, reader: Reader, files: _Files) -> None:
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
        self.referenced.update((event.amplifier_id, event.author_id))
        row = (event.amplifier_id, event.author_id, event.id, event.kind, event.created_at)
        if event.post_id:
            files.writers["AMPLIFIED"].writerow((*row, event.post_id))
        else:
            files.writers["AMPLIFIED_BRIEF"].writerow(row)
        self.report.loaded["amplifications"] += 1

    def _write_nodes(self, files: _Files) -> list[tuple[str, Path]]:
        with (
            open(files.path("User"), "w", newline="", encoding="utf-8") as full_file,
            open(files.path("UserBrief"), "w", newline="", encoding="utf-8") as brief_file,
        ):
            full, brief = csv.writer(full_file), csv.writer(brief_file)
            full.writerow(USER_HEADER)
            brief.writerow(BRIEF_USER_HEADER)
            for user in self.users.values():
                brand = str(user.is_brand).lower()
                if user.name or user.followers is not None or user.bio or user.url:
                    followers = "" if user.followers is None else user.followers
                    full.writerow(
                        (
                            user.id,
                            user.handle,
                            user.name,
                            followers,
                            user.bio,
                            user.url,
                            brand,
                            user.platform,
                            "false",
                        )
                    )
                else:
                    brief.writerow((user.id, user.handle, brand, user.platform, "false"))
            placeholders = self.referenced - self.users.keys()
            for key in sorted(placeholders):
                brief.writerow((key, key, "false", "", "true"))
        self.report.loaded["users"] += len(self.users)
        self.report.placeholder_users += len(placeholders)
        with open(files.path("Topic"), "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(("id:ID(Topic)",))
            writer.writerows((topic,) for topic in sorted(self.topics))
        return [
            ("User", files.path("User")),
            ("User", files.path("UserBrief")),
            ("Post", files.path("Post")),
            ("Topic", files.path("Topic")),
        ]
