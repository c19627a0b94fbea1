"""Build a digest from the index for one window of time: store in, `Digest` out, nothing sent.

"New" means *published* in the window: a story counts when its publication date
(`articles.date`) falls on or after the day the window starts, in the digest's time zone, and
it reached the index in the window (`articles.ingested_at`), so no story is in two digests.
Dates are days, so a story dated the day of the previous digest but indexed after it still
counts once. A backfill of older articles is indexed but never reaches a digest; an undated
article (no feed, page, dateline, sidecar or JSONL date said when) never counts either: its
indexing time says nothing of when it was news. Both are counted as left out, so a preview
can say so. What came before the window (`history_before`) is judged the same way: a story published
before its first day, an undated one, or one an earlier window took; so a backfill of old
articles never makes an actor or a quote look new, and an actor's usual rate is counted over
the fortnight of publication days before the window. Each story is one `articles` row; its
syndicated copies are `occurrences` rows and count once (shown as "+N copies").

The digest is a morning briefing for one channel: stories ranked by how much they matter to it
(`story_score`: its followed actors, the desk's curated actors, the outlets that carried the story,
its age) and grouped under what they are about (`subject`); people and organisations apart from
places; quotes by who said them and whether they are new. A subscription turns sections off.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.engine import Connection

from bot.nlp.names import actor_key
from bot.store.db import Store
from bot.store.schema import (
    actors, aliases, articles, mention_sentence, mentions, occurrences, quote_occurrences, quotes,
)

TOP_STORIES = 10
IN_THE_NEWS = 8
PLACES = 6
NEW_ACTORS = 8
QUOTES_OF_THE_DAY = 5
FOLLOW_STORIES = 5
FOLLOW_SENTENCES = 2  # per story
FOLLOW_QUOTES = 3
BASELINE_DAYS = 14
SPIKE_RATIO = 3.0  # at least this many times the usual rate …
SPIKE_MIN_MENTIONS = 3  # … and at least this many mentions, so one stray mention is never a spike
# How much a story matters to the channel: a followed actor outweighs everything, a curated person or
# organisation (the desk's list, config/actors.yaml; places group stories, they do not rank them) outweighs
# the copies of up to 16 outlets, and a fresher story wins a tie.
FOLLOWED_WEIGHT = 10.0
CURATED_WEIGHT = 4.0
RECENCY_HALF_LIFE_DAYS = 1.0
# A name in nearly every story of a busy window is boilerplate (a wire's signature), not news.
BOILERPLATE_SHARE = 0.8
BOILERPLATE_MIN_STORIES = 20
# The sections a subscription can turn off (config/digests.yaml `sections:`, `/digest set`).
SECTIONS = ("stories", "in the news", "places", "quotes", "followed")
PLACE = "place"


@dataclass
class Story:
    id: str
    title: str | None
    source: str | None
    date: date | None
    url: str | None
    summary: str
    copies: int = 1  # occurrences, syndicated copies included
    sources: list[str] = field(default_factory=list)  # every source that carried it
    about: Subject | None = None  # the country or actor it is grouped under


@dataclass(frozen=True)
class Subject:
    """What a story is about: a followed or curated actor it names, else its main place, else its main actor."""

    actor_id: int
    name: str
    kind: str


@dataclass
class StoryGroup:
    about: Subject | None  # None: stories about no actor the index knows
    stories: list[Story]


@dataclass
class ActorTrend:
    actor_id: int
    name: str
    kind: str
    mentions: int  # in the window
    articles: int
    usual: float  # mentions expected in a window this long, from the BASELINE_DAYS of publication before it
    first_time: bool  # never mentioned before the window
    spike: bool

    @property
    def change(self) -> float | None:
        """Window mentions against the usual rate: 2.0 = twice as many. None when there is no history."""
        return self.mentions / self.usual if self.usual else None


@dataclass
class DigestQuote:
    id: int
    text: str
    speaker: str | None
    anonymous: bool
    source: str | None
    date: date | None
    url: str | None
    article_title: str | None
    first_time: bool  # never seen before the window
    followed: bool  # said by a followed actor
    about_followed: bool = False  # quoted in a story that names a followed actor
    article_id: str = ""  # the story it is quoted from in the window
    speaker_actor_id: int | None = None
    prominence: float = 0.0  # the speaker's weight in the corpus: mentions (log scale), more when curated
    outlet_speaker: bool = False  # "said" by an outlet of the window ("…, X told Reuters"): a misread speaker


@dataclass
class FollowedStory:
    """A new story that mentions a followed actor: how often, and the first sentences that do."""

    article_id: str
    title: str | None
    source: str | None
    date: date | None
    url: str | None
    mentions: int
    sentences: list[str] = field(default_factory=list)


@dataclass
class Followed:
    name: str  # as the subscription names it
    actor_id: int | None  # None: no actor by that name in the index (yet)
    stories: list[FollowedStory] = field(default_factory=list)  # the first FOLLOW_STORIES
    quotes: list[DigestQuote] = field(default_factory=list)
    total_mentions: int = 0
    story_count: int = 0
    total_quotes: int = 0


@dataclass
class Digest:
    channel: str | None
    digest_date: date
    timezone: str
    window_start: datetime
    window_end: datetime
    story_count: int = 0
    source_count: int = 0
    quote_count: int = 0
    stories: list[Story] = field(default_factory=list)  # the top stories only
    in_the_news: list[ActorTrend] = field(default_factory=list)  # people and organisations
    places: list[ActorTrend] = field(default_factory=list)
    new_actors: list[ActorTrend] = field(default_factory=list)
    new_actor_count: int = 0
    quotes: list[DigestQuote] = field(default_factory=list)
    following: list[Followed] = field(default_factory=list)
    delayed: bool = False  # posted late, after downtime
    older_left_out: int = 0  # indexed in the window but published before it
    undated_left_out: int = 0  # indexed in the window with no publication date

    @property
    def quiet(self) -> bool:
        return not self.story_count and not self.quote_count and not any(f.total_mentions for f in self.following)

    @property
    def more_stories(self) -> int:
        return max(0, self.story_count - len(self.stories))

    @property
    def groups(self) -> list[StoryGroup]:
        """The top stories under the country or actor they are about, groups in the order of their best story."""
        groups: dict[Subject | None, StoryGroup] = {}
        for story in self.stories:
            groups.setdefault(story.about, StoryGroup(story.about, [])).stories.append(story)
        return list(groups.values())


@dataclass(frozen=True)
class DigestFilters:
    """What a subscription narrows the digest to: sources (stories) and actor kinds (actor sections)."""

    sources: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    sections_off: tuple[str, ...] = ()  # of SECTIONS


def build_digest(store: Store, *, window_start: datetime, window_end: datetime, digest_date: date,
                 tz: str = "UTC", channel: str | None = None, follow: list[str] | tuple[str, ...] = (),
                 filters: DigestFilters = DigestFilters()) -> Digest:
    """The digest of everything published and indexed in [window_start, window_end); a section turned off
    stays empty (the counts still cover the whole window)."""
    start, end = as_utc(window_start), as_utc(window_end)
    digest = Digest(channel=channel, digest_date=digest_date, timezone=tz, window_start=start, window_end=end)
    first_day = published_since(start, tz)
    new_ids = new_article_ids(start, end, first_day, filters)
    shown = set(SECTIONS) - set(filters.sections_off)
    with store.connect() as conn:
        digest.older_left_out, digest.undated_left_out = _left_out(conn, start, end, first_day, filters)
        followed_ids = resolve_actors(conn, follow)
        all_followed = {i for ids in followed_ids.values() for i in ids}
        outlets = _outlets(conn, new_ids)
        digest.source_count = len(outlets)
        outlets = {actor_key(o) for o in outlets}  # an outlet named in its own stories is a signature, not news
        digest.story_count, stories = _stories(conn, new_ids, all_followed, end, outlets)
        digest.stories = stories if "stories" in shown else []
        news, places, digest.new_actors, digest.new_actor_count = _actor_trends(conn, start, end, first_day, new_ids,
                                                                                   filters, digest.story_count, outlets)
        digest.in_the_news = news if "in the news" in shown else []
        digest.places = places if "places" in shown else []
        if "in the news" not in shown:
            digest.new_actors = []
        quoted = window_quotes(conn, history_before(start, end, first_day), new_ids, all_followed, outlets)
        digest.quote_count = len(quoted)
        digest.quotes = pick_quotes(quoted, QUOTES_OF_THE_DAY) if "quotes" in shown else []
        if "followed" in shown:
            digest.following = [followed_news(conn, name, followed_ids.get(name, []), new_ids, quoted)
                                for name in follow]
    return digest


# -- the window's articles ---------------------------------------------------

def published_since(start: datetime, tz: str) -> date:
    """The first publication day a window starting at `start` takes: that day in the digest's time zone."""
    return start.astimezone(ZoneInfo(tz)).date()


