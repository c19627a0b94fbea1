"""The actor lookup engine. Every front (CLI, Slack, console, digest) calls only this.

A typed name is resolved in stages, each explaining what it matched:

1. exact alias: the query's normalised key equals an alias key (titles, `al-`, case,
   apostrophes and hyphens aside); abbreviations derived from organisation names count here too;
2. spelling variant: the keys folded across romanisations are equal (Kata'ib Hizballah);
   for Arabic/Persian script, the consonant skeleton of the transliteration is equal;
3. fuzzy: candidates blocked by similar vocabulary tokens (or skeletons, for script), then
   scored token by token, where query words that match nothing cost more than extra words
   in the candidate. Queries of 3 characters or fewer stop after stage 1.

Scores fall into bands (exact / close / possible / none); the answer is `found` only when
one actor is clearly best in the exact or close band, `ambiguous` when several are, and
otherwise `not_found` with up to three suggestions.

The alias index lives in memory, built from the store's actors and aliases, and is
rebuilt when the store's generation changes (checked at most every few seconds), so
several bot instances on one database never serve a stale index for long.
"""
from __future__ import annotations

import gc
import logging
import math
import re
import sys
import threading
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA
from sqlalchemy import and_, bindparam, exists, func, select, union

from bot.nlp.names import (
    LIGHT_WORDS, NameForm, acronym, analyse_name, looks_like_acronym, name_forms, skeleton_token,
)
from bot.search.quotes import QuoteSearch
from bot.nlp.models import Kind
from bot.search.results import ArticleRef, Band, Candidate, LookupResult, LookupStatus, Profile
from bot.store.db import Store, one_of
from bot.store.schema import AliasOrigin, actors, aliases, articles, mention_sentence, mentions

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 150
REFRESH_SECONDS = 5.0
SNAPSHOT_AFTER_SECONDS = 1.0  # an index that took longer to build is saved for the next start
# Score bands (0..1). Tuned on tests/data/lookup_queries.yaml.
CLOSE = 0.85
POSSIBLE = 0.6
SUGGEST = 0.35
MARGIN = 0.06  # a found actor must beat the next one by this much
TOKEN_MATCH = 0.72  # below this two tokens do not match at all
EXTRA_CANDIDATE_COST = 0.3  # an unmatched candidate word costs this share of its weight
DENSE = 200  # an actor in fewer articles never has its pages read through the date index (see _dense)
WALK_FACTOR = 1  # ... nor one in fewer than sqrt(WALK_FACTOR x articles wanted x all articles)
MAX_CANDIDATES = 100  # aliases scored in full, the best-voted by the blocking step
SURFACE_SAMPLE = 500  # a profile's aliases as written: over the actor's latest mentions
RELATED_SAMPLE = 100  # related actors: over the actor's latest articles (from its latest 4 x this mentions)

ORIGIN_RANK = {origin: rank for rank, origin in enumerate(AliasOrigin)}  # strongest first
USAGE = ("Type the name of a person, organisation or place, e.g. `Kataeb Hezbollah`, `Khamenei`, "
         "`IRGC` or an Arabic or Persian spelling (at most 150 characters).")


class AliasEntry(NamedTuple):
    actor_id: int
    text: str  # as written
    origin: AliasOrigin
    how: str  # how an exact hit on it is described
    form: NameForm


class ActorEntry(NamedTuple):
    id: int
    name: str
    kind: Kind
    curated: bool
    description: str | None
    mentions: int
    articles: int
    first_seen: date | None = None
    last_seen: date | None = None


ACTOR_COLUMNS = (actors.c.id, actors.c.name, actors.c.kind, actors.c.curated, actors.c.description,
                 actors.c.mention_count, actors.c.article_count, actors.c.first_seen, actors.c.last_seen)


