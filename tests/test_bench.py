"""The scale benchmark: its synthetic corpus, its query mix and the `python -m bench` harness.

Corpus tests read the real stories in ../shared/data and are skipped when that
folder is absent (it is internal data, never copied into the project)."""
from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner

import bench.__main__ as harness
from bench import corpus
from bench.queries import LOOKUP_KINDS, QUOTE_KINDS, QueryMix, build_query_mix
from bot.ingest.indexer import Indexer

needs_data = pytest.mark.skipif(not corpus.shared_data_available(),
                                reason=f"{corpus.NEWS_CORPUS} is absent (internal benchmark data)")

ACTORS_YAML = """\
actors:
  - name: Kataeb Hezbollah
    kind: organization
    aliases: [Kata'ib Hizballah, Hezbollah Brigades, KH, كتائب حزب الله]
  - name: Abu Fadak al-Muhammadawi
    kind: person
    aliases: [Abdulaziz al-Muhammadawi, Abu Fadak]
"""


@pytest.fixture(scope="module")
def material(tmp_path_factory):
    if not corpus.shared_data_available():
        pytest.skip(f"{corpus.NEWS_CORPUS} is absent (internal benchmark data)")
    config = tmp_path_factory.mktemp("config")
    (config / "actors.yaml").write_text(ACTORS_YAML, encoding="utf-8")
    return corpus.load_material(config)


def read_articles(folder):
    return [json.loads(line) for path in sorted(folder.glob("*.jsonl")) for line in path.open(encoding="utf-8")]


def test_the_curated_actors_are_read_from_the_config_at_run_time(material):
    names = {name for name, _kind, _aliases in material.actors}
    assert names == {"Kataeb Hezbollah", "Abu Fadak al-Muhammadawi"}


def test_the_build_is_deterministic_and_prefix_stable(material, tmp_path):
    first = read_articles(corpus.write_corpus(120, tmp_path / "a", material))
    again = read_articles(corpus.write_corpus(120, tmp_path / "b", material))
    bigger = read_articles(corpus.write_corpus(700, tmp_path / "c", material))
    assert first == again
    assert bigger[:120] == first
    assert len(bigger) == 700 and len(list((tmp_path / "c").glob("*.jsonl"))) == 2  # 500 articles a file


def test_articles_look_like_real_copy(material, tmp_path):
    articles = read_articles(corpus.write_corpus(600, tmp_path / "corpus", material))
    texts = [a["text"] for a in articles]
    everything = "\n".join(texts)
    assert all(a["text"] and a["title"] and a["source"] and a["date"] for a in articles)
    assert len({a["id"] for a in articles}) == 600
    # Quotes in curly and straight marks, with attributions before, after and around the quote.
    assert "\u201c" in everything and '"' in everything
    assert re.search(r",\u201d [A-Z][\w .'-]+ said\.", everything)
    assert re.search(r'[\w.]+ (said|told reporters|warned): "', everything)
    assert "according to" in everything
    # Page furniture as scrapers leave it.
    assert re.search(r"^(Read more|See the original post|Continued here|Read more here): .+ - .+$", everything, re.M)
    # The curated actors appear, under their own names and under other spellings.
    assert "Kataeb Hezbollah" in everything or "Hezbollah Brigades" in everything
    spellings = set(re.findall(r"\b(?:Abu Fad[a-z]+|Kata'?[a-z]+ Hi?[a-z]+ollah|Kat[a-z]+ H[a-z]+)\b", everything))
    assert len(spellings) >= 3, spellings
    # Some stories are republished by another outlet: the same body with its own trailer.
    assert any(texts[i].startswith(texts[j] + "\n\n") for i in range(len(texts)) for j in range(i))


def test_spelling_variants_and_typos_change_the_name():
    rng = random.Random(1)
    for name in ("Kataeb Hezbollah", "Abu Mahdi al-Muhandis", "Qassem Soleimani"):
        variants = {corpus.spelling_variant(name, rng) for _ in range(20)}
        typos = {corpus.typo(name, rng) for _ in range(20)}
        assert len(variants - {name}) >= 3
        assert len(typos - {name}) >= 5
        assert all(t[0] == name[0] for t in typos)


