"""Every CSV the project writes for people (``/api/influencers.csv``, shortlist CSVs,
``resonance export influencers`` and ``resonance export communities``), written by one
function, :func:`csv_line`, so that every export opens safely in a spreadsheet.

Spreadsheet (CSV) injection: a cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a
tab or carriage return, which some spreadsheets skip before reading the rest) is run as a
formula. A line break inside a cell is no protection: ``csv`` quotes a cell holding ``\\n`` or
``\\r``, but spreadsheets that split rows on a bare carriage return before they read quotes
see ``Bob\\r=cmd|' /C calc'!A0`` as two rows, the second a live formula. So:

* every field is quoted (``csv.QUOTE_ALL``);
* every *line* of a text cell (lines split on ``\\r\\n``, ``\\r`` and ``\\n``) that starts with
  one of :data:`FORMULA_LEADS` gets a single quote ``'`` in front, the prefix spreadsheets read
  as "this is text"; a cell that starts with a line break gets one too;
* numbers written from numbers (``int``, ``float``, :class:`Fixed`) stay numbers: ``-0.5`` in a
  numeric column is written as is, since a value formatted from a number cannot carry a
  formula, and a quote would make it text. Only ``str`` cells are neutralised, whatever the
  column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

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
FORMULA_LEADS: Final = ("=", "+", "-", "@", "\t", "\r")
"""What a line of a text cell may not start with (OWASP's list for CSV injection)."""
_LINE_BREAK: Final = re.compile(r"(\r\n|\r|\n)")


@dataclass(frozen=True, slots=True)
class Fixed:
    """A number written with ``digits`` decimals (``Fixed(0.5, 4)`` is ``0.5000``): a number,
    never neutralised, even when negative."""

    value: float
    digits: int

    def __str__(self) -> str:
        return f"{self.value:.{self.digits}f}"


Cell = str | int | float | Fixed | None
"""A CSV cell: text (neutralised), a number (written as is) or nothing (an empty cell)."""


def spreadsheet_safe(value: str) -> str:
    r"""``value`` with a ``'`` before every line that a spreadsheet would run as a formula.

    >>> spreadsheet_safe("=HYPERLINK(1)"), spreadsheet_safe("plain")
    ("'=HYPERLINK(1)", 'plain')
    >>> spreadsheet_safe("Bob\r=cmd|' /C calc'!A0\n+1\r\n@x\n\tt\n-2 ok")
    "Bob\r'=cmd|' /C calc'!A0\n'+1\r\n'@x\n'\tt\n'-2 ok"
    >>> spreadsheet_safe("\r=x")
    "'\r'=x"
    """
    if "\n" not in value and "\r" not in value:  # one line: the usual case, kept cheap
        return "'" + value if value.startswith(FORMULA_LEADS) else value
    parts = _LINE_BREAK.split(value)  # text, break, text, break, ..., text
    for index in range(0, len(parts), 2):
        line = parts[index]
        if line.startswith(FORMULA_LEADS) or (index == 0 and not line and len(parts) > 1):
            parts[index] = "'" + line
    return "".join(parts)


def _cell(value: Cell) -> str:
    if isinstance(value, str):
        text = spreadsheet_safe(value)
    else:
        text = "" if value is None else str(value)
    return '"' + text.replace('"', '""') + '"'


def csv_line(cells: Iterable[Cell]) -> str:
    r"""One CSV record, every field quoted, text neutralised, ending in ``\n``: what every
    export writes. The quoting is ``csv.QUOTE_ALL`` of the ``excel`` dialect (a ``"`` doubled
    inside a field), written directly: a ``csv.writer`` per line cost a third of an export.

    >>> csv_line(["u1", -0.5, Fixed(2, 4), None, "-1", 'a\r"b'])
    '"u1","-0.5","2.0000","","\'-1","a\r""b"\n'
    """
    return ",".join([_cell(value) for value in cells]) + "\n"


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
    ['"user_id","community"\n', '"u1","0"\n', '"\'=x","1"\n']
    """
    yield csv_line(("user_id", "community"))
    for user_id, community in members:
        yield csv_line((user_id, community))


def _topics(item: Influencer) -> str:
    """``vegan#1; camping#4``: the topics the account ranks on, with its rank there."""
    return "; ".join(
        f"{topic}#{rank}" for topic, rank in zip(item.topics, item.topic_ranks, strict=False)
    )


def influencer_cells(item: Influencer) -> tuple[Cell, ...]:
    """One account's cells, in :data:`INFLUENCER_COLUMNS` order (lists joined with ``"; "``)."""
    return (
        item.rank,
        item.id,
        item.handle,
        Fixed(item.score, 4),
        item.role,
        item.community,
        Fixed(item.pagerank, 8),
        Fixed(item.betweenness, 4),
        _topics(item),
        "; ".join(item.reasons),
        item.name,
        item.followers,
        item.amplifiers,
        item.communities_reached,
        item.core,
        "; ".join(item.roles),
        "; ".join(item.top_amplifiers),
        "; ".join(item.top_posts),
    )


def influencer_csv(items: Iterable[Influencer]) -> Iterator[str]:
    """The header line, then one line per influencer."""
    yield csv_line(INFLUENCER_COLUMNS)
    for item in items:
        yield _influencer_line(item)


@lru_cache(maxsize=4096)
def _influencer_line(item: Influencer) -> str:
    """One account's line. Records are immutable and compared by value, so an account whose
    scores and profile have not changed is formatted once (exports repeat the top accounts)."""
    return csv_line(influencer_cells(item))
