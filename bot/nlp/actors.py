"""Actor mention extraction (issue 3 fills this in)."""
from __future__ import annotations

from bot.nlp.models import Mention


def extract_mentions(text: str, gazetteer=None, title: str | None = None) -> list[Mention]:
    return []
