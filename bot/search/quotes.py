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
from array import array
from collections import Counter, defaultdict
from functools import partial
from itertools import islice
from typing import Callable

from rapidfuzz import process
from rapidfuzz.distance import OSA
from sqlalchemy import select

from bot.nlp.names import fold
from bot.search import snapshots
from bot.search.filters import NO_FILTERS, Filters
from bot.search.live_index import LiveIndex
from bot.search.quote_index import QuoteIndex
from bot.search.results import LookupResult, LookupStatus, QuoteHit, QuoteSearchResult
from bot.store.db import Store
from bot.store.schema import actors, articles, quote_occurrences, quotes

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 300
REFRESH_SECONDS = 5.0
SNAPSHOT_AFTER_SECONDS = 0.5  # an index that took longer to build is saved for the next start
RERANK = 200  # candidates re-ranked with their text
TITLE_SHARE = 0.5  # a word in the quote's article title counts this share of one in the quote itself
STOPWORDS = frozenset(
    "a an the and or but of to in on at for with from by is are was were be been it its this that these those as "
    "we i you he she they our my your his her their them us me not no so if do does did have has had will would "
    "can could should all any".split())
DETERMINERS = frozenset("a an the one some several two three".split())  # how a description of a speaker opens
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
        titles: dict[str, list[int]] = defaultdict(list)
        names: dict[str, str] = {}  # one string per speaker, name and cue, however many quotes share it
        # An article's title words and a speaker's words, folded once however many quotes share them.
        title_terms: dict[str, set[str]] = {}
        speaker_terms: dict[tuple[str | None, str | None], set[str]] = {}
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
                title_terms[row.article_id] = set(fold(row.title or "").split())
            for term in set(folded.split()):
                postings[term].append(position)
            for term in title_terms[row.article_id]:
                titles[term].append(position)
            index.speakers.append(row.speaker_actor_id or 0)
            said_by = (row.speaker, row.name)
            if said_by not in speaker_terms:
                speaker_terms[said_by] = set(fold(f"{row.speaker or ''} {row.name or ''}").split())
            for term in speaker_terms[said_by]:
                speakers[term].append(position)
    by_actor: dict[int, list[int]] = defaultdict(list)
    about: dict[int, list[int]] = defaultdict(list)
    for position in index.newest_first(range(len(index.ids))):  # a profile shows the first few
        speaker = index.speakers[position]
        if speaker:
            by_actor[speaker].append(position)
        for actor in subjects.get(index.ids[position], ()):
            if actor != speaker:  # what an actor says near its own name is a quote by it, not about it
                about[actor].append(position)
    index.by_actor = {actor: array("i", hits) for actor, hits in by_actor.items()}
    index.about = {actor: array("i", hits) for actor, hits in about.items()}
    index.postings = {term: array("i", hits) for term, hits in postings.items()}
    index.speaker_postings = {term: array("i", hits) for term, hits in speakers.items()}
    index.title_postings = {term: array("i", hits) for term, hits in titles.items()}
    initials: dict[str, list[str]] = defaultdict(list)
    for term in index.postings:
        if len(term) >= 4 and term.isalpha():
            initials[term[0]].append(term)
    index.by_initial = dict(initials)
    return index


def _load_or_build(store: Store) -> QuoteIndex:
    """The snapshot of this generation's index (bot.search.snapshots), else a new one, saved when slow."""
    return snapshots.load_or_build(store, "quotes", partial(build_index, store), save_after=SNAPSHOT_AFTER_SECONDS)


_INDEXES: dict[str, LiveIndex[QuoteIndex]] = {}
_LOCK = threading.Lock()


def live_index(store: Store) -> LiveIndex[QuoteIndex]:
    """The store's quote index, shared by every QuoteSearch on its database (bot.search.live_index)."""
    live = _INDEXES.get(store.url)
    if live is not None:
        return live
    with _LOCK:
        return _INDEXES.setdefault(store.url, LiveIndex("quote", store, partial(_load_or_build, store),
                                                        refresh_seconds=REFRESH_SECONDS))


def current_index(store: Store) -> QuoteIndex:
    return live_index(store).current()


Passes = Callable[[int], bool] | None  # whether the quote at a position passes the filters; None: all do


def _page(index: QuoteIndex, positions, limit: int, offset: int, passes: Passes = None) -> list[QuoteHit]:
    """A page of the quotes at `positions` (newest first) that pass."""
    passing = positions if passes is None else filter(passes, positions)
    return [index.hit(p) for p in islice(passing, offset, offset + limit)]


def _count(positions, passes: Passes) -> int:
    return len(positions) if passes is None else sum(1 for p in positions if passes(p))


PLACEMENT = 0.3  # at most this for matched words close together at the start of the quote


