"""FalkorDB's bulk path (``GRAPH.BULK`` through ``falkordb-bulk-loader``) for a new graph.

The loader runs in a child process so its logging set-up stays out of ours, and the server's
password reaches it in the environment, never on a command line that ``ps`` shows.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from graph.errors import InvalidQuery

_URL_VARIABLE = "RESONANCE_BULK_URL"


def bulk_insert(
    url: str,
    graph: str,
    nodes: Sequence[tuple[str, Path]],
    relations: Sequence[tuple[str, Path]],
) -> None:
    """Build ``graph`` (which must not exist) from typed CSV files, one per label and type."""
    arguments = [graph, "--enforce-schema", "--escapechar", "none"]
    for label, path in nodes:
        arguments += ["--nodes-with-label", label, str(path)]
    for kind, path in relations:
        arguments += ["--relations-with-type", kind, str(path)]
    done = subprocess.run(
        [sys.executable, "-m", __name__, *arguments],
        env={**os.environ, _URL_VARIABLE: url},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        lines = (done.stdout + done.stderr).strip().splitlines()
        raise InvalidQuery(f"the bulk load failed: {' | '.join(lines[-3:])}")


def _main() -> None:  # pragma: no cover - runs in the child process
    from falkordb_bulk_loader.bulk_insert import bulk_insert as command

    command.main([*sys.argv[1:], "--server-url", os.environ[_URL_VARIABLE]])


if __name__ == "__main__":  # pragma: no cover
    _main()
