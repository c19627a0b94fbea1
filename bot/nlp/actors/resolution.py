"""In-article resolution: the names of one article read together, as a reader reads them. A surname
alone, a one-letter typo, an acronym defined in brackets, a nickname in quotes and a possessive that
lost its apostrophe are the name they stand for; a place the article names is cut out of a body's name."""
from __future__ import annotations

import re
from itertools import compress, filterfalse
from operator import attrgetter, itemgetter

from rapidfuzz.distance import Levenshtein

from bot.nlp.actors.article import (
    CONNECTORS, GROUP_ENDINGS, HYPHENS, PLACE_PREPOSITIONS, Article, Piece, names_outlet, ordinary_word,
    titled_given_name,
)
from bot.nlp.actors.finding import qualifier_end
from bot.nlp.actors.kinds import decide_kind, guess_by_context, modifier, settle_kinds
from bot.nlp.lexicon import (
    DEMONYMS, EVENT_HEADS, LANDFORM_HEADS, LED_BODY_HEADS, LEGAL_FORMS, NAME_PARTICLES, ORG_HEADS, PLACE_HEADS,
    POLITICAL_LEANINGS,
)
from bot.nlp.tokens import Tokens
from bot.nlp.world import common_words, country_names, given_names, known_words, place_names, settlement_names

# What stands between a name and the other name it goes by (Widodo, better known as Jokowi).
_KNOWN_AS = re.compile(r"^[\s,(–—-]*(?:(?:more |most |better |also |commonly |popularly |widely )*known as|nicknamed|"
                       r"dubbed|alias|aka|a\.k\.a\.)\s*[\"“‘']?$")
_KNOWN_AS_HINT = re.compile(r"known as|nicknamed|dubbed|alias|aka|a\.k\.a")


def resolve(pieces: list[Piece], toks: Tokens, art: Article) -> None:
    """Name, kind and links of every piece found in the article, in place; drops those that name no one."""
    keys = toks.keys
    for p in pieces:
        p.key = _name_key(keys, p.first, p.last)
        if p.curated is not None:
            p.name = p.curated.name
        else:
            p.name = art.text[p.name_begin:p.end if p.name_end is None else p.name_end]
            if names_outlet(art, keys, p.first, p.last):
                p.kind, p.cue = "organization", 2  # told Velkorpress: the article's own outlet
            elif p.kind is None:
                p.kind, p.cue = decide_kind(p, toks, art)
    _split_joined_names(pieces, toks)
    _split_leaders_bodies(pieces, toks, art)
    _split_named_places(pieces, toks)
    _mark_affiliations(pieces, toks, art)
    _drop_acronyms_of_things(pieces, toks, art)
    _spelled_by_acronyms(pieces, toks, art)
    curated_here = {p.curated.name for p in pieces if p.curated is not None and p.last > p.first}
    _link_definitions(pieces, toks, art)
    _surnames_opening_sentences(pieces, toks, art)
    _people_by_their_surnames(pieces, toks)
    _link_initialisms(pieces, toks)
    _link_clipped_forms(pieces, toks)
    _link_landform_short_forms(pieces)
    _link_short_forms(pieces, toks, curated_here)
    _link_company_short_forms(pieces)
    _link_typos(pieces)
    _link_nicknames(pieces, art)
    pieces[:] = [p for p in pieces if (not p.tentative or p.adopted) and not _ordinary(p, art)]
    _towns(pieces, toks)
    guess_by_context(pieces, toks)
    _kinds_of_coordinates(pieces, toks)
    settle_kinds(pieces)


def _towns(pieces: list[Piece], toks: Tokens) -> None:
    """Tarvibela, Orlacoota: a name that no context explained, guessed a body or a thing, and that stands for
    no one else in the article (a surname whose full name is given is that person) is, when it is a town's,
    the town. (A guessed person keeps the guess: surnames are towns' names as often.)"""
    for p in pieces:
        if p.cue == 0 and p.curated is None and not p.adopted and p.kind in ("organization", "other") \
                and not toks.possessive[p.last] and " ".join(p.key) in settlement_names() \
                and not (len(p.key) == 1 and p.key[0] in given_names()):
            p.kind = "place"


