"""Feeds as a user runs them: `newsbot feeds poll` and `newsbot feeds status` against RSS 2.0 and Atom
feeds served on the loopback, with every way a feed can fail beside good ones (SQLite and PostgreSQL)."""
from __future__ import annotations

import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.test_cli_index import newsbot  # noqa: F401  (fixture)

ETAG = '"rss-v1"'
LAST_MODIFIED = formatdate(1_700_000_000, usegmt=True)


def page(title: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!doctype html><html><head><title>{title}</title></head><body><nav><a href='/'>Home</a></nav>"
            f"<article><h1>{title}</h1>{body}</article><footer>All rights reserved</footer></body></html>").encode()


PAGES = {
    "/articles/tehran-talks.html": page("Tehran weighs new round of nuclear talks", [
        "Iran's supreme leader Ali Khamenei on Tuesday gave cautious backing to a new round of talks with "
        "European negotiators, according to officials familiar with the discussions in Tehran.",
        "The officials said the negotiating team would travel to Vienna next week, where diplomats expect "
        "a first session on sanctions relief and inspections to last several days.",
        "\u201cWe are not opposed to dialogue, but we will not negotiate under pressure,\u201d Khamenei said in a "
        "speech broadcast by state television, repeating a line he has used since the summer."]),
    "/articles/port-strike.html": page("Dock workers strike halts exports at southern port", [
        "Dock workers at the southern port of Basra walked off the job on Monday, halting crude exports "
        "for the second time this month as a dispute over unpaid wages dragged on.",
        "Port officials said tankers were waiting offshore and that loading would resume once the "
        "ministry released the salaries owed to several thousand workers.",
        "Union representatives said the strike would continue until every worker had been paid in full "
        "and called on the government to guarantee wages for the rest of the year."]),
    "/articles/gulf-summit.html": page("Gulf leaders gather for summit on regional security", [
        "Leaders of the Gulf states met in Riyadh on Wednesday for a summit dominated by regional "
        "security, shipping lanes and the cost of rebuilding after years of conflict.",
        "Delegates said a joint statement would call for restraint and for new talks on maritime "
        "security, though several governments remained divided over how far it should go.",
        "Analysts said the meeting showed how far relations had moved in a year, with ministers who once "
        "refused to share a room now drafting communiques together late into the night."]),
}

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Desk Wire</title><link>http://wire/</link><description>d</description>
<item><title>Tehran weighs new round of nuclear talks</title><link>{base}/articles/tehran-talks.html</link>
<pubDate>Tue, 03 Dec 2024 08:30:00 GMT</pubDate></item>
<item><title>Dock workers strike halts exports at southern port</title><link>{base}/articles/port-strike.html</link>
<pubDate>Mon, 02 Dec 2024 11:00:00 GMT</pubDate></item>
<item><title>Gone</title><link>{base}/articles/removed.html</link></item>
<item><title>Members only</title><link>{base}/private/story.html</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Gulf Desk</title><id>urn:gulf</id><updated>2024-12-04T10:00:00Z</updated>
<entry><title>Gulf leaders gather for summit on regional security</title><id>urn:gulf:1</id>
<link href="{base}/articles/gulf-summit.html"/><updated>2024-12-04T10:00:00Z</updated></entry>
<entry><title>Tehran weighs new round of nuclear talks (syndicated)</title><id>urn:gulf:2</id>
<link href="{base}/syndicated/tehran-talks.html"/><updated>2024-12-03T09:00:00Z</updated></entry>
</feed>"""

FULL = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Full</title>
<link>http://full/</link><description>d</description>
<item><title>Oil ministers meet in Vienna</title><link>{base}/full/oil-ministers.html</link>
<pubDate>Wed, 04 Dec 2024 07:00:00 GMT</pubDate><content:encoded><![CDATA[
<p>Oil ministers from the producer group met in Vienna on Wednesday to discuss output cuts for next year.</p>
<p>Delegates said an agreement was likely to extend current limits, though two members pressed for higher quotas.</p>
]]></content:encoded></item></channel></rss>"""


class FeedServer(BaseHTTPRequestHandler):
    seen: list[tuple[str, dict]] = []
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):
        pass

    def send(self, status: int, body: bytes = b"", content_type: str = "application/xml", **headers) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        FeedServer.seen.append((self.path, dict(self.headers)))
        base = f"http://{self.headers['Host']}"
        path = self.path
        if path == "/robots.txt":
            return self.send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        if path == "/rss.xml":
            if self.headers.get("If-None-Match") == ETAG:
                return self.send(304)
            return self.send(200, RSS.format(base=base).encode(), ETag=ETAG)
        if path == "/atom.xml":
            if self.headers.get("If-Modified-Since") == LAST_MODIFIED:
                return self.send(304)
            return self.send(200, ATOM.format(base=base).encode(), Last_Modified=LAST_MODIFIED)
        if path == "/full.xml":
            if self.headers.get("If-None-Match") == '"full-v1"':
                return self.send(304)
            return self.send(200, FULL.format(base=base).encode(), ETag='"full-v1"')
        if path.startswith("/articles/") and path in PAGES:
            return self.send(200, PAGES[path], "text/html; charset=utf-8")
        if path == "/syndicated/tehran-talks.html":
            return self.send(200, PAGES["/articles/tehran-talks.html"], "text/html; charset=utf-8")
        if path == "/error.xml":
            return self.send(500, b"oops", "text/plain")
        if path == "/broken.xml":
            return self.send(200, b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>cut')
        if path == "/page.xml":
            return self.send(200, PAGES["/articles/port-strike.html"], "text/html")
        if path == "/loop.xml":
            self.send_response(302)
            self.send_header("Location", "/loop.xml")
            self.end_headers()
            return None
        if path == "/huge.xml":  # 50 MB, streamed with no length announced
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.end_headers()
            try:
                for _ in range(50 * 16):
                    self.wfile.write(b"<" * 65536)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return None
        if path == "/slow.xml":
            time.sleep(3)
            try:
                return self.send(200, RSS.format(base=base).encode())
            except (BrokenPipeError, ConnectionResetError):
                return None
        return self.send(404, b"not found", "text/plain")


@pytest.fixture
def server():
    FeedServer.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FeedServer)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


GOOD = ["rss.xml", "atom.xml", "full.xml"]
BAD = {"missing.xml": "HTTP 404", "error.xml": "HTTP 500", "broken.xml": "broken feed XML",
       "page.xml": "an HTML page, not an RSS or Atom feed", "loop.xml": "redirect loop",
       "huge.xml": "over the 5 MB limit", "slow.xml": "no answer within 0.5 s",
       "private/feed.xml": "robots.txt"}


def write_feeds(config_dir, base: str) -> None:
    lines = ["fetch:", "  read_timeout_seconds: 0.5", "  connect_timeout_seconds: 1", "  retries: 1",
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
    (config_dir / "feeds.yaml").write_text(f"fetch: {{host_interval_seconds: 0}}\nfeeds:\n"
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

    (config_dir / "feeds.yaml").write_text(f"fetch: {{host_interval_seconds: 0}}\nfeeds:\n"
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
