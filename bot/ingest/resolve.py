"""Corpus-level resolution, at the end of an index run, over the actors the run added mentions to.

Extraction reads one article at a time (bot.nlp.actors.resolution): `Reagan` after `Ronald Reagan` is
Ronald Reagan there. An article that wrote only `Reagan`, or only `Texaco` where others wrote
`Texaco Inc`, made an actor of the short form. Here a short form (a person's surname, a company's name
without its legal form: bot.nlp.names.short_form) is merged into the actor the corpus means by it, and a
person's name that is the end of a longer name of theirs (Hashemi Rafsanjani, Ali Akbar Hashemi
Rafsanjani) into the longer one. A short form several actors share (Baker: James Baker, Howard Baker)
stays an actor of its own, holding only the articles that name none of them: in an article that names
one, its mentions are that one's. Lookup answers `ambiguous` for a shared short form.

Names written with a saint's, mount's or fort's word in full in one article and short in another (Saint
Velmorsk, St Velmorsk; Mount Orvan, Mt Orvan) are one actor, as lookup reads them.

A one-word discovered actor the corpus also writes as a company's name (Acme beside Acme Ltd, Acme Group,
Acme Holdings) takes those names' articles as votes for `organization`, weighed as a head word's cue and
added to its own articles' votes: `Acme said` in most articles does not make a company a person, and one
`Acme Ltd` does not outvote a country named in fifty. A discovered actor whose own name ends in a legal form
(Acme Guaranty Ltd) is an organisation whatever its articles voted.

Only the short forms of the touched actors are read, through the indexed actors.short_key, and a shared
short form's mentions are attributed in the run's new stories only (the older ones were attributed when
they came in): a day of new articles re-resolves what it touched, never the whole corpus.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable
from functools import lru_cache
from itertools import product
from typing import NamedTuple

from rapidfuzz.distance import Levenshtein
from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.engine import Connection

from bot.nlp.lexicon import COMPANY_WORDS, LEGAL_FORMS
from bot.nlp.models import Kind
from bot.nlp.names import ABBREVIATED_NAME_WORDS, SHARED_SHORT_FORM, written_short
from bot.nlp.world import place_names
from bot.store.actor_stats import KIND_VOTE_COLUMNS, KINDS, cue_weight, drop_unmentioned_actors, recount_actors
from bot.store.db import chunks, one_of
from bot.store.merges import merge_actors, move_mentions
from bot.store.schema import AliasOrigin, actors, aliases, mentions


class _Actor(NamedTuple):
    id: int
    key: str
    name: str
    kind: str
    curated: bool
    mentions: int
    short_key: str | None


_COLUMNS = (actors.c.id, actors.c.key, actors.c.name, actors.c.kind, actors.c.curated, actors.c.mention_count,
            actors.c.short_key)


def resolve_across_corpus(conn: Connection, touched: Collection[int], stories: Collection[str] | None = None) -> int:
    """Resolve the short forms of the `touched` actors over the corpus (figures must be current); the
    actors mentions moved between are recounted. `stories`: the run's new stories, the only ones whose
    mentions of a shared short form are attributed (None: every story). Returns the number of actors
    merged away."""
    forms: set[str] = set()
    for chunk in chunks(sorted(touched)):
        for key, short_key in conn.execute(select(actors.c.key, actors.c.short_key)
                                           .where(one_of(conn, actors.c.id, chunk))):
            forms.add(key)
            if short_key:
                forms.add(short_key)
        forms.update(conn.execute(select(aliases.c.key).where(one_of(conn, aliases.c.actor_id, chunk),
                                                              aliases.c.origin == AliasOrigin.CORPUS)).scalars())
    groups: dict[str, dict[int, _Actor]] = defaultdict(dict)
    for chunk in chunks(sorted(forms)):
        for row in conn.execute(select(*_COLUMNS).where(or_(one_of(conn, actors.c.key, chunk),
                                                            one_of(conn, actors.c.short_key, chunk)))):
            actor = _Actor(*row)
            for form in (actor.key, actor.short_key):
                if form in forms:
                    groups[form][actor.id] = actor
    called = _organisations_called(conn, [form for form, group in groups.items()
                                          if any(actor.key == form for actor in group.values())])
    run = _Resolution(conn, stories)
    shared = [form for form, group in groups.items() if len(group) > 1 or form in called]  # only these are sorted
    for form in sorted(shared, key=lambda f: (-len(f.split()), f)):  # a longer name's family first
        run.resolve(form, list(groups[form].values()), called.get(form, {}).values())
    for spellings in _written_in_full_and_short(conn, forms):
        run.merge_spellings(spellings)
    merged = run.apply()
    _vote_by_company_names(conn, {_company_stem(form) or form for form in forms})
    _companies_by_their_legal_forms(conn, (actor for group in groups.values() for actor in group.values()))
    return merged


# A saint's, mount's or fort's word as a key writes it short (bot.nlp.names) -> every way of writing it.
_WRITTEN: dict[str, tuple[str, ...]] = {
    short: (short, *sorted(full for full, to in ABBREVIATED_NAME_WORDS.items() if to == short))
    for short in set(ABBREVIATED_NAME_WORDS.values())}


def _every_way(key: str) -> set[str]:
    """The keys of a name of several words written with its saint's, mount's or fort's word in full or short
    (st velmorsk, saint velmorsk, sankt velmorsk …), itself among them."""
    words = written_short(key.split())
    if len(words) < 2 or all(word not in _WRITTEN for word in words):
        return {key}
    return {" ".join(choice) for choice in product(*(_WRITTEN.get(word, (word,)) for word in words))}


def _written_in_full_and_short(conn: Connection, forms: Collection[str]) -> list[list[_Actor]]:
    """Actors of one kind whose names differ only in writing a saint's, mount's or fort's word in full or
    short (St Velmorsk, Saint Velmorsk): one actor each, though the articles spelled them apart."""
    ways = [_every_way(form) for form in forms if " " in form]
    keys = set().union(*(written for written in ways if len(written) > 1))
    found: dict[tuple[str, str], list[_Actor]] = defaultdict(list)
    for chunk in chunks(sorted(keys)):
        for row in conn.execute(select(*_COLUMNS).where(one_of(conn, actors.c.key, chunk))):
            actor = _Actor(*row)
            found[" ".join(written_short(actor.key.split())), actor.kind].append(actor)
    return [spellings for spellings in found.values() if len(spellings) > 1]


COMPANY_ENDINGS = LEGAL_FORMS | COMPANY_WORDS | {"group"}  # what follows a company's name: Acme Ltd, Acme Group
COMPANY_NAME_CUE = 2  # a company's name votes as a head word does
STEMS_PER_QUERY = 100  # key ranges ORed in one statement (SQLite bounds an expression's depth)


def _company_stem(key: str) -> str | None:
    """The one word a company's name adds its endings to (acme of acme holdings ltd), or None."""
    first, *rest = key.split()
    return first if rest and all(word in COMPANY_ENDINGS for word in rest) else None


