"""What the explorer's routes share: the ``Explorer`` dependency and the network fields."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Response

from api.deps import RunCacheDep, StoreDep
from graph.explorer.models import Subgraph
from graph.explorer.network_files import MEDIA_TYPES, FileFormat, network_file
from graph.explorer.reads import Explorer


def network_fields(view: Subgraph) -> dict[str, object]:
    """What every network response has: nodes, edges and whether the limit cut it."""
    return {"nodes": view.network.nodes, "edges": view.network.edges, "truncated": view.truncated}


NetworkFormat = Annotated[
    FileFormat, Path(description="gexf (Gephi) or graphml (yEd, Cytoscape, networkx)")
]


def network_download(view: Subgraph, file_format: FileFormat, name: str) -> Response:
    """The view as a GEXF or GraphML attachment named ``name.<format>``."""
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)[:80] or "network"
    return Response(
        network_file(view.network, file_format, view.distance),
        media_type=MEDIA_TYPES[file_format],
        headers={"Content-Disposition": f'attachment; filename="{safe}.{file_format}"'},
    )


def get_explorer(store: StoreDep, cache: RunCacheDep) -> Explorer:
    return Explorer(store, cache)


ExplorerDep = Annotated[Explorer, Depends(get_explorer)]
