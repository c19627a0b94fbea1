"""An in-memory index that follows the store's generation without holding up a request.

The bot indexes all the time (feed polls, `/newsbot add`, alerts), and each index run bumps the store's
generation. Rebuilding a search index over a big store takes seconds, so a request that finds the
generation moved on only starts a rebuild in a background thread and answers from the index it has, as do
all the others until the new one is installed. One rebuild runs at a time per index; when the generation
moved on again while it ran, it rebuilds once more after it, however many runs bumped it. A failed rebuild
is logged and the old index kept; the next check tries again.

An index run of this process that nobody waits on (a corpus re-index, a feed poll) starts the rebuild
at once (bot.search.engines.follow_index_run) rather than leaving it to the next request's check. Only the
first build (nothing to answer from yet) and `refresh` (after an edit or an index run in this
process, whose user expects to find what they just added) build in the caller's thread.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Generic, Protocol, TypeVar

from bot.store.db import Store

log = logging.getLogger(__name__)


class Generational(Protocol):
    generation: int


Index = TypeVar("Index", bound=Generational)


class LiveIndex(Generic[Index]):
    def __init__(self, name: str, store: Store, build: Callable[[], Index], *, refresh_seconds: float):
        self.name = name
        self.store = store
        self.refresh_seconds = refresh_seconds
        self._build = build
        self._index: Index | None = None
        self._checked = 0.0
        self._lock = threading.Lock()  # held by a build in the caller's thread and while installing
        self._rebuilding: threading.Thread | None = None

    def current(self) -> Index:
        """The index; every `refresh_seconds`, a background rebuild starts when none runs."""
        index = self._index
        if index is None:
            with self._lock:
                if self._index is None:
                    self._install(self._build())
                return self._index
        now = time.monotonic()
        if now - self._checked >= self.refresh_seconds:
            self._checked = now
            self.follow()
        return index

    def refresh(self) -> Index:
        """Build now, in the caller's thread (after indexing or editing in this process)."""
        with self._lock:
            self._install(self._build())
            return self._index

    def wait(self, timeout: float | None = None) -> None:
        """Until the running background rebuild, if any, is over (for measurements and tests)."""
        thread = self._rebuilding
        if thread is not None:
            thread.join(timeout)

    def follow(self) -> None:
        """Start a background rebuild now unless one runs (it stops at once when the generation has not moved);
        called by the check, and after an index run in this process that nobody waits on."""
        with self._lock:
            if self._index is None or self._rebuilding is not None:
                return  # the running one checks the generation again when it is done
            self._rebuilding = threading.Thread(target=self._follow, name=f"{self.name}-index", daemon=True)
            self._rebuilding.start()

    def _follow(self) -> None:
        """Rebuild while the store's generation is not the index's."""
        try:
            while self.store.generation() != self._index.generation:
                started = time.perf_counter()
                index = self._build()
                with self._lock:
                    self._install(index)
                log.info("%s index of generation %d rebuilt in %.1fs", self.name, index.generation,
                         time.perf_counter() - started)
        except Exception:
            log.exception("%s index rebuild failed: answering from generation %d", self.name,
                          self._index.generation)
        finally:
            with self._lock:
                self._rebuilding = None

    def _install(self, index: Index) -> None:
        """Install `index` unless the one in place is of a later generation (a refresh overtook a rebuild)."""
        if self._index is None or index.generation >= self._index.generation:
            self._index = index
            self._checked = time.monotonic()
