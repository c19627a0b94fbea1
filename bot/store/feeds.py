"""The polled state of each feed (validators, last poll, counts, last error), the item URLs seen, and the
feeds editors added from Slack."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from bot.config import FeedConfig
from bot.store.db import Store, chunks, one_of
from bot.store.schema import added_feeds, feed_items, feeds


@dataclass(frozen=True)
class FeedState:
    url: str
    source: str
    etag: str | None = None
    last_modified: str | None = None
    last_poll: datetime | None = None
    last_success: datetime | None = None
    items_indexed: int = 0
    errors: int = 0
    last_error: str | None = None


def feed_state(store: Store, url: str, source: str) -> FeedState:
    """The stored state of a feed; a feed never polled gets its row now."""
    with store.begin() as conn:
        row = conn.execute(select(feeds).where(feeds.c.url == url)).mappings().first()
        if row is None:
            conn.execute(insert(feeds).values(url=url, source=source, items_indexed=0, errors=0))
            return FeedState(url, source)
        if row["source"] != source:
            conn.execute(update(feeds).where(feeds.c.url == url).values(source=source))
    return FeedState(**{**row, "source": source})


def all_feed_states(store: Store) -> dict[str, FeedState]:
    with store.connect() as conn:
        return {row["url"]: FeedState(**row) for row in conn.execute(select(feeds)).mappings()}


def record_success(store: Store, url: str, when: datetime, *, etag: str | None, last_modified: str | None,
                   new_items: int, item_problems: str | None = None) -> None:
    """A poll that read the feed (or heard it had not changed): its validators kept for the next one, and
    what went wrong with some of its items, if anything (they are tried again next time)."""
    with store.begin() as conn:
        conn.execute(update(feeds).where(feeds.c.url == url).values(
            etag=etag, last_modified=last_modified, last_poll=when, last_success=when,
            items_indexed=feeds.c.items_indexed + new_items, last_error=item_problems))


def record_failure(store: Store, url: str, when: datetime, reason: str, *, new_items: int = 0) -> None:
    with store.begin() as conn:
        conn.execute(update(feeds).where(feeds.c.url == url).values(
            last_poll=when, errors=feeds.c.errors + 1, last_error=reason, items_indexed=feeds.c.items_indexed + new_items))


def seen_items(store: Store, feed_url: str, item_urls: list[str]) -> set[str]:
    """Which of `item_urls` were already indexed from this feed."""
    seen: set[str] = set()
    with store.connect() as conn:
        for chunk in chunks(item_urls):
            seen.update(conn.execute(select(feed_items.c.item_url).where(
                feed_items.c.feed_url == feed_url, one_of(conn, feed_items.c.item_url, chunk))).scalars())
    return seen


def mark_seen(conn: Connection, feed_url: str, item_url: str, when: datetime) -> None:
    """Called in the transaction that stores the item's article: stored and seen together, or neither."""
    exists = conn.execute(select(feed_items.c.item_url).where(
        feed_items.c.feed_url == feed_url, feed_items.c.item_url == item_url)).first()
    if exists is None:
        conn.execute(insert(feed_items).values(feed_url=feed_url, item_url=item_url, seen_at=when))


def added(store: Store) -> list[FeedConfig]:
    """The feeds added from Slack, oldest first."""
    with store.connect() as conn:
        rows = conn.execute(select(added_feeds).order_by(added_feeds.c.added_at, added_feeds.c.url)).mappings()
        return [FeedConfig(url=row["url"], source=row["source"], every_minutes=row["every_minutes"],
                           added_by=row["added_by"]) for row in rows]


def add(store: Store, feed: FeedConfig, when: datetime) -> bool:
    """Keep a feed added from Slack; False when it was added already (by anyone)."""
    try:
        with store.begin() as conn:
            conn.execute(insert(added_feeds).values(url=feed.url, source=feed.source, every_minutes=feed.every_minutes,
                                                    added_by=feed.added_by or "", added_at=when))
    except IntegrityError:
        return False
    return True


def remove(store: Store, url: str) -> bool:
    """Forget a feed added from Slack (its polled state and seen items stay: added again, it indexes nothing
    twice); False when there was none."""
    with store.begin() as conn:
        return conn.execute(delete(added_feeds).where(added_feeds.c.url == url)).rowcount > 0
