"""GEXF files (Gephi; 1.1draft, 1.2draft, 1.2 and 1.3 namespaces): nodes -> users, edges -> events.

The mapping and the XML safety rules are ``GraphFileReader``'s (``loaders.formats.graphml``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from loaders.formats.graphml import GraphElement, GraphFileReader, normal, xml_events
from loaders.records import Record

_STRUCTURAL = {"id", "source", "target", "pid"}


class GexfReader(GraphFileReader):
    """GEXF: a node's ``label`` and an edge's ``weight``, ``kind``, ``start`` and ``label`` XML
    attributes are values, as are ``<attvalue for>`` entries, named by the ``title`` of their
    ``<attributes class="node|edge">`` declaration (GEXF 1.0's ``id`` too) and defaulting to its
    ``<default>``; attvalues override XML attributes. An edge without ``start`` takes its first
    ``<spell start>``. The edge's ``type`` (directed / undirected / mutual) does not change how
    it is read: source -> target as written.
    """

    format: ClassVar[str] = "gexf"

    def records(self) -> Iterator[Record]:
        titles: dict[str, dict[str, str]] = {"node": {}, "edge": {}}
        defaults: dict[str, dict[str, str]] = {"node": {}, "edge": {}}
        group, attribute = "node", ""
        stack: list[GraphElement] = []
        edges = 0
        for event in xml_events(self):
            tag = event.tag
            if event.start:
                if tag in ("node", "edge"):
                    element = GraphElement(tag, event.line, event.attrs, dict(defaults[tag]))
                    for name, value in event.attrs.items():
                        if name not in _STRUCTURAL:
                            self.put(element, normal(name), value)
                    self.push(stack, element)
                elif tag == "attributes":
                    group = event.attrs.get("class", "node")
                elif tag == "attribute":
                    attribute = event.attrs.get("id", "")
                    title = event.attrs.get("title") or attribute
                    titles.setdefault(group, {})[attribute] = normal(title)
                elif tag == "attvalue" and stack:
                    ref = event.attrs.get("for") or event.attrs.get("id", "")
                    name = titles[stack[-1].tag].get(ref) or normal(ref)
                    self.put(stack[-1], name, event.attrs.get("value", ""))
                elif tag == "spell" and stack and "start" in event.attrs:
                    stack[-1].values.setdefault("start", event.attrs["start"])
            elif tag == "default" and attribute and group in defaults:
                defaults[group][titles[group][attribute]] = event.text
            elif tag == "attribute":
                attribute = ""
            elif tag == "node" and stack:
                yield self.user(stack.pop())
            elif tag == "edge" and stack:
                yield from self.amplifications(stack.pop(), edges)
                edges += 1

    @classmethod
    def sniff(cls, path: Path, head: bytes) -> bool:
        return b"<gexf" in head.replace(b"\x00", b"")
