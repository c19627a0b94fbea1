"""The one function every article goes through between reading and storing.

Reading (bot.corpus) gives a Document; `analyse` adds what extraction finds;
the indexer (bot.ingest.indexer) stores the result. New extraction steps are
added here and nowhere else.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from bot.corpus import syndication
from bot.corpus.models import Document
from bot.nlp.actors import extract_mentions
from bot.nlp.models import Mention, Quote
from bot.nlp.quotes import extract_quotes
from bot.nlp.roles import RoleMention, role_mentions


@dataclass
class AnalysedArticle:
    """An article with what extraction found, and its story fingerprint: computed where the
    article is analysed (an analysis worker), so the single writer does not fold bodies."""

    doc: Document
    mentions: list[Mention] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    roles: list[RoleMention] = field(default_factory=list)
    story_id: str = field(init=False)
    bands: list[str] = field(init=False)
    traits: syndication.Traits = field(init=False)  # of the folded body: what rules most near copies out
    packed_body: bytes = field(init=False)  # the folded body, packed: what near-copy checks compare

    def __post_init__(self) -> None:
        folded = syndication.folded(self.doc.text)
        self.story_id = story_id(folded)
        self.bands = syndication.fingerprint(folded, already_folded=True)
        self.traits = syndication.traits(folded)
        self.packed_body = syndication.pack(folded)


def story_id(folded_body: str) -> str:
    """Stable story id of a folded body: the same words get the same id."""
    return hashlib.sha1(folded_body.encode("utf-8")).hexdigest()[:20]


def analyse(doc: Document, gazetteer=None) -> AnalysedArticle:
    mentions = extract_mentions(doc.text, gazetteer, title=doc.title, date=doc.date, source=doc.source)
    quotes = extract_quotes(doc.text, mentions, gazetteer)
    return AnalysedArticle(doc=doc, mentions=mentions, quotes=quotes, roles=role_mentions(doc.text, mentions))
