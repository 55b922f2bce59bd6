"""The project's own exceptions: driver errors never cross the ``graph/`` boundary."""

from __future__ import annotations


class GraphError(Exception):
    """Base class of every error Resonance raises on purpose."""


class GraphUnavailable(GraphError):
    """The database cannot be reached; the message says what to do about it."""


class ServerError(GraphError):
    """The embedded server could not be started, stopped or inspected."""


class NodeNotFound(GraphError):
    """A node looked up by its business key does not exist."""

    def __init__(self, label: str, key: str) -> None:
        super().__init__(f"{label} {key!r} not found")
        self.label = label
        self.key = key


class InvalidQuery(GraphError):
    """The database refused a query (syntax, semantics, read-only violation, time limit)."""


class ConfigError(GraphError):
    """A setting is missing or inconsistent."""


class LoadError(GraphError):
    """One input row breaks the data contract: ``file:line: field: reason``."""

    def __init__(self, path: str, line: int, field: str, reason: str) -> None:
        super().__init__(f"{path}:{line}: {field}: {reason}")
        self.path = path
        self.line = line
        self.field = field
        self.reason = reason