def _split_joined_names(pieces: list[Piece], toks: Tokens) -> None:
    """`the Reagan-Gorbachev summit`: two words joined by a hyphen, each of which the article names on its
    own or at the end of a name, and which no name of the article holds joined (Jeanine Hennis-Plasschaert),
    are two names, each with the kind it has there."""
    keys, gaps, caps = toks.keys, toks.gaps, toks.caps
    joined = {id(p) for p in pieces if p.curated is None and p.last == p.first + 1 and gaps[p.first] in HYPHENS
              and caps[p.first] and caps[p.last]}
    if not joined:
        return
    named: dict[str, Piece] = {}  # a word the article names alone or ending a name -> that name
    held: set[tuple[str, str]] = set()  # two words a longer name holds side by side
    for p in pieces:
        if p.last > p.first + 1 or p.last > p.first and gaps[p.first] not in HYPHENS:
            held.update(zip(keys[p.first:p.last], keys[p.first + 1:p.last + 1]))
        if p.first == p.last or gaps[p.last - 1] not in HYPHENS:
            current = named.get(keys[p.last])
            if current is None or current.kind != "person" and p.kind == "person":
                named[keys[p.last]] = p
    out = []
    for p in pieces:
        left, right = keys[p.first], keys[p.last]
        if id(p) in joined and left in named and right in named and (left, right) not in held:
            for at in (p.first, p.last):
                other = named[keys[at]]
                out.append(Piece(at, at, toks.starts[at], toks.ends[at], other.kind, min(other.cue, 1),
                                 key=(keys[at],), name=toks.text[toks.starts[at]:toks.ends[at]]))
        else:
            out.append(p)
    pieces[:] = out


def _split_named_places(pieces: list[Piece], toks: Tokens) -> None:
    """`Velmora High Court`, `Autonomous University of Chiriquí` when the article says `in Velmora`,
    `in Chiriquí`: a place the article names elsewhere, opening a body's name or after its `of`, is cut out
    of it as a known country or city is (the mention is `High Court`, the actor `Velmora High Court`)."""
    places = {p.key for p in pieces if p.kind == "place" and p.curated is None and p.cue >= 1
              and not (len(p.key) == 1 and p.key[0] in common_words())}  # (not the State: an ordinary word)
    if not places:
        return
    keys = toks.keys
    out = []
    for p in pieces:
        if p.curated is None and p.kind == "organization" and p.name_start is None and p.last > p.first:
            lead = p.first + next((size for size in (3, 2, 1) if p.last - p.first >= size
                                   and tuple(keys[p.first:p.first + size]) in places), 0)
            if lead > p.first and keys[lead] not in CONNECTORS and any(k in ORG_HEADS for k in keys[lead:p.last + 1]):
                out.append(Piece(p.first, lead - 1, p.start, toks.ends[lead - 1], "place", 2,
                                 key=tuple(keys[p.first:lead]), name=toks.text[p.start:toks.ends[lead - 1]]))
                p.name_start, p.first, p.start = p.start, lead, toks.starts[lead]
                p.key = _name_key(keys, lead, p.last)
            cut = p.last + 1 - next((size for size in (3, 2, 1) if p.last - p.first > size
                                     and keys[p.last - size] in ("of", "in")
                                     and tuple(keys[p.last - size + 1:p.last + 1]) in places), 0)
            if cut <= p.last and any(k in ORG_HEADS for k in keys[p.first:cut - 1]):
                place = Piece(cut, p.last, toks.starts[cut], p.end, "place", 2,
                              key=tuple(keys[cut:p.last + 1]), name=toks.text[toks.starts[cut]:p.end])
                p.name_end, p.last, p.end = p.end, cut - 2, toks.ends[cut - 2]
                p.key = _name_key(keys, p.first, p.last)
                out += [p, place]
                continue
        out.append(p)
    pieces[:] = out


def _name_key(keys: list[str], first: int, last: int) -> tuple[str, ...]:
    """The words a name is compared by: its words without name particles (al-, bin, de)."""
    return tuple(filterfalse(NAME_PARTICLES.__contains__, keys[first:last + 1])) or (keys[first],)


def _mark_affiliations(pieces: list[Piece], toks: Tokens, art: Article) -> None:
    """`Ever Varvarado (Orlimpia)`, `Matías Walker (DC)`: a name in brackets after a person's is the club or
    party they belong to (a country there is still a place)."""
    text = art.text
    if "(" not in text:
        return
    for a, b in zip(pieces, pieces[1:]):
        if a.kind == "person" and b.curated is None and text[a.end:b.start].strip() == "(" \
                and text[b.end:b.end + 1] == ")" and b.kind != "person" and b.key not in country_names() \
                and not (b.first == b.last and toks.words[b.first].isupper() and _abbreviates(toks.words[b.first], a, toks)):
            b.kind, b.cue = "organization", 2


def _split_leaders_bodies(pieces: list[Piece], toks: Tokens, art: Article) -> None:
    """`Kishida Cabinet`, `Modi Government`: a person the article names, before the head word of a body,
    is that person plus the body they lead."""
    if LED_BODY_HEADS.isdisjoint(toks.keys):
        return
    surnames = {p.key[-1] for p in pieces if p.kind == "person" and len(p.key) > 1}
    if not surnames:
        return
    out = []
    for p in pieces:
        if p.curated is None and p.kind == "organization" and p.last == p.first + 1 and p.name_start is None \
                and p.key[0] in surnames and toks.keys[p.last] in LED_BODY_HEADS and p.key[0] not in DEMONYMS \
                and not p.key[0].endswith(GROUP_ENDINGS):
            person = Piece(p.first, p.first, p.start, toks.ends[p.first], "person", 1, key=p.key[:1],
                           name=art.text[p.start:toks.ends[p.first]])
            body = Piece(p.last, p.last, toks.starts[p.last], p.end, "organization", 1, key=p.key[1:],
                         name=art.text[toks.starts[p.last]:p.end])
            out += [person, body]
        else:
            out.append(p)
    pieces[:] = out


