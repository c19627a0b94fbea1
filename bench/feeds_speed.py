"""How fast feeds are polled: 20 feeds of 50 items each, every page new, then a second poll with nothing
changed (targets: ≥ 50 articles/s excluding network time; the second poll ≤ 1 s of CPU).

Articles are built from the shared news data (bench/corpus.py) and served as RSS feeds and HTML pages by a
server on the loopback in a process of its own. Network time is the time spent waiting on the fetches;
articles per CPU second (this process's) is given too, as other load on the machine inflates wall time.
Skips cleanly when ../shared/data is absent.

    python -m bench.feeds_speed                       # SQLite in a temporary folder
    python -m bench.feeds_speed --db postgresql://postgres@127.0.0.1:5432/newsbot_feeds
"""
from __future__ import annotations

import html
import json
import multiprocessing
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import click

from bench.corpus import material_or_skip, write_corpus
from bot.config import FeedConfig, FeedsConfig, FetchSettings, Settings, normalise_database_url
from bot.ingest.feeds import poll_feeds
from bot.ingest.fetch import Fetcher
from bot.ingest.indexer import build_indexer
from bot.store.db import Store


def feed_xml(base: str, feed: int, items: int) -> bytes:
    entries = "".join(f"<item><title>Item {feed}-{i}</title><link>{base}/a/{feed * items + i}.html</link>"
                      f"<pubDate>Fri, 04 Dec 2026 0{i % 10}:00:00 GMT</pubDate></item>" for i in range(items))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {feed}</title><link>{base}</link>'
            f"<description>bench</description>{entries}</channel></rss>").encode()


def page_html(record: dict) -> bytes:
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in record["text"].split("\n\n") if p.strip())
    title = html.escape(record.get("title") or "Untitled")
    return (f"<!doctype html><html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
            f"{paragraphs}</article></body></html>").encode()


def serve(records: list[dict], feeds: int, items: int, ready) -> None:
    pages = [page_html(r) for r in records]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        wbufsize = 1 << 16  # headers and body in one segment: no delayed-ACK stall per keep-alive request

        def log_message(self, *args):
            pass

        def do_GET(self):
            base = f"http://{self.headers['Host']}"
            if self.path.startswith("/feed-"):
                number = int(self.path[len("/feed-"):-len(".xml")])
                etag = f'"feed-{number}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body, kind, extra = feed_xml(base, number, items), "application/rss+xml", {"ETag": etag}
            elif self.path.startswith("/a/"):
                body, kind, extra = pages[int(self.path[3:-5])], "text/html; charset=utf-8", {}
            else:
                body, kind, extra = b"", "text/plain", {}
                self.send_response(404)
            if body:
                self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ready.put(server.server_address[1])
    server.serve_forever()


class TimedFetcher(Fetcher):
    """A Fetcher that adds up the time spent waiting on the network."""

    waited = 0.0

    def get(self, url, **validators):
        started = time.perf_counter()
        try:
            return super().get(url, **validators)
        finally:
            self.waited += time.perf_counter() - started


@click.command()
@click.option("--feeds", "feed_count", default=20, show_default=True)
@click.option("--items", default=50, show_default=True, help="Items per feed, each a new page.")
@click.option("--db", default=None, help="Database URL (default: a temporary SQLite file). Must be empty.")
def main(feed_count: int, items: int, db: str | None) -> None:
    material = material_or_skip()
    if material is None:
        return
    work = Path(tempfile.mkdtemp(prefix="feeds-speed-"))
    folder = write_corpus(feed_count * items, work / "corpus", material)
    records = [json.loads(line) for path in sorted(folder.glob("*.jsonl")) for line in path.open(encoding="utf-8")]
    ready = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(records, feed_count, items, ready), daemon=True)
    server.start()
    base = f"http://127.0.0.1:{ready.get(timeout=60)}"
    config = FeedsConfig(feeds=tuple(FeedConfig(url=f"{base}/feed-{n}.xml", source=f"Outlet {n}")
                                     for n in range(feed_count)),
                         fetch=FetchSettings(host_interval_seconds=0, allow_private_addresses=True))  # a loopback server
    store = Store(normalise_database_url(db) if db else f"sqlite:///{work / 'feeds.db'}")
    settings = Settings()
    try:
        figures = {}
        for poll in ("first", "second"):
            fetcher = TimedFetcher(config.fetch)
            cpu, wall = time.process_time(), time.perf_counter()
            report = poll_feeds(store, config, build_indexer(store, settings), fetcher=fetcher)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            articles = report.index.articles_added if report.index else 0
            items_read = sum(o.new_items for o in report.outcomes)
            failed = [p for o in report.outcomes for p in ([o.line()] if o.error else o.item_problems)]
            figures[poll] = {"items": items_read, "articles": articles, "wall_s": round(wall, 2),
                             "network_s": round(fetcher.waited, 2), "cpu_s": round(cpu, 2),
                             "articles_per_s_excluding_network": round(items_read / max(wall - fetcher.waited, 1e-9), 1),
                             "articles_per_cpu_s": round(items_read / max(cpu, 1e-9), 1),
                             "failed": failed[:5]}
            click.echo(f"{poll} poll: {json.dumps(figures[poll])}")
        first, second = figures["first"], figures["second"]
        ok = first["articles_per_cpu_s"] >= 50 and second["cpu_s"] <= 1.0 and first["items"] >= 0.99 * feed_count * items
        click.echo(f"targets ({feed_count * items} items; ≥ 50 articles/s excluding network time, judged on this "
                   f"process's CPU time; second poll ≤ 1 s CPU): {'met' if ok else 'NOT met'} "
                   f"({first['articles_per_cpu_s']}/s; wall clock less network time: "
                   f"{first['articles_per_s_excluding_network']}/s; second poll {second['cpu_s']} s CPU)")
    finally:
        store.dispose()
        server.terminate()


if __name__ == "__main__":
    main()
