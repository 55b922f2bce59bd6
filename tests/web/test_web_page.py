"""The network page: escaping, offline assets, physics switch and node sizing."""

from __future__ import annotations

import html
import json
import math
import random
import re
from typing import Any

import pytest

from graph.models import Influencer, Network, NetworkEdge
from web.appearance import MAX_NODE_SIZE, MIN_NODE_SIZE
from web.network import PHYSICS_NODE_LIMIT, build_network
from web.pages import render_network_page, script_json, static_dir

HOSTILE_HANDLE = "<img src=x onerror=alert(1)>"
HOSTILE_NAME = "Zoë </script><script>alert(1)</script> 日本 🚀"
HOSTILE_BIO = 'Says "quotes" & ampersands\u2028and <b>bold</b> — naïve'
GRAPH_DATA = re.compile(
    r'<script type="application/json" id="graph-data">(?P<json>.*?)</script>', re.DOTALL
)


def influencer(index: int, *, score: float = 1.0, **fields: Any) -> Influencer:
    values: dict[str, Any] = {
        "id": f"u{index}",
        "handle": f"user{index}",
        "name": f"User {index}",
        "rank": index + 1,
        "score": score,
        "pagerank": 0.01,
        "followers": 1000 + index,
        "is_brand": False,
        "amplifiers": index,
        "bio": "",
    }
    values.update(fields)
    return Influencer(**values)


def hostile_network() -> Network:
    nodes = [
        influencer(0, score=9.5, handle=HOSTILE_HANDLE, name=HOSTILE_NAME, bio=HOSTILE_BIO),
        influencer(1, score=4.0, handle="brand&co", name="Brand & Co", is_brand=True),
        influencer(2, score=1.0),
    ]
    edges = [
        NetworkEdge(source="u1", target="u0", events=3, weight=2.5),
        NetworkEdge(source="u2", target="u0", events=1, weight=1.0),
        NetworkEdge(source="u2", target="missing", events=1, weight=1.0),
    ]
    return Network(nodes=nodes, edges=edges)


def chain(size: int) -> Network:
    nodes = [influencer(i, score=float(size - i)) for i in range(size)]
    edges = [
        NetworkEdge(source=f"u{i + 1}", target=f"u{i}", events=1, weight=1.0)
        for i in range(size - 1)
    ]
    return Network(nodes=nodes, edges=edges)


def graph_data(page: str) -> dict[str, Any]:
    blocks = GRAPH_DATA.findall(page)
    assert len(blocks) == 1
    data: dict[str, Any] = json.loads(blocks[0])
    return data


@pytest.fixture(scope="module")
def page() -> str:
    return render_network_page(hostile_network(), title="Test <title> & co")


def test_hostile_text_never_appears_raw(page: str) -> None:
    for raw in (HOSTILE_HANDLE, HOSTILE_NAME, HOSTILE_BIO, "<script>alert(1)", "<b>bold</b>"):
        assert raw not in page
    assert page.count("</script>") == len(re.findall(r"<script\b", page))
    assert "Test &lt;title&gt; &amp; co" in page


def test_table_shows_escaped_text(page: str) -> None:
    table = page[page.index('<table class="ranking">') : page.index("</table>")]
    assert html.escape(HOSTILE_HANDLE, quote=False) in table
    assert html.escape(HOSTILE_NAME, quote=False) in table
    assert "brand&amp;co" in table
    assert "Brand &amp; Co" in table
    assert "日本 🚀" in table


def test_graph_json_round_trips_the_exact_text(page: str) -> None:
    block = GRAPH_DATA.search(page)
    assert block is not None
    assert not set(block["json"]) & {"<", ">", "&", "\u2028", "\u2029"}

    data = graph_data(page)
    nodes = {node["id"]: node for node in data["nodes"]}
    assert nodes["u0"]["label"] == HOSTILE_HANDLE
    assert nodes["u0"]["info"]["name"] == HOSTILE_NAME
    assert nodes["u0"]["info"]["bio"] == HOSTILE_BIO
    assert nodes["u1"]["label"] == "brand&co"
    # The tooltip is plain text: vis-network 9 shows a string title as text, never as HTML.
    assert nodes["u0"]["title"] == (
        f"@{HOSTILE_HANDLE} — {HOSTILE_NAME}\nrank 1 · score 9.5 · 0 amplifiers"
    )
    assert "&lt;" not in nodes["u0"]["title"]


def test_edges_point_from_amplifier_to_author() -> None:
    data = build_network(hostile_network())
    edges = {(edge["from"], edge["to"]): edge for edge in data["edges"]}
    assert set(edges) == {("u1", "u0"), ("u2", "u0")}  # the edge to a missing node is dropped
    assert all(edge["arrows"] == "to" for edge in edges.values())
    assert edges["u1", "u0"]["width"] > edges["u2", "u0"]["width"]


def test_brands_look_different() -> None:
    nodes = {node["id"]: node for node in build_network(hostile_network())["nodes"]}
    assert nodes["u1"]["shape"] != nodes["u2"]["shape"]
    assert nodes["u1"]["color"]["background"] != nodes["u2"]["color"]["background"]


def test_page_is_offline(page: str) -> None:
    assert "http://" not in page
    assert "https://" not in page
    assert not re.search(r'(?:src|href)="//', page)  # nor protocol-relative URLs


