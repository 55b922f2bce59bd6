"""Backups of the embedded FalkorDB: snapshot, load more, restore, and the counts are back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.backends.falkordb import FalkorDBBackend
from graph.backup import MANIFEST, SNAPSHOT, BackupError, backup, restore
from graph.models import AmplificationRow, UserRow
from graph.server import EmbeddedServer
from graph.store import Store

GRAPH = "resonance"


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[EmbeddedServer]:
    server = EmbeddedServer(tmp_path / "data")
    yield server
    server.stop()


def store_of(server: EmbeddedServer) -> Store:
    info = server.start()
    store = Store(
        FalkorDBBackend.connect(info.host, info.port, info.password, GRAPH, query_timeout_ms=60_000)
    )
    store.ensure_schema()
    return store


def load(store: Store, first: int, count: int) -> None:
    users = [UserRow(id=f"u{i}", handle=f"user{i}") for i in range(first, first + count)]
    store.upsert_users(users)
    store.upsert_amplifications(
        [
            AmplificationRow(
                id=f"a{i}",
                amplifier_id=f"u{i}",
                author_id=f"u{first}",
                kind="retweet",
                created_at=1_700_000_000_000 + i,
                post_id=f"p{first}",
            )
            for i in range(first + 1, first + count)
        ]
    )


def counts(store: Store) -> tuple[int, int]:
    stats = store.stats()
    return stats.users, stats.amplifications


def test_backup_load_more_restore_and_the_counts_are_the_backups(
    embedded: EmbeddedServer, tmp_path: Path
) -> None:
    store = store_of(embedded)
    load(store, 0, 50)
    (embedded.data_dir / "profiles").mkdir()
    (embedded.data_dir / "profiles" / "campaign.json").write_text('{"name": "campaign"}')
    saved = counts(store)
    made = backup(embedded, tmp_path / "backup")
    assert saved == (50, 49)
    assert sorted(p.name for p in made.path.iterdir()) == [MANIFEST, "profiles", SNAPSHOT]
    assert not (made.path / "password").exists()
    assert embedded.password() not in (made.path / MANIFEST).read_text()
    assert json.loads((made.path / MANIFEST).read_text())["sha256"] == made.sha256

    load(store, 100, 30)  # after the backup
    (embedded.data_dir / "profiles" / "campaign.json").write_text('{"name": "changed"}')
    assert counts(store) == (80, 78)
    password = embedded.password()
    embedded.stop()

    with pytest.raises(BackupError, match="--force"):
        restore(embedded, made.path)
    restore(embedded, made.path, force=True)
    store = store_of(embedded)
    assert counts(store) == saved
    assert store.read("MATCH (u:User {id: 'u120'}) RETURN u.id AS id") == []
    assert (embedded.data_dir / "profiles" / "campaign.json").read_text() == '{"name": "campaign"}'
    assert embedded.password() == password  # the data directory's own password stays
    replaced = list(embedded.db_dir.glob("replaced-*"))
    assert len(replaced) == 1 and (replaced[0] / "appendonlydir").is_dir()
    assert (replaced[0] / "profiles" / "campaign.json").read_text() == '{"name": "changed"}'

    # The restored server writes on and keeps what it writes across a restart.
    load(store, 200, 5)
    embedded.stop()
    assert counts(store_of(embedded)) == (55, 53)


def test_a_backup_needs_a_running_server_and_a_new_folder(
    embedded: EmbeddedServer, tmp_path: Path
) -> None:
    with pytest.raises(BackupError, match="not running"):
        backup(embedded, tmp_path / "b")
    store_of(embedded)
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(BackupError, match="not an empty folder"):
        backup(embedded, tmp_path / "full")


def test_a_restore_refuses_a_running_server_and_a_damaged_backup(
    embedded: EmbeddedServer, tmp_path: Path
) -> None:
    load(store_of(embedded), 0, 10)
    made = backup(embedded, tmp_path / "b")
    with pytest.raises(BackupError, match="running"):
        restore(embedded, made.path, force=True)
    embedded.stop()
    with open(made.path / SNAPSHOT, "ab") as snapshot:
        snapshot.write(b"x")
    with pytest.raises(BackupError, match="SHA-256"):
        restore(embedded, made.path, force=True)
    with pytest.raises(BackupError, match="not a backup"):
        restore(embedded, tmp_path, force=True)


def test_a_restore_into_an_empty_data_directory_needs_no_force(tmp_path: Path) -> None:
    first = EmbeddedServer(tmp_path / "first")
    try:
        load(store_of(first), 0, 20)
        made = backup(first, tmp_path / "b")
    finally:
        first.stop()
    second = EmbeddedServer(tmp_path / "second")
    try:
        restore(second, made.path)
        assert counts(store_of(second)) == (20, 19)
    finally:
        second.stop()
