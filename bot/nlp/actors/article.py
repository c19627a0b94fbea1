"""What every step of actor discovery reads of an article: its sentences, clauses and page-furniture
lines, the words it writes in lower case, and the names found in it (`Piece`)."""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import compress
from operator import and_, itemgetter

from bot.corpus.vocabulary import CALENDAR, GIVEN_NAME_TITLES
from bot.nlp.lexicon import COMMON_STARTERS, COMPASS_WORDS, WEB_DOMAIN_ENDINGS
from bot.nlp.tokens import Tokens, tokenize
from bot.nlp.world import common_words, country_names, given_names, place_names

# A full stop, ! or ? (and the closing quotation marks after it) ends a sentence only before white
# space: "said <!channel> hello" or "Yahoo!News" go on.
_SENTENCE_END = re.compile(r"[.!?][\"”’']*(?=\s)")
# What ends a line of prose; a headline or a table's row ends otherwise.
_LINE_CLOSERS = ".!?:\"”'’)"
_OPENERS = re.compile(r"(?:[\"“‘«]|^'|\s')$")  # a mark that opens what follows: `," Williams` is no opener; a bracket
# opens no sentence: (Real Tarvena)
_CLAUSE = re.compile(r"[:;]|\s[-–—]\s")
# A dateline: the place (and date, and agency) that opens a wire story before a dash (PARIS, March 3 -;
# LOS ANGELES, Calif., Feb 26 -; CAIRO (Reuters) —).
_DATELINE = re.compile(r"^\s*(?P<place>[A-Z][A-Z.]+\b[^\n!?]{0,70}?|[^\n!?(]{2,60}?\s\([^)\n]{1,30}\))\s+[-–—]{1,2}\s")
# ... and a known place glued to its dash or to the agency's slashes (Tarvo- The council met; Orlin/KORVANEX/.).
_GLUED_DATELINE = re.compile(r"^\s*(?P<place>[A-Z][^\W\d_]+(?: [A-Z][^\W\d_]+){0,2})(?:[-–—]{1,2}\s|/[A-Z]{2,}/)")


@lru_cache(maxsize=1024)
def outlet_names(source: str | None) -> frozenset[str]:
    """How the outlet an article comes from is written as a name, its words' keys run together: `Velkorpress`
    -> velkorpress; a web domain's own labels, not its endings or ordinary words (en.velkorpost.com.vr ->
    velkorpost; The Velkor Post writes velkorpost or thevelkorpost)."""
    source = (source or "").strip()
    if not source:
        return frozenset()
    if " " in source or "." not in source:
        return frozenset({"".join(tokenize(source).keys)})
    labels = source.lower().split(".")
    end = next((at for at, label in enumerate(labels) if at and label in WEB_DOMAIN_ENDINGS), len(labels) - 1)
    return frozenset(label for label in labels[:end] if len(label) > 2 and label.isalnum() and label != "www"
                     and label not in common_words())


def names_outlet(art: Article, keys: list[str], first: int, last: int) -> bool:
    """Whether the words first..last are the name of the article's outlet (Velkorpress, The Velkor Post)."""
    if not art.outlet:
        return False
    joined = "".join(keys[first:last + 1])
    return joined in art.outlet or "the" + joined in art.outlet


@lru_cache(maxsize=4096)
def _gap_marks(gap: str) -> tuple[int, bool, bool]:
    """What the text between two words marks (an article has few distinct gaps): where the last
    sentence end in it stops (0 for none; a closing quotation mark ends the sentence it closes),
    whether it opens a clause, whether it opens a quote."""
    return max((stop.end() for stop in _SENTENCE_END.finditer(gap)), default=0), \
        _CLAUSE.search(gap) is not None, _OPENERS.search(gap) is not None


# Lower-case words inside a name (Ministry of Justice, Bank for International Settlements).
CONNECTORS = {"of", "for", "and", "the", "on"}
# Lower-case words before a place's name (in Velmora, across Darfur).
PLACE_PREPOSITIONS = {"in", "across", "throughout", "near", "outside", "inside", "into"}
# Lower-case words inside the name of a body made of ordinary words (Freedom from Torture, Doctors without Borders).
BODY_PREPOSITIONS = ("from", "without", "against")
# Numbers written in words (Qtly div three cts vs three cts prior).
NUMBER_WORDS = frozenset("one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty "
                         "sixty seventy eighty ninety hundred".split())
