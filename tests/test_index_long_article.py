"""A long article, the seeds' stories run together with no separator (half a megabyte, hundreds of
quotes and thousands of mentions), is indexed whole, and each of its copies of the stories gets
the actors, quotes and speakers the first copy gets: through `newsbot index` and the exports, and
through the pipeline for the speakers of every occurrence."""
from __future__ import annotations

import json
from collections import defaultdict

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.corpus.readers import read_file
from bot.ingest.pipeline import analyse
from bot.nlp.gazetteer import load_gazetteer
from tests.conftest import ROOT, SEEDS

COPIES = 12  # 12 copies of the seeds' six stories: about 0.5 MB


@pytest.fixture
def long_article(tmp_path):
    """The file, and the length of one copy of the stories with the blank line after it."""
    texts = [doc.text for path in sorted(SEEDS.glob("*.txt")) for doc in read_file(path).documents]
    stories = "\n\n".join(texts)
    path = tmp_path / "long-article.txt"
    path.write_text("\n\n".join([stories] * COPIES), encoding="utf-8")
    return path, len(stories) + 2


def by_copy(items, period: int, start_of, shifted) -> dict[int, list]:
    """Items grouped by the copy they fall in, with offsets taken relative to that copy."""
    copies: dict[int, list] = defaultdict(list)
    for item in items:
        copy = start_of(item) // period
        copies[copy].append(shifted(item, copy * period))
    return copies


def test_a_long_article_is_indexed_whole_with_the_actors_and_quotes_of_every_copy(long_article, db_url,
                                                                                    config_dir):
    path, period = long_article
    runner = CliRunner()

    def newsbot(*args):
        result = runner.invoke(cli, ["--db", db_url, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.stdout

    assert "1 new article in" in newsbot("index", str(path))
    (article,) = [json.loads(line) for line in newsbot("export", "articles").splitlines()]
    assert len(article["text"]) == COPIES * period - 2

    mentions = [json.loads(line) for line in newsbot("export", "mentions").splitlines()]
    copies = by_copy(mentions, period, lambda m: m["start"],
                     lambda m, offset: (m["start"] - offset, m["end"] - offset, m["surface"], m["actor"]))
    assert sorted(copies) == list(range(COPIES))
    assert all(copies[copy] == copies[0] for copy in copies) and len(copies[0]) > 300
    named = {actor for *_, actor in copies[0]}
    assert {"Ali Khamenei", "Kataeb Hezbollah", "Donald Trump", "Mike Pompeo"} <= named

    quotes = [json.loads(line) for line in newsbot("export", "quotes").splitlines()]
    occurrences = [(quote["text"], occurrence) for quote in quotes for occurrence in quote["occurrences"]]
    copies = by_copy(occurrences, period, lambda o: o[1]["start"],
                     lambda o, offset: (o[1]["start"] - offset, o[1]["end"] - offset, o[0]))
    assert sorted(copies) == list(range(COPIES))
    assert all(copies[copy] == copies[0] for copy in copies) and len(copies[0]) > 30
    (orders,) = [quote for quote in quotes if "orders were straightforward and clear" in quote["text"]]
    assert orders["speaker"] == "a senior commander of an Iranian-backed armed faction involved in the attacks"
    assert orders["anonymous"] and len(orders["occurrences"]) == COPIES  # its pull quote merged in each copy


def test_every_copy_in_a_long_article_gets_the_same_speakers(long_article):
    path, period = long_article
    (doc,) = read_file(path).documents
    found = analyse(doc, load_gazetteer(ROOT / "config" / "actors.yaml"))
    mentions = by_copy(found.mentions, period, lambda m: m.start, lambda m, offset: (
        m.start - offset, m.end - offset, m.name, m.kind, m.curated, m.sentence_start - offset))
    quotes = by_copy(found.quotes, period, lambda q: q.start, lambda q, offset: (
        q.start - offset, q.text, q.speaker, q.speaker_name, q.anonymous, q.cue, q.marked, q.partial))
    for copies in (mentions, quotes):
        assert sorted(copies) == list(range(COPIES))
        assert all(copies[copy] == copies[0] for copy in copies)
    speakers = {speaker for _, _, speaker, *_ in quotes[0]}
    assert {"Zartosht", "Sonya Sceats", "Trump", "a senior Shia leader close to Tehran"} <= speakers
