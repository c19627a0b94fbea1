"""Quote merging: which stored quote a newly extracted quote is, and the file's quotes written so.

A quote equal after folding (Quotebank's rule) has the same key. A near-identical form
(one word changed, truncated: bot.nlp.quote_identity) takes the key of the quote it
repeats, found through the head and tail blocking keys, in the index or earlier in
the same batch, and is stored as another occurrence of that quote.
"""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.engine import Connection

from bot.ingest.pipeline import AnalysedArticle
from bot.nlp.quote_identity import QuoteKeys, folded_words, longer_form, near_identical, quote_keys
from bot.store.bulk import insert_plain_rows
from bot.store.db import chunks, one_of
from bot.store.schema import ABOUT_CONTEXT, quote_occurrences, quotes

CHUNK = 500
MAX_REMEMBERED = 200_000  # folded quotes kept across batches (a few hundred bytes each)
STORED = (quotes.c.id, quotes.c.key, quotes.c.text, quotes.c.first_seen)  # what store_quotes updates
_QUOTE_COLUMNS = ("key", "text", "speaker", "speaker_actor_id", "anonymous", "cue", "article_id", "start", "end",
                  "marked", "partial", "first_seen", "first_source", "head_key", "tail_key")
_QUOTE_OCCURRENCE_COLUMNS = ("quote_id", "article_id", "start", "end", "source", "subjects")


class QuoteIdentity:
    """Resolves a batch of quote texts to the keys they are stored under; the stored quotes it read on
    the way (`stored`) are the rows store_quotes then updates, so it reads none again."""

    def __init__(self, conn: Connection, texts: list[str], words_of: dict[str, list[str]] | None = None):
        """`words_of` (stored text -> folded words) remembers stored quotes' words across batches: a
        quote repeated all over a corpus is read again for every batch that might repeat it."""
        words_of = {} if words_of is None else words_of
        self.keys = {text: quote_keys(text) for text in texts}
        self.stored: dict[str, dict] = {}  # quote key -> {"id", "text", "first_seen"} of the rows read
        self.known: dict[str, dict[str, list[str]]] = {}  # blocking key -> {quote key: its folded words}
        own = sorted({k.key for k in self.keys.values()})
        for chunk in chunks(own, CHUNK):
            for row in conn.execute(select(*STORED).where(one_of(conn, quotes.c.key, chunk))):
                self._keep(row)
        self.known_keys: set[str] = set(self.stored)  # stored already, or met earlier in the batch
        # Only a quote not stored as such can be a near-identical form of another.
        blocks = sorted({b for k in self.keys.values() if k.key not in self.known_keys for b in (k.head, k.tail)})
        for chunk in chunks(blocks, CHUNK):
            for row in conn.execute(select(*STORED, quotes.c.head_key, quotes.c.tail_key).where(
                    or_(one_of(conn, quotes.c.head_key, chunk), one_of(conn, quotes.c.tail_key, chunk)))):
                self._keep(row)
                words = words_of.get(row.text)
                if words is None:
                    words = folded_words(row.text)
                    if len(words_of) < MAX_REMEMBERED:
                        words_of[row.text] = words
                self._remember(row.key, words, row.head_key, row.tail_key)

    def _keep(self, row) -> None:
        self.stored[row.key] = {"id": row.id, "text": row.text, "first_seen": row.first_seen}

    def _remember(self, key: str, words: list[str], head: str, tail: str) -> None:
        self.known_keys.add(key)
        for block in (head, tail):
            self.known.setdefault(block, {})[key] = words

    def own_key(self, text: str) -> str:
        """The key of `text`'s own folded words (which `key` may map to another quote's)."""
        return self.keys[text].key

    def blocks(self, text: str) -> dict[str, str]:
        keys = self.keys[text]
        return {"head_key": keys.head, "tail_key": keys.tail}

    def key(self, text: str) -> str:
        """The key to store `text` under: its own, or that of the quote it nearly repeats."""
        keys: QuoteKeys = self.keys[text]
        if keys.key in self.known_keys:  # the same quote again: the common case, and a set lookup
            return keys.key
        words = folded_words(text)
        for block in (keys.head, keys.tail):
            for key, known_words in self.known.get(block, {}).items():
                if near_identical(known_words, words):
                    return key
        self._remember(keys.key, words, keys.head, keys.tail)
        return keys.key


