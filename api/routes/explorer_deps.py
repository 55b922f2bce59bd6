"""What the explorer's routes share: the ``Explorer`` dependency and the network fields."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from api.deps import RunCacheDep, StoreDep
from graph.explorer.models import Subgraph
from graph.explorer.reads import Explorer


def network_fields(view: Subgraph) -> dict[str, object]:
    """What every network response has: nodes, edges and whether the limit cut it."""
    return {"nodes": view.network.nodes, "edges": view.network.edges, "truncated": view.truncated}


def get_explorer(store: StoreDep, cache: RunCacheDep) -> Explorer:
    return Explorer(store, cache)


ExplorerDep = Annotated[Explorer, Depends(get_explorer)]