@dataclass
class AliasIndex:
    """Everything lookup needs in memory; immutable once built."""

    generation: int
    articles: int = 0  # stories in the index
    actors: dict[int, ActorEntry] = field(default_factory=dict)
    entries: list[AliasEntry] = field(default_factory=list)
    by_key: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_variant: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_skeleton: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    postings: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))  # variant token -> entries
    weights: dict[str, float] = field(default_factory=dict)  # variant token -> identity weight
    neighbours: dict[str, list[str]] = field(default_factory=dict)  # deletion key -> tokens (most have one)
    skeletons_by_length: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    authored: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))  # author key -> article ids
    by_actor: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))  # actor id -> entries
    # actor id -> skeleton -> the transliterated words of its Arabic/Persian-script aliases
    script_words: dict[int, dict[str, set[str]]] = field(default_factory=dict)

    def comparable(self, number: int, query: NameForm) -> bool:
        """Whether a script query may be scored against this (Latin) alias. Vowel-less script makes
        Latin skeletons collide (حسن خميني and Ali Hosseini Khamenei share hsn-kmn), so when the actor's
        own script aliases spell a word of the query's skeleton differently (خميني is not خامنئي),
        only its script aliases speak for it."""
        entry = self.entries[number]
        if not query.script or entry.form.script:
            return True
        words = self.script_words.get(entry.actor_id)
        if not words:
            return True
        for word in query.variants:
            spelled = words.get(skeleton_token(word))
            if spelled and word not in spelled:
                return False
        return True

    def weight(self, token: str) -> float:
        if token in LIGHT_WORDS:
            return 0.3
        return self.weights.get(token, 1.0)

    _MAPS = ("by_key", "by_variant", "by_skeleton", "postings", "weights", "neighbours", "skeletons_by_length",
             "authored", "by_actor")

    def to_data(self) -> dict:
        """The index as plain data for a snapshot (bot.search.lookup_snapshot): columns of numbers and
        strings, each map as its keys and its values, so that loading it is a few C-level passes."""
        actors, entries = list(self.actors.values()), self.entries
        forms = [entry.form for entry in entries]
        data = {"generation": self.generation, "articles": self.articles,
                "actors": [[getattr(actor, name) for actor in actors] for name in ActorEntry._fields[:-2]]
                + [[actor.first_seen.toordinal() if actor.first_seen else 0 for actor in actors],
                   [actor.last_seen.toordinal() if actor.last_seen else 0 for actor in actors]],
                "entries": [[getattr(entry, name) for entry in entries] for name in AliasEntry._fields[:-1]],
                "forms": [[form.tokens for form in forms], [form.variants for form in forms],
                          [form.script for form in forms], [form.skeleton for form in forms]],
                "script_words": [[actor, list(words), [sorted(spelled) for spelled in words.values()]]
                                 for actor, words in self.script_words.items()]}
        for name in self._MAPS:
            mapping = getattr(self, name)
            data[name] = [list(mapping), list(mapping.values())]
        return data

    @classmethod
    def from_data(cls, data: dict) -> "AliasIndex":
        """The index `to_data` described."""
        *columns, first_seen, last_seen = data["actors"]
        # One string object for each name, kind, origin and `how`, shared as when built (so is the memory)
        for column in (1, 2):  # names, kinds
            columns[column] = map(sys.intern, columns[column])
        entries = data["entries"]
        for column in (1, 2, 3):  # texts (the actor's name, often), origins, hows
            entries[column] = map(sys.intern, entries[column])
        index = cls(generation=data["generation"], articles=data["articles"],
                    actors=dict(zip(columns[0], map(ActorEntry, *columns, _dates(first_seen), _dates(last_seen)))),
                    entries=list(map(AliasEntry, *entries, name_forms(*data["forms"]))),
                    script_words={actor: dict(zip(skeletons, map(set, spelled)))
                                  for actor, skeletons, spelled in data["script_words"]})
        for name in cls._MAPS:
            setattr(index, name, dict(zip(*data[name])))
        return index


def build_index(store: Store, *, snapshot: bool = True) -> AliasIndex:
    """Read actors and aliases (and article authors) into an AliasIndex, or load the local
    snapshot of it saved for the same generation (bot.search.lookup_snapshot).

    The cyclic garbage collector is paused while the index's million small objects are made
    (it would otherwise walk them again and again: a third of the build time), and the result
    is frozen out of its reach afterwards (after one collection when it was built, ~0.2 s on a
    20k-article index; loading a snapshot leaves no garbage), so no later collection stalls a
    lookup by walking it."""
    from bot.search import lookup_snapshot

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        generation = store.generation()
        index = lookup_snapshot.load(store, generation) if snapshot else None
        built = index is None
        if built:
            started = time.perf_counter()
            index = _build_index(store)
            if snapshot and time.perf_counter() - started > SNAPSHOT_AFTER_SECONDS:
                lookup_snapshot.save_in_background(store, index.generation, index)
    finally:
        if was_enabled:
            gc.enable()
    if built:
        gc.collect()  # garbage cycles left now would be frozen for good
    gc.freeze()
    return index


