"""Per-actor figures the profiles show: mentions, articles, first and last seen.

A run that only adds stories adds its own tally to the stored figures; a story whose
date a later copy moved has its actors recounted; a run that deleted stories (or rolled a
file back) recounts everything. Discovered actors nobody mentions any more are dropped.
A full recount reads every mention, so it is kept for the runs that need it.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from datetime import date

from sqlalchemy import and_, bindparam, case, delete, func, or_, select, update
from sqlalchemy.engine import Connection

from bot.store.db import chunks, one_of
from bot.store.schema import actors, articles, mentions, quotes


class ActorTally:
    """What one run's new stories add to each actor's figures.

    Kept as counters and, per story date, the set of actors named that day: adding a story is a few
    C-level updates instead of a Python step per actor."""

    def __init__(self):
        self.mentions: Counter[int] = Counter()
        self.articles: Counter[int] = Counter()
        self.named_on: dict[date, set[int]] = {}  # story date -> actors its new stories name

    def add(self, story_date: date | None, actor_ids: list[int]) -> None:
        """The mentions of one new story (each story is added once): an actor's mentions here count
        once as an article."""
        named = set(actor_ids)
        self.mentions.update(actor_ids)
        self.articles.update(named)
        if story_date is not None:
            self.named_on.setdefault(story_date, set()).update(named)

    def seen(self) -> tuple[dict[int, date], dict[int, date]]:
        """First and last day each actor was named, over the tallied stories."""
        first: dict[int, date] = {}
        last: dict[int, date] = {}
        days = sorted(self.named_on)
        for day in reversed(days):  # earlier days overwrite
            first.update(dict.fromkeys(self.named_on[day], day))
        for day in days:  # later days overwrite
            last.update(dict.fromkeys(self.named_on[day], day))
        return first, last

    def apply(self, conn: Connection) -> bool:
        """Add the tally to the stored figures; False when they then disagree with the mentions
        stored (a run that died before counting, or a run alongside this one), so the caller recounts."""
        if self.mentions:
            first, last = bindparam("first", type_=actors.c.first_seen.type), \
                bindparam("last", type_=actors.c.last_seen.type)
            first_seen, last_seen = self.seen()
            conn.execute(update(actors).where(actors.c.id == bindparam("actor")).values(
                mention_count=actors.c.mention_count + bindparam("count"),
                article_count=actors.c.article_count + bindparam("stories"),
                first_seen=case((or_(actors.c.first_seen.is_(None), actors.c.first_seen > first), first),
                                else_=actors.c.first_seen),
                last_seen=case((or_(actors.c.last_seen.is_(None), actors.c.last_seen < last), last),
                               else_=actors.c.last_seen)),
                [{"actor": actor_id, "count": count, "stories": self.articles[actor_id],
                  "first": first_seen.get(actor_id), "last": last_seen.get(actor_id)}
                 for actor_id, count in self.mentions.items()])
        counted = conn.execute(select(func.coalesce(func.sum(actors.c.mention_count), 0))).scalar()
        return counted == conn.execute(select(func.count()).select_from(mentions)).scalar()


def refresh_actor_stats(conn: Connection, stories: Collection[str] | None = None) -> None:
    """Recount mentions, articles, first and last seen per actor, then drop_unmentioned_actors; with
    `stories`, only for the actors those stories name (a story whose date moved moves only theirs)."""
    if stories is None:
        conn.execute(update(actors).values(mention_count=0, article_count=0, first_seen=None, last_seen=None))
        _set_figures(conn, _stats())
        drop_unmentioned_actors(conn)
        return
    named: set[int] = set()
    for chunk in chunks(sorted(stories)):
        named.update(conn.execute(select(mentions.c.actor_id).where(
            one_of(conn, mentions.c.article_id, chunk)).distinct()).scalars())
    recount_actors(conn, named)


def recount_actors(conn: Connection, actor_ids: Collection[int]) -> None:
    """Recount the figures of these actors (mentions moved to or from them); one left with no mention
    counts zero."""
    for chunk in chunks(sorted(actor_ids)):
        conn.execute(update(actors).where(one_of(conn, actors.c.id, chunk)).values(
            mention_count=0, article_count=0, first_seen=None, last_seen=None))
        _set_figures(conn, _stats().where(one_of(conn, mentions.c.actor_id, chunk)))


def _stats():
    """Mentions, articles, first and last seen per actor, from the mentions."""
    return (select(mentions.c.actor_id,
                   func.count().label("mentions"),
                   func.count(func.distinct(mentions.c.article_id)).label("articles"),
                   func.min(articles.c.date).label("first"),
                   func.max(articles.c.date).label("last"))
            .join(articles, articles.c.id == mentions.c.article_id)
            .group_by(mentions.c.actor_id))


def _set_figures(conn: Connection, stats) -> None:
    """One UPDATE ... FROM (SQLite >= 3.33 and PostgreSQL), not one statement per actor."""
    counted = stats.subquery()
    conn.execute(update(actors).where(actors.c.id == counted.c.actor_id).values(
        mention_count=counted.c.mentions, article_count=counted.c.articles, first_seen=counted.c.first,
        last_seen=counted.c.last))


def drop_unmentioned_actors(conn: Connection) -> None:
    """Discovered actors nobody mentions nor quotes (their stories are gone, or a repeated quote's
    speaker matched no one): a lookup must not find them."""
    spoken = select(quotes.c.speaker_actor_id).where(quotes.c.speaker_actor_id.is_not(None))
    conn.execute(delete(actors).where(and_(actors.c.curated.is_(False), actors.c.mention_count == 0,
                                           actors.c.id.not_in(spoken))))
