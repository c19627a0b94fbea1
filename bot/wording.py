"""How counts and days are worded in every answer, digest, console line and command summary."""
from __future__ import annotations

from datetime import date


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 article`, `2 articles`, `1 story` / `3 stories` (with `many`), thousands separated: never `1 articles`
    or `article(s)`."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def short_date(value: date) -> str:
    """`22 Mar 2019`: a day as the answers write it."""
    return value.strftime("%-d %b %Y")
