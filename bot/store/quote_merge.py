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
from bot.store.schema import quotes

CHUNK = 500


class QuoteIdentity:
    """Resolves a batch of quote texts to the keys they are stored under."""

    def __init__(self, conn: Connection, texts: list[str]):
        self.keys = {text: quote_keys(text) for text in texts}
        self.known: dict[str, dict[str, list[str]]] = {}  # blocking key -> {quote key: its folded words}
        self.known_keys: set[str] = set()  # stored already, or met earlier in the batch
        own = sorted({k.key for k in self.keys.values()})
        for start in range(0, len(own), CHUNK):
            self.known_keys.update(conn.execute(select(quotes.c.key).where(
                quotes.c.key.in_(own[start:start + CHUNK]))).scalars())
        # Only a quote not stored as such can be a near-identical form of another.
        blocks = sorted({b for k in self.keys.values() if k.key not in self.known_keys for b in (k.head, k.tail)})
        for start in range(0, len(blocks), CHUNK):
            chunk = blocks[start:start + CHUNK]
            for row in conn.execute(select(quotes.c.key, quotes.c.text, quotes.c.head_key, quotes.c.tail_key).where(
                    or_(quotes.c.head_key.in_(chunk), quotes.c.tail_key.in_(chunk)))):
                self._remember(row.key, folded_words(row.text), row.head_key, row.tail_key)

    def _remember(self, key: str, words: list[str], head: str, tail: str) -> None:
        self.known_keys.add(key)
        for block in (head, tail):
            self.known.setdefault(block, {})[key] = words

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