def _indexed_in_window(start: datetime, end: datetime, filters: DigestFilters):
    """The condition on `articles` of a story indexed in the window (and carried by a wanted source)."""
    condition = and_(articles.c.ingested_at >= start, articles.c.ingested_at < end)
    if filters.sources:
        carried = select(occurrences.c.article_id).where(occurrences.c.source.in_(filters.sources))
        condition = and_(condition, or_(articles.c.source.in_(filters.sources), articles.c.id.in_(carried)))
    return condition


def new_article_ids(start: datetime, end: datetime, first_day: date, filters: DigestFilters):
    """A subquery of the window's new stories: indexed in it and published on or after `first_day`."""
    return select(articles.c.id).where(and_(_indexed_in_window(start, end, filters), articles.c.date >= first_day))


def history_before(start: datetime, end: datetime, first_day: date):
    """The condition on `articles` of a story from before the window, as the window's new stories are told
    apart: published before its first day or undated (never new), or taken by an earlier window (indexed
    before it: a story dated the previous digest's day was that digest's news). Only what was indexed by the
    window's end counts, so a replay matches the post."""
    return and_(articles.c.ingested_at < end, or_(articles.c.date < first_day, articles.c.date.is_(None),
                                                  articles.c.ingested_at < start))


def _left_out(conn: Connection, start: datetime, end: datetime, first_day: date,
              filters: DigestFilters) -> tuple[int, int]:
    """(older, undated): stories indexed in the window that are not new, published before it or undated."""
    older = func.sum(case((articles.c.date < first_day, 1), else_=0))
    undated = func.sum(case((articles.c.date.is_(None), 1), else_=0))
    row = conn.execute(select(older, undated).where(_indexed_in_window(start, end, filters))).one()
    return int(row[0] or 0), int(row[1] or 0)


