"""Near-duplicate detection: the same story republished is one article.

A body is cut into word 5-shingles; the k smallest shingle hashes (a bottom-k
sketch) are stored as bands. Two bodies that share a band are compared for real.
A long body hashes only the shingles that start at an anchor word (chosen by the
word's own length, so copies of a text pick the same anchors): a third of the
hashing for the same sketch quality.
"""
from __future__ import annotations

import heapq
import operator
import re
import sys
import zlib
from collections import Counter
from itertools import compress, filterfalse, repeat
from typing import NamedTuple

from rapidfuzz import fuzz

SHINGLE = 5
BANDS = 8
SAME_STORY_RATIO = 90.0
SAME_FIGURES = 0.8  # share of the numbers two copies of a story have in common
SHORT_BODY_WORDS = 50  # briefs below this length must match closer, with every figure equal
SHORT_STORY_RATIO = 96.0
ANCHOR_ABOVE = 60  # bodies with more shingles than this hash anchored shingles only
ANCHOR_EVERY = 3  # anchor words: length divisible by this
# A body sharing one band of a full sketch with another shares a sentence, not the story: on
# Reuters-21578 none of 229 near copies shared fewer than two of eight bands, while 70,512 of the
# 81,314 comparisons made were with bodies sharing one.
MIN_SHARED_BANDS = 2
# fuzz.ratio is at most 200 * shorter / (shorter + longer): below this share it cannot reach the cutoff.
MIN_LENGTH_SHARE = SAME_STORY_RATIO / (200 - SAME_STORY_RATIO)

_WORD = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")


def folded(text: str) -> str:
    """A body's words, case-folded, one space apart: what fingerprints and comparisons read."""
    return " ".join(_WORD.findall(text.casefold()))


def pack(folded_body: str) -> bytes:
    """A folded body in half the memory (zlib's fastest level: unpacking costs a sixth of folding again)."""
    return zlib.compress(folded_body.encode("utf-8"), 1)


def unpack(packed: bytes) -> str:
    return zlib.decompress(packed).decode("utf-8")


def fingerprint(text: str, *, already_folded: bool = False) -> list[str]:
    """Bands of a body: the BANDS smallest 5-shingle hashes, as hex strings."""
    words = (text if already_folded else folded(text)).split(" ")
    if len(words) < SHINGLE:
        return [f"{zlib.crc32(' '.join(words).encode('utf-8')):08x}"]
    starts = range(len(words) - SHINGLE + 1)
    if len(starts) > ANCHOR_ABOVE:  # (itertools keeps the per-word test out of the interpreter loop)
        starts = compress(starts, map(operator.not_, map(operator.mod, map(len, words), repeat(ANCHOR_EVERY))))
    hashes = {zlib.crc32(" ".join(words[i:i + SHINGLE]).encode("utf-8")) for i in starts}
    return [f"{h:08x}" for h in heapq.nsmallest(BANDS, hashes)]


class Traits(NamedTuple):
    """What same_story reads of a folded body besides its text: enough to rule most pairs out without
    comparing (or even unpacking) the texts. In the first 30k synthetic articles of the benchmark, 95 of
    100 pairs compared had other figures (stories told again with new numbers, or another day's notice)."""

    length: int
    spaces: int  # words - 1
    figures: tuple[str, ...]  # the numbers, sorted, repeats kept

    @property
    def brief(self) -> bool:
        """Under SHORT_BODY_WORDS: one changed word or figure is another story."""
        return self.spaces < SHORT_BODY_WORDS


def traits(folded_body: str) -> Traits:
    return Traits(len(folded_body), folded_body.count(" "), tuple(sorted(map(sys.intern, figures(folded_body)))))


def figures(folded_body: str) -> list[str]:
    """The words of a folded body that hold a digit (the str.isalpha test skips most words without a
    regular expression; both filters run in C, not a loop in the interpreter)."""
    return list(filter(_DIGIT.search, filterfalse(str.isalpha, folded_body.split(" "))))


def same_story(a: str, b: str, *, already_folded: bool = False) -> bool:
    """True when two bodies are the same story (syndicated copy, light edits)."""
    wa, wb = (a, b) if already_folded else (folded(a), folded(b))
    first = traits(wa)
    return same_traits(first, traits(wb)) and same_text(wa, wb, brief=first.brief)


def same_traits(a: Traits, b: Traits) -> bool:
    """same_story's tests that need no text: comparable lengths, and the figures a copy keeps (a
    templated story, a price notice or a results table, changes little else)."""
    if not comparable_lengths(a.length, b.length):
        return False
    if a.figures == b.figures:
        return True  # (every figure shared: a copy's usual case)
    share = 1.0 if a.brief else SAME_FIGURES
    fewer, more = sorted((len(a.figures), len(b.figures)))
    if fewer < share * more:
        return False  # (at most `fewer` shared, of at least `more`: the counts need not be taken)
    shared = sum((Counter(a.figures) & Counter(b.figures)).values())
    return shared >= share * (fewer + more - shared)  # (the union's size: both sizes less what they share)


def same_text(wa: str, wb: str, *, brief: bool) -> bool:
    """same_story's test of the folded texts themselves (`brief`: the first is a brief): at most a tenth of
    the characters differ (a twenty-fifth in a brief)."""
    cutoff = SHORT_STORY_RATIO if brief else SAME_STORY_RATIO
    return fuzz.ratio(wa, wb, score_cutoff=cutoff) >= cutoff


def comparable_lengths(a: int, b: int) -> bool:
    """Whether folded bodies of these lengths can be one story: same_story's first test, which the
    indexer applies to lengths it remembers before reading a candidate's body."""
    shorter, longer = sorted((a, b))
    return shorter > 0 and shorter >= MIN_LENGTH_SHARE * longer


def shares_enough(shared_bands: int, bands: int) -> bool:
    """Whether a body sharing `shared_bands` of this body's `bands` is worth comparing."""
    return shared_bands >= bands_needed(bands)


def bands_needed(bands: int) -> int:
    """The fewest of a body's `bands` another body must share to be worth comparing (shares_enough)."""
    return min(MIN_SHARED_BANDS, bands)
