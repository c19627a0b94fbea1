"""Ingestion benchmark (issue 2): index the 19,765 Reuters-21578 stories into SQLite.

Ingestion and storage only: reading, normalising, the syndication check and the
writes, with extraction switched off (the Indexer's analyse_fn). Reports
articles/s for a fresh index (by the wall clock, and by this process's CPU time,
which a busy shared machine does not distort), the unchanged re-run, and peak memory.

    python -m bench.ingest                 # the whole file, SQLite in a temporary folder
    python -m bench.ingest --db postgresql://postgres@127.0.0.1:5432/test
    python -m bench.ingest --limit 2000    # a quick look

Skips (exit 0, says so) when ../shared/data is absent.
"""
from __future__ import annotations

import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

import click

from bot.ingest.indexer import Indexer
from bot.ingest.pipeline import AnalysedArticle
from bot.store.db import Store

ROOT = Path(__file__).resolve().parent.parent
REUTERS = ROOT.parent / "shared" / "data" / "news-corpus" / "reuters-21578" / "articles.jsonl"


def no_extraction(doc, gazetteer=None) -> AnalysedArticle:
    return AnalysedArticle(doc=doc)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def measure(source: Path, db_url: str) -> dict:
    store = Store(db_url)
    try:
        load_before = os.getloadavg()[0]
        started, cpu_started = time.perf_counter(), time.process_time()
        first = Indexer(store, analyse_fn=no_extraction).run([source])
        fresh_s, cpu_s = time.perf_counter() - started, time.process_time() - cpu_started
        started = time.perf_counter()
        again = Indexer(store, analyse_fn=no_extraction).run([source])
        rerun_s = time.perf_counter() - started
    finally:
        store.dispose()
    occurrences = first.occurrences_added
    return {
        "source": str(source), "database": db_url.split("?")[0],
        "articles_read": occurrences, "stories": first.articles_added,
        "syndicated_or_repeated": occurrences - first.articles_added, "problems": len(first.problems),
        "seconds": round(fresh_s, 2), "articles_per_s": round(occurrences / fresh_s),
        "cpu_seconds": round(cpu_s, 2), "articles_per_cpu_s": round(occurrences / cpu_s),
        "load_average_before": round(load_before, 2),
        "unchanged_rerun_seconds": round(rerun_s, 3), "unchanged_rerun_files": again.files_unchanged,
        "peak_rss_mb": round(peak_rss_mb()),
        "python": platform.python_version(), "machine": f"{platform.machine()}, {_cores()} cores",
    }


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@click.command()
@click.option("--db", "db_url", help="Database URL (default: a fresh SQLite file in a temporary folder).")
@click.option("--source", type=click.Path(path_type=Path), default=REUTERS, show_default=True)
@click.option("--limit", type=int, help="Index only the first N stories.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def main(db_url: str | None, source: Path, limit: int | None, as_json: bool) -> None:
    """Index the Reuters stories without extraction; report articles/s and peak memory."""
    if not source.exists():
        click.echo(f"skipped: {source} not found (the shared data lives in ../shared/data)")
        return
    with tempfile.TemporaryDirectory(prefix="newsbot-ingest-") as tmp:
        if limit:
            subset = Path(tmp) / "subset.jsonl"
            with source.open("rb") as src, subset.open("wb") as dst:
                for number, line in enumerate(src):
                    if number >= limit:
                        break
                    dst.write(line)
            source = subset
        figures = measure(source, db_url or f"sqlite:///{Path(tmp) / 'ingest.db'}")
    if db_url and "postgresql" in db_url:
        click.echo("note: the PostgreSQL tables are left in place; use a scratch database", err=True)
    if as_json:
        click.echo(json.dumps(figures))
        return
    click.echo(f"{figures['articles_read']:,} articles ({figures['stories']:,} stories, "
               f"{figures['syndicated_or_repeated']:,} syndicated or repeated) in {figures['seconds']}s: "
               f"{figures['articles_per_s']:,} articles/s on {figures['database']}")
    click.echo(f"CPU time {figures['cpu_seconds']}s: {figures['articles_per_cpu_s']:,} articles per CPU second "
               f"(load average before the run: {figures['load_average_before']})")
    click.echo(f"unchanged re-run: {figures['unchanged_rerun_seconds']}s; peak memory {figures['peak_rss_mb']} MB; "
               f"{figures['machine']}, Python {figures['python']}")
    if figures["problems"]:
        click.echo(f"{figures['problems']} problem(s) while reading", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
