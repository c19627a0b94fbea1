"""Indexing into the store: incremental runs, syndication, removal and crash safety (SQLite and PostgreSQL)."""
from __future__ import annotations

import os
import shutil

import pytest
from sqlalchemy import func, select

from bot.ingest import file_groups
from bot.ingest import indexer as indexer_module
from bot.ingest.actors import RunActors
from bot.ingest.indexer import Indexer
from bot.ingest.pipeline import AnalysedArticle
from bot.store.schema import articles, occurrences, source_files
from tests.conftest import FIXTURES

CORPUS = FIXTURES / "corpus"


def no_extraction(doc, gazetteer=None):
    return AnalysedArticle(doc=doc)


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    return folder


def run(store, *paths, **options):
    return Indexer(store, analyse_fn=no_extraction).run(list(paths), **options)


def titles(store) -> list[str]:
    with store.connect() as conn:
        return sorted(conn.execute(select(articles.c.title)).scalars())


def count(store, table) -> int:
    with store.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar()


def test_indexes_every_reader_and_merges_syndicated_copies(store, corpus):
    report = run(store, corpus)
    assert report.files_indexed == 6
    assert report.articles_added == 9  # 3 archive + 1 html + 3 jsonl + 1 page + 1 story published twice
    assert report.occurrences_added == 10
    assert [p.line for p in report.problems] == [3, 4]  # the two bad JSONL lines
    with store.connect() as conn:
        story = conn.execute(select(articles).where(articles.c.title.like("Egypt%"))).mappings().one()
        copies = conn.execute(select(occurrences.c.source, occurrences.c.path).where(
            occurrences.c.article_id == story["id"]).order_by(occurrences.c.path)).all()
    assert story["source"] == "Nile Agency"
    assert [(source, os.path.basename(path)) for source, path in copies] == [
        ("Nile Agency", "agency.txt"), ("Delta Daily", "republisher.txt")]


def test_unchanged_corpus_does_no_work(store, corpus, monkeypatch):
    run(store, corpus)
    monkeypatch.setattr(indexer_module, "read_file", lambda path: pytest.fail(f"{path} was read again"))
    generation = store.generation()
    report = run(store, corpus)
    assert (report.files_unchanged, report.files_indexed, report.articles_added) == (6, 0, 0)
    assert store.generation() == generation  # running bots have nothing to reload


def test_touched_but_unchanged_file_is_not_reindexed(store, corpus, monkeypatch):
    run(store, corpus)
    page = corpus / "page" / "scraped-article.md"
    os.utime(page, (page.stat().st_atime, page.stat().st_mtime + 60))
    monkeypatch.setattr(indexer_module, "read_file", lambda path: pytest.fail(f"{path} was read again"))
    assert run(store, corpus).files_unchanged == 6


def test_changed_file_replaces_its_articles(store, corpus):
    run(store, corpus)
    archive = corpus / "archive" / "gulf-roundup.txt"
    archive.write_text(archive.read_text().replace("Oman opens tender for desert solar plant",
                                                   "Oman delays tender for desert solar plant"))
    generation = store.generation()
    report = run(store, corpus)
    assert (report.files_indexed, report.files_unchanged) == (1, 5)
    assert store.generation() == generation + 1
    assert "Oman delays tender for desert solar plant" in titles(store)
    assert "Oman opens tender for desert solar plant" not in titles(store)
    assert count(store, articles) == 9


def test_removed_file_loses_its_articles_unless_kept(store, corpus):
    run(store, corpus)
    (corpus / "html" / "ministry-budget.html").unlink()
    report = run(store, corpus, keep_missing=True)
    assert report.files_removed == 0 and "Iraq's cabinet approves record budget" in titles(store)
    report = run(store, corpus)
    assert report.files_removed == 1
    assert "Iraq's cabinet approves record budget" not in titles(store)
    assert count(store, source_files) == 5


def test_a_syndicated_story_survives_while_one_copy_remains(store, corpus):
    run(store, corpus)
    (corpus / "syndicated" / "agency.txt").unlink()
    run(store, corpus)
    with store.connect() as conn:
        story_id = conn.execute(select(articles.c.id).where(articles.c.title.like("Egypt%"))).scalar_one()
        sources = conn.execute(select(occurrences.c.source).where(occurrences.c.article_id == story_id)).scalars()
        assert list(sources) == ["Delta Daily"]


