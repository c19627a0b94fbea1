"""Finding names: the curated list's aliases, and runs of capitalised words (with name particles and
the `of` of organisation names) cut at titles, nationality adjectives, calendar words and curated
names. A title or a head word before or inside a name gives its kind here; `kinds` decides the rest."""
from __future__ import annotations

import re
from functools import cache
from bisect import bisect_right
from itertools import compress

from bot.corpus.vocabulary import (
    CALENDAR, FORMS_OF_ADDRESS, INNER_NAME_TITLES, NAME_MONTH_ABBREVIATIONS, NAME_MONTHS, PERSON_TITLES, SURNAME_TITLES,
    TITLE_FIRST_WORDS,
)
from bot.nlp.actors.article import (
    AMPERSANDS, BODY_PREPOSITIONS, CONNECTORS, HYPHENS, WORD_ENDINGS, Article, Piece, ordinary_word, starts_place,
    titled_given_name,
)
from bot.nlp.lexicon import (
    ADJECTIVE_TITLES, COMMON_STARTERS, COMPANY_WORDS, COMPASS_WORDS, DEMONYMS, DOCUMENT_HEADS, EVENT_HEADS,
    LEGAL_FORMS, LOCAL_BODY_HEADS, MEMBER_NOUNS, NAME_ABBREVIATIONS, NAME_PARTICLES, NOT_ACTOR_ACRONYMS, NOT_ACTORS,
    NOT_ROLE_WORDS, OFFICE_HEADS, ORG_HEADS, PLACE_HEADS, PLACE_OFFICE_WORDS, PLACE_PREFIXES, POLITICAL_LEANINGS,
    POSSESSIVE_ORG_WORDS, QUANTITY_WORDS, SPEECH_VERBS, SUBJECT_HEADS, SUBJECT_VERBS, SURNAME_PARTICLES,
    TEAM_ROLE_NOUNS, WEAK_ORG_HEADS, WEB_DOMAIN_ENDINGS,
)
from bot.nlp.tokens import Tokens, occurrences
from bot.nlp.world import (
    common_words, country_initials, country_names, given_names, known_words, peoples, place_names,
    state_abbreviations,
)

_TITLE_LEN = max(len(t) for t in PERSON_TITLES)
_CAMEL = re.compile(r"[ \n][a-z]{1,2}[A-Z]")  # eNCA, iLaw, uMngeni
_NICKNAME_OPENERS = (' “', ' "', " ‘", " '")
_ROMAN = re.compile(r"^[IVX]+$")
_ADJECTIVE_PREFIXES = {"sub", "trans", "intra", "neo", "semi", "quasi"}
# Prefixes that make a name an adjective or a former tie (an Anti-Orlin protest, Ex-Velkor staff): the name after
# the hyphen is the actor, however the prefix is written (not an English word: the Anti-Graft Board).
_NAME_PREFIXES = {"anti", "pro", "ex", "non", "post", "pre", "counter"}
_ADJECTIVE_ENDINGS = ("al", "ary", "ive")  # presidential, extraordinary, administrative
_SYLLABLE_PRONOUNS = {"he", "you"}  # English pronouns that are Chinese family and given names (He, You)
_APOSTROPHES = ("'", "’")  # the apostrophes _ELIDED accepts
_ELIDED = re.compile(r"^(?:d|l|dell|degl|dall)['’]\w*[A-Z]")  # d’Arc, l'Ouverture, dell'Utri
_GROUP_OF_STATES = re.compile(r"^[A-Z]{1,2}\d{1,2}$")
# Second halves of compound adjectives: Iran-backed, US-led, Tehran-based.
_COMPOUND_WORDS = {"led", "based", "backed", "born", "run", "owned", "made", "style", "type", "related", "linked",
                   "aligned", "allied", "funded", "sponsored", "affiliated", "controlled", "dominated", "oriented",
                   "friendly", "speaking", "free", "wide", "level", "class", "era", "long", "old", "like", "bound",
                   "held", "occupied", "inspired", "trained", "educated", "majority", "only", "specific", "centric"}
_AGENT_PLURALS = ("ers", "ors", "ists", "ants", "ents", "ians")
# Endings of English nouns for people by what they do (Assemblyman, Organizer, Olympians).
_AGENT_ENDINGS = _AGENT_PLURALS + ("er", "or", "ist", "ian", "man", "men", "woman", "women")
# Endings of English nouns and adjectives no name has (Ethiopic, Transitional, Development).
_NOUN_ENDINGS = ("ic", "ics", "tion", "ment", "ive", "ness")
_TREATY_PREPOSITIONS = {"on", "of", "for", "between"}  # General Accord on Fisheries, Principal Plan for Growth
_CARDINAL_POINTS = {"north", "south", "east", "west"}  # before a place's name, part of it (West Germany)
_HYPHEN_PARTICLES = {"an", "as", "at", "ad", "ar", "az", "ash", "ud", "ul", "do", "den"}


def _is_cap(word: str) -> bool:
    return word[:1].isupper()  # (toks.caps holds this for every word of a text)


def _title_at(toks: Tokens, i: int, stop: int) -> int:
    """Length of the person title starting at word i (0 when none)."""
    if toks.keys[i] not in TITLE_FIRST_WORDS or not _is_cap(toks.words[i]):
        return 0
    for size in range(min(_TITLE_LEN, stop - i + 1), 0, -1):
        if tuple(toks.keys[i:i + size]) in PERSON_TITLES and all(toks.joins[j] for j in range(i, i + size - 1)):
            after = i + size
            return 0 if after <= stop and _opens_other_name(toks, i, after, stop) else size
    return 0


def _opens_other_name(toks: Tokens, i: int, after: int, stop: int) -> bool:
    """Whether the title words i..after-1 open the name of something other than a person: a body's head word
    right after them (`General Assembly`, `Supreme Court`); a company's words up to its legal form (`General
    Granite Co`: no person's name ends in one); capitalised words that are no given names or nationalities up
    to a body's head word (`General Tariff Office`, not `Senator Mara Church`); after a one-word title that is an
    adjective too, a treaty's or an event's head word and its preposition (`General Accord on Fisheries`)."""
    keys = toks.keys
    if keys[after] in ORG_HEADS or _legal_form_ends(toks, after, stop):
        return True
    if toks.caps[after]:
        last = _joined_capitals_end(toks, after, stop, lambda key: key not in given_names() and key not in DEMONYMS)
        if last > after and keys[last] in ORG_HEADS:
            return True
    return after == i + 1 and keys[i] in ADJECTIVE_TITLES \
        and (keys[after] in DOCUMENT_HEADS or keys[after] in EVENT_HEADS) \
        and after + 1 < len(keys) and keys[after + 1] in _TREATY_PREPOSITIONS and toks.joins[after]


def _joined_capitals_end(toks: Tokens, i: int, stop: int, goes_on) -> int:
    """The last of the words joined to word i by capitalised words, walking on while `goes_on` holds for the
    key of each word left behind (no further than `stop`)."""
    k = i
    while k < stop and toks.joins[k] and toks.caps[k + 1] and goes_on(toks.keys[k]):
        k += 1
    return k


def _not_legal_form(key: str) -> bool:
    return key not in LEGAL_FORMS


def _legal_form_ends(toks: Tokens, i: int, stop: int) -> bool:
    """The capitalised words from i on, joined, end in a company's legal form (Granite Co, Velkor Holdings Ltd)."""
    k = _joined_capitals_end(toks, i, stop, _not_legal_form)
    return k > i and toks.keys[k] in LEGAL_FORMS


def _only_legal_forms_follow(toks: Tokens, k: int) -> bool:
    """The capitalised words from k on are legal forms only (Co, Co Inc): the end of a company's name."""
    while toks.joins[k] and toks.caps[k + 1] and toks.keys[k + 1] in LEGAL_FORMS:
        k += 1
    return not (toks.joins[k] and toks.caps[k + 1])


def _ordinary_company_end(toks: Tokens, k: int) -> bool:
    """The capitalised words from k on are English words (no place) up to a company's legal form."""
    m = _joined_capitals_end(toks, k, len(toks.words) - 1, _not_legal_form)
    return m > k and toks.keys[m] in LEGAL_FORMS and all(
        toks.keys[w] in known_words() and (toks.keys[w],) not in place_names() and not toks.words[w].isupper()
        for w in range(k, m))


def find_pieces(toks: Tokens, art: Article, gazetteer) -> list[Piece]:
    """The names in the text in reading order: the curated list's aliases and the runs discovered around them."""
    n = len(toks.words)
    keys, caps = toks.keys, toks.caps
    hits = {}
    if gazetteer is not None:
        first_words, openings = gazetteer.first_words_or_plurals, gazetteer.lower_case_openings
        after = -1
        for i in list(compress(range(n), map(first_words.__contains__, keys))):
            if not caps[i] and (keys[i] not in openings or openings[keys[i]] is not None
                                and not (i + 1 < n and keys[i + 1] in openings[keys[i]])):
                continue  # (no alias starts so in lower case: Gazetteer.match would refuse it)
            if i > after and not art.shouting[i] and not (art.dateline[i] and art.furniture[i]):
                hit = gazetteer.match(toks, i)
                if hit is not None and not (i and toks.joins[i - 1] and caps[i - 1]
                                            and tuple(keys[i - 1:hit.last + 1]) in place_names()) \
                        and not _surname_of_given_name(toks, hit, i):
                    hits[i] = hit  # (not the Dawa of Dire Dawa: a place's name holds the alias)
                    after = hit.last
        _drop_out_of_context(hits, toks, art, gazetteer)
    _mark_lower_case_brands(toks, art)
    _mark_elided_particles(toks)
    pieces: list[Piece] = []
    after = -1
    # (the words that can open a name, picked out by C-level maps: most words cannot)
    starts = set(compress(range(n), caps)).union(hits, compress(range(n), map(NAME_PARTICLES.__contains__, keys)))
    for i in sorted(starts):
        if i <= after:
            continue
        if i in hits or not art.furniture[i] and (caps[i] or _is_particle(toks, i) and toks.joins[i] and caps[i + 1]):
            after = _run_end(toks, art, hits, i)
            _segment(toks, art, hits, i, after, pieces)
    return pieces


def _surname_of_given_name(toks: Tokens, hit, i: int) -> bool:
    """A curated place of one word right after a given name alone (Lucinda Jordan) is that person's surname."""
    return hit.alias.actor.kind == "place" and hit.last == i and i > 0 and toks.gaps[i - 1] == " " \
        and _given_name_alone(toks, i - 1) and not (i > 1 and toks.joins[i - 2] and toks.caps[i - 2])


def _drop_out_of_context(hits: dict, toks: Tokens, art: Article, gazetteer) -> None:
    """Curated matches the article gives no evidence for (Gazetteer.evident): an acronym or an ordinary
    word of the list with no other name of its actor, no words of the beat and no date in its active
    years around it, or any name of an actor in an article dated before it existed. Their words are
    read as any other capitalised words."""
    if not hits:
        return
    named = {hit.alias.actor.name for hit in hits.values() if not hit.alias.contextual}
    beat: list[set[str]] = []  # the article's beat words, read once and only when a match needs them

    def beat_words() -> set[str]:
        if not beat:
            beat.append(gazetteer.beat_words_in(toks.keys))
        return beat[0]

    for i, hit in list(hits.items()):
        if not gazetteer.evident(hit, named, art.year, beat_words):
            del hits[i]


