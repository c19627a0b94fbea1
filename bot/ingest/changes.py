"""What changed since the last run: the files stored then, each file's signature (size and
modification time) and content digest, and the stored files now gone from disk."""
from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Connection

from bot.corpus.models import FileProblem
from bot.corpus.sidecar import sidecar_path
from bot.corpus.walk import CorpusWalk
from bot.store.schema import source_files
from bot.wording import plural


@dataclass
class KnownFile:
    """A file as the last run that indexed it stored it."""

    id: int
    sha256: str
    size: int
    mtime: float
    error: str | None = None  # the problems met when it was indexed (JSON), reported again while it is unchanged


def known_files(conn: Connection) -> dict[str, KnownFile]:
    """Every stored file, by path."""
    return {row.path: KnownFile(row.id, row.sha256, row.size, row.mtime, row.error)
            for row in conn.execute(select(source_files.c.id, source_files.c.path, source_files.c.sha256,
                                           source_files.c.size, source_files.c.mtime, source_files.c.error))}


def file_signature(path: Path, *, sidecar: bool = True) -> tuple[int, float]:
    """(size, mtime) of a file with its sidecar: equal signatures mean nothing to re-read.

    The sidecar's change time counts too: a sidecar made readable again (chmod) is read again."""
    stat = path.stat()
    size, mtime = stat.st_size, stat.st_mtime
    meta = sidecar_path(path)
    if sidecar and meta.is_file():
        meta_stat = meta.stat()
        size, mtime = size + meta_stat.st_size, max(mtime, meta_stat.st_mtime, meta_stat.st_ctime)
    return size, mtime


def file_digest(path: Path, *, sidecar: bool = True) -> str:
    """sha256 of a file and of its sidecar metadata (a changed sidecar re-indexes the file).

    An unreadable sidecar counts as one: the file is indexed without it (bot.corpus.sidecar reports it),
    and again once the sidecar can be read."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    meta = sidecar_path(path)
    if sidecar and meta.is_file():
        try:
            digest.update(meta.read_bytes())
        except OSError:
            digest.update(b"\0unreadable sidecar")
    return digest.hexdigest()




def stored_problems(error: str | None) -> list[FileProblem]:
    """The problems an unchanged file had when it was indexed: still there, so still reported."""
    if not error:
        return []
    try:
        problems = [FileProblem(**p) for p in json.loads(error)]
    except (ValueError, TypeError):
        return [FileProblem("", f"{error} (unchanged since it was indexed)", fatal=False)]
    for problem in problems:
        problem.reason += " (unchanged since it was indexed)"
        problem.fatal = False
    return problems



def vanished_files(conn: Connection, roots: Iterable[Path], walk: CorpusWalk) -> tuple[list[int], list[FileProblem]]:
    """The ids of the stored files under `roots` that are gone from disk or are documentation (indexed
    before the walk set README and the like aside), and a problem per corpus folder found empty. Never
    those the walk could not look at (an unreadable folder, a file that cannot be reached now), nor those
    of an empty corpus folder, which is what an unmounted disk looks like (reported instead)."""
    root_prefixes = [os.path.realpath(r) + os.sep for r in roots if os.path.isdir(r)]
    if not root_prefixes:
        return [], []
    present = set(map(str, walk.files))
    documentation = set(map(str, walk.documentation))
    unseen = [str(folder) + os.sep for folder in walk.unseen]
    empty = [str(folder) + os.sep for folder in walk.empty_folders]
    gone: list[int] = []
    kept_in_empty: Counter[str] = Counter()
    for file_id, path in conn.execute(select(source_files.c.id, source_files.c.path)).all():
        if path in present or not path.startswith(tuple(root_prefixes)) or path.startswith(tuple(unseen)):
            continue
        if path.startswith(tuple(empty)):
            kept_in_empty[next(folder for folder in empty if path.startswith(folder))] += 1
        elif path in documentation or _gone(path):
            gone.append(file_id)
    problems = [FileProblem(
        folder.rstrip(os.sep), f"corpus folder is empty: the articles of its {plural(count, 'indexed file')} are "
                               f"kept, as for a disk not mounted (if it was emptied on purpose, leave any "
                               f"file in it, such as .keep, and index again)")
                for folder, count in kept_in_empty.items()]
    return gone, problems


def _gone(path: str) -> bool:
    """True when `path` is known not to exist any more; False when it exists or cannot be looked at."""
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        return False
    return False
