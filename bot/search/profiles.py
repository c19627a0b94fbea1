"""Actor profiles: how the corpus writes an actor, a page of its articles (those that mention it and those it
wrote) with the sentences that name it, the actors named beside it, its listed aliases and its quotes.

Built from both engines: the lookup engine's alias index (the actor, its aliases and bylines) and quote
search's index (its quotes), plus a few statements on the store.
"""
from __future__ import annotations

import functools
from typing import NamedTuple

from sqlalchemy import (
    Integer, and_, bindparam, case, cast, exists, func, literal, literal_column, null, or_, select, union, union_all,
)

from bot.nlp.names import analyse_name
from bot.search.alias_index import ACTOR_COLUMNS, ActorEntry, AliasIndex, actor_entry
from bot.search.filters import NO_FILTERS, Filters
from bot.search.lookup import LookupEngine
from bot.search.quotes import QuoteSearch
from bot.search.results import ArticleRef, Profile
from bot.store.db import Store, one_of
from bot.store.curation import active_edits
from bot.store.schema import AliasOrigin, EditAction, actors, articles, mention_sentence, mentions, occurrences

DENSE = 200  # an actor in fewer articles never has its pages read through the date index (see _dense)
WALK_FACTOR = 1  # ... nor one in fewer than sqrt(WALK_FACTOR x articles wanted x all articles)
SURFACE_SAMPLE = 500  # a profile's aliases as written: over the actor's latest mentions
RELATED = 8  # related actors a profile names, unless asked for more (Slack pages through up to 40)
RELATED_SAMPLE = 100  # related actors: over the actor's latest articles (from its latest 4 x this mentions)
# How much an article is about the actor: its mentions there, plus these when the title names it or a mention
# falls in the lead (the first LEAD_CHARS characters of the text); the newest first among equals.
TITLE_WEIGHT = 3
LEAD_WEIGHT = 2
LEAD_CHARS = 400
# An actor with more mentions than this (the busiest few of a large archive: 69,557 for the United States in
# 100,000 articles) has its articles ranked among those of its latest RANKED_MENTIONS mentions, for pages
# within INTERACTIVE_DEPTH articles: ranking them all reads every mention (about 100 ms for those 69,557).
RANKED_MENTIONS = 10_000
INTERACTIVE_DEPTH = 1_000
TITLE_NAME_CHARS = 4
# Without a filter, only articles that could reach the page are read (their score without the title's weight
# within TITLE_WEIGHT of the page's last), at most this many beyond the page: those with the most mentions,
# then the earliest. An actor named once or twice in thousands of articles has thousands of equals.
TITLE_CANDIDATES = 200  # shorter names (US, KH) are found inside other words (business): not looked for in titles


