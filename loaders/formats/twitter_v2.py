"""Twitter/X API v2 JSON, as twarc2 and the academic API write it.

Three shapes, told apart per value: a response page ``{"data": [...], "includes": {...}}``
(twarc2's default, one per line), one tweet per line (plain, or ``twarc2 flatten`` output with
``author`` and ``referenced_tweets[].tweet`` expanded), or one pretty-printed page as a ``.json``
document. A top-level array of pages or tweets is read element by element.

What comes out:

- users from ``includes.users`` and expanded ``author`` / ``in_reply_to_user`` objects;
- posts from ``data`` and ``includes.tweets`` (once when in both), except retweets (a
  retweet is an act of amplification, not a post of the retweeter; its text and hashtags are
  the original's);
- amplifications only from ``data`` tweets (included tweets are context): ``retweeted`` ->
  retweet, ``quoted`` -> quote, ``replied_to`` -> reply, id ``{tweet}:{kind}:{referenced}``;
  and ``entities.mentions`` -> mention, id ``{tweet}:mention:{user}``, except on retweets and
  except the replied-to user when the reply made an amplification;
- a mention whose user has no id (none in the mention, none among the page's users) makes a
  user with id ``@{username lower-cased}`` and that handle, so mentions of her still connect.

Reject fields are paths into the line's value: ``created_at`` for a tweet per line,
``data[3].created_at`` in a page, ``data[0].referenced_tweets[1]`` for one reference.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from graph.models import AmplificationRow, PostRow, UserRow
from loaders.formats.twitter_common import (
    POST_URL,
    Entry,
    Problem,
    as_dict,
    as_list,
    count,
    head_object,
    identifier,
    iso_millis,
    json_values,
    profile_url,
    required_id,
    text_of,
    topics,
)
from loaders.records import Reader, Record, Reject

KINDS: dict[str, str] = {"retweeted": "retweet", "quoted": "quote", "replied_to": "reply"}
#: Keys only a v2 tweet has (a v1.1 tweet has ``id_str`` and ``user`` instead).
TWEET_MARKERS = frozenset(
    {"edit_history_tweet_ids", "public_metrics", "conversation_id", "referenced_tweets"}
)
_PAGE_KEYS = frozenset({"includes", "meta", "errors", "__twarc"})


@dataclass(slots=True)
class _Page:
    """What one value (a page, or a tweet with its expansions) tells about the others."""

    authors: dict[str, str] = field(default_factory=dict)  # tweet id -> author id
    users: dict[str, str] = field(default_factory=dict)  # lower-cased username -> user id


def user_row(user: dict[str, Any], where: str) -> UserRow:
    """A v2 user object; ``id`` and ``username`` are required."""
    return UserRow(
        id=required_id(user, "id", where),
        handle=required_id(user, "username", where),
        name=text_of(user.get("name")),
        followers=count(as_dict(user.get("public_metrics")).get("followers_count")),
        bio=text_of(user.get("description")),
        url=profile_url(user),
    )


def _essentials(tweet: dict[str, Any], where: str) -> tuple[str, str, int]:
    """Id, author id and time in epoch ms, without which a tweet is rejected."""
    tweet_id = required_id(tweet, "id", where)
    expanded = identifier(as_dict(tweet.get("author")).get("id"))  # twarc2 flatten
    author_id = (
        identifier(tweet.get("author_id")) or expanded or required_id(tweet, "author_id", where)
    )
    value = tweet.get("created_at")
    if not isinstance(value, str) or not value:
        raise Problem(where + "created_at", "required value is missing")
    try:
        created = iso_millis(value)
    except (ValueError, OverflowError):
        reason = f"not an ISO-8601 timestamp with a zone: {value!r:.60}"
        raise Problem(where + "created_at", reason) from None
    return tweet_id, author_id, created


def _learn_author(known: _Page, tweet: object, tweet_id: object) -> None:
    ref_id, author = identifier(tweet_id), identifier(as_dict(tweet).get("author_id"))
    if ref_id is not None and author is not None:
        known.authors.setdefault(ref_id, author)


def _is_tweet(value: object) -> bool:
    item = as_dict(value)
    return "id_str" not in item and bool(
        {"author_id", "edit_history_tweet_ids", "text"} & item.keys()
    )


@dataclass(frozen=True, slots=True)
class _Act:
    """The amplifying tweet: where its rejects point, and who did it when."""

    line: int
    where: str
    tweet_id: str
    author_id: str
    created: int


class TwitterV2Reader(Reader):
    """Twitter API v2 pages or tweets, JSON lines (or one document), optionally gzipped."""

    format: ClassVar[str] = "twitter-v2"

    def records(self) -> Iterator[Record]:
        for entry in json_values(self):
            if isinstance(entry, Reject):
                yield entry
                continue
            self.line = entry.line
            if isinstance(entry.value, list):
                for index, item in enumerate(entry.value):
                    yield from self._value(entry, item, f"[{index}].")
            else:
                yield from self._value(entry, entry.value, "")

    def _value(self, entry: Entry, value: object, where: str) -> Iterator[Record]:
        if not isinstance(value, dict):
            yield self.reject(entry.line, where.rstrip(".") or "line", "not a JSON object")
        elif "data" in value or (_PAGE_KEYS & value.keys() and "id" not in value):
            yield from self._page(entry.line, value, where)
        else:
            yield from self._tweet(entry.line, value, where, _Page(), amplify=True)

    def _page(self, line: int, page: dict[str, Any], where: str) -> Iterator[Record]:
        includes = as_dict(page.get("includes"))
        known = _Page()
        for index, user in enumerate(as_list(includes.get("users"))):
            row = self._user(line, user, f"{where}includes.users[{index}].")
            yield row
            if isinstance(row, UserRow):
                known.users[row.handle.lower()] = row.id
        included = as_list(includes.get("tweets"))
        for tweet in included:
            _learn_author(known, tweet, as_dict(tweet).get("id"))
        data = page.get("data")
        if isinstance(data, list):
            for index, tweet in enumerate(data):
                yield from self._tweet(line, tweet, f"{where}data[{index}].", known, amplify=True)
        elif data is not None:
            yield from self._tweet(line, data, f"{where}data.", known, amplify=True)
        tweets = data if isinstance(data, list) else [data]
        posted = {identifier(as_dict(tweet).get("id")) for tweet in tweets}
        for index, tweet in enumerate(included):
            if identifier(as_dict(tweet).get("id")) not in posted:
                path = f"{where}includes.tweets[{index}]."
                yield from self._tweet(line, tweet, path, known, amplify=False)

    def _user(self, line: int, user: object, where: str) -> UserRow | Reject:
        if not isinstance(user, dict):
            return self.reject(line, where.rstrip("."), "not a JSON object")
        try:
            return user_row(user, where)
        except Problem as problem:
            return self.reject(line, problem.field, problem.reason)

    def _tweet(
        self, line: int, tweet: object, where: str, known: _Page, *, amplify: bool
    ) -> Iterator[Record]:
        if not isinstance(tweet, dict):
            yield self.reject(line, where.rstrip(".") or "line", "not a JSON object")
            return
        try:
            act = _Act(line, where, *_essentials(tweet, where))
        except Problem as problem:
            yield self.reject(line, problem.field, problem.reason)
            return
        for key in ("author", "in_reply_to_user"):
            if isinstance(tweet.get(key), dict):
                yield self._user(line, tweet[key], f"{where}{key}.")
        refs = tweet.get("referenced_tweets")
        for index, ref in enumerate(as_list(refs)):
            embedded = as_dict(ref).get("tweet")
            if isinstance(embedded, dict):
                path = f"{where}referenced_tweets[{index}].tweet."
                yield from self._tweet(line, embedded, path, known, amplify=False)
                _learn_author(known, embedded, ref.get("id"))
        retweet = any(as_dict(ref).get("type") == "retweeted" for ref in as_list(refs))
        entities = as_dict(tweet.get("entities"))
        if not retweet:
            yield PostRow(
                id=act.tweet_id,
                author_id=act.author_id,
                created_at=act.created,
                text=text_of(tweet.get("text")),
                topics=topics(entities, "tag"),
                lang=text_of(tweet.get("lang")),
                url=POST_URL.format(act.tweet_id),
            )
        if amplify:
            replied = yield from self._references(act, tweet, known)
            if not retweet:
                yield from self._mentions(act, entities, known, replied)

    def _references(
        self, act: _Act, tweet: dict[str, Any], known: _Page
    ) -> Generator[Record, None, str | None]:
        """Retweet, quote and reply amplifications; returns the replied-to user, if any."""
        replied: str | None = None
        refs = tweet.get("referenced_tweets")
        if refs is not None and not isinstance(refs, list):
            yield self.reject(act.line, act.where + "referenced_tweets", "not a JSON array")
        for index, ref in enumerate(as_list(refs)):
            path = f"{act.where}referenced_tweets[{index}]"
            ref = as_dict(ref)
            kind = KINDS.get(ref["type"]) if isinstance(ref.get("type"), str) else None
            if kind is None:
                yield self.reject(act.line, path + ".type", f"unknown type {ref.get('type')!r:.40}")
                continue
            ref_id = identifier(ref.get("id"))
            if ref_id is None:
                yield self.reject(act.line, path + ".id", "required value is missing")
                continue
            target = known.authors.get(ref_id)
            if target is None and kind == "reply":
                target = identifier(tweet.get("in_reply_to_user_id"))
            if target is None:
                yield self.reject(act.line, path, "referenced tweet's author unknown")
                continue
            if kind == "reply":
                replied = target
            yield AmplificationRow(
                f"{act.tweet_id}:{kind}:{ref_id}", act.author_id, target, kind, act.created, ref_id
            )
        return replied

    def _mentions(
        self, act: _Act, entities: dict[str, Any], known: _Page, replied: str | None
    ) -> Iterator[Record]:
        seen = {replied} if replied is not None else set()
        for index, mention in enumerate(as_list(entities.get("mentions"))):
            username = text_of(as_dict(mention).get("username")).strip().lstrip("@")
            user_id = identifier(as_dict(mention).get("id")) or known.users.get(username.lower())
            if user_id is None:
                if not username:
                    path = f"{act.where}entities.mentions[{index}]"
                    yield self.reject(act.line, path, "a mention needs an id or a username")
                    continue
                user_id = f"@{username.lower()}"
                if user_id not in seen:
                    yield UserRow(id=user_id, handle=username)
            if user_id in seen:
                continue
            seen.add(user_id)
            yield AmplificationRow(
                f"{act.tweet_id}:mention:{user_id}", act.author_id, user_id, "mention", act.created
            )

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        """A v2 page or tweet, from the first object (JSON lines or a pretty-printed document).

        - a page: ``data`` whose first item looks like a tweet (``author_id``,
          ``edit_history_tweet_ids`` or ``text``, and no ``id_str``), or, when that item is cut
          off, ``data`` with ``includes``;
        - a tweet: no ``id_str`` or ``user`` (those are v1.1), and ``edit_history_tweet_ids``,
          or an expanded ``author`` with a ``username`` (``twarc2 flatten``), or ``author_id``
          with one of ``public_metrics``, ``conversation_id``, ``referenced_tweets``.
        """
        first = head_object(head)
        if first is None:
            return False
        if "data" in first:
            data = first["data"]
            item = as_dict(data[0] if isinstance(data, list) and data else data)
            return _is_tweet(item) if item else "includes" in first
        if "id_str" in first or "user" in first:
            return False
        if "edit_history_tweet_ids" in first or "username" in as_dict(first.get("author")):
            return True
        return "author_id" in first and bool(TWEET_MARKERS & first.keys())
