"""Influencer lists as CSV that opens safely in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from functools import lru_cache

from graph.models import Influencer

INFLUENCER_COLUMNS: tuple[str, ...] = (
    "rank",
    "user_id",
    "handle",
    "score",
    "role",
    "community",
    "pagerank",
    "betweenness",
    "topics",
    "reasons",
    "name",
    "followers",
    "amplifiers",
    "communities_reached",
    "core",
    "roles",
    "top_amplifiers",
    "top_posts",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """Neutralise text a spreadsheet would run as a formula (CSV injection).

    >>> spreadsheet_safe("=HYPERLINK(1)"), spreadsheet_safe("plain")
    ("'=HYPERLINK(1)", 'plain')
    """
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def chunked(lines: Iterable[str], size: int = 1 << 16) -> Iterator[str]:
    """Lines joined into pieces of about ``size`` characters: a streamed HTTP body sends each
    piece from a worker thread, so one piece per line made a 1,000-row export ~1,000 thread
    hand-offs.

    >>> list(chunked(["a\\n", "b\\n", "c\\n"], size=4))
    ['a\\nb\\n', 'c\\n']
    """
    pending: list[str] = []
    length = 0
    for line in lines:
        pending.append(line)
        length += len(line)
        if length >= size:
            yield "".join(pending)
            pending, length = [], 0
    if pending:
        yield "".join(pending)


def communities_csv(members: Iterable[tuple[str, int]]) -> Iterator[str]:
    r"""``user_id,community`` lines, header first.

    >>> list(communities_csv([("u1", 0), ("=x", 1)]))
    ['user_id,community\n', 'u1,0\n', "'=x,1\n"]
    """
    yield "user_id,community\n"
    for user_id, community in members:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerow([spreadsheet_safe(user_id), community])
        yield buffer.getvalue()


def _topics(item: Influencer) -> str:
    """``vegan#1; camping#4``: the topics the account ranks on, with its rank there."""
    return "; ".join(
        f"{topic}#{rank}" for topic, rank in zip(item.topics, item.topic_ranks, strict=False)
    )


def influencer_csv(items: Iterable[Influencer]) -> Iterator[str]:
    """The header line, then one line per influencer (lists joined with ``"; "``)."""
    yield _line(tuple(INFLUENCER_COLUMNS))
    for item in items:
        yield _influencer_line(item)


def _line(cells: tuple[object, ...]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


@lru_cache(maxsize=4096)
def _influencer_line(item: Influencer) -> str:
    """One account's line. Records are immutable and compared by value, so an account whose
    scores and profile have not changed is formatted once (exports repeat the top accounts)."""
    return _line(
        (
            item.rank,
            spreadsheet_safe(item.id),
            spreadsheet_safe(item.handle),
            f"{item.score:.4f}",
            item.role or "",
            "" if item.community is None else item.community,
            f"{item.pagerank:.8f}",
            f"{item.betweenness:.4f}",
            spreadsheet_safe(_topics(item)),
            spreadsheet_safe("; ".join(item.reasons)),
            spreadsheet_safe(item.name),
            "" if item.followers is None else item.followers,
            item.amplifiers,
            item.communities_reached,
            item.core,
            "; ".join(item.roles),
            spreadsheet_safe("; ".join(item.top_amplifiers)),
            spreadsheet_safe("; ".join(item.top_posts)),
        )
    )