class Profiles:
    """The profiles of the actors the lookup engine knows, cached per alias index. Thread-safe like the
    engines it reads."""

    def __init__(self, store: Store, lookup_engine: LookupEngine, quote_search: QuoteSearch):
        self.store = store
        self.lookup_engine = lookup_engine
        self.quote_search = quote_search
        self._cache: dict[tuple, Profile] = {}
        self._cached_for: AliasIndex | None = None

    def profile(self, actor_id: int, *, articles_offset: int = 0, articles_limit: int = 5,
                quotes_limit: int = 3, by_offset: int = 0, about_offset: int = 0,
                related_limit: int = RELATED, filters: Filters = NO_FILTERS) -> Profile:
        """The profile of one actor, paged through its articles, its quotes by and about it (from the
        `by_offset`-th and `about_offset`-th on), with its `related_limit` most related actors; its articles
        and quotes narrowed by `filters` (the kind filter is the lookup's; cached per alias index)."""
        index = self.lookup_engine.index
        if index is not self._cached_for:  # the profiles made with the previous index are out of date
            self._cache, self._cached_for = {}, index
        quote_pages = (quotes_limit, by_offset, about_offset)
        cache_key = (actor_id, articles_offset, articles_limit, quote_pages, related_limit, filters,
                     index.generation)
        cached = self._cache.get(cache_key)
        if cached is not None:
            return cached
        profile = self._build_profile(actor_id, articles_offset, articles_limit, quote_pages, related_limit, index,
                                      filters)
        if len(self._cache) > 2000:
            self._cache = {}
        self._cache[cache_key] = profile
        return profile

    def _build_profile(self, actor_id: int, offset: int, limit: int, quote_pages: tuple[int, int, int],
                       related_limit: int, index: AliasIndex, filters: Filters) -> Profile:
        """Three statements on one connection for most actors (on PostgreSQL each is a round trip): the
        spellings, the page with its sentences, the related actors; its quotes come from the quote index."""
        authored = self._authored(actor_id, index)
        with self.store.connect() as conn:
            actor = index.actors.get(actor_id)
            if actor is None and actor_id > 0:  # indexed since the alias index was built
                row = conn.execute(select(*ACTOR_COLUMNS).where(actors.c.id == actor_id)).first()
                actor = actor_entry(row) if row is not None else None
            if actor is None:
                raise KeyError(f"no actor with id {actor_id}")
            surfaces = _surfaces(conn.execute(_SURFACES, {"actor_id": actor_id}).all())
            total, first_seen, last_seen = self._span(conn, actor, authored)
            sampled = False
            if filters.sort == "date" and not filters.narrows_articles:
                page, matched = self._page(conn, actor_id, authored, dense=_dense(total, offset + limit, index),
                                           offset=offset, limit=limit), None
            else:
                sampled = actor.mentions > RANKED_MENTIONS and offset + limit <= INTERACTIVE_DEPTH
                page, matched = self._ranked_page(conn, actor_id, authored, {actor.name, *surfaces}, filters,
                                                  offset=offset, limit=limit, sampled=sampled)
            related = self._related(conn, actor_id, authored, index, related_limit)
            kind_guessed = actor_id > 0 and not actor.curated and _kind_guessed(conn, actor)
        known = {analyse_name(s).key for s in surfaces} | {analyse_name(actor.name).key}
        listed = [index.entries[n].text for n in index.by_actor.get(actor_id, [])
                  if index.entries[n].origin == AliasOrigin.CONFIG and index.entries[n].form.key not in known]
        profile = Profile(actor_id=actor_id, name=actor.name, kind=actor.kind, description=actor.description,
                          aliases=surfaces, mentions=actor.mentions, article_count=total or 0,
                          first_seen=first_seen, last_seen=last_seen, articles=page, related=related,
                          authored=len(authored), curated=actor.curated, kind_guessed=kind_guessed,
                          listed_aliases=listed,
                          articles_offset=offset, filters=filters,
                          ranked_mentions=RANKED_MENTIONS if sampled else None)
        if matched or filters.narrows:  # (a kind filter alone chose the actor and leaves all its articles)
            profile.matched_articles, profile.matched_mentions = matched or (profile.article_count, actor.mentions)
        if actor_id > 0:  # after the connection: refreshing the quote index reads the store on one of its own
            quotes_limit, by_offset, about_offset = quote_pages
            (profile.quotes_by, profile.quotes_about, profile.quotes_by_total,
             profile.quotes_about_total) = self.quote_search.profile_quotes(actor_id, limit=quotes_limit,
                                                                            by_offset=by_offset,
                                                                            about_offset=about_offset,
                                                                            filters=filters)
        return profile

    @staticmethod
    def _span(conn, actor: ActorEntry, authored: list[str]):
        """How many articles mention or were written by the actor, the first and last date: the counts
        the indexer keeps for its mentions, plus the articles it wrote without being mentioned."""
        span = select(func.count(), func.min(articles.c.date), func.max(articles.c.date))
        if actor.id < 0:  # a byline-only actor
            return conn.execute(span.where(articles.c.id.in_(authored))).one()
        total, first_seen, last_seen = actor.articles, actor.first_seen, actor.last_seen
        if authored:
            mentioned = exists().where(and_(mentions.c.article_id == articles.c.id,
                                            mentions.c.actor_id + 0 == actor.id))
            extra, first, last = conn.execute(span.where(and_(articles.c.id.in_(authored), ~mentioned))).one()
            total += extra
            first_seen = min(filter(None, (first_seen, first)), default=None)
            last_seen = max(filter(None, (last_seen, last)), default=None)
        return total, first_seen, last_seen

    def _authored(self, actor_id: int, index: AliasIndex) -> list[str]:
        """Articles whose byline names this actor (under its name or any alias)."""
        keys = {index.entries[n].form.key for n in index.by_actor.get(actor_id, [])
                if index.entries[n].origin != AliasOrigin.DERIVED}
        return sorted({a for key in keys for a in index.authored.get(key, [])})

    @staticmethod
    def _mentioned(actor_id: int, *, dense: bool):
        """Articles that mention the actor. For an actor in many articles a correlated EXISTS lets the
        database walk ix_articles_newest and stop at the first page."""
        if dense:
            # `+ 0`: probe the article's few mentions, not the actor's thousands (planners pick the latter)
            return exists().where(and_(mentions.c.article_id == articles.c.id, mentions.c.actor_id + 0 == actor_id))
        return articles.c.id.in_(select(mentions.c.article_id).where(mentions.c.actor_id == actor_id))

    def _page(self, conn, actor_id: int, authored: list[str], *, dense: bool, offset: int,
              limit: int) -> list[ArticleRef]:
        """One page of the actor's articles (those that mention it, and those it wrote), newest first,
        undated last, each with the sentences that mention it, in one statement. Articles that mention it
        and articles it wrote are paged apart, then merged: `mentions it OR wrote it` keeps a planner from
        walking the articles in order (PostgreSQL does, for an actor with many bylines)."""
        columns = (articles.c.id, articles.c.title, articles.c.source, articles.c.date, articles.c.url)
        mentioned = select(*columns).where(self._mentioned(actor_id, dense=dense)) \
            .order_by(self._newest(articles.c.date), articles.c.id)  # the order of ix_articles_newest
        if authored:
            wrote = select(*columns).where(articles.c.id.in_(authored)) \
                .order_by(self._newest(articles.c.date), articles.c.id).limit(offset + limit)
            both = union(select(mentioned.limit(offset + limit).subquery()), select(wrote.subquery())).subquery()
            page = select(both).order_by(self._newest(both.c.date), both.c.id)
        else:
            page = mentioned
        page = page.offset(offset).limit(limit).subquery()
        return _refs(conn.execute(_with_contexts(page, (self._newest(page.c.date), page.c.id)),
                                  {"actor_id": actor_id}).all(), authored)

    def _ranked_page(self, conn, actor_id: int, authored: list[str], names: set[str], filters: Filters, *,
                     offset: int, limit: int, sampled: bool) -> tuple[list[ArticleRef], tuple[int, int] | None]:
        """One page of the actor's articles that pass the date and outlet filters, ordered as `filters` say
        (RankShape), and, when filtered or `sampled`, how many articles and mentions pass."""
        titles = sorted(name for name in names if len(name) >= TITLE_NAME_CHARS)
        shape = RankShape(authored=bool(authored), titles=len(titles), since=filters.since is not None,
                          until=filters.until is not None, source=filters.source is not None,
                          by_date=filters.sort == "date", sampled=sampled, sqlite=self.store.is_sqlite)
        if limit == 0 and not shape.filtered:
            return [], None
        page, matched = _ranked_statements(shape)
        params = {"actor_id": actor_id, "offset": offset, "limit": limit, "last": max(offset + limit - 1, 0),
                  "reach": offset + limit + TITLE_CANDIDATES, "since": filters.since, "until": filters.until,
                  "source": filters.source, **({"authored": authored} if authored else {}),
                  **{f"title{n}": f"%{_like_escaped(name.lower())}%" for n, name in enumerate(titles)}}
        rows = conn.execute(page, params).all()
        if not shape.counted:
            return _refs(rows, authored), None
        if rows:
            return _refs(rows, authored), (rows[0].matched, int(rows[0].matched_mentions or 0))
        counts = conn.execute(matched, params).one()
        return [], (counts[0], int(counts[1]))

    def _newest(self, column):
        """Newest first, undated last, on either database (SQLite sorts NULLs last in DESC order)."""
        return column.desc() if self.store.is_sqlite else column.desc().nulls_last()

    @staticmethod
    def _related(conn, actor_id: int, authored: list[str], index: AliasIndex,
                 limit: int) -> list[tuple[str, int]]:
        """Actors most often mentioned in the same articles, over the actor's latest RELATED_SAMPLE articles:
        those it wrote, then those of its latest mentions (found by the database)."""
        wrote = authored[-RELATED_SAMPLE:]
        if len(wrote) < RELATED_SAMPLE:
            recent = select(mentions.c.article_id, mentions.c.id).where(mentions.c.actor_id == actor_id) \
                .order_by(mentions.c.id.desc()).limit(RELATED_SAMPLE * 4).subquery()
            latest = select(recent.c.article_id).group_by(recent.c.article_id) \
                .order_by(func.max(recent.c.id).desc()).limit(RELATED_SAMPLE - len(wrote))
            if wrote:  # one list (an OR of the two makes PostgreSQL read every mention)
                latest = union(select(latest.subquery()),
                               select(articles.c.id).where(one_of(conn, articles.c.id, wrote)))
            own = mentions.c.article_id.in_(latest)
        else:
            own = one_of(conn, mentions.c.article_id, wrote)
        # (article, actor) pairs from the index, then counted: faster than count(DISTINCT article_id), for which
        # PostgreSQL sorts each actor's rows
        pairs = select(mentions.c.article_id, mentions.c.actor_id).distinct() \
            .where(and_(own, mentions.c.actor_id != actor_id)).subquery()
        shared = func.count()
        counts = conn.execute(select(pairs.c.actor_id, shared).group_by(pairs.c.actor_id)
                              .order_by(shared.desc(), pairs.c.actor_id).limit(limit * 2)).all()
        names = {a: index.actors[a].name for a, _ in counts if a in index.actors}
        missing = [a for a, _ in counts if a not in names]
        if missing:  # indexed since the alias index was built
            names.update(conn.execute(select(actors.c.id, actors.c.name).where(actors.c.id.in_(missing))).all())
        ranked = sorted(((names[a], n) for a, n in counts if a in names), key=lambda x: (-x[1], x[0]))
        return ranked[:limit]


