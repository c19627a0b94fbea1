"""Word tokens with offsets, and the key a word is matched under.

Shared by the gazetteer matcher and actor discovery so both read a text the
same way: one pass of one regular expression, parallel lists (cheap to index),
possessives split off (`Iran's` -> `Iran` + possessive flag), and words that
lost the space before a capitalised name split apart (`KTVthatOrlev`).
"""
from __future__ import annotations

import re
from bisect import bisect_left
from itertools import accumulate, compress, repeat
from operator import is_, itemgetter
from dataclasses import dataclass, field

from bot.nlp.names import fold

# A word: letters/digits (Arabic diacritics included) with inner apostrophes (Kata'ib).
_MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
WORD_RE = re.compile(rf"(?:[^\W_]|[{_MARKS}])+(?:['’ʼ`](?:[^\W_]|[{_MARKS}])+)*")
_SPLIT_RE = re.compile(f"({WORD_RE.pattern})")
# The same split for a text without underscores, in one character class: 2.4 times faster (its quantifiers
# possessive: the same words, with no backtracking state kept).
_SPLIT_NO_UNDERSCORE_RE = re.compile(rf"([\w{_MARKS}]++(?:['’ʼ`][\w{_MARKS}]++)*+)")
# What may stand between two words of one name: spaces, a hyphen, an initial's full stop (every such gap
# spelled out: a set lookup per gap, in C, instead of a regular expression called from the interpreter).
_JOINING_GAPS = frozenset({" ", "  ", "\u00a0", " \u00a0", "\u00a0 ", "\u00a0\u00a0", "-", "‐", ".", ". ", ".\u00a0",
                           "\u200c", ""})
_OTHER_JOINING_GAPS = _JOINING_GAPS - {" "}  # (the one-space gap, most of them, joins without a test)
# Function words that scraped text glues between two names: `KTVthatOrlev`.
_GLUED = re.compile(r"(?<=[A-Z]{2})(that|the|and|of|to|in|for|from|with|by|on|at|as|said|says|told)(?=[A-Z][a-z])")
_POSSESSIVE = ("'s", "’s", "ʼs", "`s")
_GLUE_HINT = re.compile(r"[A-Z](?:that|the|and|of|to|in|for|from|with|by|on|at|as|said|says|told)[A-Z]")
# Words a full stop does not end a sentence after (besides single initials).
ABBREVIATIONS = frozenset({"Mr", "Mrs", "Ms", "Dr", "Prof", "Gen", "Maj", "Lt", "Col", "Brig", "Capt", "Adm", "Sgt", "Cpl",
                           "Pvt", "Sen", "Rep", "Gov", "Rev", "St", "Jr", "Sr", "Mt", "Ft", "Hon", "No", "Nos", "Messrs",
                           "Gens", "Lieut", "Cdr", "Cmdr", "Supt", "Insp", "Det", "Dept", "Corp", "Inc", "Co", "Ltd"})
# British spellings matched as American ones (Organisation = Organization).
_SPELLING = [(re.compile(r"isation"), "ization"), (re.compile(r"^centre"), "center"), (re.compile(r"^defence"), "defense"),
             (re.compile(r"^programme"), "program"), (re.compile(r"^labour"), "labor")]
# (each with the letters it needs, when its pattern is plain letters: a rule whose letters a word lacks is not run)
_SPELLING_LITERALS = [(pattern, repl, literal if re.escape(literal) == literal else "")
                      for pattern, repl in _SPELLING for literal in [pattern.pattern.lstrip("^")]]
# Arabic letter variants writers mix freely: hamza-carrying alefs, alef maqsura, ta marbuta.
_ARABIC_FOLD = str.maketrans({"\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627",
                              "\u0649": "\u064a", "\u0629": "\u0647", "\u0624": "\u0648", "\u0626": "\u064a"})
_KEY_CACHE: dict[str, str] = {}


def token_key(word: str) -> str:
    """The matching key of one word: folded case, accents, apostrophes, spelling, Arabic letters."""
    key = _KEY_CACHE.get(word)
    if key is None:
        # (an ASCII word of letters and digits folds to its lower case: most words, no regular expression)
        key = word.lower() if word.isascii() and word.isalnum() else fold(word).replace(" ", "")
        if key.isascii():
            if "is" in key or key[:1] in "cdpl":
                for pattern, repl, literal in _SPELLING_LITERALS:
                    if literal in key:
                        key = pattern.sub(repl, key)
        else:
            key = key.translate(_ARABIC_FOLD)
        if len(_KEY_CACHE) > 200_000:
            _KEY_CACHE.clear()
        _KEY_CACHE[word] = key
    return key