def _mark_lower_case_brands(toks: Tokens, art: Article) -> None:
    """Names written in lower case count as capitalised: `eNCA`, `iLaw` (a capital inside), and a word no
    English word list knows before an organisation's head word (`afrol News`)."""
    words, keys, caps, joins = toks.words, toks.keys, toks.caps, toks.joins
    for match in _CAMEL.finditer(toks.text):
        i = bisect_right(toks.starts, match.start() + 1) - 1
        if len(words[i]) > 3 and words[i][:1].islower():
            caps[i] = True
    unknown = art.lower - known_words()  # (most articles have no lower-case word that no list knows)
    if not unknown:
        return
    for i in [*compress(range(len(keys) - 1), map(unknown.__contains__, keys))]:
        key = keys[i]
        if caps[i + 1] and keys[i + 1] in ORG_HEADS and not caps[i] and joins[i] and len(key) > 2 \
                and key not in NAME_PARTICLES and words[i].isalpha() \
                and words[i].islower() and not (i + 2 < len(words) and joins[i + 1] and caps[i + 2]):
            caps[i] = True


def _mark_elided_particles(toks: Tokens) -> None:
    """`Joan d’Arc Kamanzi`, `Valéry Giscard d'Estaing`: a particle elided onto a capitalised name
    (d’, l’, dell’) is a word of the name, written in lower case; it counts as capitalised after another
    capitalised word."""
    words, caps, joins = toks.words, toks.caps, toks.joins
    if "'" not in toks.text and "’" not in toks.text:
        return  # (most texts: no elision to look at)
    for i in _words_with_apostrophes(toks):
        if i and not caps[i] and joins[i - 1] and caps[i - 1] and _ELIDED.match(words[i]):
            caps[i] = True


def _words_with_apostrophes(toks: Tokens) -> list[int]:
    """The words holding an apostrophe (found in the text: few words do), in order."""
    found: list[int] = []
    starts, ends = toks.starts, toks.ends
    for at in occurrences(toks.text, _APOSTROPHES):
        i = bisect_right(starts, at) - 1
        if i >= 0 and at < ends[i] and (not found or found[-1] != i):
            found.append(i)
    return found


def _run_end(toks: Tokens, art: Article, hits: dict, i: int) -> int:
    """Last word of the run of joined capitalised words (and name connectors) starting at i."""
    words, keys, joins = toks.words, toks.keys, toks.joins
    n = len(toks.words)
    j = hits[i].last if i in hits else i
    has_head = keys[j] in ORG_HEADS or keys[j] in TITLE_FIRST_WORDS or keys[j] in PLACE_HEADS
    while j + 1 < n:
        if toks.gaps[j] == "." and _web_domain(toks, j + 1):
            return j + 1  # Amazon.com, Salon.com: a web address names the business
        if not joins[j] and not _possessive_org(toks, j):
            gap = toks.gaps[j]
            if gap == ", ":  # Ministry of Sport, Youth[ and National Service]; VarnoWorks, Inc
                listed = _comma_list_end(toks, art, hits, i, j, has_head)
            elif gap in _NICKNAME_OPENERS:
                listed = _nickname_end(toks, i, j)  # José “Pepe” Mujica
            elif gap in AMPERSANDS:
                listed = j + 1 if _ampersand_joins(toks, art, i, j) else -1  # Frost & Sullivan
            else:
                break
            if listed < 0:
                break
            j = listed  # Ministry of Sport, Youth[ and National Service]; VarnoWorks, Inc
            continue
        nxt = j + 1
        if art.initial[nxt] or art.furniture[nxt]:
            break
        if nxt in hits or toks.caps[nxt] or _name_syllable(toks, j):
            j = hits[nxt].last if nxt in hits else nxt
            has_head = has_head or keys[j] in ORG_HEADS or keys[j] in TITLE_FIRST_WORDS or keys[j] in PLACE_HEADS
            continue
        # a lower-case particle or connector, kept only when a capitalised word follows
        key, k = keys[nxt], nxt
        if key in ("of", "for", "on") and k + 1 < n and joins[k] and keys[k + 1] == "the":
            k += 1
        if not (k + 1 < n and joins[k] and (_is_cap(words[k + 1]) or k + 1 in hits) and not art.initial[k + 1]):
            break
        if k == nxt and _is_particle(toks, nxt):
            j = k
        elif key in ("of", "for", "on") and has_head:
            j = k
        elif key == "the" and _epithet_follows(toks, j, k + 1):
            j = k  # Peter the Great, Ivan the Terrible
        elif key == "and" and keys[k + 1] in LEGAL_FORMS and _only_legal_forms_follow(toks, k + 1):
            j = k  # Goldman Sachs and Co, Quarrington Lytt and Co Inc: the firm's legal form after its `and`
        elif key == "and" and keys[j] not in LEGAL_FORMS and _subject_word(toks, j) and _ordinary_company_end(toks, k + 1):
            j = k  # Pacific Gas and Electric Co: ordinary words either side of the `and`, then the legal form
        elif key == "and" and _org_head_follows(toks, k + 1) and _subject_word(
                toks, j, alone=all(keys[m] == "the" for m in range(i, j))) and (
                any(keys[m] in ("of", "for", "on") for m in range(i, j)) or j - i < 3 and not has_head):
            j = k  # National Counterintelligence and Security Center, Czech Economic and Cultural Office
        elif key == "and" and j - i < 3 and all(_plain_name_word(toks, m) for m in range(i, j + 1)) \
                and _org_head_follows(toks, k + 1, weak=_last_is_head(toks, k + 1)):
            j = k  # Savings and Loan Association, Water Supply and Drainage Division: ordinary words, then a body
        elif key == "and" and has_head and any(keys[m] in ("of", "for") for m in range(i, j)) \
                and _ends_subject(toks, hits, k + 1):
            j = k  # Ministry of Science and Technology, Department of Economic and Social Affairs
        elif key == "and" and _portfolio_goes_on(toks, i, j, k + 1):
            j = k  # Minister of Energy and Natural Resources [Ali Veli]: the role runs on to the name
        elif key in BODY_PREPOSITIONS and (i == j or not toks.caps[j - 1]) and _plain_word(toks, j) \
                and _plain_word(toks, k + 1) \
                and not (k + 2 < n and joins[k + 1] and toks.caps[k + 2]):
            j = k  # Freedom from Torture, Doctors without Borders: ordinary words a preposition joins name a body
        else:
            break
    return j


def _web_domain(toks: Tokens, k: int) -> bool:
    """The `com` of `Amazon.com`: a web address's ending glued to the name before it (not the `com` of
    `Amazon.com.au`)."""
    return toks.gaps[k - 1] == "." and toks.keys[k] in WEB_DOMAIN_ENDINGS and toks.words[k].islower() \
        and not (toks.gaps[k] == "." and k + 1 < len(toks.words))


def _epithet_follows(toks: Tokens, j: int, k: int) -> bool:
    """`Peter the Great`, `Ivan the Terrible`: `the` and one capitalised English word after a given name is the
    epithet the person is known by (not Ahmed the President: a title)."""
    keys = toks.keys
    return keys[j] in given_names() and toks.caps[j] and toks.words[k].istitle() and keys[k] in known_words() \
        and not (toks.joins[k] and toks.caps[k + 1]) and keys[k] not in ORG_HEADS and keys[k] not in PLACE_HEADS \
        and keys[k] not in TITLE_FIRST_WORDS and keys[k] not in DEMONYMS and (keys[k],) not in place_names()


def _portfolio_goes_on(toks: Tokens, i: int, j: int, k: int) -> bool:
    """After `Minister of Energy and`: ordinary capitalised words, then a given name, go on with the title's
    portfolio up to the person it introduces (the run i..j holds a title and its `of`)."""
    keys, caps = toks.keys, toks.caps
    if not any((size := _title_at(toks, m, j)) and m + size <= j and keys[m + size] in ("of", "for")
               for m in range(i, j)):
        return False
    end = k
    while end < len(keys) and end - k < 3 and caps[end] and keys[end] in common_words() \
            and keys[end] not in given_names() and (keys[end],) not in place_names() and toks.joins[end]:
        end += 1
    return k < end < len(keys) and caps[end] and keys[end] in given_names()


def _plain_word(toks: Tokens, j: int) -> bool:
    """Freedom, Torture, Borders: ordinary words a preposition can join into a body's name."""
    return _capitalised_common_word(toks, j) and toks.keys[j] not in COMMON_STARTERS


def _ampersand_joins(toks: Tokens, art: Article, i: int, j: int) -> bool:
    """`Frost & Sullivan`, `Bath & Body Works`: an ampersand joins the halves of a firm's name, not two
    people (Benjamin Tarvim & Kojo Velnan), two places (Kampala & Tarvunga) or letters (R&D, J&K)."""
    keys, words, nxt = toks.keys, toks.words, j + 1
    return toks.caps[nxt] and not art.initial[nxt] \
        and not _persons_around(toks, i, j, nxt) \
        and len(words[j]) > 2 and len(words[nxt]) > 2 \
        and (keys[j],) not in place_names() and (keys[nxt],) not in place_names() \
        and not _title_at(toks, nxt, len(toks.words) - 1) and not (toks.joins[nxt] and _title_at(toks, nxt + 1, len(toks.words) - 1))


def _persons_around(toks: Tokens, i: int, j: int, nxt: int) -> bool:
    """People on either side of an ampersand: a given name and a surname (Benjamin Tarvim & Kojo Velnan), or a
    given name alone on both sides (Tom & Ann). A surname that is also a given name (Marks & Spencer,
    Procter & Gamble Co) or a word before a firm's own words (Acme Shipbuilding &) is none."""
    keys, caps = toks.keys, toks.caps

    def person_at(m: int, end: int) -> bool:
        return keys[m] in given_names() and keys[m] not in common_words() and m < end and caps[m + 1] \
            and keys[m + 1] not in common_words() and keys[m + 1] not in COMPANY_WORDS and keys[m + 1] not in ORG_HEADS

    after = nxt + 1 if nxt + 1 < len(keys) and toks.joins[nxt] else nxt
    return person_at(i, j) or person_at(nxt, after) \
        or i == j and keys[i] in given_names() and keys[nxt] in given_names() and after == nxt


def _nickname_end(toks: Tokens, i: int, j: int) -> int:
    """`José “Pepe” Mujica`, `Joaquín “El Chapo” Guzmán`: a nickname in quotes between a given name and
    the surname is part of the name, whatever stands before the name (Former President José “Pepe” Mujica).
    Returns the surname's word, or -1."""
    keys, caps, joins, gaps = toks.keys, toks.caps, toks.joins, toks.gaps
    before = [keys[j]] + ([keys[j - 1]] if j > i and joins[j - 1] and caps[j - 1] else [])
    if gaps[j] not in _NICKNAME_OPENERS or j + 2 >= len(toks.words) \
            or not any(key in given_names() or key not in known_words() for key in before):
        return -1  # (a given name, or a word no English list knows, before the quote: Tenzingdorje “Tenz” Lama)
    k = end = j + 1
    while end - k < 2 and joins[end] and caps[end + 1]:
        end += 1
    if not caps[k] or end + 1 >= len(toks.words) or gaps[end] not in ('” ', '" ', "’ ", "' ") or not caps[end + 1] \
            or keys[end + 1] in SPEECH_VERBS:
        return -1
    return end + 1


