"""A loopback web server of feeds and article pages (RSS 2.0, Atom, a full-text feed, and every way a feed or
a page can fail), for the tests of feeds and of links added from Slack. Requests are recorded in
`FeedServer.seen`; `serve_feeds` runs it (the `server` fixture of tests/conftest.py)."""
from __future__ import annotations

import threading
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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
        if path.startswith("/go/"):  # a redirect to this server by its loopback address
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:{self.server.server_address[1]}/{path[4:]}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
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


def serve_feeds():
    """Serve FeedServer on a free loopback port: yields its base URL."""
    FeedServer.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FeedServer)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
