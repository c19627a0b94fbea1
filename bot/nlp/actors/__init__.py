"""Actor mentions: every person, organisation and place named in an article body.

Two sources, read in one pass over the article's words:

1. the curated list (config/actors.yaml, `Gazetteer.match`): the longest alias wins,
   so `Kataeb Hezbollah` is never read as `Hezbollah`;
2. discovery: runs of capitalised words (with name particles such as al-, bin, abu,
   de, van and the `of` of organisation names), cut at titles (`Supreme Leader`,
   `Maj. Gen.`), nationality adjectives, calendar words and curated names, with
   sentence-initial common words dropped. Title words, organisation head words,
   speech verbs and place prepositions give each name its kind.

Then each article is resolved as a reader would: a surname alone (`Kadhimi`) is
the full name introduced in the article, a one-letter typo of a name (`Abu Fadek`)
is that name, an acronym defined in brackets (`Popular Mobilisation Authority
(PMA)`) and a nickname in quotes (`Abdulaziz al-Muhammadawi "Abu Fadak"`) are
the name they follow, and a possessive that lost its apostrophe (`Khameneis`)
is the name without it.

Kinds come from cues in the text first (titles, head words, speech verbs, place
prepositions), then from general knowledge (bot.nlp.world: countries and cities,
given names, how common an English word is). A nationality or place that opens an
organisation's name qualifies it: the mention covers `Development Bank`, the actor
is `African Development Bank`, and the place gets a mention of its own.

Headline-like lines (title case, no closing punctuation) and lines in capitals
are page furniture for discovery. The title is not scanned: the stored text does
not contain it, and mention offsets point into the stored text.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from bot.corpus.vocabulary import (
    CALENDAR, INNER_NAME_TITLES, NAME_MONTH_ABBREVIATIONS, NAME_MONTHS, PERSON_TITLES, SURNAME_TITLES, TITLE_FIRST_WORDS,
)
from bot.nlp.lexicon import (
    COMMON_STARTERS, COMPANY_WORDS, COMPASS_WORDS, DEMONYMS, DOCUMENT_HEADS, EVENT_HEADS, LEADER_NOUNS, LED_BODY_HEADS,
    LEGAL_FORMS, LOCAL_BODY_HEADS, MEMBER_NOUNS, NAME_ABBREVIATIONS, NAME_PARTICLES, NOT_ACTOR_ACRONYMS, NOT_ACTORS,
    NOT_ROLE_WORDS, OFFICE_HEADS, OPENING_HEADS, ORG_HEADS, ORG_NOUNS, PERSON_PARTICLES, PLACE_ARTICLES, PLACE_HEADS,
    PLACE_NOUNS, PLACE_PREFIXES, POSSESSIVE_ORG_WORDS, QUANTITY_WORDS, SPEECH_VERBS, STANDING_BODIES, SUBJECT_HEADS,
    SUBJECT_VERBS, SURNAME_PARTICLES, TEAM_ROLE_NOUNS, WEAK_ORG_HEADS,
)
from bot.nlp.models import Mention
from bot.nlp.tokens import Tokens, tokenize
from bot.nlp.world import common_words, country_names, given_names, known_words, place_names

# A full stop, ! or ? (and the closing quotation marks after it) ends a sentence only before white
# space: "said <!channel> hello" or "Yahoo!News" go on.
_SENTENCE_END = re.compile(r"[.!?][\"”’']*(?=\s)")
_OPENERS = re.compile(r"(?:[\"“‘«]|^'|\s')$")  # a mark that opens what follows: `," Williams` is no opener; a bracket
# opens no sentence: (Real Espana)
_CLAUSE = re.compile(r"[:;]|\s[-–—]\s")
_TITLE_LEN = max(len(t) for t in PERSON_TITLES)
_CONNECTORS = {"of", "for", "and", "the", "on"}
_PLACE_PREPOSITIONS = {"in", "across", "throughout", "near", "outside", "inside", "into"}
_CAMEL = re.compile(r"[ \n][a-z]{1,2}[A-Z]")  # eNCA, iLaw, uMngeni
# What stands between a name and the other name it goes by (Widodo, better known as Jokowi).
_KNOWN_AS = re.compile(r"^[\s,(–—-]*(?:(?:more |most |better |also |commonly |popularly |widely )*known as|nicknamed|"
                       r"dubbed|alias|aka|a\.k\.a\.)\s*[\"“‘']?$")
_KNOWN_AS_HINT = re.compile(r"known as|nicknamed|dubbed|alias|aka|a\.k\.a")
_AMPERSANDS = (" & ", "&")
_NICKNAME_OPENERS = (' “', ' "', " ‘", " '")
_ROMAN = re.compile(r"^[IVX]+$")
_GROUP_OF_STATES = re.compile(r"^[A-Z]{1,2}\d{1,2}$")
_GROUP_ENDINGS = ("ans", "ism", "isms", "ist", "ists", "ese", "ish", "ites", "ian", "ean", "ic", "ics")
# Second halves of compound adjectives: Iran-backed, US-led, Tehran-based.
_COMPOUND_WORDS = {"led", "based", "backed", "born", "run", "owned", "made", "style", "type", "related", "linked",
                   "aligned", "allied", "funded", "sponsored", "affiliated", "controlled", "dominated", "oriented",
                   "friendly", "speaking", "free", "wide", "level", "class", "era", "long", "old", "like", "bound",
                   "held", "occupied", "inspired", "trained", "educated", "majority", "only", "specific", "centric"}
# Endings of English nouns and adjectives, not of surnames (Royal Irrigation Department, Non-Governmental).
_WORD_ENDINGS = ("tion", "al", "ing", "ment", "ity", "ive", "ic", "ics")
_HYPHEN_PARTICLES = {"an", "as", "at", "ad", "ar", "az", "ash", "ud", "ul", "do", "den"}


@dataclass
class _Piece:
    """A name found in the text: word indexes first..last, and what is known about it."""

    first: int
    last: int
    start: int
    end: int
    kind: str | None = None
    cue: int = 0  # how sure the kind is: 3 curated, 2 head word / title, 1 weaker rule
    curated: object | None = None  # CuratedActor
    name: str = ""
    key: tuple[str, ...] = ()
    adopted: bool = False  # resolved to another name of the article
    tentative: bool = False  # a lone capitalised word opening a sentence: kept only if it names someone known here
    name_start: int | None = None  # the name begins before the mention: [German] Development Ministry
    name_end: int | None = None  # the name ends after the mention: Supreme Court [of Nigeria]


class _Article:
    """Per-article facts discovery reads: sentence starts, furniture lines, vocabulary."""

    def __init__(self, text: str, toks: Tokens):
        self.text, self.toks = text, toks
        n = len(toks.words)
        self.initial = [False] * n  # first word of a sentence, clause, quote or line
        self.breaks: list[int] = [0]  # character offsets where sentences start
        self.furniture = [False] * n
        self.shouting = [False] * n
        starts, ends, words, gaps = toks.starts, toks.ends, toks.words, toks.gaps
        # only the words after a gap other than one space can start anything
        for i in [0] + [j + 1 for j in range(n - 1) if gaps[j] != " "]:
            gap = gaps[i - 1] if i else text[:starts[0]]
            if i == 0 or "\n" in gap:
                self.initial[i] = True
                self.breaks.append(starts[i])
            elif _SENTENCE_END.search(gap) and not toks.joins[i - 1]:
                self.initial[i] = True
                # a closing quotation mark ends the sentence it closes
                self.breaks.append(ends[i - 1] + max(stop.end() for stop in _SENTENCE_END.finditer(gap)))
            elif _CLAUSE.search(gap) or _OPENERS.search(gap) and not toks.possessive[i - 1]:
                self.initial[i] = True
        self._mark_lines(text, toks)
        self.lower = {k for w, k in zip(words, toks.keys) if w[:1].islower()}
        # words capitalised on their own inside a sentence: names (Zartosht), not parts of longer names
        caps, joins, initial = toks.caps, toks.joins, self.initial  # (caps has one False past the end)
        self.cap_inside = {toks.keys[i] for i in [i for i in range(n) if caps[i]] if not initial[i]
                           and not (caps[i - 1] and joins[i - 1]) and not (caps[i + 1] and joins[i])}

    def _mark_lines(self, text: str, toks: Tokens) -> None:
        i, n = 0, len(toks.words)
        offset = 0
        for line in text.split("\n"):
            line_end = offset + len(line)
            first = i
            while i < n and toks.starts[i] < line_end:
                i += 1
            words = toks.words[first:i]
            if words:
                letters = [w for w in words if w[:1].isalpha()]
                stripped = line.rstrip()
                if letters and all(w.isupper() or len(w) == 1 for w in letters) and sum(len(w) > 1 for w in letters) > 1:
                    for j in range(first, i):
                        self.shouting[j] = self.furniture[j] = True
                elif len(letters) >= 4 and stripped[-1:] not in ".!?:\"”'’)" and \
                        all(w[0].isupper() for w in letters if len(w) > 3) and not _has_date(toks, first, i):
                    for j in range(first, i):
                        self.furniture[j] = True
            offset = line_end + 1

    def sentence(self, start: int) -> tuple[int, int]:
        """Offsets of the sentence holding `start`, without its surrounding white space."""
        k = bisect_right(self.breaks, start) - 1
        begin = self.breaks[k]
        end = self.breaks[k + 1] if k + 1 < len(self.breaks) else len(self.text)
        chunk = self.text[begin:end]
        return begin + len(chunk) - len(chunk.lstrip()), end - len(chunk) + len(chunk.rstrip())


def _has_date(toks: Tokens, first: int, last: int) -> bool:
    """A byline (`Name March 22, 2019`) is not a headline."""
    return any(toks.keys[j] in CALENDAR and j + 1 < last and toks.words[j + 1][:1].isdigit() for j in range(first, last))


def extract_mentions(text: str, gazetteer=None, title: str | None = None) -> list[Mention]:
    """Mentions of actors in `text` (offsets into it). `title` is accepted for the pipeline's
    signature and not scanned: its words are not part of the stored text."""
    if not text or not text.strip():
        return []
    toks = tokenize(text)
    if not toks.words:
        return []
    art = _Article(text, toks)
    pieces = _find_pieces(toks, art, gazetteer)
    _resolve(pieces, toks, art)
    return [Mention(p.start, p.end, text[p.start:p.end], p.name, p.kind or "other", *art.sentence(p.start),
                    p.curated.name if p.curated is not None else None)
            for p in pieces]


# -- finding names ---------------------------------------------------------------

def _is_cap(word: str) -> bool:
    return word[:1].isupper()  # (toks.caps holds this for every word of a text)


def _title_at(toks: Tokens, i: int, stop: int) -> int:
    """Length of the person title starting at word i (0 when none)."""
    if toks.keys[i] not in TITLE_FIRST_WORDS or not _is_cap(toks.words[i]):
        return 0
    for size in range(min(_TITLE_LEN, stop - i + 1), 0, -1):
        if tuple(toks.keys[i:i + size]) in PERSON_TITLES and all(toks.joins[j] for j in range(i, i + size - 1)):
            after = i + size
            # `General Assembly`, `Supreme Court`: a title word that heads an organisation name is not a title
            if after <= stop and toks.keys[after] in ORG_HEADS:
                return 0
            return size
    return 0


def _find_pieces(toks: Tokens, art: _Article, gazetteer) -> list[_Piece]:
    n = len(toks.words)
    keys, caps = toks.keys, toks.caps
    hits = {}
    if gazetteer is not None:
        first_words = gazetteer.first_words_or_plurals
        after = -1
        for i in [i for i, k in enumerate(keys) if k in first_words]:
            if i > after and not art.shouting[i]:
                hit = gazetteer.match(toks, i)
                if hit is not None and not (i and toks.joins[i - 1] and caps[i - 1]
                                            and tuple(keys[i - 1:hit.last + 1]) in place_names()):
                    hits[i] = hit  # (not the Dawa of Dire Dawa: a place's name holds the alias)
                    after = hit.last
    _mark_lower_case_brands(toks, art)
    pieces: list[_Piece] = []
    after = -1
    for i in [i for i in range(n) if caps[i] or i in hits or keys[i] in NAME_PARTICLES]:
        if i <= after:
            continue
        if i in hits or not art.furniture[i] and (caps[i] or _is_particle(toks, i) and toks.joins[i] and caps[i + 1]):
            after = _run_end(toks, art, hits, i)
            _segment(toks, art, hits, i, after, pieces)
    return pieces


def _mark_lower_case_brands(toks: Tokens, art: _Article) -> None:
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
    for i in [i for i, key in enumerate(keys[:-1]) if key in unknown]:
        key = keys[i]
        if caps[i + 1] and keys[i + 1] in ORG_HEADS and not caps[i] and joins[i] and len(key) > 2 \
                and key not in NAME_PARTICLES and words[i].isalpha() \
                and words[i].islower() and not (i + 2 < len(words) and joins[i + 1] and caps[i + 2]):
            caps[i] = True


def _run_end(toks: Tokens, art: _Article, hits: dict, i: int) -> int:
    """Last word of the run of joined capitalised words (and name connectors) starting at i."""
    words, keys, joins = toks.words, toks.keys, toks.joins
    n = len(toks.words)
    j = hits[i].last if i in hits else i
    has_head = keys[j] in ORG_HEADS or keys[j] in TITLE_FIRST_WORDS or keys[j] in PLACE_HEADS
    while j + 1 < n:
        if not joins[j] and not _possessive_org(toks, j):
            gap = toks.gaps[j]
            if gap == ", ":  # Ministry of Sport, Youth[ and National Service]; TransparentBusiness, Inc
                listed = _comma_list_end(toks, art, hits, i, j, has_head)
            elif gap in _NICKNAME_OPENERS:
                listed = _nickname_end(toks, i, j)  # José “Pepe” Mujica
            elif gap in _AMPERSANDS:
                listed = j + 1 if _ampersand_joins(toks, art, i, j) else -1  # Frost & Sullivan
            else:
                break
            if listed < 0:
                break
            j = listed  # Ministry of Sport, Youth[ and National Service]; TransparentBusiness, Inc
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
        elif key == "and" and _org_head_follows(toks, k + 1) and _subject_word(toks, j) and (
                any(keys[m] in ("of", "for", "on") for m in range(i, j)) or j - i < 3 and not has_head):
            j = k  # National Counterintelligence and Security Center, Czech Economic and Cultural Office
        elif key == "and" and has_head and any(keys[m] in ("of", "for") for m in range(i, j)) \
                and _ends_subject(toks, hits, k + 1):
            j = k  # Ministry of Science and Technology, Department of Economic and Social Affairs
        else:
            break
    return j


def _ampersand_joins(toks: Tokens, art: _Article, i: int, j: int) -> bool:
    """`Frost & Sullivan`, `Bath & Body Works`: an ampersand joins the halves of a firm's name, not two
    people (Benjamin Ntim & Kojo Annan), two places (Kampala & Kayunga) or letters (R&D, J&K)."""
    keys, words, nxt = toks.keys, toks.words, j + 1
    return toks.caps[nxt] and not art.initial[nxt] \
        and keys[i] not in given_names() and keys[nxt] not in given_names() \
        and len(words[j]) > 2 and len(words[nxt]) > 2 \
        and (keys[j],) not in place_names() and (keys[nxt],) not in place_names() \
        and not _title_at(toks, nxt, len(toks.words) - 1) and not (toks.joins[nxt] and _title_at(toks, nxt + 1, len(toks.words) - 1))


def _nickname_end(toks: Tokens, i: int, j: int) -> int:
    """`José “Pepe” Mujica`, `Joaquín “El Chapo” Guzmán`: a nickname in quotes between a given name and
    the surname is part of the name. Returns the surname's word, or -1."""
    keys, caps, joins, gaps = toks.keys, toks.caps, toks.joins, toks.gaps
    if gaps[j] not in _NICKNAME_OPENERS or keys[i] not in given_names() or j + 2 >= len(toks.words):
        return -1
    k = end = j + 1
    while end - k < 2 and joins[end] and caps[end + 1]:
        end += 1
    if not caps[k] or end + 1 >= len(toks.words) or gaps[end] not in ('” ', '" ', "’ ", "' ") or not caps[end + 1] \
            or keys[end + 1] in SPEECH_VERBS:
        return -1
    return end + 1


