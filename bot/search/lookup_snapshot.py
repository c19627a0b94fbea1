"""Local snapshots of the search engines' in-memory indexes (the lookup engine's alias index, quote
search's term index), so a start on a big, unchanged index loads them instead of re-analysing every
alias and quote. `newsbot index` writes them when it finishes (`write_for`), so even the first start
after indexing loads them; an engine that had to build its index saves it too.

One file per index and database in `$NEWSBOT_CACHE_DIR` (default: a private folder in the system
temp folder). It is used only when it was written by the same code (a hash of the modules that build
the index) for the same index generation; anything else, including a damaged file, means "build it".
"""
from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
import threading
import time
from functools import partial
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.config import cache_dir

log = logging.getLogger(__name__)

# The modules whose code shapes each index: a snapshot made by other code is not used.
_MODULES = {"lookup": ("bot/search/lookup.py", "bot/nlp/names.py"),
            "quotes": ("bot/search/quotes.py", "bot/nlp/names.py")}
_ROOT = Path(__file__).resolve().parent.parent.parent


def code_version(kind: str = "lookup") -> str:
    digest = hashlib.sha1()
    for module in _MODULES[kind]:
        digest.update((_ROOT / module).read_bytes())
    return digest.hexdigest()[:16]


def snapshot_path(database: str, kind: str = "lookup") -> Path:
    """The file for this database URL, whichever driver names it (postgresql:// and postgresql+psycopg://
    are one database)."""
    url = make_url(database)
    key = url.set(drivername=url.get_backend_name()).render_as_string(hide_password=True)
    return cache_dir() / f"{kind}-{hashlib.sha1(key.encode()).hexdigest()[:16]}.pickle"


def header(store, generation: int, kind: str) -> tuple:
    """What a snapshot must have been made for: this code, this database (its id, so a database made
    again at the same URL is not mistaken for the old one) and this generation of it."""
    return code_version(kind), store.get_meta("database_id"), generation


def load(store, generation: int, kind: str = "lookup"):
    """The saved index of this kind for this database and generation, or None."""
    path = snapshot_path(store.display_url, kind)
    try:
        with path.open("rb") as handle:
            if pickle.load(handle) != header(store, generation, kind):
                return None
            return pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception as exc:  # a damaged or foreign file is only a missed shortcut
        log.warning("%s snapshot %s unusable (%s): rebuilding", kind, path, exc.__class__.__name__)
        return None


def is_current(store, generation: int, kind: str) -> bool:
    """Whether the saved snapshot is for this code, database and generation (its header only is read)."""
    try:
        with snapshot_path(store.display_url, kind).open("rb") as handle:
            return pickle.load(handle) == header(store, generation, kind)
    except Exception:
        return False


def save(store, generation: int, index, kind: str = "lookup") -> None:
    """Write the snapshot atomically (a reader never sees half a file); a failure is only logged."""
    _write(snapshot_path(store.display_url, kind), header(store, generation, kind), index)


def save_in_background(store, generation: int, index, kind: str = "lookup") -> threading.Thread:
    """`save` without holding up the caller."""
    thread = threading.Thread(target=_write, args=(snapshot_path(store.display_url, kind),
                                                   header(store, generation, kind), index),
                              name=f"{kind}-snapshot", daemon=True)
    thread.start()
    return thread


def _write(path: Path, made_for: tuple, index) -> None:
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _remove_abandoned(path)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=path.name, delete=False) as handle:
            pickle.dump(made_for, handle, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(index, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, path)
    except Exception as exc:
        log.warning("snapshot %s not written (%s)", path, exc)


def _remove_abandoned(path: Path, older_than_s: float = 600) -> None:
    """Half-written copies left by a process that exited while saving in the background (tens of MB each)."""
    for leftover in path.parent.glob(f"{path.name}?*"):
        try:
            if time.time() - leftover.stat().st_mtime > older_than_s:
                leftover.unlink()
        except OSError:
            pass


def write_for(store) -> list[str]:
    """After an index run: build and save the snapshots the store's current generation lacks, so the
    bot's next start loads them instead of building (the kinds written)."""
    from bot.search import lookup, quotes

    generation = store.generation()
    written = []
    for kind, build in (("lookup", partial(lookup.build_index, snapshot=False)), ("quotes", quotes.build_index)):
        if not is_current(store, generation, kind):
            started = time.perf_counter()
            index = build(store)
            if index.generation == generation:  # else another run changed the index meanwhile: it saves its own
                save(store, generation, index, kind)
                written.append(kind)
                log.info("%s snapshot written in %.1fs", kind, time.perf_counter() - started)
    return written