def _vote_by_company_names(conn: Connection, forms: Collection[str]) -> None:
    """Re-elect the kind of each one-word discovered actor among `forms`, adding to its own votes one
    `organization` vote per article of each actor named it with company endings (module docstring)."""
    stems = {form for form in forms if " " not in form}
    evidence: dict[str, int] = defaultdict(int)
    for chunk in chunks(sorted(stems), STEMS_PER_QUERY):
        bounds = {f"s{i}": f"{stem} " for i, stem in enumerate(chunk)}  # `stem ...`: above `stem `, below `stem!`
        bounds.update((f"e{i}", f"{stem}!") for i, stem in enumerate(chunk))
        for key, count in conn.execute(_stem_ranges(len(chunk)), bounds):
            stem = _company_stem(key)
            if stem in stems:
                evidence[stem] += count * cue_weight(COMPANY_NAME_CUE)
    for chunk in chunks(sorted(evidence)):
        for actor_id, key, kind, *votes in conn.execute(
                select(actors.c.id, actors.c.key, actors.c.kind, *KIND_VOTE_COLUMNS.values())
                .where(one_of(conn, actors.c.key, chunk), actors.c.curated.is_(False))):
            tally = dict(zip(KINDS, (vote or 0 for vote in votes)))
            tally[Kind.ORGANIZATION] += evidence[key]
            elected = max(KINDS, key=lambda k: (tally[k], -KINDS.index(k)))  # (ties go as in the vote)
            if elected != kind:
                conn.execute(actors.update().where(actors.c.id == actor_id).values(kind=elected))


