"""Dates as articles and metadata write them: ISO forms and `March 22, 2019` / `22 March 2019`."""
from __future__ import annotations

import re
from datetime import date, datetime

from bot.corpus.vocabulary import MONTH_FORMS, WEEKDAYS

_MONTHS = {name: number for number, names in enumerate(MONTH_FORMS, 1) for name in names}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = r"(?:(?:" + "|".join(day[:3] for day in WEEKDAYS) + r")[a-z]*\.?,?\s+)?"
_ISO = r"(?P<iso>\d{4}-\d{2}-\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?"
_MONTH_FIRST = _WEEKDAY + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})"
_DAY_FIRST = _WEEKDAY + r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(?P<year>\d{4})"

DATE_PATTERNS = [re.compile(rf"\b{p}\b", re.I) for p in (_ISO, _MONTH_FIRST, _DAY_FIRST)]


def _from_match(match: re.Match) -> date | None:
    groups = match.groupdict()
    try:
        if groups.get("iso"):
            return date.fromisoformat(groups["iso"])
        return date(int(groups["year"]), _MONTHS[groups["month"].lower()], int(groups["day"]))
    except ValueError:
        return None


def find_date(text: str) -> tuple[date, re.Match] | None:
    """The first date written in `text`, with where it was found."""
    found = []
    for pattern in DATE_PATTERNS:
        match = pattern.search(text)
        if match and (value := _from_match(match)):
            found.append((match.start(), value, match))
    if not found:
        return None
    _, value, match = min(found, key=lambda item: item[0])
    return value, match


def parse_date(value) -> date | None:
    """A date from a metadata value (date, datetime, or a string holding exactly one date).

    Raises ValueError when a non-empty value is not a date.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    for pattern in DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match and (parsed := _from_match(match)):
            return parsed
    raise ValueError(f"not a date: {text!r} (expected e.g. 2019-03-22 or March 22, 2019)")
