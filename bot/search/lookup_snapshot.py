"""A local snapshot of the lookup engine's alias index, so a restart on a big, unchanged index
loads it (about a quarter of the build time) instead of re-analysing every alias.

One file per database in `$NEWSBOT_CACHE_DIR` (default: a private folder in the system temp
folder). It is used only when it was written by the same code (a hash of the matching modules)
for the same index generation; anything else, including a damaged file, means "build it".
"""
from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
import threading
from pathlib import Path

log = logging.getLogger(__name__)

_MODULES = ("bot/search/lookup.py", "bot/nlp/names.py")
_ROOT = Path(__file__).resolve().parent.parent.parent


def code_version() -> str:
    digest = hashlib.sha1()
    for module in _MODULES:
        digest.update((_ROOT / module).read_bytes())
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    configured = os.environ.get("NEWSBOT_CACHE_DIR")
    if configured:
        return Path(configured)
    return Path(tempfile.gettempdir()) / f"newsbot-cache-{os.getuid() if hasattr(os, 'getuid') else 'user'}"


def snapshot_path(database: str) -> Path:
    return cache_dir() / f"lookup-{hashlib.sha1(database.encode()).hexdigest()[:16]}.pickle"


def load(database: str, generation: int):
    """The saved index for this database and generation, or None."""
    path = snapshot_path(database)
    try:
        with path.open("rb") as handle:
            header = pickle.load(handle)
            if header != (code_version(), generation):
                return None
            return pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception as exc:  # a damaged or foreign file is only a missed shortcut
        log.warning("lookup snapshot %s unusable (%s): rebuilding", path, exc.__class__.__name__)
        return None


def save_in_background(database: str, generation: int, index) -> threading.Thread:
    """Write the snapshot without holding up the caller (atomically: a reader never sees half a file)."""
    def write() -> None:
        path = snapshot_path(database)
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path.parent, prefix=path.name, delete=False) as handle:
                pickle.dump((code_version(), generation), handle, protocol=pickle.HIGHEST_PROTOCOL)
                pickle.dump(index, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(handle.name, path)
        except Exception as exc:
            log.warning("lookup snapshot %s not written (%s)", path, exc)

    thread = threading.Thread(target=write, name="lookup-snapshot", daemon=True)
    thread.start()
    return thread
