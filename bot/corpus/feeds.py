"""Reading RSS and Atom feeds, and their items' pages, into Documents.

Pure functions over fetched bytes: fetching is bot.ingest.fetch's, polling bot.ingest.feeds'. A feed's
item is read from its page (trafilatura; the page's date found by htmldate, which trafilatura runs), or
from the feed itself when the feed carries whole articles. The feed's date and the item's link win over
what the page says: they are what the outlet published.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timezone

from bot.corpus.normalize import join_blocks, normalize_line, normalize_text, paragraph_blocks
from bot.corpus.readers import document_from_html
from bot.corpus.models import Document

_HTML_START = re.compile(rb"\A\s*(?:<!doctype html|<html[\s>])", re.I)
_BLOCKS = ("p", "li", "h1", "h2", "h3", "h4", "blockquote", "pre")


class NotAFeed(ValueError):
    """The bytes are not an RSS or Atom feed: the message says what they are."""


@dataclass(frozen=True)
class FeedItem:
    url: str
    title: str | None
    published: date | None
    author: str | None
    content: str | None  # the item's HTML body when the feed carries one, else its summary


def parse_feed(raw: bytes) -> list[FeedItem]:
    """The items of an RSS or Atom feed that link to a page, in feed order. Raises NotAFeed for an HTML
    page, XML too broken to give an item, or anything else feedparser cannot read as a feed."""
    import feedparser

    parsed = feedparser.parse(raw)
    if not parsed.get("version"):
        if _HTML_START.match(raw[:2048]):
            raise NotAFeed("an HTML page, not an RSS or Atom feed")
        problem = parsed.get("bozo_exception")
        raise NotAFeed(f"not an RSS or Atom feed ({problem})" if problem else "not an RSS or Atom feed")
    items = []
    for entry in parsed.entries:
        url = (entry.get("link") or "").strip()
        if not url.startswith(("http://", "https://")):
            continue
        body = entry.get("content")
        items.append(FeedItem(url=url, title=normalize_line(entry.get("title")),
                              published=_entry_date(entry), author=normalize_line(entry.get("author")),
                              content=body[0].get("value") if body else entry.get("summary")))
    if parsed.get("bozo") and not items:  # feedparser reads what it can of a damaged feed: here, nothing
        raise NotAFeed(f"broken feed XML ({parsed.get('bozo_exception')})")
    return items


def _entry_date(entry) -> date | None:
    for key in ("published_parsed", "updated_parsed"):
        when = entry.get(key)
        if when:
            return datetime(*when[:6], tzinfo=timezone.utc).date()
    return None


def document_from_page(html: str, item: FeedItem, source: str) -> Document | None:
    """The article of an item's page; None when the page holds none. The page's text is searched for
    a date only when the feed gives none."""
    doc = document_from_html(html, item.url, extensive_date_search=item.published is None)
    if doc is None:
        return None
    return _with_item(doc, item, source)


def document_from_item(item: FeedItem, source: str) -> Document | None:
    """The article a full-text feed carries in the item itself; None when it is empty."""
    if not item.content:
        return None
    text = join_blocks(paragraph_blocks(normalize_text(_html_text(item.content))))
    if not text:
        return None
    return _with_item(Document(text=text, path=item.url), item, source)


def _with_item(doc: Document, item: FeedItem, source: str) -> Document:
    doc.path = doc.url = item.url
    doc.source = source
    doc.title = item.title or doc.title
    doc.author = item.author or doc.author
    doc.date = item.published or doc.date
    return doc


def _html_text(fragment: str) -> str:
    """The text of an HTML fragment, a paragraph per block element (plain text is kept as it is)."""
    import lxml.html

    if "<" not in fragment:
        return fragment
    try:
        root = lxml.html.fromstring(f"<div>{fragment}</div>")
    except Exception:  # lxml refuses some fragments outright: their text is still worth keeping
        return re.sub(r"<[^>]+>", " ", fragment)
    blocks = [element.text_content().strip() for element in root.iter(*_BLOCKS)]
    blocks = [b for b in blocks if b]
    return "\n\n".join(blocks) if blocks else root.text_content()