# Gaps that hold an ampersand (Frost & Sullivan, AT&T).
AMPERSANDS = (" & ", "&")
HYPHENS = ("-", "‐")  # the gaps that join a compound (the hyphen and Unicode's own)
# Endings of the words for peoples, creeds and doctrines (Cubans, Hinduism, Maoist).
GROUP_ENDINGS = ("ans", "ism", "isms", "ist", "ists", "ese", "ish", "ites", "ian", "ean", "ic", "ics")
# Endings of English nouns and adjectives, not of surnames (Royal Irrigation Department, Non-Governmental).
WORD_ENDINGS = ("tion", "al", "ing", "ment", "ity", "ive", "ic", "ics")


@dataclass
class Piece:
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
    name_end: int | None = None  # the name ends after the mention: Supreme Court [of Tarvo]
    role: str | None = None  # the role written before the name: Minister of Energy [Ali Veli]

    @property
    def name_begin(self) -> int:
        """Where the actor's name begins in the text: at the mention, or before it (name_start)."""
        return self.start if self.name_start is None else self.name_start


class Article:
    """Per-article facts discovery reads: sentence starts, furniture lines, vocabulary."""

    def __init__(self, text: str, toks: Tokens, year: int | None = None, source: str | None = None):
        self.text, self.toks = text, toks
        self.year = year  # of the article's date, when known: curated actors link only in their years
        self.outlet = outlet_names(source)  # the article's own outlet (told Velkorpress): an organisation
        n = len(toks.words)
        self.initial = [False] * n  # first word of a sentence, clause, quote or line
        self.breaks: list[int] = [0]  # character offsets where sentences start
        self._sentences: dict[int, tuple[int, int]] = {}  # sentence number -> its trimmed offsets
        self.furniture = [False] * n
        self.shouting = [False] * n
        starts, ends, words, gaps = toks.starts, toks.ends, toks.words, toks.gaps
        # only the words after a gap other than one space can start anything
        for i in [0, *compress(range(1, n), map(" ".__ne__, gaps))]:
            gap = gaps[i - 1] if i else text[:starts[0]]
            if i == 0 or "\n" in gap:
                self.initial[i] = True
                self.breaks.append(starts[i])
                continue
            sentence_end, clause, opener = _gap_marks(gap)
            if sentence_end and not toks.joins[i - 1]:
                self.initial[i] = True
                self.breaks.append(ends[i - 1] + sentence_end)
            elif clause or opener and not toks.possessive[i - 1]:
                self.initial[i] = True
        self.dateline = [False] * n  # the place, date and agency opening a wire story
        self._mark_dateline(text, toks)
        self._mark_lines(text, toks)
        self._mark_signature(text, toks)
        self.lower = set(compress(toks.keys, map(str.islower, map(itemgetter(0), words))))
        # words capitalised on their own inside a sentence: names (Tarvosht), not parts of longer names
        caps, joins, initial = toks.caps, toks.joins, self.initial  # (caps has one False past the end)
        self.cap_inside = {toks.keys[i] for i in compress(range(n), caps) if not initial[i]
                           and not (caps[i - 1] and joins[i - 1]) and not (caps[i + 1] and joins[i])}

    def _mark_lines(self, text: str, toks: Tokens) -> None:
        i, n = 0, len(toks.words)
        offset = 0
        for line in text.split("\n"):
            line_end = offset + len(line)
            first = i
            i = bisect_left(toks.starts, line_end, i, n)  # past the line's last word
            while first < i and self.dateline[first]:
                first += 1  # (NEW HAVEN, Conn., March 2 - Qtly div 15 cts: the row follows the dateline)
            words = toks.words[first:i]
            if words:
                stripped = line.rstrip()
                shouted = _shouted(words)
                if stripped[-1:] in _LINE_CLOSERS and not shouted:
                    offset = line_end + 1
                    continue  # (a line of prose, most lines: no headline nor table row ends so)
                letters = list(compress(words, map(str.isalpha, map(itemgetter(0), words))))
                if shouted:
                    for j in range(first, i):
                        self.shouting[j] = self.furniture[j] = True
                elif len(letters) >= 4 and all(w[0].isupper() for w in letters if len(w) > 3) \
                        and not _has_date(toks, first, i):
                    for j in range(first, i):
                        self.furniture[j] = True
                elif _table_row(words, letters, stripped) or _subhead(toks, first, i):
                    for j in range(first, i):
                        self.furniture[j] = True
            offset = line_end + 1

    def _mark_dateline(self, text: str, toks: Tokens) -> None:
        """The place a wire story was filed from, and the agency in brackets, are no mentions: the words of
        the dateline in capitals, abbreviated (Calif., Conn.), bracketed or known as places. A name of
        mixed case there is the outlet's and stays (afrol News, 27 January -)."""
        match = _DATELINE.match(text)
        place = match["place"] if match is not None else ""
        if not place or len(place.split()) > 8 or not ("," in place or "(" in place or place.isupper()):
            match = _GLUED_DATELINE.match(text)
            if match is None or tuple(tokenize(match["place"]).keys) not in place_names():
                return  # (UN Secretary-General Antonio Guterres - who...: a sentence, not a dateline)
        words, keys = toks.words, toks.keys
        end = match.end()
        commas = 0  # (CALGARY, Alberta, March 17 -: after a place in capitals, the next part is its region)
        for i in range(len(words)):
            if toks.starts[i] >= end:
                break
            self.dateline[i] = True
            gap_before = text[toks.starts[i] - 1:toks.starts[i]] if toks.starts[i] else ""
            region = commas == 1 and words[0].isupper() and len(words[0]) > 1
            commas += toks.gaps[i][:1] == ","
            if words[i].isupper() or gap_before == "(" or toks.gaps[i][:1] == "." or region \
                    or (keys[i],) in place_names() or _in_place_name(toks, i) \
                    or keys[i] in COMPASS_WORDS and i + 1 < len(words) and (keys[i + 1],) in place_names():
                self.furniture[i] = True  # (West Germany: a compass word opens the place's name)

    def _mark_signature(self, text: str, toks: Tokens) -> None:
        """A wire's signature after the last sentence (`... said. REUTER`): one to three capitalised words
        ending the article with no punctuation of a sentence are no mentions."""
        n = len(toks.words)
        if not n or not toks.caps[n - 1] or any(ch.isalnum() for ch in text[toks.ends[-1]:]):
            return  # (... North Korea said.: a sentence)
        first = n - 1
        while first > 0 and n - first < 3 and toks.gaps[first - 1] == " " and toks.caps[first - 1]:
            first -= 1
        before = toks.gaps[first - 1] if first else ""
        # after a sentence's end, or shouted with no full stop after a lower-case word (... capitalisation REUTER;
        # not ... the FMLN.)
        shouted = toks.words[first].isupper() and len(toks.words[first]) > 3
        if first and toks.caps[first] and (_SENTENCE_END.search(before + " ")
                                           and (shouted or not _abbreviation(toks.words[first - 1]))
                                           or shouted and toks.words[first - 1].islower()
                                           and text[toks.ends[-1]:].strip()[:2] in ("", "..")):
            for i in range(first, n):
                self.furniture[i] = True

    @cached_property
    def surnames(self) -> set[str]:
        """Words the article writes after a given name, ending the name (Liz [Brown], Jeff [Bond]): a
        sentence opening with one (`Brown said`) names that person, however ordinary the word. (`The`, `In`
        and other words sentences open with are given names too, but not there.)"""
        toks, initial = self.toks, self.initial
        caps, joins, keys = toks.caps, toks.joins, toks.keys
        # (the words after a joined capitalised word, picked out by C-level maps: few words are)
        after_caps = compress(range(1, len(keys)), map(and_, caps, joins))
        return {keys[i] for i in after_caps if caps[i]
                and not initial[i] and not (caps[i + 1] and joins[i]) and keys[i - 1] in given_names()
                and keys[i - 1] not in COMMON_STARTERS}

    @cached_property
    def countries(self) -> set[tuple[str, ...]]:
        """The countries the article names (folded word tuples, as bot.nlp.world lists them)."""
        keys, names = self.toks.keys, country_names()
        # (only the words that open a country's name are looked at)
        opening = compress(range(len(keys)), map(_country_first_words().__contains__, keys))
        return {tuple(keys[i:i + size]) for i in opening for size in (1, 2, 3) if i + size <= len(keys)
                and tuple(keys[i:i + size]) in names}

    def sentence(self, start: int) -> tuple[int, int]:
        """Offsets of the sentence holding `start`, without its surrounding white space (trimmed once per
        sentence: most sentences with a mention have several)."""
        k = bisect_right(self.breaks, start) - 1
        bounds = self._sentences.get(k)
        if bounds is None:
            begin = self.breaks[k]
            end = self.breaks[k + 1] if k + 1 < len(self.breaks) else len(self.text)
            chunk = self.text[begin:end]
            bounds = self._sentences[k] = (begin + len(chunk) - len(chunk.lstrip()),
                                           end - len(chunk) + len(chunk.rstrip()))
        return bounds


