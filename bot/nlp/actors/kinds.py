"""Deciding kinds: cues in the text around a name first (head words, company legal forms of many countries
from rigour's organisation-type table, titles, speech verbs, place prepositions), then general knowledge
(bot.nlp.world: countries and cities, given names, how common an English word is; rigour's organisation
tagger: the words bodies are named with in many languages, Minera, Banque, Uranium); and one kind for each
actor of an article, the surest cue's."""
from __future__ import annotations

from functools import lru_cache

from rigour.names import NameTypeTag, SymbolCategory, analyze_names
from rigour.names.org_types import extract_org_types

from bot.corpus.vocabulary import CALENDAR, PERSON_TITLES, TITLE_FIRST_WORDS
from bot.nlp.actors.article import (
    AMPERSANDS, BODY_PREPOSITIONS, GROUP_ENDINGS, PLACE_PREPOSITIONS, WORD_ENDINGS, Article, Piece, ordinary_word,
    starts_place,
)
from bot.nlp.actors.finding import employs_person_after, given_and_surname, introduces_person, plural_noun
from bot.nlp.lexicon import (
    ADJECTIVE_TITLES, APPOSITION_ORG_NOUNS, APPOSITION_PLACE_NOUNS, BODY_PLACE_HEADS, CAPITALISED_SURNAME_PREFIXES,
    COMMON_STARTERS, COMPANY_WORDS, COMPASS_POINTS, COMPASS_WORDS, DEMONYMS, DOCUMENT_HEADS, EVENT_HEADS,
    LEADER_NOUNS, LEGAL_FORMS, MEMBER_NOUNS, NAME_ABBREVIATIONS, NOT_ROLE_WORDS, OPENING_HEADS, ORG_HEADS, ORG_NOUNS,
    PERSON_PARTICLES, PERSON_POSSESSIONS, PLACE_ARTICLES, PLACE_HEADS, PLACE_NOUNS, PLACE_OF_NOUNS, PLACE_PREFIXES,
    SPEECH_VERBS, STANDING_BODIES, SUBJECT_HEADS, SURNAME_PARTICLES, TEAM_ROLE_NOUNS,
)
from bot.nlp.tokens import Tokens
from bot.nlp.world import (
    capitals, common_words, country_initials, country_names, given_names, known_words, place_names, region_codes,
)