def _build_index(store: Store) -> AliasIndex:
    with store.connect() as conn:
        generation = int(store.get_meta("generation", "0", conn=conn) or 0)
        actor_rows = conn.execute(select(*ACTOR_COLUMNS)).all()
        alias_rows = conn.execute(select(aliases.c.actor_id, aliases.c.alias, aliases.c.origin)
                                  .order_by(aliases.c.id)).all()
        author_rows = conn.execute(select(articles.c.id, articles.c.author)
                                   .where(articles.c.author.is_not(None))).all()
        stories = conn.execute(select(func.count()).select_from(articles)).scalar()
    index = AliasIndex(generation=generation, articles=stories)
    for row in actor_rows:
        index.actors[row.id] = _actor_entry(row)
    seen: set[tuple[int, str, str]] = set()
    bylines: dict[str, Counter[str]] = defaultdict(Counter)
    entries = index.entries

    def add(actor_id: int, text: str, origin: AliasOrigin, how: str, form: NameForm | None = None) -> None:
        form = form or analyse_name(text)
        if form.tokens and (actor_id, form.key, origin) not in seen:
            seen.add((actor_id, form.key, origin))
            entries.append(AliasEntry(actor_id, text, origin, how, form))

    for actor in index.actors.values():
        add(actor.id, actor.name, AliasOrigin.CONFIG if actor.curated else AliasOrigin.CORPUS, "exact name")
    for row in alias_rows:
        if row.actor_id in index.actors:
            how = "abbreviation" if looks_like_acronym(row.alias) else "exact alias"
            origin = AliasOrigin.CONFIG if row.origin == AliasOrigin.CONFIG else AliasOrigin.CORPUS
            add(row.actor_id, row.alias, origin, how)
    for article_id, author in author_rows:
        for name in _byline_names(author):
            index.authored[analyse_name(name).key].append(article_id)
            bylines[analyse_name(name).key][name] += 1
    named = {entry.form.key for entry in index.entries}
    for number, key in enumerate(sorted(k for k in bylines if k not in named), 1):
        # An author nobody mentions is still someone a journalist looks up: a byline-only actor
        # with a negative id (stable for the same bylines), whose profile is the articles they wrote.
        name = bylines[key].most_common(1)[0][0]
        index.actors[-number] = ActorEntry(-number, name, Kind.PERSON, False, "author (byline)", 0,
                                           len(set(index.authored[key])))
        add(-number, name, AliasOrigin.CORPUS, "byline")
    for entry in list(entries):
        kind = index.actors[entry.actor_id].kind
        if kind == Kind.ORGANIZATION and (initials := acronym(entry.form)):
            add(entry.actor_id, initials.upper(), AliasOrigin.DERIVED, f"abbreviation of {entry.text}",
                NameForm.of([initials], False))
        elif kind == Kind.PERSON and len(entry.form.tokens) > 1 and not entry.form.script:
            surname = entry.form.tokens[-1]
            if len(surname) > 3 and surname not in LIGHT_WORDS:
                add(entry.actor_id, surname.title(), AliasOrigin.DERIVED, f"surname in {entry.text}",
                    NameForm.of([surname], False))
    _index_entries(index)
    return index


def _actor_entry(row) -> ActorEntry:
    return ActorEntry(row.id, row.name, row.kind, bool(row.curated), row.description, row.mention_count or 0,
                      row.article_count or 0, row.first_seen, row.last_seen)


def _byline_names(author: str) -> list[str]:
    """`By Jane Doe and John Roe` -> the two names."""
    parts = re.split(r",|&|\band\b|/|;", re.sub(r"^\s*by\s+", "", author, flags=re.I))
    return [p.strip() for p in parts if analyse_name(p.strip()).tokens] if author.strip() else []


def _index_entries(index: AliasIndex) -> None:
    actors_with: dict[str, set[int]] = defaultdict(set)
    by_key, by_actor, by_variant = index.by_key, index.by_actor, index.by_variant
    by_skeleton, postings = index.by_skeleton, index.postings
    pairs: set[tuple[str, str]] = set()
    for number, (actor_id, text, origin, _, form) in enumerate(index.entries):
        by_key[form.key].append(number)
        by_actor[actor_id].append(number)
        if not (len(form.tokens) == 1 and looks_like_acronym(text)):  # initials are not romanised: HOT is not Hut
            by_variant[form.variant].append(number)
        if form.script:
            words = index.script_words.setdefault(actor_id, defaultdict(set))
            for word in form.variants:
                words[skeleton_token(word)].add(word)
        if len(form.skeleton) >= 3:  # derived surnames too: a pasted script surname (موسویان)
            by_skeleton[form.skeleton].append(number)
        if origin != AliasOrigin.DERIVED:
            for word, token in zip(form.tokens, form.variants):
                postings[token].append(number)
                actors_with[token].add(actor_id)
                if len(token) > 3:
                    pairs.add((word, token))
    total = max(len(index.actors), 50)
    scale = math.log(total)
    for token, holders in actors_with.items():
        # Inverse document frequency over actors, scaled to 0.4..1: `ali` weighs less than `khamenei`.
        index.weights[token] = 0.4 + 0.6 * min(1.0, math.log(total / len(holders)) / scale)
    neighbours: dict[str, set[str]] = defaultdict(set)
    for word, token in pairs:
        for key in _neighbourhood(token, 1) if word == token else _neighbourhood(token, 1) | _neighbourhood(word, 1):
            neighbours[key].add(token)
    index.neighbours = {key: list(tokens) for key, tokens in neighbours.items()}
    for skeleton in by_skeleton:
        index.skeletons_by_length[len(skeleton)].append(skeleton)


def _dates(ordinals: list[int]) -> list[date | None]:
    from_ordinal = date.fromordinal
    return [from_ordinal(day) if day else None for day in ordinals]


def _neighbourhood(token: str, depth: int) -> set[str]:
    """The token and its forms with up to `depth` letters deleted (SymSpell): tokens one edit
    or one swap apart share a key."""
    keys = {token}
    frontier = {token}
    for _ in range(depth):
        frontier = {t[:i] + t[i + 1:] for t in frontier for i in range(len(t))}
        keys |= frontier
    return keys


# -- scoring ----------------------------------------------------------------------