def _comma_list_end(toks: Tokens, art: Article, hits: dict, i: int, j: int, has_head: bool) -> int:
    """A comma inside a name: a company's legal form (`VarnoWorks, Inc`), or the list of
    subjects of a body (`Ministry of Agriculture, Livestock and Fisheries`). Returns the last word the
    name reaches past the comma (the `and` of a list), or -1."""
    keys, caps, joins, gaps = toks.keys, toks.caps, toks.joins, toks.gaps
    n = len(toks.words)
    nxt = j + 1
    if gaps[j] != ", " or nxt >= n or not caps[nxt] or art.initial[nxt] or art.furniture[nxt] or nxt in hits:
        return -1
    if keys[nxt] in LEGAL_FORMS and not (joins[nxt] and caps[nxt + 1]):
        return nxt
    of = next((m for m in range(i + 1, j) if keys[m] in ("of", "for")), None)
    if not has_head or of is None or keys[of - 1] not in ORG_HEADS:
        return -1  # (Minister for Gender, Labour and...: a title's portfolio, not a body)
    k = nxt
    for _ in range(5):  # items of one to three words: Gender, Labour[ and Social Development]
        if k >= n or not caps[k] or k in hits or keys[k] in DEMONYMS or (keys[k],) in place_names() \
                or toks.words[k].isupper():
            return -1
        end = k
        while end + 1 < n and joins[end] and caps[end + 1] and end - k < 2 and end + 1 not in hits:
            end += 1
        if gaps[end] == ", " and end + 1 < n and caps[end + 1]:
            k = end + 1
            continue
        if end + 2 < n and keys[end + 1] == "and" and (joins[end] or gaps[end] == ", ") and joins[end + 1] \
                and _ends_subject(toks, hits, end + 2):
            return end + 1
        return -1
    return -1


def _subject_word(toks: Tokens, j: int, alone: bool = False) -> bool:
    """The word before the `and` of one name is an ordinary word (Economic and Cultural Office), not the end
    of a name of its own (TerraForm Labs and Luna Foundation Guard, University of Mongolia and ...). A
    company's word alone names no company (Securities and Exchange Commission)."""
    key = toks.keys[j]
    return (key in known_words() or key.endswith(("al", "ic", "ary", "ive"))) and (alone or key not in COMPANY_WORDS) \
        and (key,) not in place_names() \
        and not toks.words[j].isupper()


def _ends_subject(toks: Tokens, hits: dict, i: int) -> bool:
    """After `Ministry of Science and`: one to three capitalised words that end the name (Technology,
    Marine Biology), not a place, a known actor or a person of their own (and Iraq, and Ahmed Ali), nor
    a body's name (and Orlin Bank; a weak head word inside the words heads nothing: and International Studies).
    A lower-case sentence may go on after them (Ministry of Ports and Industry and the ...)."""
    end = i
    while end + 1 < len(toks.words) and toks.joins[end] and toks.caps[end + 1] and end - i < 3:
        end += 1
    if end - i >= 3 or end + 2 < len(toks.words) and toks.joins[end] and toks.keys[end + 1] in ("of", "for", "and") \
            and toks.joins[end + 1] and toks.caps[end + 2]:
        return False  # (the capitalised words go on after an `of` or `and` of their own)
    span = tuple(toks.keys[i:end + 1])
    return not any(m in hits for m in range(i, end + 1)) and span not in place_names() \
        and span[0] not in given_names() and not any(
            k in ORG_HEADS and k not in SUBJECT_HEADS and (k not in WEAK_ORG_HEADS or k == span[-1]) for k in span)


def _name_syllable(toks: Tokens, j: int) -> bool:
    """`Ma Ying-jeou`, `Moon Jae-in`, `Prayut Chan-o-cha`: a lower-case syllable hyphenated to a name
    (not `Iran-backed`, `US-led`)."""
    nxt = j + 1
    if toks.gap(j) != "-" or not toks.keys[nxt].isalpha() or toks.keys[nxt] in _COMPOUND_WORDS:
        return False
    if toks.keys[nxt] not in common_words() and toks.keys[nxt] not in NAME_PARTICLES and _is_cap(toks.words[j]):
        return True
    # inside a name of several words, short syllables count even when they are English words (Jae-in)
    return len(toks.keys[nxt]) <= 4 and j > 0 and toks.joins[j - 1] and _is_cap(toks.words[j - 1]) \
        and (_is_cap(toks.words[j]) or toks.gap(j - 1) == "-")


def _possessive_org(toks: Tokens, j: int) -> bool:
    """`People's Front for Democracy`, `Children's Fund`, `National Shippers' Council`: a possessive
    inside an organisation's name."""
    if toks.possessive[j]:
        if toks.text[toks.ends[j] + 2:toks.starts[j + 1]] != " " or j + 1 >= len(toks.words):
            return False
        if toks.keys[j + 1] in OFFICE_HEADS and toks.caps[j] and toks.caps[j + 1] and not toks.words[j].isupper() \
                and (toks.keys[j],) not in place_names() and toks.keys[j] not in ORG_HEADS:
            return True  # Magistrate's Court, Attorney General's Office, King's College
        if _possessive_company(toks, j):
            return True  # Moody's Investors Service Inc
        inside = toks.keys[j] in POSSESSIVE_ORG_WORDS
    else:  # a plural's bare apostrophe
        inside = toks.gaps[j] in ("' ", "’ ") and toks.words[j][-1:] == "s" and toks.caps[j]
    return inside and j + 1 < len(toks.words) and _org_head_follows(toks, j + 1, weak=True)


def _possessive_company(toks: Tokens, j: int) -> bool:
    """`Moody's Investors Service Inc`: a name that is no frequent English word, in the possessive, then ordinary
    words ending in a company's legal form, are one company's name: the ordinary words name no company of
    their own (not Chrysler's American Motors Corp, a company of its own)."""
    keys, k = toks.keys, j + 1
    if not toks.caps[j] or keys[j] in common_words() or toks.words[j].isupper():
        return False
    while k < len(keys) and toks.caps[k] and keys[k] not in LEGAL_FORMS:
        if keys[k] not in common_words() or keys[k] in DEMONYMS or keys[k] in COMPANY_WORDS \
                or (keys[k],) in place_names() or not toks.joins[k]:
            return False
        k += 1
    return j + 1 < k < len(keys) and keys[k] in LEGAL_FORMS and toks.caps[k]


def _org_head_follows(toks: Tokens, i: int, weak: bool = False) -> bool:
    """`National Counterintelligence and Security Center`, `Securities and Exchange Commission`: an `and`
    inside an organisation's name (a weak head word, Exchange, counts when a strong one follows)."""
    while i < len(toks.words) and (_is_cap(toks.words[i]) or toks.keys[i] == "and"):
        if toks.keys[i] in ORG_HEADS and (weak or toks.keys[i] not in WEAK_ORG_HEADS):
            return True
        if not toks.joins[i]:
            break
        i += 1
    return False


def _last_is_head(toks: Tokens, i: int) -> bool:
    """The capitalised words from i on end in an organisation's head word, weak ones included (Trade and
    [Export Group], Road Safety and [Licensing Service])."""
    while i + 1 < len(toks.words) and toks.joins[i] and toks.caps[i + 1]:
        i += 1
    return toks.keys[i] in ORG_HEADS


def _plain_name_word(toks: Tokens, m: int) -> bool:
    """A capitalised frequent English word that is no head word, given name, place or company word: one
    that names no body by itself (Savings, Road Safety): before an `and` and a body's words, it opens the
    body's name (not Acme and [Zenith Oil], Jane Doe and [City Hall])."""
    key = toks.keys[m]
    return _capitalised_common_word(toks, m) and key not in ORG_HEADS and key not in COMPANY_WORDS


def _is_particle(toks: Tokens, i: int) -> bool:
    """al-, bin, abu, de, van...; the ones that are also English words (as, at, an) only with a hyphen."""
    key = toks.keys[i]
    if key not in NAME_PARTICLES or not toks.words[i].islower():
        return False
    return key not in _HYPHEN_PARTICLES or i + 1 < len(toks.words) and toks.gap(i) == "-"