def _companies_by_their_legal_forms(conn: Connection, named: Iterable[_Actor]) -> None:
    """A discovered actor whose name ends in a legal form is a company, whatever its articles voted: no
    person's name ends in one (Velkor Guaranty Ltd, whose articles' `Velkor Guaranty said` voted for a
    person). `named`: the actors read for the run's forms (those merged away meanwhile are gone). (Not a
    firm named `and Co` after its founder, Tomas Varde and Co: the corpus's `Varde` is the man, whose name
    the firm's stands for until the man's own is written in full.)"""
    companies = sorted({actor.id for actor in named if not actor.curated and _ends_in_legal_form(actor.key)})
    for chunk in chunks(companies):
        conn.execute(actors.update().where(one_of(conn, actors.c.id, chunk), actors.c.kind != Kind.ORGANIZATION)
                     .values(kind=Kind.ORGANIZATION))


def _ends_in_legal_form(key: str) -> bool:
    words = key.split()
    return len(words) > 1 and words[-1] in LEGAL_FORMS and words[-2] != "and"


@lru_cache(maxsize=4)
def _stem_ranges(size: int):
    """The names of `size` stems with something after them (key ranges bound as s0/e0 …), the statement
    built once per size: building thousands of comparisons in SQLAlchemy cost more than running them."""
    return select(actors.c.key, actors.c.article_count).where(
        or_(*(and_(actors.c.key > bindparam(f"s{i}"), actors.c.key < bindparam(f"e{i}")) for i in range(size))))


def _organisations_called(conn: Connection, forms: Collection[str]) -> dict[str, dict[int, _Actor]]:
    """The organisations some article calls by each form (`GM` after `General Motors Corp (GM)`, `Drexel`
    after `Drexel Burnham Lambert Inc`: bot.nlp.actors.resolution), read from their corpus spellings, each
    with the number of its mentions so spelled as its `mentions`."""
    spelled: dict[str, list[tuple[_Actor, str]]] = defaultdict(list)
    for chunk in chunks(sorted(forms)):
        for form, alias, *row in conn.execute(
                select(aliases.c.key, aliases.c.alias, *_COLUMNS).join(actors, actors.c.id == aliases.c.actor_id)
                .where(one_of(conn, aliases.c.key, chunk), aliases.c.origin == AliasOrigin.CORPUS,
                       actors.c.kind == Kind.ORGANIZATION, actors.c.key != aliases.c.key)):
            actor = _Actor(*row)
            if _calls_by(actor.key, form):
                spelled[form].append((actor, alias))
    counts: dict[tuple[int, str], int] = {}
    pairs = {(actor.id, alias) for holders in spelled.values() for actor, alias in holders}
    for chunk in chunks(sorted({actor_id for actor_id, _ in pairs})):
        for actor_id, surface, count in conn.execute(
                select(mentions.c.actor_id, mentions.c.surface, func.count())
                .where(one_of(conn, mentions.c.actor_id, chunk)).group_by(mentions.c.actor_id, mentions.c.surface)):
            if (actor_id, surface) in pairs:
                counts[actor_id, surface] = count
    return {form: {actor.id: actor._replace(mentions=counts.get((actor.id, alias), 0)) for actor, alias in holders}
            for form, holders in spelled.items()}


RESPELLING_EDITS = 2  # two long names this few letters apart, one article calling each by one form, are one


def _respelling(a: str, b: str) -> bool:
    return len(a) >= 15 and len(b) >= 15 and Levenshtein.distance(a, b, score_cutoff=RESPELLING_EDITS) <= RESPELLING_EDITS


