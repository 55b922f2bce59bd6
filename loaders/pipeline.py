"""Stream records from any reader into the store in batches, with a report and a rejects file.

Memory stays bounded by the batch size whatever the input's size: records are buffered up to
``store.batch_size`` and flushed users first, then placeholder users for ids referenced but not
listed, then posts, then amplification events. Every write is a MERGE on a business key inside
one query per batch, so a load that is interrupted (Ctrl-C, ``kill -9`` of the loader or of
the database) and run again ends with exactly the right counts.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from graph.errors import GraphError, LoadError
from graph.models import AmplificationRow, PostRow, UserRow
from graph.store import Store
from loaders.bulk import BulkLoader, supports_bulk
from loaders.guard import LoadGuard
from loaders.key_bounds import bounded
from loaders.load_run import LoadProgress, LoadRun
from loaders.records import Reader, Reject
from loaders.report import LoadReport, relative_error


class _Batch:
    """The records waiting to be written, deduplicated by id within the batch."""

    def __init__(self, reader: Reader) -> None:
        self.strict_posts = reader.strict_posts
        self.path = str(reader.current_path)
        self.table = reader.current_table
        self.users: dict[str, UserRow] = {}
        self.posts: dict[str, PostRow] = {}
        self.events: dict[str, AmplificationRow] = {}
        self.lines: dict[str, int] = {}
        self.repeats = {"users": 0, "posts": 0, "amplifications": 0}

    def __len__(self) -> int:
        return len(self.users) + len(self.posts) + len(self.events)

    def add(self, record: UserRow | PostRow | AmplificationRow, line: int) -> None:
        if isinstance(record, UserRow):
            self.repeats["users"] += record.id in self.users
            self.users[record.id] = record
        elif isinstance(record, PostRow):
            self.repeats["posts"] += record.id in self.posts
            self.posts[record.id] = record
        else:
            self.repeats["amplifications"] += record.id in self.events
            self.events[record.id] = record
            self.lines[record.id] = line


class _Writer:
    """Writes batches on a thread of its own, so the next batch is parsed while the database
    writes this one; one batch waits at most. An error in the writer reaches the reader."""

    def __init__(self, write: Callable[[_Batch], None]) -> None:
        self._write = write
        self._queue: queue.Queue[_Batch | None] = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="resonance-writer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (batch := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self._write(batch)
                except BaseException as error:  # handed to the reading thread
                    self._error = error

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def submit(self, batch: _Batch) -> None:
        self._raise()
        self._queue.put(batch)

    def abandon(self) -> None:
        """Stop without writing what is still queued (the batch being written completes)."""
        self._error = self._error or RuntimeError("abandoned")
        with contextlib.suppress(queue.Empty):
            self._queue.get_nowait()  # only this thread puts: after this there is room
        self._queue.put_nowait(None)

    def close(self) -> None:
        """Wait until every submitted batch is written; raise the writer's error, if any."""
        self._queue.put(None)
        self._thread.join()
        self._raise()


class Loader(LoadRun):
    """Loads readers into one store by batched MERGE; ``report`` accumulates across them."""

    def load(self, readers: Iterable[Reader]) -> LoadReport:
        """Load every reader in turn; return the report (also on ``self.report``)."""
        self.store.ensure_schema()
        try:
            for reader in readers:
                self._load_one(reader)
        finally:
            self.rejects.close()
        return self.report

    def _load_one(self, reader: Reader) -> None:
        self.start(reader)
        batch = _Batch(reader)
        writer = _Writer(self._flush)
        try:
            for record in bounded(reader):  # no oversized key reaches the database
                if isinstance(record, Reject):
                    self.rejects.add(reader.current_table, record.error)
                elif (
                    isinstance(record, AmplificationRow) and record.amplifier_id == record.author_id
                ):
                    self.report.self_amplifications += 1
                else:
                    if batch.table != reader.current_table:
                        writer.submit(batch)
                        batch = _Batch(reader)
                    batch.add(record, reader.line)
                    if len(batch) >= self.store.batch_size:
                        writer.submit(batch)
                        batch = _Batch(reader)
                self.tick(reader)
        except LoadError:
            writer.submit(batch)  # keep what was valid before a fatal error
            writer.close()
            raise
        except BaseException:
            writer.abandon()  # Ctrl-C or a failure: what is written stays, the rest is dropped
            raise
        writer.submit(batch)
        writer.close()
        self.finish(reader)

    def _flush(self, batch: _Batch) -> None:
        if not len(batch):
            return
        store, report = self.store, self.report
        users, posts = list(batch.users.values()), list(batch.posts.values())
        events = self._known_posts_only(list(batch.events.values()), batch)
        created = store.upsert_users(users)
        self._count("users", len(users) + batch.repeats["users"], created)
        referenced = [post.author_id for post in posts]
        referenced += [e.amplifier_id for e in events] + [e.author_id for e in events]
        report.placeholder_users += store.create_placeholder_users(
            key for key in referenced if key not in batch.users
        )
        created = store.upsert_posts(posts)
        self._count("posts", len(posts) + batch.repeats["posts"], created)
        created = store.upsert_amplifications(events)
        self._count("amplifications", len(events) + batch.repeats["amplifications"], created)
        report.batches += 1

    def _count(self, table: str, rows: int, created: int) -> None:
        self.report.loaded[table] += created
        if rows > created:
            self.report.duplicates[table] += rows - created

    def _known_posts_only(
        self, events: Sequence[AmplificationRow], batch: _Batch
    ) -> list[AmplificationRow]:
        """For readers whose contract says so, reject events naming a post that exists nowhere."""
        if not batch.strict_posts:
            return list(events)
        wanted = {e.post_id for e in events if e.post_id and e.post_id not in batch.posts}
        missing = wanted - self.store.existing_posts(wanted) if wanted else set()
        kept = []
        for event in events:
            if event.post_id in missing:
                error = LoadError(
                    batch.path, batch.lines[event.id], "post_id", f"unknown post {event.post_id!r}"
                )
                self.rejects.add(batch.table, error)
            else:
                kept.append(event)
        return kept


def load(
    store: Store,
    readers: Iterable[Reader],
    *,
    rejects_path: Path | None = None,
    progress: LoadProgress | None = None,
    bulk: bool | None = None,
    guard: LoadGuard | None = None,
    root: Path | None = None,
) -> LoadReport:
    """Load ``readers`` into ``store``; see :class:`Loader`.

    ``bulk=None`` (the default) builds an empty FalkorDB graph from a big input (at least
    ``loaders.bulk.BULK_MIN_BYTES``) through the server's bulk path (:mod:`loaders.bulk`) and
    uses batched MERGE otherwise; ``True`` or ``False`` forces the choice. ``guard`` stops the
    load when cancelled (``loaders.guard.Cancelled``) or past its decompressed bytes (a
    ``LoadError``); with ``root``, files under it are named relative to it in what the load
    reports (rejects, notices, the error that stopped it).
    """
    readers = list(readers)
    cls: type[LoadRun] = (
        BulkLoader if (bulk if bulk is not None else supports_bulk(store, readers)) else Loader
    )
    run = cls(store, rejects_path=rejects_path, progress=progress, guard=guard, root=root)
    try:
        return run.load(readers)
    except LoadError as error:
        raise relative_error(error, root) from None
    finally:
        # Done, failed or cancelled, what was written is there: cached reads must go.
        with contextlib.suppress(GraphError):
            store.count_a_load()