@lru_cache(maxsize=200_000)
def token_similarity(query: str, candidate: str, query_word: str = "", candidate_word: str = "") -> float:
    """0..1 for two variant tokens (`*_word`: the same tokens before romanisation folding, where a
    slip such as `Katabe` for `Kataeb` is still one swap). Tokens of up to 3 letters must be equal;
    4 letters allow one swap of neighbours, 5 to 8 one edit, longer ones two (rigour's budgets)."""
    if query == candidate:
        return 1.0
    if min(len(query), len(candidate)) <= 3:
        return 0.0
    edits = _typo_edits(query, candidate)
    if edits is None and query_word and candidate_word:
        edits = _typo_edits(query_word, candidate_word)
    if edits is not None:
        score = 1.0 - 0.08 * edits
    else:
        score = 0.85 * fuzz.ratio(query, candidate) / 100
    if query.startswith(("al", "il")) and len(query) >= 6:  # an article glued on: alkadhimi
        score = max(score, 0.97 * token_similarity(query[2:], candidate))
    return score if score >= TOKEN_MATCH else 0.0


def _typo_edits(a: str, b: str) -> int | None:
    """The edits between two words when within a typo's budget, else None."""
    edits = OSA.distance(a, b, score_cutoff=2)
    shortest = min(len(a), len(b))
    if shortest <= 3:
        budget = 0
    elif shortest == 4:
        budget = 1 if edits == 1 and sorted(a) == sorted(b) else 0
    else:
        budget = 1 if shortest <= 8 else 2
    return edits if edits <= budget else None


@dataclass
class Match:
    score: float
    how: str


