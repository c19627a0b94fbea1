"""Feeds as a user runs them: `newsbot feeds poll` and `newsbot feeds status` against RSS 2.0 and Atom
feeds served on the loopback, with every way a feed can fail beside good ones (SQLite and PostgreSQL)."""
from __future__ import annotations

import time

import pytest

from tests.feed_server import LAST_MODIFIED, FeedServer
from tests.test_cli_index import exported, newsbot  # noqa: F401  (fixture)

GOOD = ["rss.xml", "atom.xml", "full.xml"]
BAD = {"missing.xml": "HTTP 404", "error.xml": "HTTP 500", "broken.xml": "broken feed XML",
       "page.xml": "an HTML page, not an RSS or Atom feed", "loop.xml": "redirect loop",
       "huge.xml": "over the 5 MB limit", "slow.xml": "no answer within 0.5 s",
       "private/feed.xml": "robots.txt"}


def write_feeds(config_dir, base: str) -> None:
    lines = ["fetch:", "  allow_private_addresses: true", "  read_timeout_seconds: 0.5", "  connect_timeout_seconds: 1",
             "  retries: 1",
             "  host_interval_seconds: 0", "  max_megabytes: 5", "feeds:"]
    for name in [*GOOD, *BAD]:
        lines += [f"  - url: {base}/{name}", f"    source: {name.split('.')[0].title()} Desk"]
        if name == "full.xml":
            lines.append("    full_text: true")
    lines += ["  - url: http://127.0.0.1:1/unreachable.xml", "    source: Nowhere", "    every_minutes: 5"]
    (config_dir / "feeds.yaml").write_text("\n".join(lines) + "\n")


def test_poll_indexes_good_feeds_reports_bad_ones_and_polls_again_for_nothing(newsbot, config_dir, server):
    write_feeds(config_dir, server)
    result = newsbot("feeds", "poll")
    assert result.exit_code == 1, result.output  # some feeds failed
    out = result.stdout
    assert "Polled 12 feeds: 5 new items, 4 new articles (+1 copy of stories already indexed)" in out
    assert f"{server}/rss.xml: 2 new items, 2 items not read" in out
    assert f"{server}/articles/removed.html: HTTP 404" in result.stderr
    assert f"{server}/private/story.html: disallowed by the site's robots.txt" in result.stderr
    assert f"{server}/atom.xml: 2 new items" in out
    for name, reason in BAD.items():
        assert f"{server}/{name}: " in out and reason in out.split(f"{server}/{name}: ")[1].split("\n")[0], name
    assert "http://127.0.0.1:1/unreachable.xml: unreachable" in out
    assert all(headers.get("User-Agent", "").startswith("newsbot/") for _, headers in FeedServer.seen)
    assert not any(path.startswith("/private/") for path, _ in FeedServer.seen)

    articles = newsbot("export", "articles", "--format", "jsonl").stdout
    assert "Tehran weighs new round of nuclear talks" in articles and '"date": "2024-12-03"' in articles
    assert f'"url": "{server}/articles/tehran-talks.html"' in articles and '"source": "Rss Desk"' in articles
    assert "Oil ministers meet in Vienna" in articles  # from the feed's own text

    lookup = newsbot("lookup", "Ali Khamenei")
    assert lookup.exit_code == 0 and "Tehran weighs new round of nuclear talks" in lookup.stdout

    status = newsbot("feeds", "status").stdout
    assert "Rss Desk" in status and "2 items · 0 failed polls" in status
    assert "error: " + f"{server}/articles/removed.html: HTTP 404" in status
    assert "Error Desk" in status and "error: HTTP 500" in status and "last success: never" in status

    FeedServer.seen = []
    again = newsbot("feeds", "poll")
    assert "0 new items, 0 new articles" in again.stdout, again.output
    assert f"{server}/full.xml: not modified" in again.stdout
    assert f"{server}/atom.xml: not modified" in again.stdout
    # rss.xml had an item it could not read: read in full again, that item tried again, the others not
    assert f"{server}/rss.xml: 0 new items, 2 items not read" in again.stdout
    requests_for = {path: headers for path, headers in FeedServer.seen}
    assert requests_for["/full.xml"].get("If-None-Match") == '"full-v1"'
    assert requests_for["/atom.xml"].get("If-Modified-Since") == LAST_MODIFIED
    assert "If-None-Match" not in requests_for["/rss.xml"]
    assert "/articles/removed.html" in requests_for
    assert "/articles/tehran-talks.html" not in requests_for and "/articles/port-strike.html" not in requests_for
    status = newsbot("feeds", "status").stdout
    assert "Error Desk" in status and "2 failed polls" in status


