"""Word tokens with offsets, and the key a word is matched under.

Shared by the gazetteer matcher and actor discovery so both read a text the
same way: one pass of one regular expression, parallel lists (cheap to index),
possessives split off (`Iran's` -> `Iran` + possessive flag), and words that
lost the space before a capitalised name split apart (`MEEthatPompeo`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.nlp.names import fold

# A word: letters/digits (Arabic diacritics included) with inner apostrophes (Kata'ib).
_MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
WORD_RE = re.compile(rf"(?:[^\W_]|[{_MARKS}])+(?:['’ʼ`](?:[^\W_]|[{_MARKS}])+)*")
# What may stand between two words of one name: spaces, a hyphen, an initial's full stop.
_JOINING_GAP = re.compile(r"[ \u00a0]{1,2}|[-‐]|\.[ \u00a0]?|\u200c|")
# Function words that scraped text glues between two names: `MEEthatPompeo`.
_GLUED = re.compile(r"(?<=[A-Z])(that|the|and|of|to|in|for|from|with|by|on|at|as|said|says|told)(?=[A-Z][a-z])")
_POSSESSIVE = ("'s", "’s", "ʼs", "`s")
# Words a full stop does not end a sentence after (besides single initials).
ABBREVIATIONS = frozenset({"Mr", "Mrs", "Ms", "Dr", "Prof", "Gen", "Maj", "Lt", "Col", "Brig", "Capt", "Adm", "Sgt", "Cpl",
                           "Pvt", "Sen", "Rep", "Gov", "Rev", "St", "Jr", "Sr", "Mt", "Ft", "Hon", "No", "Nos", "Messrs",
                           "Gens", "Lieut", "Cdr", "Cmdr", "Supt", "Insp", "Det", "Dept", "Corp", "Inc", "Co", "Ltd"})
# British spellings matched as American ones (Organisation = Organization).
_SPELLING = [(re.compile(r"isation"), "ization"), (re.compile(r"^centre"), "center"), (re.compile(r"^defence"), "defense"),
             (re.compile(r"^programme"), "program"), (re.compile(r"^labour"), "labor")]
# Arabic letter variants writers mix freely: hamza-carrying alefs, alef maqsura, ta marbuta.
_ARABIC_FOLD = str.maketrans({"\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627",
                              "\u0649": "\u064a", "\u0629": "\u0647", "\u0624": "\u0648", "\u0626": "\u064a"})
_KEY_CACHE: dict[str, str] = {}


def token_key(word: str) -> str:
    """The matching key of one word: folded case, accents, apostrophes, spelling, Arabic letters."""
    key = _KEY_CACHE.get(word)
    if key is None:
        key = fold(word).replace(" ", "")
        if key.isascii():
            if "is" in key or key[:1] in "cdpl":
                for pattern, repl in _SPELLING:
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

    def __len__(self) -> int:
        return len(self.words)

    def gap(self, i: int) -> str:
        """The text between word i and word i+1."""
        return self.text[self.ends[i]:self.starts[i + 1]]


def tokenize(text: str) -> Tokens:
    toks = Tokens(text)
    starts, ends, words, possessive = toks.starts, toks.ends, toks.words, toks.possessive
    for match in WORD_RE.finditer(text):
        word, start = match.group(), match.start()
        pieces = _GLUED.split(word) if len(word) > 6 and not word.islower() and not word.isupper() else (word,)
        offset = start
        for piece in pieces:
            if not piece:
                continue
            end = offset + len(piece)
            poss = piece.endswith(_POSSESSIVE) and len(piece) > 3
            starts.append(offset)
            ends.append(end - 2 if poss else end)
            words.append(piece[:-2] if poss else piece)
            possessive.append(poss)
            offset = end
    toks.keys = [token_key(w) for w in words]
    joining = _JOINING_GAP.fullmatch
    toks.joins = [not possessive[i] and joining(text, ends[i], starts[i + 1]) is not None
                  and (text[ends[i]] != "." or len(words[i]) == 1 or words[i] in ABBREVIATIONS
                       or ends[i] + 1 == starts[i + 1])
                  for i in range(len(words) - 1)] + [False]
    return toks