def _segment(toks: Tokens, art: Article, hits: dict, first: int, stop: int, out: list[Piece]) -> None:
    """Cut one run into names: curated hits, titles (kept as cues), demonyms and common words dropped."""
    words, keys = toks.words, toks.keys
    j = first
    title_cue = False
    role = None  # first word of the titles before a name, and whether one names an office (not only Mr)
    while j <= stop:
        hit = hits.get(j)
        if hit is not None:
            alias = hit.alias
            end = hit.end - (keys[hit.last] != alias.keys[-1])  # Khameneis: the s of a lost possessive
            # European Union, South African Airways: the nationality or creed qualifies the body's head word
            lead = hit.last if alias.actor.kind == "organization" and keys[hit.last] in ORG_HEADS \
                and qualifier_end(keys, j, hit.last) == hit.last else j
            out.append(Piece(lead, hit.last, toks.starts[lead], end, alias.actor.kind, 3, alias.actor,
                             name_start=hit.start if lead > j else None))
            j = hit.last + 1
            title_cue, role = False, None
            continue
        size = _title_at(toks, j, stop)
        if size == 1 and j == stop and keys[j] in SURNAME_TITLES:
            # `Chief said`, `says Dean`: a title naming no one after it is kept while the article may name
            # someone of that surname (Mandy Chief)
            out.append(Piece(j, j, toks.starts[j], toks.ends[j], tentative=True))
            j += 1
            continue
        if size:
            office = tuple(keys[j:j + size]) not in FORMS_OF_ADDRESS
            role = (j, office) if role is None else (role[0], role[1] or office)
            j += size
            name, place = _portfolio_end(toks, j, stop)  # Minister of Tourism [Iván Torvildsen]
            if name == j and keys[j - 1] in ("minister", "ministers"):
                name = _portfolio_only(toks, j, stop)  # Minister of [Health and Sport]: the office, no body
            if place >= 0:
                out.append(Piece(place, name - 1, toks.starts[place], toks.ends[name - 1], "place", 3))
            j = name
            title_cue = True
            continue
        key = keys[j]
        if j < stop and _country_people(keys, j) and not _names_with_demonym(toks, j + 1, stop, hits):
            j += 2  # Puerto Ricans, New Zealanders: a country's people, as a nationality adjective
            title_cue, role = False, None
            continue
        if key in DEMONYMS and _names_with_demonym(toks, j, stop, hits):
            pass  # Persian Gulf, Iranian Foreign Ministry, Arab Spring
        elif key in DEMONYMS or _not_actor(words[j], key) and not _pronoun_in_name(toks, art, j, stop) \
                or key in ("the", "a", "an") or _is_date_word(toks, j) or _prefixed_adjective(toks, j) or not (
                toks.caps[j] or _is_particle(toks, j) and j < stop):
            j += 1
            title_cue, role = False, None
            continue
        if j < stop and key in common_words() and key not in given_names() and key not in NAME_ABBREVIATIONS \
                and _title_at(toks, j + 1, stop):
            role = (j, False) if role is None else role
            j += 1  # Chief [Election] Commissioner, [Health] Minister, Prison Warden: what the title is of
            continue
        if art.initial[j] and (ordinary_word(key, art) or _adverb(key)
                               or j < stop and _gerund(key) and words[j].isascii()) \
                and not (key in art.cap_inside and key not in COMMON_STARTERS) \
                and not (key in art.surnames and key not in COMMON_STARTERS) \
                and not (j < stop and (key in SURNAME_PARTICLES or key in NAME_ABBREVIATIONS or _initial(toks, j))) \
                and not starts_place(toks, j, stop) and not (_opens_body(key) and j < stop and (
                    _org_head_follows(toks, j + 1, weak=True) or key in ORG_HEADS and keys[j + 1] in ("of", "for"))):
            j += 1
            continue
        # a discovered name: up to the next title, curated name (unless a surname of one), date or demonym
        inside_of = before_person = False
        end = j
        k = j + 1
        while k <= stop:
            hit = hits.get(k)
            if hit is not None:
                if hit.alias.surname and _is_cap(words[end]) and keys[end] not in NAME_PARTICLES:
                    end = k = hit.last  # Mojtaba Khamenei is not Ali Khamenei
                    k += 1
                    continue
                break
            if keys[k] in CONNECTORS and not _is_cap(words[k]):
                if title_cue and keys[k] in ("of", "for") and (
                        not any(keys[m] in ORG_HEADS for m in range(j, k)) or given_and_surname(toks, j, k - 1)):
                    break  # Justice Orvang Eden Tekwo [of the Federal High Court]: a titled person, then a body
                    # (Chief Tarna House [of Velsasibi]: a surname that is a head word too)
                inside_of = True  # Ministry of Justice, Federation of Cuban Women
            elif not inside_of and (_title_at(toks, k, stop) and not _name_word_after_given_name(toks, k, stop)
                                    and keys[k - 1] not in NAME_ABBREVIATIONS  # Mohd Shah Azhar
                                    and not _surname_like_title(toks, j, k, stop)
                                    or keys[k] in DEMONYMS and not _names_with_demonym(toks, k, stop, hits)
                                    and not _surname_like_title(toks, j, k, stop)):
                break
            elif inside_of and _titles_person(toks, k, stop):
                break  # Cabinet of [Prime Minister Fumio Kishida]: the person is a name of their own
            elif _person_after_role_or_body(toks, j, k, stop, title_cue or j > 0 and keys[j - 1] in ("for", "of")
                                            and not toks.caps[j - 1]):
                before_person = True
                break  # Assembly of First Nations [Cindy Varhouse], ANC NEC [Jeff Tolvebe], Assemblyman [Ronny Valeaga]
            if _is_date_word(toks, k) or keys[k] in NOT_ACTORS and keys[k] in COMMON_STARTERS \
                    and not _pronoun_in_name(toks, art, k, stop):
                break  # a pronoun run on: Obama I
            if _body_acronym_after_name(toks, j, k):
                break  # Gilbert Tavungbo [ILO]: the body the person speaks for, named after them
            if _plural_acronym(words[k]):
                break  # Labour MPs, Congress MLAs: members of the body, named by a plural acronym
            end = k
            k += 1
        while end > j and (keys[end] in NAME_PARTICLES or keys[end] in CONNECTORS) and not _is_cap(words[end]) \
                and toks.gap(end - 1) != "-":
            end -= 1  # a trailing particle or connector (not a syllable: Tan Wei-an)
        if end > j and len(words[end]) > 1 and _ROMAN.match(words[end]) and toks.caps[end - 1] \
                and not words[end - 1].isupper():
            end -= 1  # Mohamed VI, Orvae Edu XV: a ruler's number is not part of the name
        piece = Piece(j, end, toks.starts[j], toks.ends[end])
        before = out[-1] if out else None
        if (before is not None and before.curated is not None and before.last == j - 1
                and toks.joins[j - 1] and _names_body(keys, j, end)):
            if before.kind == "place":
                piece.name_start = before.start  # UK Border Force: a place that starts an organisation's name
                if not plural_noun(keys[end]) and not (before.first > 0 and keys[before.first - 1] in ("a", "an")):
                    piece.kind, piece.cue = "organization", 2  # US Embassy, Tarvo Daily (not U.S. Banks, a ... Unit)
            elif before.kind == "organization":
                out.pop()  # UN Human Rights Council: a body of the organisation, named with it
                piece = Piece(before.first, end, before.start, toks.ends[end], "organization", 2)
        if before_person:
            # the person's role runs on to the name: the title's, or from the words before it
            role_start = role[0] if role is not None else _role_opening(toks, j)
            # (Namibian Olympians: a group the person is one of, no office)
            role = None if plural_noun(keys[end]) or keys[end][-1] == "s" and _agent_noun(toks, end) \
                else (role_start, True)
            if _names_role(toks, j, end):  # Assemblyman, MEC for [Finance]: a role, no name of its own
                j, title_cue = end + 1, True
                continue
            body = _body_after_portfolio(toks, j, end)
            if body > j:  # Regional Director for [Africa] of [ILO]: the portfolio's place, then the body
                if tuple(keys[j:body - 1]) in place_names():
                    out.append(Piece(j, body - 2, toks.starts[j], toks.ends[body - 2], "place", 2))
                body += keys[body] == "the"
                piece = Piece(body, end, toks.starts[body], toks.ends[end])
            if piece.kind is None and end > j and not art.initial[j] and all(toks.caps[m] for m in range(j, end + 1)) \
                    and keys[end] not in PLACE_HEADS:
                piece.kind, piece.cue = "organization", 1  # what the person speaks for: Fox Business [Maria Bartiromo]
            if _keep(piece, toks, art):
                out.extend(_split_places(piece, toks))
            j, title_cue = end + 1, True
            continue
        if end > j and _web_domain(toks, end):
            piece.kind, piece.cue = "organization", 2
        if title_cue and employs_person_after(toks, j, end):
            piece.kind, piece.cue = "organization", 2  # Former Velkor TV anchor Jo Tarn: whom the person worked for
        elif title_cue and _role_words(toks, j, end):
            j = end + 1  # Vice [Presidential] hopeful, Deputy [Trade Ministers]: the words of a role, no one's name
            title_cue, role = False, None
            continue
        elif title_cue and _phrase_after_adjective_title(toks, art, role, j, end):
            # Chief Clerk, Senior Partner, General Harvest: the title word opens the phrase, whose kind the
            # context decides
            piece = Piece(j - 1, end, toks.starts[j - 1], toks.ends[end])
        elif title_cue:
            piece.kind, piece.cue = "person", 2
            if titled_given_name(toks, j, end):
                piece.name_start = toks.starts[j - 1]  # Imam Ali, King Salman: the name takes the title
            if role is not None and role[1] and (keys[j] in given_names() or keys[j] not in common_words()):
                piece.role = art.text[toks.starts[role[0]]:toks.ends[j - 1]]  # (not General [Acquisition])
        if j == end and keys[j] in _CARDINAL_POINTS and toks.joins[j] and end + 1 in hits \
                and hits[end + 1].alias.actor.kind == "place":
            pass  # West [Germany]: the curated place is the mention, its compass word no name of its own
        elif _keep(piece, toks, art) and not _after_quantity(toks, j):
            out.extend(_split_places(piece, toks))
        j = end + 1
        title_cue, role = False, None


def _role_words(toks: Tokens, first: int, end: int) -> bool:
    """`Vice Presidential hopeful`, `Envoy Extraordinary`, `Deputy Trade Ministers`: after a title, ordinary English
    words (no given name) ending in an adjective or, several of them, in a plural noun go on with the role or name a
    kind of thing; a surname that is an English word (Carpenter) is neither, nor a body's name (Premier Tarvel
    Services, Senior Staff Union of Orlin Colleges: its head word or its `of`)."""
    keys = toks.keys
    if not _english_words(toks, first, end) or any(keys[m] in CONNECTORS for m in range(first, end + 1)) \
            or keys[end] in ORG_HEADS:
        return False
    return keys[end].endswith(_ADJECTIVE_ENDINGS) or end > first and plural_noun(keys[end])


def _english_words(toks: Tokens, first: int, end: int) -> bool:
    """Whether the words first..end are all frequent English words and no given names: what words after a title
    must be to read as the rest of a role or a phrase rather than a name."""
    return all(toks.keys[m] in common_words() and toks.keys[m] not in given_names() for m in range(first, end + 1))


def _phrase_after_adjective_title(toks: Tokens, art: Article, role: tuple[int, bool] | None, first: int,
                                  end: int) -> bool:
    """`Chief Clerk`, `Senior Partner`, `General Harvest`: one title word that is an adjective too, then English
    words (no given name) the article never names anyone by (no `Liz Ridge`, no `Ridge said`, no `Ridge` alone
    inside a sentence): the words go on with the title's phrase (Chief Ridge, in an article that says `Ridge
    said`, is a person). Before a speech verb the title names the speaker (Chief Ridge said), unless the article
    writes the phrase elsewhere as no one's name."""
    keys = toks.keys
    return role is not None and role[0] == first - 1 and keys[first - 1] in ADJECTIVE_TITLES \
        and toks.caps[first - 1] and not toks.words[first - 1].isupper() \
        and _english_words(toks, first, end) \
        and not (_before_speech_verb(toks, end) and not _phrase_elsewhere(toks, first - 1, end)) \
        and not any(keys[m] in art.cap_inside or _names_someone_elsewhere(toks, art, m) for m in range(first, end + 1))


def _before_speech_verb(toks: Tokens, end: int) -> bool:
    """`... Ridge said`: the name ending at `end` is the subject of a speech verb."""
    return end + 1 < len(toks.keys) and toks.keys[end + 1] in SPEECH_VERBS and toks.joins[end]


def _phrase_elsewhere(toks: Tokens, start: int, end: int) -> bool:
    """Whether the article writes the words start..end elsewhere as no titled person's name: not before a
    speech verb, or going on with a capitalised word (`General Harvest Co ... General Harvest said`)."""
    keys, size = toks.keys, end - start + 1
    for i in range(len(keys) - size + 1):
        if i != start and toks.caps[i] and keys[i:i + size] == keys[start:end + 1] \
                and (not _before_speech_verb(toks, i + size - 1)
                     or toks.caps[i + size] and toks.joins[i + size - 1]):
            return True
    return False