def test_restart_after_lost_validators_indexes_nothing_twice(newsbot, config_dir, server, db_url):
    """The validators are forgotten (a poll that died before storing them): every item is read again
    from the feed, and none is indexed again."""
    (config_dir / "feeds.yaml").write_text(f"fetch: {{host_interval_seconds: 0, allow_private_addresses: true}}\nfeeds:\n"
                                           f"  - {{url: {server}/atom.xml, source: Wire}}\n")
    first = newsbot("feeds", "poll")
    assert "2 new items, 2 new articles" in first.stdout, first.output
    from sqlalchemy import update

    from bot.store.db import Store
    from bot.store.schema import feeds

    store = Store(db_url)
    with store.begin() as conn:
        conn.execute(update(feeds).values(etag=None, last_modified=None))
    store.dispose()
    FeedServer.seen = []
    second = newsbot("feeds", "poll")
    assert "0 new items, 0 new articles" in second.stdout, second.output
    assert "If-Modified-Since" not in dict(FeedServer.seen)["/atom.xml"]  # the feed is read in full
    assert [p for p, _ in FeedServer.seen if p.startswith(("/articles/", "/syndicated/"))] == []
    exported = newsbot("export", "articles", "--format", "jsonl").stdout.splitlines()
    assert len(exported) == 2


def test_an_item_that_cannot_be_stored_loses_none_of_the_others_and_is_tried_again(newsbot, config_dir, server,
                                                                                   monkeypatch):
    """Items are stored several to a transaction: one that fails there is reported alone, the others of its
    transaction are stored and marked seen, and the next poll stores it without storing the others again."""
    (config_dir / "feeds.yaml").write_text("fetch: {host_interval_seconds: 0, allow_private_addresses: true}\n"
                                           f"feeds:\n  - {{url: {server}/atom.xml, source: Wire}}\n")
    from bot.store import feeds as feed_store

    mark_seen = feed_store.mark_seen

    def failing(conn, feed_url, item_url, when):
        if item_url.endswith("/gulf-summit.html"):
            raise RuntimeError("disk full")
        mark_seen(conn, feed_url, item_url, when)
    monkeypatch.setattr(feed_store, "mark_seen", failing)
    first = newsbot("feeds", "poll")
    assert f"{server}/atom.xml: 1 new item, 1 item not read" in first.stdout, first.output
    assert f"{server}/articles/gulf-summit.html: not indexed" in first.stderr and "disk full" in first.stderr
    titles = [row["title"] for row in exported(newsbot)]
    assert titles == ["Tehran weighs new round of nuclear talks (syndicated)"]

    monkeypatch.setattr(feed_store, "mark_seen", mark_seen)
    FeedServer.seen = []
    second = newsbot("feeds", "poll")
    assert f"{server}/atom.xml: 1 new item" in second.stdout and "not read" not in second.stdout, second.output
    pages = [p for p, _ in FeedServer.seen if p.startswith(("/articles/", "/syndicated/"))]
    assert pages == ["/articles/gulf-summit.html"]
    assert sorted(row["title"] for row in exported(newsbot)) == [
        "Gulf leaders gather for summit on regional security", "Tehran weighs new round of nuclear talks (syndicated)"]


@pytest.mark.parametrize("text, message", [
    ("feeds:\n  - {source: Wire}\n", "feeds: entry 1: key 'url' is required"),
    ("feeds:\n  - {url: ftp://x/feed, source: Wire}\n", "key 'url' expected an http:// or https:// address"),
    ("feeds:\n  - {url: http://x/feed, source: Wire, every_minutes: 0}\n", "key 'every_minutes' expected a number"),
    ("feeds:\n  - {url: http://x/feed, source: Wire, full: true}\n", "unknown key 'full'"),
    ("fetch: {retries: 1.5}\nfeeds: []\n", "key 'retries' expected a whole number"),
])
def test_feeds_yaml_mistakes_are_one_clear_line(newsbot, config_dir, text, message):
    (config_dir / "feeds.yaml").write_text(text)
    result = newsbot("feeds", "poll")
    assert result.exit_code == 2
    assert "Configuration error:" in result.stderr and message in result.stderr and "feeds.yaml" in result.stderr


def test_the_running_bots_scheduler_polls_each_feed(store, config_dir, server, newsbot):
    """`newsbot run` starts the scheduler: each feed gets its job, polled at once and every every_minutes."""
    from bot.config import load_settings
    from bot.digest.scheduler import DigestScheduler

    (config_dir / "feeds.yaml").write_text(f"fetch: {{host_interval_seconds: 0, allow_private_addresses: true}}\nfeeds:\n"
                                           f"  - {{url: {server}/atom.xml, source: Gulf, every_minutes: 30}}\n")
    scheduler = DigestScheduler(store, load_settings(), client=None).start()
    try:
        job = scheduler.get_job(f"feed:{server}/atom.xml")
        assert job is not None and job.trigger.interval.total_seconds() == 30 * 60
        deadline = time.monotonic() + 60
        while "never polled" in newsbot("feeds", "status").stdout and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        scheduler.shutdown(wait=True)
    assert "2 items · 0 failed polls" in newsbot("feeds", "status").stdout
    assert "Gulf leaders gather for summit" in newsbot("export", "articles", "--format", "jsonl").stdout