def _outlets(conn: Connection, new_ids) -> set[str]:
    """Every source that carried a story of the window, syndicated copies included."""
    carried = set(conn.execute(select(occurrences.c.source).where(occurrences.c.article_id.in_(new_ids)).distinct())
                  .scalars())
    named = set(conn.execute(select(articles.c.source).where(articles.c.id.in_(new_ids)).distinct()).scalars())
    return {s for s in carried | named if s}


def _stories(conn: Connection, new_ids, followed: set[int], end: datetime, outlets: set[str]):
    """How many stories the window holds, and its TOP_STORIES ranked by `story_score` (`outlets`: the keys of
    the window's sources, never a story's subject)."""
    rows = conn.execute(select(articles.c.id, articles.c.title, articles.c.source, articles.c.date, articles.c.url,
                               articles.c.ingested_at).where(articles.c.id.in_(new_ids))).all()
    if not rows:
        return 0, []
    copies: dict[str, list[str]] = {}
    for article_id, source in conn.execute(select(occurrences.c.article_id, occurrences.c.source)
                                           .where(occurrences.c.article_id.in_(new_ids))
                                           .order_by(occurrences.c.id)):
        copies.setdefault(article_id, []).append(source)
    named: dict[str, list] = {}  # article id → (actor id, name, kind, curated, mentions), most mentioned first
    for row in conn.execute(select(mentions.c.article_id, actors.c.id, actors.c.name, actors.c.kind, actors.c.curated,
                                   func.count().label("n"))
                            .join(actors, actors.c.id == mentions.c.actor_id)
                            .where(mentions.c.article_id.in_(new_ids))
                            .group_by(mentions.c.article_id, actors.c.id, actors.c.name, actors.c.kind, actors.c.curated)):
        if actor_key(row.name) not in outlets:
            named.setdefault(row.article_id, []).append(row)
    for actors_named in named.values():
        actors_named.sort(key=lambda r: (r.n, -r.id), reverse=True)
    def rank(row):
        outlets = len({s for s in copies.get(row.id, []) if s}) or 1
        published = row.date or as_utc(row.ingested_at).date()
        score = story_score(followed=any(r.id in followed for r in named.get(row.id, [])),
                            curated=any(r.curated and r.kind != PLACE for r in named.get(row.id, [])),
                            outlets=outlets,
                            age_days=(end.date() - published).days)
        return score, len(named.get(row.id, [])), as_utc(row.ingested_at), row.id

    top = sorted(rows, key=rank, reverse=True)[:TOP_STORIES]
    texts = dict(conn.execute(select(articles.c.id, articles.c.text)
                              .where(articles.c.id.in_([r.id for r in top]))).all())
    stories = []
    for row in top:
        carried = [s for s in dict.fromkeys(copies.get(row.id, [])) if s]
        stories.append(Story(id=row.id, title=row.title, source=row.source or (carried[0] if carried else None),
                             date=row.date, url=row.url, summary=one_line_summary(texts.get(row.id, ""), row.title),
                             copies=max(1, len(copies.get(row.id, []))), sources=carried,
                             about=subject(named.get(row.id, []), followed)))
    return len(rows), stories