def _names_someone_elsewhere(toks: Tokens, art: Article, at: int) -> bool:
    """Whether the article writes the word at `at` elsewhere as a name's last word (Liz Ridge, Tomas Q. Ridge;
    not after a title: General Ridge), or opening a sentence before a speech verb (Ridge said)."""
    keys, caps, joins = toks.keys, toks.caps, toks.joins
    for i in range(len(keys)):
        if keys[i] != keys[at] or i == at or not caps[i]:
            continue
        if i and caps[i - 1] and joins[i - 1] and not (caps[i + 1] and joins[i]) \
                and (keys[i - 1],) not in PERSON_TITLES:
            return True
        if art.initial[i] and _before_speech_verb(toks, i):
            return True
    return False


def employs_person_after(toks: Tokens, first: int, end: int) -> bool:
    """`Velkor TV anchor Jo Tarn`, `Orlin Weather senior anchor Tom Varde`: a name (words first to end), then
    the lower-case role of a person named right after it: the name is whom the person works or plays for, not
    a person (nor a place, whose offices a person holds: Tarvo chief minister; nor a given name and surname)."""
    return introduces_person(toks, end, offices=False) and tuple(toks.keys[first:end + 1]) not in place_names() \
        and not given_and_surname(toks, first, end)


def introduces_person(toks: Tokens, end: int, *, offices: bool = True) -> bool:
    """Whether the words after `end` are a person's lower-case role (a place's or a leader's office too, unless
    not `offices`: mayor, spokesman), then the person's name: `... Velkor spokesman Jo Tarn`."""
    k, role = end + 1, False
    while k < len(toks.words) - 1 and k <= end + 3 and toks.joins[k - 1] and toks.words[k].islower():
        key = toks.keys[k]
        if key in PLACE_OFFICE_WORDS and not offices:
            return False  # (President Tom Varde spokesman Jo Tarn; Tarvo mayor Jo Tarn: a leader's, a place's)
        if (key,) in PERSON_TITLES or key in MEMBER_NOUNS or key in TEAM_ROLE_NOUNS or key in PLACE_OFFICE_WORDS:
            role = True
        elif key not in NOT_ROLE_WORDS:
            return False
        k += 1
    return role and toks.joins[k - 1] and _opens_person(toks, k)


def _opens_body(key: str) -> bool:
    """A word opening a sentence that may open a body's name before its head word: no sentence starter, or
    one that opens names of places too (New Unity Party, New Tarvo Times)."""
    return key not in COMMON_STARTERS or key in PLACE_PREFIXES


def _plural_acronym(word: str) -> bool:
    """NGOs, MPs, MLAs: the plural of an acronym names a kind of people or things."""
    return word[-1] == "s" and len(word) > 2 and word[:-1].isupper()


def _adverb(key: str) -> bool:
    """`Fortunately`, `Interestingly`: an English adverb (an adjective and -ly) opening a sentence is no word of
    the name after it (Connolly, Donnelly are no adjective's)."""
    if len(key) <= 5 or not key.endswith("ly") or key not in known_words() or key in given_names():
        return False
    return key[:-2] in known_words() or key.endswith("ily") and key[:-3] + "y" in known_words()


def _pronoun_in_name(toks: Tokens, art: Article, k: int, stop: int) -> bool:
    """`Zhao He`, `He Wenbo`, `You Mingde`: a pronoun written with a capital inside a sentence, joined to a
    capitalised word that is no frequent English word, is a syllable of a name (not `Obama I`, `Then He`)."""
    keys, caps = toks.keys, toks.caps
    if keys[k] not in _SYLLABLE_PRONOUNS or not toks.words[k].istitle() or art.initial[k]:
        return False
    return any(toks.gaps[m] == " " and caps[n] and keys[n] not in common_words() and not toks.words[n].isupper()
               for m, n in ((k - 1, k - 1), (k, k + 1)) if 0 <= m and n <= stop)


def _names_body(keys: list[str], first: int, last: int) -> bool:
    """Words that name a body by its head word: the last one (Human Rights Council), or the one
    before `of`/`for` (Office for the Coordination of Humanitarian Affairs)."""
    head = next((m - 1 for m in range(first + 1, last) if keys[m] in ("of", "for")), last)
    return keys[head] in ORG_HEADS and (head < last or keys[head] not in WEAK_ORG_HEADS)


def _name_word_after_given_name(toks: Tokens, k: int, stop: int) -> bool:
    """`Tarvandar Sultan Raja`: a one-word title that is also a given name, after a word no dictionary
    knows and before more of the name, is part of it."""
    return (k < stop and toks.keys[k] in given_names() and toks.keys[k - 1] not in known_words()
            and _title_at(toks, k, stop) == 1 and toks.caps[k + 1])


def _portfolio_end(toks: Tokens, j: int, stop: int) -> tuple[int, int]:
    """After `Minister of`, `Speaker of the`, `President of Nicaragua`: the ordinary words of the portfolio
    or body (Tourism, National Assembly) or a place, up to the person's name when one follows. Returns where
    the name starts (j when none does) and where the place skipped on the way starts (-1 when none)."""
    keys = toks.keys
    if j > stop or keys[j] not in ("of", "for") or toks.caps[j]:
        return j, -1
    k = j + 1
    place = -1
    while k <= stop and (keys[k] in ("the", "and", "of", "for") and not toks.caps[k]
                         or toks.caps[k] and (keys[k] in ORG_HEADS or keys[k] in common_words()
                                              or _rarer_word_before_given_name(toks, k, stop))
                         and keys[k] not in given_names() and not starts_place(toks, k, stop)
                         and not _title_at(toks, k, stop)):
        k += 1
    if k <= stop and toks.caps[k] and keys[k - 1] in ("of", "the"):
        size = next((size for size in (3, 2, 1) if k + size <= stop and tuple(keys[k:k + size]) in place_names()), 0)
        if size:
            place, k = k, k + size  # President of Nicaragua [Daniel Ortega]
    if k > j + 1 and k <= stop and toks.caps[k] and keys[k - 1] not in ("the", "and", "of", "for") \
            and keys[k] not in DEMONYMS and not _title_at(toks, k, stop) \
            and ((keys[k],) not in place_names() or keys[k] in given_names() and k < stop and toks.caps[k + 1]) \
            and (keys[k] in given_names() or keys[k] not in known_words() or _initial(toks, k)) \
            and not any(keys[m] in ORG_HEADS for m in range(k, stop + 1)):
        return k, place
    return j, -1


_PORTFOLIO_HEADS = WEAK_ORG_HEADS | SUBJECT_HEADS  # head words a minister's portfolio may hold (Energy, Media)


def _portfolio_only(toks: Tokens, j: int, stop: int) -> int:
    """After `Minister of` with no one named: the portfolio (Health and Sport, Labour and Fisheries) up to
    the end of the run is what the office is of, not a body of its own (the Ministry of Health is one).
    Returns where the words after the portfolio start (j when the words are no portfolio)."""
    keys = toks.keys
    if j > stop or keys[j] not in ("of", "for") or toks.caps[j]:
        return j
    for k in range(j + 1, stop + 1):
        if keys[k] in ("the", "and", "of", "for") and not toks.caps[k]:
            continue
        if not toks.caps[k] or toks.words[k].isupper() or keys[k] not in known_words() or keys[k] in given_names() \
                or (keys[k],) in place_names() or keys[k] in ORG_HEADS and keys[k] not in _PORTFOLIO_HEADS:
            return j
    return stop + 1


def _rarer_word_before_given_name(toks: Tokens, k: int, stop: int) -> bool:
    """`Chancellor of the Exchequer [Nigel Lawson]`: an English word rarer than the common ones ends the
    portfolio when a given name follows it."""
    return k < stop and toks.keys[k] in known_words() and toks.caps[k + 1] and toks.keys[k + 1] in given_names() \
        and toks.joins[k]


def _initial(toks: Tokens, k: int) -> bool:
    """`L.Oyun-Erdene`, `B C Varanki`: a capital letter that opens a name."""
    return len(toks.words[k]) == 1 and toks.words[k].isupper() and toks.joins[k] and toks.caps[k + 1]


def _titles_person(toks: Tokens, k: int, stop: int) -> bool:
    """A title at word k followed by a person's name (Prime Minister Fumio Kishida)."""
    size = _title_at(toks, k, stop)
    name = k + size
    return size > 0 and name <= stop and toks.caps[name] and toks.keys[name] not in ORG_HEADS and (
        toks.keys[name] in given_names() or toks.keys[name] not in common_words())


def _person_after_role_or_body(toks: Tokens, j: int, k: int, stop: int, after_office: bool) -> bool:
    """A given name and a surname right after a role or a body, written without a comma, start a person of
    their own: the words before say what the person is or speaks for (Orlfern Youth Connect Margaret Tavumono,
    ILO Cynthia Varuel-Olonvan, Assemblyman Ronny Valeaga, MEC for Finance Nomvelo Tarbe-Ncora)."""
    keys = toks.keys
    if k >= stop or toks.gaps[k - 1] != " " or not _opens_person(toks, k) or not _ends_role_or_body(toks, j, k - 1, k) \
            or _place_across(toks, k):
        return False
    nxt = k + 2 if _is_particle(toks, k + 1) else k + 1  # (Abou al-Qassem Varnam)
    surname = keys[nxt] if nxt <= stop else ""
    plain = _capitalised_common_word(toks, k - 1)  # (Smith [Barney Harris Upham]: a frequent word, a surname too)
    if keys[k - 1].endswith(("er", "or")) and _agent_noun(toks, k - 1) and not _ends_body(toks, k - 1) \
            and not plain and (keys[k] not in given_names() or keys[k][-1] == "s"):
        # a role ending like a surname (-er, -or) needs a given name after it, not a surname made of one:
        # Velmer Landesbank Kreditanstalt, Archer Daniels Midland
        return False
    if keys[k] not in given_names() and not _ends_body(toks, k - 1) and not _agent_noun(toks, k - 1) \
            and not all(keys[m] in DEMONYMS for m in range(j, k)) and not (
            after_office and all(_capitalised_common_word(toks, m) or keys[m] in CONNECTORS for m in range(j, k))):
        # a word no list knows opens a name after a body, a role, a nationality, or the plain words of
        # an office's portfolio (MEC for Finance [Nomvelo Tarbe-Ncora]; not Aung San [Suu Kyi], Took [Lae Dorn])
        return False
    return toks.caps[nxt] and (surname not in common_words() or surname in given_names() and not plain) \
        and not (surname[-1:] == "s" and surname[:-1] in known_words()) \
        and not any(keys[m] in ORG_HEADS or keys[m] in PLACE_HEADS or keys[m] in EVENT_HEADS or keys[m] in LEGAL_FORMS
                    or keys[m] in DOCUMENT_HEADS or keys[m] in COMPANY_WORDS or plural_noun(keys[m])
                    or toks.words[m].isupper() and len(keys[m]) > 1 or (keys[m],) in country_names()
                    for m in range(k + 1, stop + 1))


def _place_across(toks: Tokens, k: int) -> bool:
    """Words k-1 and k belong to one place's name (New York, Hong Kong): no name starts at k."""
    return any(tuple(toks.keys[s:s + size]) in place_names() for size in (2, 3) for s in range(k - size + 1, k))


