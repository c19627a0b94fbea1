"""Which stored quote a newly extracted quote is: the indexer's side of quote merging.

A quote equal after folding (Quotebank's rule) has the same key. A near-identical form
(one word changed, truncated: bot.nlp.quote_identity) takes the key of the quote it
repeats, found through the head and tail blocking keys, in the index or earlier in
the same batch, so the indexer stores it as another occurrence of that quote.
"""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.engine import Connection

from bot.nlp.quote_identity import QuoteKeys, folded_words, near_identical, quote_keys
from bot.store.db import chunks, one_of
from bot.store.schema import quotes

CHUNK = 500
MAX_REMEMBERED = 200_000  # folded quotes kept across batches (a few hundred bytes each)
STORED = (quotes.c.id, quotes.c.key, quotes.c.text, quotes.c.first_seen)  # what the indexer updates


class QuoteIdentity:
    """Resolves a batch of quote texts to the keys they are stored under; the stored quotes it read on
    the way (`stored`) are the rows the indexer then updates, so it reads none again."""

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
