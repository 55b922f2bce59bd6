"""The small interface that hides which server is behind the store."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, LiteralString

Row = dict[str, Any]
Params = Mapping[str, Any]
#: A result by column: ``{name: [value of row 0, value of row 1, ...]}``.
Columns = dict[str, list[Any]]
#: A server's bulk path: sends one call's packed arguments (see ``graph.backends.falkordb_bulk``).
BulkSend = Callable[[list[bytes | int | str]], None]


@dataclass(frozen=True, slots=True)
class WriteCounts:
    """What a write created, as the server counted it."""

    nodes_created: int = 0
    relationships_created: int = 0


class Backend(ABC):
    """One graph database: shared Cypher goes through ``read``/``write``, dialect through the rest.

    Whoever creates a backend closes it; the store never does.
    """

    #: ``"falkordb"`` or ``"neo4j"``.
    name: str

    @abstractmethod
    def write(self, query: LiteralString, params: Params | None = None) -> list[Row]:
        """Run a statement that may write; return its rows as dicts keyed by column."""

    @abstractmethod
    def write_counted(self, query: LiteralString, params: Params | None = None) -> WriteCounts:
        """Run a write and return how many nodes and relationships it created."""

    @abstractmethod
    def read(
        self, query: LiteralString, params: Params | None = None, *, timeout_ms: int | None = None
    ) -> list[Row]:
        """Run a read-only statement; the server refuses it if it writes."""

    def read_columns(
        self, query: LiteralString, params: Params | None = None, *, timeout_ms: int | None = None
    ) -> Columns:
        """Like ``read`` for large results of plain values, by column; ``{}`` when no rows.

        Backends override it with a faster path (FalkorDB skips its client's per-cell parsing).
        """
        rows = self.read(query, params, timeout_ms=timeout_ms)
        if not rows:
            return {}
        return {column: [row[column] for row in rows] for column in rows[0]}

    def read_text_columns(
        self, query: LiteralString, params: Params | None = None, *, timeout_ms: int | None = None
    ) -> Columns:
        """``read_columns`` for results whose every value is a string, an integer or null
        (FalkorDB then parses a third of the objects; a float or a boolean would come back
        as its text there)."""
        return self.read_columns(query, params, timeout_ms=timeout_ms)

    def bulk_path(self) -> BulkSend | None:
        """The server's path for building a new graph in bulk; None (the default) when it has
        none and loads go through batched ``MERGE``."""
        return None

    @abstractmethod
    def schema_statements(self) -> Sequence[str]:
        """The DDL this server needs: unique ids for User, Post, Topic and the full-text index."""

    @abstractmethod
    def ensure_schema(self) -> None:
        """Apply ``schema_statements`` idempotently."""

    @abstractmethod
    def search_users(self, text: str, limit: int) -> list[str]:
        """Ids of users whose handle, name or bio match ``text`` in the full-text index."""

    @abstractmethod
    def clear(self) -> None:
        """Delete every node, relationship and index of this graph."""

    @abstractmethod
    def ping(self) -> None:
        """Raise ``GraphUnavailable`` unless the server answers."""

    @abstractmethod
    def close(self) -> None:
        """Release connections this backend opened."""