def _opens_person(toks: Tokens, k: int) -> bool:
    """A word that opens a person's name: a given name, a word no English list knows (Nkulovelo), or one a
    name particle follows (Abou al-Qassem)."""
    key, word = toks.keys[k], toks.words[k]
    if not toks.caps[k] or word.isupper() or key in NAME_PARTICLES or not word.isalpha() or (key,) in country_names():
        return False  # (Ford Kenya [Moses Tarvangula])
    return key in given_names() or key not in known_words() and not key.endswith(_NOUN_ENDINGS) \
        or toks.joins[k] and _is_particle(toks, k + 1)


def _ends_role_or_body(toks: Tokens, j: int, m: int, k: int) -> bool:
    """Word m, before a person's name at k, ends a body's name (a head word, an acronym, a place), or a role:
    a capitalised ordinary word (Fox Business, MEC for Finance) or a noun for what a person does; not after
    a given name that opens the run (Regina Tam [Lau Vek-yin]: one person's names)."""
    keys = toks.keys
    if _ends_body(toks, m):
        return m > j or toks.words[m].isupper()  # (not a lone head word: Bank [Julius Baer])
    if keys[j] in given_names() and keys[j] not in common_words() \
            and not any(keys[n] in common_words() for n in range(j + 1, m)) or keys[m] in NAME_ABBREVIATIONS:
        return False  # (Md [Masud Torvana]: Mohammad, written short)
    return _ordinary_capital(toks, m) or _place_of_ends(toks, k) or _agent_noun(toks, m)


def _ends_body(toks: Tokens, m: int) -> bool:
    """Word m ends a body's or a place's name: a head word or an acronym (Council, Region, ILO)."""
    key, word = toks.keys[m], toks.words[m]
    return key in ORG_HEADS or key in PLACE_HEADS or word.isupper() and len(key) > 2 and key not in NOT_ACTOR_ACRONYMS


def _agent_noun(toks: Tokens, m: int) -> bool:
    """`Assemblyman`, `Co-organizer`, `Hall of Famer`, `Olympians`, `Judges`: an English noun for a person by
    what they do (no given name, no place), or the plural of a title."""
    key = toks.keys[m]
    if not (toks.caps[m] or m > 0 and toks.gap(m - 1) == "-") or key in given_names() or (key,) in place_names():
        return False
    if key[-1:] == "s" and any((s,) in PERSON_TITLES for s in (key[:-1], key[:-2], key[:-3] + "y")):
        return True
    return key.endswith(_AGENT_ENDINGS) and key in known_words()


def _names_role(toks: Tokens, first: int, last: int) -> bool:
    """Words before a person's name that are their role, not a body: a noun for what a person does
    (Assemblyman, Olympians), or ordinary words after the `for` or `of` of an office (MEC for [Finance])."""
    keys = toks.keys
    if _agent_noun(toks, last):
        return True
    return first > 0 and keys[first - 1] in ("for", "of") and not toks.caps[first - 1] \
        and all(_ordinary_capital(toks, m) and keys[m] not in ORG_HEADS for m in range(first, last + 1))


def _body_after_portfolio(toks: Tokens, first: int, last: int) -> int:
    """`Africa of ILO`, `Trade of the Liberation Front`: words before a person's name that end with a body
    after an `of` or `for` are a portfolio, then the body. Returns where the body's words start after the
    `of` (first when the words are no such thing)."""
    keys = toks.keys
    of = next((m for m in range(last - 1, first, -1) if keys[m] in ("of", "for") and not toks.caps[m]), None)
    if of is None or not _ends_body(toks, last) or any(keys[m] in ORG_HEADS for m in range(first, of)):
        return first
    return of + 1


def _role_opening(toks: Tokens, j: int) -> int:
    """Where a role written before a person's name starts: at j, or at the word whose `for` or `of` leads to
    it (MEC for Finance, Ruler of Darfur Region, Member of the Liberation Council)."""
    keys, caps, joins = toks.keys, toks.caps, toks.joins
    k = j - 1 if j > 0 and keys[j - 1] == "the" and not caps[j - 1] and joins[j - 1] else j
    if k > 1 and keys[k - 1] in ("for", "of") and not caps[k - 1] and caps[k - 2] and joins[k - 2] and joins[k - 1]:
        return k - 2
    return j


def given_and_surname(toks: Tokens, first: int, last: int) -> bool:
    """`Daisy House`: a given name (no frequent English word) and one more word."""
    return last == first + 1 and toks.keys[first] in given_names() and toks.keys[first] not in common_words()


def _body_acronym_after_name(toks: Tokens, j: int, k: int) -> bool:
    """`Gilbert Tavungbo ILO`: an acronym after a given name and a surname names the body the person speaks
    for, not part of their name (not a company's legal form, a place or a ruler's number)."""
    word, key, keys = toks.words[k], toks.keys[k], toks.keys
    return 2 <= k - j <= 3 and word.isupper() and len(word) > 2 and word.isalpha() and not _ROMAN.match(word) \
        and key not in LEGAL_FORMS and (key,) not in country_names() and keys[j] in given_names() \
        and all(toks.caps[m] and not toks.words[m].isupper() and keys[m] not in ORG_HEADS
                and keys[m] not in COMPANY_WORDS and (keys[m] not in common_words() or keys[m] in given_names())
                for m in range(j, k))


def _ordinary_capital(toks: Tokens, m: int) -> bool:
    """`Fox Business [Maria Bartiromo]`: a capitalised ordinary English word (no given name, no place) ends
    what the person speaks for, not the person's name."""
    return _capitalised_common_word(toks, m) and toks.keys[m] not in NAME_PARTICLES


def _capitalised_common_word(toks: Tokens, m: int) -> bool:
    """A capitalised (not shouted) frequent English word that is no given name nor place."""
    key = toks.keys[m]
    return toks.caps[m] and not toks.words[m].isupper() and key in common_words() and key not in given_names() \
        and (key,) not in place_names()


def _place_of_ends(toks: Tokens, k: int) -> bool:
    """`Republic of Tanzania [Ali Veli]`: an `of` and a known place end the body or the office before a name."""
    keys = toks.keys
    return any(k - size - 1 >= 0 and keys[k - size - 1] == "of" and tuple(keys[k - size:k]) in place_names()
               for size in (1, 2, 3))


def _surname_like_title(toks: Tokens, j: int, k: int, stop: int) -> bool:
    """`Amit Shah`, `Tarvik Sheikh`, `Godfred Orvoah Dame`, `Tarvidul Islam`: a one-word title or creed that
    ends a name opened by a given name (or a word no list knows) titles no one after it, so it is the surname."""
    key = toks.keys[k]
    return (k == stop or toks.keys[k] in INNER_NAME_TITLES) and k > j \
        and (toks.keys[j] in given_names() or toks.keys[j] not in known_words()) \
        and toks.keys[j] not in NAME_PARTICLES and toks.caps[k - 1] and key not in ORG_HEADS \
        and not toks.words[k].isupper() and (key in SURNAME_TITLES and _title_at(toks, k, stop) == 1
                                             or key in DEMONYMS and toks.keys[k - 1] not in DEMONYMS
                                             and toks.gaps[k - 1] == " ")


def _split_places(piece: Piece, toks: Tokens) -> list[Piece]:
    """Names the way news annotators read them: a nationality or place before an organisation
    qualifies it (the mention is `Development Ministry`, the actor `German Development Ministry`),
    and a country after a name is a place of its own (`Velkor Ethiopia`); two places joined by a
    capitalised `And` are two (`Tarvo And Orlin`, in copy that capitalises the word after an abbreviation)."""
    keys = toks.keys
    first, last = piece.first, piece.last
    if last == first:
        return [piece]
    joined = next((m for m in range(first + 1, last) if keys[m] in ("and", "or") and toks.caps[m]), None)
    if joined is not None and tuple(keys[first:joined]) in place_names() \
            and tuple(keys[joined + 1:last + 1]) in place_names() and tuple(keys[first:last + 1]) not in place_names():
        return [Piece(first, joined - 1, piece.start, toks.ends[joined - 1], "place", 2),
                Piece(joined + 1, last, toks.starts[joined + 1], piece.end, "place", 2)]
    if toks.words[first].isupper() and len(toks.words[first]) > 1 and keys[first] not in NOT_ACTOR_ACRONYMS \
            and toks.caps[first + 1] and not toks.words[first + 1].isupper():
        # FIFA World Cup, ANC Presidential Golf Day: a body and the event it holds; NSRI Velmor Beach,
        # ANC KwaZulu-Natal: a body and the place of its branch
        if keys[last] in EVENT_HEADS:
            return [Piece(first, first, piece.start, toks.ends[first]),
                    Piece(first + 1, last, toks.starts[first + 1], piece.end, "other", 1)]
        if (keys[last] in PLACE_HEADS or tuple(keys[first + 1:last + 1]) in place_names()) \
                and keys[first] not in ORG_HEADS and toks.gaps[first] == " " and (keys[first],) not in place_names():
            return [Piece(first, first, piece.start, toks.ends[first], "organization", 1),
                    Piece(first + 1, last, toks.starts[first + 1], piece.end, "place", 2)]
    out = []
    lead = qualifier_end(keys, first, last)
    if lead == first:
        for size in (3, 2, 1):
            if first + size <= last and (tuple(keys[first:first + size]) in place_names() or size == 1
                                         and keys[first] in country_initials() and toks.words[first].isupper()) \
                    and not (size == 1 and _given_name_then_surname(toks, first)):
                lead = first + size
                out.append(Piece(first, lead - 1, toks.starts[first], toks.ends[lead - 1], "place", 2))
                break
        else:
            lead = first + _locality_opens(toks, first, last)
            if lead > first:
                out.append(Piece(first, lead - 1, toks.starts[first], toks.ends[lead - 1], "place", 1))
        body = _body_after_person(toks, first, last) if lead == first else first
        if body > first:  # Tomas Orlik Foundation: the person the body is named after, and the body
            return [Piece(first, body - 1, piece.start, toks.ends[body - 1], "person", 2),
                    Piece(body, last, toks.starts[body], piece.end, "organization", 2, name_start=piece.name_begin)]
    if lead > first and lead <= last and any(k in ORG_HEADS for k in keys[lead:last + 1]):
        # (Polytechnic Institute of [Tarvo]: a place ends the body's name as it does with no qualifier)
        rest = _place_after_body(toks, piece, lead)
        if rest is None:
            rest = [Piece(lead, last, toks.starts[lead], piece.end, "organization", 2, name_start=piece.name_begin)]
        return out + rest
    country_lead = out and tuple(keys[first:lead]) in country_names() and lead <= last \
        and keys[lead] not in given_names() and keys[last] not in PLACE_HEADS and keys[last] not in EVENT_HEADS \
        and not any((keys[m],) in place_names() or keys[m] in DEMONYMS for m in range(lead, last + 1))
    if country_lead or lead == last and toks.words[last].isupper() and len(toks.words[last]) > 1 \
            and keys[last] not in NOT_ACTOR_ACRONYMS and keys[last] not in common_words():
        # Eritrean PVX, Orlin AMC: a nationality or place before an acronym qualifies it
        return out + [Piece(lead, last, toks.starts[lead], piece.end, piece.kind, piece.cue,
                            name_start=piece.name_begin)]
    if out and lead < last and keys[lead] in given_names() and toks.caps[lead] and keys[lead] not in NAME_PARTICLES \
            and toks.gaps[lead] == " " \
            and (keys[lead] not in common_words() or keys[lead + 1] not in common_words()) \
            and not any(k in given_names() for k in keys[first:lead]) \
            and not any(keys[m] in ORG_HEADS or keys[m] in PLACE_HEADS for m in range(lead, last + 1)):
        # Nicaragua Daniel Ortega, Glasgow Dawie Orlestyn: a place, then a person named after it
        return out + [Piece(lead, last, toks.starts[lead], piece.end, "person", 1)]
    split = _place_after_body(toks, piece, lead)
    if split is not None:
        return out + split  # (the place or nationality that opens the name first)
    whole_place = tuple(keys[first:last + 1]) in place_names()  # Equatorial Guinea, Papua New Guinea
    if keys[first] in COMPASS_WORDS and first + 1 <= last and tuple(keys[first + 1:last + 1]) in place_names():
        piece.kind, piece.cue = "place", 2  # Northern Syria, Eastern Ukraine: one place
        return [piece]
    acronym = last == first + 1 and toks.words[first].isupper() and len(toks.words[first]) > 1 \
        and keys[first] not in common_words()
    for size in (2, 1):
        cut = last - size + 1
        if cut > first and keys[cut - 1] not in CONNECTORS and tuple(keys[cut:last + 1]) in (
                place_names() if acronym else country_names()) and keys[last] not in ORG_HEADS and not whole_place \
                and not (cut == first + 1 and toks.gaps[first] == " " and _given_name_alone(toks, first)):
            head = Piece(first, cut - 1, piece.start, toks.ends[cut - 1], piece.kind, piece.cue,
                         name_start=piece.name_start)
            return [head, Piece(cut, last, toks.starts[cut], piece.end, "place", 3)]
    return [piece]