def _comma_list_end(toks: Tokens, art: _Article, hits: dict, i: int, j: int, has_head: bool) -> int:
    """A comma inside a name: a company's legal form (`TransparentBusiness, Inc`), or the list of
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


def _subject_word(toks: Tokens, j: int) -> bool:
    """The word before the `and` of one name is an ordinary word (Economic and Cultural Office), not the end
    of a name of its own (TerraForm Labs and Luna Foundation Guard, University of Mongolia and ...)."""
    key = toks.keys[j]
    return (key in known_words() or key.endswith(("al", "ic", "ary", "ive"))) and key not in COMPANY_WORDS \
        and (key,) not in place_names() \
        and not toks.words[j].isupper()


def _ends_subject(toks: Tokens, hits: dict, i: int) -> bool:
    """After `Ministry of Science and`: one to three capitalised words that end the name (Technology,
    Atmospheric Research), not a place, a known actor or a person of their own (and Iraq, and Ahmed Ali)."""
    end = i
    while end + 1 < len(toks.words) and toks.joins[end] and toks.caps[end + 1] and end - i < 3:
        end += 1
    if end - i >= 3 or end + 1 < len(toks.words) and toks.joins[end] and toks.keys[end + 1] in ("of", "for", "and"):
        return False
    span = tuple(toks.keys[i:end + 1])
    return not any(m in hits for m in range(i, end + 1)) and span not in place_names() \
        and span[0] not in given_names() and not any(k in ORG_HEADS and k not in SUBJECT_HEADS for k in span)


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
        inside = toks.keys[j] in POSSESSIVE_ORG_WORDS
    else:  # a plural's bare apostrophe
        inside = toks.gaps[j] in ("' ", "’ ") and toks.words[j][-1:] == "s" and toks.caps[j]
    return inside and j + 1 < len(toks.words) and _org_head_follows(toks, j + 1, weak=True)


def _org_head_follows(toks: Tokens, i: int, weak: bool = False) -> bool:
    """`National Counterintelligence and Security Center`: an `and` inside an organisation's name."""
    while i < len(toks.words) and (_is_cap(toks.words[i]) or toks.keys[i] == "and"):
        if toks.keys[i] in ORG_HEADS:
            return weak or toks.keys[i] not in WEAK_ORG_HEADS
        if not toks.joins[i]:
            break
        i += 1
    return False


