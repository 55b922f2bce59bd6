"""Tweet CSV exports shaped like the FiveThirtyEight / Clemson IRA data (format ``tweet-csv``).

Two header shapes are accepted: the by-author layout (``author_id,content,region,language,
publish_date,...,followers,...,post_type,retweet``) and FiveThirtyEight's original one
(``external_author_id,author,content,...,publish_date,...,followers,...,post_type,...``).

Mapping
-------
- Each author becomes a ``UserRow`` at first sight, with that row's ``followers``; when the file
  ends, authors whose latest tweet (by ``publish_date``) shows another count are emitted again
  (an upsert), so the store ends with the latest count. Only this small per-author dict is kept.
- Each tweet becomes a ``PostRow``. The data has no tweet ids, so the id is
  ``derived_id(author_id, created_at, content)``; rows repeated in the export (same author,
  minute and text) share one id and the loader counts them as duplicates. FiveThirtyEight's
  ``tweet_id`` is used instead when it is a plain decimal number. ``publish_date``
  (``YYYY-MM-DD HH:MM[:SS]`` or ``M/D/YYYY H:MM``) states no zone and is read as UTC.
  Topics are the text's ``#hashtags``; ``language`` names become ISO 639-1 codes where known.
- Every ``@handle`` in the text (regex ``(?<![\\w@])@(\\w{1,15})``, as in ``SOURCE.md``) gives one
  ``mention`` amplification per post and target, author -> mentioned account. The target is the
  IRA author's id when the handle matches one in the authors file (case-insensitive; the first
  such author in that file when a handle is ambiguous), else ``"@" + handle.lower()``, for which a
  ``UserRow`` (handle as first written) is emitted once. Self-mentions are kept; the loader
  decides what to do with them.
- Retweets (``post_type`` R) keep the retweeted text but not the original author, so they
  cannot be linked to it. Only a text starting ``RT @x:`` (any post type) names the source: ``x``
  then gets a ``retweet`` amplification instead of a mention. Quotes are read like any post.
- Amplification ids are ``f"{post_id}:{kind}:{target_id}"``.

Authors file (``author_id,author,...``, e.g. ``ira_authors.csv``): the ``authors`` option, else
the one ``*authors*.csv[.gz]`` beside the tweets file; several there raise ``LoadError`` (pass
``authors``), and ``find_authors=False`` turns the search off. It gives handles, resolves
mentions of IRA accounts, and maps FiveThirtyEight's ``author`` (ALLCAPS there) to an
``author_id``. Without it handles stand in for ids: ``author_id`` (or ``author`` as written) is
the author's id and handle, and every mention target is ``@handle``. ``rows_read`` counts the
rows of both files.
"""

from __future__ import annotations

import csv
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from pathlib import Path
from typing import ClassVar

from graph.errors import LoadError
from graph.models import AmplificationRow, PostRow, UserRow
from loaders.bounded_lines import BoundedLines
from loaders.contract_csv import derived_id, open_text, topics_of
from loaders.records import Reader, Record, Reject

MENTION = re.compile(r"(?<![\w@])@(\w{1,15})")
_RETWEET_PREFIX = re.compile(r"RT @(\w{1,15}):")
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = datetime(1970, 1, 1)  # a publish_date without a zone is UTC
_MILLISECOND = timedelta(milliseconds=1)
_READ_ERRORS = (UnicodeDecodeError, OSError, EOFError, zlib.error)
#: the columns read, in the order ``_Layout.pick`` returns them ("" where a column is absent)
_FIELDS = (
    "author_id",
    "author",
    "external_author_id",
    "content",
    "publish_date",
    "followers",
    "language",
    "tweet_id",
)
#: ``name=code`` pairs: ``language`` as the source writes it ("_" for a space), ISO 639-1 code
_LANGUAGE_CODES = (
    "English=en Russian=ru Ukrainian=uk German=de Bulgarian=bg Uzbek=uz Serbian=sr Macedonian=mk "
    "French=fr Spanish=es Italian=it Arabic=ar Vietnamese=vi Farsi_(Persian)=fa Romanian=ro "
    "Norwegian=no Estonian=et Dutch=nl Japanese=ja Croatian=hr Portuguese=pt Albanian=sq "
    "Icelandic=is Polish=pl Catalan=ca Latvian=lv Swedish=sv Kurdish=ku Turkish=tr Slovenian=sl "
    "Lithuanian=lt Czech=cs Hungarian=hu Finnish=fi Malay=ms Somali=so Tagalog_(Filipino)=tl "
    "Slovak=sk Danish=da Hebrew=he Hindi=hi Indonesian=id Thai=th Pushto=ps Korean=ko Greek=el "
    "Urdu=ur Simplified_Chinese=zh Traditional_Chinese=zh Belarusian=be Georgian=ka Armenian=hy "
    "Azerbaijani=az Kazakh=kk LANGUAGE_UNDEFINED="
)
_LANGUAGES: dict[str, str] = {
    name.replace("_", " "): code
    for name, _, code in (pair.partition("=") for pair in _LANGUAGE_CODES.split())
}