def _place_after_body(toks: Tokens, piece: Piece, lead: int) -> list[Piece] | None:
    """`Supreme Court of Tarvo`, `Communist Party of Orlin`: a body's words (from lead), `of` or `in`, then a
    known place: the body is the mention (its actor the whole name), the place one of its own; likewise a
    nationality after the `of` (Centre for Nordic Studies: the mention `Centre`). None when the name holds
    no such place or nationality."""
    keys, last = toks.keys, piece.last
    for m in range(lead + 1, last - 1):
        nat = m + 1 + (keys[m + 1] == "the")
        if keys[m] in ("of", "for") and not toks.caps[m] and nat < last and keys[nat] in DEMONYMS \
                and keys[nat] not in POLITICAL_LEANINGS and tuple(keys[nat:nat + 2]) not in place_names() \
                and any(k in ORG_HEADS for k in keys[lead:m]):
            # Centre for Nordic Studies, Federation of Chilean Potters: a nationality after the body's `of` is cut
            # out as a place is, the body's words before it the mention (its actor the whole name)
            return [Piece(lead, m - 1, toks.starts[lead], toks.ends[m - 1], "organization", 2,
                          name_start=piece.name_begin,
                          name_end=piece.end)]
    for size in (3, 2, 1):
        cut = last - size + 1
        if cut - 2 >= lead and keys[cut - 1] in ("of", "in") and tuple(keys[cut:cut + size]) in place_names() \
                and any(k in ORG_HEADS for k in keys[lead:cut - 1]):
            body = Piece(lead, cut - 2, toks.starts[lead], toks.ends[cut - 2], "organization", 2,
                         name_start=piece.name_begin,
                         name_end=piece.end)
            return [body, Piece(cut, last, toks.starts[cut], piece.end, "place", 3)]
    return None


def _given_name_then_surname(toks: Tokens, m: int) -> bool:
    """`Warren Odell Plc`, `Austin Brevik Airport Services`: a town's name that is also a given name (no country's:
    Jordan Alliance), then a word no list knows (a surname), open a person's name, not a place's."""
    key, nxt = toks.keys[m], toks.keys[m + 1]
    return key in given_names() and (key,) not in country_names() and toks.words[m].istitle() \
        and toks.gaps[m] == " " and toks.caps[m + 1] \
        and toks.words[m + 1].istitle() and nxt not in known_words() and (nxt,) not in place_names()


def _given_name_alone(toks: Tokens, m: int) -> bool:
    """`Lucinda Jordan`, `Xavier Chad`: a given name that is no frequent word nor place, before a country's
    name, opens a person's name with that surname (not Velkor Ethiopia)."""
    key = toks.keys[m]
    return key in given_names() and key not in common_words() and (key,) not in place_names() \
        and toks.words[m].istitle()


def _body_after_person(toks: Tokens, first: int, last: int) -> int:
    """Where the body's own words start in a name that opens with a person's (Tarvash Velyarthi Foundation,
    Margaret Tarvatta Institute for Gender...): a given name, one to three words no ordinary word, then words
    that name a body by its head word. `first` when the name is no such thing (General Granite Co: a title
    word the list of given names holds too opens a company's name)."""
    keys = toks.keys
    if keys[first] not in given_names() or keys[first] in ADJECTIVE_TITLES or keys[first] in NAME_PARTICLES \
            or not toks.words[first].istitle() \
            or (keys[first],) in place_names() or keys[first] in _NAME_PREFIXES and toks.gaps[first] in HYPHENS:
        return first  # (Non-Partisan Alliance: a prefix's hyphen, no given name)
    k = first + 1
    while k <= last and k - first <= 3 and toks.caps[k] and keys[k] not in common_words() and keys[k] not in ORG_HEADS \
            and keys[k] not in DEMONYMS and (keys[k],) not in place_names() and not keys[k].endswith(WORD_ENDINGS):
        k += 1
    if k == first + 1 or k > last or not toks.caps[k] or not _names_body(keys, k, last) \
            or any(toks.gaps[m] in AMPERSANDS for m in range(first, k)) \
            or all(keys[m] in LEGAL_FORMS for m in range(k, last + 1)):
        return first  # (Varde & Orlik Plc: two founders' names are the firm's; Tarvash Velyarthi Ltd: a legal
        # form alone names no body apart from the name it ends)
    return k


def _locality_opens(toks: Tokens, first: int, last: int) -> int:
    """`Nordvik District Council`, `Velmora High Court`, `Western Cape High Court`: a word that is no frequent
    English word, or a compass word and a noun, before a local public body's name is the town or region the
    body serves. Returns how many words the place takes (0 when none)."""
    keys = toks.keys
    if last <= first or keys[last] not in LOCAL_BODY_HEADS or not toks.words[first].istitle() \
            or toks.gaps[first] != " ":
        return 0
    size = 2 if keys[first] in COMPASS_WORDS or keys[first] in PLACE_PREFIXES else 1
    if size == 2 and (last - first < 2 or not toks.caps[first + 1] or keys[first + 1] in ORG_HEADS
                      or keys[first + 1].endswith(WORD_ENDINGS)):
        return 0
    if size == 1 and (keys[first] in common_words() or keys[first] in given_names()
                      or keys[first].endswith(WORD_ENDINGS)):
        return 0
    return size if all(keys[m] in known_words() for m in range(first + size, last + 1)) else 0


def qualifier_end(keys: list[str], first: int, last: int, adjectives: frozenset[str] = DEMONYMS) -> int:
    """Where the words after the nationality or creed that open a name start (first when none does): each
    one of `adjectives`, a compass word before one (South African Airways, Central American Parliament), or a
    country of two words made an adjective (Costa Rican Social Security Fund, Sri Lankan Airlines)."""
    lead = first
    while lead < last:
        if keys[lead] in adjectives:
            lead += 1
        elif lead + 1 < last and (keys[lead] in PLACE_PREFIXES and keys[lead + 1] in adjectives
                                  or _country_people(keys, lead)):
            lead += 2
        else:
            break
    return lead


_PEOPLE_ENDINGS = ("n", "ns", "an", "ans", "ian", "ians", "er", "ers", "ese")


@cache
def _two_word_countries() -> dict[str, frozenset[str]]:
    """The first word of each country named in two words, to the second words it goes with."""
    seconds: dict[str, set[str]] = {}
    for name in country_names():
        if len(name) == 2:
            seconds.setdefault(name[0], set()).add(name[1])
    return {first: frozenset(words) for first, words in seconds.items()}


def _country_people(keys: list[str], j: int) -> bool:
    """`Costa Rican`, `Puerto Ricans`, `New Zealanders`, `Sri Lankan`: a country named in two words, its
    second word made the word for its people."""
    seconds = _two_word_countries().get(keys[j]) if j + 1 < len(keys) else None
    if not seconds:
        return False
    word = keys[j + 1]
    for ending in _PEOPLE_ENDINGS:
        stem = word[:-len(ending)]
        if word.endswith(ending) and len(stem) > 2 and (stem in seconds or any(stem + v in seconds for v in "aeio")):
            return True
    return False


def _names_with_demonym(toks: Tokens, j: int, stop: int, hits: dict) -> bool:
    """A nationality adjective starts a name when the capitalised words after it end in a head word,
    or are no ordinary word and no given name."""
    k = j + 1
    while k <= stop and k not in hits and _is_cap(toks.words[k]) and toks.keys[k] not in DEMONYMS:
        if _title_at(toks, k, stop):
            return False
        k += 1
    if k == j + 1:
        return False
    last = toks.keys[k - 1]
    if last in ORG_HEADS or last in PLACE_HEADS or last in EVENT_HEADS:
        return True
    # Tamil Nadu, Indian Express: unless a person's name follows (Kenyan Joseph Tarvau)
    nxt = toks.keys[j + 1]
    return nxt not in given_names() and nxt not in common_words() and toks.keys[j] not in ("the",)


def _not_actor(word: str, key: str) -> bool:
    """Pronouns, furniture and the like; in capitals only the acronyms of things (GDP), not WHO or IT."""
    if word.isupper() and len(word) > 1:
        return key in NOT_ACTOR_ACRONYMS or len(key) > 4 and key in NOT_ACTORS  # PHOTO, VIDEO
    if key in NOT_ACTOR_ACRONYMS and not word[1:].islower():
        return True  # MoU, YoY: the acronym written in mixed case
    return key in NOT_ACTORS


def _names_a_people(key: str, art: Article) -> bool:
    """A people by its language's name (bot.nlp.world.peoples) or by the plural of a nationality adjective;
    not a surname the article gives (Liz Bemba) nor a place's name (Nauru)."""
    return (key in peoples() or key[-1:] == "s" and key[:-1] in DEMONYMS) and key not in art.surnames \
        and (key,) not in place_names()