def decide_kind(p: Piece, toks: Tokens, art: Article) -> tuple[str, int]:
    """The kind of a name that neither the curated list nor a title decided, and how sure it is (`Piece.cue`)."""
    words, keys = toks.words, toks.keys
    span = keys[p.first:p.last + 1]
    head_at = next((m for m, k in enumerate(span) if k in ("of", "for")), len(span)) - 1
    if span[head_at] in ORG_HEADS and len(span) > 1 and tuple(span) not in country_names():
        return "organization", 2  # (not a country named as a union: the country's name decides)
    if len(span) > 1 and _legal_form(span, words[p.first:p.last + 1]):
        return "organization", 2  # Acme SA, Acme Ventures LLP, JSC Acme: a company's legal form
    if len(span) > 2 and any(k in BODY_PREPOSITIONS for k in span[1:-1]):
        return "organization", 2  # Freedom from Torture, Doctors without Borders
    if employs_person_after(toks, p.first, p.last):
        return "organization", 2  # Orlin Weather senior anchor Tom Varde
    if p.last + 1 < len(keys) and toks.gaps[p.last] == "-" and keys[p.last + 1] == "based":
        return "place", 2  # the Kestavo-based group
    if p.first > 1 and toks.gaps[p.first - 2] == "-" and keys[p.first - 1] in _COMPANY_PARTICIPLES \
            and toks.joins[p.first - 1]:
        return "organization", 2  # Tarvo-listed Kestrel, the Orlin-headquartered Velkor
    named = _apposition_kind(toks, p.last)
    if named is not None:
        return named, 2
    if len(span) == 1 and span[0] in STANDING_BODIES and not art.initial[p.first]:
        return "organization", 1  # the Parliament, Congress, the Cabinet (not the Institute: that one is a reference)
    if len(span) == 1 and words[p.first].isupper() and len(words[p.first]) >= 2:
        if tuple(span) in place_names() and (len(span[0]) > 3 or p.first == 0 or "\n" in toks.gaps[p.first - 1]):
            return "place", 2  # a dateline: CAIRO - (not OAS, an acronym that is also a town's name)
        if span[0] in country_initials():
            return "place", 2  # US, UK, DRC
        countries = region_codes().get(span[0])
        if countries and not countries.isdisjoint(art.countries):
            return "place", 2  # UP in an article naming India, KZN in one naming South Africa: a region's code
        if len(words[p.first]) == 2 and _glued_to_sign(toks, p.last):
            return "other", 0  # HK$, BA.5, QX-17, QV(S): two letters glued to a sign or a number name a thing
        if _referred_to_as_person(toks, p.last):
            return "person", 1  # TVK summed up his case: a politician known by his initials
        return "organization", 1
    if len(span) == 1 and _brand_cased(words[p.first]):
        return "organization", 1  # VelkorPay, ZenTrade: a capital inside one word marks a brand, not a person
    if len(span) > 1 and span[-1] in COMPANY_WORDS:
        return "organization", 1  # Kestrel Finance, Tarvex Insurance Brokers
    if len(span) > 1 and any(toks.gaps[m] in AMPERSANDS for m in range(p.first, p.last)):
        return "organization", 1  # Frost & Sullivan, Bath & Body Works
    if not PERSON_PARTICLES.isdisjoint(span[:-1]) or span[0] in NAME_ABBREVIATIONS and len(span) > 1:
        return "person", 1
    if len(span) > 1 and len(span[0]) == 1 and words[p.first].isupper() and len(span[-1]) > 2 \
            and toks.caps[p.last] and span[-1] not in ORG_HEADS and not _country_initials_open(span):
        return "person", 1  # L.H. Mitchell, H D Varaswamy, W. Tarvu Moore: initials open a person's name
    if 2 < len(span) < 5 and words[p.last].islower() and toks.gap(p.last - 1) == "-":
        return "person", 1  # Park Dae-rin, Yeung Chau-lin: a given name of hyphenated syllables
    nxt, prev = p.last + 1, p.first - 1
    placed = prev >= 0 and words[prev].islower() and (  # officials in Kashmir said; in Jammu and Kashmir
        keys[prev] in PLACE_PREPOSITIONS or keys[prev] in ("and", "or") and _placed_coordinate(toks, prev - 1)) \
        or prev >= 0 and keys[prev] == "in" and art.initial[prev] and toks.joins[prev] \
        and toks.gaps[p.last].startswith(",")  # In Tarvo, the port reopened: where the sentence is set
    speaks = nxt < len(toks.words) and not toks.possessive[p.last] and not placed and (
        keys[nxt] in SPEECH_VERBS or keys[nxt] == "who" and toks.gaps[p.last] == ", ") \
        or prev >= 0 and keys[prev] in ("said", "added", "says", "adds") and toks.joins[prev] \
        and not introduces_person(toks, p.last)  # (said Velkor spokesman Jo Tarn: Jo Tarn speaks)
    if tuple(span) in country_names():
        return "place", 3  # Sudan announced: a country speaks through its government, still a place
    if prev >= 0 and keys[prev] == "the" and ("the", *span) in place_names():
        return "place", 2  # at the Tarvesse, in The Tarvesse: a listed place whose name opens with its article
    if _place_of(toks, p.first):
        return "place", 2  # the city of Tarvo, the island of Vrenna, west of Orlin
    if _works_at(toks, p.first) and tuple(span) not in place_names():
        return "organization", 2  # an analyst at Velkor Data, a researcher with Orlin
    pronoun = _pronoun_after_speech(toks, p.last) if speaks and nxt < len(toks.words) and keys[nxt] in SPEECH_VERBS \
        else None
    if speaks and capitals().get(tuple(span)) in art.countries and pronoun not in PERSON_PRONOUNS:
        return "place", 2  # Tehran said, in an article naming Iran: a capital speaks for its government
    if pronoun == "its" and not (len(span) == 1 and (span[0],) in place_names()):
        # Dome said its, Chrysler said Tuesday that its: a body speaks of its own (not `said it`: a person
        # says it was a mistake)
        return "organization", 2
    if toks.possessive[p.last] and nxt < len(words) and keys[nxt] in PERSON_POSSESSIONS and words[nxt].islower():
        return "person", 2  # Varde's widow, Tarvo's birthday: only a person has them
    if prev >= 0 and keys[prev] in APPOSITION_ORG_NOUNS and words[prev].islower() \
            and toks.joins[prev] and not toks.possessive[p.last] and toks.gaps[p.last][:1] not in "'’":
        return "organization", 2  # brokerage firm Merrill Lynch, the oil company Texaco, the startup Zenvora
    if prev >= 0 and keys[prev] in TITLE_FIRST_WORDS and words[prev].islower() and (keys[prev],) in PERSON_TITLES \
            and toks.joins[prev] \
            and keys[prev] not in NOT_ROLE_WORDS and not (len(span) == 1 and (span[0],) in place_names()):
        return "person", 2  # spokesman Kyaw Min Tarn, activist Nasrin Sotoudeh
    if speaks and len(span) > 1 and all(k in common_words() and k not in given_names() for k in span):
        return "organization", 1  # the Federal Reserve said: English words name a body, not a person
    if speaks and len(span) == 1 and prev >= 0 and keys[prev] == "the" and toks.joins[prev]:
        speaks = False  # the Angels, who; the Taliban said: a person's name takes no article
    if speaks and len(span) > 1 and span[-1] in PLACE_HEADS and span[-1] not in BODY_PLACE_HEADS:
        speaks = False  # the Tarvo Region says: a place's name speaks for its government (its head word decides)
    if speaks and len(span) > 1 and tuple(span) in place_names() and pronoun not in PERSON_PRONOUNS:
        return "place", 2  # people in Velmora City said, Velmora City said it would: a listed city, still a place
    if speaks and not (len(span) == 1 and (span[0] in ORG_HEADS or span[0] in common_words())):
        # Tarvosht said / added Quarnley (one word alone before `said` is as often a company's: Chrysler said)
        return _unless_a_body(span, 2) if len(span) > 1 else ("person", 2 if pronoun in PERSON_PRONOUNS else 1)
    if speaks and span[0] not in ORG_HEADS and span[0] not in COMMON_STARTERS and not _group_word(span[0], art):
        return "person", 1  # Williams said, Brown told: a surname that is also a word
    if nxt < len(toks.words) and toks.joins[p.last] and keys[nxt] in TEAM_ROLE_NOUNS and words[nxt].islower() \
            and not span[-1].endswith(GROUP_ENDINGS):
        return "organization", 2  # Chelsea goalkeeper, the River coach: a club named after its town
    city = tuple(span) in place_names()
    if city:
        # one word may also be a given name (David, Paris): a person only when the article names one so
        return "place", 1 if len(span) == 1 else 2
    if len(span) == 2 and span[0] in SURNAME_PARTICLES and toks.caps[p.first] and not starts_place(toks, p.first, p.last):
        return "person", 1  # De Varnosa, Van Dorvelt: a surname with its particle
    if span[0] in PLACE_PREFIXES and not _ordinary_words_follow(toks, p.first, p.last):
        return "place", 1
    if placed and not toks.possessive[p.last]:
        return "place", 1
    if prev >= 0 and keys[prev] in COMPASS_WORDS and words[prev].islower() and toks.joins[prev]:
        return "place", 1  # southern Burma, northern Velmarapa
    if _place_follows(toks, p.last):
        return "place", 1  # Tarnby, Illinois; Shimovra, Kestaka Prefecture
    if _between_places(toks, p.first, p.last):
        return "place", 1  # from Tarvo to Cairo, from Cairo to Tarvo
    if nxt < len(toks.words) and toks.joins[p.last] and keys[nxt] in PLACE_NOUNS and words[nxt].islower():
        return "place", 2  # Orvashul-Gumel region, Korvash province, Tesna river
    if span[-1] in PLACE_HEADS and not (span[-1] in BODY_PLACE_HEADS and all(ordinary_word(k, art) for k in span[:-1])):
        # (after ordinary words, a head that also names a body leaves it to the context: the Federal Reserve
        # said, the Radio Station reported; a nature reserve, a market square)
        return "place", 1
    if span[-1] in EVENT_HEADS:
        return "other", 1
    if 0 <= head_at < len(span) - 1 and span[head_at] in DOCUMENT_HEADS:
        return "other", 1  # Memorandum of Understanding, Declaration of Independence, Plan of Action
    if 0 <= head_at < len(span) - 1 and span[head_at] in PLACE_HEADS and span[head_at] not in BODY_PLACE_HEADS \
            and span[head_at + 1] == "of":
        return "place", 1  # the Republic of Tarvo, the Gulf of Orlin, the Province of Vrenna
    if len(span) > 1 and any(k in ("of", "for", "and") for k in span):
        return "organization", 1
    if len(span) > 1 and span[0] in OPENING_HEADS and not toks.words[p.first].isupper():
        return "organization", 1  # Front Line Defenders, Federation Against Unlawful Dredging
    if nxt < len(toks.words) and toks.joins[p.last] and keys[nxt] in ORG_NOUNS and words[nxt].islower() \
            and not toks.possessive[p.last]:
        # Velkor magazine, the Sinaloa cartel; after a surname the article gives (the Albanese government) a weak cue
        return "organization", 0 if keys[nxt] in LEADER_NOUNS else 1
    if nxt < len(toks.words) and toks.joins[p.last] and keys[nxt] in MEMBER_NOUNS and words[nxt].islower() \
            and not toks.possessive[p.last] and not span[-1].endswith(WORD_ENDINGS + GROUP_ENDINGS):
        return "organization", 1  # Greens leader Orvin Kestle, ED officials (not Presidential candidate, Maoist leader)
    if len(span) > 1 and span[0] in PLACE_ARTICLES and span[1] not in given_names() and toks.caps[p.first + 1]:
        # Al Jazeera, La Prensa, El Tri: an article before a word that is no given name opens the name of a body
        # or a place (Al Gore, La Toya: a given name), not a person's
        return "organization", 0
    if toks.possessive[p.last] and _person_follows(toks, p.last) and not given_and_surname(toks, p.first, p.last) \
            and not (len(span) == 1 and span[0] in art.surnames):  # (Varde's Tomas Orlin: a surname's own man)
        return "organization", 1  # Orlin United's Tomas Varde: whom the person plays or works for
    if span[0] in given_names() and span[0] not in ADJECTIVE_TITLES \
            and not (len(span) == 1 and (span[0] in art.lower or _names_a_thing(p, toks))):
        # a given name alone is a guess: news names people by surname, and lists of given names hold
        # places' and things' names too (Kashmir, Coco)
        return _unless_a_body(span, 1) if len(span) > 1 else ("person", 0)
    if len(span) > 1 and not any(ordinary_word(k, art) for k in span):
        return _unless_a_body(span, 0)  # Sonya Varkett: capitalised words that are not ordinary words
    if 1 < len(span) < 4 and span[0] not in COMMON_STARTERS and span[0] not in PLACE_ARTICLES \
            and any(k not in known_words() for k in span) and all(toks.caps[m] for m in range(p.first, p.last + 1)) \
            and not any(k in ORG_HEADS or k in EVENT_HEADS or k in PLACE_HEADS or k in DEMONYMS
                        or (k,) in PERSON_TITLES or (k[:-1],) in PERSON_TITLES for k in span):
        if plural_noun(span[-1]):
            return "organization", 0  # Nordvik Iron Mines, Zenith Logistics: a plural noun ends no person's name
        return _unless_a_body(span, 0)  # Varnath Singh, Ace Torvashule: a word no English list knows, with a common one
    if len(span) == 1 and not ordinary_word(span[0], art) and not _group_word(span[0], art) and not modifier(p, toks):
        if _referred_to_as_person(toks, p.last):
            return "person", 1  # Korvinah studied law in his youth: the article's own word for it
        if _addressed(toks, p.first) or _speaks_later(toks, p.last):
            return "person", 0  # told Limbaugh, to meet Gorbachev, Gorbachev has not replied
        if prev >= 0 and keys[prev] == "at" and not toks.possessive[p.last]:
            return "place", 0  # washed up at Tarnacoota, buried at Velkhej (an employer is `_works_at`'s)
        return "organization", 0  # a rare capitalised word the article keeps using: Mercosur, Eskom, Xiaomi
    return "other", 0


