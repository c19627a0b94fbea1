"""Quote search (issue 4 builds it)."""
from __future__ import annotations

from bot.search.results import QuoteHit, QuoteSearchResult
from bot.store.db import Store


class QuoteSearch:
    def __init__(self, store: Store, lookup_engine=None):
        self.store = store
        self.lookup_engine = lookup_engine

    def search(self, words: str = "", by: str | None = None, *, limit: int = 5, offset: int = 0) -> QuoteSearchResult:
        """Quotes matching remembered words (typo and order tolerant), optionally by a speaker (fuzzy)."""
        raise NotImplementedError

    def quotes_by(self, actor_id: int, *, limit: int = 3, offset: int = 0) -> list[QuoteHit]:
        raise NotImplementedError

    def quotes_about(self, actor_id: int, *, limit: int = 3, offset: int = 0) -> list[QuoteHit]:
        raise NotImplementedError
