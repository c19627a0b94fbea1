"""Quote search: find a quote from the half-sentence a journalist remembers, or by who said it.

Words are matched against an in-memory term index of every stored quote (text and
speaker), built from the store and rebuilt when the store's generation changes, so it
works the same on SQLite and PostgreSQL. The index also holds what a hit shows (the
quote, its speaker, its first article) and each actor's quotes by and about it, so a
search or a profile's quotes read nothing from the store. Each query word matches
exactly, as a plural or singular form, or, when the word is not in the vocabulary, as
a typo of a word that
is (edit distance 1, or 2 for long words; a swap of two letters counts as one). Quotes
must match most of the query's content words, in any order; the best candidates are
then re-ranked with their text: the whole phrase first, then words in the query's
order, then rarer words matched.

`by` resolves the speaker with the name resolver quote search is given, the lookup
engine's (bot.search.engines: `--by Trump` → Donald Trump), and also matches the speaker
as written, so anonymous sources (`--by commander`) are searchable too.
"""
from __future__ import annotations

import logging
import math
import threading
import time
from array import array
from collections import Counter, defaultdict
from itertools import islice
from typing import Callable

from rapidfuzz import process
from rapidfuzz.distance import OSA
from sqlalchemy import select

from bot.nlp.names import fold
from bot.search import snapshots
from bot.search.quote_index import QuoteIndex
from bot.search.results import LookupResult, LookupStatus, QuoteHit, QuoteSearchResult
from bot.store.db import Store
from bot.store.schema import actors, articles, quote_occurrences, quotes

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 300
REFRESH_SECONDS = 5.0
SNAPSHOT_AFTER_SECONDS = 0.5  # an index that took longer to build is saved for the next start
RERANK = 200  # candidates re-ranked with their text
STOPWORDS = frozenset(
    "a an the and or but of to in on at for with from by is are was were be been it its this that these those as "
    "we i you he she they our my your his her their them us me not no so if do does did have has had will would "
    "can could should all any".split())
USAGE = ("Give words you remember from the quote (`newsbot quote straightforward and clear`), a speaker "
         "(`--by Trump`), or both (`--by Trump terror`).")


def build_index(store: Store) -> QuoteIndex:
    with store.connect() as conn:
        generation = int(store.get_meta("generation", "0", conn=conn) or 0)
        index = QuoteIndex(generation)
        occurrences: Counter[int] = Counter()
        subjects: dict[int, set[int]] = defaultdict(set)  # quote id -> actors named near any of its occurrences
        for quote_id, named in conn.execute(select(quote_occurrences.c.quote_id, quote_occurrences.c.subjects)):
            occurrences[quote_id] += 1
            if named:
                subjects[quote_id].update(map(int, named.split(",")))
        index.occurrences = dict(occurrences)
        rows = conn.execute(
            select(quotes.c.id, quotes.c.text, quotes.c.speaker, quotes.c.speaker_actor_id, quotes.c.first_seen,
                   quotes.c.anonymous, quotes.c.cue, quotes.c.marked, quotes.c.partial, quotes.c.article_id,
                   actors.c.name, articles.c.title, articles.c.source, articles.c.date, articles.c.url)
            .select_from(quotes.join(articles, articles.c.id == quotes.c.article_id)
                         .outerjoin(actors, actors.c.id == quotes.c.speaker_actor_id))
            .order_by(quotes.c.id))
        postings: dict[str, list[int]] = defaultdict(list)
        speakers: dict[str, list[int]] = defaultdict(list)
        names: dict[str, str] = {}  # one string per speaker, name and cue, however many quotes share it
        for position, row in enumerate(rows):
            index.ids.append(row.id)
            index.first_seen.append(row.first_seen.toordinal() if row.first_seen else 0)
            folded = fold(row.text)
            index.folded.append(folded)
            index.shown.append((row.text, names.setdefault(row.speaker, row.speaker),
                                names.setdefault(row.name, row.name), bool(row.anonymous),
                                names.setdefault(row.cue, row.cue), bool(row.marked), bool(row.partial),
                                row.article_id))
            if row.article_id not in index.articles:
                index.articles[row.article_id] = (row.title, row.source, row.date, row.url)
            for term in set(folded.split()):
                postings[term].append(position)
            index.speakers.append(row.speaker_actor_id or 0)
            for term in set(fold(f"{row.speaker or ''} {row.name or ''}").split()):
                speakers[term].append(position)
    by_actor: dict[int, list[int]] = defaultdict(list)
    about: dict[int, list[int]] = defaultdict(list)
    for position in index.newest_first(range(len(index.ids))):  # a profile shows the first few
        if index.speakers[position]:
            by_actor[index.speakers[position]].append(position)
        for actor in subjects.get(index.ids[position], ()):
            about[actor].append(position)
    index.by_actor = {actor: array("i", hits) for actor, hits in by_actor.items()}
    index.about = {actor: array("i", hits) for actor, hits in about.items()}
    index.postings = {term: array("i", hits) for term, hits in postings.items()}
    index.speaker_postings = {term: array("i", hits) for term, hits in speakers.items()}
    initials: dict[str, list[str]] = defaultdict(list)
    for term in index.postings:
        if len(term) >= 4 and term.isalpha():
            initials[term[0]].append(term)
    index.by_initial = dict(initials)
    return index


