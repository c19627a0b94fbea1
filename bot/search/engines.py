"""The one place the search engines are built, for every front (Slack answers, the console, the CLI,
digest commands): the lookup engine, quote search (which resolves `by` with the lookup engine) and
profiles (which read both).

Each engine keeps its index in memory and follows the store's generation by itself, so one set of
engines per store serves a whole process: `engines_for` hands every front the same set while one of
them holds it. After an index run `write_snapshots` builds both indexes and saves them
(bot.search.snapshots), so the bot's next start loads them instead.
"""
from __future__ import annotations

import logging
import threading
import time
from functools import partial
from weakref import WeakValueDictionary

from bot import cache
from bot.search import lookup, quotes, snapshots
from bot.search.lookup import LookupEngine
from bot.search.profiles import RELATED, Profiles
from bot.search.quotes import QuoteSearch
from bot.search.results import LookupResult, LookupStatus
from bot.store.db import Store

log = logging.getLogger(__name__)


class Engines:
    """The engines over one store; cheap to make, since each reads its index when first asked."""

    def __init__(self, store: Store):
        self.store = store
        self.lookup_engine = LookupEngine(store)
        self.quote_search = QuoteSearch(store, self.lookup_engine.resolve)
        self.profiles = Profiles(store, self.lookup_engine, self.quote_search)

    def lookup(self, query: str, *, articles_limit: int = 5, quotes_limit: int = 3,
               related_limit: int = RELATED) -> LookupResult:
        """Resolve a typed name to found / ambiguous / not_found (with candidates and an explanation);
        `found` carries the profile."""
        result = self.lookup_engine.resolve(query)
        if result.status == LookupStatus.FOUND:
            result.profile = self.profiles.profile(result.candidates[0].actor_id, articles_limit=articles_limit,
                                                   quotes_limit=quotes_limit, related_limit=related_limit)
        return result


# Keyed by the store object (which its Engines keeps alive, so the id is not reused while the entry is
# there): another Store on the same database has engines of its own, as it has connections of its own.
_HELD: WeakValueDictionary[int, Engines] = WeakValueDictionary()
_LOCK = threading.Lock()


def engines_for(store: Store) -> Engines:
    """The engines of this store that a front already holds, else new ones (held by the caller)."""
    with _LOCK:
        engines = _HELD.get(id(store))
        if engines is None:
            engines = _HELD[id(store)] = Engines(store)
        return engines


def write_snapshots(store: Store) -> list[str]:
    """After an index run: build and save the snapshots the store's current generation lacks, so the
    bot's next start loads them instead of building (the kinds written)."""
    if cache.usable_folder() is None:
        return []  # no cache to write to (the reason is logged): nothing to build
    generation = store.generation()
    written = []
    for kind, build in (("lookup", partial(lookup.build_index, snapshot=False)), ("quotes", quotes.build_index)):
        if not snapshots.is_current(store, generation, kind):
            started = time.perf_counter()
            index = build(store)
            # (an index of a later generation is another run's: that run saves it)
            if index.generation == generation and snapshots.save(store, generation, index, kind):
                written.append(kind)
                log.info("%s snapshot written in %.1fs", kind, time.perf_counter() - started)
    return written