LIST_GAPS = (", ", " and ", ", and ", " or ", ", or ", " & ")
CONJUNCTION_GAPS = LIST_GAPS[1:]
LONGEST_GAP = max(map(len, LIST_GAPS))


def _kinds_of_coordinates(pieces: list[Piece], toks: Tokens) -> None:
    """`Brenvik, Tarvo, Ostrel and Kelder Bay`, `Teodor and Velgaro`: names in one list are things of one kind. A
    name no cue decided takes the kind the list's sure names agree on. (Names joined by commas alone are no
    list: `the head of Acme, Tom Farvis` is an apposition.)"""
    text = toks.text
    chain: list[Piece] = []
    listed = False
    for p in [*pieces, None]:
        gap = text[chain[-1].end:p.start] if p is not None and chain and p.start - chain[-1].end <= LONGEST_GAP else None
        if gap in LIST_GAPS and not toks.possessive[chain[-1].last]:
            chain.append(p)
            listed = listed or gap in CONJUNCTION_GAPS
            continue
        if listed:
            sure = {q.kind for q in chain if q.cue >= 1 and q.kind in ("person", "organization", "place")}
            if len(sure) == 1:
                kind = sure.pop()
                for q in chain:
                    if q.cue == 0 and q.curated is None and not q.adopted and q.kind != "other":
                        q.kind = kind
        chain, listed = ([p] if p is not None else []), False


def _ordinary(p: Piece, art: Article) -> bool:
    """A lone ordinary word nothing marks as a name (Articles, Channel): not an actor."""
    return p.kind == "other" and not p.adopted and len(p.key) == 1 and p.curated is None \
        and ordinary_word(p.key[0], art)


# Lower-case words an acronym skips inside the name it spells (Bank of Tarvo, Frente de Unidad y Cambio).
_ACRONYM_SKIPS = CONNECTORS | {"in", "de", "del", "la", "las", "los", "des", "du", "da", "do", "di", "et", "y", "e"}
_NAME_GAPS = (" ", "-", "‐", "'s ", "’s ", " & ")
_THING_GAPS = (" ", "-", "‐", ", ")  # between the words a thing's acronym spells (mining, trade and energy)


def _drop_acronyms_of_things(pieces: list[Piece], toks: Tokens, art: Article) -> None:
    """`the monthly output gauge (MOG)`, `rapid field tests (RFTs)`: an acronym in brackets after
    lower-case words whose initials spell it names a thing, so it names no actor anywhere in the article."""
    if "(" not in art.text:
        return
    things = {p.key for p in pieces if p.first == p.last and p.curated is None and _spells_a_thing(toks, art, p)}
    if things:
        pieces[:] = [p for p in pieces if p.key not in things or p.curated is not None]


def _spells_a_thing(toks: Tokens, art: Article, acronym: Piece) -> bool:
    """The acronym stands in brackets after lower-case words that spell it (`_acronym_start`) and end in no
    body's head word (a multilateral guarantee agency (MGA) is a body written in lower case)."""
    end = acronym.first - 1
    return _in_brackets(toks, art, acronym) and toks.keys[end] not in ORG_HEADS \
        and _acronym_start(toks, art, end, toks.words[acronym.first], lower_case=True) is not None


def _in_brackets(toks: Tokens, art: Article, p: Piece) -> bool:
    """A one-word piece alone in brackets after a word: `... Renewal (PFUR)`."""
    return p.first == p.last and p.first > 0 and toks.gaps[p.first - 1].strip() == "(" \
        and art.text[p.end:p.end + 1] == ")"