def _calls_by(key: str, form: str) -> bool:
    """Whether a name's spelling `form` is another name of it (GM for General Motors Corp, Drexel for Drexel
    Burnham Lambert Inc), not a part of it that names something of its own: the end a place or a nationality
    qualifies (U.S. Senate, Spanish EC), or the start of a longer name (Central Bank of Barbados, Ford Motor Co
    of Canada Ltd), unless a company's first words before its legal form."""
    if key.endswith(" " + form):
        return False
    if key.startswith(form + " "):
        return key.split()[-1] in LEGAL_FORMS and form.split()[-1] not in LEGAL_FORMS \
            and " of " not in key[len(form):] + " "
    return True


class _Resolution:
    """The merges and moves of one run: decided group by group, then written together (a few statements
    for thousands of actors)."""

    def __init__(self, conn: Connection, stories: Collection[str] | None = None):
        self.conn = conn
        self.stories = stories  # the only stories a shared short form's mentions are attributed in (None: all)
        self.merged: dict[int, int] = {}  # actor merged away -> the actor it is merged into
        self.moves: list[tuple[int, int, str]] = []  # (short-form actor, actor, article): mentions moved
        self.spellings: set[tuple[int, str, str]] = set()  # (actor, alias, key) the moves give an actor
        self.seen: dict[int, _Actor] = {}  # the actors of the groups resolved so far
        # What the stored mentions say (nothing is written before apply): read once, whichever groups ask.
        self.named: dict[str, tuple[int, ...]] = {}  # article -> the actors it names
        self.company: dict[int, tuple[int, Counter[int]]] = {}  # actor -> its latest articles, the actors they name

    def final(self, actor_id: int) -> int:
        """The actor an actor is now, after the merges decided so far."""
        while actor_id in self.merged:
            actor_id = self.merged[actor_id]
        return actor_id

    def resolve(self, form: str, group: list[_Actor], called: Collection[_Actor] = ()) -> None:
        """`called`: the organisations articles call by the form, each an actor it may stand for."""
        self.seen.update((actor.id, actor) for actor in group)
        group = [actor for actor in group if actor.id not in self.merged]
        bare = next((actor for actor in group if actor.key == form), None)
        families = _families([actor for actor in group if actor.key != form and actor.short_key == form])
        held = {member.id for family in families for member in family} | {self.final(bare.id) if bare else -1}
        by_calls = set()  # the heads of the families only the articles calling them so bring
        for actor in sorted(called, key=lambda a: -a.mentions):  # (one merged into another stands for that one)
            final = self.seen.get(self.final(actor.id), actor)._replace(mentions=actor.mentions)
            if final.id not in held:
                spelled = next((family for family in families if _respelling(family[0].key, final.key)), None)
                if spelled is not None:
                    spelled.append(final)  # Organisation / Organization for Economic Cooperation and Development
                else:
                    families.append([final])
                    by_calls.add(final.id)
                held.add(final.id)
        if not families:
            return
        for family in families:
            for member in family[1:]:
                self._merge(member, family[0])
        if bare is None or not _may_stand_for(bare, form):
            return
        weights = sorted(((sum(m.mentions for m in family), family) for family in families),
                         key=lambda pair: -pair[0])
        top, family = weights[0]
        head = family[0]
        if head.id in by_calls and top < SHARED_SHORT_FORM * bare.mentions:
            return  # (Citicorp alone, far more often than any article calls Citicorp Capital Investors Ltd so)
        if len(weights) == 1 or weights[1][0] < max(2, SHARED_SHORT_FORM * top):
            if _company(head) or bare.kind in {member.kind for member in family} or bare.kind == Kind.OTHER \
                    or bare.mentions <= top:
                self._merge(bare, head)  # (a busier name of another kind is not a surname: Ford is not Gerald Ford)
            return
        self._split(bare, [family[0] for family in families])

    def merge_spellings(self, spellings: list[_Actor]) -> None:
        """One actor under several spellings of its name: into the curated one, else the most mentioned."""
        head = max(spellings, key=lambda actor: (actor.curated, actor.mentions, -actor.id))
        for actor in spellings:
            if actor is not head and actor.id not in self.merged:
                self._merge(actor, head)

    def _merge(self, source: _Actor, target: _Actor) -> None:
        if not source.curated and self.final(target.id) != source.id:
            self.merged[source.id] = target.id

    def _split(self, bare: _Actor, heads: list[_Actor]) -> None:
        """A shared short form: in each article that names exactly one of its actors, or else whose other
        actors are those one of them is named with (`_by_company`), its mentions are that actor's (with the
        short form as one of its spellings)."""
        conn = self.conn
        articles = conn.execute(select(mentions.c.article_id).where(mentions.c.actor_id == bare.id)
                                .distinct()).scalars().all()
        if self.stories is not None:
            articles = [article_id for article_id in articles if article_id in self.stories]
        ids = {self.final(head.id) for head in heads}
        unsure = {}
        for article_id, named_here in self._named_in(articles).items():
            sharing = {self.final(actor_id) for actor_id in named_here} & ids
            if len(sharing) == 1:
                self._move(bare, next(iter(sharing)), article_id)
            elif not sharing:
                unsure[article_id] = set(named_here) - {bare.id}
        for article_id, actor_id in _by_company(ids, unsure, self._company).items():
            self._move(bare, actor_id, article_id)

    def _named_in(self, article_ids: Collection[str]) -> dict[str, tuple[int, ...]]:
        """The actors each of these articles names (in the order of the articles' ids)."""
        conn, named = self.conn, self.named
        for chunk in chunks(sorted(a for a in set(article_ids) if a not in named)):
            read: dict[str, list[int]] = defaultdict(list)
            for article_id, actor_id in conn.execute(select(mentions.c.article_id, mentions.c.actor_id).where(
                    one_of(conn, mentions.c.article_id, chunk)).distinct()):
                read[article_id].append(actor_id)
            named.update((article_id, tuple(ids)) for article_id, ids in read.items())  # (a tuple: a fifth of a set)
        return {article_id: named[article_id] for article_id in sorted(set(article_ids)) if article_id in named}

    def _company(self, actor_id: int) -> tuple[int, Counter[int]]:
        """An actor's latest COMPANY_ARTICLES articles: how many, and how many of them name each actor."""
        if actor_id not in self.company:
            own = list(dict.fromkeys(self.conn.execute(
                select(mentions.c.article_id).where(mentions.c.actor_id == actor_id)
                .order_by(mentions.c.id.desc()).limit(COMPANY_ARTICLES * 4)).scalars()))[:COMPANY_ARTICLES]
            counts: Counter[int] = Counter()
            for named_here in self._named_in(own).values():
                counts.update(named_here)
            self.company[actor_id] = len(own), counts
        return self.company[actor_id]

    def _move(self, bare: _Actor, actor_id: int, article_id: str) -> None:
        self.moves.append((bare.id, actor_id, article_id))
        self.spellings.add((actor_id, bare.name, bare.key))

    def apply(self) -> int:
        """Write what was decided, recount the actors concerned; returns the number merged away."""
        if not self.merged and not self.moves:
            return 0
        conn = self.conn
        merges = {source: self.final(source) for source in self.merged}
        move_mentions(conn, self.moves)
        merge_actors(conn, merges)
        moved_to = sorted({(merges.get(actor_id, actor_id), alias, key) for actor_id, alias, key in self.spellings})
        held = set()
        for chunk in chunks(sorted({actor_id for actor_id, _, _ in moved_to})):
            held.update((actor_id, key) for actor_id, key in conn.execute(
                select(aliases.c.actor_id, aliases.c.key).where(one_of(conn, aliases.c.actor_id, chunk))))
        rows = [{"actor_id": actor_id, "alias": alias, "key": key, "origin": AliasOrigin.CORPUS}
                for actor_id, alias, key in moved_to if (actor_id, key) not in held]
        if rows:
            conn.execute(aliases.insert(), rows)
        recount_actors(conn, {*merges, *merges.values(), *(actor for move in self.moves for actor in move[:2])})
        drop_unmentioned_actors(conn)  # a shared short form every article of which names one of its actors
        return len(merges)


