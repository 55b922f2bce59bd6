"""What to read and whom to follow, for an account and for a shortlist: the lookalike voices
and each one's most-amplified posts on the topics that matter (``graph.explorer.reading``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.error_responses import not_found
from api.explorer_schemas import LookalikeOut
from api.params import NO_NUL, UserId
from api.routes.explorer_deps import ExplorerDep
from api.routes.shortlists import ShortlistId, ShortlistsDep
from graph.explorer.reading import POSTS_PER_VOICE, VOICES, ReadingList, reading_list
from graph.explorer.reads import Explorer

router = APIRouter(prefix="/api", tags=["explorer"])

Topics = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL)]] | None,
    Query(max_length=20, description="the topics of the posts (default: the seeds' own topics)"),
]
AnyTopic = Annotated[bool, Query(description="posts on any topic, whatever ``topics`` says")]
Voices = Annotated[int, Query(ge=1, le=20, description="voices to follow")]
Posts = Annotated[int, Query(ge=1, le=10, description="posts to read per voice")]


class PostToReadOut(BaseModel):
    id: str
    text: str
    created_at: int | None = Field(description="epoch ms")
    amplifiers: int = Field(description="distinct accounts that amplified it, its author aside")
    topics: list[str]


class VoiceToFollowOut(BaseModel):
    voice: LookalikeOut
    posts: list[PostToReadOut]


class ReadingListOut(BaseModel):
    seeds: list[str]
    topics: list[str] = Field(description="the topics of the posts (empty: any topic)")
    voices: list[VoiceToFollowOut]


def _reading(
    explorer: Explorer,
    seeds: list[str],
    topics: list[str] | None,
    any_topic: bool,
    voices: int,
    posts: int,
) -> ReadingListOut:
    found: ReadingList = reading_list(
        explorer.store,
        explorer,
        seeds,
        topics=[] if any_topic else topics,
        voices=voices,
        posts=posts,
    )
    return ReadingListOut.model_validate(found, from_attributes=True)


@router.get(
    "/users/{user_id}/reading",
    response_model=ReadingListOut,
    responses=not_found("user"),
    summary="What to read and whom to follow, for an account",
)
def user_reading(
    explorer: ExplorerDep,
    user_id: UserId,
    topics: Topics = None,
    any_topic: AnyTopic = False,
    voices: Voices = VOICES,
    posts: Posts = POSTS_PER_VOICE,
) -> ReadingListOut:
    """The account's lookalike voices (its audience also amplifies them), each with its
    most-amplified posts on ``topics`` (default: the account's own topics)."""
    return _reading(explorer, [user_id], topics, any_topic, voices, posts)


@router.get(
    "/shortlists/{shortlist_id}/reading",
    response_model=ReadingListOut,
    responses=not_found("shortlist"),
    summary="What to read and whom to follow, for a shortlist",
)
def shortlist_reading(
    explorer: ExplorerDep,
    shortlists: ShortlistsDep,
    shortlist_id: ShortlistId,
    topics: Topics = None,
    any_topic: AnyTopic = False,
    voices: Voices = VOICES,
    posts: Posts = POSTS_PER_VOICE,
) -> ReadingListOut:
    """The members' lookalike voices (members left out), each with its most-amplified posts
    on ``topics`` (default: the topics the members are ranked on most). An empty list has
    none."""
    members = [member.user.id for member in shortlists.members(shortlist_id)]  # 404: no list
    if not members:
        return ReadingListOut(seeds=[], topics=topics or [], voices=[])
    return _reading(explorer, members, topics, any_topic, voices, posts)
