"""The actor lookup engine: which actor a typed name means. Fronts reach it through bot.search.engines.

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
rebuilt in the background when the store's generation changes (checked at most every few
seconds; bot.search.live_index), so several bot instances on one database never serve a stale
index for long and no lookup waits for a rebuild.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from functools import lru_cache, partial

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA
from sqlalchemy import and_, func, select

from bot.nlp.gazetteer import needs_evidence
from bot.nlp.models import Kind
from bot.nlp.names import (
    LIGHT_WORDS, SHARED_SHORT_FORM, NameForm, acronym, analyse_name, fathers_name, is_title, looks_like_acronym,
    skeleton_token, titled,
)
from bot.nlp.roles import Role, RoleQuery, described_roles, read_query
from bot.nlp.world import given_names
from bot.search import snapshots
from bot.search.alias_index import ACTOR_COLUMNS, ActorEntry, AliasEntry, AliasIndex, actor_entry
from bot.search.live_index import LiveIndex
from bot.search.results import Band, Candidate, LookupResult, LookupStatus
from bot.store.db import Store
from bot.wording import plural
from bot.store.schema import AliasOrigin, aliases, articles, mentions, role_mentions


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
MAX_CANDIDATES = 100  # aliases scored in full, the best-voted by the blocking step

ROLE_RIVAL = 0.35  # another holder of an office at the same time in more than this share of articles: ambiguous
ORIGIN_RANK = {origin: rank for rank, origin in enumerate(AliasOrigin)}  # strongest first
USAGE = ("Type the name of a person, organisation or place, e.g. `Kataeb Hezbollah`, `Khamenei`, "
         "`IRGC` or an Arabic or Persian spelling (at most 150 characters).")


def build_index(store: Store, *, snapshot: bool = True) -> AliasIndex:
    """Read actors and aliases (and article authors) into an AliasIndex, or load the local
    snapshot of it saved for the same generation (bot.search.snapshots.load_or_build)."""
    return snapshots.load_or_build(store, "lookup", partial(build_alias_index, store), use_saved=snapshot,
                                   save_after=SNAPSHOT_AFTER_SECONDS if snapshot else None)


def build_alias_index(store: Store) -> AliasIndex:
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
        index.actors[row.id] = actor_entry(row)
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


def _claim(entry: AliasEntry, index: AliasIndex) -> int:
    """How strongly an alias claims its name (lower is stronger): its origin's rank, except that an editor's
    acronym or ordinary word (PMA) links only in context, so it claims no more than the corpus's use."""
    if entry.origin == AliasOrigin.CONFIG:
        actor = index.actors[entry.actor_id]
        if _in_context_only(entry.text, actor.name, actor.kind):
            return ORIGIN_RANK[AliasOrigin.CORPUS]
    return ORIGIN_RANK[entry.origin]