COMPANY_ARTICLES = 200  # the latest articles of an actor read for the company it keeps
COMPANY_LEAD = 0.5  # how far ahead the company an article keeps puts one actor (articles' shares summed)


def _by_company(ids: set[int], unsure: dict[str, set[int]],
                company_of: Callable[[int], tuple[int, Counter[int]]]) -> dict[str, int]:
    """Articles that name none of the actors sharing a short form, to the actor whose own articles name
    the same others (James Baker's name the Treasury, Howard Baker's the White House): for each actor,
    the share of its latest articles naming each other actor, above the average over the actors sharing
    the short form, summed over the actors the article names; taken when one is ahead by COMPANY_LEAD."""
    if not unsure:
        return {}
    shares: dict[int, dict[int, float]] = {}
    for actor_id in ids:
        articles, counts = company_of(actor_id)  # its latest articles, and how many of them name each actor
        shares[actor_id] = {other: count / articles for other, count in counts.items() if other not in ids}
    average: dict[int, float] = defaultdict(float)
    for company in shares.values():
        for other, share in company.items():
            average[other] += share / len(shares)
    out = {}
    for article_id, named_here in unsure.items():
        scores = sorted(((sum(shares[actor_id].get(other, 0.0) - average[other] for other in named_here
                              if other in average), actor_id) for actor_id in shares), reverse=True)
        if scores and scores[0][0] >= COMPANY_LEAD and (len(scores) == 1 or scores[0][0] - scores[1][0] >= COMPANY_LEAD):
            out[article_id] = scores[0][1]
    return out


