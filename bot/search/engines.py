"""The one place the search engines are built, for every front (Slack answers, the console, the CLI,
digest commands): the lookup engine, quote search (which resolves `by` with the lookup engine) and
profiles (which read both).

Each engine keeps its index in memory and follows the store's generation by itself, rebuilding it in
the background (bot.search.live_index), so one set of engines per store serves a whole process:
`engines_for` hands every front the same set while one of them holds it. After an index run
`write_snapshots` builds both indexes and saves them (bot.search.snapshots), so the bot's next start
loads them instead.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from dataclasses import replace
from functools import partial
from weakref import WeakValueDictionary

from sqlalchemy import select

from bot import cache
from bot.search import lookup, quotes, snapshots
from bot.search.filters import NO_FILTERS, Filters, match_outlet
from bot.search.lookup import LookupEngine
from bot.search.profiles import RELATED, Profiles
from bot.search.quotes import QuoteSearch
from bot.search.results import Band, LookupResult, LookupStatus
from bot.store.db import Store
from bot.store.schema import occurrences

log = logging.getLogger(__name__)


class Engines:
    """The engines over one store; cheap to make, since each reads its index when first asked."""

    def __init__(self, store: Store):
        self.store = store
        self.lookup_engine = LookupEngine(store)
        self.quote_search = QuoteSearch(store, self.lookup_engine.resolve, self._actor_kind)
        self.profiles = Profiles(store, self.lookup_engine, self.quote_search)
        self._outlets: tuple[int, list[str]] | None = None  # (generation, outlet names)

    def _actor_kind(self, actor_id: int) -> str | None:
        actor = self.lookup_engine.index.actors.get(actor_id)
        return actor.kind if actor is not None else None

    def refresh(self) -> None:
        """Build both indexes again now, in this thread (after an edit or an index run made in this process,
        whose user expects to find what they changed), not in the background after their next check."""
        self.lookup_engine.refresh()
        quotes.live_index(self.store).refresh()

    def lookup(self, query: str, *, articles_limit: int = 5, quotes_limit: int = 3, articles_offset: int = 0,
               related_limit: int = RELATED, filters: Filters = NO_FILTERS) -> LookupResult:
        """Resolve a typed name to found / ambiguous / not_found (with candidates and an explanation), among
        actors of the filters' kind; `found` carries the profile, its articles and quotes filtered."""
        result = self.lookup_engine.resolve(query)
        result.filters = filters
        if filters.kind and result.status in (LookupStatus.FOUND, LookupStatus.AMBIGUOUS, LookupStatus.NOT_FOUND):
            result = of_kind(result, filters.kind)
        if result.status == LookupStatus.FOUND:
            result.profile = self.profiles.profile(result.candidates[0].actor_id, articles_offset=articles_offset,
                                                   articles_limit=articles_limit, quotes_limit=quotes_limit,
                                                   related_limit=related_limit, filters=filters)
        return result

    def outlets(self) -> list[str]:
        """The outlets of the index (of every copy of a story), read once per index generation (the lookup
        index's, which follows the store's every few seconds: no statement per filtered query)."""
        generation = self.lookup_engine.index.generation
        if self._outlets is None or self._outlets[0] != generation:
            with self.store.connect() as conn:
                names = conn.execute(select(occurrences.c.source).where(occurrences.c.source.is_not(None))
                                     .distinct()).scalars()
                self._outlets = (generation, sorted(names))
        return self._outlets[1]

    def with_outlet(self, filters: Filters) -> Filters:
        """The filters with `source` as the outlet of the index it means (FilterError when none)."""
        if not filters.source:
            return filters
        return replace(filters, source=match_outlet(filters.source, self.outlets()))


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


def follow_index_run(store: Store) -> None:
    """After an index run in this process that nobody waits on (a re-index, a feed poll): the engines a front
    holds for this store start rebuilding their indexes in the background now, not at a request's next check."""
    engines = _HELD.get(id(store))
    if engines is not None:
        engines.lookup_engine.live.follow()
        quotes.live_index(store).follow()


_SNAPSHOT_BUILDS = {"lookup": lookup.build_alias_index, "quotes": quotes.build_index}


def write_snapshots(store: Store) -> list[str]:
    """After an index run: build and save the snapshots the store's current generation lacks, so the
    bot's next start loads them instead of building (the kinds written). With a core to spare, the
    second is built at the same time in a forked process: neither needs the other. (Not from a process
    running other threads: the child could inherit a lock one of them holds.)"""
    if cache.usable_folder() is None:
        return []  # no cache to write to (the reason is logged): nothing to build
    generation = store.generation()
    due = [kind for kind in _SNAPSHOT_BUILDS if not snapshots.is_current(store, generation, kind)]
    beside = None
    if len(due) > 1 and (os.cpu_count() or 1) > 1 and threading.active_count() == 1:
        beside = multiprocessing.get_context("fork").Process(
            target=_write_snapshot_apart, args=(store.url, due[-1], generation), name=f"{due[-1]}-snapshot")
        beside.start()
    written = [kind for kind in due[:-1 if beside else None] if _write_snapshot(store, kind, generation)]
    if beside is not None:
        beside.join()
        if beside.exitcode == 0 and snapshots.is_current(store, generation, due[-1]):
            written.append(due[-1])
    return written


def _write_snapshot(store: Store, kind: str, generation: int) -> bool:
    """Build the index of this kind and save it, unless it is of a later generation than `generation`
    (another run's: that run saves it); whether it was saved."""
    started = time.perf_counter()
    index = snapshots.load_or_build(store, kind, partial(_SNAPSHOT_BUILDS[kind], store), use_saved=False)
    if index.generation == generation and snapshots.save(store, generation, index, kind):
        log.info("%s snapshot written in %.1fs", kind, time.perf_counter() - started)
        return True
    return False


def _write_snapshot_apart(url: str, kind: str, generation: int) -> None:
    """_write_snapshot in a forked process, over a store of its own (the parent's connections stay the
    parent's); the exit code says whether it failed."""
    store = Store(url, migrate=False)
    try:
        _write_snapshot(store, kind, generation)
    finally:
        store.dispose()


def of_kind(result: LookupResult, kind: str) -> LookupResult:
    """A lookup narrowed to actors of one kind: of the actors it found or offered as close matches, those of
    that kind (one is found, several are ambiguous); of its suggestions, those of that kind; none, and the
    answer says which kinds the name does match."""
    kept = [c for c in result.candidates if c.kind == kind]
    if result.status == LookupStatus.NOT_FOUND:
        return replace(result, candidates=kept)
    if kept and kept[0] is result.candidates[0]:
        return replace(result, candidates=kept) if result.status == LookupStatus.FOUND or len(kept) > 1 \
            else replace(result, status=LookupStatus.FOUND, candidates=kept)
    close = [c for c in kept if c.band in (Band.EXACT, Band.CLOSE)]
    if len(close) == 1:
        return replace(result, status=LookupStatus.FOUND, candidates=close, band=close[0].band,
                       explanation=f"Of the actors “{result.query}” matches, only {close[0].name} is a {kind}.")
    if close:
        return replace(result, status=LookupStatus.AMBIGUOUS, candidates=close)
    others = ", ".join(f"{c.name} ({c.kind})" for c in result.candidates[:3])
    return replace(result, status=LookupStatus.NOT_FOUND, candidates=[], band=Band.NONE,
                   explanation=f"No {kind} named “{result.query}” in the index. It matches {others}.")
