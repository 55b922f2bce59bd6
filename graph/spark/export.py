"""The store's amplification events -> Parquet files the Spark engine reads, chunk by chunk.

Each chunk of 10,000 amplifiers becomes one file of ``events/`` (``source``, ``target``,
``kind``, ``at``, ``post``: the ids as the store has them, ``at`` in epoch ms, ``post`` null for
a bare act), written to a temporary name and renamed once whole; ``post_topics/`` holds which
topics each post is tagged with. Memory stays one chunk deep. An export that stopped half-way
resumes: ``manifest.json`` records what it exports (the window, the store's loads, the users),
and the chunks already written are kept while that is unchanged.

This is the path from the embedded database or a single Neo4j server. From a Neo4j cluster,
Spark reads the relationships itself with the Neo4j Connector for Apache Spark (README,
"Beyond one machine"); ``resonance analyze --events PATH`` reads Parquet with these columns.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from graph.analysis import queries
from graph.analysis.events import CHUNK, NO_END, NO_START
from graph.backends.base import Columns
from graph.store import Store

ExportProgress = Callable[[int, int], None]  # (amplifiers exported, amplifiers in all)

EVENT_SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("target", pa.string()),
        ("kind", pa.string()),
        ("at", pa.int64()),
        ("post", pa.string()),
    ]
)
POST_TOPIC_SCHEMA = pa.schema([("post", pa.string()), ("topic", pa.string())])


@dataclass(frozen=True, slots=True)
class EventFiles:
    """Where an export (or a team's own Parquet) lies."""

    events: Path
    post_topics: Path | None


def _write(table: pa.Table, path: Path) -> None:
    partial = path.with_name(path.name + ".partial")
    pq.write_table(table, partial, compression="zstd")
    partial.replace(path)


def _event_table(chunk: Sequence[str], part: Columns) -> pa.Table:
    sources = [chunk[int(i)] for i in part.get("source", [])]
    posts = [post or None for post in part.get("post", [])]
    return pa.table(
        {
            "source": sources,
            "target": list(part.get("target", [])),
            "kind": list(part.get("kind", [])),
            "at": [int(at) for at in part.get("at", [])],
            "post": posts,
        },
        schema=EVENT_SCHEMA,
    )


def export_events(
    store: Store,
    folder: Path,
    *,
    since: int | None = None,
    until: int | None = None,
    progress: ExportProgress | None = None,
    chunk: int = CHUNK,
) -> EventFiles:
    """Write the events with ``since <= at < until`` under ``folder`` (see the module
    docstring); resumes an export of the same window and data that stopped half-way."""
    users: list[str] = list(store.read_text_columns(queries.USER_IDS).get("id", []))
    window = {
        "since": NO_START if since is None else since,
        "until": NO_END if until is None else until,
    }
    manifest: dict[str, Any] = {
        "window": window,
        "loads": str(store.data_stamp()[1]),
        "users": len(users),
        "chunk": chunk,
    }
    events_dir, topics_dir = folder / "events", folder / "post_topics"
    manifest_path = folder / "manifest.json"
    previous = json.loads(manifest_path.read_text()) if manifest_path.exists() else None
    if previous != manifest:
        for old in [*events_dir.glob("*"), *topics_dir.glob("*")]:
            old.unlink()
    for path in (events_dir, topics_dir):
        path.mkdir(parents=True, exist_ok=True)
    manifest_path.write_text(json.dumps(manifest))
    windowed = since is not None or until is not None
    statement = queries.AMPLIFICATIONS_IN if windowed else queries.AMPLIFICATIONS_OF
    for number, start in enumerate(range(0, len(users), chunk)):
        path = events_dir / f"part-{number:06d}.parquet"
        if not path.exists():
            ids = users[start : start + chunk]
            params: dict[str, Any] = {"ids": ids, **(window if windowed else {})}
            _write(_event_table(ids, store.read_text_columns(statement, params)), path)
        if progress is not None:
            progress(min(start + chunk, len(users)), len(users))
    tagged = store.read_text_columns(queries.POST_TOPICS)
    _write(
        pa.table(
            {"post": list(tagged.get("post", [])), "topic": list(tagged.get("topic", []))},
            schema=POST_TOPIC_SCHEMA,
        ),
        topics_dir / "part-000000.parquet",
    )
    return EventFiles(events_dir, topics_dir)
