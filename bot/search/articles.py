"""What the index found in one article: its actors (most mentioned first) and its quotes, as `/newsbot add`
and a link posted with @newsbot answer."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from bot.search.results import ArticleRef
from bot.store.db import Store
from bot.store.schema import actors, articles, mentions, quote_occurrences, quotes


@dataclass(frozen=True)
class FoundActor:
    id: int
    name: str
    kind: str
    mentions: int


@dataclass(frozen=True)
class FoundQuote:
    id: int
    text: str
    speaker: str | None  # the speaker's actor name, else the speaker as written (an anonymous source's description)


@dataclass
class ArticleFindings:
    article: ArticleRef
    actors: list[FoundActor] = field(default_factory=list)
    quotes: list[FoundQuote] = field(default_factory=list)


def article_findings(store: Store, article_id: str) -> ArticleFindings | None:
    """The article's actors and quotes; None when no such article is indexed (any more)."""
    with store.connect() as conn:
        row = conn.execute(select(articles.c.id, articles.c.title, articles.c.source, articles.c.date, articles.c.url)
                           .where(articles.c.id == article_id)).first()
        if row is None:
            return None
        count = func.count(mentions.c.id).label("n")
        found = conn.execute(select(actors.c.id, actors.c.name, actors.c.kind, count)
                             .join(actors, actors.c.id == mentions.c.actor_id)
                             .where(mentions.c.article_id == article_id)
                             .group_by(actors.c.id, actors.c.name, actors.c.kind)
                             .order_by(count.desc(), actors.c.name)).all()
        said = conn.execute(select(quotes.c.id, quotes.c.text, func.coalesce(actors.c.name, quotes.c.speaker))
                            .select_from(quote_occurrences.join(quotes, quotes.c.id == quote_occurrences.c.quote_id)
                                         .outerjoin(actors, actors.c.id == quotes.c.speaker_actor_id))
                            .where(quote_occurrences.c.article_id == article_id)
                            .order_by(quote_occurrences.c.start, quotes.c.id)).all()
    return ArticleFindings(ArticleRef(id=row.id, title=row.title, source=row.source, date=row.date, url=row.url),
                           [FoundActor(*actor) for actor in found],
                           list({q[0]: FoundQuote(*q) for q in said}.values()))
