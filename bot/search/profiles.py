"""Actor profiles: how the corpus writes an actor, a page of its articles (those that mention it and those it
wrote) with the sentences that name it, the actors named beside it, its listed aliases and its quotes.

Built from both engines: the lookup engine's alias index (the actor, its aliases and bylines) and quote
search's index (its quotes), plus a few statements on the store.
"""
from __future__ import annotations

from sqlalchemy import and_, bindparam, exists, func, select, union

from bot.nlp.names import analyse_name
from bot.search.alias_index import ACTOR_COLUMNS, ActorEntry, AliasIndex, actor_entry
from bot.search.lookup import LookupEngine
from bot.search.quotes import QuoteSearch
from bot.search.results import ArticleRef, Profile
from bot.store.db import Store, one_of
from bot.store.schema import AliasOrigin, actors, articles, mention_sentence, mentions

DENSE = 200  # an actor in fewer articles never has its pages read through the date index (see _dense)
WALK_FACTOR = 1  # ... nor one in fewer than sqrt(WALK_FACTOR x articles wanted x all articles)
SURFACE_SAMPLE = 500  # a profile's aliases as written: over the actor's latest mentions
RELATED = 8  # related actors a profile names, unless asked for more (Slack pages through up to 40)
RELATED_SAMPLE = 100  # related actors: over the actor's latest articles (from its latest 4 x this mentions)


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
                related_limit: int = RELATED) -> Profile:
        """The profile of one actor, paged through its articles, its quotes by and about it (from the
        `by_offset`-th and `about_offset`-th on), with its `related_limit` most related actors (cached per
        alias index)."""
        index = self.lookup_engine.index
        if index is not self._cached_for:  # the profiles made with the previous index are out of date
            self._cache, self._cached_for = {}, index
        quote_pages = (quotes_limit, by_offset, about_offset)
        cache_key = (actor_id, articles_offset, articles_limit, quote_pages, related_limit, index.generation)
        cached = self._cache.get(cache_key)
        if cached is not None:
            return cached
        profile = self._build_profile(actor_id, articles_offset, articles_limit, quote_pages, related_limit, index)
        if len(self._cache) > 2000:
            self._cache = {}
        self._cache[cache_key] = profile
        return profile

    def _build_profile(self, actor_id: int, offset: int, limit: int, quote_pages: tuple[int, int, int],
                       related_limit: int, index: AliasIndex) -> Profile:
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
            page = self._page(conn, actor_id, authored, dense=_dense(total, offset + limit, index),
                              offset=offset, limit=limit)
            related = self._related(conn, actor_id, authored, index, related_limit)
        known = {analyse_name(s).key for s in surfaces} | {analyse_name(actor.name).key}
        listed = [index.entries[n].text for n in index.by_actor.get(actor_id, [])
                  if index.entries[n].origin == AliasOrigin.CONFIG and index.entries[n].form.key not in known]
        profile = Profile(actor_id=actor_id, name=actor.name, kind=actor.kind, description=actor.description,
                          aliases=surfaces, mentions=actor.mentions, article_count=total or 0,
                          first_seen=first_seen, last_seen=last_seen, articles=page, related=related,
                          authored=len(authored), curated=actor.curated, listed_aliases=listed,
                          articles_offset=offset)
        if actor_id > 0:  # after the connection: refreshing the quote index reads the store on one of its own
            quotes_limit, by_offset, about_offset = quote_pages
            (profile.quotes_by, profile.quotes_about, profile.quotes_by_total,
             profile.quotes_about_total) = self.quote_search.profile_quotes(actor_id, limit=quotes_limit,
                                                                            by_offset=by_offset,
                                                                            about_offset=about_offset)
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
        text = articles.alias("text")
        rows = conn.execute(
            select(page, mentions.c.surface, mention_sentence(text.c.text))
            .select_from(page.outerjoin(mentions, and_(mentions.c.article_id == page.c.id,
                                                       mentions.c.actor_id == actor_id))
                         .outerjoin(text, text.c.id == mentions.c.article_id))
            .order_by(self._newest(page.c.date), page.c.id, mentions.c.start)).all()
        refs: dict[str, ArticleRef] = {}
        for row in rows:
            ref = refs.get(row.id)
            if ref is None:
                ref = refs[row.id] = ArticleRef(id=row.id, title=row.title, source=row.source, date=row.date,
                                                url=row.url)
            if row.surface is not None:
                ref.mentions += 1
                ref.contexts.append(_one_line(row.sentence, row.surface))
        for ref in refs.values():
            ref.role = "mention" if ref.id not in authored else ("author and mention" if ref.mentions else "author")
            ref.contexts = list(dict.fromkeys(ref.contexts))[:5]
            ref.context = ref.contexts[0] if ref.contexts else None
        return list(refs.values())

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
