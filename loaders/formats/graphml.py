"""GraphML files (Gephi, NodeXL, networkx, yEd exports), and the XML reading GEXF shares.

Nodes become users, edges amplification events; see ``GraphFileReader`` for the mapping.

Safety: the file goes through expat (the parser under ``xml.etree``) chunk by chunk, so memory
holds one node or edge at a time, never the tree; an element's text is kept up to ``MAX_LINE``
characters, and a tag (attributes included), comment or other markup that runs past
``loaders.bounded_lines.MAX_LINE_CHARS`` bytes without expat reporting anything ends the read
with a ``LoadError``, as do values over that many characters in one node or edge and nodes
nested more than ``MAX_DEPTH`` deep. Any ``<!ENTITY`` declaration ends the read with
a ``LoadError`` before it can be expanded (billion laughs, quadratic blowup), external entities
and DTDs are never fetched, and expat >= 2.4 caps entity amplification as a second line. The
parser is driven directly rather than through ``ElementTree.iterparse`` because only expat offers
the entity hooks and the line numbers that rejects report.

>>> parse_time("2012-07-04T09:00:00Z"), parse_time("1341392400")
(1341392400000, 1341392400000)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, NamedTuple
from xml.parsers import expat

from graph.errors import LoadError
from graph.models import AmplificationRow, UserRow
from loaders import bounded_lines
from loaders.bounded_lines import describe
from loaders.formats.edgelist import (
    MAX_LINE,
    READ_ERRORS,
    Direction,
    check_options,
    checked_ms,
    default_timestamp,
    epoch_ms,
    events_for_weight,
)
from loaders.records import Reader, Record

_KINDS = {
    "retweet": ("retweet", "retweets", "retweeted", "rt", "repost", "reblog", "boost"),
    "quote": ("quote", "quotes", "quoted", "qt", "quotetweet"),
    "reply": ("reply", "replies", "repliesto", "replyto", "replied", "re"),
    "mention": ("mention", "mentions", "mentioned", "mt", "mentionsinretweet"),
    "share": ("share", "shares", "shared"),
    "like": ("like", "likes", "liked", "favorite", "favourite", "fav"),
}
KIND_ALIASES = {alias: kind for kind, aliases in _KINDS.items() for alias in aliases}
_TIME_NAMES: tuple[str, ...] = ("timestamp", "time", "start", "createdat", "date", "datetime")
_TIME_NAMES += ("relationshipdateutc", "tweetdateutc")
_HANDLE_NAMES = ("handle", "screenname", "username", "label", "name")
#: Nodes and edges open inside one another at most (GraphML's nested graphs).
MAX_DEPTH = 64


def normal(name: str) -> str:
    """Attribute names compared loosely: ``"Followers Count"`` matches ``followers_count``."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


def parse_time(text: str) -> int:
    """Unix seconds or ms, or ISO-8601 (no zone means UTC) -> epoch ms; ValueError otherwise."""
    try:
        number = float(text)
    except ValueError:
        try:
            moment = datetime.fromisoformat(text.strip())
        except (ValueError, OverflowError):
            raise ValueError("not ISO-8601 nor unix seconds or milliseconds") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return checked_ms(math.floor(moment.timestamp() * 1000))
    return epoch_ms(number)


class XmlEvent(NamedTuple):
    """An element opening (``start``) or closing, with local names and its own text."""

    start: bool
    tag: str
    attrs: dict[str, str]
    text: str
    line: int


def _local(name: str) -> str:
    return name.rpartition("}")[2]


