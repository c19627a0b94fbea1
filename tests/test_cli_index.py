"""`newsbot index`, `export articles` and `stats` as a user runs them (SQLite and PostgreSQL)."""
from __future__ import annotations

import csv
import io
import json
import logging
import re
import shutil

import pytest
from click.testing import CliRunner

from bot.cli import cli
from tests.conftest import FIXTURES

EXPORT_FIELDS = ["id", "title", "source", "author", "date", "url", "path", "text", "ingested_at", "occurrences"]


@pytest.fixture
def newsbot(db_url, config_dir):
    """Run `newsbot --db <test database> ARGS…` in the private project folder."""
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(cli, ["--db", db_url, *args], catch_exceptions=False)
    return invoke


def exported(newsbot) -> list[dict]:
    result = newsbot("export", "articles", "--format", "jsonl")
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_index_seeds_then_export_the_six_articles(newsbot):
    result = newsbot("index")
    assert result.exit_code == 0, result.output
    assert "Indexed 2 files, 0 unchanged, 0 removed: 6 new articles" in result.stdout
    records = exported(newsbot)
    assert [list(r) for r in records] == [EXPORT_FIELDS] * 6
    assert [(r["title"], r["source"], r["author"], r["date"]) for r in records] == [
        ("How US, Iranian regional security strategies diverge", "Al-Monitor", "Seyed Hossein Mousavian",
         "2019-03-22"),
        ("EXCLUSIVE: Iran’s Khamenei ordered end to Iraqi attacks on US interests", "Middle East Eye", None, None),
        ("‘They pulled a gun on me’: Iranian poet recalls harrowing journey to the UK", "shropshirestar.com", None,
         None),
        ("How the Iran-Iraq war will shape the region for decades to come", "Brookings Institution", None, None),
        ("Trump drops the F-bomb on Iran", "POLITICO", None, None),
        ("Iran’s New Doctrine: Pivot to the East", "The Diplomat", "Seyed Hossein Mousavian", None),
    ]
    first = records[0]
    assert first["path"] == "seeds/000_b1e42a639ef7d43e.txt"  # relative to the project folder
    assert first["occurrences"] == [{"source": "Al-Monitor", "url": None, "path": "seeds/000_b1e42a639ef7d43e.txt"}]
    assert first["ingested_at"].endswith("+00:00")
    assert first["text"].startswith("The Iranian and US models")


def test_second_run_is_incremental(newsbot):
    newsbot("index")
    result = newsbot("index")
    assert result.exit_code == 0
    assert "Indexed 0 files, 2 unchanged, 0 removed: 0 new articles" in result.stdout


def test_export_csv_has_the_same_fields(newsbot):
    newsbot("index")
    result = newsbot("export", "articles", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == EXPORT_FIELDS and len(rows) == 6
    assert json.loads(rows[1]["occurrences"])[0]["source"] == "Middle East Eye"
    assert rows[1]["author"] == "" and rows[0]["date"] == "2019-03-22"


def test_stats_names_counts_and_the_database(newsbot, db_url):
    newsbot("index")
    out = newsbot("stats").stdout
    lines = out.splitlines()
    assert lines[0].split() == ["articles", "6"]
    assert "sources              6" in out
    assert "files with problems  0" in out
    assert "dated                2019-03-22 to 2019-03-22" in out
    assert "last indexed" in out and "never" not in out
    assert "database" in out
    assert "       1  Al-Monitor" in lines and "       1  The Diplomat" in lines


def test_syndicated_copies_are_one_article_with_every_occurrence(newsbot):
    result = newsbot("index", str(FIXTURES / "corpus" / "syndicated"))
    assert result.exit_code == 0, result.output
    assert "1 new article (+1 copy of stories already indexed)" in result.stdout
    [record] = exported(newsbot)
    assert [o["source"] for o in record["occurrences"]] == ["Nile Agency", "Delta Daily"]
    assert all(o["path"].endswith(("agency.txt", "republisher.txt")) for o in record["occurrences"])


def test_bad_input_is_reported_by_name_and_the_rest_indexed(newsbot, tmp_path):
    corpus = tmp_path / "incoming"
    shutil.copytree(FIXTURES / "corpus" / "archive", corpus)
    (corpus / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (corpus / "legacy.txt").write_bytes("Le café a rouvert à Beyrouth après des mois, a dit le patron.".encode("cp1252"))
    (corpus / "empty.txt").write_text("")
    (corpus / "feed.jsonl").write_text('{"text": "Markets were calm in Amman on Sunday."}\n{"text": oops}\n')
    (corpus / "unreadable.txt").symlink_to(tmp_path / "nowhere")
    with (corpus / "dump.txt").open("w") as handle:
        while handle.tell() < 50_000_000:
            handle.write("Officials met again and said talks on sharing the river would continue.\n\n")
    result = newsbot("index", str(corpus), str(tmp_path / "no-such-folder"))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    errors = result.stderr
    assert "7 problems:" in errors
    for name, reason in [("photo.txt", "binary file"), ("legacy.txt", "not valid UTF-8"), ("empty.txt", "empty file"),
                         ("feed.jsonl:2", "malformed JSON"), ("unreadable.txt", "cannot be read"),
                         ("dump.txt", "million characters"), ("no-such-folder", "no such file or folder")]:
        assert any(name in line and reason in line for line in errors.splitlines()), (name, errors)
    titles = [r["title"] for r in exported(newsbot)]
    assert "Oman opens tender for desert solar plant" in titles  # the rest went in
    assert len(titles) == 5  # 3 archive articles, the legacy-encoded page, one JSONL record


def test_usage_errors_exit_2(newsbot):
    assert newsbot("index", "--no-such-option").exit_code == 2
    assert newsbot("export", "everything").exit_code == 2
    assert newsbot("export", "articles", "--format", "xml").exit_code == 2


def test_log_lines_when_not_on_a_terminal(newsbot, caplog):
    with caplog.at_level(logging.INFO, logger="bot.index"):
        newsbot("index")
    messages = [r.getMessage() for r in caplog.records if r.name == "bot.index"]
    assert messages[0] == "indexing 2 files"
    assert messages[-1].startswith("2/2 files, 6 new articles,") and messages[-1].endswith("articles/s")


def test_progress_bar_when_asked(newsbot):
    result = newsbot("index", "--progress")
    assert result.exit_code == 0
    assert "file" in result.stderr and re.search(r"\b\d+ articles?\b", result.stderr)
