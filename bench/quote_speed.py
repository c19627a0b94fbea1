"""Quote search latency on a ~20k-article index, and what quote extraction costs indexing (issue 4).

    python -m bench.quote_speed                    # indexes the Reuters-21578 stories once, then measures
    python -m bench.quote_speed --db URL           # an existing index (e.g. a PostgreSQL one)
    python -m bench.quote_speed --queries 2000 --json

The index is built from ../shared/data/news-corpus/reuters-21578/articles.jsonl (internal data,
never copied into the project) into bench/results/tmp/quotes-reuters.db once (with --db, into that
database); later runs reuse it. Without the shared data the benchmark says so and exits 0.

Measured, in one process:
- extraction: bot.nlp.quotes.extract_quotes alone over the stories (articles/s on one core),
  given the actor mentions (computed beforehand, outside the timing);
- indexing: the whole pipeline (actors, quotes, store) when the index is first built;
- search: the term index build (start-up) and QuoteSearch.search latency over a seeded query mix
  drawn from the stored quotes: remembered fragments (3-5 consecutive words), the same words
  shuffled with a typo, `--by` a speaker, and `--by` a speaker with a word; plus hit@5 for the
  fragments (is the quote the words came from among the first five answers).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

from bench.probe import percentiles, rss_mb

ROOT = Path(__file__).resolve().parent.parent
REUTERS = ROOT.parent / "shared" / "data" / "news-corpus" / "reuters-21578" / "articles.jsonl"
DEFAULT_DB = ROOT / "bench" / "results" / "tmp" / "quotes-reuters.db"
SEED = 4


def ensure_index(db_url: str) -> dict:
    """Index the Reuters stories with config/actors.yaml (incremental: a second run adds nothing)."""
    from bot.config import Settings
    from bot.ingest.indexer import build_indexer
    from bot.store.db import Store

    store = Store(db_url)
    started = time.perf_counter()
    report = build_indexer(store, Settings(config_dir=ROOT / "config")).run([REUTERS], keep_missing=True)
    elapsed = time.perf_counter() - started
    store.dispose()
    rate = report.articles_added / elapsed if report.articles_added else None
    return {"articles_added": report.articles_added, "seconds": round(elapsed, 1),
            "articles_per_s": round(rate) if rate else None}


def extraction_rate(limit: int) -> dict:
    """extract_quotes alone, one core, with the actor mentions computed beforehand."""
    from bot.corpus.readers import read_file
    from bot.nlp.actors import extract_mentions
    from bot.nlp.gazetteer import load_gazetteer
    from bot.nlp.quotes import extract_quotes

    gazetteer = load_gazetteer(ROOT / "config" / "actors.yaml")
    docs = read_file(REUTERS).documents[:limit]
    prepared = [(doc.text, extract_mentions(doc.text, gazetteer, title=doc.title)) for doc in docs]
    started = time.perf_counter()
    found = sum(len(extract_quotes(text, mentions)) for text, mentions in prepared)
    elapsed = time.perf_counter() - started
    return {"articles": len(prepared), "quotes": found, "seconds": round(elapsed, 2),
            "articles_per_s": round(len(prepared) / elapsed), "ms_per_article": round(elapsed * 1000 / len(prepared), 2)}


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]  # two letters swapped


def query_mix(store, total: int) -> list[tuple[str, str, str | None, int | None]]:
    """(kind, words, by, the quote id the words came from) drawn from the stored quotes."""
    from sqlalchemy import select

    from bot.store.schema import actors, quotes

    rng = random.Random(SEED)
    with store.connect() as conn:
        rows = conn.execute(select(quotes.c.id, quotes.c.text, actors.c.name)
                            .select_from(quotes.outerjoin(actors, actors.c.id == quotes.c.speaker_actor_id))
                            .order_by(quotes.c.id)).all()
    rows = [r for r in rows if len(r.text.split()) >= 6]
    named = [r for r in rows if r.name]
    mix = []
    for n in range(total):
        kind = ("fragment", "shuffled_typo", "by", "by_words")[n % 4]
        row = rng.choice(named if kind.startswith("by") and named else rows)
        words = row.text.split()
        size = rng.randint(3, 5)
        at = rng.randrange(0, len(words) - size + 1)
        fragment = [w.strip(".,;:!?\"'“”‘’()") for w in words[at:at + size]]
        if kind == "fragment":
            mix.append((kind, " ".join(fragment), None, row.id))
        elif kind == "shuffled_typo":
            rng.shuffle(fragment)
            longest = max(range(len(fragment)), key=lambda i: len(fragment[i]))
            fragment[longest] = _typo(fragment[longest], rng)
            mix.append((kind, " ".join(fragment), None, row.id))
        elif kind == "by":
            mix.append((kind, "", row.name, None))
        else:
            mix.append((kind, max(fragment, key=len), row.name, None))
    return mix


def measure(db_url: str, total: int) -> dict:
    from sqlalchemy import func, select

    from bot.search.engines import Engines
    from bot.search.quotes import current_index
    from bot.store.db import Store
    from bot.store.schema import articles, quote_occurrences, quotes

    store = Store(db_url)
    with store.connect() as conn:
        sizes = {name: conn.execute(select(func.count()).select_from(table)).scalar()
                 for name, table in (("articles", articles), ("quotes", quotes),
                                     ("quote_occurrences", quote_occurrences))}
    mix = query_mix(store, total)
    rss_before = rss_mb()
    started = time.perf_counter()
    index = current_index(store)
    build_ms = (time.perf_counter() - started) * 1000
    engines = Engines(store)
    engines.lookup_engine.index  # the lookup engine's own start-up is measured by bench.lookup_speed
    search = engines.quote_search
    samples: list[float] = []
    by_kind: dict[str, list[float]] = defaultdict(list)
    found_at_5 = defaultdict(lambda: [0, 0])
    for kind, words, by, source_id in mix:
        started = time.perf_counter()
        result = search.search(words, by, limit=5)
        elapsed = (time.perf_counter() - started) * 1000
        samples.append(elapsed)
        by_kind[kind].append(elapsed)
        if source_id is not None:
            found_at_5[kind][1] += 1
            found_at_5[kind][0] += any(hit.id == source_id for hit in result.results)
    store.dispose()
    return {
        "index": sizes, "vocabulary": len(index.postings), "queries": len(mix),
        "startup_ms": round(build_ms), "rss_mb": {"before": round(rss_before), "end": round(rss_mb())},
        "search_ms": {k: round(v, 2) for k, v in percentiles(samples).items()},
        "by_kind_ms": {k: {"p50": round(percentiles(v)["p50"], 2), "p99": round(percentiles(v)["p99"], 2)}
                       for k, v in sorted(by_kind.items())},
        "hit_at_5": {k: round(hit / n, 3) for k, (hit, n) in sorted(found_at_5.items()) if n},
    }


def main(argv: list[str] | None = None) -> int:
    from bot.config import normalise_database_url

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database to index into and search (default: SQLite in bench/results/tmp)")
    parser.add_argument("--queries", type=int, default=1000, help="size of the query mix")
    parser.add_argument("--extract", type=int, default=3000, help="stories to time quote extraction on")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not REUTERS.exists():
        print(f"skipped: {REUTERS} is not here (the shared data is internal and optional)")
        return 0
    if args.db:
        db_url = normalise_database_url(args.db)
    else:
        DEFAULT_DB.parent.mkdir(parents=True, exist_ok=True)
        db_url = f"sqlite:///{DEFAULT_DB}"
    report = {"indexing": ensure_index(db_url), "extraction": extraction_rate(args.extract) if args.extract else None}
    report.update(measure(db_url, args.queries))
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    size, ext, idx = report["index"], report["extraction"], report["indexing"]
    print(f"index: {size['articles']} articles, {size['quotes']} quotes ({size['quote_occurrences']} occurrences), "
          f"{report['vocabulary']} words; term index start-up {report['startup_ms']} ms; "
          f"RSS {report['rss_mb']['before']} → {report['rss_mb']['end']} MB")
    if idx["articles_added"]:
        print(f"indexing (whole pipeline, fresh): {idx['articles_added']} articles in {idx['seconds']} s = "
              f"{idx['articles_per_s']} articles/s")
    if ext:
        print(f"quote extraction alone: {ext['articles_per_s']} articles/s ({ext['ms_per_article']} ms/article, "
              f"{ext['quotes']} quotes in {ext['articles']} stories)")
    p = report["search_ms"]
    print(f"search n={p['n']}  p50 {p['p50']:.2f} ms  p90 {p['p90']:.2f} ms  p99 {p['p99']:.2f} ms  max {p['max']:.1f} ms")
    print("by kind (p50/p99 ms): " + ", ".join(f"{k} {v['p50']}/{v['p99']}" for k, v in report["by_kind_ms"].items()))
    print("hit@5: " + ", ".join(f"{k} {v}" for k, v in report["hit_at_5"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
