"""When two quotes are the same quote (Quotebank's rule, and near-identical forms).

Equal after folding case and punctuation is the same quote. So is a near-identical
form: one word changed, or one quote a truncation of the other (at least six words
long). Blocking keys (the first and the last six folded words) find the candidates
without comparing every pair.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from bot.nlp.names import fold

BLOCK_WORDS = 6


@dataclass(frozen=True)
class QuoteKeys:
    key: str  # the folded text's hash: equal keys are one quote
    head: str  # hash of the first six folded words
    tail: str  # hash of the last six


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def folded_words(text: str) -> list[str]:
    return fold(text).split()


def quote_keys(text: str) -> QuoteKeys:
    words = folded_words(text)
    return QuoteKeys(_digest(" ".join(words)), _digest(" ".join(words[:BLOCK_WORDS])),
                     _digest(" ".join(words[-BLOCK_WORDS:])))


def near_identical(wa: list[str], wb: list[str]) -> bool:
    """Two quotes' folded words (folded_words): one word changed, or one a truncation of the
    other (six words or more)."""
    if wa == wb:
        return True
    short, long_ = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    if len(short) >= BLOCK_WORDS and _contains(long_, short):
        return True
    return len(short) >= BLOCK_WORDS and Levenshtein.distance(wa, wb) <= 1


def longer_form(new: str, old: str) -> bool:
    """Whether `new` is the longer form to keep: more words, not just more punctuation or capitals."""
    return len(fold(new).split()) > len(fold(old).split())


def _contains(words: list[str], part: list[str]) -> bool:
    n = len(part)
    first = part[0]
    return any(words[i] == first and words[i:i + n] == part for i in range(len(words) - n + 1))