def _spelled_by_acronyms(pieces: list[Piece], toks: Tokens, art: Article) -> None:
    """`People's Front for Unity and Renewal (PFUR)`, `Sher-e-Tarvo Farming College (STFC)`: the acronym in
    brackets spells the whole name, so where discovery cut the name short or into pieces, it is one mention
    from the word the acronym's first letter stands for (a nationality or place qualifying it aside)."""
    text = art.text
    if "(" not in text:
        return
    for b in list(pieces):
        end = b.first - 1
        if not _in_brackets(toks, art, b):
            continue
        first = _acronym_start(toks, art, end, toks.words[b.first])
        if first is None:
            continue
        inside = [p for p in pieces if first <= p.first and p.last <= end]
        if not inside or any(p.curated is not None for p in inside) \
                or any(p.first < first <= p.last or p.first <= end < p.last for p in pieces):
            continue
        begin, end = _qualified_span(toks, inside, first, end)
        kept = [p for p in inside if begin <= p.first and p.last <= end]
        if not kept or begin > end or toks.keys[begin] in _ACRONYM_SKIPS \
                or len(kept) == 1 and (kept[0].first, kept[0].last) == (begin, end):
            continue
        name = kept[-1]
        name.first, name.last, name.start, name.end = begin, end, toks.starts[begin], toks.ends[end]
        name.name_start = toks.starts[first] if begin > first else None
        name.name_end = toks.ends[b.first - 1] if end < b.first - 1 else None
        name.key, name.tentative = _name_key(toks.keys, begin, end), False
        name.name = text[toks.starts[first]:toks.ends[b.first - 1]]
        name.kind, name.cue = decide_kind(name, toks, art)  # (`other`: _link_definitions makes it a body's)
        gone = {id(p) for p in kept[:-1]}
        pieces[:] = [p for p in pieces if id(p) not in gone]


# (a leaning the acronym spells is part of the party's name: Liberal Workers Party)
_NATIONALITIES = DEMONYMS - POLITICAL_LEANINGS


def _qualified_span(toks: Tokens, inside: list[Piece], first: int, end: int) -> tuple[int, int]:
    """The words of first..end a mention covers: a nationality or place opening the name (Velmoran, Central
    Orlish, Tarvo) and a place after its last `of` or `in` qualify it and keep mentions of their own, as
    discovery reads them (the actor's name still holds them)."""
    keys = toks.keys
    places = {p.first: p for p in inside if p.kind == "place"}
    begin = first
    while begin <= end:
        if begin in places:
            begin = places[begin].last + 1
        elif (lead := qualifier_end(keys, begin, end, _NATIONALITIES)) > begin:
            begin = lead
        else:
            break
    last = inside[-1]
    if last.kind == "place" and last.last == end and last.first - 2 > begin and keys[last.first - 1] in ("of", "in"):
        end = last.first - 2
    return begin, end


def _acronym_start(toks: Tokens, art: Article, end: int, acronym: str, *, lower_case: bool = False) -> int | None:
    """The word the acronym's first letter stands for, reading back from `end` over capitalised words and
    the lower-case words names hold: where the initials spell the acronym's capitals (a hyphenated word's
    either by its first part or by each capitalised part: Sher-e-Tarvo, Science-Policy). With `lower_case`,
    over lower-case words, commas between them too: a thing spelled out (mining, trade and energy (MTE))."""
    letters = "".join(ch for ch in acronym if ch.isupper()).casefold()
    if len(letters) < 2 or len(acronym) > 12 or not acronym[:1].isupper():
        return None
    keys, words, gaps = toks.keys, toks.words, toks.gaps
    spells = (lambda at: words[at].islower()) if lower_case else toks.caps.__getitem__
    joining = _THING_GAPS if lower_case else _NAME_GAPS
    whole = parts = ""  # initials read so far: one per word, one per capitalised part
    m = end
    while m >= 0 and end - m < 15:
        hyphened = m > 0 and gaps[m - 1] in HYPHENS
        if spells(m) and keys[m] not in _ACRONYM_SKIPS:
            parts = keys[m][0] + parts
            if not hyphened:
                whole = keys[m][0] + whole
            if not hyphened and letters in (whole, parts):
                return m
        elif not (hyphened or m < end and gaps[m] in HYPHENS or keys[m] in _ACRONYM_SKIPS):
            return None
        if len(whole) > len(letters) and len(parts) > len(letters) or art.initial[m] or m == 0 \
                or gaps[m - 1] not in joining:
            return None
        m -= 1
    return None


def _surnames_opening_sentences(pieces: list[Piece], toks: Tokens, art: Article) -> None:
    """`Kaiwhare Young said ... Young said`: a sentence opening with the last word of a person's name the
    article gives (the first, for a family name written first: Park Tae-rin ... Park said) names that person,
    however ordinary the word (discovery drops an ordinary word opening a sentence unless a given name it
    knows came before it: Young, Brown, Hill)."""
    surnames = {}
    for p in pieces:
        if p.kind == "person" and p.cue >= 1 and len(p.key) > 1:
            if toks.caps[p.last] and p.key[-1] not in CONNECTORS and not _head_word(p.key[-1]):
                surnames.setdefault(p.key[-1], p)  # (not a `The` a name ran into, nor Tarvo Station)
            if _family_name_first(p, toks):
                surnames.setdefault(p.key[0], p)  # (a place's head word too, which the last word may not be)
    if not surnames:
        return
    keys = toks.keys
    opening = [at for at in compress(range(len(keys)), map(surnames.__contains__, keys))
               if art.initial[at] and toks.caps[at] and not toks.words[at].isupper()
               and not (toks.joins[at] and at + 1 < len(keys) and toks.caps[at + 1])]
    if not opening:
        return
    covered = {m for p in pieces for m in range(p.first, p.last + 1)}
    found = []
    for at in opening:
        piece = Piece(at, at, toks.starts[at], toks.ends[at], "person", min(surnames[keys[at]].cue, 1),
                      key=(keys[at],), name=toks.words[at])
        if at not in covered and not modifier(piece, toks):  # (not `Young people`)
            found.append(piece)
    if found:
        pieces[:] = sorted(pieces + found, key=attrgetter("start"))


