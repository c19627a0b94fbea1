"""Name normalisation shared by extraction, the store and lookup (issue 3 extends it)."""
from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = re.compile(r"[\u0027\u2018\u2019\u02bc\u02bf\u02be\u0060\u00b4]")
_NON_WORD = re.compile(r"[^\w]+")


def fold(text: str) -> str:
    """Strip accents and case; delete apostrophes; hyphens and punctuation become spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _APOSTROPHES.sub("", text.casefold())
    return " ".join(_NON_WORD.sub(" ", text).split())


def actor_key(name: str) -> str:
    """The key an actor is stored under: two names with the same key are one actor."""
    return fold(name)[:200]