def _kind_guessed(conn, actor: ActorEntry) -> bool:
    """Whether a discovered actor's kind is only the indexer's guess: its latest SURFACE_SAMPLE mentions guessed it
    (Piece.cue 0: a rare word the article keeps using), none gave a cue for it, and no editor set it. (The corpus's
    vote by company names gives no mention a cue: a one-word name only that vote made an organisation counts as
    guessed.)"""
    kind = str(actor.kind)
    latest = select(mentions.c.kind, mentions.c.cue).where(mentions.c.actor_id == actor.id) \
        .order_by(mentions.c.id.desc()).limit(SURFACE_SAMPLE).subquery()
    guessed = exists().where(latest.c.kind == kind, latest.c.cue == 0)
    said = exists().where(latest.c.kind == kind, latest.c.cue > 0)  # (each stops at the first row it finds)
    if not conn.execute(select(and_(guessed, ~said))).scalar():
        return False  # a cue said it (or no mention holds a kind: an index older than the kind votes)
    key = conn.execute(select(actors.c.key).where(actors.c.id == actor.id)).scalar()
    return not any(edit.action == EditAction.KIND and edit.actor_key == key for edit in active_edits(conn, [key]))


def _refs(rows, authored: list[str]) -> list[ArticleRef]:
    """A page's articles from its rows (one per mention, in the page's order), each with its mentions
    counted and up to five distinct sentences that name the actor."""
    refs: dict[str, ArticleRef] = {}
    for row in rows:
        ref = refs.get(row.id)
        if ref is None:
            ref = refs[row.id] = ArticleRef(id=row.id, title=row.title, source=row.source, date=row.date, url=row.url)
        if row.surface is not None:
            ref.mentions += 1
            ref.contexts.append(_one_line(row.sentence, row.surface))
    for ref in refs.values():
        ref.role = "mention" if ref.id not in authored else ("author and mention" if ref.mentions else "author")
        ref.contexts = list(dict.fromkeys(ref.contexts))[:5]
        ref.context = ref.contexts[0] if ref.contexts else None
    return list(refs.values())


