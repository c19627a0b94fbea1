"""Where a lookup's or a quote search's time goes: every SQL statement of the query mix, timed.

Runs the scale benchmark's query mix (bench/queries.py, the same seed) in this process against an
existing index and prints, per call, the whole time, the time inside SQL statements and how many
ran, then each kind of statement: how often, milliseconds per call and per statement. On PostgreSQL
each statement is a round trip to the server, so this is where the two backends part.

    python -m bench.statements sqlite:///bench/results/tmp/100000_all.indexed.db
    python -m bench.statements "postgresql://postgres@127.0.0.1:5432/test?options=-csearch_path%3Dbench_x" --quotes
"""
from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path

import click
from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent


def time_statements(store, calls) -> tuple[float, dict[str, list]]:
    """Run `calls` (no-argument callables); the wall time and, per statement text, [count, seconds]."""
    stats: dict[str, list] = defaultdict(lambda: [0, 0.0])

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info["statement_started"] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        entry = stats[" ".join(statement.split())[:110]]
        entry[0] += 1
        entry[1] += time.perf_counter() - conn.info.pop("statement_started")

    event.listen(store.engine, "before_cursor_execute", before)
    event.listen(store.engine, "after_cursor_execute", after)
    try:
        started = time.perf_counter()
        for call in calls:
            call()
        return time.perf_counter() - started, stats
    finally:
        event.remove(store.engine, "before_cursor_execute", before)
        event.remove(store.engine, "after_cursor_execute", after)


@click.command()
@click.argument("db_url")
@click.option("--quotes", "quote_searches", is_flag=True, help="Time the quote searches instead of the lookups.")
@click.option("--warm", is_flag=True, help="Run the mix once untimed first (the database's caches warm, as "
              "right after indexing; profiles are still read from the store).")
@click.option("--top", default=12, show_default=True, help="Statements listed.")
def main(db_url: str, quote_searches: bool, warm: bool, top: int) -> None:
    from bench.corpus import load_actors
    from bench.queries import build_query_mix
    from bot.config import normalise_database_url
    from bot.search.engines import Engines
    from bot.store.db import Store

    store = Store(normalise_database_url(db_url), migrate=False)
    mix = build_query_mix(store, load_actors(ROOT / "config"))
    engine = Engines(store)
    search = engine.quote_search
    engine.lookup(mix.lookups[0][1])  # the engines' indexes are loaded before timing
    search.search(mix.quotes[0][1], mix.quotes[0][2])
    if quote_searches:
        calls = [lambda words=words, by=by: search.search(words, by) for _, words, by in mix.quotes]
    else:
        calls = [lambda query=query: engine.lookup(query) for _, query in mix.lookups]
    if warm:
        for call in calls:
            call()
        engine.profiles._cache.clear()
    wall, stats = time_statements(store, calls)
    n = len(calls)
    click.echo(f"{n} {'quote searches' if quote_searches else 'lookups'}: {wall / n * 1000:.2f} ms per call, "
               f"{sum(s for _, s in stats.values()) / n * 1000:.2f} ms in SQL, "
               f"{sum(c for c, _ in stats.values()) / n:.2f} statements")
    for text, (count, seconds) in sorted(stats.items(), key=lambda item: -item[1][1])[:top]:
        click.echo(f"{count:6d} {seconds / n * 1000:7.3f} ms/call {seconds / count * 1000:7.3f} ms/statement  {text}")
    store.dispose()


if __name__ == "__main__":
    main()
