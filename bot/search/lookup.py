"""The actor lookup engine (issue 3 builds it). Every front (CLI, Slack, console, digest) calls only this."""
from __future__ import annotations

from bot.search.results import LookupResult, Profile
from bot.store.db import Store


class LookupEngine:
    def __init__(self, store: Store):
        self.store = store

    def lookup(self, query: str) -> LookupResult:
        """Resolve a typed name to found / ambiguous / not_found (with candidates and an explanation);
        `found` carries the profile."""
        raise NotImplementedError

    def profile(self, actor_id: int, *, articles_offset: int = 0, articles_limit: int = 5,
                quotes_limit: int = 3) -> Profile:
        """The profile of one actor, paged through its articles."""
        raise NotImplementedError
