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
from tests.unprivileged import run_newsbot

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


def test_a_file_of_records_that_are_not_articles_is_one_problem_and_the_rest_indexed(newsbot, tmp_path):
    """A dataset folder with entity annotations beside its articles (tests/fixtures/annotated), and a
    page whose front matter has a bad date and no text below it: each is named once with why, nothing of
    them is stored, and the articles beside them are."""
    corpus = tmp_path / "dataset"
    shutil.copytree(FIXTURES / "annotated", corpus)
    (corpus / "draft.md").write_text("---\ntitle: Draft\ndate: someday\n---\n\n")
    result = newsbot("index", str(corpus))
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "Error" not in result.output
    assert "Indexed 1 file, 0 unchanged, 0 removed: 2 new articles" in result.stdout
    problems = result.stderr.splitlines()
    assert problems[0] == "3 problems:"
    assert problems[1:] == [
        f"  {corpus / 'draft.md'}: key 'date': not a date: 'someday' (expected e.g. 2019-03-22 or March 22, "
        f"2019)",
        f"  {corpus / 'draft.md'}: no article text found",
        f"  {corpus / 'entities.jsonl'}: not an article file: none of its 2 lines is an article (no 'text' (a "
        f"non-empty string is required; the record has 'id', 'entities'): 2 lines); not indexed",
    ]
    assert sorted(r["title"] for r in exported(newsbot)) == ["Ferry service between Aqaba and Nuweiba resumes",
                                                             "Jordan valley farmers count frost damage"]
    assert newsbot("stats").stdout.splitlines()[0].split() == ["articles", "2"]
    again = newsbot("index", str(corpus))  # nothing of it was stored: said again, and the articles stay
    assert "Indexed 0 files, 1 unchanged, 0 removed" in again.stdout and "entities.jsonl: not an article" in again.stderr


def test_documentation_in_a_corpus_folder_is_not_an_article(newsbot, tmp_path):
    """README, LICENSE, CHANGELOG … found in a folder (at its top or in a subfolder, with any suffix or
    none) are left out and listed, without a problem; one indexed earlier goes. Named on its own, a
    README is read like any file (whoever named it chose it)."""
    corpus = tmp_path / "datasets"
    shutil.copytree(FIXTURES / "annotated", corpus / "harbour")
    (corpus / "harbour" / "entities.jsonl").unlink()
    about = ("This collection holds wire stories from the harbour desk, collected in March 2023.\n\n"
             "Each line of articles.jsonl is one story, with its title, source and publication date.\n")
    (corpus / "README.md").write_text(about)
    (corpus / "LICENSE").write_text("Permission is granted to use these stories for research, said the owners.\n")
    write_story(corpus / "port" / "aqaba.txt", "Aqaba port reopens", "Aqaba")
    (corpus / "port" / "ChangeLog.txt").write_text("Version 2 of the collection added the port stories, "
                                                   "which were missing from the first release.\n")
    first = newsbot("index", str(corpus / "README.md"))
    assert first.exit_code == 0 and "1 new article" in first.stdout
    result = newsbot("index", str(corpus))
    assert result.exit_code == 0, result.output
    assert "Indexed 2 files, 0 unchanged, 1 removed: 3 new articles" in result.stdout
    assert (f"Not articles, skipped: 3 documentation files ({corpus / 'LICENSE'}, {corpus / 'README.md'}, "
            f"{corpus / 'port' / 'ChangeLog.txt'})") in result.stdout
    assert result.stderr == ""
    assert sorted(r["title"] for r in exported(newsbot)) == ["Aqaba port reopens",
                                                             "Ferry service between Aqaba and Nuweiba resumes",
                                                             "Jordan valley farmers count frost damage"]


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