class RankShape(NamedTuple):
    """What the statement of a ranked page depends on besides its values: built once per shape."""
    authored: bool  # the actor wrote articles (bylines)
    titles: int  # names of the actor looked for in titles
    since: bool
    until: bool
    source: bool
    by_date: bool  # newest first instead of most about it first
    sampled: bool  # over the articles of its latest RANKED_MENTIONS mentions only
    sqlite: bool

    @property
    def filtered(self) -> bool:
        return self.since or self.until or self.source

    @property
    def counted(self) -> bool:
        """Whether the page tells how many articles and mentions passed (the totals are the actor's otherwise)."""
        return self.filtered or self.sampled


@functools.lru_cache(maxsize=256)
def _ranked_statements(shape: RankShape):
    """A ranked page's statement, with the sentences that name the actor, and the statement counting what
    passed when the page is empty. Most about it first is mentions, TITLE_WEIGHT when the title names it
    (`title0`, `title1`… LIKE patterns), LEAD_WEIGHT when it is mentioned in the lead, then newest first. Read
    from the actor's mentions in ix_mentions_actor_newest and one article row for each article that passes
    the filters or, without them, that could reach the page (TITLE_CANDIDATES)."""
    own = select(mentions.c.article_id, mentions.c.start).where(mentions.c.actor_id == bindparam("actor_id"))
    if shape.sampled:
        own = own.order_by(mentions.c.id.desc()).limit(RANKED_MENTIONS)
    own = own.subquery()
    per_article = select(own.c.article_id.label("id"), func.count().label("n"), func.min(own.c.start).label("first")) \
        .group_by(own.c.article_id)
    if shape.authored:  # articles it wrote, mentioned there or not
        wrote = select(articles.c.id, literal(0, Integer), cast(null(), Integer)) \
            .where(articles.c.id.in_(bindparam("authored", expanding=True)))
        both = union_all(per_article, wrote).subquery()
        per_article = select(both.c.id, func.sum(both.c.n).label("n"), func.min(both.c.first).label("first")) \
            .group_by(both.c.id)
    per_article = per_article.cte("per_article")
    in_title = [func.lower(articles.c.title).like(bindparam(f"title{n}"), escape="/") for n in range(shape.titles)]
    base = per_article.c.n + case((per_article.c.first < LEAD_CHARS, LEAD_WEIGHT), else_=0)
    score = (base + case((or_(*in_title), TITLE_WEIGHT), else_=0) if in_title else base).label("score")
    columns = [articles.c.id, articles.c.title, articles.c.source, articles.c.date, articles.c.url, score]
    passing = _filter_conditions(shape)
    if passing:
        columns += [func.count().over().label("matched"), func.sum(per_article.c.n).over().label("matched_mentions")]
    else:
        page_last = select(base.label("base")).order_by(literal_column("base").desc()) \
            .offset(bindparam("last")).limit(1).scalar_subquery()
        reach = select(per_article.c.id).where(base + (TITLE_WEIGHT if in_title else 0) >= func.coalesce(page_last, 0)) \
            .order_by(base.desc(), per_article.c.first, per_article.c.id).limit(bindparam("reach"))
        passing = [per_article.c.id.in_(reach)]
        if shape.sampled:  # how many articles were ranked, from the ranking alone
            columns += [select(func.count()).select_from(per_article).scalar_subquery().label("matched"),
                        select(func.sum(per_article.c.n)).scalar_subquery().label("matched_mentions")]

    def newest(column):  # newest first, undated last (SQLite sorts NULLs last in DESC order)
        return column.desc() if shape.sqlite else column.desc().nulls_last()
    by_date = (newest(articles.c.date), articles.c.id)
    joined = per_article.join(articles, articles.c.id == per_article.c.id)
    page = select(*columns).select_from(joined).where(*passing) \
        .order_by(*(by_date if shape.by_date else (score.desc(), *by_date))) \
        .offset(bindparam("offset")).limit(bindparam("limit")).subquery()
    page_order = (newest(page.c.date), page.c.id)
    matched = select(func.count(), func.coalesce(func.sum(per_article.c.n), 0)).select_from(joined).where(*passing)
    return _with_contexts(page, page_order if shape.by_date else (page.c.score.desc(), *page_order)), matched