def _link_definitions(pieces: list[Piece], toks: Tokens, art: Article) -> None:
    """`Long Name (ACR)` and `Full Name "Nickname"`: the second is the first, here and later on. A ticker
    after a company's name (`Velkor Motor Corp <VLKM.F>`, the wire's habit) is no name at all: dropped."""
    text = art.text
    defined: dict[tuple[str, ...], Piece] = {}
    tickers: set[int] = set()
    for before, a, b in zip([None, *pieces], pieces, pieces[1:]):
        if before is not None and before.name_end == a.end and a.kind == "place":
            a = before  # Mining Board of [Chile] (MBC): the acronym is the body's, whose name the place ends
        gap = text[a.end if a.name_end is None else a.name_end:b.start]
        if gap == " <" and text[b.end:b.end + 1] == ">" and a.kind != "place" \
                and all(w.isupper() for w in toks.words[b.first:b.last + 1]):
            tickers.add(id(b))  # (nor another name of the company: a code, and some codes are words, <UK>)
            if a.kind != "organization" and a.cue < 2:
                a.kind, a.cue = "organization", 2
        elif gap.strip() == "(" and text[b.end:b.end + 1] in ")," and b.first == b.last:
            if a.curated is not None and a.kind != "place" and toks.words[b.first].isupper() \
                    or _abbreviates(toks.words[b.first], a, toks):  # (Latin America (LATAM) is not America's)
                defined[b.key] = a  # Popular Mobilisation Authority (PMA), Indian Institute of Science (IISc)
                if a.kind == "other" and a.last > a.first:
                    a.kind, a.cue = "organization", 1  # what gets an acronym is mostly an organisation
        elif gap.strip() in ('"', "“", "‘", "'") and b.curated is None and a.kind in ("person", None):
            defined[b.key] = a
    if tickers:
        pieces[:] = [p for p in pieces if id(p) not in tickers]
    if not defined:
        return
    for p in pieces:
        target = defined.get(p.key)
        if target is not None and p is not target and p.start > target.start:
            _adopt(p, target)


def _link_initialisms(pieces: list[Piece], toks: Tokens) -> None:
    """`IBM` in a story that names International Business Machines Corp, `OPEC` with the Organization of
    Petroleum Exporting Countries: an acronym spelling the initials of the capitalised words of a body's
    name the article gives (its legal form aside) is that body, as if defined in brackets. Two letters are
    too many bodies' initials: they stand only for a company named with its legal form (GM, General Motors
    Corp; not EC, Executive Commission)."""
    acronyms = {p.key[0] for p in pieces if p.curated is None and not p.adopted and p.first == p.last
                and 1 < len(toks.words[p.first]) < 7 and toks.words[p.first].isupper()}
    if not acronyms:
        return
    named: dict[str, Piece | None] = {}
    for p in pieces:
        if p.last > p.first and p.kind not in ("person", "place") and p.name_start is None:
            words = [w for w, k in zip(toks.words[p.first:p.last + 1], toks.keys[p.first:p.last + 1])
                     if w[:1].isupper() and k not in LEGAL_FORMS]
            initials = "".join(w[0] for w in words).casefold()
            if initials in acronyms and len(words) > 1 and not any(w.isupper() for w in words) \
                    and (len(words) > 2 or toks.keys[p.last] in LEGAL_FORMS):
                _claim(named, initials, p)
    for p in pieces:
        target = named.get(p.key[0]) if p.first == p.last and p.curated is None and not p.adopted else None
        if target is not None and toks.words[p.first].isupper():
            _adopt(p, target)
            if p.kind in ("other", "person", None):
                p.kind, p.cue = "organization", max(p.cue, 1)


def _link_clipped_forms(pieces: list[Piece], toks: Tokens) -> None:
    """`the Fed` in a story naming the Federal Reserve: a word of three or four letters that clips the first
    word of one organisation's name the article gives (and names nothing else here) is that organisation."""
    clips = {p.key[0] for p in pieces if p.first == p.last and p.curated is None and not p.adopted
             and 3 <= len(toks.words[p.first]) <= 4 and toks.words[p.first].istitle()}
    if not clips:
        return
    clipped: dict[str, Piece | None] = {}
    for p in pieces:
        if p.kind == "organization" and p.last > p.first and p.name_start is None:
            first = p.key[0]
            for clip in [c for c in clips if first.startswith(c) and len(first) >= len(c) + 3]:
                _claim(clipped, clip, p)
    for p in pieces:
        target = clipped.get(p.key[0]) if p.first == p.last and p.curated is None and not p.adopted else None
        if target is not None and toks.words[p.first].istitle():
            _adopt(p, target)
            p.kind, p.cue = "organization", max(p.cue, 2)


