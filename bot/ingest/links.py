"""One article added by its address (`/newsbot add <url>`, a link posted with @newsbot): the page fetched
with the feeds' fetcher (same limits, robots.txt and address guard), its article extracted as a feed item's
page is, and indexed now through the one indexing path, so a story already indexed from a file or a feed
becomes one more occurrence of it, not a second article. An address already indexed is not fetched again.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import select

from bot.config import Settings, load_feeds
from bot.corpus.decode import BinaryContent, decode_bytes
from bot.corpus.readers import document_from_html
from bot.ingest.fetch import FetchError, Fetcher
from bot.ingest.indexer import build_indexer
from bot.store.db import IndexRunBusy, Store
from bot.store.schema import occurrences, source_files

HTML_TYPES = ("", "text/html", "application/xhtml+xml")  # "": the server did not say; the page is read to see


class LinkRefused(Exception):
    """The link was not added: the message says why, in a line."""


@dataclass(frozen=True)
class Added:
    article_id: str
    url: str
    already: bool  # the address was indexed before: nothing was fetched


def web_address(text: str) -> str:
    """The address a user gave, as indexed (the #fragment dropped). Raises LinkRefused when it is no
    http(s) address."""
    address = text.strip()
    parts = urlsplit(address)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or re.search(r"\s", address):
        raise LinkRefused(f"“{address[:200]}” is not a web address: give one starting with http:// or https://.")
    return urlunsplit((parts.scheme.lower(), parts.netloc, parts.path or "/", parts.query, ""))


def indexed_article(store: Store, url: str) -> str | None:
    """The story indexed from `url` (a page added or a feed item, or an article whose metadata names it)."""
    with store.connect() as conn:  # two lookups, each by an index: an OR over the join read every occurrence
        by_key = select(occurrences.c.article_id).join(source_files, source_files.c.id == occurrences.c.file_id) \
            .where(source_files.c.path == url).limit(1)
        return conn.execute(by_key).scalar() or conn.execute(
            select(occurrences.c.article_id).where(occurrences.c.url == url).limit(1)).scalar()


def add_link(store: Store, settings: Settings, url: str) -> Added:
    """Index the article at `url` now, unless it is indexed already. Raises LinkRefused with the reason:
    unreachable, an HTTP error, not an HTML page, too big, no article text, or an index run writing."""
    if (known := indexed_article(store, url)) is not None:
        return Added(known, url, already=True)
    with Fetcher(load_feeds(settings.config_dir).fetch) as http:
        try:
            page = http.get(url)
        except FetchError as exc:
            raise LinkRefused(f"The page could not be fetched: {exc}.") from None
    if page.url != url and (known := indexed_article(store, page.url)) is not None:  # it redirected to a known page
        return Added(known, url, already=True)
    if page.content_type not in HTML_TYPES:
        raise LinkRefused(f"That is not an HTML page ({page.content_type}): only web pages can be added.")
    try:
        html, _note = decode_bytes(page.body)
    except BinaryContent as exc:
        raise LinkRefused(f"That is not an HTML page ({exc}).") from None
    doc = document_from_html(html, url)
    if doc is None:
        raise LinkRefused("No article text was found on that page.")
    doc.path = doc.url = url
    doc.source = doc.source or (urlsplit(page.url).hostname or "").removeprefix("www.")
    try:
        report = build_indexer(store, settings).index_documents([(url, [doc], lambda _conn: None)], wait=False)
    except IndexRunBusy:
        raise LinkRefused("An index run is writing to the database: try again in a minute.") from None
    if report.problems:
        raise LinkRefused(f"The article could not be indexed: {report.problems[0].reason}.")
    article_id = indexed_article(store, url)
    if article_id is None:
        raise LinkRefused("The article could not be indexed.")
    return Added(article_id, url, already=False)

