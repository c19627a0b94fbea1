"""Indexing: files in, stories, mentions and quotes out, one transaction per file.

Incremental by content hash: an unchanged file is skipped, a changed file has its
occurrences replaced, a file gone from a corpus folder has them removed. A story
left with no occurrence is deleted with its mentions and quotes.
"""
from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from bot.corpus import syndication
from bot.corpus.models import Document, FileProblem
from bot.corpus.readers import SUPPORTED, read_file
from bot.nlp.names import actor_key
from bot.pipeline import AnalysedArticle, analyse
from bot.store.db import Store
from bot.store.schema import (
    actors, aliases, article_bands, articles, mentions, occurrences, quote_occurrences, quotes, source_files,
)

log = logging.getLogger(__name__)

SIDECAR_SUFFIX = ".meta.yaml"


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

    @property
    def failed(self) -> bool:
        return bool(self.problems)


def discover(paths: Iterable[Path], report: IndexReport) -> list[Path]:
    """Corpus files under `paths` (folders walked recursively), in a stable order."""
    found: list[Path] = []
    for path in paths:
        if not path.exists():
            report.problems.append(FileProblem(str(path), "no such file or folder"))
        elif path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith(".") or name.endswith(SIDECAR_SUFFIX):
                        continue
                    file = Path(root) / name
                    if file.suffix.lower() in SUPPORTED:
                        found.append(file.resolve())
                    else:
                        report.problems.append(FileProblem(str(file), f"unsupported file type '{file.suffix or name}'"))
        else:
            found.append(path.resolve())
    return found


