"""Indexing: files in, stories, mentions and quotes out, one transaction per file.

Incremental: a file whose size and modification time are unchanged is not read
again, one whose content hash is unchanged is not re-indexed, a changed file has
its occurrences replaced, and a file gone from a corpus folder has them removed.
A story left with no occurrence is deleted with its mentions and quotes. Each
file is read and analysed first, then written in a single transaction: a crash or
an error mid-file leaves the index as it was before that file.
"""
from __future__ import annotations

import gc
import hashlib
import json
import logging
import multiprocessing
import os
from functools import lru_cache
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

from sqlalchemy import and_, bindparam, delete, insert, select, update
from sqlalchemy.engine import Connection

from bot.corpus import syndication
from bot.corpus.models import Document, FileProblem
from bot.corpus.readers import read_file
from bot.corpus.sidecar import sidecar_path
from bot.corpus.walk import CorpusWalk, walk_corpus
from bot.nlp.models import Kind
from bot.nlp.names import actor_key
from bot.nlp.quote_identity import longer_form, quote_keys
from bot.pipeline import AnalysedArticle, analyse
from bot.store.actor_stats import ActorTally, drop_unmentioned_actors, refresh_actor_stats
from bot.store.db import Store, chunks, one_of
from bot.store.quote_merge import QuoteIdentity
from bot.store.schema import (
    ABOUT_CONTEXT, AliasOrigin, FileStatus, actors, aliases, article_bands, articles, mentions, occurrences,
    quote_occurrences, quotes, source_files,
)
from bot.wording import plural

log = logging.getLogger(__name__)

MAX_CANDIDATES = 20  # near-duplicate candidates compared per article, most shared bands first
CURATED_DIGEST_KEY = "curated_actors_digest"
GC_THRESHOLD = (20_000, 10, 10)  # while indexing: young collections every 20k allocations, not 700
WORKER_NICENESS = 5  # analysis workers' scheduling priority below the writer's
_ARTICLE_COLUMNS = ("id", "title", "source", "author", "date", "url", "path", "text", "ingested_at")
_OCCURRENCE_COLUMNS = ("article_id", "file_id", "position", "title", "source", "author", "date", "url", "path")
_MENTION_COLUMNS = ("article_id", "actor_id", "start", "end", "surface", "sentence_start", "sentence_end")
_QUOTE_COLUMNS = ("key", "text", "speaker", "speaker_actor_id", "anonymous", "cue", "article_id", "start", "end",
                  "marked", "partial", "first_seen", "first_source", "head_key", "tail_key")
_QUOTE_OCCURRENCE_COLUMNS = ("quote_id", "article_id", "start", "end", "source", "subjects")

_key = lru_cache(maxsize=1 << 17)(actor_key)  # names and spellings repeat across a corpus: fold each once


@dataclass
class IndexReport:
    """What an index run did, for the summary line and the exit code."""

    files_seen: int = 0
    files_indexed: int = 0
    files_unchanged: int = 0
    files_removed: int = 0
    articles_added: int = 0
    occurrences_added: int = 0
    problems: list[FileProblem] = field(default_factory=list)
    _repeated: set[int] = field(default_factory=set, repr=False)  # ids of problems reported by an earlier run

    @property
    def failed(self) -> bool:
        return bool(self.problems)

    def repeat_problems(self, problems: list[FileProblem]) -> None:
        """Problems an unchanged file had when it was indexed: listed again, but not new."""
        self.problems.extend(problems)
        self._repeated.update(map(id, problems))

    @property
    def new_problems(self) -> list[FileProblem]:
        """The problems this run met first (what a log that runs every few minutes should say)."""
        return [p for p in self.problems if id(p) not in self._repeated]


class Progress(Protocol):
    """What an index run tells a progress display (a tqdm bar, log lines)."""

    def start(self, total_files: int) -> None: ...

    def advance(self, path: Path, new_articles: int) -> None: ...


class _CallbackProgress:
    """Adapts a plain `callback(path, new_articles)` to Progress."""

    def __init__(self, callback: Callable[[Path, int], None]):
        self.callback = callback

    def start(self, total_files: int) -> None:
        pass

    def advance(self, path: Path, new_articles: int) -> None:
        self.callback(path, new_articles)


def _gone(path: str) -> bool:
    """True when `path` is known not to exist any more; False when it exists or cannot be looked at."""
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except OSError:
        return False
    return False


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


