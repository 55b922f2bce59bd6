"""What to read and whom to follow: for an account or a shortlist, the lookalike voices (the
accounts their audience also amplifies) and each voice's most-amplified posts on the topics
that matter here (given, else the seeds' own ranked topics).

Klout's suggestions of articles and blogs were the part a blogger in the seeds liked best:
these are the same idea on the amplification graph, with the reason on each line (how many
amplifiers a voice shares with the seeds, how many distinct accounts amplified each post).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from graph.explorer import queries as q
from graph.explorer.models import Lookalike
from graph.explorer.reads import Explorer
from graph.store import Store

VOICES: Final = 5
POSTS_PER_VOICE: Final = 3
TOPICS_KEPT: Final = 3


@dataclass(frozen=True, slots=True)
class PostToRead:
    id: str
    text: str
    created_at: int | None
    amplifiers: int  # distinct accounts that amplified it (not its author)
    topics: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VoiceToFollow:
    voice: Lookalike
    posts: tuple[PostToRead, ...]


@dataclass(frozen=True, slots=True)
class ReadingList:
    """For ``seeds``: the voices to follow and what to read of each, on ``topics``."""

    seeds: tuple[str, ...]
    topics: tuple[str, ...]  # empty: any topic
    voices: list[VoiceToFollow]


def seed_topics(store: Store, seeds: Sequence[str], *, kept: int = TOPICS_KEPT) -> list[str]:
    """The ``kept`` topics the seeds are ranked on most often (ties: the better placed)."""
    counts: Counter[str] = Counter()
    for row in store.read(q.SEED_TOPICS, {"ids": list(seeds)}):
        for place, topic in enumerate(row.get("topics") or []):
            counts[str(topic)] += 1_000_000 - place  # how many seeds, then how high
    return [topic for topic, _ in counts.most_common(kept)]


def reading_list(
    store: Store,
    explorer: Explorer,
    seeds: Sequence[str],
    *,
    topics: Sequence[str] | None = None,
    voices: int = VOICES,
    posts: int = POSTS_PER_VOICE,
) -> ReadingList:
    """The ``voices`` lookalikes of ``seeds`` (by shared amplifiers) with each one's ``posts``
    most-amplified posts on ``topics`` (None: the seeds' own topics; empty: any topic).
    Unknown seeds raise ``NodeNotFound``, as for lookalikes."""
    chosen = list(seed_topics(store, seeds) if topics is None else topics)
    found = explorer.lookalikes(seeds, limit=voices)
    ids = [item.account.id for item in found.items]
    by_voice: dict[str, list[PostToRead]] = {voice: [] for voice in ids}
    for row in store.read(q.VOICE_POSTS, {"ids": ids, "topics": chosen}):
        kept = by_voice[str(row["voice"])]
        if len(kept) < posts:
            kept.append(
                PostToRead(
                    id=str(row["id"]),
                    text=str(row.get("text") or ""),
                    created_at=None if row.get("created_at") is None else int(row["created_at"]),
                    amplifiers=int(row["amplifiers"]),
                    topics=tuple(str(topic) for topic in row.get("topics") or []),
                )
            )
    return ReadingList(
        seeds=tuple(item.id for item in found.seeds),
        topics=tuple(chosen),
        voices=[VoiceToFollow(item, tuple(by_voice[item.account.id])) for item in found.items],
    )