@lru_cache(maxsize=1 << 14)
def _in_context_only(alias: str, name: str, kind: str) -> bool:
    return needs_evidence(alias, name, kind)


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
        self.live = LiveIndex("lookup", store, partial(build_index, store), refresh_seconds=refresh_seconds)
        self._alone: dict[tuple, dict[int, tuple[int, int]]] = {}  # LookupEngine._written_alone, per generation
        self._alone_generation = -1

    # -- the in-memory index -------------------------------------------------------

    @property
    def index(self) -> AliasIndex:
        """The current alias index (rebuilt in the background when the store's generation moved on)."""
        return self.live.current()

    def refresh(self) -> None:
        """Rebuild now (after indexing in the same process)."""
        self.live.refresh()

    # -- lookup --------------------------------------------------------------------

    def resolve(self, query: str) -> LookupResult:
        """Resolve a typed name to found / ambiguous / not_found (with candidates and an explanation);
        bot.search.engines adds a found actor's profile."""
        text = clean_query(query)
        if not text or len(text) > MAX_QUERY_CHARS:
            problem = "No name given." if not text else f"That is {len(text)} characters: too long for a name."
            return LookupResult(query=text[:MAX_QUERY_CHARS], status=LookupStatus.INVALID, explanation=f"{problem} {USAGE}")
        form = analyse_name(text)
        if not form.tokens:
            return LookupResult(query=text, status=LookupStatus.INVALID,
                                explanation=f"“{text}” holds no letters to match. {USAGE}")
        index = self.index
        # `King Salman`: a title and one name address a bearer of that name, before any other spelling, not
        # his son (Mohammed bin Salman, names.fathers_name)
        addressed = len(form.tokens) == 1 and titled(text)

        def holders(candidates: list[Candidate]) -> list[Candidate]:
            return [c for c in candidates if not (addressed and fathers_name(form.tokens[0], analyse_name(c.name)))]
        if len(form.tokens) == 1 and not form.script and not looks_like_acronym(text):
            shared = holders(self._sharers(text, form, index))
            if len(shared) > 1:
                return _ambiguous(text, shared)
            if addressed and shared:
                return self._answer(text, shared, index, stage="exact")
        role = read_query(text)
        if role is not None and not self._named(form, index):  # a name wins over a role reading
            answer = self._by_role(text, role, index)
            if answer is not None:
                return answer
        if is_title(text) and form.key not in index.by_key:
            return LookupResult(query=text, status=LookupStatus.NOT_FOUND, explanation=(
                f"“{text}” is a title or a style of address, which names no one by itself: type the name."))
        hits = holders(self._exact(form, index, word=text[:1].isupper() and any(c.islower() for c in text)))
        if hits:
            return self._answer(text, hits, index, stage="exact")
        if len(form.compact) <= 3:
            return LookupResult(query=text, status=LookupStatus.NOT_FOUND, explanation=(
                f"No actor has the alias or abbreviation “{text}”. Short names are matched only exactly; "
                "try the full name."))
        return self._answer(text, holders(self._fuzzy(form, index, initials=looks_like_acronym(text))), index,
                            stage="fuzzy")

    @staticmethod
    def _named(form: NameForm, index: AliasIndex) -> bool:
        """Some actor is called exactly this: a curated one, or one whose name is not itself a role phrase
        (`Treasury Secretary`, `Sudan's Finance Minister`, discovered from a role written without a name)."""
        return any(index.actors[index.entries[n].actor_id].curated or read_query(index.entries[n].text) is None
                   for n in index.by_key.get(form.key, ()))

    def _by_role(self, text: str, query: RoleQuery, index: AliasIndex) -> LookupResult | None:
        """The actors the corpus gives the role, latest first with the dates it was seen (bot.nlp.roles); None
        when no one has it. One office's holders follow each other: when the query names an office (the
        Supreme Leader, Iraq's prime minister), the one the corpus gives it most while the latest held it is
        found, unless another was given it then in more than ROLE_RIVAL of as many articles (a misspelt name, a
        stray reading are fewer); otherwise (holders at the same time, or a title many carry: Ayatollah)
        the answer is ambiguous."""
        holders = self._role_holders(query.role, index)
        if not holders:
            return None
        since = holders[0].first_seen
        current = [h for h in holders if since is None or h.last_seen is None or h.last_seen >= since]
        top = max(current, key=lambda h: h.articles)
        holders = [top, *(h for h in holders if h is not top)]
        found = query.definite and all(h.articles <= ROLE_RIVAL * top.articles for h in current if h is not top)
        candidates = [Candidate(actor_id=h.actor_id, name=index.actors[h.actor_id].name,
                                kind=index.actors[h.actor_id].kind, score=1.0, matched=h.written,
                                how=f"role ({_seen(h)})", band=Band.EXACT,
                                description=index.actors[h.actor_id].description,
                                mentions=index.actors[h.actor_id].mentions,
                                articles=index.actors[h.actor_id].articles) for h in holders[:8]]
        held = "; ".join(f"{c.name} ({_seen(h)})" for c, h in zip(candidates, holders))
        explanation = f"“{text}” read as a role ({query.role}); held by: {held}."
        if found:
            return LookupResult(query=text, status=LookupStatus.FOUND, candidates=candidates, band=Band.EXACT,
                                explanation=explanation)
        return LookupResult(query=text, status=LookupStatus.AMBIGUOUS, candidates=candidates, band=Band.EXACT,
                            explanation=explanation)

    def _role_holders(self, role: Role, index: AliasIndex) -> list[RoleHolder]:
        """Who the stored role mentions give the office to, by the mention's actor (however the name was later
        resolved). A role with no country said counts for an actor the corpus (or its description) also gives
        the asked country's."""
        with self.store.connect() as conn:
            rows = conn.execute(
                select(mentions.c.actor_id, role_mentions.c.of, func.min(articles.c.date), func.max(articles.c.date),
                       func.count(role_mentions.c.article_id.distinct()), func.min(role_mentions.c.written))
                .select_from(role_mentions.join(mentions, and_(mentions.c.article_id == role_mentions.c.article_id,
                                                              mentions.c.start == role_mentions.c.mention_start))
                             .join(articles, articles.c.id == role_mentions.c.article_id))
                .where(role_mentions.c.office == role.office)
                .group_by(mentions.c.actor_id, role_mentions.c.of)).all()
        countries = defaultdict(set)
        for row in rows:
            countries[row[0]].add(row[1])
        holders: dict[int, RoleHolder] = {}
        for actor_id, of, first, last, count, written in rows:
            if actor_id not in index.actors or role.of and not (of == role.of or not of and (
                    role.of in countries[actor_id] or role in described_roles(index.actors[actor_id].description))):
                continue
            held = holders.get(actor_id)
            if held is None:
                holders[actor_id] = RoleHolder(actor_id, first, last, count, written)
            else:
                held.absorb(first, last, count)
        latest_first = sorted(holders.values(), key=lambda h: (h.last_seen is None, -(h.last_seen or date.min).toordinal(),
                                                               -h.articles, h.actor_id))
        return latest_first

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
            best = min(_claim(index.entries[n], index) for n in numbers)
            chosen = [n for n in numbers if _claim(index.entries[n], index) == best]
            return self._per_actor([(index.entries[n], score, how or index.entries[n].how) for n in chosen], index)
        return []

    def _sharers(self, text: str, form: NameForm, index: AliasIndex) -> list[Candidate]:
        """The actors a one-word query may mean when it is a surname or a given name (Baker, Ali, Mohammed),
        first those the corpus (or an editor) calls by the word alone, the one it writes so in most articles
        (then most often) first: a surname stands for the holder it was written for, not the busiest one;
        then those whose surname it is; then, among `_contenders`, one called just that (a short form the
        corpus left apart: Lagos the city, Baker in articles naming no Baker) and the people of that given
        name (spelled with the same consonants: Mohammed, Mohammad), each most mentioned first. Every
        holder of a surname is listed, however few its mentions (Garcia: Alan Garcia, and the Leandro
        Garcia named once), when it ends the holder's name (not only an alias: Iran in Shah of Iran), and
        every mentioned bearer of a given name: a given name is no one's short form, whoever the corpus
        names most (Mohammed: Mohammad Ali Jafari, and Mohammed bin Salman named once).
        One of them alone is found by the stages, several make the word ambiguous."""
        made_up = "abbreviation of"  # initials we derived are no word (ALI of Air Lines Inc)
        scored = [(index.entries[n], 1.0, index.entries[n].how) for n in index.by_key.get(form.key, ())
                  if not index.entries[n].how.startswith(made_up)]
        scored += [(index.entries[n], 0.97, "spelling variant") for n in index.by_variant.get(form.variant, ())
                   if not index.entries[n].how.startswith(made_up)]
        if form.tokens[0] in given_names():
            token = form.variants[0]
            close = {t for key in _neighbourhood(token, 1) for t in index.neighbours.get(key, ())
                     if skeleton_token(t) == skeleton_token(token)} | {token}
            for other in close:
                similarity = token_similarity(token, other)
                for number in index.postings.get(other, ()) if similarity >= CLOSE else ():
                    entry = index.entries[number]
                    if entry.form.variants[0] == other and len(entry.form.tokens) > 1 \
                            and index.actors[entry.actor_id].kind == Kind.PERSON and not looks_like_acronym(entry.text):
                        scored.append((entry, similarity, f"given name in {entry.text}"))
        if not any(how.startswith(("surname in", "given name in")) for _, _, how in scored):
            return []  # a name or alias of several (Hezbollah): the stages say which is called exactly this

        candidates = self._per_actor(scored, index)
        kept = {c.actor_id for c in _contenders(candidates, index)}
        candidates = [c for c in candidates if c.actor_id in kept or c.how in ("exact alias", f"surname in {c.name}")
                      or c.how.startswith("given name in") and c.mentions]
        called = [c for c in candidates if c.how == "exact alias"]
        alone = self._written_alone(called, text, index.generation) if len(called) > 1 else {}

        def rank(candidate: Candidate) -> tuple:
            group = 3 if candidate.how.startswith("given name in") else 2 if candidate.how == "exact name" \
                else 1 if candidate.how.startswith("surname in") else 0
            articles_alone, mentions_alone = alone.get(candidate.actor_id, (0, 0))
            return group, -articles_alone, -mentions_alone, -candidate.score, -candidate.mentions, candidate.name
        return sorted(candidates, key=rank)

    def _written_alone(self, called: list[Candidate], query: str, generation: int) -> dict[int, tuple[int, int]]:
        """For actors the corpus calls by a one-word name: in how many articles, and how many times, it
        wrote that word alone for each (the holder a journalist means by a shared surname is the one the
        corpus most often calls so). Read from the mentions' index, remembered for the generation."""
        ids = tuple(sorted(c.actor_id for c in called if c.actor_id > 0))
        spellings = tuple(sorted({query, *(c.matched for c in called)}))
        if self._alone_generation != generation:
            self._alone, self._alone_generation = {}, generation
        if (ids, spellings) not in self._alone:
            with self.store.connect() as conn:
                rows = conn.execute(select(mentions.c.actor_id, func.count(mentions.c.article_id.distinct()),
                                           func.count()).where(mentions.c.actor_id.in_(ids),
                                                               mentions.c.surface.in_(spellings))
                                    .group_by(mentions.c.actor_id)).all()
            self._alone[ids, spellings] = {actor_id: (in_articles, times) for actor_id, in_articles, times in rows}
        return self._alone[ids, spellings]

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
            return LookupResult(query=query, status=LookupStatus.NOT_FOUND, candidates=suggestions, explanation=explanation,
                                band=Band.NONE if not suggestions else suggestions[0].band)
        top = candidates[0]
        close = [c for c in candidates if c.score >= CLOSE and top.score - c.score < MARGIN]
        if stage == "exact":
            close = _contenders([c for c in candidates if c.score == top.score], index)
            top = close[0]
            named = [c for c in close if c.how == "exact name"]
            if len(close) > 1 and len(named) == 1:
                # One actor is called exactly this; the others only have it as an alias (often the
                # same body under a longer name: Federal Reserve Board / U.S. Federal Reserve Board).
                top = named[0]
                others = [c for c in close if c is not top][:3]
                explanation = _explain(query, top) + " Also known by this name: " + _or_list(
                    f"{c.name} ({c.kind})" for c in others) + "."
                return LookupResult(query=query, status=LookupStatus.FOUND, candidates=[top, *others], band=top.band,
                                    explanation=explanation, also=others)
        if len(close) > 1:
            return _ambiguous(query, close)
        others = [c for c in candidates[1:] if c.score >= POSSIBLE][:3]
        return LookupResult(query=query, status=LookupStatus.FOUND, candidates=[top, *others], band=top.band,
                            explanation=_explain(query, top))


