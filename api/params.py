"""The query and path parameters that routes share: page size and offset, network size, user
ids, and the text every name or id sent to the database must be."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

#: Names and ids sent to the database: any text but NUL, which cuts a FalkorDB query short (the
#: statement then fails to parse). No stored id holds one: loading it would fail the same way.
NO_NUL = r"^[^\x00]*$"

UserId = Annotated[
    str, Path(min_length=1, max_length=200, pattern=NO_NUL, description="the user's id")
]
Limit = Annotated[int, Query(ge=1, le=500, description="page size")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="rows to skip")]
NetworkLimit = Annotated[
    int, Query(ge=1, le=500, description="the most nodes drawn, best score first")
]
PAGE = 50  # the default of ``Limit``
NETWORK = 100  # the default of ``NetworkLimit``
#: What the ``.gexf`` / ``.graphml`` network routes answer, for the OpenAPI document.
NETWORK_FILE: dict[int | str, dict[str, object]] = {
    200: {
        "description": "the network as a file",
        "content": {"application/gexf+xml": {}, "application/graphml+xml": {}},
    }
}