def test_same_story_twice_in_one_archive_is_one_article(store, tmp_path):
    body = ("A ceasefire between rival factions in Tripoli held for a second night, residents said, after a week "
            "of clashes that closed the city's only working airport and cut power to several districts. Shops in "
            "the old city reopened in the morning and traffic returned to the coastal road, although armed men "
            "still manned checkpoints near the port, witnesses said.")
    archive = tmp_path / "roundup.txt"
    archive.write_text(f"Tripoli ceasefire holds – Desert Post\n\n{body}\n\nRead more:\nTripoli ceasefire holds - Desert Post"
                       f"\n\nCalm returns to Tripoli – Sahel Wire\n\n{body.replace('witnesses said', 'witnesses told reporters')}\n\n"
                       f"See the original post:\nCalm returns to Tripoli - Sahel Wire\n")
    report = run(store, archive)
    assert (report.articles_added, report.occurrences_added) == (1, 2)
    with store.connect() as conn:
        assert list(conn.execute(select(occurrences.c.source).order_by(occurrences.c.position)).scalars()) == [
            "Desert Post", "Sahel Wire"]


def _snapshot(store):
    with store.connect() as conn:
        return (sorted(conn.execute(select(articles.c.id, articles.c.title, articles.c.text)).all()),
                sorted(conn.execute(select(occurrences.c.article_id, occurrences.c.position, occurrences.c.path)).all()),
                sorted(conn.execute(select(source_files.c.path, source_files.c.sha256)).all()))


def _change_archive(corpus):
    archive = corpus / "archive" / "gulf-roundup.txt"
    archive.write_text(archive.read_text().replace("Kuwait parliament delays", "Kuwait parliament postpones"))


def test_analysis_failing_mid_file_leaves_that_file_as_it_was(store, corpus):
    run(store, corpus)
    before = _snapshot(store)
    _change_archive(corpus)

    def failing(doc, gazetteer=None):
        if doc.position == 1:
            raise RuntimeError("extraction blew up")
        return AnalysedArticle(doc=doc)

    report = Indexer(store, analyse_fn=failing).run([corpus])
    assert _snapshot(store) == before
    [problem] = [p for p in report.problems if p.path.endswith("gulf-roundup.txt")]
    assert "RuntimeError: extraction blew up" in problem.reason and "index unchanged" in problem.reason
    # The next run picks the file up again.
    assert "Kuwait parliament postpones vote on debt law" in (run(store, corpus), titles(store))[1]


def test_a_store_write_failing_mid_file_rolls_the_file_back(store, corpus, monkeypatch):
    run(store, corpus)
    before = _snapshot(store)
    _change_archive(corpus)
    written = []

    def write_then_fail(conn, table, columns, rows):
        real_insert(conn, table, columns, rows)  # the file's new articles and bands are in, then the disk fills
        written.append(len(rows))
        raise OSError("disk full")

    real_insert = indexer_module.insert_plain_rows
    monkeypatch.setattr(indexer_module, "insert_plain_rows", write_then_fail)
    report = run(store, corpus)
    assert written  # the failure came after rows of the file had been written
    assert _snapshot(store) == before
    assert any("disk full" in p.reason for p in report.problems)


def test_files_are_committed_in_groups_on_sqlite_and_a_reader_sees_a_group_once_it_is_committed(store, corpus,
                                                                                                 monkeypatch):
    seen = []

    def after_each_file(path, new_articles):
        seen.append(count(store, occurrences))  # what another connection (a running bot) reads

    run(store, corpus, progress=after_each_file)
    if store.is_sqlite:
        assert seen == [0] * 6  # the six files went into one transaction, committed at the end
    else:
        assert seen == [3, 4, 7, 8, 9, 10]  # PostgreSQL commits every file
    assert count(store, occurrences) == 10

    monkeypatch.setattr(file_groups, "GROUP_ARTICLES", 1)  # a commit once a file's articles are written
    seen.clear()
    shutil.copytree(corpus, corpus.parent / "copy")
    run(store, corpus.parent / "copy", progress=after_each_file, keep_missing=True)
    assert seen == [13, 14, 17, 18, 19, 20]  # each file's occurrences readable as soon as it was written