def _is_particle(toks: Tokens, i: int) -> bool:
    """al-, bin, abu, de, van...; the ones that are also English words (as, at, an) only with a hyphen."""
    key = toks.keys[i]
    if key not in NAME_PARTICLES or not toks.words[i].islower():
        return False
    return key not in _HYPHEN_PARTICLES or i + 1 < len(toks.words) and toks.gap(i) == "-"


def _segment(toks: Tokens, art: _Article, hits: dict, first: int, stop: int, out: list[_Piece]) -> None:
    """Cut one run into names: curated hits, titles (kept as cues), demonyms and common words dropped."""
    words, keys = toks.words, toks.keys
    j = first
    title_cue = False
    while j <= stop:
        hit = hits.get(j)
        if hit is not None:
            alias = hit.alias
            end = hit.end - (keys[hit.last] != alias.keys[-1])  # Khameneis: the s of a lost possessive
            # European Union, South African Airways: the nationality or creed qualifies the body's head word
            lead = hit.last if alias.actor.kind == "organization" and keys[hit.last] in ORG_HEADS \
                and _qualifier_end(keys, j, hit.last) == hit.last else j
            out.append(_Piece(lead, hit.last, toks.starts[lead], end, alias.actor.kind, 3, alias.actor,
                              name_start=hit.start if lead > j else None))
            j = hit.last + 1
            title_cue = False
            continue
        size = _title_at(toks, j, stop)
        if size == 1 and j == stop and keys[j] in SURNAME_TITLES:
            # `Chief said`, `says Dean`: a title naming no one after it is kept while the article may name
            # someone of that surname (Mandy Chief)
            out.append(_Piece(j, j, toks.starts[j], toks.ends[j], tentative=True))
            j += 1
            continue
        if size:
            j += size
            name, place = _portfolio_end(toks, j, stop)  # Minister of Tourism [Iván Eskildsen]
            if place >= 0:
                out.append(_Piece(place, name - 1, toks.starts[place], toks.ends[name - 1], "place", 3))
            j = name
            title_cue = True
            continue
        key = keys[j]
        if key in DEMONYMS and _names_with_demonym(toks, j, stop, hits):
            pass  # Persian Gulf, Iranian Foreign Ministry, Arab Spring
        elif key in DEMONYMS or _not_actor(words[j], key) or key in ("the", "a", "an") or _is_date_word(toks, j) or not (
                toks.caps[j] or _is_particle(toks, j) and j < stop):
            j += 1
            title_cue = False
            continue
        if j < stop and key in common_words() and key not in given_names() and _title_at(toks, j + 1, stop):
            j += 1  # Chief [Election] Commissioner, [Health] Minister: what the title is of
            continue
        if art.initial[j] and _common(key, art) and not (key in art.cap_inside and key not in COMMON_STARTERS) \
                and not (j < stop and (key in SURNAME_PARTICLES or key in NAME_ABBREVIATIONS or _initial(toks, j))) \
                and not _starts_place(toks, j, stop) and not (key not in COMMON_STARTERS and j < stop and (
                    _org_head_follows(toks, j + 1, weak=True) or key in ORG_HEADS and keys[j + 1] in ("of", "for"))):
            j += 1
            continue
        # a discovered name: up to the next title, curated name (unless a surname of one), date or demonym
        inside_of = False
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
            if keys[k] in _CONNECTORS and not _is_cap(words[k]):
                if title_cue and keys[k] in ("of", "for") and not any(keys[m] in ORG_HEADS for m in range(j, k)):
                    break  # Justice Inyang Eden Ekwo [of the Federal High Court]: a titled person, then a body
                inside_of = True  # Ministry of Justice, Federation of Cuban Women
            elif not inside_of and (_title_at(toks, k, stop) and not _name_word_after_given_name(toks, k, stop)
                                    and not _surname_like_title(toks, j, k, stop)
                                    or keys[k] in DEMONYMS and not _names_with_demonym(toks, k, stop, hits)
                                    and not _surname_like_title(toks, j, k, stop)):
                break
            elif inside_of and _titles_person(toks, k, stop):
                break  # Cabinet of [Prime Minister Fumio Kishida]: the person is a name of their own
            elif _person_after_body(toks, k, stop):
                break  # Assembly of First Nations [Cindy Woodhouse], ANC NEC [Jeff Radebe]
            if _is_date_word(toks, k) or keys[k] in NOT_ACTORS and keys[k] in COMMON_STARTERS:
                break  # a pronoun run on: Obama I
            end = k
            k += 1
        while end > j and (keys[end] in NAME_PARTICLES or keys[end] in _CONNECTORS) and not _is_cap(words[end]):
            end -= 1  # a trailing particle or connector
        if end > j and len(words[end]) > 1 and _ROMAN.match(words[end]) and toks.caps[end - 1] \
                and not words[end - 1].isupper():
            end -= 1  # Mohamed VI, Kusae Edu XV: a ruler's number is not part of the name
        piece = _Piece(j, end, toks.starts[j], toks.ends[end])
        before = out[-1] if out else None
        if (before is not None and before.curated is not None and before.last == j - 1
                and toks.joins[j - 1] and _names_body(keys, j, end)):
            if before.kind == "place":
                piece.name_start = before.start  # UK Border Force: a place that starts an organisation's name
            elif before.kind == "organization":
                out.pop()  # UN Human Rights Council: a body of the organisation, named with it
                piece = _Piece(before.first, end, before.start, toks.ends[end], "organization", 2)
        if title_cue:
            piece.kind, piece.cue = "person", 2
        if _keep(piece, toks, art):
            out.extend(_split_places(piece, toks))
        j = end + 1
        title_cue = False


