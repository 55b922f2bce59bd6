"""Stream validated rows of a CSV-contract directory into the store, batch by batch."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from graph.errors import LoadError
from graph.models import AmplificationRow, PostRow, UserRow
from graph.store import Store, batched
from loaders.contract_csv import (
    parse_amplification,
    parse_post,
    parse_user,
    read_rows,
    table_path,
    unknown_columns,
)
from loaders.report import LoadReport, RejectsFile

#: ``progress(table, rows_read_so_far)``
Progress = Callable[[str, int], None]
T = TypeVar("T")
Parser = Callable[[Path, int, dict[str, str]], T]


def _valid(
    path: Path,
    table: str,
    parse: Parser[T],
    report: LoadReport,
    rejects: RejectsFile,
    progress: Progress | None,
) -> Iterator[tuple[int, T]]:
    for line, raw in read_rows(path, table):
        report.read[table] += 1
        if progress is not None and report.read[table] % 1000 == 0:
            progress(table, report.read[table])
        try:
            yield line, parse(path, line, raw)
        except LoadError as error:
            rejects.add(table, error)
    if progress is not None:
        progress(table, report.read[table])


def load_csv_dir(
    store: Store,
    directory: Path,
    *,
    rejects_path: Path | None = None,
    progress: Progress | None = None,
) -> LoadReport:
    """Load ``users``, ``posts``, ``amplifications`` (``.csv`` or ``.csv.gz``) from ``directory``.

    Idempotent: every write is a MERGE on a business key, so loading twice changes nothing.
    Rows that break the contract go to the rejects file and the load goes on.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise LoadError(str(directory), 0, "path", "not a directory")
    paths = {table: table_path(directory, table) for table in ("users", "posts", "amplifications")}
    if not any(paths.values()):
        raise LoadError(
            str(directory), 0, "path", "holds none of users.csv, posts.csv, amplifications.csv"
        )
    report = LoadReport()
    rejects = RejectsFile(rejects_path or Path("rejects.txt"), report)
    store.ensure_schema()
    try:
        for table, path in paths.items():
            if path is not None:
                for column in unknown_columns(path, table):
                    report.notices.append(
                        f"{path}: column {column!r} is not in the contract; ignored"
                    )
        if paths["users"] is not None:
            _load_users(store, paths["users"], report, rejects, progress)
        posts_seen: set[str] = set()
        if paths["posts"] is not None:
            _load_posts(store, paths["posts"], report, rejects, progress, posts_seen)
        if paths["amplifications"] is not None:
            _load_amplifications(
                store, paths["amplifications"], report, rejects, progress, posts_seen
            )
    finally:
        rejects.close()
    return report


def _load_users(
    store: Store, path: Path, report: LoadReport, rejects: RejectsFile, progress: Progress | None
) -> None:
    seen: set[str] = set()
    for chunk in batched(
        _valid(path, "users", parse_user, report, rejects, progress), store.batch_size
    ):
        fresh: list[UserRow] = []
        for _, user in chunk:
            if user.id in seen:
                report.duplicates["users"] += 1
            seen.add(user.id)
            fresh.append(user)
        report.loaded["users"] += store.upsert_users(fresh)


def _load_posts(
    store: Store,
    path: Path,
    report: LoadReport,
    rejects: RejectsFile,
    progress: Progress | None,
    seen: set[str],
) -> None:
    for chunk in batched(
        _valid(path, "posts", parse_post, report, rejects, progress), store.batch_size
    ):
        fresh: list[PostRow] = []
        for _, post in chunk:
            if post.id in seen:
                report.duplicates["posts"] += 1
                continue
            seen.add(post.id)
            fresh.append(post)
        report.placeholder_users += store.create_placeholder_users(post.author_id for post in fresh)
        report.loaded["posts"] += store.upsert_posts(fresh)


def _load_amplifications(
    store: Store,
    path: Path,
    report: LoadReport,
    rejects: RejectsFile,
    progress: Progress | None,
    posts_seen: set[str],
) -> None:
    seen: set[str] = set()
    events = _valid(path, "amplifications", parse_amplification, report, rejects, progress)
    for chunk in batched(events, store.batch_size):
        fresh: list[AmplificationRow] = []
        lines: dict[str, int] = {}
        for line, event in chunk:
            if event.amplifier_id == event.author_id:
                report.self_amplifications += 1
            elif event.id in seen:
                report.duplicates["amplifications"] += 1
            else:
                seen.add(event.id)
                lines[event.id] = line
                fresh.append(event)
        unknown = {e.post_id for e in fresh if e.post_id and e.post_id not in posts_seen}
        missing = unknown - store.existing_posts(unknown) if unknown else set()
        if missing:
            kept = []
            for event in fresh:
                if event.post_id in missing:
                    rejects.add(
                        "amplifications",
                        LoadError(
                            str(path), lines[event.id], "post_id", f"unknown post {event.post_id!r}"
                        ),
                    )
                else:
                    kept.append(event)
            fresh = kept
        ids = [e.amplifier_id for e in fresh] + [e.author_id for e in fresh]
        report.placeholder_users += store.create_placeholder_users(ids)
        report.loaded["amplifications"] += store.upsert_amplifications(fresh)
