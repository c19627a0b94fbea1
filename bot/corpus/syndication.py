"""Near-duplicate detection: the same story republished is one article.

A body is cut into word 5-shingles; the k smallest shingle hashes (a bottom-k
sketch) are stored as bands. Two bodies that share a band are compared for real.
"""
from __future__ import annotations

import heapq
import re
import zlib

from rapidfuzz import fuzz

SHINGLE = 5
BANDS = 8
SAME_STORY_RATIO = 90.0

_WORD = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def fingerprint(text: str) -> list[str]:
    """Bands of a body: the BANDS smallest 5-shingle hashes, as hex strings."""
    words = _words(text)
    if len(words) < SHINGLE:
        shingles = {" ".join(words)}
    else:
        shingles = {" ".join(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}
    hashes = {zlib.crc32(s.encode("utf-8")) for s in shingles}
    return [f"{h:08x}" for h in heapq.nsmallest(BANDS, hashes)]


def same_story(a: str, b: str) -> bool:
    """True when two bodies are the same story (syndicated copy, light edits)."""
    wa, wb = " ".join(_words(a)), " ".join(_words(b))
    if not wa or not wb:
        return False
    shorter, longer = sorted((len(wa), len(wb)))
    if shorter < 0.8 * longer:
        return False
    return fuzz.ratio(wa, wb, score_cutoff=SAME_STORY_RATIO) >= SAME_STORY_RATIO