def _may_stand_for(bare: _Actor, form: str) -> bool:
    """Whether an actor named only the short form may be another actor: not a curated one, nor a place
    (Washington is not George Washington)."""
    return not bare.curated and bare.kind != Kind.PLACE and tuple(form.split()) not in place_names()


def _company(holder: _Actor) -> bool:
    """A name whose short form is the name without its legal form (Texaco Inc), not a surname."""
    return holder.short_key != holder.key.split()[-1]


def _shortens(long: str, short: str) -> bool:
    """A person's name that ends a longer one (Hashemi Rafsanjani), or of three words or more keeps its first
    word and the rest ends it (Nana Akufo-Addo of Nana Addo Dankwa Akufo-Addo: a middle name left out)."""
    first, _, rest = short.partition(" ")
    return long.endswith(" " + short) or len(short.split()) >= 3 and long.startswith(first + " ") \
        and long.endswith(" " + rest) and len(long) > len(short)


def _families(holders: list[_Actor]) -> list[list[_Actor]]:
    """The holders of a short form grouped into the actors they are, each family's head first:
    a company's names with and without legal forms are one (Texaco Inc, Texaco Corp); a person's
    name that ends a longer one of a single family is that family's (Hashemi Rafsanjani). The head is
    the curated one, else the one the corpus names most; a family with two curated actors is not merged."""
    companies = [h for h in holders if _company(h)]
    families: list[list[_Actor]] = [companies] if companies else []
    people: list[list[_Actor]] = []
    for holder in sorted((h for h in holders if not _company(h) and h.kind == Kind.PERSON),
                         key=lambda h: (-len(h.key.split()), -h.mentions, h.id)):
        within = [family for family in people if _shortens(family[0].key, holder.key)]
        if len(within) == 1:
            within[0].append(holder)
        else:
            people.append([holder])  # a name of its own, or ending several (shared: kept apart)
    out = []
    for family in families + people:
        curated = [member for member in family if member.curated]
        if len(curated) > 1:
            out += [[member] for member in family]
            continue
        head = curated[0] if curated else max(family, key=lambda m: (m.mentions, len(m.key), -m.id))
        out.append([head, *(member for member in family if member is not head)])
    return out