def _contenders(candidates: list[Candidate], index: AliasIndex) -> list[Candidate]:
    """Of actors matching a name equally well, those it may mean: the curated ones called so, and the others
    (a curated one only part of whose name it is too: Iran in Shah of Iran) with at least
    names.SHARED_SHORT_FORM of the most mentioned one's mentions (a name the corpus gives one actor a
    thousand times and another twice, in a stray reading, is the first's). Order kept."""
    most = max(c.mentions for c in candidates)
    floor = max(2, SHARED_SHORT_FORM * most) if most >= 2 else 0
    return [c for c in candidates if c.mentions >= floor or index.actors[c.actor_id].curated
            and not c.how.startswith(("surname in", "given name in"))]


def _ambiguous(query: str, candidates: list[Candidate]) -> LookupResult:
    """Several actors answer to the query: the first eight, in the order given, to choose from."""
    return LookupResult(query=query, status=LookupStatus.AMBIGUOUS, candidates=candidates[:8], band=candidates[0].band,
                        explanation=f"“{query}” matches {len(candidates)} actors equally well: " + _or_list(
                            f"{c.name} ({c.kind}, {c.how} “{c.matched}”)" for c in candidates[:8]) + ".")


@dataclass
class RoleHolder:
    """An actor the corpus gives a role, and when: the first and last dated article that says so."""

    actor_id: int
    first_seen: date | None
    last_seen: date | None
    articles: int
    written: str

    def absorb(self, first: date | None, last: date | None, articles: int) -> None:
        self.first_seen = min(filter(None, (self.first_seen, first)), default=None)
        self.last_seen = max(filter(None, (self.last_seen, last)), default=None)
        self.articles += articles


def _seen(holder: RoleHolder) -> str:
    """`1987-03-02 – 1987-06-30, 4 articles`: when the corpus gave the actor the role."""
    if holder.first_seen is None:
        return f"undated, {plural(holder.articles, 'article')}"
    span = str(holder.first_seen) if holder.first_seen == holder.last_seen else f"{holder.first_seen} – {holder.last_seen}"
    return f"{span}, {plural(holder.articles, 'article')}"


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
