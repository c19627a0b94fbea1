"""The cache folder and its files: derived data that makes start-up fast (search index snapshots, word
lists), all of it safe to delete.

The default folder is in the system's temporary folder, where anyone on the host can create a folder
first, so nothing in it is trusted by name: the folder is used only when it is a real folder (not a
link) owned by this process's effective user that nobody else can write in, checked at every use. It is
created with mode 0700; one of this user's that others can only read (an earlier version made it 0755)
is made 0700. A folder that fails the check is never read or written: the caller builds what it needs
in memory, and the reason is logged once per process with what to do.

Every file is plain data, never code: a short header and a body, both MessagePack (lists, maps,
strings, numbers, bytes), the header compared with what the caller expects before the body is
decoded. A file that is foreign, stale or damaged is a missed shortcut, nothing more.
"""
from __future__ import annotations

import gc
import logging
import mmap
import os
import stat
import struct
import tempfile
import threading
import time
from pathlib import Path

import msgpack

from bot.config import cache_dir

log = logging.getLogger(__name__)

MAGIC = b"newsbot-cache\x01"  # the format of every cache file: this, the header's length, header, body
_HEADER_LENGTH = struct.Struct(">I")
MAX_HEADER_BYTES = 4096
TEMPORARY_SUFFIX = ".tmp"
ABANDONED_AFTER_S = 600  # a temporary file this old was left by a writer that died
EARLIER_FORMATS = (".pickle", ".marshal")  # files of earlier versions: never read, removed on the next write

_warned: set[str] = set()
_warned_lock = threading.Lock()


class CacheRefused(Exception):
    """The cache folder is not this user's private folder; the message says why and what to do."""


def private_folder() -> Path:
    """The cache folder, created with mode 0700 when absent, verified: a real folder, owned by the
    effective user, writable by nobody else (then made 0700 if it was not). CacheRefused otherwise."""
    folder = cache_dir()
    try:
        folder.mkdir(mode=0o700, parents=True)
        folder.chmod(0o700)  # whatever the umask left
    except FileExistsError:
        pass
    except OSError as exc:
        raise CacheRefused(_refusal(folder, f"it cannot be created ({exc.strerror})")) from None
    try:
        info = folder.lstat()
    except OSError as exc:
        raise CacheRefused(_refusal(folder, f"it cannot be read ({exc.strerror})")) from None
    if stat.S_ISLNK(info.st_mode):
        raise CacheRefused(_refusal(folder, "it is a symbolic link, not a folder"))
    if not stat.S_ISDIR(info.st_mode):
        raise CacheRefused(_refusal(folder, "it is not a folder"))
    if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
        raise CacheRefused(_refusal(folder, f"it belongs to uid {info.st_uid}, not to this user (uid {os.geteuid()})"))
    if info.st_mode & 0o022:
        raise CacheRefused(_refusal(folder, f"its mode {stat.S_IMODE(info.st_mode):04o} lets other users write "
                                            f"in it (chmod 700 it if what it holds is yours)"))
    if info.st_mode & 0o077:  # only this user could have written in it: made by an earlier version (0755)
        try:
            folder.chmod(0o700)
        except OSError as exc:
            raise CacheRefused(_refusal(folder, f"its mode {stat.S_IMODE(info.st_mode):04o} lets other users read "
                                                f"it and cannot be changed ({exc.strerror})")) from None
        log.info("cache folder %s made private (mode %04o -> 0700)", folder, stat.S_IMODE(info.st_mode))
    return folder


def _refusal(folder: Path, problem: str) -> str:
    return (f"cache folder {folder} not used: {problem}; set NEWSBOT_CACHE_DIR to a folder of your own with mode "
            f"700, or remove this one (meanwhile newsbot works without it: indexes and word lists are built in memory)")


def usable_folder() -> Path | None:
    """The verified cache folder, or None after logging why not (once per process for each reason)."""
    try:
        return private_folder()
    except CacheRefused as exc:
        message = str(exc)
        with _warned_lock:
            first = message not in _warned
            _warned.add(message)
        if first:
            log.warning("%s", message)
        return None


def read(name: str, header: list):
    """The body of cache file `name` when its header equals `header`, else None (no file, another header,
    a damaged file, or a cache folder refused). The body is not decoded when the header differs."""
    folder = usable_folder()
    if folder is None:
        return None
    path = folder / name
    try:
        with path.open("rb") as handle:
            if _read_header(handle) != header:
                return None
            return _decode_body(handle)
    except FileNotFoundError:
        return None
    except Exception as exc:  # a damaged or foreign file is only a missed shortcut
        log.warning("cache file %s unusable (%s): rebuilding", path, exc.__class__.__name__)
        return None


def _decode_body(handle):
    """The rest of the file, decoded. Read through a memory map, not into a copy: a copy of tens of MB,
    freed at once, would stay in the process's memory as a hole in its heap."""
    was_enabled = gc.isenabled()
    gc.disable()  # hundreds of thousands of new containers, none of them a cycle
    try:
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped, memoryview(mapped) as whole:
            with whole[handle.tell():] as body:
                return msgpack.unpackb(body)
    finally:
        if was_enabled:
            gc.enable()


def header_of(name: str) -> list | None:
    """The header of cache file `name` (its body is not read), or None."""
    folder = usable_folder()
    if folder is None:
        return None
    try:
        with (folder / name).open("rb") as handle:
            return _read_header(handle)
    except Exception:
        return None


def _read_header(handle) -> list | None:
    start = handle.read(len(MAGIC) + _HEADER_LENGTH.size)
    if len(start) < len(MAGIC) + _HEADER_LENGTH.size or not start.startswith(MAGIC):
        return None
    (length,) = _HEADER_LENGTH.unpack(start[len(MAGIC):])
    if length > MAX_HEADER_BYTES:
        return None
    header = msgpack.unpackb(handle.read(length))
    return header if isinstance(header, list) else None


def write(name: str, header: list, body) -> bool:
    """Write cache file `name` atomically (a reader sees the old file or the whole new one); whether it was
    written. On any failure or interruption the temporary file goes; a failure is only logged."""
    folder = usable_folder()
    if folder is None:
        return False
    remove_leftovers(folder)
    path = folder / name
    temporary = None
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{name}.", suffix=TEMPORARY_SUFFIX,
                                         delete=False) as handle:
            temporary = handle.name
            encoded_header = msgpack.packb(header)
            handle.write(MAGIC + _HEADER_LENGTH.pack(len(encoded_header)) + encoded_header)
            handle.write(msgpack.packb(body))
        os.replace(temporary, path)
        return True
    except Exception as exc:
        log.warning("cache file %s not written (%s)", path, exc)
        return False
    finally:
        if temporary is not None:
            try:
                os.unlink(temporary)  # still there only when it was not put in place
            except FileNotFoundError:
                pass


def remove_leftovers(folder: Path) -> None:
    """Temporary files abandoned by writers that died (killed, power cut: tens of MB each), and files of
    earlier versions' formats, which are never read."""
    now = time.time()
    for entry in os.scandir(folder):
        try:
            stale = entry.name.endswith(TEMPORARY_SUFFIX) and now - entry.stat().st_mtime > ABANDONED_AFTER_S
            if stale or entry.name.endswith(EARLIER_FORMATS):
                os.unlink(entry.path)
        except OSError:
            pass
