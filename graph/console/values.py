"""Console results as JSON-safe values, with every node and relationship collected for drawing."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import neo4j
from falkordb import Edge, Node, Path

_DAY, _CLOCK = ("years", "months", "days"), ("hours", "minutes", "seconds")


@dataclass(frozen=True, slots=True)
class ConsoleResult:
    """A console answer: JSON-safe rows, plus every node and relationship found in them."""

    columns: list[str]
    rows: list[list[Any]]
    truncated: bool
    elapsed_ms: float
    nodes: list[dict[str, Any]] = field(default_factory=list)
    relationships: list[dict[str, Any]] = field(default_factory=list)


class Elements:
    """Turns result values into JSON-safe ones and collects the graph elements among them."""

    def __init__(self, element: Callable[[Any, Elements], Any]) -> None:
        self.element = element  # a server's hook: a node/edge/path as a dict, else NotImplemented
        self.nodes: dict[str, dict[str, Any]] = {}
        self.relationships: dict[str, dict[str, Any]] = {}

    def node(self, id_: Any, labels: Any, properties: Mapping[str, Any]) -> dict[str, Any]:
        node: dict[str, Any] = {"kind": "node", "id": str(id_), "labels": sorted(labels or [])}
        node["properties"] = {str(k): self.value(v) for k, v in properties.items()}
        return self.nodes.setdefault(node["id"], node)

    def relationship(
        self, id_: Any, type_: Any, start: Any, end: Any, properties: Mapping[str, Any]
    ) -> dict[str, Any]:
        rel: dict[str, Any] = {"kind": "relationship", "id": str(id_), "type": str(type_)}
        rel |= {"start": str(start), "end": str(end)}
        rel["properties"] = {str(k): self.value(v) for k, v in properties.items()}
        return self.relationships.setdefault(rel["id"], rel)

    def value(self, value: Any) -> Any:
        if value is None or isinstance(value, str | bool | int):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else str(value)
        made = self.element(value, self)  # first: a Neo4j node is a Mapping too
        if made is not NotImplemented:
            return made
        if isinstance(value, list | tuple):
            return [self.value(item) for item in value]
        if isinstance(value, Mapping):
            return {str(k): self.value(v) for k, v in value.items()}
        if isinstance(value, bytes):
            return value.hex()
        for method in ("iso_format", "isoformat"):  # neo4j.time and datetime values
            if callable(getattr(value, method, None)):
                return str(getattr(value, method)())
        return str(value)

    def result(
        self, columns: list[str], rows: list[list[Any]], max_rows: int, started: float
    ) -> ConsoleResult:
        kept = [[self.value(cell) for cell in row] for row in rows[:max_rows]]
        elapsed = (time.perf_counter() - started) * 1000
        return ConsoleResult(
            columns, kept, len(rows) > max_rows, elapsed,
            list(self.nodes.values()), list(self.relationships.values()),
        )  # fmt: skip


def falkordb_element(value: Any, out: Elements) -> Any:
    if isinstance(value, Node):
        return out.node(value.id, value.labels, value.properties)
    if isinstance(value, Edge):
        return out.relationship(
            value.id, value.relation, value.src_node, value.dest_node, value.properties
        )
    if isinstance(value, Path):
        return {
            "kind": "path",
            "nodes": out.value(value.nodes()),
            "relationships": out.value(value.edges()),
        }
    if type(value).__name__ == "relativedelta":  # a FalkorDB duration, as ISO 8601
        day = "".join(f"{getattr(value, u)}{u[0].upper()}" for u in _DAY if getattr(value, u))
        clock = "".join(f"{getattr(value, u)}{u[0].upper()}" for u in _CLOCK if getattr(value, u))
        return f"P{day}T{clock}" if clock else f"P{day}" if day else "PT0S"
    return NotImplemented


def neo4j_element(value: Any, out: Elements) -> Any:
    if isinstance(value, neo4j.graph.Node):
        return out.node(value.element_id, value.labels, dict(value))
    if isinstance(value, neo4j.graph.Relationship):
        start, end = value.start_node, value.end_node
        return out.relationship(
            value.element_id, value.type, start.element_id if start else None,
            end.element_id if end else None, dict(value),
        )  # fmt: skip
    if isinstance(value, neo4j.graph.Path):
        return {
            "kind": "path",
            "nodes": out.value(value.nodes),
            "relationships": out.value(value.relationships),
        }
    if isinstance(value, neo4j.spatial.Point):
        return {"srid": value.srid, "coordinates": [float(c) for c in value]}
    return NotImplemented
