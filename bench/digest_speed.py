"""How long a digest takes to build for a day of 500 new articles (issue 6).

Builds a synthetic archive from the shared news data (bench/corpus.py), indexes it, spreads its
ingestion times and publication dates over the 14 days before the digest window (so "In the news"
has a real baseline to compare against), indexes a day of 500 new articles, then builds and renders that
day's digest several times (following three curated actors) and reports the median; then times the alert
look of those three actors over the same day (bot.digest.alerts.compose: the query an alert due after a
quiet day runs). Skips cleanly when ../shared/data is absent.

    python -m bench.digest_speed                      # SQLite in a temporary folder
    python -m bench.digest_speed --history 2000 --db postgresql://postgres@127.0.0.1:5432/test
"""
from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path

import click
from sqlalchemy import bindparam, select, update

from bench.corpus import TMP, material_or_skip, write_corpus
from bot.config import Settings, normalise_database_url
from bot.digest.alerts import compose as compose_alert
from bot.digest.build import build_digest, resolve_actors
from bot.digest.render import render_digest
from bot.digest.subscriptions import Subscription
from bot.ingest.indexer import build_indexer
from bot.store.db import Store
from bot.store.schema import articles


def spread_history(store: Store, before: datetime, days: int = 14) -> int:
    """Give the archive ingestion times spread over the `days` before `before`, each story published the
    day it is indexed (as if indexed daily as the news broke: the digest's baseline counts publication days)."""
    with store.begin() as conn:
        ids = conn.execute(select(articles.c.id).order_by(articles.c.id)).scalars().all()
        times = [before - timedelta(minutes=1 + (n * 7919) % (days * 24 * 60)) for n in range(len(ids))]
        rows = [{"aid": article_id, "at": at, "day": at.date()} for article_id, at in zip(ids, times)]
        if rows:
            conn.execute(update(articles).where(articles.c.id == bindparam("aid"))
                         .values(ingested_at=bindparam("at"), date=bindparam("day")), rows)
    return len(ids)


@click.command()
@click.option("--history", default=3000, show_default=True, help="Archive articles indexed before the day.")
@click.option("--day", "day_size", default=500, show_default=True, help="New articles in the digest's day.")
@click.option("--repeat", default=5, show_default=True, help="Digest builds to time (median reported).")
@click.option("--db", default=None, help="Database URL (default: a temporary SQLite file). Must be empty.")
def main(history: int, day_size: int, repeat: int, db: str | None) -> None:
    material = material_or_skip()
    if material is None:
        return
    work = Path(tempfile.mkdtemp(prefix="digest-speed-"))
    url = normalise_database_url(db) if db else f"sqlite:///{work / 'digest.db'}"
    store = Store(url)
    now = datetime.now(timezone.utc)
    archive = write_corpus(history, TMP / f"digest-speed-history-{history}", material)
    started = time.perf_counter()
    build_indexer(store, Settings()).run([archive], keep_missing=True)
    history_s = time.perf_counter() - started
    window_start = datetime.now(timezone.utc)
    spread = spread_history(store, window_start)
    day = write_corpus(day_size, TMP / f"digest-speed-day-{day_size}", material, day=now.date())
    started = time.perf_counter()
    build_indexer(store, Settings()).run([day], keep_missing=True)
    day_s = time.perf_counter() - started
    window_end = datetime.now(timezone.utc)
    follow = [name for name, *_ in material.actors[:3]]

    def build():
        return build_digest(store, window_start=window_start, window_end=window_end, digest_date=now.date(),
                            tz="Europe/London", follow=follow)

    builds, renders = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        digest = build()
        built = time.perf_counter()
        message = render_digest(digest)
        builds.append(built - started)
        renders.append(time.perf_counter() - built)
    with store.connect() as conn:
        followed = resolve_actors(conn, follow)
    sub = Subscription(channel="C0BENCH", timezone="Europe/London", follow=follow)
    looks = []
    for _ in range(repeat):
        started = time.perf_counter()
        found = [compose_alert(store, sub, name, followed[name], window_start, window_end, window_start)
                 for name in follow if followed[name]]
        looks.append(time.perf_counter() - started)
    tracemalloc.start()  # a separate run: tracing slows Python down, so it is not timed
    render_digest(build())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    store.dispose()
    figures = {
        "backend": "postgresql" if url.startswith("postgresql") else "sqlite",
        "history_articles": spread, "history_index_s": round(history_s, 1),
        "day_articles": digest.story_count, "day_index_s": round(day_s, 1),
        "digest_build_ms_median": round(statistics.median(builds) * 1000, 1),
        "digest_build_ms_max": round(max(builds) * 1000, 1),
        "render_ms_median": round(statistics.median(renders) * 1000, 1),
        "build_peak_python_mb": round(peak / 1e6, 1),
        "blocks": len(message.blocks), "blocks_json_chars": len(json.dumps(message.blocks, ensure_ascii=False)),
        "quotes_in_window": digest.quote_count, "actors_in_news": len(digest.in_the_news),
        "followed_mentions": [f.total_mentions for f in digest.following],
        "alert_look_ms_median": round(statistics.median(looks) * 1000, 1),
        "alert_mentions": [a.news.total_mentions for a in found],
    }
    click.echo(json.dumps(figures, indent=2))
    if digest.story_count < 0.95 * day_size:  # a few day articles may be copies of archive stories: counted once
        click.echo(f"the digest counted {digest.story_count} new stories, expected about {day_size}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
