"""What the engines answer. The CLI, Slack and the console render these, nothing else."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from enum import StrEnum
from typing import Literal

from bot.nlp.models import Kind
from bot.search.filters import Filters


class LookupStatus(StrEnum):
    """What a lookup concluded; `newsbot lookup` exits 0, 0, 1 and 2 for them."""
    FOUND = "found"
    AMBIGUOUS = "ambiguous"
    NOT_FOUND = "not_found"
    INVALID = "invalid"


class Band(StrEnum):
    """How well a name matched, by score: only exact and close matches are ever found."""
    EXACT = "exact"
    CLOSE = "close"
    POSSIBLE = "possible"
    NONE = "none"


@dataclass
class ArticleRef:
    id: str
    title: str | None
    source: str | None
    date: date | None
    url: str | None = None
    mentions: int = 0
    context: str | None = None  # one line around the first mention
    role: Literal["mention", "author", "author and mention"] = "mention"  # author: the actor wrote it (byline)
    contexts: list[str] = field(default_factory=list)  # one line per mention (distinct sentences, up to 5)


@dataclass
class QuoteHit:
    id: int
    text: str
    speaker: str | None
    speaker_actor: str | None
    anonymous: bool
    article: ArticleRef
    first_seen: date | None
    occurrences: int
    score: float = 0.0
    cue: str | None = None
    marked: bool = True
    partial: bool = False


@dataclass
class Candidate:
    actor_id: int
    name: str
    kind: Kind
    score: float
    matched: str  # the alias or spelling that matched, as written
    how: str  # exact alias | spelling variant | typo | script transliteration | abbreviation | …
    band: Band | Literal[""] = ""
    description: str | None = None
    mentions: int = 0
    articles: int = 0


@dataclass
class Profile:
    actor_id: int
    name: str
    kind: Kind
    description: str | None
    aliases: list[str]
    mentions: int
    article_count: int
    first_seen: date | None
    last_seen: date | None
    articles: list[ArticleRef] = field(default_factory=list)
    related: list[tuple[str, int]] = field(default_factory=list)
    quotes_by: list[QuoteHit] = field(default_factory=list)
    quotes_about: list[QuoteHit] = field(default_factory=list)
    authored: int = 0  # articles whose byline names the actor (included in article_count and articles)
    curated: bool = False  # listed in config/actors.yaml
    # A discovered actor's kind that only guesses gave (no article's words said it, no editor set it): the answers
    # say so rather than state it.
    kind_guessed: bool = False
    listed_aliases: list[str] = field(default_factory=list)  # config aliases not (yet) seen in the corpus
    articles_offset: int = 0  # where `articles` starts in the full list (paging)
    # The filters its articles and quotes passed; with any, how many articles and mentions passed
    # (mentions, article_count, first_seen and last_seen stay the actor's totals).
    filters: Filters = field(default_factory=Filters)
    matched_articles: int | None = None
    matched_mentions: int | None = None
    # Set when its articles were ranked among those of its latest this many mentions only (a very busy actor):
    # matched_articles and matched_mentions then count those.
    ranked_mentions: int | None = None


    @property
    def listed(self) -> int:
        """How many articles its list holds: those that passed the filters (or were ranked), else all."""
        return self.article_count if self.matched_articles is None else self.matched_articles

    @property
    def article_order(self) -> str:
        """How its articles are listed, as the answers say it: `most about it first` or `newest first`, and
        over which."""
        order = "newest first" if self.filters.sort == "date" else "most about it first"
        return order + (f", among its latest {self.ranked_mentions:,} mentions" if self.ranked_mentions else "")
    quotes_by_total: int = 0  # how many quotes by the actor there are (`quotes_by` is one page of them)
    quotes_about_total: int = 0


@dataclass
class LookupResult:
    query: str
    status: LookupStatus
    candidates: list[Candidate] = field(default_factory=list)
    explanation: str = ""
    profile: Profile | None = None
    band: Band | Literal[""] = ""  # the best candidate's band; "" when no name was scored
    also: list[Candidate] = field(default_factory=list)  # found: other actors known by the same name, offered
    filters: Filters = field(default_factory=Filters)  # what it was asked through: a candidate opens through them too


@dataclass
class QuoteSearchResult:
    query: str
    by: str | None
    results: list[QuoteHit] = field(default_factory=list)
    total: int = 0
    speaker: LookupResult | None = None  # how `by` resolved, when given
    explanation: str = ""
    filters: Filters = field(default_factory=Filters)


def to_jsonable(value):
    """Dataclasses to plain JSON-ready dicts (dates as ISO strings)."""
    if hasattr(value, "__dataclass_fields__"):
        value = asdict(value)
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def filters_json(filters: Filters) -> dict:
    """The filters an answer passed through, as JSON (unset ones left out; the order always given)."""
    return {key: value for key, value in to_jsonable(filters).items() if value is not None}


def lookup_to_json(result: LookupResult) -> dict:
    """The `newsbot lookup --json` contract: query, status, actor, candidates, explanation (+ quotes)."""
    profile = result.profile
    actor = None
    if profile is not None:
        actor = {
            "id": profile.actor_id, "name": profile.name, "kind": profile.kind, "kind_guessed": profile.kind_guessed,
            "description": profile.description,
            "aliases": profile.aliases, "listed_aliases": profile.listed_aliases, "mentions": profile.mentions,
            "article_count": profile.article_count, "authored": profile.authored,
            "first_seen": to_jsonable(profile.first_seen), "last_seen": to_jsonable(profile.last_seen),
            "articles": [to_jsonable(a) for a in profile.articles],
            "related": [{"name": name, "count": count} for name, count in profile.related],
            "quotes_by": to_jsonable(profile.quotes_by), "quotes_about": to_jsonable(profile.quotes_about),
            "filters": filters_json(profile.filters),
            "matched_articles": profile.matched_articles, "matched_mentions": profile.matched_mentions,
            "ranked_mentions": profile.ranked_mentions,
            "articles_left_out": profile.listed - len(profile.articles),
        }
    return {
        "query": result.query, "status": result.status, "band": result.band, "explanation": result.explanation,
        "actor": actor,
        "candidates": [{"id": c.actor_id, "name": c.name, "kind": c.kind, "score": c.score, "matched": c.matched,
                        "how": c.how, "band": c.band, "mentions": c.mentions, "articles": c.articles}
                       for c in result.candidates],
        "quotes_by": actor["quotes_by"] if actor else [], "quotes_about": actor["quotes_about"] if actor else [],
    }


@dataclass
class Carrier:
    """An outlet that published a quote: its copy's date, address and headline; `first` marks the earliest."""
    source: str | None
    date: date | None
    url: str | None = None
    title: str | None = None
    first: bool = False


@dataclass
class QuoteCard:
    """One quote ready to cite: where it was first published, the paragraph around it there, and every
    outlet that carried it (earliest first)."""
    id: int
    text: str
    speaker: str  # the actor's name, the speaker as written, or the anonymous source's description
    anonymous: bool
    paragraph: str
    article: ArticleRef
    carriers: list[Carrier] = field(default_factory=list)
    partial: bool = False
    citation: str = ""  # the one line to paste: “…,” <speaker> said, <outlet>, <date>
