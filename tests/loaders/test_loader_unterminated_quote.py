"""A CSV quote that is never closed is a reject naming the line and field where it opened, not
the rest of the file swallowed silently into one value (issue 10, finding 11)."""

from __future__ import annotations

from pathlib import Path

from graph.store import Store
from loaders.detect import open_reader
from loaders.pipeline import load
from tests.support.ingest import load_csv_dir

T = "2026-10-03T14:05:00Z"


def _handles(store: Store) -> dict[str, str]:
    rows = store.read("MATCH (u:User) RETURN u.id AS id, u.handle AS handle")
    return {str(row["id"]): str(row["handle"]) for row in rows}


def test_an_unterminated_quote_in_the_csv_contract_is_rejected_and_the_rows_before_load(
    falkor_store: Store, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "users.csv").write_text(
        'id,handle,name\n1,ada,"Ada\nLovelace"\n2,bob,Bob\n3,"cy,Cy\n4,dee,Dee\n5,eve,Eve\n'
    )
    (folder / "posts.csv").write_text(f"id,author_id,created_at,text\np1,1,{T},hi\n")
    rejects = tmp_path / "r.txt"
    report = load_csv_dir(falkor_store, folder, rejects_path=rejects)
    assert _handles(falkor_store) == {"1": "ada", "2": "bob"}  # nothing after the quote loaded
    assert report.loaded["posts"] == 1  # the next file is read as usual
    assert rejects.read_text().splitlines() == [
        f"{folder / 'users.csv'}:5: handle: unterminated quote: the quoted value opened on "
        "line 5 runs to the end of the file, so lines 5-7 are not loaded"
    ]
    assert report.rejected == {"users.handle": 1}


def test_quoted_values_over_several_lines_still_load_up_to_the_last_line(
    falkor_store: Store, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "users.csv").write_text(
        'id,handle,bio\n1,ada,"two\nlines ""quoted"""\n2,bob,"ends, at EOF\nwithout newline"'
    )
    report = load_csv_dir(falkor_store, folder, rejects_path=tmp_path / "r.txt")
    assert report.loaded["users"] == 2 and report.rejected_total == 0
    rows = falkor_store.read("MATCH (u:User {id: '1'}) RETURN u.bio AS bio")
    assert rows[0]["bio"] == 'two\nlines "quoted"'


def test_an_unterminated_quote_in_a_tweet_csv_is_rejected_and_the_tweets_before_load(
    falkor_store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "tweets.csv"
    path.write_text(
        "author_id,author,content,publish_date\n"
        "1,ada,hello,10/03/2026 14:05\n"
        '2,bob,"a 5-inch screen,10/03/2026 14:06\n'
        "3,cy,later,10/03/2026 14:07\n"
    )
    rejects = tmp_path / "r.txt"
    report = load(falkor_store, [open_reader(path)], rejects_path=rejects)
    assert report.loaded["posts"] == 1
    (line,) = rejects.read_text().splitlines()
    assert line.startswith(f"{path}:3: content: unterminated quote") and "lines 3-4" in line


def test_an_unterminated_quote_in_a_cascade_csv_is_rejected(
    falkor_store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "cascade.csv"
    path.write_text(
        'parent_uid,child_uid,child_tweet_id\n1,2,20\n1,"3,30\n1,4,40\n', encoding="utf-8"
    )
    rejects = tmp_path / "r.txt"
    report = load(falkor_store, [open_reader(path, "cascade")], rejects_path=rejects)
    assert report.loaded["amplifications"] == 1
    (line,) = rejects.read_text().splitlines()
    assert line.startswith(f"{path}:3: child_uid: unterminated quote")