@lru_cache(maxsize=1)
def _country_first_words() -> frozenset[str]:
    """The first word of every country's name."""
    return frozenset(name[0] for name in country_names())


def _shouted(words: list[str]) -> bool:
    """A line in capitals (a headline or a dateline's row): every word starting with a letter in capitals
    (or one letter), two of them longer; read word by word up to the first that says no."""
    longer = 0
    for word in words:
        if word[0].isalpha():
            if not (word.isupper() or len(word) == 1):
                return False
            longer += len(word) > 1
    return longer > 1


def _table_row(words: list[str], letters: list[str], line: str) -> bool:
    """`Qtly div 35 cts vs 35 cts prior`: a short line of figures, mostly lower-case abbreviations, without
    the punctuation of a sentence, is a row of a table, not prose naming anyone."""
    return len(words) <= 12 and line[-1:] not in _LINE_CLOSERS \
        and sum(w[:1].isdigit() or w.casefold() in NUMBER_WORDS for w in words) > 1 \
        and 2 * sum(w.islower() for w in letters) > len(letters)


def _subhead(toks: Tokens, first: int, end: int) -> bool:
    """`Lean Years`, `Mixed Signals`: a line of its own of one to three capitalised ordinary English words
    heads a section; it names no one (a place's name is no ordinary word)."""
    keys = toks.keys[first:end]
    return 0 < len(keys) <= 3 and all(toks.caps[first:end]) and (*keys,) not in place_names() and all(
        k in common_words() and k not in given_names() and k not in COMMON_STARTERS for k in keys)


