"""The revoked sessions' file: shared, re-read when it changes, pruned of expired sessions."""

from __future__ import annotations

import time
from pathlib import Path

from api.session_revocations import Revocations


def test_a_revocation_is_seen_by_another_reader_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "sessions" / "revoked"
    writer, reader = Revocations(path), Revocations(path)
    assert not reader.is_revoked("a" * 32)
    writer.revoke("a" * 32, int(time.time()) + 3600)
    assert reader.is_revoked("a" * 32) and not reader.is_revoked("b" * 32)
    writer.revoke("b" * 32, int(time.time()) + 3600)
    assert reader.is_revoked("b" * 32)


def test_expired_sessions_are_dropped_when_the_file_is_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "revoked"
    revocations = Revocations(path)
    now = int(time.time())
    path.write_text(f"{'c' * 32} {now - 7200}\n{'d' * 32} {now + 3600}\nnot a line\n")
    revocations.revoke("e" * 32, now + 3600)  # the first write of this process prunes
    lines = path.read_text().splitlines()
    assert lines == [f"{'d' * 32} {now + 3600}", f"{'e' * 32} {now + 3600}"]
    assert not revocations.is_revoked("c" * 32)
    assert revocations.is_revoked("d" * 32) and revocations.is_revoked("e" * 32)