def test_a_file_failing_inside_a_group_leaves_the_group_s_other_files_indexed(store, corpus):
    def failing(doc, gazetteer=None):
        if doc.path.endswith("ministry-budget.html"):
            raise RuntimeError("extraction blew up")
        return AnalysedArticle(doc=doc)

    report = Indexer(store, analyse_fn=failing).run([corpus])
    [problem] = [p for p in report.problems if "extraction blew up" in p.reason]
    assert problem.path.endswith("ministry-budget.html") and "index unchanged" in problem.reason
    assert report.files_indexed == 5 and report.articles_added == 8
    with store.connect() as conn:
        paths = set(conn.execute(select(source_files.c.path)).scalars())
    assert len(paths) == 5 and not any(p.endswith("ministry-budget.html") for p in paths)
    assert "Kuwait parliament delays vote on debt law" in titles(store)  # (a file written before the failure)
    assert run(store, corpus).files_indexed == 1  # the next run indexes what failed, and only that


def test_a_group_whose_commit_fails_is_reported_file_by_file_and_indexed_by_the_next_run(store, corpus,
                                                                                         monkeypatch):
    from sqlalchemy.engine import Connection

    real_commit = Connection.commit

    def disk_full(conn):
        raise OSError("disk full")

    monkeypatch.setattr(Connection, "commit", disk_full)
    report = run(store, corpus)
    assert report.files_indexed == 0 and report.articles_added == 0
    assert len([p for p in report.problems if "commit failed: OSError: disk full" in p.reason]) == 6
    assert count(store, articles) == 0 and count(store, source_files) == 0
    monkeypatch.setattr(Connection, "commit", real_commit)
    again = run(store, corpus)
    assert (again.files_indexed, again.articles_added) == (6, 9)
    assert not any("commit failed" in p.reason for p in again.problems)


def test_a_run_stopped_mid_group_leaves_the_index_as_it_was_before_the_group_on_sqlite(store, corpus):
    run(store, corpus / "archive")
    before = _snapshot(store)

    def interrupted(path, new_articles):
        if path.name == "wire.jsonl":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(store, corpus, progress=interrupted, keep_missing=True)
    if store.is_sqlite:
        assert _snapshot(store) == before  # html/ and jsonl/ had been written, not committed
        assert run(store, corpus).files_indexed == 5
    else:  # each file committed: the two written before the stop are in
        assert count(store, source_files) == 3
        assert run(store, corpus).files_indexed == 3


def test_bad_paths_are_reported_and_the_rest_indexed(store, corpus, tmp_path):
    (corpus / "folder.txt").mkdir()  # a folder named like a file is walked, not read
    (corpus / "notes.pdf").write_bytes(b"%PDF-1.4")
    (corpus / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    report = run(store, corpus, tmp_path / "missing")
    reasons = {os.path.basename(p.path): p.reason for p in report.problems if p.line is None}
    assert reasons["missing"] == "no such file or folder"
    assert reasons["notes.pdf"].startswith("unsupported file type '.pdf'")
    assert reasons["gone.txt"].startswith("cannot be read")
    assert report.articles_added == 9


def test_problems_of_an_unchanged_file_are_reported_again(store, corpus):
    first = run(store, corpus / "jsonl")
    again = run(store, corpus / "jsonl")
    assert again.files_unchanged == 1
    assert [(p.path, p.line) for p in again.problems] == [(p.path, p.line) for p in first.problems]
    assert all(p.reason.endswith("(unchanged since it was indexed)") for p in again.problems)


def test_an_unchanged_actor_list_is_not_written_again(store, corpus, monkeypatch):
    from types import SimpleNamespace

    entry = SimpleNamespace(name="Nabil Saeed", kind="person", description="crane operator", aliases=["N. Saeed"])
    gazetteer = SimpleNamespace(actors=[entry])
    upserts = []
    real_actor_id = RunActors.actor_id

    def counting_actor_id(self, conn, name, kind, **options):
        upserts.append(name)
        return real_actor_id(self, conn, name, kind, **options)

    monkeypatch.setattr(RunActors, "actor_id", counting_actor_id)
    Indexer(store, gazetteer, analyse_fn=no_extraction).run([corpus])
    assert upserts == ["Nabil Saeed"]
    Indexer(store, gazetteer, analyse_fn=no_extraction).run([corpus])
    assert upserts == ["Nabil Saeed"]  # nothing changed: nothing written
    entry.aliases.append("Abu Saeed")
    Indexer(store, gazetteer, analyse_fn=no_extraction).run([corpus])
    assert upserts == ["Nabil Saeed", "Nabil Saeed"]
