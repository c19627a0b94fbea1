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
import zlib
from collections import Counter
from itertools import compress, repeat

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
_NUMBER = re.compile(r"\b\w*\d\w*\b")


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


def same_story(a: str, b: str, *, already_folded: bool = False) -> bool:
    """True when two bodies are the same story (syndicated copy, light edits)."""
    wa, wb = (a, b) if already_folded else (folded(a), folded(b))
    if not comparable_lengths(len(wa), len(wb)):
        return False
    short = wa.count(" ") < SHORT_BODY_WORDS  # a brief: one changed word or figure is another story
    cutoff = SHORT_STORY_RATIO if short else SAME_STORY_RATIO
    if fuzz.ratio(wa, wb, score_cutoff=cutoff) < cutoff:
        return False
    return same_figures(wa, wb, 1.0 if short else SAME_FIGURES)


def comparable_lengths(a: int, b: int) -> bool:
    """Whether folded bodies of these lengths can be one story: same_story's first test, which the
    indexer applies to lengths it remembers before reading a candidate's body."""
    shorter, longer = sorted((a, b))
    return shorter > 0 and shorter >= MIN_LENGTH_SHARE * longer


def shares_enough(shared_bands: int, bands: int) -> bool:
    """Whether a body sharing `shared_bands` of this body's `bands` is worth comparing."""
    return shared_bands >= min(MIN_SHARED_BANDS, bands)


def same_figures(wa: str, wb: str, share: float = SAME_FIGURES) -> bool:
    """A copy keeps the story's figures; a templated story (a price notice, a results table)
    changes little else. The numbers of two folded bodies must mostly agree."""
    na, nb = Counter(_NUMBER.findall(wa)), Counter(_NUMBER.findall(wb))
    union = sum((na | nb).values())
    return union == 0 or sum((na & nb).values()) >= share * union