def test_shared_data_absent_skips_cleanly(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus, "NEWS_CORPUS", tmp_path / "nowhere")
    result = CliRunner().invoke(harness.main, ["--sizes", "100", "--backends", "sqlite"])
    assert result.exit_code == 0
    assert "skipped" in result.output and "nowhere" in result.output


def test_unknown_backend_is_a_usage_error():
    result = CliRunner().invoke(harness.main, ["--backends", "mysql"])
    assert result.exit_code == 2 and "unknown backend" in result.output


@needs_data
def test_query_mix_covers_every_kind_and_is_fixed(store, material, tmp_path):
    folder = corpus.write_corpus(300, tmp_path / "corpus", material)
    Indexer(store).run([folder])
    mix = build_query_mix(store, material.actors, lookups=200, quote_searches=50)
    assert mix == build_query_mix(store, material.actors, lookups=200, quote_searches=50)
    assert {kind for kind, _ in mix.lookups} == set(LOOKUP_KINDS)
    assert {kind for kind, *_ in mix.quotes} <= set(QUOTE_KINDS)
    assert len(mix.lookups) == 200 and all(query.strip() for _, query in mix.lookups)
    assert QueryMix.from_json(json.loads(json.dumps(mix.to_json()))) == mix


def test_targets_and_growth_are_judged_on_the_figures():
    small = {"backends": {"sqlite": {"lookup_p50_ms": 2.0, "index_size_mb": 10.0, "cores": 2}}}
    big = {"backends": {"sqlite": {"lookup_p50_ms": 3.0, "index_size_mb": 100.0, "cores": 2}}}
    assert harness.growth(big, small) == {"sqlite": {"lookup_p50_ms": 1.5, "index_size_mb": 10.0}}
    verdicts = harness.target_verdicts({"lookup_p50_ms": 9.0, "lookup_p99_ms": 51.0, "index_one_core_per_s": 299})
    assert verdicts == {"lookup_p50_ms": True, "lookup_p99_ms": False, "index_one_core_per_s": False}
    ratios = harness.postgres_ratios({"sqlite": {"lookup_p50_ms": 2.0}, "postgres": {"lookup_p50_ms": 5.0}})
    assert ratios == {"lookup_p50_ms": 2.5}


