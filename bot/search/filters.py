"""Filters a reader adds to a lookup or a quote search, read in one place for every front.

In a query (Slack, the console) they are tokens among the words: `since:2019-01-01`, `until:2019-03`,
`source:"Middle East Eye"`, `kind:org`, `sort:date`; on the command line, options (`--since` …) with the
same values. Dates are a day (`2019-03-22`), a month (`2019-03`), a year (`2019`) or a span back from
today (`7d`, `2w`, `6m`, `1y`): `since:` takes the first day of a month or year, `until:` the last. An
outlet is matched to the outlets in the index (fuzzy, bot.search.engines), a kind to the actor kinds
under their usual spellings. A value that does not read raises FilterError with what is accepted.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

from rapidfuzz import fuzz, process, utils

from bot.nlp.models import Kind
from bot.wording import short_date

KIND_SPELLINGS = {
    Kind.PERSON: ("person", "people", "persons", "per"),
    Kind.ORGANIZATION: ("organization", "organisation", "organizations", "organisations", "org", "orgs"),
    Kind.PLACE: ("place", "places", "location", "locations", "loc", "country", "countries", "city"),
}
SORTS = ("relevance", "date")
OUTLET_CUTOFF = 80  # rapidfuzz WRatio (0-100) an outlet must reach to be the one meant
HELP = ("Filters: `since:` and `until:` take a day (2019-03-22), a month (2019-03), a year (2019) or a span back "
        "from today (7d, 2w, 6m, 1y); `source:` an outlet (`source:\"Example News\"`); `kind:` person, "
        "organisation or place; `sort:date` lists articles newest first.")

# `name:value`, the value in straight or curly quotes or up to the next space
_TOKEN = re.compile(r"(?i)(?<!\S)(since|until|source|kind|sort):(?:\"([^\"]*)\"|“([^”]*)”|(\S*))")
_SPAN = re.compile(r"(?i)^(\d{1,4})\s*(d|w|m|y)$")


class FilterError(ValueError):
    """A filter value that does not read; the message says what was wrong and what is accepted."""


@dataclass(frozen=True)
class Filters:
    """What narrows an answer. `source` is as typed until the engines match it to an outlet."""

    since: date | None = None
    until: date | None = None
    source: str | None = None
    kind: Kind | None = None
    sort: str = "relevance"

    @property
    def narrows(self) -> bool:
        """Whether any filter leaves something out (the order alone does not)."""
        return self.narrows_articles or self.kind is not None

    @property
    def narrows_articles(self) -> bool:
        """Whether the date or outlet filters leave articles (and quotes) out."""
        return any((self.since, self.until, self.source))

    def describe(self) -> str:
        """`since 1 Jan 2019 · until 31 Mar 2019 · source Middle East Eye · kind person`, for the answer."""
        parts = []
        if self.since:
            parts.append(f"since {short_date(self.since)}")
        if self.until:
            parts.append(f"until {short_date(self.until)}")
        if self.source:
            parts.append(f"source {self.source}")
        if self.kind:
            parts.append(f"kind {self.kind}")
        return " · ".join(parts)

    def tokens(self) -> str:
        """The filters as query tokens that read back to the same filters (carried by buttons)."""
        parts = [f"since:{self.since.isoformat()}" if self.since else "",
                 f"until:{self.until.isoformat()}" if self.until else "",
                 f'source:"{self.source}"' if self.source else "", f"kind:{self.kind}" if self.kind else "",
                 f"sort:{self.sort}" if self.sort != "relevance" else ""]
        return " ".join(p for p in parts if p)


NO_FILTERS = Filters()


def parse_query(text: str, today: date | None = None) -> tuple[str, Filters]:
    """The query's words without its filter tokens, and the filters they give."""
    values: dict[str, str] = {}
    for match in _TOKEN.finditer(text):
        name = match.group(1).lower()
        value = next((g for g in match.groups()[1:] if g is not None), "").strip()
        if name in values:
            raise FilterError(f"`{name}:` is given twice. {HELP}")
        values[name] = value
    rest = " ".join(_TOKEN.sub(" ", text).split())
    return rest, parse_values(today=today, **values)


def parse_values(since: str | None = None, until: str | None = None, source: str | None = None,
                 kind: str | None = None, sort: str | None = None, today: date | None = None) -> Filters:
    """Filters from their values as typed (query tokens or command-line options)."""
    today = today or date.today()
    filters = Filters(since=parse_day(since, "since", today) if since is not None else None,
                      until=parse_day(until, "until", today) if until is not None else None,
                      kind=parse_kind(kind) if kind is not None else None,
                      sort=parse_sort(sort) if sort is not None else "relevance")
    if source is not None:
        if not source.strip():
            raise FilterError(f"`source:` needs an outlet, in quotes when it has spaces. {HELP}")
        filters = replace(filters, source=" ".join(source.split()))
    if filters.since and filters.until and filters.since > filters.until:
        raise FilterError(f"`since:` ({short_date(filters.since)}) is after `until:` ({short_date(filters.until)}): "
                          "no article can be in between.")
    return filters


def parse_day(value: str, name: str, today: date) -> date:
    """A `since:` or `until:` value as a day: the first (since) or last (until) day of a month or year."""
    value = value.strip()
    span = _SPAN.match(value)
    try:
        if span:
            number, unit = int(span.group(1)), span.group(2).lower()
            if unit in "dw":
                return today - timedelta(days=number * (7 if unit == "w" else 1))
            months = today.year * 12 + today.month - 1 - number * (12 if unit == "y" else 1)
            year, month = divmod(months, 12)
            return date(year, month + 1, min(today.day, calendar.monthrange(year, month + 1)[1]))
        if re.fullmatch(r"\d{4}", value):
            return date(int(value), 1, 1) if name == "since" else date(int(value), 12, 31)
        if re.fullmatch(r"\d{4}-\d{1,2}", value):
            year, month = map(int, value.split("-"))
            return date(year, month, 1 if name == "since" else calendar.monthrange(year, month)[1])
        if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", value):
            return date(*map(int, value.split("-")))
    except ValueError:  # month 13, 30 February, a year before 1
        raise FilterError(f"`{name}:{value}` is not a date that exists. {HELP}") from None
    raise FilterError(f"`{name}:{value}` is not a date I can read. {HELP}")


def parse_kind(value: str) -> Kind:
    folded = value.strip().casefold()
    for kind, spellings in KIND_SPELLINGS.items():
        if folded in spellings:
            return kind
    raise FilterError(f"`kind:{value}` is not a kind of actor: use person, organisation or place.")


def parse_sort(value: str) -> str:
    folded = value.strip().casefold()
    if folded in SORTS:
        return folded
    raise FilterError(f"`sort:{value}` is not an order: use `sort:date` (newest first) or `sort:relevance`.")


def match_outlet(typed: str, outlets: list[str]) -> str:
    """The outlet of the index a typed name means: the one written so (case aside), else the closest by
    rapidfuzz's WRatio when it reaches OUTLET_CUTOFF; FilterError naming the nearest ones otherwise."""
    folded = typed.casefold()
    exact = [o for o in outlets if o.casefold() == folded]
    if exact:
        return exact[0]
    best = process.extract(typed, outlets, scorer=fuzz.WRatio, processor=utils.default_process, limit=3)
    if best and best[0][1] >= OUTLET_CUTOFF:
        return best[0][0]
    nearest = ", ".join(name for name, _, _ in best) or "none: the index has no outlet names"
    raise FilterError(f"No outlet in the index matches “{typed}”. Nearest: {nearest}.")