def _claim(claims: dict[str, Piece | None], form: str, p: Piece) -> None:
    """Piece p's name is what `form` stands for in the article, unless another name claims it too (two
    bodies with the same initials: neither)."""
    current = claims.get(form, p)
    claims[form] = p if current is not None and current.key == p.key else None


def _link_nicknames(pieces: list[Piece], art: Article) -> None:
    """`Widodo – more commonly known as Jokowi`: the one-word name a person goes by is that person."""
    known: dict[tuple[str, ...], Piece] = {}
    if not _KNOWN_AS_HINT.search(art.text):
        return
    for a, b in zip(pieces, pieces[1:]):
        if a.kind == "person" and b.curated is None and b.first == b.last and b.end - a.end < 60 \
                and _KNOWN_AS.search(art.text[a.end:b.start]) and not art.toks.possessive[b.last] \
                and not (b.kind == "place" and b.cue >= 2):  # (not `Zentrix, known as Orlin's answer to Acme`)
            known[b.key] = a
    for p in pieces if known else ():
        target = known.get(p.key)
        if target is not None and p.start > target.start:
            p.name, p.curated, p.adopted = target.name, target.curated, True
            p.kind, p.cue = "person", max(target.cue, 2)


def _abbreviates(short: str, long: Piece, toks: Tokens) -> bool:
    """ACR stands for the words before it: its letters are their initials, in any order (Unión Popular, UP);
    a person's, only all of them in order (Tomás Ruvel Carvo, TRC: not Ana Lobo (PVX), her party's)."""
    if not short[:1].isupper() or len(short) > 12:
        return False
    if long.kind == "person":
        return len(short) > 1 and short.isupper() and short.casefold() == "".join(
            w[0] for w in toks.words[long.first:long.last + 1] if w[:1].isupper()).casefold()
    first = long.first if long.name_start is None else long.first - len(toks.text[long.name_start:long.start].split())
    initials = {w[0].casefold() for w in toks.words[max(first, 0):long.last + 1] if w[:1].isupper()}
    letters = {ch.casefold() for ch in short if ch.isupper()}
    return len(letters & initials) >= min(2, len(letters)) and short[0].casefold() in initials


def _adopt(p: Piece, target: Piece) -> None:
    p.name, p.curated, p.adopted = target.name, target.curated, True
    if target.cue >= p.cue:
        p.kind, p.cue = target.kind, target.cue


def _people_by_their_surnames(pieces: list[Piece], toks: Tokens) -> None:
    """`Alexandra Hill ... Chancellor Hill`, `Umm Hadvan ... Hadvan told`: a name of two or three words whose
    last word the article also writes alone is a person's when it opens with a given name, or when the
    word alone is a person and the name is no body's, and no surer cue made it something else (a place
    or body by its head word). A word right after the name's other words is that name cut, not its
    surname alone."""
    keys = toks.keys
    alone = {p.key[0]: p for p in pieces if len(p.key) == 1 and p.curated is None and not p.adopted}
    if not alone:
        return
    people: set[tuple[str, ...]] = set()
    for p in pieces:
        lone = alone.get(p.key[-1]) if 1 < len(p.key) <= 3 else None
        if lone is None or p.kind == "person" or p.curated is not None or p.name_start is not None \
                or any(_head_word(k) for k in p.key[:-1]) or lone.first and keys[lone.first - 1] == p.key[-2]:
            continue
        lone_person = lone.kind == "person" and lone.cue >= 1
        given = p.key[0] in given_names()  # (then a surname that is a head word too: Alexandra Hill, Matt Temple)
        if given and (p.cue <= 1 or lone_person) or lone_person and p.cue <= 1 and p.kind != "organization" \
                and not _head_word(p.key[-1]):
            people.add(p.key)
    for p in pieces if people else ():
        if p.key in people and p.curated is None:
            p.kind, p.cue = "person", max(p.cue, 1)


def _head_word(key: str) -> bool:
    return key in ORG_HEADS or key in PLACE_HEADS or key in EVENT_HEADS


