"""A console result as CSV: its columns, then one line per row, made safe for spreadsheets.

Numbers stay numbers and text is neutralised as in every export (``web.csv_export``); a node
is written as its labels and its ``id`` property (``(:User u0001)``), a relationship as its
type (``[:AMPLIFIED]``), a path as its node count, lists and maps as JSON. Nothing the console
refused ever gets here: the same query runs through the same console first.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from graph.console.values import ConsoleResult
from web.csv_export import Cell, csv_line


def _cell(value: Any) -> Cell:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and value.get("kind") == "node":
        labels = "".join(f":{label}" for label in value.get("labels", []))
        key = value.get("properties", {}).get("id", value.get("id"))
        return f"({labels} {key})"
    if isinstance(value, dict) and value.get("kind") == "relationship":
        return f"[:{value.get('type', '')}]"
    if isinstance(value, dict) and value.get("kind") == "path":
        return f"path of {len(value.get('nodes', []))} nodes"
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def console_csv_lines(result: ConsoleResult) -> Iterator[str]:
    yield csv_line(result.columns)
    for row in result.rows:
        yield csv_line([_cell(value) for value in row])