def _placement(padded: str, spoken: set[str]) -> float:
    """Up to PLACEMENT: two thirds for how tightly the matched words sit (their letters over the stretch of
    the quote from the first to the last), one third for how early the first one comes. `padded`: the folded
    quote between spaces; each word's first place is found, not the words counted (cheap for long quotes)."""
    places = [(at, at + len(word) + 1) for word in spoken if (at := padded.find(f" {word} ")) >= 0]
    if not places:
        return 0.0
    start, end = min(p[0] for p in places), max(p[1] for p in places)
    tight = sum(e - s for s, e in places) / (end - start)
    return PLACEMENT * (2 * min(1.0, tight) + 1 - start / len(padded)) / 3


class QuoteSearch:
    def __init__(self, store: Store, resolve: Callable[[str], LookupResult] | None = None,
                 actor_kind: Callable[[int], str | None] | None = None):
        """`resolve`: a typed name to the actors it may mean (LookupEngine.resolve); without it `by`
        matches only the speaker as written. `actor_kind`: an actor id's kind, for the kind filter."""
        self.store = store
        self.resolve = resolve
        self.actor_kind = actor_kind

    def _passes(self, index: QuoteIndex, filters: Filters) -> Passes:
        """The filters as a test of a quote position: its date is the day it was first seen, its outlet
        the one that first published it, its kind its speaker's (an anonymous source has none)."""
        if not filters.narrows:
            return None
        since = filters.since.toordinal() if filters.since else None
        until = filters.until.toordinal() if filters.until else None
        source = filters.source.casefold() if filters.source else None

        def passes(position: int) -> bool:
            day = index.first_seen[position]
            if (since or until) and not day or since and day < since or until and day > until:
                return False
            if source and (index.articles[index.shown[position][7]][1] or "").casefold() != source:
                return False
            return not filters.kind or bool(self.actor_kind and index.speakers[position]
                                            and self.actor_kind(index.speakers[position]) == filters.kind)
        return passes

    # -- search ------------------------------------------------------------------------

    def search(self, words: str = "", by: str | None = None, *, limit: int = 5, offset: int = 0,
               filters: Filters = NO_FILTERS) -> QuoteSearchResult:
        """Quotes matching remembered words (typo and order tolerant), optionally by a speaker (fuzzy),
        among those that pass `filters`."""
        words = " ".join((words or "").split())
        by = " ".join((by or "").split()) or None
        result = QuoteSearchResult(query=words, by=by, filters=filters)
        if not words and not by and filters.narrows:
            result.explanation = f"Give words or a speaker besides the filters. {USAGE}"
            return result
        if not words and not by:
            result.explanation = f"No words and no speaker given. {USAGE}"
            return result
        if len(words) > MAX_QUERY_CHARS or by and len(by) > MAX_QUERY_CHARS:
            result.explanation = f"That query is too long (at most {MAX_QUERY_CHARS} characters). {USAGE}"
            return result
        index = current_index(self.store)
        passes = self._passes(index, filters)
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
            ranked, note = self._match_words(index, words, allowed, passes)
            result.explanation = " ".join(filter(None, [result.explanation, note]))
        else:
            ranked = [(p, 1.0) for p in index.newest_first(allowed) if passes is None or passes(p)]
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
        written = fold(by).split()
        wanted = [w for w in written if w not in STOPWORDS] or written
        described = self._described(index, wanted)
        positions |= described
        unknown = resolved is None or resolved.status == LookupStatus.NOT_FOUND
        if not described and unknown and written[0] in DETERMINERS:
            # `an oil industry source`: a description, written so; no one is described with every word, so the
            # anonymous sources with its head noun and the most of the words before it (an industry source)
            for first in range(1, len(wanted)):
                described = {p for p in self._described(index, wanted[first:]) if index.shown[p][3]}
                if described:
                    wanted = wanted[first:]
                    break
            positions |= described
        if described and unknown:  # a description of who spoke, not a name to resolve: no "speaker I know"
            return positions, None, f"speakers described as “{' '.join(wanted)}”"
        if resolved is not None and resolved.status == LookupStatus.FOUND:
            who = resolved.candidates[0].name
        elif resolved is not None and resolved.status == LookupStatus.AMBIGUOUS:
            names = [c.name for c in resolved.candidates[:5]]
            who = f"“{by}” (which may be {', '.join(names[:-1])} or {names[-1]})"
        else:
            who = f"“{by}”"
        return positions, resolved, who

    @staticmethod
    def _described(index: QuoteIndex, words: list[str]) -> set[int]:
        """Quotes whose speaker (as written, or its actor's name) has every word, singular or plural."""
        found: set[int] | None = None
        for word in words:
            forms = {word, word + "s", word[:-1] if word.endswith("s") else word}
            having = {p for form in forms for p in index.speaker_postings.get(form, ())}
            found = having if found is None else found & having
        return found or set()

    def _match_words(self, index: QuoteIndex, words: str, allowed: set[int] | None, passes: Passes = None):
        terms = fold(words).split()
        content = [t for t in terms if t not in STOPWORDS] or terms
        total = len(index.ids) or 1
        scores: dict[int, float] = defaultdict(float)
        matched: Counter[int] = Counter()
        weights = []
        unknown = []
        spoken: set[str] = set()  # the quote words the query's words stand for
        for term in dict.fromkeys(content):
            variants = self._variants(index, term)
            if not variants:
                unknown.append(term)
            spoken.update(v for v, _ in variants)
            idf = math.log(1 + total / (1 + min((index.df(v) for v, _ in variants), default=0)))
            weights.append(idf)
            best: dict[int, float] = {}
            for variant, weight in variants:
                for position in index.postings[variant]:
                    if weight > best.get(position, 0.0):
                        best[position] = weight
            titled = dict(variants)
            if term in index.title_postings:  # (a word no quote has may be in a title: MAD)
                titled.setdefault(term, 1.0)
            in_title: dict[int, float] = {}
            for variant, weight in sorted(titled.items(), key=lambda item: item[1]):  # the best weight last
                in_title.update(dict.fromkeys(index.title_postings.get(variant, ()), TITLE_SHARE * weight * idf))
            for position, weight in best.items():
                scores[position] += weight * idf
            for position, weight in in_title.items():
                scores[position] += weight
            matched.update(best.keys() | in_title.keys())
        need = max(1, math.ceil(0.6 * len(weights)))
        candidates = [p for p, n in matched.items() if n >= need and (allowed is None or p in allowed)
                      and (passes is None or passes(p))]
        norm = sum(weights) or 1.0
        candidates.sort(key=lambda p: (-matched[p], -scores[p], -index.first_seen[p]))
        head = self._rerank(index, candidates[:RERANK], terms, spoken,
                            {p: scores[p] / norm for p in candidates[:RERANK]},
                            {p: matched[p] / len(weights) for p in candidates[:RERANK]})
        ranked = head + [(p, round((matched[p] / len(weights) + scores[p] / norm / 3) / 2, 3))
                         for p in candidates[RERANK:]]
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

    def _rerank(self, index: QuoteIndex, positions: list[int], terms: list[str], spoken: set[str],
                base: dict[int, float], coverage: dict[int, float]) -> list[tuple[int, float]]:
        """Quotes matching more of the query's words (in the quote or its article's title) first; among them the
        whole phrase first, then the query's word order, then the word score (title words included), then where
        the words are in the quote: close together and early rank above scattered through a long quote."""
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
            fit = (base[position] + bonus + _placement(padded, spoken)) / (2 + TITLE_SHARE + PLACEMENT)
            ranked.append((position, round((coverage[position] + fit) / 2, 3)))  # 0..1
        ranked.sort(key=lambda item: (-coverage[item[0]], -item[1], -index.first_seen[item[0]]))
        return ranked

    # -- profiles ------------------------------------------------------------------------

    def quotes_by(self, actor_id: int, *, limit: int = 3, offset: int = 0) -> list[QuoteHit]:
        """The actor's own quotes, newest first."""
        index = current_index(self.store)
        return _page(index, index.by_actor.get(actor_id, ()), limit, offset)

    def quotes_about(self, actor_id: int, *, limit: int = 3, offset: int = 0) -> list[QuoteHit]:
        """Quotes by others published near a mention of the actor (quote_occurrences.subjects), newest first."""
        index = current_index(self.store)
        return _page(index, index.about.get(actor_id, ()), limit, offset)

    def profile_quotes(self, actor_id: int, *, limit: int = 3, by_offset: int = 0, about_offset: int = 0,
                       filters: Filters = NO_FILTERS) -> tuple[list[QuoteHit], list[QuoteHit], int, int]:
        """A page of `limit` quotes by the actor and one about it that pass the date and outlet filters, as its
        profile shows them, and how many pass of each (the kind filter chose the actor). Unfiltered, the
        counts are the lengths of the index's lists: nothing is read quote by quote."""
        index = current_index(self.store)
        passes = self._passes(index, _dates_and_outlet(filters))
        by, about = index.by_actor.get(actor_id, ()), index.about.get(actor_id, ())
        return (_page(index, by, limit, by_offset, passes), _page(index, about, limit, about_offset, passes),
                _count(by, passes), _count(about, passes))


def _dates_and_outlet(filters: Filters) -> Filters:
    """A profile's filters as they apply to its quotes: the kind filter chose the actor, not its quotes."""
    return Filters(since=filters.since, until=filters.until, source=filters.source)