def parse_publish_date(value: str) -> int:
    """``publish_date`` -> epoch milliseconds; no zone stated means UTC.

    >>> parse_publish_date("2016-10-10 08:46:00")
    1476089160000
    >>> parse_publish_date("10/1/2017 19:58")
    1506887880000
    """
    text = value.strip()
    us = _US_DATE.fullmatch(text)
    if us is not None:
        month, day, year, hour, minute, second = (int(part or 0) for part in us.groups())
        moment = datetime(year, month, day, hour, minute, second)
    else:
        moment = datetime.fromisoformat(text)
    epoch = _NAIVE_EPOCH if moment.tzinfo is None else _EPOCH
    return (moment - epoch) // _MILLISECOND


def language_code(name: str) -> str:
    """ISO 639-1 code for a language name, else the name as given.

    >>> language_code("Russian"), language_code("Klingon"), language_code("LANGUAGE UNDEFINED")
    ('ru', 'Klingon', '')
    """
    return _LANGUAGES.get(name, name)


@dataclass(frozen=True, slots=True)
class _Layout:
    """The header as read: its width, the picker of ``_FIELDS`` and the author column's name."""

    width: int
    pick: Callable[[list[str]], tuple[str, ...]]
    author_field: str
    header: tuple[str, ...] = ()


@dataclass(slots=True)
class _Author:
    handle: str
    emitted_followers: int | None
    latest_at: int
    latest_followers: int | None