def _brand_cased(word: str) -> bool:
    """A word of letters that goes on in lower case after its first capital and then takes another
    (VelkorPay), not after a surname's prefix (McAllister)."""
    if len(word) < 4 or not word.isalpha() or not word[1].islower():
        return False
    cut = next((i for i in range(2, len(word)) if word[i].isupper() and word[i - 1].islower()), None)
    return cut is not None and word[:cut].casefold() not in CAPITALISED_SURNAME_PREFIXES


def _country_initials_open(span: list[str]) -> bool:
    """`U.S. Lumber`, in copy that capitalises the word after an abbreviation: the initials opening the name
    are a country's, not a person's."""
    size = next((at for at, key in enumerate(span) if len(key) > 1), len(span))
    return size > 1 and tuple(span[:size]) in place_names()


def _legal_form(span: list[str], written: list[str]) -> bool:
    """A legal form (rigour's table of company types in many languages) ends or opens the name; one of two
    letters only in capitals (Acme SA, not Maria Sa)."""
    for form in _org_type_forms(" ".join(span)):
        size = len(form.split())
        for at in (slice(-size, None), slice(0, size)):
            if tuple(span[at]) == tuple(form.split()) and (len(form) > 2 or all(w.isupper() for w in written[at])):
                return True
    return False


