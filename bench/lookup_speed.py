"""Lookup latency on a ~20k-article index (issue 3), one process, output excluded.

    python -m bench.lookup_speed                   # indexes the Reuters-21578 stories once, then measures
    python -m bench.lookup_speed --db URL          # an existing index
    python -m bench.lookup_speed --lookups 2000 --json
    python -m bench.lookup_speed --during-rebuild  # lookups while the indexes follow a new generation

The index is built from ../shared/data/news-corpus/reuters-21578/articles.jsonl (internal data,
never copied into the project) into bench/results/tmp/lookup-reuters.db, once; later runs reuse
it (indexing is incremental). Without the shared data the benchmark says so and exits 0.

Measured: alias index build (start-up), resident memory, and over a fixed, seeded query mix
(bench/queries.py: exact names, spelling variants, typos, partial names, script forms, absent
names, plus the lookup query set): `resolve` (the answer) and `lookup` (answer + profile, with
the profile cache cleared before each call, so every profile is read from the store), and the same
lookups filtered (`lookup_filtered`: since the index's median article date, from its busiest outlet, so
each profile's articles and quotes are narrowed).

`--during-rebuild` measures instead what a change of the index costs the bot's users: the time to build
the alias index and the quote index again, then, after the store's generation is bumped and the engines'
check is due, every lookup (answer + profile) from the first until both indexes are of the new generation.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time
from collections import Counter, defaultdict
from functools import partial
from pathlib import Path

from bench.probe import percentiles
from bench.queries import SEED, lookup_queries

ROOT = Path(__file__).resolve().parent.parent
REUTERS = ROOT.parent / "shared" / "data" / "news-corpus" / "reuters-21578" / "articles.jsonl"
DEFAULT_DB = ROOT / "bench" / "results" / "tmp" / "lookup-reuters.db"


def rss_mb() -> float:
    """Peak resident memory of this process (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ensure_index(db_url: str) -> dict:
    """Index the Reuters stories with config/actors.yaml (skipped when already indexed)."""
    from bot.config import Settings
    from bot.ingest.indexer import build_indexer
    from bot.store.db import Store

    store = Store(db_url)
    started = time.perf_counter()
    report = build_indexer(store, Settings(config_dir=ROOT / "config")).run([REUTERS], keep_missing=True)
    elapsed = time.perf_counter() - started
    store.dispose()
    return {"articles_added": report.articles_added, "index_s": round(elapsed, 1)}


def curated_actors() -> list[tuple[str, str, list[str]]]:
    from bot.nlp.gazetteer import load_gazetteer

    return [(a.name, a.kind, list(a.aliases)) for a in load_gazetteer(ROOT / "config" / "actors.yaml").actors]


def query_mix(store, total: int) -> list[tuple[str, str]]:
    from bench.score_lookup import load_queries

    mix = lookup_queries(store, curated_actors(), total, random.Random(SEED))
    return mix + [(f"set:{q.kind}", q.q) for q in load_queries()]


def measure(db_url: str, total: int) -> dict:
    from sqlalchemy import func, select

    from bot.search.engines import Engines
    from bot.store.db import Store
    from bot.store.schema import actors, aliases, articles

    store = Store(db_url)
    with store.connect() as conn:
        sizes = {name: conn.execute(select(func.count()).select_from(table)).scalar()
                 for name, table in (("articles", articles), ("actors", actors), ("aliases", aliases))}
    mix = query_mix(store, total)
    rss_before = rss_mb()
    engine = Engines(store)
    started, started_cpu = time.perf_counter(), time.process_time()
    index = engine.lookup_engine.index
    build_ms, build_cpu_ms = (time.perf_counter() - started) * 1000, (time.process_time() - started_cpu) * 1000
    (_, first_ms, _) = timed(engine.lookup, mix[0][1])  # builds what the first profile needs (the quote index)
    rss_ready = rss_mb()
    timings: dict[str, list[float]] = defaultdict(list)
    by_kind: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, Counter] = defaultdict(Counter)
    for kind, query in mix:
        (result, wall, cpu) = timed(engine.lookup_engine.resolve, query)
        timings["resolve_ms"].append(wall)
        timings["resolve_cpu_ms"].append(cpu)
        by_kind[kind.split(":")[0] if kind.startswith("set:") else kind].append(wall)
        statuses[kind][result.status] += 1
    for _, query in mix:
        engine.profiles._cache.clear()  # every profile from the store, as after a reindex
        (_, wall, cpu) = timed(engine.lookup, query)
        timings["lookup_ms"].append(wall)
        timings["lookup_cpu_ms"].append(cpu)
    filters = index_filters(store)
    for _, query in mix:
        engine.profiles._cache.clear()
        (_, wall, cpu) = timed(partial(engine.lookup, filters=filters), query)
        timings["lookup_filtered_ms"].append(wall)
    store.dispose()
    return {
        "index": sizes, "alias_entries": len(index.entries), "queries": len(mix),
        "first_lookup_ms": round(first_ms, 1), "startup_ms": round(build_ms, 1), "startup_cpu_ms": round(build_cpu_ms, 1), "rss_mb": {"before": round(rss_before), "ready": round(rss_ready),
                                                     "end": round(rss_mb())},
        **{name: {k: round(v, 2) for k, v in percentiles(values).items()} for name, values in timings.items()},
        "resolve_p99_by_kind_ms": {k: round(percentiles(v)["p99"], 2) for k, v in sorted(by_kind.items())},
        "status_by_kind": {k: dict(v) for k, v in sorted(statuses.items())},
        "load_average": os.getloadavg(),
    }