class TweetCsvReader(Reader):
    """Users, posts and mention/retweet amplifications from an IRA-style tweet CSV."""

    format: ClassVar[str] = "tweet-csv"

    def __init__(
        self, path: Path, *, authors: Path | None = None, find_authors: bool = True
    ) -> None:
        super().__init__(path)
        self.authors_path = Path(authors) if authors is not None else None
        if self.authors_path is None and find_authors:
            self.authors_path = self._find_authors()
        self._handles: dict[str, str] = {}  # lower-cased IRA handle -> author id
        self._names: dict[str, str] = {}  # IRA author id -> handle

    def _find_authors(self) -> Path | None:
        found = sorted(
            candidate
            for pattern in ("*authors*.csv", "*authors*.csv.gz")
            for candidate in self.path.parent.glob(pattern)
            if candidate.is_file() and candidate.resolve() != self.path.resolve()
        )
        if len(found) > 1:
            names = ", ".join(candidate.name for candidate in found)
            raise LoadError(str(self.path), 0, "authors", f"several author files ({names})")
        return found[0] if found else None

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        lines = head.decode("utf-8", errors="ignore").lstrip("\ufeff").splitlines()
        names = {name.strip() for name in next(csv.reader(lines[:1]), [])}
        has_author = bool(names & {"author_id", "external_author_id"})
        return has_author and {"content", "publish_date"} <= names

    def records(self) -> Iterator[Record]:
        if self.authors_path is not None:
            yield from self._read_authors(self.authors_path)
        authors: dict[str, _Author] = {}
        emitted: set[str] = set()
        with self.open_text() as text:
            lines = BoundedLines(text, self.path, records=True)
            rows = csv.reader(lines)
            layout = self._header(rows)
            start = rows.line_num + 1
            while True:
                lines.new_record()
                try:
                    values = self._next(rows, start)
                except csv.Error as exc:
                    self.rows_read += 1
                    yield self.reject(start, "row", str(exc))
                    start = rows.line_num + 1
                    continue
                if values is None:
                    break
                line, start = start, rows.line_num + 1
                unterminated = lines.unterminated(layout.header)
                if unterminated is not None:  # the file ended inside a quote: not a tweet
                    self.rows_read += 1
                    yield self.reject(line, *unterminated)
                    break
                if values and values != [""]:
                    self.rows_read, self.line = self.rows_read + 1, line
                    yield from self._tweet(line, layout, values, authors, emitted)
        for author_id, author in authors.items():
            if author.latest_followers != author.emitted_followers:
                yield UserRow(author_id, author.handle, followers=author.latest_followers)

    def _header(self, rows: Iterator[list[str]]) -> _Layout:
        try:
            header = [name.strip() for name in self._next(rows, 1) or []]
        except csv.Error as exc:
            raise LoadError(str(self.path), 1, "header", str(exc)) from exc
        if not header:
            raise LoadError(str(self.path), 1, "header", "the file is empty")
        if not {"author_id", "author", "external_author_id"} & set(header):
            raise LoadError(str(self.path), 1, "author_id", "required column is missing")
        for column in ("content", "publish_date"):
            if column not in header:
                raise LoadError(str(self.path), 1, column, "required column is missing")
        indexes = (header.index(name) if name in header else len(header) for name in _FIELDS)
        author_field = "author_id" if "author_id" in header else "author"
        return _Layout(len(header), itemgetter(*indexes), author_field, tuple(header))

    def _next(self, rows: Iterator[list[str]], line: int) -> list[str] | None:
        try:
            return next(rows, None)
        except _READ_ERRORS as exc:
            raise LoadError(str(self.path), line, "row", str(exc)) from exc

    def _read_authors(self, path: Path) -> Iterator[Record]:
        start = 1
        try:
            with open_text(path) as source:
                lines = BoundedLines(source, path, records=True)
                rows = csv.reader(lines)
                header = [name.strip() for name in next(rows, [])]
                if "author_id" not in header:
                    raise LoadError(str(path), 1, "author_id", "required column is missing")
                start = rows.line_num + 1
                lines.new_record()
                for values in rows:
                    line, start = start, rows.line_num + 1
                    unterminated = lines.unterminated(header)
                    if unterminated is not None:  # the file ended inside a quote
                        yield Reject(LoadError(str(path), line, *unterminated))
                        break
                    lines.new_record()
                    if not values or values == [""]:
                        continue
                    self.rows_read += 1
                    row = dict(zip(header, (value.strip() for value in values), strict=False))
                    author_id = row.get("author_id", "")
                    if not author_id:
                        reason = "required value is missing"
                        yield Reject(LoadError(str(path), line, "author_id", reason))
                        continue
                    handle = row.get("author") or author_id
                    self._names[author_id] = handle
                    self._handles.setdefault(handle.lower(), author_id)
        except (csv.Error, *_READ_ERRORS) as exc:
            raise LoadError(str(path), start, "row", str(exc)) from exc

    def _author_of(self, author_id: str, name: str, external: str) -> tuple[str, str]:
        """``(author id, handle)``: by ``author_id``, else FiveThirtyEight's ``author``."""
        if author_id:
            return author_id, self._names.get(author_id, author_id)
        if name:
            known = self._handles.get(name.lower())
            return (known, self._names[known]) if known else (name, name)
        return external, external

    def _target(self, handle: str) -> str:
        lower = handle.lower()
        return self._handles.get(lower) or f"@{lower}"

    def _tweet(
        self,
        line: int,
        layout: _Layout,
        values: list[str],
        authors: dict[str, _Author],
        emitted: set[str],
    ) -> Iterator[Record]:
        if len(values) != layout.width:
            yield self.reject(line, "row", f"expected {layout.width} values, found {len(values)}")
            return
        values.append("")  # what ``pick`` returns for an absent column
        fields: tuple[str, ...] = layout.pick(values)
        author_id, name, external, text, published, followers_text, language, tweet_id = fields
        author_id, handle = self._author_of(author_id.strip(), name.strip(), external.strip())
        if not author_id:
            yield self.reject(line, layout.author_field, "required value is missing")
            return
        try:
            created_at = parse_publish_date(published)
        except ValueError:
            yield self.reject(line, "publish_date", f"not a date: {published!r}")
            return
        followers = _count(followers_text)
        author = authors.get(author_id)
        if author is None:
            authors[author_id] = _Author(handle, followers, created_at, followers)
            emitted.add(author_id)
            yield UserRow(author_id, handle, followers=followers)
        elif followers is not None and (
            author.latest_followers is None or created_at >= author.latest_at
        ):
            author.latest_at, author.latest_followers = created_at, followers
        tweet_id = tweet_id.strip()
        post_id = (
            tweet_id
            if tweet_id.isascii() and tweet_id.isdigit()
            else derived_id(author_id, str(created_at), text)
        )
        lang = language_code(language.strip())
        topics = topics_of("", text) if "#" in text else ()
        yield PostRow(post_id, author_id, created_at, text, topics, lang)
        if "@" not in text:
            return
        retweeted = _RETWEET_PREFIX.match(text)
        source = self._target(retweeted.group(1)) if retweeted else None
        targets: dict[str, str] = {}  # target id -> the handle as first written
        for mentioned in MENTION.findall(text):
            targets.setdefault(self._target(mentioned), mentioned)
        for target_id, written in targets.items():
            if target_id not in emitted:
                emitted.add(target_id)
                yield UserRow(target_id, self._names.get(target_id, written))
            kind = "retweet" if target_id == source else "mention"
            event_id = f"{post_id}:{kind}:{target_id}"
            yield AmplificationRow(event_id, author_id, target_id, kind, created_at, post_id)


def _count(value: str) -> int | None:
    """A follower count, or None when absent or not a plain non-negative integer."""
    text = value.strip()
    return int(text) if text.isascii() and text.isdigit() else None