def _names_body(keys: list[str], first: int, last: int) -> bool:
    """Words that name a body by its head word: the last one (Human Rights Council), or the one
    before `of`/`for` (Office for the Coordination of Humanitarian Affairs)."""
    head = next((m - 1 for m in range(first + 1, last) if keys[m] in ("of", "for")), last)
    return keys[head] in ORG_HEADS and (head < last or keys[head] not in WEAK_ORG_HEADS)


def _name_word_after_given_name(toks: Tokens, k: int, stop: int) -> bool:
    """`Sikandar Sultan Raja`: a one-word title that is also a given name, after a word no dictionary
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
                         or toks.caps[k] and (keys[k] in ORG_HEADS or keys[k] in common_words())
                         and keys[k] not in given_names() and not _starts_place(toks, k, stop)
                         and not _title_at(toks, k, stop)):
        k += 1
    if k <= stop and toks.caps[k] and keys[k - 1] in ("of", "the"):
        size = next((size for size in (3, 2, 1) if k + size <= stop and tuple(keys[k:k + size]) in place_names()), 0)
        if size:
            place, k = k, k + size  # President of Nicaragua [Daniel Ortega]
    if k > j + 1 and k <= stop and toks.caps[k] and keys[k - 1] not in ("the", "and", "of", "for") \
            and keys[k] not in DEMONYMS and (keys[k],) not in place_names() and not _title_at(toks, k, stop) \
            and (keys[k] in given_names() or keys[k] not in known_words() or _initial(toks, k)) \
            and not any(keys[m] in ORG_HEADS for m in range(k, stop + 1)):
        return k, place
    return j, -1


def _initial(toks: Tokens, k: int) -> bool:
    """`L.Oyun-Erdene`, `B C Solanki`: a capital letter that opens a name."""
    return len(toks.words[k]) == 1 and toks.words[k].isupper() and toks.joins[k] and toks.caps[k + 1]


def _titles_person(toks: Tokens, k: int, stop: int) -> bool:
    """A title at word k followed by a person's name (Prime Minister Fumio Kishida)."""
    size = _title_at(toks, k, stop)
    name = k + size
    return size > 0 and name <= stop and toks.caps[name] and toks.keys[name] not in ORG_HEADS and (
        toks.keys[name] in given_names() or toks.keys[name] not in common_words())


def _person_after_body(toks: Tokens, k: int, stop: int) -> bool:
    """A given name and a surname right after a body's head word or an acronym start a person of their
    own: the body is who the person speaks for, written without a comma (Redfern Youth Connect Margaret Haumono)."""
    keys, words = toks.keys, toks.words
    prev, surname = keys[k - 1], keys[k + 1] if k < stop else ""
    return k < stop and keys[k] in given_names() and keys[k] not in NAME_PARTICLES and not words[k].isupper() \
        and toks.caps[k + 1] and surname not in common_words() and surname[:-1] not in known_words() \
        and (prev in ORG_HEADS or words[k - 1].isupper() and len(prev) > 2 and prev not in NOT_ACTOR_ACRONYMS) \
        and not any(keys[m] in ORG_HEADS or keys[m] in PLACE_HEADS for m in range(k + 1, stop + 1))


def _surname_like_title(toks: Tokens, j: int, k: int, stop: int) -> bool:
    """`Amit Shah`, `Sadik Sheikh`, `Godfred Yeboah Dame`, `Tawhidul Islam`: a one-word title or creed that
    ends a name opened by a given name (or a word no list knows) titles no one after it, so it is the surname."""
    key = toks.keys[k]
    return (k == stop or toks.keys[k] in INNER_NAME_TITLES) and k > j \
        and (toks.keys[j] in given_names() or toks.keys[j] not in known_words()) \
        and toks.keys[j] not in NAME_PARTICLES and toks.caps[k - 1] and key not in ORG_HEADS \
        and not toks.words[k].isupper() and (key in SURNAME_TITLES and _title_at(toks, k, stop) == 1
                                             or key in DEMONYMS and toks.keys[k - 1] not in DEMONYMS
                                             and toks.gaps[k - 1] == " ")


def _split_places(piece: _Piece, toks: Tokens) -> list[_Piece]:
    """Names the way news annotators read them: a nationality or place before an organisation
    qualifies it (the mention is `Development Ministry`, the actor `German Development Ministry`),
    and a country after a name is a place of its own (`Rainbow Ethiopia`)."""
    keys = toks.keys
    first, last = piece.first, piece.last
    if last == first:
        return [piece]
    if toks.words[first].isupper() and len(toks.words[first]) > 1 and keys[first] not in NOT_ACTOR_ACRONYMS \
            and toks.caps[first + 1] and not toks.words[first + 1].isupper():
        # FIFA World Cup, ANC Presidential Gala Dinner: a body and the event it holds; NSRI Shelly Beach,
        # ANC KwaZulu-Natal: a body and the place of its branch
        if keys[last] in EVENT_HEADS:
            return [_Piece(first, first, piece.start, toks.ends[first]),
                    _Piece(first + 1, last, toks.starts[first + 1], piece.end, "other", 1)]
        if (keys[last] in PLACE_HEADS or tuple(keys[first + 1:last + 1]) in place_names()) \
                and keys[first] not in ORG_HEADS and toks.gaps[first] == " " and (keys[first],) not in place_names():
            return [_Piece(first, first, piece.start, toks.ends[first], "organization", 1),
                    _Piece(first + 1, last, toks.starts[first + 1], piece.end, "place", 2)]
    out = []
    lead = _qualifier_end(keys, first, last)
    if lead == first:
        for size in (3, 2, 1):
            if first + size <= last and tuple(keys[first:first + size]) in place_names():
                lead = first + size
                out.append(_Piece(first, lead - 1, toks.starts[first], toks.ends[lead - 1], "place", 2))
                break
        else:
            lead = first + _locality_opens(toks, first, last)
            if lead > first:
                out.append(_Piece(first, lead - 1, toks.starts[first], toks.ends[lead - 1], "place", 1))
        body = _body_after_person(toks, first, last) if lead == first else first
        if body > first:  # Kailash Satyarthi Foundation: the person the body is named after, and the body
            return [_Piece(first, body - 1, piece.start, toks.ends[body - 1], "person", 2),
                    _Piece(body, last, toks.starts[body], piece.end, "organization", 2,
                           name_start=piece.start if piece.name_start is None else piece.name_start)]
    if lead > first and lead <= last and any(k in ORG_HEADS for k in keys[lead:last + 1]):
        rest = _Piece(lead, last, toks.starts[lead], piece.end, "organization", 2)
        rest.name_start = piece.name_start if piece.name_start is not None else piece.start
        return out + [rest]
    country_lead = out and tuple(keys[first:lead]) in country_names() and lead <= last \
        and keys[lead] not in given_names() and keys[last] not in PLACE_HEADS and keys[last] not in EVENT_HEADS \
        and not any((keys[m],) in place_names() or keys[m] in DEMONYMS for m in range(lead, last + 1))
    if country_lead or lead == last and toks.words[last].isupper() and len(toks.words[last]) > 1 \
            and keys[last] not in NOT_ACTOR_ACRONYMS and keys[last] not in common_words():
        # Eritrean PFDJ, Henan AMC: a nationality or place before an acronym qualifies it
        rest = _Piece(lead, last, toks.starts[lead], piece.end, piece.kind, piece.cue)
        rest.name_start = piece.name_start if piece.name_start is not None else piece.start
        return out + [rest]
    if out and lead < last and keys[lead] in given_names() and keys[lead] not in common_words() \
            and not any(k in given_names() for k in keys[first:lead]) \
            and not any(keys[m] in ORG_HEADS or keys[m] in PLACE_HEADS for m in range(lead, last + 1)):
        # Nicaragua Daniel Ortega, Glasgow Dawie Augustyn: a place, then a person named after it
        return out + [_Piece(lead, last, toks.starts[lead], piece.end, "person", 1)]
    qualifier, out = out, []
    for size in (3, 2, 1):
        cut = last - size + 1
        if cut - 2 >= lead and keys[cut - 1] in ("of", "in") and tuple(keys[cut:cut + size]) in place_names() \
                and any(k in ORG_HEADS for k in keys[lead:cut - 1]):
            # Supreme Court of Nigeria: the court is the mention, the country one of its own
            body = _Piece(lead, cut - 2, toks.starts[lead], toks.ends[cut - 2], "organization", 2,
                          name_start=piece.start if piece.name_start is None else piece.name_start,
                          name_end=piece.end)
            return qualifier + [body, _Piece(cut, last, toks.starts[cut], piece.end, "place", 3)]
    whole_place = tuple(keys[first:last + 1]) in place_names()  # Equatorial Guinea, Papua New Guinea
    if keys[first] in COMPASS_WORDS and first + 1 <= last and tuple(keys[first + 1:last + 1]) in place_names():
        piece.kind, piece.cue = "place", 2  # Northern Syria, Eastern Ukraine: one place
        return [piece]
    acronym = last == first + 1 and toks.words[first].isupper() and len(toks.words[first]) > 1 \
        and keys[first] not in common_words()
    for size in (2, 1):
        cut = last - size + 1
        if cut > first and keys[cut - 1] not in _CONNECTORS and tuple(keys[cut:last + 1]) in (
                place_names() if acronym else country_names()) and keys[last] not in ORG_HEADS and not whole_place:
            head = _Piece(first, cut - 1, piece.start, toks.ends[cut - 1], piece.kind, piece.cue,
                          name_start=piece.name_start)
            return [head, _Piece(cut, last, toks.starts[cut], piece.end, "place", 3)]
    return [piece]