def _link_short_forms(pieces: list[Piece], toks: Tokens, curated_here: set[str]) -> None:
    """A lone surname (`Varkett`, `Kadhimi`) is the person whose full name the article gives."""
    persons: dict[tuple[str, ...], Piece] = {}
    singles: dict[str, Piece] = {}
    for p in pieces:
        if len(p.key) > 1 and p.kind == "person":
            for size in range(1, len(p.key)):
                current = persons.get(p.key[-size:])
                if current is None or current.curated is None and p.curated is not None:
                    persons[p.key[-size:]] = p
            if _family_name_first(p, toks):
                persons.setdefault(("family",) + p.key[:1], p)  # Park Dae-rin, then Park; Li Ka-shing, then Li
            if _two_surnames(p):
                persons.setdefault(p.key[1:2], p)  # Esteban Varlo Hidalgo, then Varlo: the father's surname
                persons.setdefault(p.key[:2], p)  # Rodrigo Chaves Robles, then Rodrigo Chaves
            given = ("given",) + p.key[:1]
            persons[given] = None if given in persons and persons[given] is not p else p  # two Davids: neither
        elif len(p.key) == 1 and p.curated is None:
            singles.setdefault(p.key[0], p)
    places = {p.key for p in pieces if p.kind == "place" and p.cue >= 2 and len(p.key) == 1 and p.curated is None}
    for p in pieces:
        if len(p.key) >= 3 or p.curated is not None and len(p.key) > 1:
            continue
        key = p.key
        if p.kind == "place" and p.cue >= 2 or key in places and p.curated is None:
            continue  # (nor its other mentions: after `Orlin island`, `at Orlin` ends no guessed name)
        full = None if titled_given_name(toks, p.first, p.last) else persons.get(key)  # (King Hussein)
        if full is None and len(key) == 1 and key[0] in given_names() and key not in places:
            # (not `travelled to Korvash` where the article says `Korvash region`: the place)
            full = persons.get(("given",) + key)
        if full is None and len(key) == 1:
            full = persons.get(("family",) + key)
            if full is not None and _after_place_preposition(p, toks):
                full = None
        if full is None and len(key) == 1 and key[0].endswith("s") and len(key[0]) > 3 \
                and not (p.first and toks.keys[p.first - 1] == "the"):  # (the Gandhis: a family)
            full = persons.get((key[0][:-1],)) or singles.get(key[0][:-1])  # lost possessive: Kadhimis, Wests
        if full is None or full is p or full.kind != "person" and full.curated is not None:
            continue
        if p.kind == "place" and full.cue < 1 and full.curated is None and not _names_someone(full, key):
            continue  # Kashmir is not the last word of a guessed name (Jammu Kashmir, Velvet Taipei)
        if p.curated is not None and (p.curated.kind != "person" or p.curated.name in curated_here
                                      or full.curated is p.curated):
            continue  # a curated surname keeps its actor unless the article names someone else of that name
        if p.curated is None and p.kind == "organization" and p.cue >= 1:
            continue
        if key[-1] not in full.key:  # lost possessive: Kadhimis
            p.end -= 1
        _adopt(p, full)
        if full.kind == "person":
            p.kind, p.cue = "person", max(p.cue, 2)


def _link_landform_short_forms(pieces: list[Piece]) -> None:
    """`the Tarvan` after `the Tarvan Heights`, `the Orlin` after `the Orlin River`: a word no cue decided that
    the article also writes before a landform's head word is that place."""
    landforms = {p.key[:1]: p for p in pieces if p.kind == "place" and p.curated is None and len(p.key) == 2
                 and p.key[1] in LANDFORM_HEADS}
    for p in pieces if landforms else ():
        full = landforms.get(p.key)
        if full is not None and p.cue == 0 and p.curated is None and not p.adopted:
            _adopt(p, full)
            p.kind, p.cue = "place", 2


def _link_company_short_forms(pieces: list[Piece]) -> None:
    """`Drexel`, `Ford Motor` after `Drexel Burnham Lambert Inc`, `Ford Motor Co`: the first words of a
    company's name (one named with its legal form) alone are that company, unless two of the article's
    companies open with them or a title names a person so (the speech verb of `Merrill Lynch said` does not)."""
    companies: dict[tuple[str, ...], Piece | None] = {}
    for p in pieces:
        if p.kind == "organization" and p.curated is None and len(p.key) > 1 and p.key[-1] in LEGAL_FORMS:
            for size in range(1, len(p.key) - 1 + (p.key[-2] not in LEGAL_FORMS)):
                prefix = p.key[:size]
                if prefix in companies and companies[prefix] is not None and companies[prefix].key != p.key:
                    companies[prefix] = None
                else:
                    companies.setdefault(prefix, p)
    if not companies:
        return
    for p in pieces:
        full = companies.get(p.key)
        if full is not None and p.curated is None and not p.adopted and len(p.key) < len(full.key) \
                and not (p.kind == "place" and p.cue >= 2) and p.role is None:
            _adopt(p, full)
            p.kind, p.cue = "organization", max(p.cue, 2)