def _with_contexts(page, order):
    """The page's articles in `order`, one row per mention of the actor (`actor_id`) there with its sentence."""
    text = articles.alias("text")
    return select(page, mentions.c.surface, mention_sentence(text.c.text)) \
        .select_from(page.outerjoin(mentions, and_(mentions.c.article_id == page.c.id,
                                                   mentions.c.actor_id == bindparam("actor_id")))
                     .outerjoin(text, text.c.id == mentions.c.article_id)) \
        .order_by(*order, mentions.c.start)


def _filter_conditions(shape: RankShape) -> list:
    """The date and outlet filters as conditions on `articles` (`since`, `until`, `source`); an outlet that
    carried a syndicated copy counts: its occurrence names it."""
    conditions = []
    if shape.since:
        conditions.append(articles.c.date >= bindparam("since"))
    if shape.until:
        conditions.append(articles.c.date <= bindparam("until"))
    if shape.source:
        conditions.append(or_(articles.c.source == bindparam("source"), exists().where(and_(
            occurrences.c.article_id == articles.c.id, occurrences.c.source == bindparam("source")))))
    return conditions


def _like_escaped(text: str) -> str:
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _surfaces_statement():
    """How the corpus writes the actor, counted by the database over its latest SURFACE_SAMPLE mentions."""
    latest = select(mentions.c.surface).where(mentions.c.actor_id == bindparam("actor_id")) \
        .order_by(mentions.c.id.desc()).limit(SURFACE_SAMPLE).subquery()
    return select(latest.c.surface, func.count()).group_by(latest.c.surface)