def _body_after_person(toks: Tokens, first: int, last: int) -> int:
    """Where the body's own words start in a name that opens with a person's (Kailash Satyarthi Foundation,
    Margaret Kenyatta Institute for Gender...): a given name, one to three words no ordinary word, then words
    that name a body by its head word. `first` when the name is no such thing."""
    keys = toks.keys
    if keys[first] not in given_names() or keys[first] in NAME_PARTICLES or not toks.words[first].istitle() \
            or (keys[first],) in place_names():
        return first
    k = first + 1
    while k <= last and k - first <= 3 and toks.caps[k] and keys[k] not in common_words() and keys[k] not in ORG_HEADS \
            and keys[k] not in DEMONYMS and (keys[k],) not in place_names() and not keys[k].endswith(_WORD_ENDINGS):
        k += 1
    if k == first + 1 or k > last or not toks.caps[k] or not _names_body(keys, k, last):
        return first
    return k


def _locality_opens(toks: Tokens, first: int, last: int) -> int:
    """`Wairoa District Council`, `Karnataka High Court`, `Western Cape High Court`: a word that is no frequent
    English word, or a compass word and a noun, before a local public body's name is the town or region the
    body serves. Returns how many words the place takes (0 when none)."""
    keys = toks.keys
    if last <= first or keys[last] not in LOCAL_BODY_HEADS or not toks.words[first].istitle() \
            or toks.gaps[first] != " ":
        return 0
    size = 2 if keys[first] in COMPASS_WORDS or keys[first] in PLACE_PREFIXES else 1
    if size == 2 and (last - first < 2 or not toks.caps[first + 1] or keys[first + 1] in ORG_HEADS
                      or keys[first + 1].endswith(_WORD_ENDINGS)):
        return 0
    if size == 1 and (keys[first] in common_words() or keys[first] in given_names()
                      or keys[first].endswith(_WORD_ENDINGS)):
        return 0
    return size if all(keys[m] in known_words() for m in range(first + size, last + 1)) else 0


def _qualifier_end(keys: list[str], first: int, last: int) -> int:
    """Where the words after the nationality or creed that open a name start (first when none does): each
    a nationality, a compass word before one (South African Airways, Central American Parliament), or a
    country of two words made an adjective (Costa Rican Social Security Fund, Sri Lankan Airlines)."""
    lead = first
    while lead < last:
        if keys[lead] in DEMONYMS:
            lead += 1
        elif lead + 1 < last and (keys[lead] in PLACE_PREFIXES and keys[lead + 1] in DEMONYMS
                                  or (keys[lead], keys[lead + 1][:-1]) in country_names() and keys[lead + 1][-1:] == "n"):
            lead += 2
        else:
            break
    return lead


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
    # Tamil Nadu, Indian Express: unless a person's name follows (Kenyan Joseph Kamau)
    nxt = toks.keys[j + 1]
    return nxt not in given_names() and nxt not in common_words() and toks.keys[j] not in ("the",)


def _starts_place(toks: Tokens, j: int, stop: int) -> bool:
    """New York, Costa Rica, South Korea: ordinary words that open a place's name."""
    return any(tuple(toks.keys[j:j + size]) in place_names() for size in (2, 3) if j + size - 1 <= stop)


def _not_actor(word: str, key: str) -> bool:
    """Pronouns, furniture and the like; in capitals only the acronyms of things (GDP), not WHO or IT."""
    if word.isupper() and len(word) > 1:
        return key in NOT_ACTOR_ACRONYMS or len(key) > 4 and key in NOT_ACTORS  # PHOTO, VIDEO
    if key in NOT_ACTOR_ACRONYMS and not word[1:].islower():
        return True  # MoU, YoY: the acronym written in mixed case
    return key in NOT_ACTORS


def _common(key: str, art: _Article) -> bool:
    """An ordinary word, not a name: a sentence starter, written in lower case in the article,
    or a frequent English word that is not also a given name."""
    return key in COMMON_STARTERS or key in art.lower or (key in common_words() and key not in given_names())


def _is_date_word(toks: Tokens, j: int) -> bool:
    """Months and days, unless a given name stands before (Theresa May) or a surname after (June Sculthorpe)."""
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


def _keep(piece: _Piece, toks: Tokens, art: _Article) -> bool:
    words, keys = toks.words, toks.keys
    if piece.first == piece.last:
        word, key = words[piece.first], keys[piece.first]
        if word.isupper() and _numbered_team(toks, piece.last):
            piece.last += 1  # SFC 2, NCT 127: a club's or a group's numbered side
            piece.end = toks.ends[piece.last]
            piece.kind, piece.cue = "organization", 1
            return True
        if _quantity_follows(toks, piece.last):
            return False  # R92 million, MNT 3,380, Resolution 2231: currencies, units and numbered things
        if _GROUP_OF_STATES.match(word):
            if toks.gaps[piece.last][:1] == ":":
                return False  # Q8: an interview's numbered question, A8: its answer
            piece.kind, piece.cue = "organization", 1
            return True  # G7, G20
        if len(key) < 2 or key in COMMON_STARTERS or key in CALENDAR or _ROMAN.match(word) or not key.isalpha():
            return False
        if word.isupper():
            # an acronym, wherever it stands; longer is a shouted word, unless no English list knows it (MONTSAME)
            return len(word) <= 6 or len(word) <= 10 and key not in known_words() and not art.shouting[piece.first]
        if word[-1] == "s" and len(word) > 2 and word[:-1].isupper():
            return False  # NGOs, MPs, ATMs: plural acronyms name kinds of things
        if key.endswith("ing") and key in known_words() and piece.kind != "person":
            return False  # Planting, Combating: a heading's gerund (not Mr Ging)
        if art.initial[piece.first] and key not in art.cap_inside and key in known_words() \
                and (key,) not in country_names() and not _subject_follows(toks, piece.last, key):
            piece.tentative = True

    return True


