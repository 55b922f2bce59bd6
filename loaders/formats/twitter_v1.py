"""Twitter API v1.1 JSON lines: one tweet per line, as the streaming API or twarc1 wrote them.

Ids are always the ``*_id_str`` strings, never the numeric ``id`` (which JavaScript tools
have rounded). What comes out of one line:

- the author (``user``) and, unless the tweet is a retweet, its post: text from
  ``extended_tweet.full_text``, ``full_text`` or ``text``, topics from the hashtags of
  ``extended_tweet.entities`` or ``entities``, lower-cased;
- ``retweeted_status`` -> a retweet of that tweet's author, and the original's user and post;
  a retweet makes nothing else (its quote, reply fields and mentions are the original's);
- ``quoted_status`` -> a quote, and the quoted user and post; ``quoted_status_id_str``
  without the status is rejected (field ``quoted_status``: the author is unknown);
- ``in_reply_to_user_id_str`` -> a reply (post ``in_reply_to_status_id_str`` when set), and a
  user with handle ``in_reply_to_screen_name`` unless this file already gave her full profile
  (which the handle-only row would overwrite in the store);
- ``entities.user_mentions`` -> mentions, except the replied-to user when the reply made an
  amplification. A mention without ``id_str`` uses ``@{screen_name lower-cased}``.

Amplification ids are ``{tweet}:{kind}:{referenced}`` (``referenced`` is the tweet, or for a
reply without a status the user) and ``{tweet}:mention:{user}``. Stream control messages
(``delete``, ``limit``, ...) are counted as rows read and otherwise skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

from graph.models import AmplificationRow, PostRow, UserRow
from loaders.formats.twitter_common import (
    POST_URL,
    Problem,
    as_dict,
    as_list,
    count,
    head_object,
    identifier,
    iso_millis,
    json_values,
    looks_v1_time,
    profile_url,
    required_id,
    text_of,
    topics,
    v1_millis,
)
from loaders.records import Reader, Record, Reject

#: Lines of the streaming API that are not tweets.
CONTROL = frozenset(
    {"delete", "limit", "scrub_geo", "status_withheld", "user_withheld", "warning", "disconnect"}
)
#: ``act(kind, author, post, referenced)``: an amplification by the tweet being read.
Act = Callable[[str, str, str, str], AmplificationRow]


def created_millis(tweet: dict[str, Any], where: str) -> int:
    """``created_at`` (v1.1 form, or ISO-8601 as some converters write), else ``timestamp_ms``."""
    value = tweet.get("created_at")
    if value is None or value == "":
        stamp = tweet.get("timestamp_ms")
        if isinstance(stamp, str) and stamp.isascii() and stamp.isdigit():
            return int(stamp)
        raise Problem(where + "created_at", "required value is missing")
    if isinstance(value, str):
        for parse in (v1_millis, iso_millis):
            try:
                return parse(value)
            except (ValueError, OverflowError):
                continue
    raise Problem(where + "created_at", f"not a v1.1 timestamp: {value!r:.60}")


def user_row(user: dict[str, Any], where: str) -> UserRow:
    """A v1.1 user object; ``id_str`` and ``screen_name`` are required."""
    return UserRow(
        id=required_id(user, "id_str", where),
        handle=required_id(user, "screen_name", where),
        name=text_of(user.get("name")),
        followers=count(user.get("followers_count")),
        bio=text_of(user.get("description")),
        url=profile_url(user),
    )


class TwitterV1Reader(Reader):
    """Twitter API v1.1 tweets, one per line, optionally gzipped."""

    format: ClassVar[str] = "twitter-v1"

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        #: Ids of users this file gave in full, so a handle-only row never overwrites them.
        self._profiles: set[str] = set()

    def records(self) -> Iterator[Record]:
        for entry in json_values(self):
            if isinstance(entry, Reject):
                yield entry
                continue
            self.line = entry.line
            if isinstance(entry.value, list):
                for index, value in enumerate(entry.value):
                    yield from self._value(entry.line, value, f"[{index}].")
            else:
                yield from self._value(entry.line, entry.value, "")

    def _value(self, line: int, value: object, where: str) -> Iterator[Record]:
        if not isinstance(value, dict):
            yield self.reject(line, where.rstrip(".") or "line", "not a JSON object")
        elif not (CONTROL & value.keys()) or "id_str" in value:
            yield from self._tweet(line, value, where)

    def _status(self, line: int, status: dict[str, Any], where: str) -> Iterator[Record]:
        """The author and post of a tweet; ``Problem`` when id, author or time is unusable."""
        tweet_id = required_id(status, "id_str", where)
        user = status.get("user")
        if not isinstance(user, dict):
            raise Problem(where + "user", "required value is missing")
        author_id = required_id(user, "id_str", where + "user.")
        created = created_millis(status, where)
        try:
            yield user_row(user, where + "user.")
            self._profiles.add(author_id)
        except Problem as problem:
            yield self.reject(line, problem.field, problem.reason)
        if isinstance(status.get("retweeted_status"), dict):
            return
        extended = as_dict(status.get("extended_tweet"))
        text = extended.get("full_text") or status.get("full_text") or status.get("text")
        entities = as_dict(extended.get("entities") or status.get("entities"))
        yield PostRow(
            id=tweet_id,
            author_id=author_id,
            created_at=created,
            text=text_of(text),
            topics=topics(entities, "text"),
            lang=text_of(status.get("lang")),
            url=POST_URL.format(tweet_id),
        )

    def _tweet(self, line: int, tweet: dict[str, Any], where: str) -> Iterator[Record]:
        try:
            tweet_id = required_id(tweet, "id_str", where)
            amplifier = required_id(as_dict(tweet.get("user")), "id_str", where + "user.")
            created = created_millis(tweet, where)
            yield from self._status(line, tweet, where)
        except Problem as problem:
            yield self.reject(line, problem.field, problem.reason)
            return

        def act(kind: str, author: str, post: str, referenced: str) -> AmplificationRow:
            return AmplificationRow(
                f"{tweet_id}:{kind}:{referenced}", amplifier, author, kind, created, post
            )

        original = tweet.get("retweeted_status")
        if isinstance(original, dict):
            yield from self._embedded(line, original, where + "retweeted_status", "retweet", act)
            return
        quoted = tweet.get("quoted_status")
        if isinstance(quoted, dict):
            yield from self._embedded(line, quoted, where + "quoted_status", "quote", act)
        elif identifier(tweet.get("quoted_status_id_str")) is not None:
            yield self.reject(line, where + "quoted_status", "referenced tweet's author unknown")
        replied = identifier(tweet.get("in_reply_to_user_id_str"))
        status = identifier(tweet.get("in_reply_to_status_id_str"))
        if replied is not None:
            handle = identifier(tweet.get("in_reply_to_screen_name"))
            if handle is not None and replied not in self._profiles:
                yield UserRow(id=replied, handle=handle)
            yield act("reply", replied, status or "", status or replied)
        elif status is not None:
            yield self.reject(
                line, where + "in_reply_to_user_id_str", "referenced tweet's author unknown"
            )
        extended = as_dict(tweet.get("extended_tweet"))
        entities = as_dict(extended.get("entities") or tweet.get("entities"))
        seen = {replied}
        for index, mention in enumerate(as_list(entities.get("user_mentions"))):
            mention = as_dict(mention)
            handle = text_of(mention.get("screen_name")).strip().lstrip("@")
            user_id = identifier(mention.get("id_str")) or (
                f"@{handle.lower()}" if handle else None
            )
            if user_id is None:
                path = f"{where}entities.user_mentions[{index}]"
                yield self.reject(line, path, "a mention needs id_str or screen_name")
            elif user_id not in seen:
                seen.add(user_id)
                if user_id.startswith("@"):
                    yield UserRow(id=user_id, handle=handle)
                yield act("mention", user_id, "", user_id)

    def _embedded(
        self, line: int, status: dict[str, Any], where: str, kind: str, act: Act
    ) -> Iterator[Record]:
        """The original's user and post, and the amplification of it."""
        try:
            ref_id = required_id(status, "id_str", where + ".")
            author = required_id(as_dict(status.get("user")), "id_str", where + ".user.")
        except Problem:
            yield self.reject(line, where, "referenced tweet's author unknown")
            return
        try:
            yield from self._status(line, status, where + ".")
        except Problem as problem:
            yield self.reject(line, problem.field, problem.reason)
        yield act(kind, author, ref_id, ref_id)

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        """The first object has a ``user`` with ``screen_name`` or ``id_str``, or (when the
        user lies beyond the first KiB) ``id_str`` and a v1.1 ``created_at``."""
        first = head_object(head)
        if first is None or "data" in first:
            return False
        user = first.get("user")
        if isinstance(user, dict) and {"screen_name", "id_str"} & user.keys():
            return True
        return "id_str" in first and looks_v1_time(first.get("created_at"))