def _load_or_build(store: Store, generation: int) -> QuoteIndex:
    """The snapshot of this generation's index (bot.search.snapshots), else a new one, saved when slow."""
    index = snapshots.load(store, generation, "quotes")
    if index is None:
        started = time.perf_counter()
        index = build_index(store)
        elapsed = time.perf_counter() - started
        log.debug("quote index: %d quotes, %d words in %.2fs", len(index.ids), len(index.postings), elapsed)
        if elapsed > SNAPSHOT_AFTER_SECONDS:
            snapshots.save_in_background(store, index.generation, index, "quotes")
    return index


_INDEXES: dict[str, tuple[QuoteIndex, float]] = {}
_LOCK = threading.Lock()


def current_index(store: Store, refresh_seconds: float = REFRESH_SECONDS) -> QuoteIndex:
    """The store's quote index, shared by every QuoteSearch on it; rebuilt when the generation moves on."""
    cached = _INDEXES.get(store.url)
    now = time.monotonic()
    if cached is not None and now - cached[1] < refresh_seconds:
        return cached[0]
    with _LOCK:
        cached = _INDEXES.get(store.url)
        if cached is not None and now - cached[1] < refresh_seconds:
            return cached[0]
        generation = store.generation()
        if cached is None or generation != cached[0].generation:
            index = _load_or_build(store, generation)
        else:
            index = cached[0]
        _INDEXES[store.url] = (index, time.monotonic())
        return index


def _newest_by(index: QuoteIndex, actor_id: int, limit: int, offset: int) -> list[QuoteHit]:
    return [index.hit(p) for p in index.by_actor.get(actor_id, ())[offset:offset + limit]]


def _newest_about(index: QuoteIndex, actor_id: int, limit: int, offset: int) -> list[QuoteHit]:
    others = (p for p in index.about.get(actor_id, ()) if index.speakers[p] != actor_id)
    return [index.hit(p) for p in islice(others, offset, offset + limit)]