@lru_cache(maxsize=1 << 16)
def _org_type_forms(name: str) -> tuple[str, ...]:
    """The organisation-type designations rigour finds in a name (names recur: asked once each)."""
    return tuple(form for form, _ in extract_org_types(name))


_BODY_SYMBOL_CATEGORIES = (SymbolCategory.DOMAIN, SymbolCategory.SYMBOL)
# rigour's symbols for words that name places as often as bodies (United, City, Central, Region, Republic,
# Capital, Municipal, State, National, Global, World, Hotel, House): no evidence of a body.
_PLACE_SYMBOLS = frozenset("UNITED CITY CENTRAL REGION REPU CAPITAL MUNICIPAL GOV NATL GLOBAL WORLD ALLRUSSIAN "
                           "HOTEL HOUSE".split())


def _unless_a_body(span: list[str], cue: int) -> tuple[str, int]:
    """A name guessed a person's, unless a word of it is one bodies are named with (Minera Tarvex, Banque
    Orlin, Velkor Uranium: a surer cue than the guess)."""
    return ("organization", 1) if _body_vocabulary(" ".join(span)) else ("person", cue)


@lru_cache(maxsize=1 << 16)
def _body_vocabulary(name: str) -> bool:
    """A word of the vocabulary organisations are named with, in many languages (rigour's organisation
    tagger: Minera, Banque, Ministerio, Uranium, Hospital, Party), other than a place's, a given name or a
    clipped word (Dev). (rigour's person tagger would say which words are name parts, but loading it takes
    seconds and hundreds of megabytes in every process.)"""
    return any(span.symbol.category in _BODY_SYMBOL_CATEGORIES and span.symbol.id not in _PLACE_SYMBOLS
               and all(len(part.form) > 3 and part.form not in given_names() for part in span.parts)
               for tagged in analyze_names(NameTypeTag.ORG, [name], phonetics=False, numerics=False)
               for span in tagged.spans)


