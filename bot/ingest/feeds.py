"""Polling the feeds (config/feeds.yaml's, and those editors added from Slack): new items fetched, read and indexed, each feed's outcome kept.

A poll first fetches (conditional requests: a feed unchanged since the last poll answers 304 and costs
nothing more), then reads each new item (an item URL this feed gave before is skipped; its page fetched
unless the feed carries full text), then indexes them all in one index run, each item's URL marked seen
in the transaction that stores it (items are stored a few dozen to a transaction, Indexer.index_documents),
so a restart never indexes an item twice. Syndicated copies are found by content as for files. Only then
are the feed's validators stored: a poll that dies mid-way is done again in full. Every failure is caught
per feed (or per item) and recorded with its reason.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy.engine import Connection

from bot.config import FeedConfig, FeedsConfig
from bot.corpus.feeds import FeedItem, NotAFeed, document_from_item, document_from_page, parse_feed
from bot.corpus.decode import BinaryContent, decode_bytes
from bot.corpus.models import Document
from bot.ingest.fetch import Fetched, FetchError, Fetcher
from bot.ingest.indexer import IndexReport, Indexer
from bot.store import feeds as feed_store
from bot.store.db import Store
from bot.wording import plural

log = logging.getLogger(__name__)


@dataclass
class FeedOutcome:
    """What one feed's poll did."""
    feed: FeedConfig
    error: str | None = None  # the feed itself could not be read
    not_modified: bool = False
    new_items: int = 0  # items indexed (new stories or copies of known ones)
    item_problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        if self.error:
            return f"{self.feed.url}: {self.error}"
        if self.not_modified:
            return f"{self.feed.url}: not modified"
        problems = f", {plural(len(self.item_problems), 'item')} not read" if self.item_problems else ""
        return f"{self.feed.url}: {plural(self.new_items, 'new item')}{problems}"


@dataclass
class PollReport:
    outcomes: list[FeedOutcome] = field(default_factory=list)
    index: IndexReport | None = None

    @property
    def failed(self) -> bool:
        return any(o.error or o.item_problems for o in self.outcomes)


@dataclass
class _Read:
    """A feed fetched and its new items read, waiting to be indexed."""
    outcome: FeedOutcome
    fetched: Fetched
    batches: list[tuple[str, list[Document]]]


def all_feeds(store: Store, config: FeedsConfig) -> list[FeedConfig]:
    """Every feed to poll: config/feeds.yaml's, then those added from Slack (one listed in both is the
    file's)."""
    listed = {feed.url for feed in config.feeds}
    return [*config.feeds, *(feed for feed in feed_store.added(store) if feed.url not in listed)]


def check_feed(config: FeedsConfig, url: str) -> int:
    """Read `url` once as a feed (before it is added): its number of items. Raises FetchError or NotAFeed."""
    with Fetcher(config.fetch) as http:
        return len(parse_feed(http.get(url).body))


def status_lines(feed: FeedConfig, state: feed_store.FeedState | None) -> list[str]:
    """A feed and its polled state as `newsbot feeds status` and `/newsbot feeds` show them: a heading line,
    then the last poll's outcome (plain text: a front escapes it as it needs)."""
    origin = f"added by {feed.added_by}" if feed.added_by else "config/feeds.yaml"
    lines = [f"{feed.source}  {feed.url}  (every {feed.every_minutes:g} min{', full text' if feed.full_text else ''}"
             f", {origin})"]
    if state is None or state.last_poll is None:
        return [*lines, "  never polled"]
    lines.append(f"  last poll: {_when(state.last_poll)} · last success: {_when(state.last_success)} · "
                 f"{plural(state.items_indexed, 'item')} · {plural(state.errors, 'failed poll')}")
    if state.last_error:
        lines.append(f"  error: {state.last_error}")
    return lines


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "never"


