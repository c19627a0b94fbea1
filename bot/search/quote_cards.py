"""Quote cards: one quote ready to cite, read from the store by the quote's id.

The card shows the quote where it was first published (its article, the paragraph around it), every
outlet that carried it (each article the quote appears in, and each syndicated copy of those articles,
bot.ingest.near_copies), the earliest marked, and the one-line attribution a writer pastes.
"""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from bot.search.results import ArticleRef, Carrier, QuoteCard
from bot.store.db import Store
from bot.store.schema import actors, articles, occurrences, quote_occurrences, quotes

MAX_PARAGRAPH = 1200  # characters of context around the quote (a long paragraph is cut around it)


def quote_card(store: Store, quote_id: int) -> QuoteCard | None:
    """The card of quote `quote_id`; None when no such quote is stored (re-indexed away, or never was)."""
    with store.connect() as conn:
        row = conn.execute(
            select(quotes.c.id, quotes.c.text, quotes.c.speaker, quotes.c.anonymous, quotes.c.partial,
                   quotes.c.start, quotes.c.end, quotes.c.first_source, actors.c.name.label("actor"),
                   articles.c.id.label("article_id"), articles.c.title, articles.c.source, articles.c.date,
                   articles.c.url, articles.c.text.label("body"))
            .select_from(quotes.join(articles, articles.c.id == quotes.c.article_id)
                         .outerjoin(actors, actors.c.id == quotes.c.speaker_actor_id))
            .where(quotes.c.id == quote_id)).first()
        if row is None:
            return None
        published = conn.execute(
            select(quote_occurrences.c.article_id, quote_occurrences.c.source, articles.c.date, articles.c.url,
                   articles.c.title, occurrences.c.source.label("copy_source"), occurrences.c.date.label("copy_date"),
                   occurrences.c.url.label("copy_url"), occurrences.c.title.label("copy_title"))
            .select_from(quote_occurrences.join(articles, articles.c.id == quote_occurrences.c.article_id)
                         .outerjoin(occurrences, occurrences.c.article_id == quote_occurrences.c.article_id))
            .where(quote_occurrences.c.quote_id == quote_id)).all()
    article = ArticleRef(id=row.article_id, title=row.title, source=row.source, date=row.date, url=row.url)
    carriers = _carriers([Carrier(source=p.copy_source or p.source, date=p.copy_date or p.date,
                                  url=p.copy_url or p.url, title=p.copy_title or p.title) for p in published]
                         or [Carrier(row.source, row.date, row.url, row.title)], first_source=row.first_source)
    speaker = row.actor or row.speaker or "an unnamed source"
    card = QuoteCard(id=row.id, text=row.text, speaker=speaker, anonymous=bool(row.anonymous),
                     paragraph=paragraph_around(row.body, row.start, row.end), article=article,
                     carriers=carriers, partial=bool(row.partial))
    card.citation = citation(card.text, speaker, row.source, row.date)
    return card


def _carriers(found: list[Carrier], *, first_source: str | None) -> list[Carrier]:
    """One line per outlet (its earliest copy), earliest first, undated last; the first is the quote's
    first sighting (its `first_source`) when that outlet is among them, else the earliest."""
    earliest: dict[str, Carrier] = {}
    for carrier in found:
        key = (carrier.source or "").casefold()
        held = earliest.get(key)
        if held is None or (carrier.date and (held.date is None or carrier.date < held.date)):
            earliest[key] = carrier
    ordered = sorted(earliest.values(), key=lambda c: (c.date is None, c.date or date.min, c.source or ""))
    first = next((c for c in ordered if first_source and c.source == first_source), ordered[0] if ordered else None)
    if first is not None:
        first.first = True
        ordered.remove(first)
        ordered.insert(0, first)
    return ordered


def paragraph_around(body: str, start: int, end: int) -> str:
    """The paragraph of `body` holding the span start–end (lines are paragraphs in stored text), cut to
    MAX_PARAGRAPH characters around the span when longer."""
    begin = body.rfind("\n", 0, start) + 1
    stop = body.find("\n", end)
    stop = len(body) if stop == -1 else stop
    if stop - begin > MAX_PARAGRAPH:
        room = max(MAX_PARAGRAPH - (end - start), 0) // 2
        cut_begin, cut_stop = max(begin, start - room), min(stop, end + room)
        return ("…" if cut_begin > begin else "") + body[cut_begin:cut_stop].strip() + ("…" if cut_stop < stop else "")
    return body[begin:stop].strip()


def citation(text: str, speaker: str, source: str | None, day: date | None) -> str:
    """`“We will respond,” Abu Ali al-Askari said, Desk Wire, 2 March 2021`: the quote's closing full stop
    becomes the comma of attribution (a question or exclamation mark stays)."""
    words = " ".join(text.split())
    words = re.sub(r"[.,;:]+$", "", words)
    words += "" if words.endswith(("?", "!", "…")) else ","
    where = ", ".join(p for p in [source, day.strftime("%-d %B %Y") if day else None] if p)
    speaker = speaker + "," if "," in speaker else speaker  # an appositive closes before the verb
    return f"“{words}” {speaker} said" + (f", {where}" if where else "")