def write_story(path, title: str, place: str) -> None:
    """A one-article page whose text differs from any other story's by its title and place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# {title}\n\nDockers returned to work in {place} on Monday after a storm closed the port "
                    f"for three days, officials said.\n\nShipping agents in {place} said the backlog would take "
                    f"a week to clear.\n")


@pytest.fixture
def newsbot_unprivileged(db_url, config_dir, tmp_path):
    """Run `python -m bot --db <test database> ARGS…` in a process that file modes apply to (tests/unprivileged.py)."""
    env = {"NEWSBOT_CONFIG_DIR": str(config_dir), "NEWSBOT_CACHE_DIR": str(tmp_path / "cache")}
    return lambda *args: run_newsbot(["--db", db_url, *args], env=env, cwd=config_dir.parent)


def test_an_unreadable_folder_or_file_is_reported_and_its_articles_kept(newsbot_unprivileged, newsbot, tmp_path):
    corpus = tmp_path / "desk"
    write_story(corpus / "aqaba.txt", "Aqaba port reopens", "Aqaba")
    write_story(corpus / "gulf" / "muscat.txt", "Muscat port reopens", "Muscat")
    write_story(corpus / "levant" / "beirut.txt", "Beirut port reopens", "Beirut")
    first = newsbot_unprivileged("index", str(corpus))
    assert first.returncode == 0, first.stderr
    assert "Indexed 3 files" in first.stdout
    (corpus / "gulf").chmod(0)
    (corpus / "levant" / "beirut.txt").chmod(0)
    try:
        again = newsbot_unprivileged("index", str(corpus))
    finally:
        (corpus / "gulf").chmod(0o755)
        (corpus / "levant" / "beirut.txt").chmod(0o644)
    assert again.returncode == 1, again.stdout + again.stderr
    assert "0 removed" in again.stdout and "Traceback" not in again.stderr
    lines = again.stderr.splitlines()
    assert any(line.strip().startswith(f"{corpus / 'gulf'}: folder cannot be read (Permission denied)")
               for line in lines), again.stderr
    assert any(line.strip().startswith(f"{corpus / 'levant' / 'beirut.txt'}: cannot be read (Permission denied)")
               for line in lines), again.stderr
    assert sorted(r["title"] for r in exported(newsbot)) == [
        "Aqaba port reopens", "Beirut port reopens", "Muscat port reopens"]
    readable = newsbot_unprivileged("index", str(corpus))
    assert readable.returncode == 0, readable.stderr
    assert "0 files, 3 unchanged, 0 removed" in readable.stdout
    write_story(tmp_path / "later" / "haifa.txt", "Haifa port reopens", "Haifa")
    (corpus / "gulf").chmod(0)
    try:  # named on the command line: reported as well, and the other paths indexed
        named = newsbot_unprivileged("index", str(corpus / "gulf"), str(tmp_path / "later"))
    finally:
        (corpus / "gulf").chmod(0o755)
    assert named.returncode == 1, named.stdout + named.stderr
    assert f"{corpus / 'gulf'}: folder cannot be read (Permission denied)" in named.stderr
    assert "Indexed 1 file," in named.stdout


def test_a_corpus_folder_gone_or_empty_keeps_its_articles_and_is_reported(newsbot, tmp_path, config_dir):
    corpus = tmp_path / "mnt" / "wire"
    write_story(corpus / "aqaba.txt", "Aqaba port reopens", "Aqaba")
    (config_dir / "settings.yaml").write_text(f"corpus_folders: [{corpus}]\n")
    assert newsbot("index").exit_code == 0
    aside = tmp_path / "aside"
    corpus.rename(aside)  # the disk is not mounted: first no folder at all, then an empty mount point
    gone = newsbot("index")
    assert gone.exit_code == 1 and "0 removed" in gone.stdout
    assert f"{corpus}: no such file or folder" in gone.stderr
    corpus.mkdir()
    empty = newsbot("index")
    assert empty.exit_code == 1 and "0 removed" in empty.stdout
    assert f"{corpus}: corpus folder is empty: the articles of its 1 indexed file are kept" in empty.stderr
    assert [r["title"] for r in exported(newsbot)] == ["Aqaba port reopens"]
    (corpus / ".keep").touch()  # emptied on purpose
    emptied = newsbot("index")
    assert emptied.exit_code == 0, emptied.output
    assert "1 removed" in emptied.stdout and exported(newsbot) == []


def test_links_inside_the_corpus_are_followed_others_reported(newsbot, tmp_path):
    corpus, elsewhere = tmp_path / "desk", tmp_path / "elsewhere"
    write_story(corpus / "archive" / "aqaba.txt", "Aqaba port reopens", "Aqaba")
    write_story(elsewhere / "secret.txt", "Muscat port reopens", "Muscat")
    (elsewhere / "meta.yaml").write_text("source: Muscat Daily\n")
    (corpus / "archive" / "aqaba.txt.meta.yaml").symlink_to(elsewhere / "meta.yaml")
    (corpus / "latest").mkdir()
    (corpus / "latest" / "aqaba.txt").symlink_to(corpus / "archive" / "aqaba.txt")
    (corpus / "archive-link").symlink_to(corpus / "archive")  # a linked folder inside the corpus
    (corpus / "outside.txt").symlink_to(elsewhere / "secret.txt")
    (corpus / "outside-folder").symlink_to(elsewhere)
    (corpus / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    (corpus / "loop").symlink_to(corpus)
    (corpus / "self.txt").symlink_to(corpus / "self.txt")
    result = newsbot("index", str(corpus))
    assert result.exit_code == 1
    reasons = dict(line.strip().split(": ", 1) for line in result.stderr.splitlines()[1:])
    sidecar_outside = f"symbolic link to {elsewhere / 'meta.yaml'}, outside the folders being indexed: skipped"
    assert reasons == {
        str(corpus / "archive" / "aqaba.txt.meta.yaml"): sidecar_outside,
        str(corpus / "archive-link" / "aqaba.txt.meta.yaml"): sidecar_outside,
        str(corpus / "dangling.txt"): f"cannot be read: symbolic link to {tmp_path / 'nowhere.txt'}, "
                                      f"which does not exist",
        str(corpus / "loop"): f"symbolic link loop: leads back to {corpus}, skipped",
        str(corpus / "outside-folder"): f"symbolic link to {elsewhere}, outside the folders being indexed: skipped",
        str(corpus / "outside.txt"): f"symbolic link to {elsewhere / 'secret.txt'}, outside the folders being "
                                     f"indexed: skipped",
        str(corpus / "self.txt"): "cannot be read: symbolic link loop",
    }
    [record] = exported(newsbot)
    assert (record["title"], record["source"]) == ("Aqaba port reopens", None)
    assert sorted(o["path"] for o in record["occurrences"]) == sorted(
        str(corpus / p) for p in ("archive/aqaba.txt", "archive-link/aqaba.txt", "latest/aqaba.txt"))
    (corpus / "latest" / "aqaba.txt").unlink()  # the link goes: its occurrence goes, the target's stays
    after = newsbot("index", str(corpus))
    assert "1 removed" in after.stdout
    [record] = exported(newsbot)
    assert sorted(o["path"] for o in record["occurrences"]) == sorted(
        str(corpus / p) for p in ("archive/aqaba.txt", "archive-link/aqaba.txt"))


def test_a_link_named_on_the_command_line_is_stored_under_its_own_path(newsbot, tmp_path):
    write_story(tmp_path / "elsewhere" / "aqaba.txt", "Aqaba port reopens", "Aqaba")
    link = tmp_path / "desk" / "aqaba.txt"
    link.parent.mkdir()
    link.symlink_to(tmp_path / "elsewhere" / "aqaba.txt")
    assert newsbot("index", str(link)).exit_code == 0
    assert [r["path"] for r in exported(newsbot)] == [str(link)]


def test_an_unreadable_sidecar_is_named_and_its_article_indexed_without_it(newsbot_unprivileged, newsbot, tmp_path):
    corpus = tmp_path / "desk"
    write_story(corpus / "aqaba.txt", "Aqaba port reopens", "Aqaba")
    sidecar = corpus / "aqaba.txt.meta.yaml"
    sidecar.write_text("source: Jordan Times\n")
    sidecar.chmod(0)
    try:
        result = newsbot_unprivileged("index", str(corpus))
    finally:
        sidecar.chmod(0o644)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{sidecar}: sidecar metadata ignored: cannot be read (Permission denied)" in result.stderr
    assert f"{corpus / 'aqaba.txt'}: cannot be read" not in result.stderr
    [record] = exported(newsbot)
    assert (record["title"], record["source"]) == ("Aqaba port reopens", None)
    readable = newsbot_unprivileged("index", str(corpus))  # readable again (chmod): read again
    assert readable.returncode == 0, readable.stderr
    assert [r["source"] for r in exported(newsbot)] == ["Jordan Times"]


def test_sidecar_values_of_the_wrong_type_are_refused_by_key(newsbot, tmp_path):
    corpus = tmp_path / "desk"
    write_story(corpus / "aqaba.txt", "Aqaba port reopens", "Aqaba")
    sidecar = corpus / "aqaba.txt.meta.yaml"
    sidecar.write_text("source: {a: 1}\nauthor: [Rana, Sami]\nurl: yes\ntitle: 1984\ndate: 2024-02-03\n")
    result = newsbot("index", str(corpus))
    assert result.exit_code == 1
    for reason in ("'source' must be text, got a mapping: ignored", "'author' must be text, got a list: ignored",
                   "'url' must be text, got true (quote the value to mean the text): ignored"):
        assert f"{sidecar}: {reason}" in result.stderr
    [record] = exported(newsbot)
    assert (record["title"], record["source"], record["author"], record["url"], record["date"]) == (
        "Aqaba port reopens", None, None, None, "2024-02-03")


def test_each_command_hands_its_database_connections_back(newsbot, monkeypatch):
    """A process that runs many commands (a test suite, a notebook) keeps no pool per command open."""
    from bot.store.db import Store

    disposed = []
    monkeypatch.setattr(Store, "dispose", lambda store: disposed.append(store.engine.url))
    for _ in range(3):
        assert newsbot("export", "actors").exit_code == 0
    assert len(disposed) == 3


def test_a_place_written_with_st_is_found_by_saint_and_the_other_way(newsbot, tmp_path):
    folder = tmp_path / "wire"
    folder.mkdir()
    (folder / "stories.jsonl").write_text(json.dumps({
        "id": "w1", "title": "Port reopens", "source": "Wire", "date": "2024-05-01",
        "text": "The ferry sailed from St. Orvald on Monday. Officials in St. Orvald said the port would reopen.\n\n"
                "Climbers returned from Mount Tarvo on Tuesday, and the pass below Mount Tarvo was closed."}) + "\n")
    assert newsbot("index", str(folder)).exit_code == 0
    for query, name in (("Saint Orvald", "St. Orvald"), ("St Orvald", "St. Orvald"), ("Mt Tarvo", "Mount Tarvo")):
        found = json.loads(newsbot("lookup", "--json", query).stdout)
        assert (found["status"], found["actor"]["name"]) == ("found", name), (query, found)