def _is_date_word(toks: Tokens, j: int) -> bool:
    """Months and days, unless a given name stands before (Theresa May) or a surname after (June Varthorpe)."""
    if toks.keys[j] not in CALENDAR:
        # Jan. 12, Mar 3: abbreviated months that are also given names
        return toks.keys[j] in NAME_MONTH_ABBREVIATIONS and j + 1 < len(toks.words) and toks.words[j + 1][:1].isdigit()
    nxt = toks.words[j + 1] if j + 1 < len(toks.words) else ""
    prev = toks.words[j - 1] if j else ""
    if nxt[:1].isdigit() or prev[:1].isdigit() or toks.keys[j] not in NAME_MONTHS:
        return True
    surname = toks.keys[j + 1] if nxt else ""
    return not (prev[:1].isupper() and toks.joins[j - 1]
                or nxt[:1].isupper() and toks.joins[j] and surname not in known_words() and surname not in CALENDAR)


def _keep(piece: Piece, toks: Tokens, art: Article) -> bool:
    words, keys = toks.words, toks.keys
    if keys[piece.first] in _NAME_PREFIXES and toks.gaps[piece.first] in HYPHENS:
        if piece.first == piece.last:
            return False  # Anti- at a line's end: a prefix alone
        if keys[piece.first + 1] not in known_words() or (keys[piece.first + 1],) in place_names():
            # (an ordinary word after the prefix names a body with it: the Anti-Graft Board)
            piece.first, piece.start = piece.first + 1, toks.starts[piece.first + 1]
        elif piece.last == piece.first + 1:
            return False  # Non-Partisan states, Pro-Reform groups: an adjective, no name
    if _style_of_address(toks, piece.first):
        first = piece.first  # His [Royal Highness] Tamim bin Hamad: the name after the style, an English noun
        while first < piece.last and toks.keys[first] in given_names() and toks.keys[first] in known_words():
            first += 1  # (Royal, Serene)
        if toks.keys[first] in known_words() and toks.keys[first] not in given_names():
            if first == piece.last:
                return False
            piece.first, piece.start = first + 1, toks.starts[first + 1]
    if _state_abbreviation(toks, piece.first, piece.last):
        return False
    if piece.first == piece.last:
        word, key = words[piece.first], keys[piece.first]
        if word.isupper() and _numbered_team(toks, piece.last):
            piece.last += 1  # ZVC 2, NCT 127: a club's or a group's numbered side
            piece.end = toks.ends[piece.last]
            piece.kind, piece.cue = "organization", 1
            return True
        if _quantity_follows(toks, piece.last):
            return False  # R47 million, KZT 2,150, Resolution 1187: currencies, units and numbered things
        if key.endswith("o") and toks.gaps[piece.last] in HYPHENS and piece.last + 1 < len(words) \
                and keys[piece.last + 1] in DEMONYMS:
            return False  # Sino-Korean, Afro-Asian: a combining form of a nationality adjective
        if _GROUP_OF_STATES.match(word):
            if toks.gaps[piece.last][:1] == ":":
                return False  # Q8: an interview's numbered question, A8: its answer
            if toks.gaps[piece.last] in (".", ",") and piece.last + 1 < len(words) \
                    and words[piece.last + 1].isdigit():
                return False  # RM4.3 million, N7,500: an amount in a currency's letters, not G7 or G20
            piece.kind, piece.cue = "organization", 1
            return True  # G7, G20
        if len(key) < 2 or key in COMMON_STARTERS or key in CALENDAR or _ROMAN.match(word) or not key.isalpha():
            return False
        if word.isupper():
            # an acronym, wherever it stands; longer is a shouted word, unless no English list knows it (KORVANEX)
            return len(word) <= 6 or len(word) <= 10 and key not in known_words() and not art.shouting[piece.first]
        if _plural_acronym(word):
            return False  # NGOs, MPs, ATMs: plural acronyms name kinds of things
        if piece.kind is None and _names_a_people(key, art):
            return False  # the Sundanese, Bembas, Tahitians: a people or its language, no one actor
        if _gerund(key) and word.isascii() and piece.kind != "person":
            return False  # Planting, Combating: a heading's gerund (not Mr Vling, not Kipling)
        if key in LEGAL_FORMS:
            return False  # Inc, Co: a company's legal form cut from its name names no one alone
        if key in COMPASS_WORDS and toks.joins[piece.last] and toks.keys[piece.last + 1] in DEMONYMS:
            return False  # West German, South Korean: a compass word of a nationality adjective
        if art.initial[piece.first] and key not in art.cap_inside and key in known_words() \
                and (key,) not in country_names() and ((key,) not in place_names() or key in common_words()) \
                and (not _subject_follows(toks, piece.last, key)
                                                       or plural_noun(key)):
            piece.tentative = True  # (Analysts said: a plural noun opening a sentence is a group, not a name)

    return True


def _prefixed_adjective(toks: Tokens, j: int) -> bool:
    """`sub-Saharan`, `trans-Siberian`, `neo-Gothic`: a capitalised adjective (-an, -ic, -ese, -ish) after a
    prefix that makes adjectives names no one (ex-, anti-, pro- take names: ex-Reagan adviser)."""
    prev = j - 1
    return prev >= 0 and toks.gaps[prev] in HYPHENS and toks.words[prev].islower() \
        and toks.keys[prev] in _ADJECTIVE_PREFIXES and (toks.keys[j],) not in place_names() \
        and toks.keys[j].endswith(("an", "ic", "ese", "ish")) and toks.keys[j] in known_words()


def plural_noun(key: str) -> bool:
    """`Analysts`, `Officials`, `Traders`: the plural of a frequent English noun, or of an English noun for
    people by what they do (-ers, -ists), names a group of people, not one. A surname ending in s is the
    plural of a given name (Williams, Peters) or of no word (Jones)."""
    if len(key) < 4 or key[-1] != "s" or key not in known_words() or key in given_names():
        return False
    singulars = (key[:-1], key[:-2] if key.endswith("es") else "", key[:-3] + "y" if key.endswith("ies") else "")
    frequent = common_words() if not key.endswith(_AGENT_PLURALS) else known_words()
    return any(s in frequent and s not in given_names() for s in singulars if s)


def _style_of_address(toks: Tokens, first: int) -> bool:
    """`His Highness`, `Her Majesty`, `Your Excellency`: a capitalised possessive opens a style of address,
    which stands for a person without naming one (the name, when given, follows its first word)."""
    prev = first - 1
    return prev >= 0 and toks.keys[prev] in ("his", "her", "your", "their") and toks.words[prev].istitle() \
        and toks.joins[prev]


def _state_abbreviation(toks: Tokens, first: int, last: int) -> bool:
    """`Hartford, Conn.`, `Sen. Chris Dodd, D-Conn`: a state written the way wire copy abbreviates it, alone
    or after the letter of a lawmaker's party, is a place's short form, not an actor."""
    if last == first + 1 and len(toks.words[first]) == 1 and toks.gaps[first] == "-":
        first = last  # D-Conn, R-Texas
        if (toks.keys[last],) in place_names():
            return True
    if last != first or toks.keys[first] not in state_abbreviations() or toks.words[first].isupper():
        return False
    return toks.gaps[first][:1] == "." or first > 0 and toks.gaps[first - 1] in (", ", "-")


def _numbered_team(toks: Tokens, j: int) -> bool:
    """`ZVC 2`, `NCT 127`: an acronym and a small whole number that counts nothing after it."""
    nxt = j + 1
    word = toks.words[j]
    if not word.isupper() or toks.gaps[j] != " " or nxt >= len(toks.words) or not (word.isalpha() and 2 < len(word) < 6) \
            or not toks.words[nxt].isdigit() or len(toks.words[nxt]) > 3 or toks.keys[j] in NOT_ACTOR_ACRONYMS:
        return False
    after = toks.gaps[nxt]
    if after == "," and nxt + 1 < len(toks.words) and toks.words[nxt + 1].isdigit():
        return False  # MNT 3,380
    if after[:1] not in (" ", ",", ")", ";", "", "’", "'") or after[:1] in "’'" and not toks.possessive[nxt]:
        return False
    if nxt + 1 == len(toks.words) or after != " " or toks.caps[nxt + 1]:
        return True
    following = toks.keys[nxt + 1]  # a verb or a conjunction, not what the number counts (QKZ 3 defeated ZVC 1 and ...)
    return following in ("and", "or", "vs") or following in SPEECH_VERBS or following in SUBJECT_VERBS \
        or following.endswith("ed") and following not in QUANTITY_WORDS


def _subject_follows(toks: Tokens, j: int, key: str) -> bool:
    """A speech verb, or a verb, a possessive or an apposition after a word that is no frequent English word:
    the word is the subject's name (Williams said, Chan attended, Ip agreed, Micah's house, Abbas, also ...)."""
    nxt = j + 1
    if nxt >= len(toks.words):
        return False
    following = toks.keys[nxt]
    if toks.gaps[j] == ", " and (key in given_names() and key not in common_words() or key not in known_words()):
        return True  # Abbas, also ex-convener ...; Orleta, César's mother (not Dad, dont come: a frequent word)
    return following in SPEECH_VERBS or (toks.possessive[j] or toks.joins[j] and toks.words[nxt].islower()
                                         and (following.endswith("ed") and len(following) > 4
                                              or following in SUBJECT_VERBS)) \
        and key not in common_words() and (key in given_names() or not key.endswith(
            ("s", "tion", "ment", "ing", "ity", "ness")))


def _after_quantity(toks: Tokens, j: int) -> bool:
    """`100 mln U.S. Dlrs`, `two billion Swiss Francs`: capitalised words after a quantity name its unit."""
    prev = j - 1
    while prev >= 0 and toks.caps[prev] and toks.joins[prev]:
        prev -= 1  # (100 mln [U.S.] Dlrs: a place the curated list names may stand between)
    return prev >= 0 and toks.keys[prev] in QUANTITY_WORDS and toks.words[prev].islower() and toks.gaps[prev] == " "


def _gerund(key: str) -> bool:
    """An English verb's -ing form: its stem is an English word (plant, combat, make, run; not Kipling)."""
    if len(key) < 6 or not key.endswith("ing"):
        return False
    stem = key[:-3]
    return any(w in common_words() or len(w) > 3 and w in known_words()
               for w in (stem, stem + "e", stem[:-1] if stem[-1] == stem[-2] else ""))


def _quantity_follows(toks: Tokens, j: int) -> bool:
    """A number or an amount right after a lone word is the word's own (R47 million, KZT 2,150, Resolution
    1187, a Velkor 737 jet), unless it is the word's share (Tarvo 31.6 percent) or counts the plural noun after
    it (joined the Tarvo 11 years ago)."""
    nxt = j + 1
    if nxt >= len(toks.words) or toks.gaps[j] != " ":
        return False
    if toks.keys[nxt] in QUANTITY_WORDS:
        return True
    if not toks.words[nxt][:1].isdigit():
        return False
    while nxt + 1 < len(toks.words) and toks.gaps[nxt] in (".", ",") and toks.words[nxt + 1].isdigit():
        nxt += 1  # 31.6, 2,150
    if toks.gaps[nxt][:1] == "%":
        return False
    after = nxt + 1
    if after >= len(toks.words) or toks.gaps[nxt] != " " or not toks.words[after].islower():
        return True
    key = toks.keys[after]
    if key in ("percent", "pct") or key == "per" and after + 1 < len(toks.keys) and toks.keys[after + 1] == "cent":
        return False
    return not plural_noun(key)
