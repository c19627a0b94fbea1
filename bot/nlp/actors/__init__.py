"""Actor mentions: every person, organisation and place named in an article body.

Two sources, read in one pass over the article's words:

1. the curated list (config/actors.yaml, `Gazetteer.match`): the longest alias wins,
   so `Kataeb Hezbollah` is never read as `Hezbollah`; an acronym or ordinary word of
   the list links only with evidence in the article, and no name before the actor's
   `active` years (`Gazetteer.evident`, given the article's date);
2. discovery: runs of capitalised words (with name particles such as al-, bin, abu,
   de, van and the `of` of organisation names), cut at titles (`Supreme Leader`,
   `Maj. Gen.`) and the roles around them (`Minister of Energy and Natural Resources`,
   kept as the person's role), nationality adjectives, calendar words and curated
   names, with sentence-initial common words dropped. Title words, organisation head
   words, speech verbs and place prepositions give each name its kind.

Then each article is resolved as a reader would: a surname alone (`Kadhimi`) is
the full name introduced in the article, a one-letter typo of a name (`Abu Fadek`)
is that name, an acronym defined in brackets (`Popular Mobilisation Authority
(PMA)`) and a nickname in quotes (`Abdulaziz al-Muhammadawi "Abu Fadak"`) are
the name they follow, and a possessive that lost its apostrophe (`Khameneis`)
is the name without it. An acronym in brackets also says where the name it spells begins
(`People's Front for Unity and Renewal (PFUR)` is one name, not `Renewal` after another), and a
ticker after a company's name (`Velkor Motor Corp <VLKM.F>`) is no mention at all.

Kinds come from cues in the text first (titles, head words, speech verbs, place
prepositions, the noun of an apposition: `Velkor Data, a research firm`, and the
role of the person named after a name: `Velkor TV anchor Jo Tarn`), then from general knowledge (bot.nlp.world: countries and cities,
given names, how common an English word is; rigour's organisation tagger for the words
bodies are named with in many languages: `Minera`, `Banque`); a name no cue decided takes the kind
of the sure names in its list (`A, B and C`), and every mention of an actor votes
for its kind in the article, weighed by how sure its cue is. A nationality, place
or country's initials that opens an organisation's name qualifies it: the mention
covers `Development Bank`, the actor is `Nordic Development Bank`, and the place
gets a mention of its own.

Headline-like lines (title case, no closing punctuation) and lines in capitals
are page furniture for discovery. The title is not scanned: the stored text does
not contain it, and mention offsets point into the stored text.

The package takes those steps in turn: `finding` discovers the names and the kinds their own
words make sure of, `kinds` decides the kind of every other name, `resolution` reads the
article as a whole; `article` holds what every step reads of the article and the names found.
"""
from __future__ import annotations

import datetime

from bot.nlp.actors.article import Article
from bot.nlp.actors.finding import find_pieces
from bot.nlp.actors.resolution import resolve
from bot.nlp.models import Mention
from bot.nlp.tokens import tokenize


def extract_mentions(text: str, gazetteer=None, title: str | None = None, date: datetime.date | None = None,
                     source: str | None = None) -> list[Mention]:
    """Mentions of actors in `text` (offsets into it). `title` is accepted for the pipeline's
    signature and not scanned: its words are not part of the stored text. `date`, the article's,
    decides which curated actors existed then (`active:` in config/actors.yaml); `source`, its outlet
    (Velkorpress, velkorpost.com.vr), is an organisation where the text names it (told Velkorpress)."""
    if not text or not text.strip():
        return []
    toks = tokenize(text)
    if not toks.words:
        return []
    art = Article(text, toks, date.year if date else None, source)
    pieces = find_pieces(toks, art, gazetteer)
    resolve(pieces, toks, art)
    return [Mention(p.start, p.end, text[p.start:p.end], p.name, p.kind or "other", *art.sentence(p.start),
                    p.curated.name if p.curated is not None else None,
                    p.role if p.kind == "person" else None, cue=p.cue)
            for p in pieces]