def poll_feeds(store: Store, config: FeedsConfig, indexer: Indexer, *, feeds: Iterable[FeedConfig] | None = None,
               fetcher: Fetcher | None = None, clock: Callable[[], datetime] | None = None,
               wait: bool = True) -> PollReport:
    """Poll `feeds` (default: every feed, all_feeds) once. Raises IndexRunBusy only when `wait` is False
    and another index run is writing."""
    clock = clock or (lambda: datetime.now(timezone.utc))
    report = PollReport()
    reads: list[_Read] = []
    with (fetcher or Fetcher(config.fetch)) as http:
        for feed in feeds if feeds is not None else all_feeds(store, config):
            outcome = FeedOutcome(feed)
            report.outcomes.append(outcome)
            try:
                read = _read_feed(store, http, feed, outcome, clock)
            except Exception as exc:  # one feed's failure never stops the others
                log.debug("feed %s failed", feed.url, exc_info=True)
                outcome.error = reason(exc)
                feed_store.record_failure(store, feed.url, clock(), outcome.error)
                continue
            if read is not None:
                reads.append(read)
    batches = [(key, docs, _marker(read, key)) for read in reads for key, docs in read.batches]
    if batches:
        report.index = indexer.index_documents(batches, wait=wait)
        stored_problems = {problem.path: problem.reason for problem in report.index.problems}
        for read in reads:
            read.outcome.item_problems += [f"{key}: {stored_problems[key]}" for key, _ in read.batches
                                           if key in stored_problems]
            read.outcome.new_items = sum(key not in stored_problems for key, _ in read.batches)
    now = clock()
    for read in reads:
        outcome = read.outcome
        retry = bool(outcome.item_problems)  # no validators: the next poll reads the feed, and tries those again
        feed_store.record_success(store, outcome.feed.url, now, etag=None if retry else read.fetched.etag,
                                  last_modified=None if retry else read.fetched.last_modified,
                                  new_items=outcome.new_items,
                                  item_problems="; ".join(outcome.item_problems)[:2000] or None)
    for outcome in report.outcomes:
        if outcome.error or outcome.item_problems:
            log.warning("feed %s", outcome.line())
    return report


def _read_feed(store: Store, http: Fetcher, feed: FeedConfig, outcome: FeedOutcome,
               clock: Callable[[], datetime]) -> _Read | None:
    """Fetch the feed and read its new items; None when it has not changed since the last poll."""
    state = feed_store.feed_state(store, feed.url, feed.source)
    fetched = http.get(feed.url, etag=state.etag, last_modified=state.last_modified)
    if fetched.not_modified:
        outcome.not_modified = True
        feed_store.record_success(store, feed.url, clock(), etag=state.etag,
                                  last_modified=state.last_modified, new_items=0)
        return None
    items = parse_feed(fetched.body)
    seen = feed_store.seen_items(store, feed.url, [item.url for item in items])
    batches = []
    for item in {i.url: i for i in items if i.url not in seen}.values():  # an item listed twice is read once
        try:
            doc = _read_item(http, item, feed)
        except Exception as exc:  # one item's failure never stops the feed's others
            log.debug("item %s failed", item.url, exc_info=True)
            outcome.item_problems.append(f"{item.url}: {reason(exc)}")
            continue
        if doc is None:
            outcome.item_problems.append(f"{item.url}: no article text found")
            continue
        batches.append((item.url, [doc]))
    return _Read(outcome, fetched, batches)


def _read_item(http: Fetcher, item: FeedItem, feed: FeedConfig) -> Document | None:
    if feed.full_text:
        return document_from_item(item, feed.source)
    page = http.get(item.url)
    html, _note = decode_bytes(page.body)
    return document_from_page(html, item, feed.source)


def _marker(read: _Read, key: str) -> Callable[[Connection], None]:
    """What marks an item seen, in the transaction that stores it."""
    return lambda conn: feed_store.mark_seen(conn, read.outcome.feed.url, key, datetime.now(timezone.utc))


def reason(exc: Exception) -> str:
    if isinstance(exc, (FetchError, NotAFeed, BinaryContent)):
        return str(exc)
    return f"{exc.__class__.__name__}: {exc}"