def _place_of(toks: Tokens, first: int) -> bool:
    """`the city of Tarvo`, `the outskirts of Vrenna`, `west of Orlin`: a place noun or a compass point in
    lower case, then `of`, before the name."""
    at = first - 2
    return at >= 0 and toks.keys[first - 1] == "of" and toks.joins[at] and toks.joins[first - 1] \
        and toks.words[at].islower() and (toks.keys[at] in PLACE_OF_NOUNS or toks.keys[at] in COMPASS_POINTS)


EMPLOYER_PREPOSITIONS = {"at", "with"}


def _works_at(toks: Tokens, first: int) -> bool:
    """`an analyst at Velkor`, `a researcher with Orlin`: a person's role in lower case, then `at` or `with`,
    before the name: whom the person works for."""
    at = first - 2
    return at >= 0 and toks.keys[first - 1] in EMPLOYER_PREPOSITIONS and toks.joins[at] and toks.joins[first - 1] \
        and toks.words[at].islower() and ((toks.keys[at],) in PERSON_TITLES or toks.keys[at] in MEMBER_NOUNS) \
        and toks.keys[at] not in NOT_ROLE_WORDS


CONGLOMERATE_HEADS = {"group"}  # a company's name and `Group` after it: the group of companies, called by the name alone
PRONOUNS = {"it", "its", "he", "she", "his", "her"}
PERSON_PRONOUNS = {"he", "she", "his", "her"}
PREPOSITIONS = {"by", "with", "of", "for", "from", "on", "at", "to", "into", "against", "without", "about"}


def _pronoun_after_speech(toks: Tokens, j: int) -> str | None:
    """`X said its`, `X said Tuesday its`, `X said that he`: the pronoun opening what the name's speaker says,
    which tells a body from a person (not `Tolvert said that with its surplus`: another's)."""
    at = j + 2
    for skipped in (CALENDAR, ("that",)):  # said [Tuesday] [that] its
        if at < len(toks.words) and toks.keys[at] in skipped and toks.joins[at - 1]:
            at += 1
    if at >= len(toks.words) or not toks.joins[at - 1] or toks.keys[at] not in PRONOUNS:
        return None
    # (not `said it's important`: the it of a statement, whoever makes it)
    return toks.keys[at] if toks.words[at].islower() and not toks.possessive[at] else None


PERSONAL_PRONOUNS = {"he", "she", "his", "her", "him", "himself", "herself"}
REFERENCE_REACH = 10  # words after a name in which a pronoun still refers back to it