def insert_plain_rows(conn: Connection, table, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Bulk insert of tuples straight through the driver: executemany on SQLite, COPY on PostgreSQL.

    Used for every per-article and per-mention row: building and processing a
    parameter dict per row through SQLAlchemy cost more than the database's own
    work. Values still go through their column type's bind processor (dates and
    booleans on SQLite are stored exactly as SQLAlchemy stores them). PostgreSQL
    runs an INSERT per row of an executemany; COPY took a quarter off the time of
    a file's inserts and a tenth off the writer's CPU (2,446 articles: 1.71 -> 1.24 s).
    """
    sql, processors = _plain_insert(conn.dialect, table, columns)
    if any(processors):
        rows = [tuple(value if process is None or value is None else process(value)
                      for process, value in zip(processors, row)) for row in rows]
    if conn.dialect.name == "postgresql":
        with conn.connection.driver_connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
    else:
        conn.exec_driver_sql(sql, rows)


_PLAIN_INSERTS: dict[tuple[str, str, tuple[str, ...]], tuple[str, list]] = {}


def _plain_insert(dialect, table, columns: tuple[str, ...]) -> tuple[str, list]:
    """The INSERT (or COPY) statement and the columns' bind processors, built once per dialect and table."""
    cache_key = (dialect.name, table.name, columns)
    if cache_key not in _PLAIN_INSERTS:
        names = ", ".join(f'"{c}"' for c in columns)
        if dialect.name == "postgresql":
            sql = f'COPY "{table.name}" ({names}) FROM STDIN'
        else:
            marker = "?" if dialect.paramstyle == "qmark" else "%s"
            sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join([marker] * len(columns))})'
        _PLAIN_INSERTS[cache_key] = sql, [table.c[c].type._cached_bind_processor(dialect) for c in columns]
    return _PLAIN_INSERTS[cache_key]


def _stored_problems(error: str | None) -> list[FileProblem]:
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


@dataclass
class _KnownFile:
    id: int
    sha256: str
    size: int
    mtime: float
    error: str | None = None  # the problems met when it was indexed (JSON), reported again while it is unchanged