@needs_data
def test_harness_runs_end_to_end_and_writes_results(tmp_path):
    """The command CI runs, at a small size: it builds, indexes, probes and writes the JSON results."""
    out = tmp_path / "results"
    proc = subprocess.run([sys.executable, "-m", "bench", "--sizes", "300", "--backends", "sqlite",
                           "--lookups", "50", "--quotes", "20", "--results-dir", str(out)],
                          capture_output=True, text=True, timeout=300, cwd=harness.ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "index 1 core (art/s)" in proc.stdout
    [written] = out.glob("*-300.json")
    result = json.loads(written.read_text())
    figures = result["backends"]["sqlite"]
    assert result["size"] == 300 and result["machine"]["cores"] >= 1
    assert figures["index_one_core_per_s"] > 0 and figures["index_size_mb"] > 0
    assert 250 <= figures["stories"] <= 300  # syndicated copies merge into their story


def test_indexing_on_all_cores_stores_exactly_what_one_core_stores(tmp_path, config_dir, db_url):
    """`newsbot index --workers 2` (extraction in worker processes, one writer) against a plain run."""
    from bot.cli import cli
    from bot.store.db import Store

    corpus_dir = config_dir.parent / "seeds"
    if corpus.shared_data_available():
        corpus.write_corpus(120, corpus_dir / "synthetic", corpus.load_material(config_dir))
    runner = CliRunner()
    exports = []
    for workers, db in (("1", f"sqlite:///{tmp_path / 'one.db'}"), ("2", db_url)):
        result = runner.invoke(cli, ["--db", db, "index", "--workers", workers, str(corpus_dir)])
        assert result.exit_code == 0, result.output
        dump = {}
        for kind in ("articles", "actors", "mentions", "quotes"):
            out = runner.invoke(cli, ["--db", db, "export", kind, "--format", "jsonl"])
            assert out.exit_code == 0, out.output
            rows = [json.loads(line) for line in out.output.splitlines() if line.strip()]
            for row in rows:
                row.pop("ingested_at", None)
                if kind in ("actors", "quotes"):
                    row.pop("id", None)  # assigned by the database
            dump[kind] = sorted(json.dumps(row, sort_keys=True) for row in rows)
        exports.append(dump)
        Store(db).dispose()
    assert exports[0]["articles"] and exports[0]["mentions"]
    assert exports[0] == exports[1]


@pytest.mark.skipif(not os.environ.get("NEWSBOT_TEST_POSTGRES_URL"), reason="copies into PostgreSQL")
def test_an_sqlite_index_copied_to_postgresql_answers_the_same(tmp_path, config_dir):
    """bench/copy_index.py: the PostgreSQL figures at 100k can be taken on the very index SQLite built."""
    from sqlalchemy import text

    from bench.copy_index import copy_index
    from bot.cli import cli
    from tests.conftest import _postgres_schema_url

    runner = CliRunner()
    source = f"sqlite:///{tmp_path / 'source.db'}"
    assert runner.invoke(cli, ["--db", source, "index", str(config_dir.parent / "seeds")]).exit_code == 0
    admin, schema, target = _postgres_schema_url(os.environ["NEWSBOT_TEST_POSTGRES_URL"])
    try:
        counts = copy_index(source, target)
        assert counts["articles"] == 6 and counts["mentions"] > 0 and counts["quotes"] > 0
        for args in (["export", "mentions"], ["export", "quotes"], ["lookup", "--json", "Kataeb Hezbollah"]):
            here, there = (runner.invoke(cli, ["--db", db, *args]) for db in (source, target))
            assert here.exit_code == there.exit_code == 0
            assert here.output == there.output
        # The copy is a working index: new actors, mentions and quotes get ids after the copied ones.
        late = tmp_path / "late.jsonl"
        late.write_text(json.dumps({"title": "Late news", "text": "BAGHDAD - Zorvantel Quimbex, the commander of the "
                                    "Ulmnith Brigades, spoke on Saturday.\n\n\u201cWe will answer any strike on our "
                                    "depots,\u201d Quimbex told reporters."}) + "\n")
        result = runner.invoke(cli, ["--db", target, "index", str(late)])
        assert result.exit_code == 0, result.output
        assert "1 new article" in result.output
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_a_later_run_of_one_backend_keeps_the_other_backends_figures(tmp_path):
    from datetime import datetime, timezone

    stamp = datetime(2026, 11, 22, tzinfo=timezone.utc)
    machine = {"load_average_1_5_15": [9.0, 9.0, 9.0]}
    first = {"size": 10, "date": "2026-11-22T04:00:00+00:00", "commit": "abc", "command": "python -m bench",
             "machine": machine, "backends": {"sqlite": {"lookup_p50_ms": 2.0}, "postgres": {"lookup_p50_ms": 8.0}}}
    harness.write_result(first, tmp_path, stamp, {})
    second = {**first, "commit": "def", "machine": {"load_average_1_5_15": [0.2, 0.2, 0.2]},
              "backends": {"sqlite": {"lookup_p50_ms": 1.0, "run": {"commit": "def"}}}}
    harness.write_result(second, tmp_path, stamp, {})
    written = json.loads((tmp_path / "2026-11-22-10.json").read_text())
    assert written["backends"]["sqlite"] == {"lookup_p50_ms": 1.0, "run": {"commit": "def"}}
    assert written["backends"]["postgres"]["lookup_p50_ms"] == 8.0
    assert written["backends"]["postgres"]["run"]["commit"] == "abc"  # says which run measured it
    assert written["postgres_over_sqlite"] == {"lookup_p50_ms": 8.0}


def test_the_long_article_benchmark_indexes_one_article_per_size_from_the_seeds(monkeypatch, tmp_path):
    """Without ../shared/data the long article is made of the seeds' stories; each size is one article."""
    from bench import big_article

    monkeypatch.setattr(big_article, "SHARED_STORIES", (tmp_path / "nowhere.jsonl",))
    result = CliRunner().invoke(big_article.main, ["--sizes", "0.03,0.06", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["stories"].startswith("seeds/")
    assert [f["articles"] for f in report["figures"]] == [1, 1]
    small, large = report["figures"]
    assert 0.02 < small["megabytes"] <= 0.03 and 0.05 < large["megabytes"] <= 0.06
    assert 0 < small["mentions"] < large["mentions"] and 0 < small["quote_occurrences"] < large["quote_occurrences"]
    assert CliRunner().invoke(big_article.main, ["--sizes", "big"]).exit_code == 2
