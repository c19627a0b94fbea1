"""Near-copy finding: which stored (or just added) story an analysed article is a copy of.

A syndicated copy is stored as another occurrence of its story, not as a story of its own."""
from __future__ import annotations

from collections import Counter
from itertools import chain

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from bot.corpus import syndication
from bot.ingest.pipeline import AnalysedArticle
from bot.store.db import chunks, one_of
from bot.store.schema import article_bands, articles

MAX_CANDIDATES = 20  # near-duplicate candidates compared per article, most shared bands first


class RunBodies:
    """What near-copy checks read of the stories met in this run: lengths, traits (syndication.Traits) and
    folded bodies (packed), so a candidate is ruled out by its length or figures, or compared, without
    reading and folding its text again (a cost that grows with the index). A story id is the hash of its
    folded body, so nothing remembered turns wrong, even after a rollback."""

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


class StoryFinder:
    """Which stored (or just added) story a body is a copy of, with few queries per file.

    Exact copies are found by id; near copies by shared fingerprint bands, then
    confirmed by syndication's tests, candidates sharing the most bands first: their
    traits first (most candidates differ in figures), their texts only when those agree.
    """

    def __init__(self, conn: Connection, ids: list[str], bands: list[list[str]], memory: RunBodies):
        self.conn = conn
        self.known_ids: set[str] = set()
        for chunk in chunks(sorted(set(ids))):
            self.known_ids.update(conn.execute(select(articles.c.id).where(
                one_of(conn, articles.c.id, chunk))).scalars())
        self.by_band: dict[str, list[str]] = {}
        for chunk in chunks(sorted({b for doc_bands in bands for b in doc_bands})):
            # One row per band, its stories joined by the database (ids are hex): a file's bands name tens of
            # thousands of stories at 100k articles, and a row each cost three times as much to read.
            for band, stories in conn.execute(
                    select(article_bands.c.band, func.aggregate_strings(article_bands.c.article_id, " "))
                    .where(one_of(conn, article_bands.c.band, chunk)).group_by(article_bands.c.band)):
                self.by_band[band] = stories.split(" ")
        self.memory = memory
        self.bodies: dict[str, str] = {}  # unpacked in this file
        self.unreadable: set[str] = set()  # banded stories without a text (none, unless the database was edited)
        self.added: set[str] = set()  # new stories of this file

    def find(self, item: AnalysedArticle) -> str | None:
        if item.story_id in self.known_ids or item.story_id in self.added:
            return item.story_id
        # (the stories of each band chained in C: at 100k articles a body's bands hold a few hundred)
        shared = Counter(chain.from_iterable(self.by_band.get(band, ()) for band in item.bands))
        lengths, length = self.memory.lengths, item.traits.length
        needed = syndication.bands_needed(len(item.bands))  # (most stories share one band: a comparison rules them out)
        worth = [candidate for candidate, count in shared.items() if count >= needed
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
        """Stored candidates this run has not met, in one query (a new story has many candidates in a
        large index: a query each would dominate the writer's time): folded, remembered."""
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

