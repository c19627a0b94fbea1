"""Local snapshots of the search engines' in-memory indexes (the lookup engine's alias index, quote
search's term index), so a start on a big, unchanged index loads them instead of re-analysing every
alias and quote. `newsbot index` writes them when it finishes (bot.search.engines.write_snapshots), so
even the first start after indexing loads them; an engine that had to build its index saves it too.

One file per index and database in the cache folder (bot.cache: a private folder, plain data). It is
used only when it was written by the same code (a hash of the modules that build the index) for the
same index generation of the same database; anything else, including a damaged file or a refused
cache folder, means "build it".
"""
from __future__ import annotations

import gc
import hashlib
import logging
import sys
import threading
import time
from pathlib import Path
from typing import Callable

from sqlalchemy.engine import make_url

from bot import cache
from bot.search.alias_index import AliasIndex
from bot.search.quote_index import QuoteIndex

log = logging.getLogger(__name__)

# The modules whose code shapes each index: a snapshot made by other code is not used.
_MODULES = {"lookup": ("bot/search/alias_index.py", "bot/search/lookup.py", "bot/nlp/names.py"),
            "quotes": ("bot/search/quote_index.py", "bot/search/quotes.py", "bot/nlp/names.py")}
_INDEX_CLASSES = {"lookup": AliasIndex, "quotes": QuoteIndex}
_ROOT = Path(__file__).resolve().parent.parent.parent


def code_version(kind: str = "lookup") -> str:
    digest = hashlib.sha1(sys.byteorder.encode())  # arrays are stored as this machine's bytes
    for module in _MODULES[kind]:
        digest.update((_ROOT / module).read_bytes())
    return digest.hexdigest()[:16]


def snapshot_name(database: str, kind: str = "lookup") -> str:
    """The file name for this database URL, whichever driver names it (postgresql:// and
    postgresql+psycopg:// are one database)."""
    url = make_url(database)
    key = url.set(drivername=url.get_backend_name()).render_as_string(hide_password=True)
    return f"{kind}-{hashlib.sha1(key.encode()).hexdigest()[:16]}.msgpack"


def header(store, generation: int, kind: str) -> list:
    """What a snapshot must have been made for: this code, this database (its id, so a database made
    again at the same URL is not mistaken for the old one) and this generation of it."""
    return [code_version(kind), store.get_meta("database_id"), generation]


def load(store, generation: int, kind: str = "lookup"):
    """The saved index of this kind for this database and generation, or None."""
    name = snapshot_name(store.display_url, kind)
    data = cache.read(name, header(store, generation, kind))
    if data is None:
        return None
    try:
        return _INDEX_CLASSES[kind].from_data(data)
    except Exception as exc:  # a body that is not what this code writes: only a missed shortcut
        log.warning("%s snapshot %s unusable (%s): rebuilding", kind, name, exc.__class__.__name__)
        return None


def is_current(store, generation: int, kind: str) -> bool:
    """Whether the saved snapshot is for this code, database and generation (its header only is read)."""
    return cache.header_of(snapshot_name(store.display_url, kind)) == header(store, generation, kind)


def save(store, generation: int, index, kind: str = "lookup") -> bool:
    """Write the snapshot atomically (a reader never sees half a file); whether it was written (a failure
    is only logged)."""
    return _write(snapshot_name(store.display_url, kind), header(store, generation, kind), index)


def save_in_background(store, generation: int, index, kind: str = "lookup") -> threading.Thread:
    """`save` without holding up the caller."""
    thread = threading.Thread(target=_write, args=(snapshot_name(store.display_url, kind),
                                                   header(store, generation, kind), index),
                              name=f"{kind}-snapshot", daemon=True)
    thread.start()
    return thread


def _write(name: str, made_for: list, index) -> bool:
    return cache.write(name, made_for, index.to_data())


def load_or_build(store, kind: str, build: Callable[[], object], *, use_saved: bool = True,
                  save_after: float | None = None):
    """The saved index of this kind for the store's generation (unless not `use_saved`), else the one `build`
    makes, saved in the background when it took longer than `save_after` seconds.

    The cyclic garbage collector is paused while the index's million small objects are made (it would
    otherwise walk them again and again), and the result is frozen out of its reach afterwards (after
    one collection when it was built; loading a snapshot leaves no garbage), so no later collection
    stalls a search by walking it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        index = load(store, store.generation(), kind) if use_saved else None
        built = index is None
        if built:
            started = time.perf_counter()
            index = build()
            if save_after is not None and time.perf_counter() - started > save_after:
                save_in_background(store, index.generation, index, kind)
    finally:
        if was_enabled:
            gc.enable()
    if built:
        gc.collect()  # garbage cycles left now would be frozen for good
    gc.freeze()
    return index
