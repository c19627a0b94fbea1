"""Actor figures (mentions, articles, first and last seen) stay equal to a full recount, whether a run
adds its own tally, deletes stories, or follows a run that died before counting (SQLite and PostgreSQL)."""
from __future__ import annotations

import json
import shutil
from datetime import date

import pytest
from sqlalchemy import select, update

from bot.ingest import indexer as indexer_module
from bot.ingest.indexer import Indexer
from bot.nlp.gazetteer import load_gazetteer
from bot.store.actor_stats import refresh_actor_stats
from bot.store.schema import actors
from tests.conftest import ROOT

SEEDS = sorted(p for p in (ROOT / "seeds").iterdir() if p.suffix == ".txt")


@pytest.fixture
def seeds(tmp_path):
    """The seed files in a folder of their own, with their sidecars."""
    folder = tmp_path / "seeds"
    shutil.copytree(ROOT / "seeds", folder)
    return folder


def index(store, *paths, **options):
    gazetteer = load_gazetteer(ROOT / "config" / "actors.yaml")
    return Indexer(store, gazetteer=gazetteer).run(list(paths), **options)


def figures(store) -> dict[str, tuple]:
    with store.connect() as conn:
        return {row.key: (row.mention_count, row.article_count, row.first_seen, row.last_seen)
                for row in conn.execute(select(actors.c.key, actors.c.mention_count, actors.c.article_count,
                                               actors.c.first_seen, actors.c.last_seen))}


def recounted(store) -> dict[str, tuple]:
    with store.begin() as conn:
        refresh_actor_stats(conn)
    return figures(store)


def test_a_run_that_adds_stories_adds_its_tally(store, seeds, monkeypatch):
    first, second = sorted(seeds.glob("*.txt"))
    index(store, first, keep_missing=True)
    recounts = []
    monkeypatch.setattr(indexer_module, "refresh_actor_stats", recounts.append)
    index(store, second, keep_missing=True)
    assert recounts == []  # the tally alone made the figures
    monkeypatch.undo()
    added = figures(store)
    assert sum(m for m, *_ in added.values()) > 100  # the seeds name many actors
    assert added == recounted(store)


def test_a_run_after_one_that_died_before_counting_recounts(store, seeds):
    first, second = sorted(seeds.glob("*.txt"))
    index(store, first, keep_missing=True)
    with store.begin() as conn:  # as if the run had committed its files and died before the figures
        conn.execute(update(actors).values(mention_count=0, article_count=0))
    index(store, second, keep_missing=True)
    assert figures(store) == recounted(store)
    assert any(m for m, *_ in figures(store).values())


def test_removing_a_file_recounts_and_drops_actors_only_it_named(store, seeds):
    index(store, seeds)
    before = figures(store)
    removed = sorted(seeds.glob("*.txt"))[-1]
    removed.unlink()
    index(store, seeds)
    after = figures(store)
    assert after == recounted(store)
    assert sum(m for m, *_ in after.values()) < sum(m for m, *_ in before.values())
    assert len(after) < len(before)


def test_a_copy_dated_earlier_recounts_only_the_actors_its_story_names(store, tmp_path, monkeypatch):
    story = ("Iraqi Prime Minister Mustafa al-Kadhimi met Jeanine Hennis-Plasschaert in Baghdad on Monday. "
             "Kadhimi said the talks with the United Nations envoy were useful, and Hennis-Plasschaert agreed.")
    other = "Ali Khamenei addressed the Assembly of Experts in Tehran, and Hassan Rouhani attended."
    first = tmp_path / "first.jsonl"
    first.write_text(json.dumps({"title": "Talks", "date": "2024-05-02", "text": story}) + "\n"
                     + json.dumps({"title": "Tehran", "date": "2024-05-03", "text": other}) + "\n")
    index(store, first)
    copy = tmp_path / "copy.jsonl"
    copy.write_text(json.dumps({"title": "Talks", "date": "2024-04-30", "text": story}) + "\n")
    recounts = []
    monkeypatch.setattr(indexer_module, "refresh_actor_stats",
                        lambda conn, stories=None: recounts.append(stories) or refresh_actor_stats(conn, stories))
    index(store, first, copy)
    assert len(recounts) == 1 and len(recounts[0]) == 1  # one story moved: its actors, not every actor
    monkeypatch.undo()
    moved = figures(store)
    assert moved["mustafa al kadhimi"][2:] == (date(2024, 4, 30), date(2024, 4, 30))
    assert moved["ali khamenei"][2:] == (date(2024, 5, 3), date(2024, 5, 3))
    assert moved == recounted(store)


def test_a_file_rolled_back_after_its_stories_were_tallied_leaves_the_figures_right(store, seeds, monkeypatch):
    first, second = sorted(seeds.glob("*.txt"))[:2]
    calls = []
    store_quotes = Indexer._store_quotes

    def fails_on_the_second_file(self, conn, new_items, named):
        calls.append(1)
        if len(calls) == 2:  # after the file's mentions were written and tallied
            raise RuntimeError("disk full")
        return store_quotes(self, conn, new_items, named)

    monkeypatch.setattr(Indexer, "_store_quotes", fails_on_the_second_file)
    report = index(store, first, second, keep_missing=True)
    monkeypatch.undo()
    assert report.files_indexed == 1 and any("disk full" in p.reason for p in report.problems)
    assert figures(store) == recounted(store)
    assert sum(m for m, *_ in figures(store).values()) > 0
