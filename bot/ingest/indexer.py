"""Indexing: files in, stories, mentions and quotes out, each file all or nothing.

Incremental: a file whose size and modification time are unchanged is not read
again, one whose content hash is unchanged is not re-indexed, a changed file has
its occurrences replaced, and a file gone from a corpus folder has them removed.
A story left with no occurrence is deleted with its mentions and quotes. Each
file is read and analysed first, then written in a savepoint of the run's open
transaction, committed every few thousand articles on SQLite and every file on
PostgreSQL (bot.ingest.file_groups): an error mid-file leaves the index as it was
before that file, and a crash as it was before the open group (whose files the
next run reads again).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from bot.config import Settings
from bot.corpus.models import Document, FileProblem
from bot.corpus.readers import read_file
from bot.corpus.walk import CorpusWalk, walk_corpus
from bot.ingest.actors import RunActors
from bot.ingest.analysis_pool import AnalysisPool, fewer_collections
from bot.ingest.changes import KnownFile, file_digest, file_signature, known_files, stored_problems, vanished_files
from bot.ingest.curation import reapply_edits
from bot.ingest.file_groups import FileGroups
from bot.ingest.near_copies import RunBodies, StoryFinder
from bot.ingest.pipeline import AnalysedArticle, analyse
from bot.ingest.quote_merge import mentions_by_story, store_quotes
from bot.ingest.resolve import resolve_across_corpus
from bot.nlp.gazetteer import Gazetteer, load_gazetteer
from bot.nlp.models import Kind
from bot.store.actor_stats import ActorTally, drop_unmentioned_actors, refresh_actor_stats
from bot.store.bulk import analyze_after_bulk_load, delete_articles, insert_plain_rows, refresh_planner_statistics
from bot.store.db import Store, chunks, one_of
from bot.store.schema import FileStatus, article_bands, articles, mentions, occurrences, role_mentions, source_files

log = logging.getLogger(__name__)

Batch = tuple[str, list[Document], Callable[[Connection], None]]  # index_documents: key, documents, on_stored
_ARTICLE_COLUMNS = ("id", "title", "source", "author", "date", "url", "path", "text", "ingested_at")
_OCCURRENCE_COLUMNS = ("article_id", "file_id", "position", "title", "source", "author", "date", "url", "path")
_MENTION_COLUMNS = ("article_id", "actor_id", "start", "end", "surface", "sentence_start", "sentence_end", "kind",
                    "cue")


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
    documentation: list[Path] = field(default_factory=list)  # README, LICENSE … in the folders: not articles
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


@dataclass
class FileWrite:
    """What writes one read file: `step(conn)` returns (new stories, occurrences); `articles`: how many it
    holds (the open group's commit is due by articles written)."""

    articles: int
    step: Callable[[Connection], tuple[int, int]]


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


class Indexer:
    """Writes analysed articles into a Store. One instance per index run."""

    def __init__(self, store: Store, gazetteer=None, analyse_fn: Callable[..., AnalysedArticle] = analyse):
        self.store = store
        self.gazetteer = gazetteer
        self.analyse = analyse_fn
        self._actors = RunActors()
        self._known: dict[str, KnownFile] = {}
        self._without_sidecar: set[str] = set()  # files whose sidecar is a link the walk did not follow
        self._bodies = RunBodies()
        self._quote_words: dict[str, list[str]] = {}  # stored quote text -> its folded words, for the run
        self._tally = ActorTally()  # the run's new mentions, per actor: added to the stored figures at the end
        self._recount = False  # a story was deleted, or a file rolled back: the figures are counted again instead
        self._redated: set[str] = set()  # stories a copy gave an earlier date: their actors are recounted
        self._pool = AnalysisPool(analyse_fn, gazetteer)

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
        report.documentation = walk.documentation
        report.files_seen = len(files)
        if progress is not None and not hasattr(progress, "advance"):
            progress = _CallbackProgress(progress)
        if progress is not None:
            progress.start(len(files))
        curated_synced = self._actors.sync_curated(self.store, self.gazetteer)
        with self.store.connect() as conn:
            self._known = known_files(conn)
        with AnalysisPool(self.analyse, self.gazetteer, workers) as self._pool, fewer_collections():
            self._index_files(files, report, progress)
        if not keep_missing:
            self.remove_missing(roots if roots is not None else paths, walk, report)
        self._finish(report, curated_synced)
        return report

    def index_documents(self, batches: Iterable[Batch], *,
                        wait: bool = True) -> IndexReport:
        """Index articles read elsewhere than from a corpus file (a feed's items): each batch (key,
        documents, on_stored) is stored like a file named `key` (a URL), in the transaction that calls
        `on_stored(conn)`. A key stored before with the same text is left alone, so a batch given twice
        is indexed once. Batches are written in groups (_groups), one transaction each, as a file's articles
        are: a transaction per item was most of a feed poll's time. A group that fails is written again
        batch by batch, so one bad batch never loses the others. `batches` may be a generator: it is read
        while earlier groups are written."""
        with self.store.index_run(wait=wait):
            report = IndexReport()
            curated_synced = self._actors.sync_curated(self.store, self.gazetteer)
            with AnalysisPool(self.analyse, self.gazetteer, 1) as self._pool, fewer_collections():
                for group in _groups(batches):
                    report.files_seen += len(group)
                    if len(group) > 1 and self._stored_together(group, report):
                        continue
                    for batch in group:  # alone, each batch's failure is its own problem
                        self._guarded(batch[0], report, lambda _p, _r: self._store_batches([batch], report))
            self._finish(report, curated_synced)
            return report

    def _stored_together(self, group: list[Batch], report: IndexReport) -> bool:
        """Store a group in one transaction; False when it failed (rolled back: nothing of it stored)."""
        try:
            self._store_batches(group, report)
        except Exception:
            self._actors.forget()
            log.debug("storing %d batches together failed: storing them one by one", len(group), exc_info=True)
            return False
        return True

    def _store_batches(self, group: list[Batch], report: IndexReport) -> None:
        """Store a group of batches in one transaction; `report` is counted only once it is committed."""
        digests = [hashlib.sha256("\n\0".join(doc.text for doc in documents).encode()).hexdigest()
                   for _, documents, _ in group]
        with self.store.connect() as conn:
            known = dict(conn.execute(select(source_files.c.path, source_files.c.sha256).where(
                one_of(conn, source_files.c.path, [key for key, _, _ in group]))).all())
        changed = [(batch, digest) for batch, digest in zip(group, digests) if known.get(batch[0]) != digest]
        analysed = self._pool.start([doc for (_, documents, _), _ in changed for doc in documents])()
        added = 0
        try:
            with self.store.begin() as conn:
                if changed:
                    self.store.prepare_bulk_writes(conn)
                file_ids = []
                for (key, documents, _), digest in changed:
                    size = sum(len(doc.text) for doc in documents)
                    file_id = self._replace_file_row(conn, key, digest, size, 0.0, FileStatus.OK, [])
                    file_ids += [file_id] * len(documents)
                if analysed:
                    added = self.store_articles(conn, file_ids, analysed)
                for _, _, on_stored in group:
                    on_stored(conn)
        except Exception:
            self._recount = True
            raise
        report.articles_added += added
        report.occurrences_added += len(analysed)
        report.files_indexed += len(changed)
        report.files_unchanged += len(group) - len(changed)

    def _finish(self, report: IndexReport, curated_synced: bool) -> None:
        """The end of a run that changed the index: actor figures, cross-corpus resolution, editors'
        edits, and the generation running bots reload on."""
        with self.store.begin() as conn:
            if report.files_indexed or report.files_removed or curated_synced:
                analyze_after_bulk_load(conn, report.articles_added)
                if self._recount or not self._tally.apply(conn):
                    refresh_actor_stats(conn)
                else:
                    if self._redated:
                        refresh_actor_stats(conn, stories=self._redated)
                    drop_unmentioned_actors(conn)
                resolve_across_corpus(conn, self._tally.mentions, self._tally.stories)
                reapply_edits(conn)  # editors' corrections hold over what the run found
                self.store.bump_generation(conn)  # caches in running bots reload
            else:
                self.store.mark_indexed(conn)  # nothing changed: nothing to reload
        if report.files_indexed or report.files_removed:
            refresh_planner_statistics(self.store)
            self.store.checkpoint()

    def _index_files(self, files: list[Path], report: IndexReport, progress: Progress | None) -> None:
        """File by file, one step ahead: the next file is read and handed to the analysis workers
        before this one is written, so extraction and writing overlap when workers > 1. With one process
        on PostgreSQL, a thread writes this file while the next is analysed: the writer would otherwise
        wait for the server, which works on a core of its own."""
        beside = self.store.is_postgres and self._pool.workers == 1
        pending: tuple[Path, FileWrite | None] | None = None
        # (the writer thread ends first: the group is committed, or rolled back, once no write is under way)
        with FileGroups(self.store, lambda written, error: self._lost(written, error, report)) as groups, \
                ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsbot-writer") as writer:
            for file in [*files, None]:
                writing = writer.submit(self._write, groups, pending, report) if pending is not None and beside \
                    else None
                ahead = (file, self._guarded(file, report, self._read_and_analyse)) if file is not None else None
                if pending is not None:
                    added = writing.result() if writing is not None else self._write(groups, pending, report)
                    if progress is not None:
                        progress.advance(pending[0], added)
                pending = ahead

    def _write(self, groups: FileGroups, pending: tuple[Path, FileWrite | None], report: IndexReport) -> int:
        """Write an analysed file (see _read_and_analyse) into the run's open group; returns the new stories it
        added."""
        path, write = pending
        if write is None:
            return 0
        written = self._guarded(path, report, lambda _path, _report: groups.write(str(path), write.articles,
                                                                                  write.step))
        if written is None:
            self._recount = True  # the run's tally may hold stories this rollback took back
            return 0
        added, occurrences = written
        report.articles_added += added
        report.occurrences_added += occurrences
        report.files_indexed += occurrences > 0  # (a file touched but not changed writes none)
        return added

    def _lost(self, written: list[tuple[str, object]], error: Exception, report: IndexReport) -> None:
        """A group's commit failed: its files are not in the index, whatever each one's write said."""
        self._actors.forget()
        self._recount = True
        for path, outcome in written:
            added, occurrences = outcome
            report.articles_added -= added
            report.occurrences_added -= occurrences
            report.files_indexed -= occurrences > 0
            report.problems.append(FileProblem(path, f"not indexed, index unchanged for this file (its group's "
                                                     f"commit failed: {error.__class__.__name__}: {error})"))

    def _guarded(self, path: Path | str, report: IndexReport, step: Callable[[Path, IndexReport], object]):
        try:
            return step(path, report)
        except Exception as exc:  # one file's failure must not stop the run; its transaction rolled back
            self._actors.forget()
            log.debug("indexing %s failed", path, exc_info=True)
            report.problems.append(FileProblem(str(path), f"not indexed, index unchanged for this file "
                                                          f"({exc.__class__.__name__}: {exc})"))
            return None

    def _read_and_analyse(self, path: Path, report: IndexReport) -> FileWrite | None:
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
            report.repeat_problems(stored_problems(known.error))
            return None
        try:
            digest = file_digest(path, sidecar=sidecar)
            if known and known.sha256 == digest:  # touched, not changed: its new signature is written
                report.files_unchanged += 1
                report.repeat_problems(stored_problems(known.error))

                def touch(conn: Connection) -> tuple[int, int]:
                    conn.execute(update(source_files).where(source_files.c.id == known.id)
                                 .values(size=size, mtime=mtime))
                    return 0, 0
                return FileWrite(0, touch)
            result = read_file(path, sidecar=sidecar)
        except OSError as exc:
            report.problems.append(FileProblem(str(path), f"cannot be read ({exc.strerror or exc})"))
            return None
        report.problems.extend(result.problems)
        if not result.documents:  # read_file said why: the file's stored articles, if any, are kept
            return None
        analysis = self._pool.start(result.documents)
        status = FileStatus.PARTIAL if result.problems else FileStatus.OK

        def write(conn: Connection) -> tuple[int, int]:  # the whole file, or nothing (FileGroups: a savepoint)
            analysed = analysis()
            file_id = self._replace_file_row(conn, path, digest, size, mtime, status, result.problems)
            return self.store_articles(conn, [file_id] * len(analysed), analysed), len(analysed)
        return FileWrite(len(result.documents), write)

    def remove_missing(self, roots: Iterable[Path], walk: CorpusWalk, report: IndexReport) -> None:
        """Drop the stored files under `roots` that are gone from disk (changes.vanished_files)."""
        with self.store.connect() as conn:
            gone, problems = vanished_files(conn, roots, walk)
        for file_id in gone:
            with self.store.begin() as conn:
                self._drop_file(conn, file_id)
            report.files_removed += 1
        report.problems.extend(problems)

    # -- files -----------------------------------------------------------

    def _replace_file_row(self, conn: Connection, path: Path | str, digest: str, size: int, mtime: float, status: FileStatus,
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

    def store_articles(self, conn: Connection, file_ids: list[int], analysed: list[AnalysedArticle]) -> int:
        """Store a file's articles (or a group of feed items, each from its own file: `file_ids`, one per
        article): new stories, and occurrences of stories already known (syndicated copies, in the index or
        earlier in this file), the new stories' mentions counted in the run's tally. Returns the number of
        new stories."""
        finder = StoryFinder(conn, [item.story_id for item in analysed], [item.bands for item in analysed],
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
            for doc, story, file_id in zip((item.doc for item in analysed), stories, file_ids)])
        new_items = [(story, item) for item, story, is_new in zip(analysed, stories, fresh) if is_new]
        self._actors.cache(conn, [item for _, item in new_items])
        mention_rows: list[tuple] = []
        for item, story, is_new in zip(analysed, stories, fresh):
            if is_new:
                first_row = len(mention_rows)
                self._actors.add_mention_rows(conn, story, item, mention_rows)
                self._tally.add(story, item.doc.date, [row[1] for row in mention_rows[first_row:]],
                                [(row[1], row[7], row[8]) for row in mention_rows[first_row:]])
            else:
                self._fill_story_gaps(conn, story, item.doc)
        role_rows = [(story, role.mention_start, role.role.office, role.role.of, role.written)
                     for story, item in new_items for role in item.roles]
        if role_rows:
            insert_plain_rows(conn, role_mentions, ("article_id", "mention_start", "office", "of", "written"), role_rows)
        if mention_rows:  # one bulk insert per file: a round trip per article is what PostgreSQL paid for
            insert_plain_rows(conn, mentions, _MENTION_COLUMNS, mention_rows)
        # A syndicated copy's quotes are its story's, already stored.
        self._store_quotes(conn, new_items, mentions_by_story(mention_rows))
        self._actors.store_new_aliases(conn)
        self._actors.store_roles(conn)
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

    # -- quotes ----------------------------------------------------------

    def _store_quotes(self, conn: Connection, new_items: list[tuple[str, AnalysedArticle]],
                      named: dict[str, list[tuple[int, int, int]]]) -> None:
        """The file's quotes (quote_merge.store_quotes), their speakers among this run's actors."""
        store_quotes(conn, new_items, named, lambda name: self._actors.actor_id(conn, name, Kind.PERSON),
                     self._quote_words)


def curated_actor_list(settings: Settings) -> Gazetteer:
    """config/actors.yaml: the curated actors every index run stores and recognises."""
    return load_gazetteer(settings.config_dir / "actors.yaml")


def build_indexer(store: Store, settings: Settings) -> Indexer:
    """The indexer every index run over the configured project uses: with its curated actor list."""
    return Indexer(store, gazetteer=curated_actor_list(settings))


GROUP_DOCUMENTS = 50  # documents index_documents writes per transaction: about a corpus file's worth


def _groups(batches: Iterable[Batch]) -> Iterator[list[Batch]]:
    """Consecutive batches, up to GROUP_DOCUMENTS documents a group; a key given again starts a new group, so
    that its second batch is compared with what the first stored."""
    group: list[Batch] = []
    for batch in batches:
        if group and (sum(len(b[1]) for b in group) + len(batch[1]) > GROUP_DOCUMENTS
                      or batch[0] in {b[0] for b in group}):
            yield group
            group = []
        group.append(batch)
    if group:
        yield group


def _now() -> datetime:
    return datetime.now(timezone.utc)

