"""Length bounds on every value that reaches a unique constraint or an index, checked at the door.

FalkorDB dies (SIGSEGV in ``falkordb.so(EnforceUniqueEntity)``, the unique-constraint check)
when a value of more than 4,096 bytes reaches a unique ``id``: a ``User.id``, ``Post.id`` or
topic (hashtag) of 4,097 bytes, or 2,049 ``é``; a record written by ``GRAPH.BULK`` kills the
server again at every start. So every record a reader yields goes through :func:`bounded`
before the batched path or the bulk path sees it, and a record holding a longer value becomes a
reject (``file:line: field: reason``), like any other row that breaks the rules.

The bounds, in bytes of UTF-8, far below the 4 KiB that crashes and far above real data:

* ``MAX_KEY_BYTES`` (200): user and post ids (also an amplification's ``amplifier_id``,
  ``author_id``, ``post_id``, which become placeholder users or name a post), handles and
  hashtags. Twitter ids are at most 20 digits and handles 15 characters; Bluesky DIDs are 32
  bytes, ActivityPub URLs rarely 120. The API takes at most 200 characters wherever it names a
  user or a topic, so everything that loads can be addressed.
* ``MAX_EVENT_ID_BYTES`` (1,024): an amplification's ``id`` (a range index, not unique), which
  formats compose from up to three ids (``tweet:kind:user``, ``child>parent#tweet``).

Names and bios (full-text indexed) are not bounded here: FalkorDB took a 1 MB bio and a
100 KB one-word name; the 16 MiB record bound (``loaders.bounded_lines``) holds them.
"""

from __future__ import annotations

from collections.abc import Iterator

from graph.errors import LoadError
from graph.models import AmplificationRow, PostRow, UserRow
from loaders.records import Reader, Record, Reject

MAX_KEY_BYTES = 200
MAX_EVENT_ID_BYTES = 1024
_EXCERPT = 24


def utf8_size(value: str) -> int:
    """Bytes of ``value`` in UTF-8 (a lone surrogate counts its three bytes).

    >>> utf8_size("abc"), utf8_size("é"), utf8_size("\\ud800")
    (3, 2, 3)
    """
    return len(value.encode("utf-8", "surrogatepass"))


def _too_long(value: str, limit: int) -> bool:
    if len(value) * 4 <= limit:  # the common case, without encoding anything
        return False
    return len(value) > limit or utf8_size(value) > limit


def _reason(what: str, value: str, limit: int) -> str:
    excerpt = value[:_EXCERPT] + ("…" if len(value) > _EXCERPT else "")
    return (
        f"{what} {excerpt!r} is {utf8_size(value):,} bytes of UTF-8, longer than the "
        f"{limit:,} bytes allowed"
    )


def key_problem(record: UserRow | PostRow | AmplificationRow) -> tuple[str, str] | None:
    """``(field, reason)`` for the first value of ``record`` beyond its bound, else None.

    >>> key_problem(UserRow(id="1", handle="ada"))
    >>> key_problem(PostRow(id="p", author_id="1", created_at=0, topics=("x" * 201,)))[0]
    'hashtags'
    """
    checks: list[tuple[str, str, str, int]]
    if isinstance(record, UserRow):
        checks = [("id", "id", record.id, MAX_KEY_BYTES)]
        checks.append(("handle", "handle", record.handle, MAX_KEY_BYTES))
    elif isinstance(record, PostRow):
        checks = [("id", "id", record.id, MAX_KEY_BYTES)]
        checks.append(("author_id", "user id", record.author_id, MAX_KEY_BYTES))
        checks += [("hashtags", "hashtag", topic, MAX_KEY_BYTES) for topic in record.topics]
    else:
        checks = [("id", "id", record.id, MAX_EVENT_ID_BYTES)]
        checks.append(("amplifier_id", "user id", record.amplifier_id, MAX_KEY_BYTES))
        checks.append(("author_id", "user id", record.author_id, MAX_KEY_BYTES))
        checks.append(("post_id", "post id", record.post_id, MAX_KEY_BYTES))
    for field, what, value, limit in checks:
        if _too_long(value, limit):
            return field, _reason(what, value, limit)
    return None


def bounded(reader: Reader) -> Iterator[Record]:
    """``reader``'s records, with every record holding a value beyond its bound made a reject
    naming the reader's current file and line."""
    for record in reader.records():
        if not isinstance(record, Reject):
            problem = key_problem(record)
            if problem is not None:
                field, reason = problem
                record = Reject(LoadError(str(reader.current_path), reader.line, field, reason))
        yield record