def _numbered_team(toks: Tokens, j: int) -> bool:
    """`SFC 2`, `NCT 127`: an acronym and a small whole number that counts nothing after it."""
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
    following = toks.keys[nxt + 1]  # a verb or a conjunction, not what the number counts (SKW 3 defeated SFC 1 and ...)
    return following in ("and", "or", "vs") or following in SPEECH_VERBS or following in SUBJECT_VERBS \
        or following.endswith("ed") and following not in QUANTITY_WORDS


def _subject_follows(toks: Tokens, j: int, key: str) -> bool:
    """A speech verb, or a verb, a possessive or an apposition after a word that is no frequent English word:
    the word is the subject's name (Williams said, Chan attended, Ip agreed, Micah's house, Abbas, also ...)."""
    nxt = j + 1
    if nxt >= len(toks.words):
        return False
    following = toks.keys[nxt]
    if toks.gaps[j] == ", " and (key in given_names() or key not in known_words()):
        return True  # Abbas, also ex-convener ...; Violeta, César's mother
    return following in SPEECH_VERBS or (toks.possessive[j] or toks.joins[j] and toks.words[nxt].islower()
                                         and (following.endswith("ed") and len(following) > 4
                                              or following in SUBJECT_VERBS)) \
        and key not in common_words() and (key in given_names() or not key.endswith(
            ("s", "tion", "ment", "ing", "ity", "ness")))


def _quantity_follows(toks: Tokens, j: int) -> bool:
    nxt = j + 1
    if nxt >= len(toks.words) or toks.gaps[j] != " ":
        return False
    return toks.words[nxt][:1].isdigit() or toks.keys[nxt] in QUANTITY_WORDS


# -- resolving names within the article ---------------------------------------------

def _resolve(pieces: list[_Piece], toks: Tokens, art: _Article) -> None:
    keys = toks.keys
    for p in pieces:
        p.key = _name_key(keys, p.first, p.last)
        if p.curated is not None:
            p.name = p.curated.name
        else:
            p.name = art.text[p.start if p.name_start is None else p.name_start:p.end if p.name_end is None else p.name_end]
            if p.kind is None:
                p.kind, p.cue = _kind(p, toks, art)
    _split_leaders_bodies(pieces, toks, art)
    _split_named_places(pieces, toks)
    _mark_affiliations(pieces, toks, art)
    curated_here = {p.curated.name for p in pieces if p.curated is not None and p.last > p.first}
    _link_definitions(pieces, toks, art)
    _link_short_forms(pieces, toks, curated_here)
    _link_typos(pieces)
    _link_nicknames(pieces, art)
    pieces[:] = [p for p in pieces if (not p.tentative or p.adopted) and not _ordinary(p, art)]
    _settle_kinds(pieces)


def _split_named_places(pieces: list[_Piece], toks: Tokens) -> None:
    """`Karnataka High Court`, `Autonomous University of Chiriquí` when the article says `in Karnataka`,
    `in Chiriquí`: a place the article names elsewhere, opening a body's name or after its `of`, is cut out
    of it as a known country or city is (the mention is `High Court`, the actor `Karnataka High Court`)."""
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
            if lead > p.first and keys[lead] not in _CONNECTORS and any(k in ORG_HEADS for k in keys[lead:p.last + 1]):
                out.append(_Piece(p.first, lead - 1, p.start, toks.ends[lead - 1], "place", 2,
                                  key=tuple(keys[p.first:lead]), name=toks.text[p.start:toks.ends[lead - 1]]))
                p.name_start, p.first, p.start = p.start, lead, toks.starts[lead]
                p.key = _name_key(keys, lead, p.last)
            cut = p.last + 1 - next((size for size in (3, 2, 1) if p.last - p.first > size
                                     and keys[p.last - size] in ("of", "in")
                                     and tuple(keys[p.last - size + 1:p.last + 1]) in places), 0)
            if cut <= p.last and any(k in ORG_HEADS for k in keys[p.first:cut - 1]):
                place = _Piece(cut, p.last, toks.starts[cut], p.end, "place", 2,
                               key=tuple(keys[cut:p.last + 1]), name=toks.text[toks.starts[cut]:p.end])
                p.name_end, p.last, p.end = p.end, cut - 2, toks.ends[cut - 2]
                p.key = _name_key(keys, p.first, p.last)
                out += [p, place]
                continue
        out.append(p)
    pieces[:] = out


def _name_key(keys: list[str], first: int, last: int) -> tuple[str, ...]:
    """The words a name is compared by: its words without name particles (al-, bin, de)."""
    return tuple(k for k in keys[first:last + 1] if k not in NAME_PARTICLES) or (keys[first],)


def _mark_affiliations(pieces: list[_Piece], toks: Tokens, art: _Article) -> None:
    """`Ever Alvarado (Olimpia)`, `Matías Walker (DC)`: a name in brackets after a person's is the club or
    party they belong to (a country there is still a place)."""
    text = art.text
    if "(" not in text:
        return
    for a, b in zip(pieces, pieces[1:]):
        if a.kind == "person" and b.curated is None and text[a.end:b.start].strip() == "(" \
                and text[b.end:b.end + 1] == ")" and b.kind != "person" and b.key not in country_names() \
                and not (b.first == b.last and toks.words[b.first].isupper() and _abbreviates(toks.words[b.first], a, toks)):
            b.kind, b.cue = "organization", 2


def _split_leaders_bodies(pieces: list[_Piece], toks: Tokens, art: _Article) -> None:
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
                and not p.key[0].endswith(_GROUP_ENDINGS):
            person = _Piece(p.first, p.first, p.start, toks.ends[p.first], "person", 1, key=p.key[:1],
                            name=art.text[p.start:toks.ends[p.first]])
            body = _Piece(p.last, p.last, toks.starts[p.last], p.end, "organization", 1, key=p.key[1:],
                          name=art.text[toks.starts[p.last]:p.end])
            out += [person, body]
        else:
            out.append(p)
    pieces[:] = out


