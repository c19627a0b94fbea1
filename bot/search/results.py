"""What the engines answer. The CLI, Slack and the console render these, nothing else."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date


@dataclass
class ArticleRef:
    id: str
    title: str | None
    source: str | None
    date: date | None
    url: str | None = None
    mentions: int = 0
    context: str | None = None  # one line around the first mention


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
    kind: str
    score: float
    matched: str  # the alias or spelling that matched, as written
    how: str  # exact alias | spelling variant | typo | script transliteration | abbreviation | …


@dataclass
class Profile:
    actor_id: int
    name: str
    kind: str
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


@dataclass
class LookupResult:
    query: str
    status: str  # found | ambiguous | not_found | invalid
    candidates: list[Candidate] = field(default_factory=list)
    explanation: str = ""
    profile: Profile | None = None


@dataclass
class QuoteSearchResult:
    query: str
    by: str | None
    results: list[QuoteHit] = field(default_factory=list)
    total: int = 0
    speaker: LookupResult | None = None  # how `by` resolved, when given
    explanation: str = ""


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
