"""Quote extraction (issue 4 fills this in)."""
from __future__ import annotations

from bot.nlp.models import Mention, Quote


def extract_quotes(text: str, mentions: list[Mention] | None = None, gazetteer=None) -> list[Quote]:
    return []