def _family_name_first(p: Piece, toks: Tokens) -> bool:
    """`Park Dae-rin`, `Li Ka-shing`: a given name of hyphenated syllables after a one-word family
    name, the order of Korean and Chinese names, where the family name alone refers back; or two words
    the first of which is short and neither a given name nor a place's, in a name a title or speech made a
    person's (`Foreign Minister Xu Velin`)."""
    keys = toks.keys
    if p.last - p.first == 1:
        return p.cue >= 2 and len(keys[p.first]) <= 5 and keys[p.first] not in given_names() \
            and (keys[p.first],) not in place_names() and toks.joins[p.first] and toks.words[p.first].istitle() \
            and toks.words[p.last].istitle() and len(keys[p.last]) > 1 and keys[p.last] not in ORG_HEADS \
            and keys[p.first] not in NAME_PARTICLES  # (not Al Varesi, De Lorvan: a particle opens a surname)
    return p.last - p.first == 2 and toks.gaps[p.last - 1] == "-" and toks.words[p.last].islower() \
        and toks.joins[p.first] and toks.caps[p.first + 1] and keys[p.first + 1] not in ORG_HEADS


def _names_someone(full: Piece, key: tuple[str, ...]) -> bool:
    """`Sbovelo Duma`: a guessed name whose other words are a given name or words no list knows, none a
    place, is a person's, so the place-like word alone (Duma) is that person."""
    return all(((k,) not in place_names() and (k in given_names() or k not in known_words())) for k in full.key if k not in key)


def _two_surnames(p: Piece) -> bool:
    """`Esteban Varlo Hidalgo`, `Luis Maldonado Orvute`: a given name and two surnames, the Spanish and
    Portuguese order, where the first surname alone refers back."""
    return len(p.key) == 3 and p.key[0] in given_names() and p.key[1] not in given_names() and len(p.key[1]) > 2


def _after_place_preposition(p: Piece, toks: Tokens) -> bool:
    """`in Pelk`, `to Pelk`: the word is read as a place there."""
    prev = p.first - 1
    return prev >= 0 and toks.words[prev].islower() and (toks.keys[prev] in PLACE_PREPOSITIONS
                                                         or toks.keys[prev] in ("to", "from", "at"))


_INITIAL = itemgetter(slice(None, 1))  # a word's first letter ("" for none), in C
_TYPO_PAIRWISE = 32  # up to this many names of the same initials, each is compared with every earlier one


def _link_typos(pieces: list[Piece]) -> None:
    """Two spellings of one name a letter apart in one article are one actor (`Abu Fadak` / `Abu Fadek`)."""
    named: dict[tuple[str, ...], Piece] = {}
    counts: dict[tuple[str, ...], int] = {}
    for p in pieces:
        if not p.adopted and not (len(p.key) == 1 and (len(p.key[0]) < 5 or p.name.isupper())):
            named.setdefault(p.key, p)
            counts[p.key] = counts.get(p.key, 0) + 1
    # a typo keeps the first letter of every word: only names with the same initials are compared
    buckets: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for key in sorted(named, key=lambda k: (named[k].curated is None, -counts[k])):
        buckets.setdefault(tuple(map(_INITIAL, key)), []).append(key)
    alias_of: dict[tuple[str, ...], Piece] = {}
    for keys in buckets.values():
        # Many names (a long article has thousands): each is compared only with the earlier ones
        # sharing one of its typo signatures, not with every earlier one.
        by_signature: dict[tuple, list[int]] | None = {} if len(keys) > _TYPO_PAIRWISE else None
        for index, key in enumerate(keys):
            signatures = _typo_signatures(key) if by_signature is not None else ()
            if named[key].curated is None:
                earlier = keys[:index] if by_signature is None else \
                    [keys[i] for i in sorted({i for signature in signatures for i in by_signature.get(signature, ())})]
                for other in earlier:
                    if other not in alias_of and _one_letter_apart(key, other):
                        alias_of[key] = named[other]
                        break
            for signature in signatures:
                by_signature.setdefault(signature, []).append(index)
    if not alias_of:
        return
    for p in pieces:
        target = alias_of.get(p.key)
        if target is not None and p.curated is None:
            _adopt(p, target)


def _typo_signatures(key: tuple[str, ...]) -> set[tuple]:
    """Signatures two names of the same initials share whenever they are one letter apart
    (`_one_letter_apart`): a typo keeps the other words, and two words one edit apart are equal once
    the same letter is dropped from both, or one letter from the longer."""
    signatures = set()
    for at, word in enumerate(key):
        if len(word) < 4:
            continue
        others = key[:at] + key[at + 1:]
        signatures.add((at, others, word))
        signatures.update((at, others, word[:cut] + word[cut + 1:]) for cut in range(len(word)))
    return signatures


def _one_letter_apart(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    differing = [(x, y) for x, y in zip(a, b) if x != y]
    if len(differing) != 1:
        return False
    x, y = differing[0]
    return min(len(x), len(y)) >= 4 and x[0] == y[0] and Levenshtein.distance(x, y) == 1