def score_name(query: NameForm, candidate: NameForm, index: AliasIndex) -> Match:
    """Name-aware score: tokens aligned one to one; an unmatched query word costs its full
    weight, an unmatched candidate word only EXTRA_CANDIDATE_COST of its weight."""
    pairs = sorted(((token_similarity(q, c, query.tokens[i], candidate.tokens[j]), i, j)
                    for i, q in enumerate(query.variants) for j, c in enumerate(candidate.variants)),
                   reverse=True)
    used_q: set[int] = set()
    used_c: set[int] = set()
    matched = 0.0
    weight = 0.0
    for sim, i, j in pairs:
        if sim <= 0 or i in used_q or j in used_c:
            continue
        used_q.add(i)
        used_c.add(j)
        w = index.weight(candidate.variants[j])
        matched += sim * w
        weight += w
    for i, q in enumerate(query.variants):
        if i not in used_q:
            weight += max(0.5, index.weight(q)) if q not in LIGHT_WORDS else 0.3
    for j, c in enumerate(candidate.variants):
        if j not in used_c:
            weight += EXTRA_CANDIDATE_COST * index.weight(c)
    score = matched / weight if weight else 0.0
    if len(used_c) < len(candidate.variants) and not any(
            query.variants[i] in candidate.variants for i in used_q):
        # Part of a name, and no word of it exact (`Khomeini` vs Ali Khamenei): never more than possible.
        score = min(score, CLOSE - 0.01)
    if len(query.variants) != len(candidate.variants):  # words run together or split apart
        edits = OSA.distance(query.compact, candidate.compact, score_cutoff=2)
        if edits <= min(2, len(candidate.compact) // 6):
            score = max(score, 0.97 - 0.05 * edits)
    if query.script:
        # The whole skeleton may differ a little (a vowel letter, -a/-at), but one word of two or
        # more consonants must agree exactly: short skeletons alone match too much (abu ali askari
        # and Plasschaert are both b-l-s-k-r).
        words = {skeleton_token(v) for v in candidate.variants}
        if any(len(k) >= 2 and k in words for k in map(skeleton_token, query.variants)):
            skeleton = fuzz.ratio(query.skeleton, candidate.skeleton) / 100
            score = max(score, 0.95 * skeleton if skeleton >= 0.8 else 0.0)
        return Match(score, "script transliteration")
    if candidate.tokens and len(used_q) == len(query.variants) and len(used_c) < len(candidate.variants):
        how = "partial name"
    elif OSA.distance(query.key, candidate.key) <= max(1, len(candidate.key) // 8):
        how = "typo"
    else:
        how = "spelling variant"
    return Match(score, how)


def band(score: float) -> Band:
    if score >= 0.999:
        return Band.EXACT
    if score >= CLOSE:
        return Band.CLOSE
    if score >= POSSIBLE:
        return Band.POSSIBLE
    return Band.NONE


def clean_query(query: str) -> str:
    """Control and format characters out, whitespace collapsed."""
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in query or "")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf" or ch in "\u200c\u200d")
    return " ".join(text.split())


class LookupEngine:
    def __init__(self, store: Store, *, refresh_seconds: float = REFRESH_SECONDS):
        self.store = store
        self.refresh_seconds = refresh_seconds
        self._index: AliasIndex | None = None
        self._checked = 0.0
        self._lock = threading.Lock()
        self._profiles: dict[tuple, Profile] = {}

    # -- the in-memory index -------------------------------------------------------

    @property
    def index(self) -> AliasIndex:
        """The current alias index, rebuilt when the store's generation moved on."""
        now = time.monotonic()
        if self._index is None:
            with self._lock:
                if self._index is None:
                    self._install(build_index(self.store))
        elif now - self._checked >= self.refresh_seconds and self._lock.acquire(blocking=False):
            try:  # one thread checks and rebuilds; the others keep answering from the old index
                self._checked = now
                if self.store.generation() != self._index.generation:
                    self._install(build_index(self.store))
            finally:
                self._lock.release()
        return self._index

    def _install(self, index: AliasIndex) -> None:
        self._index = index
        self._profiles = {}
        self._checked = time.monotonic()
        log.debug("lookup index: %d actors, %d aliases (generation %d)", len(index.actors), len(index.entries),
                  index.generation)

    def refresh(self) -> None:
        """Rebuild now (after indexing in the same process)."""
        with self._lock:
            self._install(build_index(self.store))

    # -- lookup --------------------------------------------------------------------

    def lookup(self, query: str, *, articles_limit: int = 5, quotes_limit: int = 3) -> LookupResult:
        """Resolve a typed name to found / ambiguous / not_found (with candidates and an explanation);
        `found` carries the profile."""
        result = self.resolve(query)
        if result.status == LookupStatus.FOUND:
            result.profile = self.profile(result.candidates[0].actor_id, articles_limit=articles_limit,
                                          quotes_limit=quotes_limit)
        return result

    def resolve(self, query: str) -> LookupResult:
        """`lookup` without the profile."""
        text = clean_query(query)
        if not text or len(text) > MAX_QUERY_CHARS:
            problem = "No name given." if not text else f"That is {len(text)} characters: too long for a name."
            return LookupResult(query=text[:MAX_QUERY_CHARS], status=LookupStatus.INVALID,
                                explanation=f"{problem} {USAGE}")
        form = analyse_name(text)
        if not form.tokens:
            return LookupResult(query=text, status=LookupStatus.INVALID,
                                explanation=f"“{text}” holds no letters to match. {USAGE}")
        index = self.index
        hits = self._exact(form, index, word=text[:1].isupper() and any(c.islower() for c in text))
        if hits:
            return self._answer(text, hits, index, stage="exact")
        if len(form.compact) <= 3:
            return LookupResult(query=text, status=LookupStatus.NOT_FOUND, explanation=(
                f"No actor has the alias or abbreviation “{text}”. Short names are matched only exactly; "
                "try the full name."))
        return self._answer(text, self._fuzzy(form, index, initials=looks_like_acronym(text)), index,
                            stage="fuzzy")

    def _exact(self, form: NameForm, index: AliasIndex, *, word: bool = False) -> list[Candidate]:
        """Stage 1 and 2: equal keys, then equal romanisation variants or script skeletons.
        A query typed as a word (`Nit`, capital then lower case) does not match initials we made up
        (NIT from Nomura Investment Trust); listed abbreviations match in any case (`Irgc`)."""
        stages = [(index.by_key.get(form.key, []), 1.0, None)]
        if form.script:
            stages.append((index.by_key.get(form.key, []) + index.by_variant.get(form.variant, [])
                           + index.by_skeleton.get(form.skeleton, []), 0.97, "script transliteration"))
        else:
            stages.append((index.by_variant.get(form.variant, []), 0.97, "spelling variant"))
        for numbers, score, how in stages:
            if not numbers:
                continue
            numbers = [n for n in numbers if index.comparable(n, form) and not (
                word and index.entries[n].how.startswith("abbreviation of"))]
            if not numbers:
                continue
            best = min(ORIGIN_RANK[index.entries[n].origin] for n in numbers)
            chosen = [n for n in numbers if ORIGIN_RANK[index.entries[n].origin] == best]
            return self._per_actor([(index.entries[n], score, how or index.entries[n].how) for n in chosen], index)
        return []

    def _fuzzy(self, form: NameForm, index: AliasIndex, *, initials: bool) -> list[Candidate]:
        """Score the blocked candidates. Initials we made up and surnames match only exactly;
        other initials (IRGC) only a query that is initials too (IRCG), not a word (Hut is not HOT)."""
        scored = []
        for number in self._block(form, index):
            entry = index.entries[number]
            if entry.origin == AliasOrigin.DERIVED or not index.comparable(number, form):
                continue
            if not initials and len(entry.form.tokens) == 1 and looks_like_acronym(entry.text):
                continue
            match = score_name(form, entry.form, index)
            if match.score >= SUGGEST:
                scored.append((entry, match.score, match.how))
        return self._per_actor(scored, index)

    def _block(self, form: NameForm, index: AliasIndex) -> list[int]:
        """Candidate aliases: those sharing a token within a typo's reach (a deletion
        neighbourhood lookup, not a scan), or, for script, a similar consonant skeleton."""
        votes: Counter[int] = Counter()
        for word, token in set(zip(form.tokens, form.variants)):
            if token in LIGHT_WORDS and len(form.tokens) > 1:
                continue  # `of`, `abu`: in too many names to find any
            similar = {token} if token in index.postings else set()
            if len(token) > 3:
                keys = _neighbourhood(token, 2 if len(token) >= 9 else 1) | _neighbourhood(word, 1)
                if token.startswith(("al", "il")) and len(token) >= 6:  # an article glued on
                    keys |= _neighbourhood(token[2:], 1)
                similar.update(t for key in keys for t in index.neighbours.get(key, ()))
            for vocabulary_token in similar:
                vote = token_similarity(token, vocabulary_token) * index.weight(vocabulary_token)
                if vote or vocabulary_token == token:
                    for number in index.postings[vocabulary_token]:
                        votes[number] += vote
        for number in index.by_skeleton.get(form.skeleton, ()):
            votes[number] += 1.0
        if form.script:
            size = len(form.skeleton)
            pool = [s for length in range(max(3, size - size // 4 - 1), size + size // 4 + 2)
                    for s in index.skeletons_by_length.get(length, ())]
            for skeleton, score, _ in process.extract(form.skeleton, pool, scorer=fuzz.ratio, score_cutoff=75,
                                                      limit=25):
                for number in index.by_skeleton[skeleton]:
                    votes[number] += score / 100
        return [number for number, _ in votes.most_common(MAX_CANDIDATES)]

    def _per_actor(self, scored: list[tuple[AliasEntry, float, str]], index: AliasIndex) -> list[Candidate]:
        """The best alias of each actor, best actors first (ties: stronger origin, more mentions)."""
        best: dict[int, tuple[AliasEntry, float, str]] = {}
        for entry, score, how in scored:
            held = best.get(entry.actor_id)
            if held is None or (score, -ORIGIN_RANK[entry.origin]) > (held[1], -ORIGIN_RANK[held[0].origin]):
                best[entry.actor_id] = (entry, score, how)
        candidates = []
        for actor_id, (entry, score, how) in best.items():
            actor = index.actors[actor_id]
            candidates.append(Candidate(actor_id=actor_id, name=actor.name, kind=actor.kind, score=round(score, 3),
                                        matched=entry.text, how=how, band=band(score),
                                        description=actor.description, mentions=actor.mentions,
                                        articles=actor.articles))
        candidates.sort(key=lambda c: (-c.score, -c.mentions, c.name))
        return candidates

    def _answer(self, query: str, candidates: list[Candidate], index: AliasIndex, *, stage: str) -> LookupResult:
        if not candidates or candidates[0].score < CLOSE:
            suggestions = [c for c in candidates if c.score >= SUGGEST][:3]
            explanation = f"No actor named “{query}” in the index."
            if suggestions:
                explanation += " Did you mean " + _or_list(
                    f"{c.name} ({c.kind}, matched “{c.matched}”, score {c.score:.2f})"
                    for c in suggestions) + "?"
            return LookupResult(query=query, status=LookupStatus.NOT_FOUND, candidates=suggestions,
                                explanation=explanation, band=Band.NONE if not suggestions else suggestions[0].band)
        top = candidates[0]
        close = [c for c in candidates if c.score >= CLOSE and top.score - c.score < MARGIN]
        if stage == "exact":
            close = [c for c in candidates if c.score == top.score]
            named = [c for c in close if c.how == "exact name"]
            if len(close) > 1 and len(named) == 1:
                # One actor is called exactly this; the others only have it as an alias (often the
                # same body under a longer name: Federal Reserve Board / U.S. Federal Reserve Board).
                top = named[0]
                others = [c for c in close if c is not top][:3]
                explanation = _explain(query, top) + " Also known by this name: " + _or_list(
                    f"{c.name} ({c.kind})" for c in others) + "."
                return LookupResult(query=query, status=LookupStatus.FOUND, candidates=[top, *others], band=top.band,
                                    explanation=explanation)
        if len(close) > 1:
            return LookupResult(query=query, status=LookupStatus.AMBIGUOUS, candidates=close[:8], band=top.band,
                                explanation=f"“{query}” matches {len(close)} actors equally well: " + _or_list(
                                    f"{c.name} ({c.kind}, {c.how} “{c.matched}”)" for c in close[:8]) + ".")
        others = [c for c in candidates[1:] if c.score >= POSSIBLE][:3]
        return LookupResult(query=query, status=LookupStatus.FOUND, candidates=[top, *others], band=top.band,
                            explanation=_explain(query, top))

    # -- profile -------------------------------------------------------------------

    def profile(self, actor_id: int, *, articles_offset: int = 0, articles_limit: int = 5,
                quotes_limit: int = 3) -> Profile:
        """The profile of one actor, paged through its articles (cached per index generation)."""
        index = self.index
        cache_key = (actor_id, articles_offset, articles_limit, quotes_limit, index.generation)
        cached = self._profiles.get(cache_key)
        if cached is not None:
            return cached
        profile = self._build_profile(actor_id, articles_offset, articles_limit, quotes_limit, index)
        if len(self._profiles) > 2000:
            self._profiles = {}
        self._profiles[cache_key] = profile
        return profile

    def _build_profile(self, actor_id: int, offset: int, limit: int, quotes_limit: int,
                       index: AliasIndex) -> Profile:
        """Three statements on one connection for most actors (on PostgreSQL each is a round trip): the
        spellings, the page with its sentences, the related actors; its quotes come from the quote index."""
        authored = self._authored(actor_id, index)
        with self.store.connect() as conn:
            actor = index.actors.get(actor_id)
            if actor is None and actor_id > 0:  # indexed since the alias index was built
                row = conn.execute(select(*ACTOR_COLUMNS).where(actors.c.id == actor_id)).first()
                actor = _actor_entry(row) if row is not None else None
            if actor is None:
                raise KeyError(f"no actor with id {actor_id}")
            surfaces = _surfaces(conn.execute(_SURFACES, {"actor_id": actor_id}).all())
            total, first_seen, last_seen = self._span(conn, actor, authored)
            page = self._page(conn, actor_id, authored, dense=_dense(total, offset + limit, index),
                              offset=offset, limit=limit)
            related = self._related(conn, actor_id, authored, index)
        known = {analyse_name(s).key for s in surfaces} | {analyse_name(actor.name).key}
        listed = [index.entries[n].text for n in index.by_actor.get(actor_id, [])
                  if index.entries[n].origin == AliasOrigin.CONFIG and index.entries[n].form.key not in known]
        profile = Profile(actor_id=actor_id, name=actor.name, kind=actor.kind, description=actor.description,
                          aliases=surfaces, mentions=actor.mentions, article_count=total or 0,
                          first_seen=first_seen, last_seen=last_seen, articles=page, related=related,
                          authored=len(authored), curated=actor.curated, listed_aliases=listed,
                          articles_offset=offset)
        if actor_id > 0:  # after the connection: refreshing the quote index reads the store on one of its own
            profile.quotes_by, profile.quotes_about = QuoteSearch(self.store).profile_quotes(actor_id,
                                                                                             limit=quotes_limit)
        return profile

    @staticmethod
    def _span(conn, actor: ActorEntry, authored: list[str]):
        """How many articles mention or were written by the actor, the first and last date: the counts
        the indexer keeps for its mentions, plus the articles it wrote without being mentioned."""
        span = select(func.count(), func.min(articles.c.date), func.max(articles.c.date))
        if actor.id < 0:  # a byline-only actor
            return conn.execute(span.where(articles.c.id.in_(authored))).one()
        total, first_seen, last_seen = actor.articles, actor.first_seen, actor.last_seen
        if authored:
            mentioned = exists().where(and_(mentions.c.article_id == articles.c.id,
                                            mentions.c.actor_id + 0 == actor.id))
            extra, first, last = conn.execute(span.where(and_(articles.c.id.in_(authored), ~mentioned))).one()
            total += extra
            first_seen = min(filter(None, (first_seen, first)), default=None)
            last_seen = max(filter(None, (last_seen, last)), default=None)
        return total, first_seen, last_seen

    def _authored(self, actor_id: int, index: AliasIndex) -> list[str]:
        """Articles whose byline names this actor (under its name or any alias)."""
        keys = {index.entries[n].form.key for n in index.by_actor.get(actor_id, [])
                if index.entries[n].origin != AliasOrigin.DERIVED}
        return sorted({a for key in keys for a in index.authored.get(key, [])})

    @staticmethod
    def _mentioned(actor_id: int, *, dense: bool):
        """Articles that mention the actor. For an actor in many articles a correlated EXISTS lets the
        database walk ix_articles_newest and stop at the first page."""
        if dense:
            # `+ 0`: probe the article's few mentions, not the actor's thousands (planners pick the latter)
            return exists().where(and_(mentions.c.article_id == articles.c.id, mentions.c.actor_id + 0 == actor_id))
        return articles.c.id.in_(select(mentions.c.article_id).where(mentions.c.actor_id == actor_id))

    def _page(self, conn, actor_id: int, authored: list[str], *, dense: bool, offset: int,
              limit: int) -> list[ArticleRef]:
        """One page of the actor's articles (those that mention it, and those it wrote), newest first,
        undated last, each with the sentences that mention it, in one statement. Articles that mention it
        and articles it wrote are paged apart, then merged: `mentions it OR wrote it` keeps a planner from
        walking the articles in order (PostgreSQL: 157 ms for an actor with 240 bylines at 100k)."""
        columns = (articles.c.id, articles.c.title, articles.c.source, articles.c.date, articles.c.url)
        mentioned = select(*columns).where(self._mentioned(actor_id, dense=dense)) \
            .order_by(self._newest(articles.c.date), articles.c.id)  # the order of ix_articles_newest
        if authored:
            wrote = select(*columns).where(articles.c.id.in_(authored)) \
                .order_by(self._newest(articles.c.date), articles.c.id).limit(offset + limit)
            both = union(select(mentioned.limit(offset + limit).subquery()), select(wrote.subquery())).subquery()
            page = select(both).order_by(self._newest(both.c.date), both.c.id)
        else:
            page = mentioned
        page = page.offset(offset).limit(limit).subquery()
        text = articles.alias("text")
        rows = conn.execute(
            select(page, mentions.c.surface, mention_sentence(text.c.text))
            .select_from(page.outerjoin(mentions, and_(mentions.c.article_id == page.c.id,
                                                       mentions.c.actor_id == actor_id))
                         .outerjoin(text, text.c.id == mentions.c.article_id))
            .order_by(self._newest(page.c.date), page.c.id, mentions.c.start)).all()
        refs: dict[str, ArticleRef] = {}
        for row in rows:
            ref = refs.get(row.id)
            if ref is None:
                ref = refs[row.id] = ArticleRef(id=row.id, title=row.title, source=row.source, date=row.date,
                                                url=row.url)
            if row.surface is not None:
                ref.mentions += 1
                ref.contexts.append(_one_line(row.sentence, row.surface))
        for ref in refs.values():
            ref.role = "mention" if ref.id not in authored else ("author and mention" if ref.mentions else "author")
            ref.contexts = list(dict.fromkeys(ref.contexts))[:5]
            ref.context = ref.contexts[0] if ref.contexts else None
        return list(refs.values())

    def _newest(self, column):
        """Newest first, undated last, on either database (SQLite sorts NULLs last in DESC order)."""
        return column.desc() if self.store.is_sqlite else column.desc().nulls_last()

    @staticmethod
    def _related(conn, actor_id: int, authored: list[str], index: AliasIndex,
                 limit: int = 8) -> list[tuple[str, int]]:
        """Actors most often mentioned in the same articles, over the actor's latest RELATED_SAMPLE articles:
        those it wrote, then those of its latest mentions (found by the database)."""
        wrote = authored[-RELATED_SAMPLE:]
        if len(wrote) < RELATED_SAMPLE:
            recent = select(mentions.c.article_id, mentions.c.id).where(mentions.c.actor_id == actor_id) \
                .order_by(mentions.c.id.desc()).limit(RELATED_SAMPLE * 4).subquery()
            latest = select(recent.c.article_id).group_by(recent.c.article_id) \
                .order_by(func.max(recent.c.id).desc()).limit(RELATED_SAMPLE - len(wrote))
            if wrote:  # one list (an OR of the two made PostgreSQL read every mention: 400 ms)
                latest = union(select(latest.subquery()),
                               select(articles.c.id).where(one_of(conn, articles.c.id, wrote)))
            own = mentions.c.article_id.in_(latest)
        else:
            own = one_of(conn, mentions.c.article_id, wrote)
        # (article, actor) pairs from the index, then counted: 40% faster than count(DISTINCT article_id) on
        # PostgreSQL (which sorts each actor's rows) and 10% on SQLite
        pairs = select(mentions.c.article_id, mentions.c.actor_id).distinct() \
            .where(and_(own, mentions.c.actor_id != actor_id)).subquery()
        shared = func.count()
        counts = conn.execute(select(pairs.c.actor_id, shared).group_by(pairs.c.actor_id)
                              .order_by(shared.desc(), pairs.c.actor_id).limit(limit * 2)).all()
        names = {a: index.actors[a].name for a, _ in counts if a in index.actors}
        missing = [a for a, _ in counts if a not in names]
        if missing:  # indexed since the alias index was built
            names.update(conn.execute(select(actors.c.id, actors.c.name).where(actors.c.id.in_(missing))).all())
        ranked = sorted(((names[a], n) for a, n in counts if a in names), key=lambda x: (-x[1], x[0]))
        return ranked[:limit]


def _surfaces_statement():
    """How the corpus writes the actor, counted by the database over its latest SURFACE_SAMPLE mentions."""
    latest = select(mentions.c.surface).where(mentions.c.actor_id == bindparam("actor_id")) \
        .order_by(mentions.c.id.desc()).limit(SURFACE_SAMPLE).subquery()
    return select(latest.c.surface, func.count()).group_by(latest.c.surface)


_SURFACES = _surfaces_statement()  # built once: SQLAlchemy's statement cache serves every profile


def _surfaces(counted: list[tuple[str, int]], limit: int = 12) -> list[str]:
    """The spellings, most frequent first (ties in Python's order of strings, whatever the database's)."""
    return [surface for surface, _ in sorted(counted, key=lambda x: (-x[1], x[0]))[:limit]]


def _dense(articles_of_actor: int, wanted: int, index: AliasIndex) -> bool:
    """Whether to read an actor's page by walking all articles newest first (about articles/actor's
    articles rows per article wanted, each a probe of the article's mentions) rather than by reading
    all the actor's articles (at 100k, with the probe read from ix_mentions_article_actor, the two
    cost about the same per row: 273 articles read 1.8 ms vs walked 18 ms, 3,557 read 21 ms vs 0.6 ms)."""
    return articles_of_actor >= DENSE and articles_of_actor ** 2 >= WALK_FACTOR * wanted * index.articles


def _or_list(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _explain(query: str, top: Candidate) -> str:
    matched = f"“{top.matched}”"
    if top.how == "exact name":
        return f"Matched the name {matched} exactly."
    if top.how.startswith(("abbreviation of", "surname in")):
        return f"Matched {matched}, the {top.how}."
    if top.band == Band.EXACT:
        return f"Matched {matched}, an {top.how}." if top.how.startswith(("exact", "abbreviation")) \
            else f"Matched {matched} as a {top.how}."
    return f"Matched {matched} as a {top.how} (score {top.score:.2f}, {top.band} match)."


def _one_line(sentence: str, surface: str, width: int = 200) -> str:
    """The mention's sentence on one line, cut around the mention when long."""
    line = " ".join((sentence or "").split())
    if len(line) <= width:
        return line
    at = max(0, line.find(surface))
    start = max(0, min(at - width // 3, len(line) - width))
    cut = line[start:start + width]
    return ("…" if start else "") + cut.strip() + ("…" if start + width < len(line) else "")
