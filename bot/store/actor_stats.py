"""Per-actor figures the profiles show: mentions, articles, first and last seen.

A run that only adds stories adds its own tally to the stored figures; a story whose
date a later copy moved has its actors recounted; a run that deleted stories (or rolled a
file back) recounts everything. Discovered actors nobody mentions any more are dropped.
A full recount reads every mention, so it is kept for the runs that need it.

A discovered actor's kind is a vote of the articles naming it, not the first article's guess: each
article votes once for the kind it gives the actor, weighed by how sure its cue is (a title or a head
word outweighs several guesses), so one odd context (`Chrysler said`) does not decide it. The votes are
kept per actor and added to as stories arrive, like the counts.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from datetime import date

from sqlalchemy import Integer, and_, bindparam, case, column, delete, func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection

from bot.store.db import chunks, one_of
from bot.store.schema import actors, articles, mentions, quotes


KINDS = ("person", "organization", "place", "other")  # bot.nlp.models.Kind, in the order ties go
KIND_VOTE_COLUMNS = {kind: actors.c[f"votes_{kind}"] for kind in KINDS}
CUE_WEIGHTS = (1, 3, 9, 27)  # an article's vote by its cue (0 a guess ... 3 curated): a surer cue outweighs guesses


def cue_weight(cue: int | None) -> int:
    return CUE_WEIGHTS[min(max(cue or 0, 0), len(CUE_WEIGHTS) - 1)]


class ActorTally:
    """What one run's new stories add to each actor's figures.

    Kept as counters and, per story date, the set of actors named that day: adding a story is a few
    C-level updates instead of a Python step per actor."""

    def __init__(self):
        self.mentions: Counter[int] = Counter()
        self.articles: Counter[int] = Counter()
        self.named_on: dict[date, set[int]] = {}  # story date -> actors its new stories name
        self.votes: Counter[tuple[int, str]] = Counter()  # (actor, kind) -> weight the new stories vote
        self.stories: set[str] = set()  # the new stories' ids

    def add(self, story: str, story_date: date | None, actor_ids: list[int],
            kinds: list[tuple[int, str, int | None]] = ()) -> None:
        """The mentions of one new story (each story is added once): an actor's mentions here count
        once as an article, and the story votes once for each kind it gives an actor (`kinds`: actor,
        kind, cue of its mentions), with its surest cue."""
        named = set(actor_ids)
        self.stories.add(story)
        self.mentions.update(actor_ids)
        self.articles.update(named)
        surest: dict[tuple[int, str], int] = {}
        for actor_id, kind, cue in kinds:
            if kind in KIND_VOTE_COLUMNS and (kind != "other" or cue):  # (a guess of `other` is no evidence)
                surest[actor_id, kind] = max(surest.get((actor_id, kind), 0), cue or 0)
        self.votes.update({vote: cue_weight(cue) for vote, cue in surest.items()})
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
            first_seen, last_seen = self.seen()
            rows = {actor_id: {"actor": actor_id, "count": count, "stories": self.articles[actor_id],
                               "first": first_seen.get(actor_id), "last": last_seen.get(actor_id),
                               **dict.fromkeys(KINDS, 0)}
                    for actor_id, count in self.mentions.items()}
            for (actor_id, kind), weight in self.votes.items():
                rows[actor_id][kind] = weight
            _add_to_actors(conn, list(rows.values()))
            for chunk in chunks(sorted({actor_id for actor_id, _ in self.votes})):
                _elect_kinds(conn, one_of(conn, actors.c.id, chunk))
        counted = conn.execute(select(func.coalesce(func.sum(actors.c.mention_count), 0))).scalar()
        return counted == conn.execute(select(func.count()).select_from(mentions)).scalar()


_TALLY_TYPES = {"first": actors.c.first_seen.type, "last": actors.c.last_seen.type}


def _add_to_actors(conn: Connection, rows: list[dict]) -> None:
    """Add each row's figures and kind votes to its actor's, in one statement: on PostgreSQL an
    UPDATE ... FROM unnest(one array per column), where executemany would send one statement per actor."""
    if conn.dialect.name == "postgresql":
        tally = func.unnest(*(literal([row[name] for row in rows], ARRAY(_TALLY_TYPES.get(name, Integer())))
                              for name in rows[0])) \
            .table_valued(*(column(name, _TALLY_TYPES.get(name, Integer())) for name in rows[0])) \
            .render_derived(name="tally")
        conn.execute(update(actors).where(actors.c.id == tally.c.actor).values(_additions(lambda name: tally.c[name])))
    else:
        conn.execute(update(actors).where(actors.c.id == bindparam("actor")).values(
            _additions(lambda name: bindparam(name, type_=_TALLY_TYPES.get(name)))), rows)


def _additions(tallied) -> dict:
    """The actors' columns plus the tally's (`tallied(name)`: its column of that name): counts and votes
    add up, first and last seen widen."""
    first, last = tallied("first"), tallied("last")
    return {"mention_count": actors.c.mention_count + tallied("count"),
            "article_count": actors.c.article_count + tallied("stories"),
            "first_seen": case((or_(actors.c.first_seen.is_(None), actors.c.first_seen > first), first),
                               else_=actors.c.first_seen),
            "last_seen": case((or_(actors.c.last_seen.is_(None), actors.c.last_seen < last), last),
                              else_=actors.c.last_seen),
            **{votes.name: func.coalesce(votes, 0) + tallied(kind) for kind, votes in KIND_VOTE_COLUMNS.items()}}


def _elect_kinds(conn: Connection, which=None) -> None:
    """A discovered actor's kind: the one its articles' votes favour (curated actors keep the list's);
    `which`: a condition on the actors to elect for (all when None)."""
    votes = [func.coalesce(column, 0) for column in KIND_VOTE_COLUMNS.values()]
    cases = [(and_(*(vote >= other for other in votes[number + 1:])), literal(kind))
             for number, (kind, vote) in enumerate(zip(KINDS[:-1], votes))]
    elected = and_(actors.c.curated.is_(False), sum(votes[1:], votes[0]) > 0)
    conn.execute(update(actors).where(elected if which is None else and_(which, elected)).values(
        kind=case(*cases, else_=literal(KINDS[-1]))))


def _recount_votes(conn: Connection, which=None) -> None:
    """The votes of every article still naming each actor, from the mentions stored: what a run that
    deleted stories leaves; `which`: a condition on the mentions of the actors to recount (all when None)."""
    voting = and_(mentions.c.kind.is_not(None), or_(mentions.c.kind != "other", mentions.c.cue > 0))
    per_article = select(mentions.c.actor_id, mentions.c.article_id, mentions.c.kind,
                         func.max(mentions.c.cue).label("cue")).where(
        voting if which is None else and_(which, voting)) \
        .group_by(mentions.c.actor_id, mentions.c.article_id, mentions.c.kind).subquery()
    weight = case(*((per_article.c.cue == cue, weight) for cue, weight in enumerate(CUE_WEIGHTS)), else_=1)
    tallied = select(per_article.c.actor_id, *(
        func.sum(case((per_article.c.kind == kind, weight), else_=0)).label(kind) for kind in KINDS)
    ).group_by(per_article.c.actor_id).subquery()
    conn.execute(update(actors).where(actors.c.id == tallied.c.actor_id).values(
        {column: tallied.c[kind] for kind, column in KIND_VOTE_COLUMNS.items()}))


def refresh_actor_stats(conn: Connection, stories: Collection[str] | None = None) -> None:
    """Recount mentions, articles, first and last seen per actor, then drop_unmentioned_actors; with
    `stories`, only for the actors those stories name (a story whose date moved moves only theirs)."""
    if stories is None:
        conn.execute(update(actors).values(mention_count=0, article_count=0, first_seen=None, last_seen=None,
                                           **{column.name: 0 for column in KIND_VOTE_COLUMNS.values()}))
        _set_figures(conn, _stats())
        _recount_votes(conn)
        _elect_kinds(conn)
        drop_unmentioned_actors(conn)
        return
    named: set[int] = set()
    for chunk in chunks(sorted(stories)):
        named.update(conn.execute(select(mentions.c.actor_id).where(
            one_of(conn, mentions.c.article_id, chunk)).distinct()).scalars())
    recount_actors(conn, named)


def recount_actors(conn: Connection, actor_ids: Collection[int]) -> None:
    """Recount the figures and kind votes of these actors (mentions moved to or from them); one left with
    no mention counts zero."""
    for chunk in chunks(sorted(actor_ids)):
        conn.execute(update(actors).where(one_of(conn, actors.c.id, chunk)).values(
            mention_count=0, article_count=0, first_seen=None, last_seen=None,
            **{column.name: 0 for column in KIND_VOTE_COLUMNS.values()}))
        _set_figures(conn, _stats().where(one_of(conn, mentions.c.actor_id, chunk)))
        _recount_votes(conn, one_of(conn, mentions.c.actor_id, chunk))
        _elect_kinds(conn, one_of(conn, actors.c.id, chunk))


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