def during_rebuild(db_url: str, total: int) -> dict:
    """Lookups from the first that finds the generation moved on until both indexes follow it."""
    from bot.search import lookup, quotes
    from bot.search.engines import Engines
    from bot.store.db import Store

    store = Store(db_url)
    mix = query_mix(store, total)
    engine = Engines(store)
    engine.lookup(mix[0][1])  # the first build (or the snapshots' load) of both indexes, the word lists' load
    quotes.current_index(store)
    rebuild_s = {}
    for kind, build in (("lookup", partial(lookup.build_index, snapshot=False)), ("quotes", quotes.build_index)):
        started = time.perf_counter()
        build(store)
        rebuild_s[kind] = round(time.perf_counter() - started, 2)
    with store.begin() as conn:
        store.bump_generation(conn, indexed=False)
    generation = store.generation()
    time.sleep(max(lookup.REFRESH_SECONDS, quotes.REFRESH_SECONDS) + 0.1)  # both checks are due
    latencies: list[float] = []
    started = time.perf_counter()
    followed = False
    while not followed and time.perf_counter() - started < 300:
        engine.profiles._cache.clear()
        (_, wall, _) = timed(engine.lookup, mix[len(latencies) % len(mix)][1])
        latencies.append(wall)
        # (the lookup just checked both: these read the indexes without another check)
        followed = (engine.lookup_engine.index.generation == generation
                    and quotes.current_index(store).generation == generation)
    followed_s = time.perf_counter() - started
    store.dispose()
    return {"rebuild_s": rebuild_s, "followed_s": round(followed_s, 2), "first_lookup_ms": round(latencies[0], 1),
            "lookups": {k: round(v, 1) for k, v in percentiles(latencies).items()},
            "load_average": os.getloadavg()}


def index_filters(store):
    """Filters that narrow most profiles: since the median article date, from the outlet of most articles."""
    from sqlalchemy import func, select

    from bot.search.filters import Filters
    from bot.store.schema import articles

    with store.connect() as conn:
        dated = conn.execute(select(func.count()).select_from(articles).where(articles.c.date.is_not(None))).scalar()
        median = conn.execute(select(articles.c.date).where(articles.c.date.is_not(None))
                              .order_by(articles.c.date).offset(dated // 2).limit(1)).scalar()
        outlet = conn.execute(select(articles.c.source).where(articles.c.source.is_not(None))
                              .group_by(articles.c.source).order_by(func.count().desc()).limit(1)).scalar()
    return Filters(since=median, source=outlet)


def timed(fn, query):
    """Wall-clock and CPU milliseconds of one call (on a shared, loaded machine the CPU time
    is the closer estimate of the unloaded latency)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn(query)
    return result, (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def main(argv: list[str] | None = None) -> int:
    from bot.config import normalise_database_url

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an existing index (default: the Reuters index in bench/results/tmp)")
    parser.add_argument("--lookups", type=int, default=1000, help="size of the generated query mix")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--during-rebuild", action="store_true",
                        help="bump the index generation and time the lookups while the indexes follow it")
    args = parser.parse_args(argv)
    built = None
    if args.db:
        db_url = normalise_database_url(args.db)
    else:
        if not REUTERS.exists():
            print(f"skipped: {REUTERS} is not here (the shared data is internal and optional)")
            return 0
        DEFAULT_DB.parent.mkdir(parents=True, exist_ok=True)
        db_url = f"sqlite:///{DEFAULT_DB}"
        built = ensure_index(db_url)
    if args.during_rebuild:
        report = during_rebuild(db_url, args.lookups)
        print(json.dumps(report, indent=2) if args.json else
              f"rebuild (s): {report['rebuild_s']}; both indexes followed the new generation after "
              f"{report['followed_s']} s; {report['lookups']['n']} lookups meanwhile: first "
              f"{report['first_lookup_ms']} ms, p50 {report['lookups']['p50']} ms, max {report['lookups']['max']} ms; "
              "load average " + " ".join(f"{x:.2f}" for x in report["load_average"]))
        return 0
    report = measure(db_url, args.lookups)
    if built:
        report["indexing"] = built
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"index: {report['index']['articles']} articles, {report['index']['actors']} actors, "
          f"{report['alias_entries']} alias entries; start-up (alias index build) {report['startup_ms']:.0f} ms "
          f"({report['startup_cpu_ms']:.0f} ms CPU), first lookup {report['first_lookup_ms']:.0f} ms; "
          f"peak RSS {report['rss_mb']['ready']} MB ready, {report['rss_mb']['end']} MB at the end")
    for name in ("resolve_ms", "resolve_cpu_ms", "lookup_ms", "lookup_cpu_ms", "lookup_filtered_ms"):
        p = report[name]
        print(f"{name[:-3]:<12} n={p['n']}  p50 {p['p50']:.2f} ms  p90 {p['p90']:.2f} ms  p99 {p['p99']:.2f} ms  "
              f"max {p['max']:.1f} ms")
    print("load average during the run: " + " ".join(f"{x:.2f}" for x in report["load_average"]))
    print("resolve p99 by kind (ms): " + ", ".join(f"{k} {v}" for k, v in report["resolve_p99_by_kind_ms"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
