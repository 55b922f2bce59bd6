"""FalkorDB's bulk path: ``GRAPH.BULK`` builds a new graph from packed binary tokens.

The format is the one ``falkordb-bulk-loader`` sends: ``GRAPH.BULK <graph> [BEGIN] <nodes>
<relations> <label tokens> <type tokens> <token>...``. A token is a header (the label or type,
NUL-terminated, a uint32 property count, the property names, NUL-terminated) followed by its
entities; a node is its packed properties, a relationship two uint64 node numbers and then its
properties. Nodes are numbered 0, 1, 2... in the order the server receives them, over all calls.
Each property is a type byte and a value: 0 null, 1 bool, 2 double, 3 NUL-terminated UTF-8
string, 4 int64.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

Value = str | int | float | bool | None
_NULL = b"\x00"
_TRUE = struct.pack("=B?", 1, True)
_FALSE = struct.pack("=B?", 1, False)
_LONG = struct.Struct("=Bq")
_DOUBLE = struct.Struct("=Bd")
_ENDPOINTS = struct.Struct("=QQ")
#: Bytes per GRAPH.BULK call before it is sent (the bulk loader's default is 64 MB).
CALL_BYTES = 32 << 20


def pack_value(value: Value) -> bytes:
    """One property as the bulk format wants it; empty text is null, as the bulk loader has it.

    >>> pack_value(None), pack_value(""), pack_value("é"), pack_value(True), pack_value(7)[:1]
    (b'\\x00', b'\\x00', b'\\x03\\xc3\\xa9\\x00', b'\\x01\\x01', b'\\x04')
    """
    if value is None or value == "":
        return _NULL
    if isinstance(value, bool):
        return _TRUE if value else _FALSE
    if isinstance(value, int):
        return _LONG.pack(4, value)
    if isinstance(value, float):
        return _DOUBLE.pack(2, value)
    return b"\x03" + value.replace("\x00", "").encode() + b"\x00"


def pack_relation(source: int, target: int, values: Sequence[Value]) -> bytes:
    """A relationship between node numbers ``source`` and ``target``, with its properties."""
    return _ENDPOINTS.pack(source, target) + b"".join(map(pack_value, values))


def pack_header(name: str, properties: Sequence[str]) -> bytes:
    parts = [name.encode() + b"\x00", struct.pack("=I", len(properties))]
    parts += [prop.encode() + b"\x00" for prop in properties]
    return b"".join(parts)


@dataclass
class _Token:
    header: bytes
    entities: list[bytes] = field(default_factory=list)
    size: int = 0


class BulkBuilder:
    """Packs nodes and relationships and sends them in ``GRAPH.BULK`` calls of bounded size.

    Nodes are numbered in the order they are sent, so give all nodes of one label before the
    next label, and every node before any relationship: ``node`` for all nodes, then
    ``relation``; ``finish`` sends what is left.
    """

    def __init__(self, send: Callable[[list[bytes | int | str]], None]) -> None:
        self._send = send
        self._headers: dict[str, bytes] = {}
        self._labels: dict[str, _Token] = {}
        self._types: dict[str, _Token] = {}
        self._nodes = 0
        self._relations = 0
        self._bytes = 0
        self._begun = False
        self.nodes_sent = 0
        self.relations_sent = 0

    def declare(self, name: str, properties: Sequence[str]) -> None:
        """Name the properties of a label or relationship type, in the order values come."""
        self._headers[name] = pack_header(name, properties)

    def node(self, label: str, values: Sequence[Value]) -> None:
        self.packed_node(label, b"".join(map(pack_value, values)))

    def packed_node(self, label: str, packed: bytes) -> None:
        """A node whose properties were packed earlier with :func:`pack_value`."""
        self._add(self._labels, label, packed)
        self._nodes += 1

    def relation(self, kind: str, source: int, target: int, values: Sequence[Value]) -> None:
        self.packed_relation(kind, pack_relation(source, target, values))

    def packed_relation(self, kind: str, packed: bytes) -> None:
        """A relationship packed earlier with :func:`pack_relation`."""
        self._add(self._types, kind, packed)
        self._relations += 1

    def _add(self, tokens: dict[str, _Token], name: str, packed: bytes) -> None:
        token = tokens.get(name)
        if token is None:
            token = tokens[name] = _Token(self._headers[name])
        token.entities.append(packed)
        token.size += len(packed)
        self._bytes += len(packed)
        if self._bytes >= CALL_BYTES:
            self.flush()

    def flush(self) -> None:
        if not self._nodes and not self._relations:
            return
        labels = [t.header + b"".join(t.entities) for t in self._labels.values() if t.entities]
        kinds = [t.header + b"".join(t.entities) for t in self._types.values() if t.entities]
        arguments: list[bytes | int | str] = [] if self._begun else ["BEGIN"]
        arguments += [self._nodes, self._relations, len(labels), len(kinds), *labels, *kinds]
        self._send(arguments)
        self._begun = True
        self.nodes_sent += self._nodes
        self.relations_sent += self._relations
        self._labels.clear()
        self._types.clear()
        self._nodes = self._relations = self._bytes = 0

    def finish(self) -> None:
        self.flush()