def test_every_static_url_exists() -> None:
    page = render_network_page(hostile_network(), title="t")
    urls = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    assert {"/static/network.js", "/static/resonance.css"} <= set(urls)
    assert "/static/vendor/vis-network/vis-network.min.js" in urls
    assert "/static/vendor/vis-network/vis-network.css" in urls
    for url in urls:
        assert (static_dir() / url.removeprefix("/static/")).is_file(), url
    assert (static_dir() / "vendor" / "vis-network" / "LICENSE").is_file()


def test_static_url_and_links_are_configurable() -> None:
    page = render_network_page(
        hostile_network(),
        title="t",
        static_url="assets/",
        csv_url="/export.csv?topic=a&b",
        api_url="/v2/influencers",
    )
    assert 'src="assets/network.js"' in page
    assert 'href="/export.csv?topic=a&amp;b" download' in page
    assert 'href="/v2/influencers"' in page
    assert "Download influencers (CSV)" in page


def test_network_js_never_uses_inner_html() -> None:
    script = (static_dir() / "network.js").read_text(encoding="utf-8")
    assert not re.search(r"\.(?:inner|outer)HTML\b|insertAdjacentHTML|document\.write", script)
    assert "JSON.parse" in script
    assert "new vis.Network" in script
    assert "textContent" in script


def test_small_network_uses_physics() -> None:
    data = build_network(chain(20))
    assert data["options"]["physics"]["enabled"] is True
    assert data["options"]["physics"]["solver"] == "barnesHut"
    assert data["options"]["physics"]["stabilization"]["enabled"] is True
    assert not any("x" in node or "y" in node for node in data["nodes"])


def test_large_network_is_laid_out_on_the_server() -> None:
    size = 400
    assert size > PHYSICS_NODE_LIMIT
    network = chain(size)
    network.nodes.append(influencer(size, score=0.5))  # an isolated account
    data = build_network(network)
    assert data["options"]["physics"]["enabled"] is False
    positions = [(node["x"], node["y"]) for node in data["nodes"]]
    assert len(positions) == size + 1
    assert len(set(positions)) == size + 1
    assert all(isinstance(value, float) for xy in positions for value in xy)
    assert data == build_network(network)  # a fixed seed: the same picture every time
    page = render_network_page(network, title="big")
    assert graph_data(page)["options"]["physics"] == {"enabled": False}


def test_a_large_layout_draws_communities_as_regions() -> None:
    # Four communities of 100 accounts, each a random web of its own, a few ties across, and
    # 20 accounts with no community and no tie: each community should sit together, nearer
    # its own members than the others', and the loose accounts should stay in the picture.
    rng = random.Random(11)
    nodes = [influencer(i, community=i // 100) for i in range(400)]
    nodes += [influencer(400 + i) for i in range(20)]
    edges = []
    for i in range(400):
        for _ in range(3):
            same = (i // 100) * 100 + rng.randrange(100)
            edges.append(NetworkEdge(f"u{i}", f"u{same}", 1, 1.0))
    for _ in range(20):
        edges.append(NetworkEdge(f"u{rng.randrange(400)}", f"u{rng.randrange(400)}", 1, 1.0))
    data = build_network(Network(nodes=nodes, edges=edges))
    at = {node["id"]: (node["x"], node["y"]) for node in data["nodes"]}
    centres = []
    for group in range(4):
        points = [at[f"u{i}"] for i in range(group * 100, group * 100 + 100)]
        centres.append(tuple(sum(p[k] for p in points) / 100 for k in (0, 1)))
    for i in range(400):
        own = math.dist(at[f"u{i}"], centres[i // 100])
        others = min(math.dist(at[f"u{i}"], c) for g, c in enumerate(centres) if g != i // 100)
        assert own < others, f"u{i} is nearer another community's centre"
    span = max(abs(v) for xy in at.values() for v in xy)
    loose = [at[f"u{400 + i}"] for i in range(20)]
    assert all(math.hypot(*xy) <= span * 1.01 for xy in loose)


def test_node_size_grows_with_score() -> None:
    scores = [0.0, 0.5, 2.0, 8.0, 8.0]
    network = Network(nodes=[influencer(i, score=s) for i, s in enumerate(scores)], edges=[])
    sizes = [node["size"] for node in build_network(network)["nodes"]]
    assert sizes[0] == MIN_NODE_SIZE
    assert sizes[0] < sizes[1] < sizes[2] < sizes[3]
    assert sizes[3] == sizes[4] == MAX_NODE_SIZE


def test_non_finite_scores_still_make_valid_json() -> None:
    nodes = [influencer(0, score=float("nan")), influencer(1, score=float("inf"))]
    page = render_network_page(Network(nodes=nodes, edges=[]), title="t")
    sizes = [node["size"] for node in graph_data(page)["nodes"]]
    assert sizes == [MIN_NODE_SIZE, MIN_NODE_SIZE]


def test_empty_network_renders() -> None:
    page = render_network_page(Network(nodes=[], edges=[]), title="nothing yet")
    assert graph_data(page) == {
        "nodes": [],
        "edges": [],
        "options": build_network(Network(nodes=[], edges=[]))["options"],
    }
    assert "No influencers to show yet" in page


def test_script_json_escapes_breakout_characters() -> None:
    text = str(script_json({"s": "</script><!-- & \u2028\u2029"}))
    assert text == '{"s":"\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028\\u2029"}'
    assert json.loads(text) == {"s": "</script><!-- & \u2028\u2029"}