class Indexer:
    """Writes analysed articles into a Store. One instance per index run."""

    def __init__(self, store: Store, gazetteer=None, analyse_fn: Callable[..., AnalysedArticle] = analyse):
        self.store = store
        self.gazetteer = gazetteer
        self.analyse = analyse_fn
        self._actor_ids: dict[str, int] = {}
        self._known: dict[str, _KnownFile] = {}
        self._without_sidecar: set[str] = set()  # files whose sidecar is a link the walk did not follow
        self._curated_synced = False
        self._alias_pairs: set[tuple[int, str]] = set()  # (actor id, spelling key) stored
        self._alias_keys_read: set[str] = set()  # spelling keys whose stored pairs are all in _alias_pairs
        self._new_aliases: list[tuple] = []  # alias rows of the file being written
        self._bodies = _RunBodies()
        self._quote_words: dict[str, list[str]] = {}  # stored quote text -> its folded words, for the run
        self._tally = ActorTally()  # the run's new mentions, per actor: added to the stored figures at the end
        self._recount = False  # a story was deleted, or a file rolled back: the figures are counted again instead
        self._redated: set[str] = set()  # stories a copy gave an earlier date: their actors are recounted
        self._pool = _AnalysisPool(analyse_fn, gazetteer)

    # -- the run ---------------------------------------------------------

    def run(self, paths: Iterable[Path], *, roots: Iterable[Path] | None = None, keep_missing: bool = False,
            progress: Progress | Callable[[Path, int], None] | None = None, workers: int = 1,
            wait: bool = True, on_wait: Callable[[], None] | None = None) -> IndexReport:
        """Index `paths`; files under `roots` that no longer exist are removed unless keep_missing.

        `workers` > 1 analyses articles in that many processes while this one stores them. While another
        run writes to the database, this one waits for it (`on_wait` is called first), or raises
        IndexRunBusy when `wait` is False."""
        with self.store.index_run(wait=wait, on_wait=on_wait):
            return self._run(paths, roots=roots, keep_missing=keep_missing, progress=progress, workers=workers)

    def _run(self, paths: Iterable[Path], *, roots: Iterable[Path] | None, keep_missing: bool,
             progress: Progress | Callable[[Path, int], None] | None, workers: int) -> IndexReport:
        report = IndexReport()
        paths = [Path(p) for p in paths]
        walk = walk_corpus(paths)
        files, self._without_sidecar = walk.files, walk.without_sidecar
        report.problems.extend(walk.problems)
        report.files_seen = len(files)
        if progress is not None and not hasattr(progress, "advance"):
            progress = _CallbackProgress(progress)
        if progress is not None:
            progress.start(len(files))
        self.sync_curated_actors()
        with self.store.connect() as conn:
            self._known = {row.path: _KnownFile(row.id, row.sha256, row.size, row.mtime, row.error)
                           for row in conn.execute(select(source_files.c.id, source_files.c.path, source_files.c.sha256,
                                                          source_files.c.size, source_files.c.mtime, source_files.c.error))}
        with _AnalysisPool(self.analyse, self.gazetteer, workers) as self._pool, _fewer_collections():
            self._index_files(files, report, progress)
        if not keep_missing:
            self.remove_missing(roots if roots is not None else paths, walk, report)
        with self.store.begin() as conn:
            if report.files_indexed or report.files_removed or self._curated_synced:
                if self._recount or not self._tally.apply(conn):
                    refresh_actor_stats(conn)
                else:
                    if self._redated:
                        refresh_actor_stats(conn, stories=self._redated)
                    drop_unmentioned_actors(conn)
                self.store.bump_generation(conn)  # caches in running bots reload
            else:
                self.store.mark_indexed(conn)  # nothing changed: nothing to reload
        if report.files_indexed or report.files_removed:
            refresh_planner_statistics(self.store)
            self.store.checkpoint()
        return report

    def _index_files(self, files: list[Path], report: IndexReport, progress: Progress | None) -> None:
        """File by file, one step ahead: the next file is read and handed to the analysis workers
        before this one is written, so extraction and writing overlap when workers > 1. With one process
        on PostgreSQL, a thread writes this file while the next is analysed: the writer spends a fifth of
        its time waiting for the server, which works on a core of its own."""
        beside = self.store.is_postgres and self._pool.workers == 1
        pending: tuple[Path, Callable[[], None] | None] | None = None
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsbot-writer") as writer:
            for file in [*files, None]:
                writing = writer.submit(self._write, pending, report) if pending is not None and beside else None
                ahead = (file, self._guarded(file, report, self._read_and_analyse)) if file is not None else None
                if pending is not None:
                    added = writing.result() if writing is not None else self._write(pending, report)
                    if progress is not None:
                        progress.advance(pending[0], added)
                pending = ahead

    def _write(self, pending: tuple[Path, Callable[[], None] | None], report: IndexReport) -> int:
        """Write an analysed file (see _read_and_analyse); returns the new stories it added."""
        path, write = pending
        before = report.articles_added
        if write is not None:
            self._guarded(path, report, lambda _path, _report: write())
        return report.articles_added - before

    def _guarded(self, path: Path, report: IndexReport, step: Callable[[Path, IndexReport], object]):
        try:
            return step(path, report)
        except Exception as exc:  # one file's failure must not stop the run; its transaction rolled back
            self._actor_ids.clear()  # ids, spellings and stories cached in that transaction are gone with it
            self._alias_pairs.clear()
            self._alias_keys_read.clear()
            self._new_aliases.clear()
            log.debug("indexing %s failed", path, exc_info=True)
            report.problems.append(FileProblem(str(path), f"not indexed, index unchanged for this file "
                                                          f"({exc.__class__.__name__}: {exc})"))
            return None

    def index_file(self, path: Path, report: IndexReport) -> None:
        """Read, analyse and store one file; nothing is written unless all of it is."""
        write = self._read_and_analyse(path, report)
        if write is not None:
            write()

    def _read_and_analyse(self, path: Path, report: IndexReport) -> Callable[[], None] | None:
        """Read one file and start its analysis; returns what writes it (None: nothing to write)."""
        sidecar = str(path) not in self._without_sidecar
        try:
            size, mtime = file_signature(path, sidecar=sidecar)
        except OSError as exc:
            report.problems.append(FileProblem(str(path), f"cannot be read ({exc.strerror or exc})"))
            return None
        known = self._known.get(str(path))
        if known and known.size == size and known.mtime == mtime:
            if not os.access(path, os.R_OK):  # unchanged, but its next change could not be read: said now
                report.problems.append(FileProblem(str(path), "cannot be read (Permission denied): "
                                                              "the articles indexed from it are kept"))
            report.files_unchanged += 1
            report.repeat_problems(_stored_problems(known.error))
            return None
        try:
            digest = file_digest(path, sidecar=sidecar)
            if known and known.sha256 == digest:  # touched, not changed
                with self.store.begin() as conn:
                    conn.execute(update(source_files).where(source_files.c.id == known.id).values(size=size, mtime=mtime))
                report.files_unchanged += 1
                report.repeat_problems(_stored_problems(known.error))
                return None
            result = read_file(path, sidecar=sidecar)
        except OSError as exc:
            report.problems.append(FileProblem(str(path), f"cannot be read ({exc.strerror or exc})"))
            return None
        report.problems.extend(result.problems)
        if any(p.fatal for p in result.problems) and not result.documents:
            return None
        analysis = self._pool.start(result.documents)
        status = FileStatus.PARTIAL if result.problems else FileStatus.OK

        def write() -> None:
            analysed = analysis()
            try:
                with self.store.begin() as conn:  # the whole file, or nothing
                    self.store.prepare_bulk_writes(conn)
                    file_id = self._replace_file_row(conn, path, digest, size, mtime, status, result.problems)
                    report.articles_added += self.store_articles(conn, file_id, analysed)
                    report.occurrences_added += len(analysed)
            except Exception:
                self._recount = True  # the run's tally may hold stories this rollback took back
                raise
            report.files_indexed += 1
        return write

    def remove_missing(self, roots: Iterable[Path], walk: CorpusWalk, report: IndexReport) -> None:
        """Drop the files under `roots` that are gone from disk: never those the walk could not look at
        (an unreadable folder, a file that cannot be reached now), nor those of a corpus folder found
        empty, which is what an unmounted disk looks like (reported instead)."""
        root_prefixes = [os.path.realpath(r) + os.sep for r in roots if os.path.isdir(r)]
        if not root_prefixes:
            return
        present = set(map(str, walk.files))
        unseen = [str(folder) + os.sep for folder in walk.unseen]
        empty = [str(folder) + os.sep for folder in walk.empty_folders]
        with self.store.connect() as conn:
            rows = conn.execute(select(source_files.c.id, source_files.c.path)).all()
        kept_in_empty: Counter[str] = Counter()
        for file_id, path in rows:
            if path in present or not path.startswith(tuple(root_prefixes)) or path.startswith(tuple(unseen)):
                continue
            if path.startswith(tuple(empty)):
                kept_in_empty[next(folder for folder in empty if path.startswith(folder))] += 1
            elif _gone(path):
                with self.store.begin() as conn:
                    self._drop_file(conn, file_id)
                report.files_removed += 1
        for folder, count in kept_in_empty.items():
            report.problems.append(FileProblem(
                folder.rstrip(os.sep), f"corpus folder is empty: the articles of its {plural(count, 'indexed file')} are "
                                       f"kept, as for a disk not mounted (if it was emptied on purpose, leave any "
                                       f"file in it, such as .keep, and index again)"))

    # -- files -----------------------------------------------------------

    def _replace_file_row(self, conn: Connection, path: Path, digest: str, size: int, mtime: float, status: FileStatus,
                          problems: list[FileProblem]) -> int:
        values = dict(sha256=digest, size=size, mtime=mtime, indexed_at=_now(), status=status,
                      error=json.dumps([asdict(p) for p in problems], ensure_ascii=False) if problems else None)
        file_id = conn.execute(select(source_files.c.id).where(source_files.c.path == str(path))).scalar()
        if file_id is None:
            return conn.execute(insert(source_files).values(path=str(path), **values)).inserted_primary_key[0]
        self._drop_occurrences(conn, file_id)
        conn.execute(update(source_files).where(source_files.c.id == file_id).values(**values))
        return file_id

    def _drop_file(self, conn: Connection, file_id: int) -> None:
        self._drop_occurrences(conn, file_id)
        conn.execute(delete(source_files).where(source_files.c.id == file_id))

    def _drop_occurrences(self, conn: Connection, file_id: int) -> None:
        """Remove a file's occurrences, and the stories no other file holds."""
        article_ids = list(set(conn.execute(
            select(occurrences.c.article_id).where(occurrences.c.file_id == file_id)).scalars()))
        conn.execute(delete(occurrences).where(occurrences.c.file_id == file_id))
        still_held: set[str] = set()
        for chunk in chunks(article_ids):
            still_held.update(conn.execute(select(occurrences.c.article_id).where(
                one_of(conn, occurrences.c.article_id, chunk))).scalars())
        orphans = [a for a in article_ids if a not in still_held]
        self._recount = self._recount or bool(orphans)
        for chunk in chunks(orphans):
            delete_articles(conn, chunk)

    # -- articles --------------------------------------------------------

    def store_articles(self, conn: Connection, file_id: int, analysed: list[AnalysedArticle]) -> int:
        """Store a file's articles: new stories, and occurrences of stories already known
        (syndicated copies, in the index or earlier in this file), the new stories' mentions counted
        in the run's tally. Returns the number of new stories."""
        finder = _StoryFinder(conn, [item.story_id for item in analysed], [item.bands for item in analysed],
                              self._bodies)
        stories: list[str] = []
        fresh: list[bool] = []
        new_rows, band_rows = [], []
        ingested_at = _now()
        for item in analysed:
            doc, sid = item.doc, item.story_id
            story = finder.find(item)
            fresh.append(story is None)
            if story is None:
                story = sid
                finder.add(item)
                new_rows.append((sid, doc.title, doc.source, doc.author, doc.date, doc.url, doc.path, doc.text,
                                 ingested_at))
                band_rows += [(b, sid) for b in item.bands]
            stories.append(story)
        if new_rows:
            insert_plain_rows(conn, articles, _ARTICLE_COLUMNS, new_rows)
        if band_rows:
            insert_plain_rows(conn, article_bands, ("band", "article_id"), band_rows)
        insert_plain_rows(conn, occurrences, _OCCURRENCE_COLUMNS, [
            (story, file_id, doc.position, doc.title, doc.source, doc.author, doc.date, doc.url, doc.path)
            for doc, story in zip((item.doc for item in analysed), stories)])
        new_items = [(story, item) for item, story, is_new in zip(analysed, stories, fresh) if is_new]
        self._cache_actors(conn, [item for _, item in new_items])
        mention_rows: list[tuple] = []
        for item, story, is_new in zip(analysed, stories, fresh):
            if is_new:
                first_row = len(mention_rows)
                self._add_mention_rows(conn, story, item, mention_rows)
                self._tally.add(item.doc.date, [row[1] for row in mention_rows[first_row:]])
            else:
                self._fill_story_gaps(conn, story, item.doc)
        if mention_rows:  # one bulk insert per file: a round trip per article is what PostgreSQL paid for
            insert_plain_rows(conn, mentions, _MENTION_COLUMNS, mention_rows)
        named: dict[str, list[tuple[int, int, int]]] = {}  # story -> (actor, start, end) of its mentions
        for story, actor, start, end, *_ in mention_rows:
            named.setdefault(story, []).append((actor, start, end))
        for spans in named.values():
            spans.sort(key=_span_start)
        self._store_quotes(conn, new_items, named)  # a syndicated copy's quotes are its story's, already stored
        self._store_new_aliases(conn)
        return len(new_rows)

    def _fill_story_gaps(self, conn: Connection, story_id: str, doc: Document) -> None:
        """A later copy may know what the first lacked (author, date, url); keep the earliest date."""
        row = conn.execute(select(articles).where(articles.c.id == story_id)).mappings().one()
        changes = {k: getattr(doc, k) for k in ("title", "source", "author", "url") if not row[k] and getattr(doc, k)}
        if doc.date and (row["date"] is None or doc.date < row["date"]):
            changes["date"] = doc.date
            self._redated.add(story_id)  # its actors' first and last seen may move
        if changes:
            conn.execute(update(articles).where(articles.c.id == story_id).values(**changes))

    # -- actors and mentions ---------------------------------------------

    def sync_curated_actors(self) -> None:
        """Upsert the config/actors.yaml list: names, kinds, descriptions and aliases.

        Skipped when the list (and the spelling keys its aliases fold to) is what the
        last run stored: an unchanged corpus and actor list cost no writes.
        """
        if self.gazetteer is None:
            return
        digest = hashlib.sha256(json.dumps(
            [[e.name, e.kind, e.description, [[a, actor_key(a)] for a in [e.name, *e.aliases]]]
             for e in self.gazetteer.actors], ensure_ascii=False).encode("utf-8")).hexdigest()
        if self.store.get_meta(CURATED_DIGEST_KEY) == digest:
            return
        self._curated_synced = True
        with self.store.begin() as conn:
            self.store.set_meta(conn, CURATED_DIGEST_KEY, digest)
            spellings: dict[int, dict[str, str]] = {}  # actor id -> alias key -> alias; an actor's last entry wins
            for entry in self.gazetteer.actors:
                actor_id = self.actor_id(conn, entry.name, entry.kind, curated=True, description=entry.description)
                spellings[actor_id] = {}
                for alias in [entry.name, *entry.aliases]:
                    key = actor_key(alias)
                    if key:
                        spellings[actor_id].setdefault(key, alias)
            for chunk in chunks(sorted(spellings)):
                conn.execute(delete(aliases).where(and_(one_of(conn, aliases.c.actor_id, chunk),
                                                        aliases.c.origin == AliasOrigin.CONFIG)))
            rows = [(actor_id, alias, key, AliasOrigin.CONFIG) for actor_id, keyed in spellings.items()
                    for key, alias in keyed.items()]
            if rows:  # a spelling the corpus gave the actor is now the curated one
                conn.execute(delete(aliases).where(and_(aliases.c.actor_id == bindparam("a"),
                                                        aliases.c.key == bindparam("k"))),
                             [{"a": actor_id, "k": key} for actor_id, _, key, _ in rows])
                insert_plain_rows(conn, aliases, ("actor_id", "alias", "key", "origin"), rows)

    def actor_id(self, conn: Connection, name: str, kind: str, *, curated: bool = False,
                 description: str | None = None) -> int:
        """The id of the actor with this name's key, created when new."""
        key = _key(name)
        if key in self._actor_ids and not curated:
            return self._actor_ids[key]
        row = conn.execute(select(actors.c.id, actors.c.curated).where(actors.c.key == key)).first()
        if row is None:
            actor = conn.execute(insert(actors).values(key=key, name=name, kind=kind, description=description,
                                                       curated=curated, mention_count=0, article_count=0))
            actor_id = actor.inserted_primary_key[0]
        else:
            actor_id = row.id
            if curated:
                conn.execute(update(actors).where(actors.c.id == actor_id).values(
                    name=name, kind=kind, description=description, curated=True))
        self._actor_ids[key] = actor_id
        return actor_id

    def _add_mention_rows(self, conn: Connection, story_id: str, item: AnalysedArticle, rows: list[tuple]) -> None:
        for mention in item.mentions:
            name = mention.curated or mention.name
            actor_id = self.actor_id(conn, name, mention.kind)
            rows.append((story_id, actor_id, mention.start, mention.end, mention.surface, mention.sentence_start,
                         mention.sentence_end))
            if not mention.curated:
                self._remember_alias(actor_id, name, mention.surface)

    def _remember_alias(self, actor_id: int, name: str, surface: str) -> None:
        """A spelling of a discovered actor other than its name, stored with the file's other rows."""
        key = _key(surface)
        if key != _key(name) and (actor_id, key) not in self._alias_pairs:
            self._new_aliases.append((actor_id, surface, key, AliasOrigin.CORPUS))
            self._alias_pairs.add((actor_id, key))

    def _store_new_aliases(self, conn: Connection) -> None:
        if self._new_aliases:
            insert_plain_rows(conn, aliases, ("actor_id", "alias", "key", "origin"), self._new_aliases)
            self._new_aliases = []

    def _cache_actors(self, conn: Connection, items: list[AnalysedArticle]) -> None:
        """Look up, or create in bulk, every actor a file's new stories name, and the spellings already
        stored for them: a few queries per file instead of several per mention."""
        wanted: dict[str, tuple[str, str]] = {}
        spellings: set[str] = set()
        for item in items:
            for mention in item.mentions:
                name = mention.curated or mention.name
                wanted.setdefault(_key(name), (name, mention.kind))
                spellings.add(_key(mention.surface))
            for quote in item.quotes:
                if quote.speaker_name:
                    wanted.setdefault(_key(quote.speaker_name), (quote.speaker_name, Kind.PERSON))
        missing = sorted(k for k in wanted if k not in self._actor_ids)
        for chunk in chunks(missing):
            self._actor_ids.update(conn.execute(select(actors.c.key, actors.c.id).where(
                one_of(conn, actors.c.key, chunk))).all())
        rows = [dict(key=k, name=wanted[k][0], kind=wanted[k][1], description=None, curated=False, mention_count=0,
                     article_count=0) for k in missing if k not in self._actor_ids]
        if rows:
            self._actor_ids.update(conn.execute(insert(actors).returning(actors.c.key, actors.c.id), rows).all())
        for chunk in chunks(sorted(spellings - self._alias_keys_read)):
            self._alias_pairs.update(conn.execute(select(aliases.c.actor_id, aliases.c.key).where(
                one_of(conn, aliases.c.key, chunk))).all())
        self._alias_keys_read |= spellings  # their stored pairs are known now, and every pair added later

    # -- quotes ----------------------------------------------------------

    def _store_quotes(self, conn: Connection, new_items: list[tuple[str, AnalysedArticle]],
                      named: dict[str, list[tuple[int, int, int]]]) -> None:
        """One quote row per folded text (the longest form, the earliest sighting); every place it
        appears is an occurrence, with the actors `named` near it. Written for the whole file at once."""
        identity = QuoteIdentity(conn, [quote.text for _, item in new_items for quote in item.quotes],
                                 self._quote_words)
        keyed = [(story_id, item.doc, quote, identity.key(quote.text)) for story_id, item in new_items
                 for quote in item.quotes]
        known = identity.stored  # every stored quote a key can name was read to resolve it
        fresh: dict[str, dict] = {}
        changed: dict[str, dict] = {}
        for story_id, doc, quote, key in keyed:
            row = fresh.get(key) or known.get(key)
            if row is None:
                speaker_actor = self.actor_id(conn, quote.speaker_name, Kind.PERSON) if quote.speaker_name else None
                fresh[key] = dict(key=key, text=quote.text, speaker=quote.speaker, speaker_actor_id=speaker_actor,
                                  anonymous=quote.anonymous, cue=quote.cue, article_id=story_id, start=quote.start,
                                  end=quote.end, marked=quote.marked, partial=quote.partial, first_seen=doc.date,
                                  first_source=doc.source, **identity.blocks(quote.text))
                continue
            changes = changed.setdefault(key, {}) if key in known and key not in fresh else row
            # A near-identical form may be the longer one; the same words again never are.
            if identity.own_key(quote.text) != key and longer_form(quote.text, row["text"]):
                row["text"] = changes["text"] = quote.text
            if doc.date and (row["first_seen"] is None or doc.date < row["first_seen"]):
                row["first_seen"] = doc.date
                changes.update(first_seen=doc.date, first_source=doc.source, article_id=story_id, start=quote.start,
                               end=quote.end)
        ids = {key: row["id"] for key, row in known.items()}
        if fresh:  # plain rows, then their ids: cheaper than an INSERT ... RETURNING built row by row
            insert_plain_rows(conn, quotes, _QUOTE_COLUMNS, [tuple(row[c] for c in _QUOTE_COLUMNS)
                                                             for row in fresh.values()])
            for chunk in chunks(list(fresh)):
                ids.update(conn.execute(select(quotes.c.key, quotes.c.id).where(one_of(conn, quotes.c.key, chunk))).all())
        updates: dict[tuple[str, ...], list[dict]] = {}  # one executemany per set of changed columns
        for key, changes in changed.items():
            if changes:
                updates.setdefault(tuple(sorted(changes)), []).append(
                    {"quote_id": ids[key], **{f"new_{c}": v for c, v in changes.items()}})
        for columns, rows in updates.items():
            conn.execute(update(quotes).where(quotes.c.id == bindparam("quote_id")).values(
                {c: bindparam(f"new_{c}") for c in columns}), rows)
        if keyed:
            insert_plain_rows(conn, quote_occurrences, _QUOTE_OCCURRENCE_COLUMNS,
                              [(ids[key], story_id, quote.start, quote.end, doc.source,
                                quote_subjects(named.get(story_id, ()), quote.start, quote.end))
                               for story_id, doc, quote, key in keyed])