def _referred_to_as_person(toks: Tokens, j: int) -> bool:
    """`Tarnejin, a local functionary ..., said he`, `Korvinah studied law in his youth`: a personal pronoun later
    in the name's sentence, before any other name or `it` could take it, refers to the name as a person's."""
    for at in range(j + 1, min(j + 1 + REFERENCE_REACH, len(toks.words))):
        if any(map(toks.gaps[at - 1].__contains__, ".!?\n\"\u201c\u201d")) or toks.caps[at] \
                or toks.keys[at] in ("it", "its"):  # (a quotation's end: `Tarvo will pay,” he said` is the speaker)
            return False
        if toks.keys[at] in PERSONAL_PRONOUNS:
            return True
    return False


AUXILIARIES = {"has", "have", "had", "would", "will", "could", "did", "does", "may", "might"}
AUXILIARY_ADVERBS = {"not", "also", "never", "yet", "already", "since", "repeatedly"}


def _speaks_later(toks: Tokens, j: int) -> bool:
    """`Gorbachev has not replied`, `USAir had said`: a speech verb after an auxiliary (and an adverb), a
    weaker cue than one right after the name."""
    at = j + 1
    if at >= len(toks.words) or toks.keys[at] not in AUXILIARIES or not toks.joins[j]:
        return False
    at += 1
    if at < len(toks.words) and toks.keys[at] in AUXILIARY_ADVERBS and toks.joins[at - 1]:
        at += 1
    return at < len(toks.words) and toks.keys[at] in SPEECH_VERBS and toks.joins[at - 1] and toks.words[at].islower()


ADDRESSING_WORDS = {"told", "tell", "tells", "telling", "met", "meet", "meets", "meeting"}


def _addressed(toks: Tokens, first: int) -> bool:
    """`told Limbaugh`, `to meet Gorbachev`, `an interview with Limbaugh`: whom one tells, meets or
    interviews is, for a word no list knows, more often a person than a body."""
    prev = first - 1
    if prev < 0 or not toks.joins[prev] or not toks.words[prev].islower():
        return False
    return toks.keys[prev] in ADDRESSING_WORDS or toks.keys[prev] == "with" and prev > 0 and toks.joins[prev - 1] \
        and toks.keys[prev - 1] in ("interview", "interviews", "meeting", "meetings")


def _placed_coordinate(toks: Tokens, j: int) -> bool:
    """`in Jammu and [Kashmir]`: the place after a place preposition that the name is joined to."""
    first = j
    while first > 0 and toks.caps[first - 1] and toks.joins[first - 1]:
        first -= 1
    return toks.caps[j] and first > 0 and toks.keys[first - 1] in PLACE_PREPOSITIONS \
        and toks.words[first - 1].islower() and tuple(toks.keys[first:j + 1]) in place_names()


def _names_a_thing(p: Piece, toks: Tokens) -> bool:
    """`by Katyusha rockets`, `with Apple shares`: after a preposition, a name before a plural noun tells
    what kind of thing they are (a verb cannot follow there)."""
    prev, nxt = p.first - 1, p.last + 1
    return prev >= 0 and nxt < len(toks.words) and toks.words[prev].islower() and toks.keys[prev] in PREPOSITIONS \
        and toks.joins[prev] and toks.joins[p.last] and toks.words[nxt].islower() and plural_noun(toks.keys[nxt])


def _glued_to_sign(toks: Tokens, j: int) -> bool:
    """Word j runs into a sign or a number (HK$, BA.5, QX-17, QV(S), NT 3): the letters are a currency, a
    model or a variant. Standing alone, two capitals are mostly a body (the EC, ED officials, SM's group)."""
    nxt = j + 1
    return nxt == len(toks.words) or toks.gaps[j][:1] not in " ,;:)" or toks.gaps[j] == " (" \
        or toks.words[nxt][:1].isdigit()


def _ordinary_words_follow(toks: Tokens, first: int, last: int) -> bool:
    """`Central Crime Branch`, `New Ideas`, `West Africa Cable System`: capitalised ordinary words after a
    place prefix make a body's or a thing's name, not a place's (Gulf of Tarvagayo, San Juan Velmula)."""
    keys = toks.keys
    return any(toks.caps[m] and keys[m] in common_words() and keys[m] not in PLACE_HEADS
               and keys[m] not in PLACE_PREFIXES and keys[m] not in given_names() and (keys[m],) not in place_names()
               for m in range(first + 1, last + 1))


def _place_follows(toks: Tokens, j: int) -> bool:
    """`Tarnby, Illinois,`: a name followed by a comma and a known place that ends the phrase is a
    town or district and the region it lies in."""
    if toks.gaps[j] != ", ":
        return False
    for size in (3, 2, 1):
        last = j + size
        if last < len(toks.words) and tuple(toks.keys[j + 1:last + 1]) in place_names() and not toks.possessive[last] \
                and all(toks.joins[m] for m in range(j + 1, last)):
            return last + 1 == len(toks.words) or toks.gaps[last][:1] in ",.;)"
    return False