def _abbreviation(word: str) -> bool:
    """`Mr.`, `Dr.`, `L.`: a short capitalised word before a full stop abbreviates (L.H. Mitchell)."""
    return word[:1].isupper() and len(word) <= 2 and not word.isupper() or len(word) == 1


def _has_date(toks: Tokens, first: int, last: int) -> bool:
    """A byline (`Name March 22, 2019`) is not a headline."""
    return any(toks.keys[j] in CALENDAR and j + 1 < last and toks.words[j + 1][:1].isdigit() for j in range(first, last))


def _in_place_name(toks: Tokens, i: int) -> bool:
    """Word i belongs to a place's name of two or three words (NEW YORK, Los Angeles)."""
    return any(tuple(toks.keys[j:j + size]) in place_names() for size in (2, 3)
               for j in range(max(0, i - size + 1), i + 1))


def starts_place(toks: Tokens, j: int, stop: int) -> bool:
    """New York, Costa Rica, South Korea: ordinary words that open a place's name."""
    return any(tuple(toks.keys[j:j + size]) in place_names() for size in (2, 3) if j + size - 1 <= stop)


def titled_given_name(toks: Tokens, first: int, last: int) -> bool:
    """`the shrine of Imam Ali`, `King Hussein`: a lone given name after a ruler's or holy man's title is
    the one bearer the title names, not the surname of someone else the article or corpus names."""
    return first == last and first > 0 and toks.keys[first - 1] in GIVEN_NAME_TITLES and toks.caps[first - 1] \
        and toks.joins[first - 1] and toks.keys[first] in given_names()


def ordinary_word(key: str, art: Article) -> bool:
    """An ordinary word, not a name: a sentence starter, written in lower case in the article,
    or a frequent English word that is not also a given name."""
    return key in COMMON_STARTERS or key in art.lower or (key in common_words() and key not in given_names())