def store_quotes(conn: Connection, new_items: list[tuple[str, AnalysedArticle]],
                 named: dict[str, list[tuple[int, int, int]]], speaker_id: Callable[[str], int],
                 words_of: dict[str, list[str]]) -> None:
    """One quote row per folded text (the longest form, the earliest sighting); every place it
    appears is an occurrence, with the actors `named` near it (mentions_by_story). Written for the whole
    file at once. `speaker_id` gives a speaker's actor id; `words_of` is QuoteIdentity's memory for the run."""
    identity = QuoteIdentity(conn, [quote.text for _, item in new_items for quote in item.quotes], words_of)
    keyed = [(story_id, item.doc, quote, identity.key(quote.text)) for story_id, item in new_items
             for quote in item.quotes]
    known = identity.stored  # every stored quote a key can name was read to resolve it
    fresh: dict[str, dict] = {}
    changed: dict[str, dict] = {}
    for story_id, doc, quote, key in keyed:
        row = fresh.get(key) or known.get(key)
        if row is None:
            speaker_actor = speaker_id(quote.speaker_name) if quote.speaker_name else None
            fresh[key] = dict(key=key, text=quote.text, speaker=quote.speaker, speaker_actor_id=speaker_actor,
                              anonymous=quote.anonymous, cue=quote.cue, article_id=story_id, start=quote.start,
                              end=quote.end, marked=quote.marked, partial=quote.partial, first_seen=doc.date,
                              first_source=doc.source, **identity.blocks(quote.text))
            continue
        changes = changed.setdefault(key, {}) if key in known and key not in fresh else row
        # A near-identical form may be the longer one; the same words again never are.
        if identity.own_key(quote.text) != key and longer_form(quote.text, row["text"]):
            row["text"] = changes["text"] = quote.text
        if doc.date and (row["first_seen"] is None or doc.date < row["first_seen"]):
            row["first_seen"] = doc.date
            changes.update(first_seen=doc.date, first_source=doc.source, article_id=story_id, start=quote.start,
                           end=quote.end)
    ids = {key: row["id"] for key, row in known.items()}
    if fresh:  # plain rows, then their ids: cheaper than an INSERT ... RETURNING built row by row
        insert_plain_rows(conn, quotes, _QUOTE_COLUMNS, [tuple(row[c] for c in _QUOTE_COLUMNS)
                                                         for row in fresh.values()])
        for chunk in chunks(list(fresh)):
            ids.update(conn.execute(select(quotes.c.key, quotes.c.id).where(one_of(conn, quotes.c.key, chunk))).all())
    updates: dict[tuple[str, ...], list[dict]] = {}  # one executemany per set of changed columns
    for key, changes in changed.items():
        if changes:
            updates.setdefault(tuple(sorted(changes)), []).append(
                {"quote_id": ids[key], **{f"new_{c}": v for c, v in changes.items()}})
    for columns, rows in updates.items():
        conn.execute(update(quotes).where(quotes.c.id == bindparam("quote_id")).values(
            {c: bindparam(f"new_{c}") for c in columns}), rows)
    if keyed:
        insert_plain_rows(conn, quote_occurrences, _QUOTE_OCCURRENCE_COLUMNS,
                          [(ids[key], story_id, quote.start, quote.end, doc.source,
                            quote_subjects(named.get(story_id, ()), quote.start, quote.end))
                           for story_id, doc, quote, key in keyed])


def mentions_by_story(rows: Iterable[tuple]) -> dict[str, list[tuple[int, int, int]]]:
    """story -> (actor, start, end) of its mentions in order of start, from mention rows (story, actor,
    start, end, ...): what quote_subjects reads."""
    named: dict[str, list[tuple[int, int, int]]] = {}
    for story, actor, start, end, *_ in rows:
        named.setdefault(story, []).append((actor, start, end))
    for spans in named.values():
        spans.sort(key=_span_start)
    return named


def quote_subjects(named: Sequence[tuple[int, int, int]], start: int, end: int) -> str | None:
    """The actors (actor, start, end: a story's mentions, in order of start) named near a quote's
    span, as quote_occurrences.subjects holds them. Only the mentions starting near it are read."""
    near = set()
    for index in range(bisect_left(named, start - ABOUT_CONTEXT, key=_span_start), len(named)):
        actor, first, last = named[index]
        if first > end + ABOUT_CONTEXT:
            break
        if last <= end + ABOUT_CONTEXT:
            near.add(actor)
    return ",".join(map(str, sorted(near))) or None


def _span_start(span: tuple[int, int, int]) -> int:
    return span[1]