def _listed_place_from(toks: Tokens, first: int, step: int) -> int | None:
    """The other end of a listed place of one to three joined capitalised words that starts at word `first`
    (`step` 1) or ends there (`step` -1), the longest first; None when none does."""
    for size in (3, 2, 1):
        low, high = sorted((first, first + step * (size - 1)))
        if low >= 0 and high < len(toks.words) and all(toks.caps[m] for m in range(low, high + 1)) \
                and all(toks.joins[m] for m in range(low, high)) and tuple(toks.keys[low:high + 1]) in place_names():
            return first + step * (size - 1)
    return None


def _between_places(toks: Tokens, first: int, last: int) -> bool:
    """`from Tarvo to Cairo`, `from Cairo to Tarvo`: a journey's ends are places when one of them is listed."""
    keys, words, joins = toks.keys, toks.words, toks.joins
    before, after = first - 1, last + 1
    if before >= 0 and keys[before] == "from" and words[before].islower() and joins[before] \
            and after + 1 < len(words) and keys[after] == "to" and joins[last] and joins[after]:
        return _listed_place_from(toks, after + 1, 1) is not None
    if before >= 2 and keys[before] == "to" and words[before].islower() and joins[before] and joins[before - 1]:
        start = _listed_place_from(toks, before - 1, -1)
        return start is not None and start > 0 and keys[start - 1] == "from" and joins[start - 1]
    return False


_COMPANY_PARTICIPLES = frozenset(("listed", "headquartered"))  # (not -based, -owned: UK-based Tarn, Orlin-owned islands)
_APPOSITION_ENDS = frozenset(("of", "for", "in", "at", "from", "with", "by", "on", "to", "that", "which", "who",
                              "and", "or", "based", "owned", "run", "where", "whose"))


def _apposition_kind(toks: Tokens, j: int) -> str | None:
    """`Velkor Data, a market research firm`, `Tarvo, one of six villages`, `Tarvo is a settlement`: the kind
    the noun of an apposition or of `is a` after word j gives it (None when there is none, or another noun)."""
    keys, words, n = toks.keys, toks.words, len(toks.words)
    k = j + 1
    if k + 1 >= n or toks.possessive[j]:
        return None
    if toks.gaps[j] == " " and keys[k] in ("is", "was") and words[k].islower():
        k += 1
    elif toks.gaps[j] != ", ":
        return None
    if keys[k] in ("a", "an", "the") and words[k].islower():
        k += 1
    elif keys[k] == "one" and k + 2 < n and keys[k + 1] == "of" and words[k].islower():
        k += 2 + (keys[k + 2] == "the")
    else:
        return None
    noun = None
    for m in range(k, min(n, k + 6)):
        if m == k and toks.possessive[m] and words[m].islower() or keys[m] in DEMONYMS and toks.gaps[m] == " ":
            continue  # the country's largest lender, a Swiss subsidiary
        if not words[m].islower() and not words[m].isdigit() or keys[m] in _APPOSITION_ENDS or toks.possessive[m] \
                or keys[m] in COMPASS_POINTS and noun is not None \
                or noun is not None and keys[m].endswith(("ed", "ing")):  # (six villages [flooded])
            break
        noun = keys[m]
        if toks.gaps[m] not in (" ", "-"):
            break
    if noun is None:
        return None
    for form in (noun, noun[:-1]) if noun.endswith("s") else (noun,):
        if form in APPOSITION_ORG_NOUNS:
            return "organization"
        if form in APPOSITION_PLACE_NOUNS:
            return "place"
    return None


def _person_follows(toks: Tokens, j: int) -> bool:
    """A given name and a capitalised word come right after word j (its possessive): a person's name."""
    k = j + 1
    return k + 1 < len(toks.words) and toks.keys[k] in given_names() and toks.keys[k] not in common_words() \
        and toks.caps[k] and toks.caps[k + 1] \
        and toks.joins[k] and not toks.words[k].isupper()


def modifier(p: Piece, toks: Tokens) -> bool:
    """`Ebola outbreak`, `Mapuche community`: a capitalised word used as an adjective."""
    nxt = p.last + 1
    return (nxt < len(toks.words) and toks.joins[p.last] and not toks.caps[nxt] and toks.keys[nxt] not in COMMON_STARTERS
            and toks.keys[nxt] not in SPEECH_VERBS and not toks.keys[nxt].endswith(("ed", "s")))


