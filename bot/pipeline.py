"""The one function every article goes through between reading and storing.

Reading (bot.corpus) gives a Document; `analyse` adds what extraction finds;
the indexer (bot.store.indexer) stores the result. New extraction steps are
added here and nowhere else.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from bot.corpus.models import Document
from bot.nlp.actors import extract_mentions
from bot.nlp.models import Mention, Quote
from bot.nlp.quotes import extract_quotes


@dataclass
class AnalysedArticle:
    doc: Document
    mentions: list[Mention] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)


def analyse(doc: Document, gazetteer=None) -> AnalysedArticle:
    mentions = extract_mentions(doc.text, gazetteer, title=doc.title)
    quotes = extract_quotes(doc.text, mentions, gazetteer)
    return AnalysedArticle(doc=doc, mentions=mentions, quotes=quotes)
