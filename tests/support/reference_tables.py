"""The published reference tables of ../shared/reference, as the algorithm tests read them."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Example = dict[str, Any]

SHARED = Path(__file__).resolve().parents[3] / "shared"


def examples(name: str) -> dict[str, Example]:
    """The examples of ``reference/<name>`` by id; skips the test when shared/ is absent."""
    path = SHARED / "reference" / name
    if not path.exists():
        pytest.skip(f"reference tables not found at {path} (the shared checkout is absent)")
    return {e["id"]: e for e in json.loads(path.read_text())["examples"]}


def arrays(example: Example) -> tuple[list[Any], IntArray, IntArray, FloatArray]:
    """Node names and edge arrays of an example (``edges`` may be a Python-literal string)."""
    edges = example["edges"]
    if isinstance(edges, str):
        edges = ast.literal_eval(edges)
    names: list[Any] = list(example.get("nodes") or [])
    for edge in edges:
        for end in (edge["source"], edge["target"]):
            if end not in names:
                names.append(end)
    index = {name: i for i, name in enumerate(names)}
    source = np.array([index[e["source"]] for e in edges], dtype=np.int64)
    target = np.array([index[e["target"]] for e in edges], dtype=np.int64)
    weight = np.array([float(e.get("weight", 1.0)) for e in edges])
    return names, source, target, weight