class _AnalysisPool:
    """Runs the pure pipeline (bot.pipeline.analyse) over a file's documents: in this process,
    or spread over worker processes so that extraction uses every core while one writer stores."""

    def __init__(self, analyse_fn: Callable[..., AnalysedArticle], gazetteer, workers: int = 1):
        self.analyse, self.gazetteer, self.workers = analyse_fn, gazetteer, max(1, workers)
        self.pool = None

    def __enter__(self) -> "_AnalysisPool":
        if self.workers > 1:  # forked from the command line's single thread; workers never touch the database
            # Load the extractors' word lists here once, so every forked worker starts with them.
            self.analyse(Document(text="Warm-up.", path="<warm-up>"), self.gazetteer)
            self.pool = multiprocessing.get_context("fork").Pool(
                self.workers, initializer=_start_analysis_worker, initargs=(self.analyse, self.gazetteer))
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            if exc[0] is None:
                self.pool.close()
            else:
                self.pool.terminate()
            self.pool.join()
            self.pool = None

    def start(self, docs: list[Document]) -> Callable[[], list[AnalysedArticle]]:
        """Start analysing `docs`; returns what waits for (and returns) the results."""
        if self.pool is None or len(docs) < 2:
            analysed = [self.analyse(doc, self.gazetteer) for doc in docs]
            return lambda: analysed
        running = self.pool.map_async(_analyse_in_worker, docs,
                                      chunksize=max(1, min(32, len(docs) // (self.workers * 4))))
        return running.get


_worker_pipeline: tuple[Callable[..., AnalysedArticle], object] | None = None


def _start_analysis_worker(analyse_fn: Callable[..., AnalysedArticle], gazetteer) -> None:
    global _worker_pipeline
    _worker_pipeline = (analyse_fn, gazetteer)
    # The single writer is what the run waits for (workers sat idle three quarters of the time):
    # when the cores are all busy, the writer goes first.
    os.nice(WORKER_NICENESS)
    _collect_rarely()


def _analyse_in_worker(doc: Document) -> AnalysedArticle:
    analyse_fn, gazetteer = _worker_pipeline
    return analyse_fn(doc, gazetteer)


class _RunBodies:
    """What near-copy checks read of the stories met in this run: lengths, traits (syndication.Traits) and
    folded bodies (packed), so a candidate is ruled out by its length or figures, or compared, without
    reading and folding its text again (at 10k synthetic articles that was a third of the writer's time,
    growing with the index). A story id is the hash of its folded body, so nothing remembered turns
    wrong, even after a rollback."""

    MAX_BYTES = 256 << 20  # packed bodies kept: about 250k articles; the oldest go first

    def __init__(self):
        self.lengths: dict[str, int] = {}
        self.kept: dict[str, tuple[syndication.Traits, bytes]] = {}
        self.size = 0

    def remember(self, story_id: str, traits: syndication.Traits, packed: bytes) -> None:
        self.lengths[story_id] = traits.length
        if story_id not in self.kept:
            self.kept[story_id] = (traits, packed)
            self.size += len(packed)
        while self.size > self.MAX_BYTES:
            self.size -= len(self.kept.pop(next(iter(self.kept)))[1])


class _StoryFinder:
    """Which stored (or just added) story a body is a copy of, with few queries per file.

    Exact copies are found by id; near copies by shared fingerprint bands, then
    confirmed by syndication's tests, candidates sharing the most bands first: their
    traits first (most candidates differ in figures), their texts only when those agree.
    """

    def __init__(self, conn: Connection, ids: list[str], bands: list[list[str]], memory: _RunBodies):
        self.conn = conn
        self.known_ids: set[str] = set()
        for chunk in chunks(sorted(set(ids))):
            self.known_ids.update(conn.execute(select(articles.c.id).where(
                one_of(conn, articles.c.id, chunk))).scalars())
        self.by_band: dict[str, list[str]] = {}
        for chunk in chunks(sorted({b for doc_bands in bands for b in doc_bands})):
            for band, story in conn.execute(select(article_bands.c.band, article_bands.c.article_id).where(
                    one_of(conn, article_bands.c.band, chunk))).all():
                self.by_band.setdefault(band, []).append(story)
        self.memory = memory
        self.bodies: dict[str, str] = {}  # unpacked in this file
        self.unreadable: set[str] = set()  # banded stories without a text (none, unless the database was edited)
        self.added: set[str] = set()  # new stories of this file

    def find(self, item: AnalysedArticle) -> str | None:
        if item.story_id in self.known_ids or item.story_id in self.added:
            return item.story_id
        shared = Counter(story for band in item.bands for story in self.by_band.get(band, ()))
        lengths, length, bands = self.memory.lengths, item.traits.length, len(item.bands)
        worth = [candidate for candidate, count in shared.items() if syndication.shares_enough(count, bands)
                 and (candidate not in lengths or syndication.comparable_lengths(lengths[candidate], length))]
        # Most shared bands first; among equals, the closest in length (a copy is about as long), those
        # of unknown length last: the order never depends on how the database returned the rows.
        candidates = sorted(worth, key=lambda c: (-shared[c], abs(lengths.get(c, 0) - length), c))[:MAX_CANDIDATES]
        kept = self.memory.kept
        self._read([c for c in candidates if c not in kept and c not in self.unreadable])
        folded_body = None
        for candidate in candidates:
            if candidate not in kept:
                continue
            traits, packed = kept[candidate]
            if not syndication.same_traits(traits, item.traits):
                continue
            if folded_body is None:
                folded_body = syndication.unpack(item.packed_body)
            body = self.bodies.get(candidate)
            if body is None:
                body = self.bodies[candidate] = syndication.unpack(packed)
            if syndication.same_text(body, folded_body, brief=traits.brief):
                return candidate
        return None

    def add(self, item: AnalysedArticle) -> None:
        self.added.add(item.story_id)
        self.memory.remember(item.story_id, item.traits, item.packed_body)
        for band in item.bands:
            self.by_band.setdefault(band, []).append(item.story_id)

    def _read(self, story_ids: list[str]) -> None:
        """Stored candidates this run has not met, in one query (at 40k synthetic articles a new one had
        about 16 candidates: one query each was half the writer's time): folded, remembered."""
        if not story_ids:
            return
        texts = dict(self.conn.execute(select(articles.c.id, articles.c.text).where(
            one_of(self.conn, articles.c.id, story_ids))).all())
        for story_id in story_ids:
            text = texts.get(story_id)
            if text is None:
                self.unreadable.add(story_id)
                continue
            body = self.bodies[story_id] = syndication.folded(text)
            self.memory.remember(story_id, syndication.traits(body), syndication.pack(body))


def quote_subjects(named: Sequence[tuple[int, int, int]], start: int, end: int) -> str | None:
    """The actors (actor, start, end: a story's mentions, in order of start) named near a quote's
    span, as quote_occurrences.subjects holds them. Only the mentions starting near it are read."""
    near = set()
    for index in range(bisect_left(named, start - ABOUT_CONTEXT, key=_span_start), len(named)):
        actor, first, last = named[index]
        if first > end + ABOUT_CONTEXT:
            break
        if last <= end + ABOUT_CONTEXT:
            near.add(actor)
    return ",".join(map(str, sorted(near))) or None


def _span_start(span: tuple[int, int, int]) -> int:
    return span[1]


def quote_key(text: str) -> str:
    """Quotebank's rule: equal after folding case and punctuation."""
    return quote_keys(text).key


def delete_articles(conn: Connection, ids: list[str]) -> None:
    """Delete stories with their mentions; quotes first seen there move to another occurrence or go."""
    conn.execute(delete(quote_occurrences).where(quote_occurrences.c.article_id.in_(ids)))
    moved = conn.execute(select(quotes.c.id).where(quotes.c.article_id.in_(ids))).scalars().all()
    for quote_id in moved:
        other = conn.execute(select(quote_occurrences).where(quote_occurrences.c.quote_id == quote_id).limit(1)).first()
        if other is None:
            conn.execute(delete(quotes).where(quotes.c.id == quote_id))
        else:
            conn.execute(update(quotes).where(quotes.c.id == quote_id).values(
                article_id=other.article_id, start=other.start, end=other.end, first_source=other.source))
    conn.execute(delete(mentions).where(mentions.c.article_id.in_(ids)))
    conn.execute(delete(article_bands).where(article_bands.c.article_id.in_(ids)))
    conn.execute(delete(articles).where(articles.c.id.in_(ids)))


def refresh_planner_statistics(store: Store) -> None:
    """Fresh table statistics after a run that changed the index, so PostgreSQL plans the profile
    queries on what the tables hold now, and a VACUUM so its index-only scans need not visit the new
    rows' pages (autovacuum gets there minutes later, after a bulk load the bot is already answering
    from; SKIP_LOCKED: a table another instance is vacuuming is left to it); SQLite's `PRAGMA optimize`."""
    if store.is_postgres:
        tables = (articles, occurrences, actors, aliases, mentions, quotes, quote_occurrences, article_bands)
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:  # VACUUM needs no transaction
            conn.exec_driver_sql("VACUUM (ANALYZE, SKIP_LOCKED) " + ", ".join(f'"{t.name}"' for t in tables))
    else:
        with store.begin() as conn:
            conn.exec_driver_sql("PRAGMA optimize")


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Collect garbage rarely while indexing, then as before."""
    threshold = gc.get_threshold()
    _collect_rarely()
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _collect_rarely() -> None:
    """Indexing allocates many short-lived objects: the default thresholds ran a collection every 700
    allocations, and full ones walked every module and word list loaded (5% of a 5,000-article run).
    What is loaded now is frozen out of collections: it lives as long as the process."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def iter_documents(paths: Iterable[Path]) -> Iterator[Document]:
    """Every document under `paths`, for tools that read without storing (benchmarks)."""
    walk = walk_corpus([Path(p) for p in paths])
    for file in walk.files:
        yield from read_file(file, sidecar=str(file) not in walk.without_sidecar).documents