def _kind(p: _Piece, toks: Tokens, art: _Article) -> tuple[str, int]:
    words, keys = toks.words, toks.keys
    span = keys[p.first:p.last + 1]
    head_at = next((m for m, k in enumerate(span) if k in ("of", "for")), len(span)) - 1
    if span[head_at] in ORG_HEADS and len(span) > 1:
        return "organization", 2
    if len(span) == 1 and span[0] in STANDING_BODIES and not art.initial[p.first]:
        return "organization", 1  # the Parliament, Congress, the Cabinet (not the Institute: that one is a reference)
    if len(span) == 1 and words[p.first].isupper() and len(words[p.first]) >= 2:
        if tuple(span) in place_names() and (len(span[0]) > 3 or p.first == 0 or "\n" in toks.gaps[p.first - 1]):
            return "place", 2  # a dateline: CAIRO - (not OAS, an acronym that is also a town's name)
        if len(words[p.first]) == 2 and _glued_to_sign(toks, p.last):
            return "other", 0  # HK$, BA.5, KF-21, JD(S): two letters glued to a sign or a number name a thing
        return "organization", 1
    if len(span) > 1 and span[-1] in COMPANY_WORDS:
        return "organization", 1  # Babel Finance, Integro Insurance Brokers
    if len(span) > 1 and any(toks.gaps[m] in _AMPERSANDS for m in range(p.first, p.last)):
        return "organization", 1  # Frost & Sullivan, Bath & Body Works
    if any(k in PERSON_PARTICLES for k in span[:-1]) or span[0] in NAME_ABBREVIATIONS and len(span) > 1:
        return "person", 1
    if len(span) > 1 and len(span[0]) == 1 and words[p.first].isupper() and len(span[-1]) > 2 \
            and toks.caps[p.last] and span[-1] not in ORG_HEADS:
        return "person", 1  # L.H. Mitchell, H D Kumaraswamy, W. Gyude Moore: initials open a person's name
    if 2 < len(span) < 5 and words[p.last].islower() and toks.gap(p.last - 1) == "-":
        return "person", 1  # Park Joo-min, Yeung Chung-hei: a given name of hyphenated syllables
    nxt, prev = p.last + 1, p.first - 1
    speaks = nxt < len(toks.words) and not toks.possessive[p.last] and (
        keys[nxt] in SPEECH_VERBS or keys[nxt] == "who" and toks.gaps[p.last] == ", ") or \
        prev >= 0 and keys[prev] in ("said", "added", "says", "adds") and toks.joins[prev]
    if tuple(span) in country_names():
        return "place", 3  # Sudan announced: a country speaks through its government, still a place
    if prev >= 0 and keys[prev] in TITLE_FIRST_WORDS and words[prev].islower() and (keys[prev],) in PERSON_TITLES \
            and toks.joins[prev] \
            and keys[prev] not in NOT_ROLE_WORDS and not (len(span) == 1 and (span[0],) in place_names()):
        return "person", 2  # spokesman Zaw Min Tun, activist Nasrin Sotoudeh
    if speaks and not (len(span) == 1 and (span[0] in ORG_HEADS or span[0] in common_words())):
        return "person", 2  # Zartosht said / added Morley
    if speaks and span[0] not in ORG_HEADS and span[0] not in COMMON_STARTERS and not _group_word(span[0], art):
        return "person", 1  # Williams said, Brown told: a surname that is also a word
    if nxt < len(toks.words) and toks.joins[p.last] and keys[nxt] in TEAM_ROLE_NOUNS and words[nxt].islower() \
            and not span[-1].endswith(_GROUP_ENDINGS):
        return "organization", 2  # Chelsea goalkeeper, the River coach: a club named after its town
    city = tuple(span) in place_names()
    if city:
        # one word may also be a given name (David, Paris): a person only when the article names one so
        return "place", 1 if len(span) == 1 else 2
    if len(span) == 2 and span[0] in SURNAME_PARTICLES and toks.caps[p.first] and not _starts_place(toks, p.first, p.last):
        return "person", 1  # De Freitas, Van Lieshout: a surname with its particle
    if span[0] in PLACE_PREFIXES and not _ordinary_words_follow(toks, p.first, p.last):
        return "place", 1
    if prev >= 0 and keys[prev] in _PLACE_PREPOSITIONS and words[prev].islower() and not toks.possessive[p.last]:
        return "place", 1
    if prev >= 0 and keys[prev] in COMPASS_WORDS and words[prev].islower() and toks.joins[prev]:
        return "place", 1  # southern Burma, northern Wairarapa
    if _place_follows(toks, p.last):
        return "place", 1  # Macomb, Illinois; Shimoda, Shizuoka Prefecture
    if nxt < len(toks.words) and toks.joins[p.last] and keys[nxt] in PLACE_NOUNS and words[nxt].islower():
        return "place", 2  # Benishangul-Gumuz region, Xinjiang province, Laja river
    if span[-1] in PLACE_HEADS:
        return "place", 1
    if span[-1] in EVENT_HEADS:
        return "other", 1
    if 0 <= head_at < len(span) - 1 and span[head_at] in DOCUMENT_HEADS:
        return "other", 1  # Memorandum of Understanding, Declaration of Independence, Plan of Action
    if len(span) > 1 and any(k in ("of", "for", "and") for k in span):
        return "organization", 1
    if len(span) > 1 and span[0] in OPENING_HEADS and not toks.words[p.first].isupper():
        return "organization", 1  # Front Line Defenders, Federation Against Involuntary Disappearances
    if nxt < len(toks.words) and toks.joins[p.last] and keys[nxt] in ORG_NOUNS and words[nxt].islower() \
            and not toks.possessive[p.last]:
        # Caijing magazine, the Sinaloa cartel; after a surname the article gives (the Albanese government) a weak cue
        return "organization", 0 if keys[nxt] in LEADER_NOUNS else 1
    if nxt < len(toks.words) and toks.joins[p.last] and keys[nxt] in MEMBER_NOUNS and words[nxt].islower() \
            and not toks.possessive[p.last] and not span[-1].endswith(_WORD_ENDINGS + _GROUP_ENDINGS):
        return "organization", 1  # Greens leader Adam Bandt, ED officials (not Presidential candidate, Maoist leader)
    if span[0] in given_names() and not (len(span) == 1 and span[0] in art.lower):
        return "person", 1
    if len(span) > 1 and not any(_common(k, art) for k in span):
        return "person", 0  # Sonya Sceats: capitalised words that are not ordinary words
    if 1 < len(span) < 4 and span[0] not in COMMON_STARTERS and span[0] not in PLACE_ARTICLES \
            and any(k not in known_words() for k in span) and all(toks.caps[m] for m in range(p.first, p.last + 1)) \
            and not any(k in ORG_HEADS or k in EVENT_HEADS or k in PLACE_HEADS or k in DEMONYMS
                        or (k,) in PERSON_TITLES or (k[:-1],) in PERSON_TITLES for k in span):
        return "person", 0  # Rajnath Singh, Ace Magashule: a word no English list knows, with a common one
    if len(span) == 1 and not _common(span[0], art) and not _group_word(span[0], art) and not _modifier(p, toks):
        return "organization", 0  # a rare capitalised word the article keeps using: Mercosur, Eskom, Xiaomi
    return "other", 0


def _glued_to_sign(toks: Tokens, j: int) -> bool:
    """Word j runs into a sign or a number (HK$, BA.5, KF-21, JD(S), NT 3): the letters are a currency, a
    model or a variant. Standing alone, two capitals are mostly a body (the EC, ED officials, SM's group)."""
    nxt = j + 1
    return nxt == len(toks.words) or toks.gaps[j][:1] not in " ,;:)" or toks.gaps[j] == " (" \
        or toks.words[nxt][:1].isdigit()


def _ordinary_words_follow(toks: Tokens, first: int, last: int) -> bool:
    """`Central Crime Branch`, `New Ideas`, `West Africa Cable System`: capitalised ordinary words after a
    place prefix make a body's or a thing's name, not a place's (Gulf of Papagayo, San Juan Chamula)."""
    keys = toks.keys
    return any(toks.caps[m] and keys[m] in common_words() and keys[m] not in PLACE_HEADS
               and keys[m] not in PLACE_PREFIXES and keys[m] not in given_names() and (keys[m],) not in place_names()
               for m in range(first + 1, last + 1))


def _place_follows(toks: Tokens, j: int) -> bool:
    """`Macomb, Illinois,`: a name followed by a comma and a known place that ends the phrase is a
    town or district and the region it lies in."""
    if toks.gaps[j] != ", ":
        return False
    for size in (3, 2, 1):
        last = j + size
        if last < len(toks.words) and tuple(toks.keys[j + 1:last + 1]) in place_names() and not toks.possessive[last] \
                and all(toks.joins[m] for m in range(j + 1, last)):
            return last + 1 == len(toks.words) or toks.gaps[last][:1] in ",.;)"
    return False


def _modifier(p: _Piece, toks: Tokens) -> bool:
    """`Ebola outbreak`, `Mapuche community`: a capitalised word used as an adjective."""
    nxt = p.last + 1
    return (nxt < len(toks.words) and toks.joins[p.last] and not toks.caps[nxt] and toks.keys[nxt] not in COMMON_STARTERS
            and toks.keys[nxt] not in SPEECH_VERBS and not toks.keys[nxt].endswith(("ed", "s")))