def xml_events(reader: Reader) -> Iterator[XmlEvent]:
    """The elements of ``reader``'s file in order, read 16 KiB at a time; LoadError when broken."""
    path = str(reader.path)
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    events: list[XmlEvent] = []
    text: list[str] = []  # an element's own character data, up to MAX_LINE characters

    def start(name: str, attrs: dict[str, str]) -> None:
        text.clear()
        local = {_local(key): value for key, value in attrs.items()}
        events.append(XmlEvent(True, _local(name), local, "", parser.CurrentLineNumber))

    def end(name: str) -> None:
        events.append(XmlEvent(False, _local(name), {}, "".join(text), parser.CurrentLineNumber))
        text.clear()

    def refuse(*_: object) -> int:
        reason = "entity declarations are refused (entity expansion attack)"
        raise LoadError(path, parser.CurrentLineNumber, "xml", reason)

    def characters(data: str) -> None:
        if sum(map(len, text)) < MAX_LINE:
            text.append(data)

    fed = parsed = 0  # bytes given to expat; ``fed`` when it last reported something

    def progress(handler: Callable[..., None]) -> Callable[..., None]:
        def counted(*args: Any) -> None:
            nonlocal parsed
            parsed = fed
            handler(*args)

        return counted

    parser.StartElementHandler = progress(start)
    parser.EndElementHandler = progress(end)
    parser.CharacterDataHandler = progress(characters)
    parser.CommentHandler = progress(lambda _: None)
    parser.ProcessingInstructionHandler = progress(lambda *_: None)
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    try:
        with reader.open_binary() as stream:
            while chunk := stream.read(1 << 14):
                fed += len(chunk)
                parser.Parse(chunk, False)
                yield from events
                events.clear()
                if fed - parsed > bounded_lines.MAX_LINE_CHARS:
                    reason = (
                        f"a tag, comment or other markup longer than "
                        f"{describe(bounded_lines.MAX_LINE_CHARS)} (decompressed), the most one "
                        "may have; the rest of the file is not read"
                    )
                    raise LoadError(path, parser.CurrentLineNumber, "xml", reason)
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        yield from events
        raise LoadError(path, exc.lineno, "xml", str(exc)) from exc
    except READ_ERRORS as exc:
        raise LoadError(path, parser.CurrentLineNumber, "file", f"cannot read: {exc}") from exc
    yield from events


@dataclass(slots=True)
class GraphElement:
    """A node or edge being read: its XML attributes and its values by ``normal`` name."""

    tag: str
    line: int
    xml: dict[str, str]
    values: dict[str, str] = field(default_factory=dict)
    size: int = 0  # characters of the values put in

    def first(self, *names: str) -> str:
        return next((self.values[n].strip() for n in names if self.values.get(n, "").strip()), "")