def file_digest(path: Path) -> str:
    """sha256 of a file and of its sidecar metadata (a changed sidecar re-indexes the file)."""
    digest = hashlib.sha256()
    for part in (path, Path(str(path) + SIDECAR_SUFFIX)):
        if part.exists():
            with part.open("rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
    return digest.hexdigest()


def article_id(text: str) -> str:
    """Stable story id: the same body always gets the same id."""
    return hashlib.sha1(" ".join(text.split()).casefold().encode("utf-8")).hexdigest()[:20]


class Indexer:
    """Writes analysed articles into a Store. One instance per index run."""

    def __init__(self, store: Store, gazetteer=None, analyse_fn: Callable[..., AnalysedArticle] = analyse):
        self.store = store
        self.gazetteer = gazetteer
        self.analyse = analyse_fn
        self._actor_ids: dict[str, int] = {}

    # -- the run ---------------------------------------------------------

    def run(self, paths: Iterable[Path], *, roots: Iterable[Path] | None = None, keep_missing: bool = False,
            progress: Callable[[Path, int], None] | None = None) -> IndexReport:
        """Index `paths`; files under `roots` that no longer exist are removed unless keep_missing."""
        report = IndexReport()
        paths = [Path(p) for p in paths]
        files = discover(paths, report)
        report.files_seen = len(files)
        self.sync_curated_actors()
        for file in files:
            before = report.articles_added
            self.index_file(file, report)
            if progress:
                progress(file, report.articles_added - before)
        if not keep_missing:
            self.remove_missing(roots if roots is not None else paths, set(map(str, files)), report)
        with self.store.begin() as conn:
            refresh_actor_stats(conn)
            self.store.bump_generation(conn)
        return report

    def index_file(self, path: Path, report: IndexReport) -> None:
        try:
            stat = path.stat()
            digest = file_digest(path)
        except OSError as exc:
            report.problems.append(FileProblem(str(path), f"cannot be read ({exc.strerror or exc})"))
            return
        with self.store.connect() as conn:
            known = conn.execute(select(source_files.c.sha256).where(source_files.c.path == str(path))).scalar()
        if known == digest:
            report.files_unchanged += 1
            return
        try:
            result = read_file(path)
        except OSError as exc:
            report.problems.append(FileProblem(str(path), f"cannot be read ({exc.strerror or exc})"))
            return
        report.problems.extend(result.problems)
        if any(p.fatal for p in result.problems) and not result.documents:
            return
        analysed = [self.analyse(doc, self.gazetteer) for doc in result.documents]
        status = "partial" if result.problems else "ok"
        with self.store.begin() as conn:  # the whole file, or nothing
            file_id = self._replace_file_row(conn, path, digest, stat, status, result.problems)
            for item in analysed:
                added = self.store_article(conn, file_id, item)
                report.articles_added += int(added)
                report.occurrences_added += 1
        report.files_indexed += 1

    def remove_missing(self, roots: Iterable[Path], present: set[str], report: IndexReport) -> None:
        root_prefixes = [str(Path(r).resolve()) for r in roots if Path(r).is_dir()]
        if not root_prefixes:
            return
        with self.store.connect() as conn:
            rows = conn.execute(select(source_files.c.id, source_files.c.path)).all()
        for file_id, path in rows:
            inside = any(path.startswith(prefix + os.sep) for prefix in root_prefixes)
            if inside and path not in present and not Path(path).exists():
                with self.store.begin() as conn:
                    self._drop_file(conn, file_id)
                report.files_removed += 1

    # -- files -----------------------------------------------------------

    def _replace_file_row(self, conn: Connection, path: Path, digest: str, stat: os.stat_result, status: str,
                          problems: list[FileProblem]) -> int:
        values = dict(sha256=digest, size=stat.st_size, mtime=stat.st_mtime, indexed_at=_now(), status=status,
                      error="; ".join(str(p) for p in problems) or None)
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
        article_ids = set(conn.execute(select(occurrences.c.article_id).where(occurrences.c.file_id == file_id)).scalars())
        conn.execute(delete(occurrences).where(occurrences.c.file_id == file_id))
        if not article_ids:
            return
        still_held = set(conn.execute(select(occurrences.c.article_id).where(
            occurrences.c.article_id.in_(article_ids))).scalars())
        orphans = list(article_ids - still_held)
        if orphans:
            delete_articles(conn, orphans)

    # -- articles --------------------------------------------------------

    def store_article(self, conn: Connection, file_id: int, item: AnalysedArticle) -> bool:
        """Store one occurrence; returns True when it is a new story (not a syndicated copy)."""
        doc = item.doc
        story_id = self._find_same_story(conn, doc)
        is_new = story_id is None
        if is_new:
            story_id = article_id(doc.text)
            conn.execute(insert(articles).values(
                id=story_id, title=doc.title, source=doc.source, author=doc.author, date=doc.date, url=doc.url,
                path=doc.path, text=doc.text, ingested_at=_now()))
            bands = syndication.fingerprint(doc.text)
            if bands:
                conn.execute(insert(article_bands), [{"band": b, "article_id": story_id} for b in bands])
            self._store_mentions(conn, story_id, item)
        conn.execute(insert(occurrences).values(
            article_id=story_id, file_id=file_id, position=doc.position, title=doc.title, source=doc.source,
            author=doc.author, date=doc.date, url=doc.url, path=doc.path))
        self._store_quotes(conn, story_id, item, is_new)
        if not is_new:
            self._fill_story_gaps(conn, story_id, doc)
        return is_new

    def _find_same_story(self, conn: Connection, doc: Document) -> str | None:
        exact = conn.execute(select(articles.c.id).where(articles.c.id == article_id(doc.text))).scalar()
        if exact:
            return exact
        bands = syndication.fingerprint(doc.text)
        if not bands:
            return None
        candidates = conn.execute(
            select(article_bands.c.article_id).where(article_bands.c.band.in_(bands)).distinct().limit(20)).scalars()
        for candidate in candidates:
            body = conn.execute(select(articles.c.text).where(articles.c.id == candidate)).scalar()
            if body is not None and syndication.same_story(body, doc.text):
                return candidate
        return None

    def _fill_story_gaps(self, conn: Connection, story_id: str, doc: Document) -> None:
        """A later copy may know what the first lacked (author, date, url); keep the earliest date."""
        row = conn.execute(select(articles).where(articles.c.id == story_id)).mappings().one()
        changes = {k: getattr(doc, k) for k in ("title", "source", "author", "url") if not row[k] and getattr(doc, k)}
        if doc.date and (row["date"] is None or doc.date < row["date"]):
            changes["date"] = doc.date
        if changes:
            conn.execute(update(articles).where(articles.c.id == story_id).values(**changes))

    # -- actors and mentions ---------------------------------------------

    def sync_curated_actors(self) -> None:
        """Upsert the config/actors.yaml list: names, kinds, descriptions and aliases."""
        if self.gazetteer is None:
            return
        with self.store.begin() as conn:
            for entry in self.gazetteer.actors:
                actor_id = self.actor_id(conn, entry.name, entry.kind, curated=True, description=entry.description)
                conn.execute(delete(aliases).where(and_(aliases.c.actor_id == actor_id, aliases.c.origin == "config")))
                seen = set()
                for alias in [entry.name, *entry.aliases]:
                    key = actor_key(alias)
                    if key and key not in seen:
                        seen.add(key)
                        conn.execute(delete(aliases).where(and_(aliases.c.actor_id == actor_id, aliases.c.key == key)))
                        conn.execute(insert(aliases).values(actor_id=actor_id, alias=alias, key=key, origin="config"))

    def actor_id(self, conn: Connection, name: str, kind: str, *, curated: bool = False,
                 description: str | None = None) -> int:
        """The id of the actor with this name's key, created when new."""
        key = actor_key(name)
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

    def _store_mentions(self, conn: Connection, story_id: str, item: AnalysedArticle) -> None:
        rows = []
        for mention in item.mentions:
            name = mention.curated or mention.name
            actor_id = self.actor_id(conn, name, mention.kind)
            rows.append({"article_id": story_id, "actor_id": actor_id, "start": mention.start, "end": mention.end,
                         "surface": mention.surface, "sentence": mention.sentence})
            if not mention.curated and actor_key(mention.surface) != actor_key(name):
                self._remember_alias(conn, actor_id, mention.surface)
        if rows:
            conn.execute(insert(mentions), rows)

    def _remember_alias(self, conn: Connection, actor_id: int, surface: str) -> None:
        key = actor_key(surface)
        exists = conn.execute(select(aliases.c.id).where(and_(aliases.c.actor_id == actor_id, aliases.c.key == key))).first()
        if not exists:
            conn.execute(insert(aliases).values(actor_id=actor_id, alias=surface, key=key, origin="corpus"))

    # -- quotes ----------------------------------------------------------

    def _store_quotes(self, conn: Connection, story_id: str, item: AnalysedArticle, is_new: bool) -> None:
        """One quote row per folded text; every place it appears is an occurrence."""
        if not is_new:
            return  # a syndicated copy's quotes are the story's quotes, already stored
        doc = item.doc
        for quote in item.quotes:
            key = quote_key(quote.text)
            speaker_actor = self.actor_id(conn, quote.speaker_name, "person") if quote.speaker_name else None
            row = conn.execute(select(quotes.c.id, quotes.c.text, quotes.c.first_seen).where(quotes.c.key == key)).first()
            if row is None:
                quote_id = conn.execute(insert(quotes).values(
                    key=key, text=quote.text, speaker=quote.speaker, speaker_actor_id=speaker_actor,
                    anonymous=quote.anonymous, cue=quote.cue, article_id=story_id, start=quote.start, end=quote.end,
                    marked=quote.marked, partial=quote.partial, first_seen=doc.date, first_source=doc.source,
                )).inserted_primary_key[0]
            else:
                quote_id = row.id
                changes = {}
                if len(quote.text) > len(row.text):
                    changes["text"] = quote.text
                if doc.date and (row.first_seen is None or doc.date < row.first_seen):
                    changes.update(first_seen=doc.date, first_source=doc.source, article_id=story_id,
                                   start=quote.start, end=quote.end)
                if changes:
                    conn.execute(update(quotes).where(quotes.c.id == quote_id).values(**changes))
            conn.execute(insert(quote_occurrences).values(quote_id=quote_id, article_id=story_id, start=quote.start,
                                                          end=quote.end, source=doc.source))


def quote_key(text: str) -> str:
    """Quotebank's rule: equal after folding case and punctuation."""
    return hashlib.sha1(actor_key(text).encode("utf-8")).hexdigest()


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


def refresh_actor_stats(conn: Connection) -> None:
    """Recount mentions and articles per actor; drop discovered actors nobody mentions any more."""
    stats = (select(mentions.c.actor_id,
                    func.count().label("mentions"),
                    func.count(func.distinct(mentions.c.article_id)).label("articles"),
                    func.min(articles.c.date).label("first"),
                    func.max(articles.c.date).label("last"))
             .join(articles, articles.c.id == mentions.c.article_id)
             .group_by(mentions.c.actor_id)).subquery()
    conn.execute(update(actors).values(mention_count=0, article_count=0, first_seen=None, last_seen=None))
    for row in conn.execute(select(stats)).all():
        conn.execute(update(actors).where(actors.c.id == row.actor_id).values(
            mention_count=row.mentions, article_count=row.articles, first_seen=row.first, last_seen=row.last))
    spoken = select(quotes.c.speaker_actor_id).where(quotes.c.speaker_actor_id.is_not(None))
    conn.execute(delete(actors).where(and_(actors.c.curated.is_(False), actors.c.mention_count == 0,
                                           actors.c.id.not_in(spoken))))


def _now() -> datetime:
    return datetime.now(timezone.utc)


def iter_documents(paths: Iterable[Path]) -> Iterator[Document]:
    """Every document under `paths`, for tools that read without storing (benchmarks)."""
    report = IndexReport()
    for file in discover(paths, report):
        yield from read_file(file).documents