def story_score(*, followed: bool, curated: bool, outlets: int, age_days: int) -> float:
    """How much a story matters to the channel: its followed and curated actors, its outlets (per
    doubling), its age in days since publication."""
    return (FOLLOWED_WEIGHT * followed + CURATED_WEIGHT * curated + math.log2(max(outlets, 1))
            + 0.5 ** (max(age_days, 0) / RECENCY_HALF_LIFE_DAYS))


def subject(named: list, followed: set[int]) -> Subject | None:
    """The story's heading: its most mentioned followed actor, else curated actor, else place, else actor."""
    for wanted in (lambda r: r.id in followed, lambda r: r.curated and r.kind != PLACE,
                   lambda r: r.kind == PLACE, lambda r: True):
        found = next((r for r in named if wanted(r)), None)
        if found is not None:
            return Subject(actor_id=found.id, name=found.name, kind=found.kind)
    return None


SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’]?\s+(?=[A-Z\"“‘'(])")
SUMMARY_CHARS = 220


def one_line_summary(text: str, title: str | None = None) -> str:
    """The first real sentence of the body: skips menus, bullets, headings, bylines and the title."""
    title_key = actor_key(title or "")
    for paragraph in text.split("\n"):
        paragraph = " ".join(paragraph.split())
        if (len(paragraph) < 60 or len(paragraph.split()) < 8 or paragraph[0] in "-*#|>•"
                or actor_key(paragraph) == title_key):
            continue
        sentence = SENTENCE_END.split(paragraph, maxsplit=1)[0]
        return shorten(sentence, SUMMARY_CHARS)
    return ""


def shorten(text: str, limit: int) -> str:
    """Cut at a word boundary with "…" when longer than `limit`."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0] if " " in text[:limit - 1] else text[:limit - 1]
    return cut.rstrip(" ,;:") + "…"


# -- actors ------------------------------------------------------------------

def _actor_trends(conn: Connection, start: datetime, end: datetime, first_day: date, new_ids, filters: DigestFilters,
                  story_count: int, outlets: set[str]) -> tuple[list[ActorTrend], list[ActorTrend], list[ActorTrend], int]:
    """The IN_THE_NEWS most mentioned people and organisations of the window and its PLACES most mentioned
    places, each with its usual rate over the BASELINE_DAYS of publication before `first_day`; then the most
    mentioned of the other newcomers (never in a story of `history_before`), and how many newcomers there are.
    A name in nearly every story (boilerplate) and the window's outlets are left out."""
    query = (select(mentions.c.actor_id, actors.c.name, actors.c.kind, func.count().label("n"),
                    func.count(func.distinct(mentions.c.article_id)).label("a"))
             .join(actors, actors.c.id == mentions.c.actor_id)
             .where(mentions.c.article_id.in_(new_ids)).group_by(mentions.c.actor_id, actors.c.name, actors.c.kind))
    rows = [r for r in conn.execute(query)
            if (not filters.kinds or r.kind in filters.kinds) and actor_key(r.name) not in outlets]
    if not rows:
        return [], [], [], 0
    if story_count >= BOILERPLATE_MIN_STORIES:
        rows = [r for r in rows if r.a <= BOILERPLATE_SHARE * story_count]
    rows.sort(key=lambda r: (r.n, r.a, r.name), reverse=True)
    places = [r for r in rows if r.kind == PLACE][:PLACES]
    others = [r for r in rows if r.kind != PLACE]
    history = history_before(start, end, first_day)
    seen_before = _seen_before(conn, history, new_ids)
    # An index with nothing before the window (a first run) has no newcomers: everyone would be one.
    has_history = conn.execute(select(articles.c.id).where(history).limit(1)).first() is not None
    top = [r.actor_id for r in others[:IN_THE_NEWS] + places]
    earlier = (select(mentions.c.actor_id, func.count()).join(articles, articles.c.id == mentions.c.article_id)
               .where(and_(mentions.c.actor_id.in_(top), articles.c.ingested_at < end,
                           articles.c.date >= first_day - timedelta(days=BASELINE_DAYS), articles.c.date < first_day))
               .group_by(mentions.c.actor_id))
    baseline = dict(conn.execute(earlier).all())
    window_days = max((end - start).total_seconds() / 86400, 1 / 24)

    def trend(row) -> ActorTrend:
        usual = baseline.get(row.actor_id, 0) / BASELINE_DAYS * window_days
        known = row.actor_id in seen_before
        # Well above its usual rate, or back in the news after a quiet fortnight (newcomers are flagged apart).
        spike = row.n >= SPIKE_MIN_MENTIONS and (row.n >= SPIKE_RATIO * usual if usual else known)
        return ActorTrend(actor_id=row.actor_id, name=row.name, kind=row.kind, mentions=row.n, articles=row.a,
                          usual=round(usual, 2), first_time=has_history and not known, spike=spike)

    newcomers = [r for r in others[IN_THE_NEWS:] if r.actor_id not in seen_before] if has_history else []
    return ([trend(r) for r in others[:IN_THE_NEWS]], [trend(r) for r in places],
            [trend(r) for r in newcomers[:NEW_ACTORS]], len(newcomers))


def _seen_before(conn: Connection, history, new_ids) -> set[int]:
    """Actors of the window already mentioned in a story of `history` (`history_before`)."""
    in_window = select(mentions.c.actor_id).where(mentions.c.article_id.in_(new_ids))
    return set(conn.execute(
        select(mentions.c.actor_id).join(articles, articles.c.id == mentions.c.article_id)
        .where(and_(mentions.c.actor_id.in_(in_window), history)).distinct()).scalars())


def resolve_actors(conn: Connection, names) -> dict[str, list[int]]:
    """Followed names to actor ids by exact name or alias key (the lookup engine confirmed them at follow time)."""
    resolved = {}
    for name in names:
        key = actor_key(name)
        ids = set(conn.execute(select(actors.c.id).where(actors.c.key == key)).scalars())
        if not ids:
            ids = set(conn.execute(select(aliases.c.actor_id).where(aliases.c.key == key)).scalars())
        resolved[name] = sorted(ids)
    return resolved


# -- quotes ------------------------------------------------------------------

def window_quotes(conn: Connection, history, new_ids, followed: set[int], outlets: set[str]
                   ) -> list[DigestQuote]:
    """Every distinct quote that appears in a new story, with where it first appeared in the window
    (`outlets`: the keys of the window's sources); it is new unless a story of `history` (`history_before`) has it."""
    rows = conn.execute(
        select(quotes.c.id, quotes.c.text, quotes.c.speaker, quotes.c.speaker_actor_id, quotes.c.anonymous,
               quote_occurrences.c.article_id, quote_occurrences.c.source, actors.c.mention_count, actors.c.curated,
               actors.c.kind)
        .join(quote_occurrences, quote_occurrences.c.quote_id == quotes.c.id)
        .outerjoin(actors, actors.c.id == quotes.c.speaker_actor_id)
        .where(quote_occurrences.c.article_id.in_(new_ids))
        .order_by(quotes.c.id, quote_occurrences.c.id)).all()
    first_row = {}
    for row in rows:
        first_row.setdefault(row.id, row)
    if not first_row:
        return []
    about_followed = set(conn.execute(select(mentions.c.article_id).where(and_(
        mentions.c.article_id.in_({r.article_id for r in first_row.values()}), mentions.c.actor_id.in_(followed)))
    ).scalars()) if followed else set()
    seen_before = set(conn.execute(
        select(quote_occurrences.c.quote_id).join(articles, articles.c.id == quote_occurrences.c.article_id)
        .where(and_(quote_occurrences.c.quote_id.in_(list(first_row)), history))
        .distinct()).scalars())
    story = {row.id: row for row in conn.execute(
        select(articles.c.id, articles.c.title, articles.c.date, articles.c.url, articles.c.source)
        .where(articles.c.id.in_({r.article_id for r in first_row.values()})))}
    result = []
    for quote_id, row in first_row.items():
        article = story[row.article_id]
        result.append(DigestQuote(
            id=quote_id, text=row.text, speaker=row.speaker, anonymous=bool(row.anonymous),
            source=row.source or article.source, date=article.date, url=article.url, article_title=article.title,
            first_time=quote_id not in seen_before, followed=row.speaker_actor_id in followed,
            about_followed=row.article_id in about_followed,
            article_id=row.article_id, speaker_actor_id=row.speaker_actor_id,
            prominence=speaker_prominence(row.mention_count or 0, bool(row.curated)) if row.kind != PLACE else 0.0,
            outlet_speaker=bool(row.speaker) and actor_key(row.speaker) in outlets))
    return result


def speaker_prominence(corpus_mentions: int, curated: bool) -> float:
    """A speaker's weight: mentions across the corpus on a log scale, a curated actor worth a hundredfold more
    (a place "speaking" is a misread dateline and weighs nothing)."""
    return math.log10(1 + corpus_mentions) + 2 * curated


def pick_quotes(candidates: list[DigestQuote], limit: int) -> list[DigestQuote]:
    """The best quotes, one per speaker and per story first, so one talkative source cannot fill the section;
    a second quote of a speaker or story only after them."""
    ranked = sorted(candidates, key=_quote_rank, reverse=True)
    picked, speakers, stories = [], set(), set()
    for quote in ranked:
        speaker = (quote.speaker or "").casefold() if not quote.anonymous else None
        if len(picked) < limit and (speaker is None or speaker not in speakers) and quote.article_id not in stories:
            picked.append(quote)
            speakers.add(speaker)
            stories.add(quote.article_id)
    return picked + [q for q in ranked if q not in picked][:limit - len(picked)]


def _quote_rank(quote: DigestQuote):
    """Followed speakers, then quotes from stories about a followed actor, then named speakers; among them a
    quote first seen in the window before a repeat, then the more prominent speaker; a readable length breaks ties."""
    named = bool(quote.speaker) and not quote.anonymous and not quote.outlet_speaker
    readable = 40 <= len(quote.text) <= 300
    return (quote.followed, quote.about_followed, named, quote.first_time, round(quote.prominence, 1), readable,
            -quote.id)


# -- followed actors ---------------------------------------------------------

def followed_news(conn: Connection, name: str, actor_ids: list[int], new_ids,
              window_quotes: list[DigestQuote]) -> Followed:
    item = Followed(name=name, actor_id=actor_ids[0] if actor_ids else None)
    if not actor_ids:
        return item
    item.name = conn.execute(select(actors.c.name).where(actors.c.id == actor_ids[0])).scalar() or name
    rows = conn.execute(
        select(mentions.c.article_id, mention_sentence(), articles.c.title, articles.c.source, articles.c.date,
               articles.c.url)
        .join(articles, articles.c.id == mentions.c.article_id)
        .where(and_(mentions.c.actor_id.in_(actor_ids), mentions.c.article_id.in_(new_ids)))
        .order_by(articles.c.ingested_at, articles.c.id, mentions.c.start)).all()
    item.total_mentions = len(rows)
    by_story: dict[str, FollowedStory] = {}
    for r in rows:
        found = by_story.get(r.article_id)
        if found is None:
            found = by_story[r.article_id] = FollowedStory(article_id=r.article_id, title=r.title, source=r.source,
                                                           date=r.date, url=r.url, mentions=0)
        found.mentions += 1
        sentence = shorten(r.sentence, 300)
        if len(found.sentences) < FOLLOW_SENTENCES and sentence not in found.sentences:
            found.sentences.append(sentence)
    item.story_count = len(by_story)
    item.stories = list(by_story.values())[:FOLLOW_STORIES]
    spoken = set(conn.execute(select(quotes.c.id).where(and_(
        quotes.c.speaker_actor_id.in_(actor_ids), quotes.c.id.in_([q.id for q in window_quotes])))).scalars()) \
        if window_quotes else set()
    said = [q for q in window_quotes if q.id in spoken]
    item.total_quotes = len(said)
    item.quotes = said[:FOLLOW_QUOTES]
    return item


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes: they are UTC, as the indexer stores them."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