@dataclass
class Tokens:
    """A text's words as parallel lists. `joins[i]`: word i and i+1 may belong to one name."""

    text: str
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    possessive: list[bool] = field(default_factory=list)
    joins: list[bool] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)  # the text after each word, up to the next
    caps: list[bool] = field(default_factory=list)  # the word starts with a capital letter

    def __len__(self) -> int:
        return len(self.words)

    def gap(self, i: int) -> str:
        """The text between word i and word i+1."""
        return self.gaps[i]


def tokenize(text: str) -> Tokens:
    """Words, offsets, keys and gaps of `text`, in one regular-expression split."""
    parts = (_SPLIT_RE if "_" in text else _SPLIT_NO_UNDERSCORE_RE).split(text)
    offsets = list(accumulate(map(len, parts)))
    words = parts[1::2]
    gaps = parts[2::2]
    starts = offsets[0::2][:len(words)]
    ends = offsets[1::2]
    possessive = [False] * len(words)
    if _GLUE_HINT.search(text):
        return _rebuild(text, words, starts)
    for i in _possessives(text, words, starts, ends):
        words[i] = words[i][:-2]
        ends[i] -= 2
        gaps[i] = text[ends[i]:ends[i] + 2] + gaps[i]
        possessive[i] = True
    return _finish(Tokens(text, starts, ends, words, [], possessive, [], gaps))


def _possessives(text: str, words: list[str], starts: list[int], ends: list[int]) -> list[int]:
    """The words longer than three letters that end in a possessive 's (a word holds an apostrophe only
    between letters)."""
    found = []
    for at in occurrences(text, _POSSESSIVE):  # (each spelling is two characters long)
        end = at + 2
        i = bisect_left(ends, end)
        if i < len(ends) and ends[i] == end and starts[i] < at and len(words[i]) > 3:
            found.append(i)
    return found


def occurrences(text: str, needles: tuple[str, ...]) -> list[int]:
    """Where each of `needles` occurs in `text`, in order (str.find: ten times faster than a regular
    expression's scan for a rare string)."""
    found = []
    for needle in needles:
        at = text.find(needle)
        while at >= 0:
            found.append(at)
            at = text.find(needle, at + 1)
    return sorted(found) if len(needles) > 1 else found


def _rebuild(text: str, words: list[str], starts: list[int]) -> Tokens:
    """The slow path, for texts with words run together (KTVthatOrlev)."""
    toks = Tokens(text)
    for word, start in zip(words, starts):
        if len(word) > 6 and _GLUE_HINT.search(word):
            offset = start
            for piece in _GLUED.split(word):
                if piece:
                    _append(toks, piece, offset, offset + len(piece))
                    offset += len(piece)
        else:
            _append(toks, word, start, start + len(word))
    toks.gaps = [text[toks.ends[i]:toks.starts[i + 1]] for i in range(len(toks.words) - 1)] + \
        [text[toks.ends[-1]:] if toks.words else ""]
    return _finish(toks)


def _finish(toks: Tokens) -> Tokens:
    words, gaps, possessive = toks.words, toks.gaps, toks.possessive
    # (map over C-level methods: the per-word work stays out of the interpreter loop)
    keys = toks.keys = list(map(_KEY_CACHE.get, words))
    if not all(keys):  # (words met for the first time, if any: only those are keyed in the interpreter)
        for i in list(compress(range(len(keys)), map(is_, keys, repeat(None)))):
            keys[i] = token_key(words[i])
    toks.caps = list(map(str.isupper, map(itemgetter(0), words))) + [False]
    joins = toks.joins = list(map(" ".__eq__, gaps))
    if joins:
        joins[-1] = False
    for i in compress(range(len(gaps) - 1), map(_OTHER_JOINING_GAPS.__contains__, gaps)):
        gap = gaps[i]
        joins[i] = gap[:1] != "." or len(words[i]) == 1 or words[i] in ABBREVIATIONS or gap == "."
    for i in compress(range(len(possessive)), possessive):
        joins[i] = False
    return toks


def _append(toks: Tokens, word: str, start: int, end: int) -> None:
    poss = word.endswith(_POSSESSIVE) and len(word) > 3
    toks.starts.append(start)
    toks.ends.append(end - 2 if poss else end)
    toks.words.append(word[:-2] if poss else word)
    toks.possessive.append(poss)