_SURFACES = _surfaces_statement()  # built once: SQLAlchemy's statement cache serves every profile


def _surfaces(counted: list[tuple[str, int]], limit: int = 12) -> list[str]:
    """The spellings, most frequent first (ties in Python's order of strings, whatever the database's)."""
    return [surface for surface, _ in sorted(counted, key=lambda x: (-x[1], x[0]))[:limit]]


def _dense(articles_of_actor: int, wanted: int, index: AliasIndex) -> bool:
    """Whether to read an actor's page by walking all articles newest first (about articles/actor's
    articles rows per article wanted, each a probe of the article's mentions) rather than by reading
    all the actor's articles (with the probe read from ix_mentions_article_actor, a row walked and a
    row read cost about the same)."""
    return articles_of_actor >= DENSE and articles_of_actor ** 2 >= WALK_FACTOR * wanted * index.articles




def _one_line(sentence: str, surface: str, width: int = 200) -> str:
    """The mention's sentence on one line, cut around the mention when long."""
    line = " ".join((sentence or "").split())
    if len(line) <= width:
        return line
    at = max(0, line.find(surface))
    start = max(0, min(at - width // 3, len(line) - width))
    cut = line[start:start + width]
    return ("…" if start else "") + cut.strip() + ("…" if start + width < len(line) else "")