def _group_word(key: str, art: _Article) -> bool:
    """Peoples, creeds and plurals of ordinary words: Cubans, Hinduism, Maoist, NGOs."""
    return key.endswith(_GROUP_ENDINGS) or key[-1:] == "s" and key[:-1] not in given_names() and (
        key[:-1] in common_words() or key[:-1] in art.lower)  # (Williams, Edwards: surnames)


def _ordinary(p: _Piece, art: _Article) -> bool:
    """A lone ordinary word nothing marks as a name (Articles, Channel): not an actor."""
    return p.kind == "other" and not p.adopted and len(p.key) == 1 and p.curated is None and _common(p.key[0], art)


def _link_definitions(pieces: list[_Piece], toks: Tokens, art: _Article) -> None:
    """`Long Name (ACR)` and `Full Name "Nickname"`: the second is the first, here and later on."""
    text = art.text
    defined: dict[tuple[str, ...], _Piece] = {}
    for a, b in zip(pieces, pieces[1:]):
        gap = text[a.end:b.start]
        if gap.strip() == "(" and text[b.end:b.end + 1] in ")," and b.first == b.last:
            if a.curated is not None and a.kind != "place" and toks.words[b.first].isupper() \
                    or _abbreviates(toks.words[b.first], a, toks):  # (Latin America (LATAM) is not America's)
                defined[b.key] = a  # Popular Mobilisation Authority (PMA), Indian Institute of Science (IISc)
                if a.kind == "other" and a.last > a.first:
                    a.kind, a.cue = "organization", 1  # what gets an acronym is mostly an organisation
        elif gap.strip() in ('"', "“", "‘", "'") and b.curated is None and a.kind in ("person", None):
            defined[b.key] = a
    if not defined:
        return
    for p in pieces:
        target = defined.get(p.key)
        if target is not None and p is not target and p.start > target.start:
            _adopt(p, target)


def _link_nicknames(pieces: list[_Piece], art: _Article) -> None:
    """`Widodo – more commonly known as Jokowi`: the one-word name a person goes by is that person."""
    known: dict[tuple[str, ...], _Piece] = {}
    if not _KNOWN_AS_HINT.search(art.text):
        return
    for a, b in zip(pieces, pieces[1:]):
        if a.kind == "person" and b.curated is None and b.first == b.last and b.end - a.end < 60 \
                and _KNOWN_AS.search(art.text[a.end:b.start]):
            known[b.key] = a
    for p in pieces if known else ():
        target = known.get(p.key)
        if target is not None and p.start > target.start:
            p.name, p.curated, p.adopted = target.name, target.curated, True
            p.kind, p.cue = "person", max(target.cue, 2)


def _abbreviates(short: str, long: _Piece, toks: Tokens) -> bool:
    """ACR stands for the words before it: its letters are their initials, in any order (Unión Popular, UP)."""
    if long.kind == "person" or not short[:1].isupper() or len(short) > 12:
        return False
    first = long.first if long.name_start is None else long.first - len(toks.text[long.name_start:long.start].split())
    initials = {w[0].casefold() for w in toks.words[max(first, 0):long.last + 1] if w[:1].isupper()}
    letters = {ch.casefold() for ch in short if ch.isupper()}
    return len(letters & initials) >= min(2, len(letters)) and short[0].casefold() in initials


def _adopt(p: _Piece, target: _Piece) -> None:
    p.name, p.curated, p.adopted = target.name, target.curated, True
    if target.cue >= p.cue:
        p.kind, p.cue = target.kind, target.cue


def _link_short_forms(pieces: list[_Piece], toks: Tokens, curated_here: set[str]) -> None:
    """A lone surname (`Sceats`, `Kadhimi`) is the person whose full name the article gives."""
    persons: dict[tuple[str, ...], _Piece] = {}
    singles: dict[str, _Piece] = {}
    for p in pieces:
        if len(p.key) > 1 and p.kind == "person":
            for size in range(1, len(p.key)):
                current = persons.get(p.key[-size:])
                if current is None or current.curated is None and p.curated is not None:
                    persons[p.key[-size:]] = p
            if _family_name_first(p, toks):
                persons.setdefault(("family",) + p.key[:1], p)  # Park Joo-min, then Park; Li Ka-shing, then Li
            if _two_surnames(p):
                persons.setdefault(p.key[1:2], p)  # Esteban Merlo Hidalgo, then Merlo: the father's surname
            given = ("given",) + p.key[:1]
            persons[given] = None if given in persons and persons[given] is not p else p  # two Davids: neither
        elif len(p.key) == 1 and p.curated is None:
            singles.setdefault(p.key[0], p)
    for p in pieces:
        if len(p.key) >= 3 or p.curated is not None and len(p.key) > 1:
            continue
        key = p.key
        if p.kind == "place" and p.cue >= 2:
            continue
        full = persons.get(key)
        if full is None and len(key) == 1 and key[0] in given_names():
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
            continue  # Kashmir is not the last word of a guessed name (Jammu Kashmir, Twilight Taipei)
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


def _family_name_first(p: _Piece, toks: Tokens) -> bool:
    """`Park Joo-min`, `Li Ka-shing`: a given name of hyphenated syllables after a one-word family
    name, the order of Korean and Chinese names, where the family name alone refers back."""
    return p.last - p.first == 2 and toks.gaps[p.last - 1] == "-" and toks.words[p.last].islower() \
        and toks.joins[p.first] and toks.caps[p.first + 1] and toks.keys[p.first + 1] not in ORG_HEADS


def _names_someone(full: _Piece, key: tuple[str, ...]) -> bool:
    """`Sboniso Duma`: a guessed name whose other words are a given name or words no list knows, none a
    place, is a person's, so the place-like word alone (Duma) is that person."""
    return all(((k,) not in place_names() and (k in given_names() or k not in known_words())) for k in full.key if k not in key)


def _two_surnames(p: _Piece) -> bool:
    """`Esteban Merlo Hidalgo`, `Luis Maldonado Matute`: a given name and two surnames, the Spanish and
    Portuguese order, where the first surname alone refers back."""
    return len(p.key) == 3 and p.key[0] in given_names() and p.key[1] not in given_names() and len(p.key[1]) > 2


def _after_place_preposition(p: _Piece, toks: Tokens) -> bool:
    """`in Pang`, `to Pang`: the word is read as a place there."""
    prev = p.first - 1
    return prev >= 0 and toks.words[prev].islower() and (toks.keys[prev] in _PLACE_PREPOSITIONS
                                                         or toks.keys[prev] in ("to", "from", "at"))


_TYPO_PAIRWISE = 32  # up to this many names of the same initials, each is compared with every earlier one


def _link_typos(pieces: list[_Piece]) -> None:
    """Two spellings of one name a letter apart in one article are one actor (`Abu Fadak` / `Abu Fadek`)."""
    named: dict[tuple[str, ...], _Piece] = {}
    counts: dict[tuple[str, ...], int] = {}
    for p in pieces:
        if not p.adopted and not (len(p.key) == 1 and (len(p.key[0]) < 5 or p.name.isupper())):
            named.setdefault(p.key, p)
            counts[p.key] = counts.get(p.key, 0) + 1
    # a typo keeps the first letter of every word: only names with the same initials are compared
    buckets: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for key in sorted(named, key=lambda k: (named[k].curated is None, -counts[k])):
        buckets.setdefault(tuple(word[:1] for word in key), []).append(key)
    alias_of: dict[tuple[str, ...], _Piece] = {}
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


def _settle_kinds(pieces: list[_Piece]) -> None:
    """One actor, one kind in an article: the surest cue wins."""
    best: dict[str, tuple[int, str]] = {}
    for p in pieces:
        current = best.get(p.name)
        if current is None or p.cue > current[0]:
            best[p.name] = (p.cue, p.kind or "other")
    for p in pieces:
        p.kind = best[p.name][1]
