"""Every format loads through the command line, recognised from its content."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from graph.backends.falkordb import FalkorDBBackend
from graph.server import ServerInfo
from graph.store import Store

T = "2026-10-03T14:05:00.000Z"
SAMPLES: dict[str, tuple[str, str, int, int]] = {
    # format: (file name, content, users, amplifications)
    "twitter-v2": (
        "tweets.jsonl",
        json.dumps(
            {
                "data": [
                    {
                        "id": "2",
                        "author_id": "20",
                        "text": "RT @maya: #Vegan",
                        "created_at": T,
                        "referenced_tweets": [{"type": "retweeted", "id": "1"}],
                        "edit_history_tweet_ids": ["2"],
                    }
                ],
                "includes": {
                    "users": [
                        {
                            "id": "10",
                            "username": "maya",
                            "name": "Maya",
                            "public_metrics": {"followers_count": 12400},
                        },
                        {"id": "20", "username": "sam", "name": "Sam"},
                    ],
                    "tweets": [{"id": "1", "author_id": "10", "text": "#Vegan", "created_at": T}],
                },
            }
        )
        + "\n",
        2,
        1,
    ),
    "twitter-v1": (
        "stream.jsonl",
        json.dumps(
            {
                "id_str": "2",
                "created_at": "Sat Oct 03 14:05:00 +0000 2026",
                "text": "RT @maya: hi",
                "user": {"id_str": "20", "screen_name": "sam", "followers_count": 3},
                "retweeted_status": {
                    "id_str": "1",
                    "created_at": "Sat Oct 03 13:00:00 +0000 2026",
                    "text": "hi",
                    "user": {"id_str": "10", "screen_name": "maya", "followers_count": 12400},
                },
                "entities": {
                    "hashtags": [],
                    "user_mentions": [{"id_str": "10", "screen_name": "maya"}],
                },
            }
        )
        + "\n",
        2,
        1,
    ),
    "snap": ("activity.txt", "1 2 1341100972 RT\n3 2 1341100973 MT\n1 3 1341100974 RE\n", 3, 3),
    "edgelist": ("edges.txt", "a b 2\nc b 1\n", 3, 3),
    "cascade": (
        "cascades.csv",
        "parent_uid,child_uid,child_tweet_id,child_delay_min,root_tweet_id,dataset,label\n"
        "ROOT,100,656955120626880512,0.0,656955120626880512,twitter15,false\n"
        "100,200,656955500000000000,1.5,656955120626880512,twitter15,false\n",
        2,
        1,
    ),
    "tweet-csv": (
        "ira_tweets.csv",
        "author_id,content,region,language,publish_date,harvested_date,following,followers,"
        "updates,post_type,retweet\n"
        '1479,"Vote! @someone #election",US,English,10/3/2016 14:05,10/3/2016 14:05,10,1052,5,,0\n',
        2,
        1,
    ),
    "graphml": (
        "graph.graphml",
        '<?xml version="1.0"?><graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
        '<key id="k" for="edge" attr.name="kind" attr.type="string"/>'
        '<graph edgedefault="directed"><node id="u7"/><node id="u1"/>'
        '<edge source="u7" target="u1"><data key="k">quote</data></edge></graph></graphml>',
        2,
        1,
    ),
    "gexf": (
        "graph.gexf",
        '<?xml version="1.0"?><gexf xmlns="http://gexf.net/1.3" version="1.3">'
        '<graph defaultedgetype="directed"><nodes><node id="a" label="alice"/>'
        '<node id="b" label="bob"/></nodes><edges><edge id="0" source="a" target="b"/></edges>'
        "</graph></gexf>",
        2,
        1,
    ),
}


@pytest.mark.parametrize("fmt", sorted(SAMPLES))
@pytest.mark.parametrize("gzipped", [False, True])
def test_each_format_through_the_cli(
    fmt: str,
    gzipped: bool,
    server: ServerInfo,
    graph_name: str,
    falkordb: FalkorDBBackend,
    tmp_path: Path,
) -> None:
    name, content, users, events = SAMPLES[fmt]
    path = tmp_path / (name + (".gz" if gzipped else ""))
    if gzipped:
        path.write_bytes(gzip.compress(content.encode()))
    else:
        path.write_text(content)
    env = {
        "RESONANCE_DATA_DIR": str(server.data_dir),
        "RESONANCE_GRAPH": graph_name,
        "NEO4J_URI": None,
    }
    rejects = tmp_path / "rejects.txt"
    result = CliRunner().invoke(app, ["load", str(path), "--rejects", str(rejects)], env=env)
    assert result.exit_code == 0, result.output
    assert f"{fmt} " in result.output  # the recognised format names the rows read
    assert "rejected: 0" in result.output and not rejects.exists()
    stats = Store(falkordb).stats()
    assert (stats.users, stats.amplifications) == (users, events)
    named = CliRunner().invoke(app, ["load", fmt, str(path), "--rejects", str(rejects)], env=env)
    assert named.exit_code == 0, named.output
    assert Store(falkordb).stats() == stats  # loading twice changes nothing


def test_an_unknown_format_is_a_clear_error(
    server: ServerInfo, graph_name: str, tmp_path: Path
) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some words here, nothing to load\n")
    env = {"RESONANCE_DATA_DIR": str(server.data_dir), "RESONANCE_GRAPH": graph_name}
    result = CliRunner().invoke(app, ["load", str(path)], env=env)
    assert result.exit_code == 1
    assert "not a format Resonance recognises" in result.output


def test_cli_load_lists_rejects_under_the_data_directory_not_the_current_one(
    server: ServerInfo,
    graph_name: str,
    falkordb: FalkorDBBackend,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`resonance load` wrote rejects.txt into whatever directory it was run from."""
    here = tmp_path / "cwd"
    here.mkdir()
    monkeypatch.chdir(here)
    path = tmp_path / "edges.txt"
    path.write_text("a b 1\nb c not-a-weight\n")
    env = {"RESONANCE_DATA_DIR": str(server.data_dir), "RESONANCE_GRAPH": graph_name}
    result = CliRunner().invoke(app, ["load", "edgelist", str(path)], env=env)
    assert result.exit_code == 0, result.output
    assert list(here.iterdir()) == []
    said = result.output.replace("\n", "")  # a long path may be folded over lines
    listed = Path(said.split("rejected rows are listed in ", 1)[1].split(".txt")[0] + ".txt")
    assert listed.parent == server.data_dir / "rejects" and listed.suffix == ".txt"
    assert listed.read_text().startswith(f"{path}:2: weight: ")

    chosen = tmp_path / "mine.txt"
    again = CliRunner().invoke(
        app, ["load", "edgelist", str(path), "--rejects", str(chosen)], env=env
    )
    assert again.exit_code == 0, again.output
    assert chosen.read_text().startswith(f"{path}:2: weight: ")
