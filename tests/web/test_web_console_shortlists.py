"""The shortlists and console pages without a browser: assets, examples, no HTML injection."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from graph.analysis.roles import ROLE_ORDER
from graph.console.saved_queries import BUILTIN_QUERIES
from web.pages import render_page, script_json, static_dir

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ("shortlist-picker.js", "shortlists.js", "console.js")


SHOWN = [{**query, "builtin": True} for query in BUILTIN_QUERIES]  # as the page lists them


def _console() -> str:
    return render_page(
        "console.html",
        title="Console",
        roles=ROLE_ORDER,
        examples=SHOWN,
        examples_json=script_json(SHOWN),
    )


@pytest.mark.parametrize("name", SCRIPTS)
def test_scripts_never_write_html(name: str) -> None:
    script = re.sub(r"/\*.*?\*/", "", (static_dir() / name).read_text(encoding="utf-8"), flags=re.S)
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script, f"{name} uses {sink}"


@pytest.mark.parametrize("template", ["console.html", "shortlists.html", "influencers.html"])
def test_pages_link_existing_assets_and_the_nav(template: str) -> None:
    page = _console() if template == "console.html" else render_page(template, title="T")
    urls = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    assert urls
    for url in urls:
        assert (static_dir() / url.removeprefix("/static/")).is_file(), url
    assert 'href="/shortlists"' in page and 'href="/console"' in page


def test_console_examples_round_trip_and_match_the_readme() -> None:
    page = _console()
    block = re.search(
        r'<script type="application/json" id="examples-data">(.*?)</script>', page, re.S
    )
    assert block is not None
    assert json.loads(block.group(1)) == json.loads(json.dumps(SHOWN))
    assert page.count("data-example=") == len(BUILTIN_QUERIES) == 4
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    for example in BUILTIN_QUERIES[:3]:
        assert " ".join(str(example["query"]).split()) in readme
    last = BUILTIN_QUERIES[3]
    assert "NOT (:Shortlist)-[:INCLUDES]->(u)" in str(last["query"])
    assert set(re.findall(r"\$(\w+)", str(last["query"]))) == set(
        json.loads(json.dumps(last["params"]))
    )
