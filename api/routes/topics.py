"""Topics the analysis ranked accounts on, and each topic's network."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from api.error_responses import DOWN, not_found
from api.explorer_schemas import NetworkOut, TopicOut, TopicPage
from api.params import NETWORK, NETWORK_FILE, NO_NUL, PAGE, Limit, NetworkLimit, Offset
from api.routes.explorer_deps import (
    ExplorerDep,
    NetworkFormat,
    network_download,
    network_fields,
)

router = APIRouter(prefix="/api/topics", tags=["topics"])

TopicName = Annotated[
    str,
    Path(
        min_length=1, max_length=200, pattern=NO_NUL, description="the hashtag (case and # ignored)"
    ),
]


@router.get("", response_model=TopicPage, responses=DOWN, summary="Ranked topics")
def list_topics(explorer: ExplorerDep, limit: Limit = PAGE, offset: Offset = 0) -> TopicPage:
    """The topics the latest analysis ranked accounts on, the most amplified first."""
    items, total = explorer.topics(limit=limit, offset=offset)
    return TopicPage(
        items=[TopicOut.model_validate(item, from_attributes=True) for item in items],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/{topic}/network",
    response_model=NetworkOut,
    responses=not_found("topic"),
    summary="A topic's top accounts and the amplification among them",
)
def topic_network(
    explorer: ExplorerDep, topic: TopicName, limit: NetworkLimit = NETWORK
) -> NetworkOut:
    """The topic's best-ranked accounts (rank and score are the topic's) and their edges."""
    view = explorer.topic_network(topic, limit=limit)
    return NetworkOut.model_validate(network_fields(view), from_attributes=True)


@router.get(
    "/{topic}/network.{file_format}",
    response_class=Response,
    responses={**not_found("topic"), **NETWORK_FILE},
    summary="A topic's network as a GEXF or GraphML file",
)
def topic_network_file(
    explorer: ExplorerDep,
    topic: TopicName,
    file_format: NetworkFormat,
    limit: NetworkLimit = NETWORK,
) -> Response:
    """``/network`` with the same parameters, as a file (rank and score are the topic's)."""
    view = explorer.topic_network(topic, limit=limit)
    return network_download(view, file_format, f"topic-{topic}")