def _group_word(key: str, art: Article) -> bool:
    """Peoples, creeds and plurals of ordinary words: Cubans, Hinduism, Maoist, NGOs."""
    return key.endswith(GROUP_ENDINGS) or key[-1:] == "s" and key[:-1] not in given_names() and (
        key[:-1] in common_words() or key[:-1] in art.lower)  # (Williams, Edwards: surnames)


def guess_by_context(pieces: list[Piece], toks: Tokens) -> None:
    """A name guessed a person's in every mention (no cue decided it) that the article writes after `the`
    in mid-sentence is no person: a person's name takes no article (the Tarvish Kolmaru);
    not `the Acme's board`, whose article is the board's."""
    by_name: dict[str, list[Piece]] = {}
    for p in pieces:
        by_name.setdefault(p.name, []).append(p)
    for group in by_name.values():
        if group[0].kind != "person" or any(p.cue or p.curated is not None or p.adopted for p in group):
            continue
        if any(p.first > 0 and toks.keys[p.first - 1] == "the" and toks.words[p.first - 1].islower()
               and toks.joins[p.first - 1] and not toks.possessive[p.last] for p in group):
            for p in group:
                p.kind = "organization"


# One mention's say in its actor's kind, by its cue (Piece.cue: 0 a guess ... 3 curated): a cue outweighs seven
# mentions of the cue below it. A mention no cue gave any kind (`other`, a guess) says half of what a guess says.
# (Steeper than the articles' votes across the corpus, bot.store.actor_stats.CUE_WEIGHTS: within one article the
# mentions of a name share their contexts, and the corpus's weights gave a worse kind: BENCHMARKS.md.)
KIND_CUE_WEIGHTS = (2, 16, 128, 1024)


def settle_kinds(pieces: list[Piece]) -> None:
    """One actor, one kind in an article, by the evidence of all its mentions: each votes for its kind
    with the weight of its cue, so one odd context does not outvote many (`Acme has`, `Acme's lawyer` ...
    and once `said Acme has`), while a head word or a title outweighs a few guesses. Every mention carries
    the elected kind and the surest cue given for it (how sure the article is of the actor's kind is its
    vote for the actor across the corpus)."""
    _short_forms_of_companies(pieces)
    votes: dict[str, dict[str, list[int]]] = {}  # name -> kind -> [weight of its votes, surest cue]
    for p in pieces:
        kind, cue = p.kind or "other", p.cue
        weight = KIND_CUE_WEIGHTS[cue] if cue or kind != "other" else KIND_CUE_WEIGHTS[0] // 2
        tally = votes.get(p.name)
        if tally is None:
            votes[p.name] = {kind: [weight, cue]}
        elif kind in tally:
            vote = tally[kind]
            vote[0] += weight
            vote[1] = max(vote[1], cue)
        else:
            tally[kind] = [weight, cue]
    elected = {name: max(tally.items(), key=_weight) if len(tally) > 1 else next(iter(tally.items()))
               for name, tally in votes.items()}  # (a tie: the first's)
    for p in pieces:
        p.kind, (_, p.cue) = elected[p.name]


def _weight(vote: tuple[str, list[int]]) -> int:
    return vote[1][0]


def _short_forms_of_companies(pieces: list[Piece]) -> None:
    """`Chrysler Corp ... Chrysler`, `Dome Petroleum ... Dome`: a name the article also writes with a legal
    form or a company word after it is the company's short form, whatever one context suggests; a name
    of two words or more no cue gave a kind, that the article also writes before a body's head word, is
    that body's (the Federal Reserve Board ... the Federal Reserve)."""
    companies, bodies = set(), set()
    for p in pieces:
        key = p.key if p.curated is None else ()
        if len(key) > 2 and key[-1] in ORG_HEADS and p.kind == "organization":
            bodies.add(key[:-1])  # the Federal Reserve Board ... the Federal Reserve
        while len(key) > 1 and (key[-1] in LEGAL_FORMS or key[-1] in COMPANY_WORDS or key[-1] in SUBJECT_HEADS
                                or key[-1] in CONGLOMERATE_HEADS
                                or key[-1] in ("and", "&") and key[-2] not in LEGAL_FORMS):
            # Dome Petroleum Ltd: Dome Petroleum, Dome; Merrill Lynch and Co Inc: Merrill Lynch; the Tata Group: Tata
            key = key[:-1]
            if key[-1] not in ("and", "&"):
                companies.add(key)
    for p in pieces:
        if p.curated is None and not p.adopted and (p.key in companies and p.cue < 3
                                                    or p.key in bodies and p.kind in (None, "other")):
            p.kind, p.cue = "organization", 2
