"""Indexing speed with actor extraction on (issue 3): Reuters-21578 stories into a fresh SQLite index.

Three runs over the same stories, each into its own fresh index, one process, one core:
`none` (reading and storage only), `actors` (mention extraction with config/actors.yaml, no
quotes), `full` (the real pipeline: actors and quotes). Reports articles per second by the wall
clock and by this process's CPU time (the steadier figure on a shared machine).

    python -m bench.actors_speed                 # the first 5,000 stories
    python -m bench.actors_speed --limit 19765   # all of them

Skips (exit 0, says so) when ../shared/data is absent.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import click

from bench.ingest import REUTERS, no_extraction, peak_rss_mb
from bot.ingest.indexer import Indexer
from bot.ingest.pipeline import AnalysedArticle, analyse
from bot.nlp.actors import extract_mentions
from bot.nlp.gazetteer import load_gazetteer
from bot.nlp.world import preload
from bot.store.db import Store

ROOT = Path(__file__).resolve().parent.parent


def actors_only(doc, gazetteer=None) -> AnalysedArticle:
    return AnalysedArticle(doc=doc, mentions=extract_mentions(doc.text, gazetteer, title=doc.title))


MODES = {"none": no_extraction, "actors": actors_only, "full": analyse}


def run(source: Path, folder: Path, mode: str, gazetteer) -> dict:
    store = Store(f"sqlite:///{folder / f'{mode}.db'}")
    try:
        started, cpu_started = time.perf_counter(), time.process_time()
        report = Indexer(store, gazetteer=gazetteer, analyse_fn=MODES[mode]).run([source])
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    finally:
        store.dispose()
    n = report.occurrences_added
    return {"mode": mode, "articles": n, "seconds": round(wall, 2), "articles_per_s": round(n / wall),
            "cpu_seconds": round(cpu, 2), "articles_per_cpu_s": round(n / cpu)}


@click.command()
@click.option("--limit", type=int, default=5000, show_default=True, help="Index the first N stories.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def main(limit: int, as_json: bool) -> None:
    """Index Reuters stories with extraction off, actors only, and the full pipeline."""
    if not REUTERS.exists():
        click.echo(f"skipped: {REUTERS} is not there")
        return
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    gazetteer = load_gazetteer(ROOT / "config" / "actors.yaml")
    preload()  # word lists load once per process, before the clock starts
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = folder / "stories.jsonl"
        with REUTERS.open(encoding="utf-8") as src, source.open("w", encoding="utf-8") as out:
            for number, line in enumerate(src):
                if number >= limit:
                    break
                out.write(line)
        results = [run(source, folder, mode, gazetteer) for mode in MODES]
    figures = {"runs": results, "load_average": round(os.getloadavg()[0], 2), "peak_rss_mb": round(peak_rss_mb())}
    if as_json:
        click.echo(json.dumps(figures))
        return
    for r in results:
        click.echo(f"{r['mode']:7s} {r['articles']:6d} articles  {r['seconds']:7.2f} s  {r['articles_per_s']:5d}/s wall"
                   f"  {r['cpu_seconds']:7.2f} s CPU  {r['articles_per_cpu_s']:5d}/CPU s")
    click.echo(f"load average {figures['load_average']}, peak RSS {figures['peak_rss_mb']} MB")


if __name__ == "__main__":
    sys.exit(main())