class QuoteSearch:
    def __init__(self, store: Store, resolve: Callable[[str], LookupResult] | None = None):
        """`resolve`: a typed name to the actors it may mean (LookupEngine.resolve); without it `by`
        matches only the speaker as written."""
        self.store = store
        self.resolve = resolve

    # -- search ------------------------------------------------------------------------

    def search(self, words: str = "", by: str | None = None, *, limit: int = 5, offset: int = 0) -> QuoteSearchResult:
        """Quotes matching remembered words (typo and order tolerant), optionally by a speaker (fuzzy)."""
        words = " ".join((words or "").split())
        by = " ".join((by or "").split()) or None
        result = QuoteSearchResult(query=words, by=by)
        if not words and not by:
            result.explanation = f"No words and no speaker given. {USAGE}"
            return result
        if len(words) > MAX_QUERY_CHARS or by and len(by) > MAX_QUERY_CHARS:
            result.explanation = f"That query is too long (at most {MAX_QUERY_CHARS} characters). {USAGE}"
            return result
        index = current_index(self.store)
        allowed = None
        if by:
            allowed, result.speaker, who = self._speaker_positions(index, by)
            if not allowed and not words:
                # `/quote by Trump terror`: the speaker may be the first words only, the rest what was said.
                parts = by.split()
                for cut in range(len(parts) - 1, 0, -1):
                    allowed, result.speaker, who = self._speaker_positions(index, " ".join(parts[:cut]))
                    if allowed:
                        by, words = " ".join(parts[:cut]), " ".join(parts[cut:])
                        result.by, result.query = by, words
                        break
            if not allowed:
                result.explanation = f"No quotes by anyone matching “{by}”."
                return result
            result.explanation = f"Quotes by {who}."
        if words:
            ranked, note = self._match_words(index, words, allowed)
            result.explanation = " ".join(filter(None, [result.explanation, note]))
        else:
            ranked = [(p, 1.0) for p in index.newest_first(allowed)]
        result.total = len(ranked)
        page = ranked[offset:offset + limit]
        result.results = [index.hit(p, score) for p, score in page]
        return result

    def _speaker_positions(self, index: QuoteIndex, by: str):
        """Quotes whose speaker is the actor `by` resolves to, or whose speaker as written matches."""
        actor_ids: set[int] = set()
        resolved = None
        if self.resolve is not None:
            try:
                resolved = self.resolve(by)
            except Exception:  # a lookup failure must not sink quote search
                log.exception("speaker lookup failed for %r", by)
            if resolved is not None and resolved.status in (LookupStatus.FOUND, LookupStatus.AMBIGUOUS):
                speakers = 5 if resolved.status == LookupStatus.AMBIGUOUS else 1
                actor_ids = {c.actor_id for c in resolved.candidates[:speakers]}
        positions: set[int] = set()
        for actor_id in actor_ids:
            positions.update(index.by_actor.get(actor_id, ()))
        wanted = fold(by).split()
        if wanted:  # every word of `by` in the speaker as written (anonymous sources) or its actor's name
            written = set(index.speaker_postings.get(wanted[0], ()))
            for word in wanted[1:]:
                written.intersection_update(index.speaker_postings.get(word, ()))
            positions |= written
        if resolved is not None and resolved.status == LookupStatus.FOUND:
            who = resolved.candidates[0].name
        elif resolved is not None and resolved.status == LookupStatus.AMBIGUOUS:
            names = [c.name for c in resolved.candidates[:5]]
            who = f"“{by}” (which may be {', '.join(names[:-1])} or {names[-1]})"
        else:
            who = f"“{by}”"
        return positions, resolved, who

    def _match_words(self, index: QuoteIndex, words: str, allowed: set[int] | None):
        terms = fold(words).split()
        content = [t for t in terms if t not in STOPWORDS] or terms
        total = len(index.ids) or 1
        scores: dict[int, float] = defaultdict(float)
        matched: dict[int, int] = defaultdict(int)
        weights = []
        unknown = []
        for term in dict.fromkeys(content):
            variants = self._variants(index, term)
            if not variants:
                unknown.append(term)
            idf = math.log(1 + total / (1 + min((index.df(v) for v, _ in variants), default=0)))
            weights.append(idf)
            best: dict[int, float] = {}
            for variant, weight in variants:
                for position in index.postings[variant]:
                    if weight > best.get(position, 0.0):
                        best[position] = weight
            for position, weight in best.items():
                scores[position] += weight * idf
                matched[position] += 1
        need = max(1, math.ceil(0.6 * len(weights)))
        candidates = [p for p, n in matched.items() if n >= need and (allowed is None or p in allowed)]
        norm = sum(weights) or 1.0
        candidates.sort(key=lambda p: (-scores[p], -index.first_seen[p]))
        head = self._rerank(index, candidates[:RERANK], terms, {p: scores[p] / norm for p in candidates[:RERANK]})
        ranked = head + [(p, round(scores[p] / norm / 2, 3)) for p in candidates[RERANK:]]
        note = f"No quote has “{'”, “'.join(unknown)}”." if unknown and not ranked else ""
        return ranked, note

    @staticmethod
    def _variants(index: QuoteIndex, term: str) -> list[tuple[str, float]]:
        """The indexed words a query word stands for: itself, singular/plural, else its nearest typo fixes."""
        found = [(term, 1.0)] if term in index.postings else []
        for other in (term + "s", term + "es", term[:-1] if term.endswith("s") else ""):
            if other and other != term and other in index.postings:
                found.append((other, 0.9))
        if found or len(term) < 4 or not term.isalpha():
            return found
        limit = 1 if len(term) <= 6 else 2
        bucket = index.by_initial.get(term[0], [])
        near = process.extract(term, bucket, scorer=OSA.distance, score_cutoff=limit, limit=5)
        return [(word, 0.8 if distance == 1 else 0.7) for word, distance, _ in near]

    def _rerank(self, index: QuoteIndex, positions: list[int], terms: list[str],
                base: dict[int, float]) -> list[tuple[int, float]]:
        """Whole phrase first, then the query's word order, then the word score."""
        if not positions:
            return []
        phrase = " ".join(terms)
        pairs = list(zip(terms, terms[1:]))
        ranked = []
        for position in positions:
            padded = f" {index.folded[position]} "
            bonus = 0.0
            if phrase and f" {phrase} " in padded:
                bonus = 1.0
            elif pairs:
                bonus = 0.3 * sum(1 for a, b in pairs if f" {a} {b} " in padded) / len(pairs)
            ranked.append((position, round((base[position] + bonus) / 2, 3)))  # 0..1
        ranked.sort(key=lambda item: (-item[1], -index.first_seen[item[0]]))
        return ranked

    # -- profiles ------------------------------------------------------------------------

    def quotes_by(self, actor_id: int, *, limit: int = 3, offset: int = 0) -> list[QuoteHit]:
        """The actor's own quotes, newest first."""
        return _newest_by(current_index(self.store), actor_id, limit, offset)

    def quotes_about(self, actor_id: int, *, limit: int = 3, offset: int = 0) -> list[QuoteHit]:
        """Quotes by others published near a mention of the actor (quote_occurrences.subjects), newest first."""
        return _newest_about(current_index(self.store), actor_id, limit, offset)

    def profile_quotes(self, actor_id: int, *, limit: int = 3, by_offset: int = 0,
                       about_offset: int = 0) -> tuple[list[QuoteHit], list[QuoteHit], int, int]:
        """A page of `limit` quotes by the actor and one about it, as its profile shows them, and how many
        there are of each."""
        index = current_index(self.store)
        by, about = index.by_actor.get(actor_id, ()), index.about.get(actor_id, ())
        about_total = sum(1 for p in about if index.speakers[p] != actor_id)
        return (_newest_by(index, actor_id, limit, by_offset), _newest_about(index, actor_id, limit, about_offset),
                len(by), about_total)