class GraphFileReader(Reader):
    """Shared options and mapping of GraphML and GEXF: nodes -> users, edges -> events.

    A node's ``id`` is the user id; its handle is the first value named handle, screen_name,
    username, label or name that has no spaces (``@`` dropped), else the id (a value with spaces
    is a display name: NodeXL's ``Name``); name from name / display_name / label; followers from
    followers / followers_count when numeric; is_brand when true/1/yes. An edge runs
    source -> target as written (undirected graphs too), read as amplifier -> author unless
    ``direction="author-amplifier"``. Its kind is the first of kind / type / interaction /
    relationship that names one of ours (``Retweet``, ``Mentions``, ``Replies to`` included),
    else ``kind``; its weight gives ``ceil(w)`` events, at most ``max_events_per_edge``; its time
    is timestamp / time / start / created_at / date (ISO or unix s or ms), else ``timestamp``
    (default: the file's modification time). Event ids are ``f"{amplifier}>{author}@{edge}#{k}"``
    where ``edge`` is the edge's id, else ``e{n}`` for the n-th edge: parallel edges stay apart.
    Users are emitted for declared nodes only; endpoints that are not declared become
    placeholders in the store. ``rows_read`` counts nodes and edges.
    """

    def __init__(
        self,
        path: Path,
        *,
        direction: Direction = "amplifier-author",
        kind: str = "retweet",
        timestamp: int | None = None,
        max_events_per_edge: int = 1000,
    ) -> None:
        super().__init__(path)
        check_options(direction, kind, max_events_per_edge)
        self.direction, self.kind, self.max_events_per_edge = direction, kind, max_events_per_edge
        self.timestamp = default_timestamp(self.path) if timestamp is None else timestamp

    def push(self, stack: list[GraphElement], element: GraphElement) -> None:
        """Open ``element`` inside the ones on ``stack``; at most ``MAX_DEPTH`` deep."""
        if len(stack) >= MAX_DEPTH:
            reason = f"nodes and edges nested more than {MAX_DEPTH} deep"
            raise LoadError(str(self.path), element.line, element.tag, reason)
        stack.append(element)

    def put(self, element: GraphElement, name: str, value: str) -> None:
        """Set a value; together they may not pass ``MAX_LINE_CHARS`` in one node or edge."""
        element.size += len(value)
        if element.size > bounded_lines.MAX_LINE_CHARS:
            limit = describe(bounded_lines.MAX_LINE_CHARS)
            reason = f"values over {limit} in one {element.tag}; the rest of the file is not read"
            raise LoadError(str(self.path), element.line, element.tag, reason)
        element.values[name] = value

    def user(self, node: GraphElement) -> Record:
        self.rows_read, self.line = self.rows_read + 1, node.line
        node_id = node.xml.get("id", "").strip()
        if not node_id:
            return self.reject(node.line, "id", "a node without an id")
        followers: int | None = None
        try:
            count = float(node.first("followers", "followerscount", "followercount"))
            followers = int(count) if math.isfinite(count) and count >= 0 else None
        except ValueError:
            pass
        handles = (node.first(n).lstrip("@") for n in _HANDLE_NAMES)
        return UserRow(
            id=node_id,
            handle=next((h for h in handles if h and not any(c.isspace() for c in h)), node_id),
            name=node.first("name", "displayname", "label"),
            followers=followers,
            bio=node.first("bio", "description"),
            url=node.first("url", "profileurl"),
            is_brand=node.first("isbrand").lower() in ("true", "1", "yes", "y", "t"),
        )

    def amplifications(self, edge: GraphElement, ordinal: int) -> Iterator[Record]:
        self.rows_read, self.line = self.rows_read + 1, edge.line
        source, target = edge.xml.get("source", "").strip(), edge.xml.get("target", "").strip()
        if not source or not target:
            yield self.reject(edge.line, "source" if not source else "target", "missing node id")
            return
        kinds = (KIND_ALIASES.get(normal(edge.first(n))) for n in ("kind", "type", "interaction"))
        kind = next((k for k in kinds if k), None) or KIND_ALIASES.get(
            normal(edge.first("relationship")), self.kind
        )
        weight = edge.first("weight", "count", "edgeweight")
        try:
            events = events_for_weight(weight or "1", cap=self.max_events_per_edge)
        except ValueError:
            yield self.reject(edge.line, "weight", f"not a number > 0: {weight[:40]!r}")
            return
        time = edge.first(*_TIME_NAMES)
        try:
            created_at = parse_time(time) if time else self.timestamp
        except ValueError as exc:
            yield self.reject(edge.line, "timestamp", f"{exc}: {time[:40]!r}")
            return
        amplifier, author = (source, target)
        if self.direction == "author-amplifier":
            amplifier, author = target, source
        key = edge.xml.get("id") or f"e{ordinal}"
        for k in range(events):
            event_id = f"{amplifier}>{author}@{key}#{k}"
            yield AmplificationRow(event_id, amplifier, author, kind, created_at)


class GraphMLReader(GraphFileReader):
    """GraphML: ``<key id attr.name for>`` declarations name the ``<data key>`` values.

    Key defaults apply to every node or edge that lacks the value; nested graphs are flattened.
    """

    format: ClassVar[str] = "graphml"

    def records(self) -> Iterator[Record]:
        names: dict[str, str] = {}
        defaults: dict[str, dict[str, str]] = {"node": {}, "edge": {}}
        key: dict[str, str] = {}
        data_key = ""
        stack: list[GraphElement] = []
        edges = 0
        for event in xml_events(self):
            tag = event.tag
            if event.start:
                if tag in ("node", "edge"):
                    element = GraphElement(tag, event.line, event.attrs, dict(defaults[tag]))
                    self.push(stack, element)
                elif tag == "key":
                    key = event.attrs
                    names[key.get("id", "")] = normal(key.get("attr.name") or key.get("id", ""))
                elif tag == "data":
                    data_key = event.attrs.get("key", "")
            elif tag == "data" and stack:
                self.put(stack[-1], names.get(data_key) or normal(data_key), event.text)
            elif tag == "default" and key:
                for kind in ("node", "edge"):
                    if key.get("for", "all") in (kind, "all"):
                        defaults[kind][names[key.get("id", "")]] = event.text
            elif tag == "key":
                key = {}
            elif tag == "node" and stack:
                yield self.user(stack.pop())
            elif tag == "edge" and stack:
                yield from self.amplifications(stack.pop(), edges)
                edges += 1

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        return b"<graphml" in head.replace(b"\x00", b"")
