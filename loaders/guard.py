"""What may stop a load on the way: a cancel request, or more decompressed bytes than allowed.

A ``LoadGuard`` is handed to the loader (``loaders.pipeline.load(..., guard=...)``) and to every
reader it reads: readers count each decompressed byte through :meth:`LoadGuard.spend`, and the
loader calls :meth:`LoadGuard.check` between records. A cancel request raises
:class:`Cancelled`, which, like ``KeyboardInterrupt``, is no ``Exception``: no reader's error
handling can mistake it for a bad row. Rows written before either stop are kept (every write
is an idempotent MERGE).
"""

from __future__ import annotations

import threading
from pathlib import Path

from graph.errors import LoadError


class Cancelled(BaseException):
    """The job was asked to stop; what was written before is kept."""


def describe_bytes(count: int) -> str:
    """``17179869184`` -> ``16 GiB``; ``1536`` -> ``1.5 KiB``.

    >>> describe_bytes(16 << 30), describe_bytes(1536), describe_bytes(10)
    ('16 GiB', '1.5 KiB', '10 bytes')
    """
    value = float(count)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.1f}".removesuffix(".0") + f" {unit}"
        value /= 1024
    raise AssertionError("unreachable")


class LoadGuard:
    """A cancel flag and a budget of decompressed bytes for one load (all its files).

    ``max_unpacked_bytes=None`` is no budget (the CLI loads the user's own files).
    """

    def __init__(
        self, *, max_unpacked_bytes: int | None = None, cancel: threading.Event | None = None
    ) -> None:
        self.max_unpacked_bytes = max_unpacked_bytes
        self.cancel = cancel or threading.Event()
        self.unpacked = 0

    def check(self) -> None:
        """:class:`Cancelled` once a cancel was asked for."""
        if self.cancel.is_set():
            raise Cancelled("cancelled")

    def spend(self, count: int, path: Path | str, line: int) -> None:
        """Count ``count`` more decompressed bytes read from ``path`` (at ``line``).

        :class:`Cancelled` when asked to stop; a ``LoadError`` naming the file once the load
        has read more than ``max_unpacked_bytes``.
        """
        self.check()
        self.unpacked += count
        limit = self.max_unpacked_bytes
        if limit is not None and self.unpacked > limit:
            reason = (
                f"the upload unpacks to more than {describe_bytes(limit)} "
                f"({limit:,} bytes, RESONANCE_MAX_UNPACKED_BYTES); the load stopped here, "
                "rows read before are kept"
            )
            raise LoadError(str(path), line, "file", reason)
