"""A `Digest` as a Slack message (Block Kit + fallback text) and as plain text for the terminal; a followed
actor's alert (`render_alert`) as a Slack message.

Escaping, clipping and every Block Kit limit come from `bot.blockkit`, the Block Kit toolkit:
corpus text reaches mrkdwn only through `escape`, and `finish` holds the whole message
to 50 blocks and the aggregate size. Each section here also caps itself, so a day of 500 new
articles still fits without losing the header or the top stories.

Every name carries a button to its profile, every quote one to its quote card (and to more quotes
like it). What a button carries is the Slack front's wire format (bot.slack.buttons), so the front
hands its `ButtonValues` in; a digest rendered without them (the terminal) has no buttons.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.blockkit import (
    MAX_BLOCKS, MAX_BLOCKS_CHARS, Message, actions, button, clip, context, divider, escape,
    finish, header, link, quoted, section,
)
from bot.digest.build import ActorTrend, Digest, DigestQuote, Followed, Story, StoryGroup
from bot.wording import plural

DIGEST_LINK_SETTINGS = {"unfurl_links": False, "unfurl_media": False}
BUTTON_LABEL = 60


class ButtonValues(Protocol):
    """What the digest's buttons carry when pressed: an actor's profile, a quote's card, a search for more quotes."""

    def profile(self, actor_id: int) -> str: ...

    def card(self, quote: DigestQuote) -> str: ...

    def quote(self, quote: DigestQuote) -> str: ...


def local(moment: datetime, tz: str) -> datetime:
    return moment.astimezone(ZoneInfo(tz))


def since_label(digest: Digest) -> str:
    """`since Thu 21 Nov 08:00` in the channel's time zone."""
    return "since " + local(digest.window_start, digest.timezone).strftime("%a %-d %b %H:%M")


def title_line(digest: Digest) -> str:
    return f"Daily digest · {digest.digest_date.strftime('%A %-d %B %Y')}"


def counts_line(digest: Digest) -> str:
    return (f"{plural(digest.story_count, 'new story', 'new stories')} from {plural(digest.source_count, 'source')}, "
            f"{plural(digest.quote_count, 'quote')}")


def quiet_line(digest: Digest) -> str:
    return f"Nothing new {since_label(digest)} ({digest.timezone})."


def left_out_line(digest: Digest) -> str | None:
    """What was indexed in the window but is not news (a backfill, undated pages), for a preview; None if nothing."""
    parts = []
    if digest.older_left_out:
        parts.append(plural(digest.older_left_out, "older article"))
    if digest.undated_left_out:
        parts.append(plural(digest.undated_left_out, "undated article"))
    if not parts:
        return None
    verb = "is" if digest.older_left_out + digest.undated_left_out == 1 else "are"
    return (f"{' and '.join(parts)} indexed since the last digest {verb} left out: only stories published "
            f"since {local(digest.window_start, digest.timezone):%a %-d %b} count as new.")


@dataclass(frozen=True)
class Detail:
    """How much of each item to show; a busy day steps down until the whole digest fits one message."""

    title: int = 200
    summary: bool = True
    quote: int = 400
    follow_stories: int = 5
    sentences: int = 2
    sentence: int = 240
    url: int = 3000  # longer links are left out (the title stays)
    buttons: bool = True  # a button costs ~180 of the message's 12,000 characters: the last thing to go

    def link(self, url: str | None, label: str) -> str:
        return link(url if url and len(url) <= self.url else None, label)


DETAIL_LEVELS = (Detail(), Detail(title=150, quote=250, follow_stories=3, sentences=1, sentence=160),
                 Detail(title=100, summary=False, quote=160, follow_stories=2, sentences=1, sentence=100, url=500),
                 Detail(title=80, summary=False, quote=120, follow_stories=1, sentences=0, sentence=80, url=200),
                 Detail(title=80, summary=False, quote=120, follow_stories=1, sentences=0, sentence=80, url=200,
                        buttons=False))


def render_digest(digest: Digest, values: ButtonValues | None = None) -> Message:
    """The message posted to the channel: the most detail that fits."""
    return finish(*digest_content(digest, values))  # finish() still guarantees the limits


def digest_content(digest: Digest, values: ButtonValues | None = None) -> tuple[str, list[dict]]:
    """The digest's fallback text (plain) and blocks at the most detail that fits, before `finish`, so a
    caller adding to the message (a preview's note) finishes it once."""
    if digest.quiet:
        text = quiet_line(digest)
        return text, [section(escape(text))]
    for detail in DETAIL_LEVELS:
        blocks = digest_blocks(digest, detail, values)
        if len(blocks) <= MAX_BLOCKS and len(json.dumps(blocks, ensure_ascii=False)) <= MAX_BLOCKS_CHARS:
            break
    return fallback_text(digest), blocks


def digest_blocks(digest: Digest, detail: Detail, values: ButtonValues | None = None) -> list[dict]:
    values = values if detail.buttons else None
    delayed = " · _posted late, after the bot was down_" if digest.delayed else ""
    blocks = [header(title_line(digest)),
              context(f"*{counts_line(digest)}* {since_label(digest)} ({escape(digest.timezone)}){delayed}")]
    if digest.stories:
        blocks += [divider(), section("*Top stories*")]
        for group in digest.groups:  # the heading shares its first story's block: a story costs one block
            first, *rest = group.stories
            blocks.append(section(f"{group_heading(group)}\n{story_text(first, detail)}",
                                  accessory=group.about and profile_button(f"Profile of {group.about.name}",
                                                                           group.about.actor_id, values)))
            blocks += [section(story_text(s, detail)) for s in rest]
        if digest.more_stories:
            blocks.append(context(f"and {plural(digest.more_stories, 'more new story', 'more new stories')}"))
    for title, trends, extra in (("In the news", digest.in_the_news, new_actors_text(digest)),
                                 ("Places in the news", digest.places, "")):
        if trends:
            blocks += [divider(), section(trends_text(title, trends, extra))]
            blocks.append(profile_buttons(trends + (digest.new_actors if extra else []), values))
    if digest.quotes:
        blocks += [divider(), section("*Quotes of the day*")]
        blocks += [section(quote_text(q, detail), accessory=card_button(q, values)) for q in digest.quotes]
        speakers = {q.speaker_actor_id: q.speaker for q in digest.quotes
                    if q.speaker_actor_id is not None and q.speaker and not q.anonymous}
        blocks.append(actions([quote_button(q, values) for q in digest.quotes]
                              + [profile_button(f"Profile of {name}", actor_id, values)
                                 for actor_id, name in speakers.items()]) if values else None)
    for item in digest.following:
        blocks += [divider() if item is digest.following[0] else None,
                   section(followed_text(item, detail), accessory=followed_button(item, values)),
                   actions([card_button(q, values, label=f"Quote card: {q.text}") for q in item.quotes])
                   if values and item.quotes else None]
    return [b for b in blocks if b]


def profile_button(label: str, actor_id: int, values: ButtonValues | None):
    return button(clip(label, BUTTON_LABEL), "open", values.profile(actor_id)) if values else None


def group_heading(group: StoryGroup) -> str:
    return f"*▸ {escape(group.about.name)}*" if group.about else "*▸ Other stories*"


def profile_buttons(trends: list[ActorTrend], values: ButtonValues | None) -> dict | None:
    return actions([profile_button(t.name, t.actor_id, values) for t in trends]) if values else None


def quote_button(quote: DigestQuote, values: ButtonValues | None):
    return button("More quotes" + (f" of {clip(quote.speaker, BUTTON_LABEL - 15)}" if quote.speaker and not quote.anonymous
                                   else " like this"), "open", values.quote(quote)) if values else None


def card_button(quote: DigestQuote, values: ButtonValues | None, *, label: str = "Quote card"):
    return button(clip(label, BUTTON_LABEL), "open", values.card(quote)) if values else None


def followed_button(item: Followed, values: ButtonValues | None):
    return profile_button(f"Profile of {item.name}", item.actor_id, values) if item.actor_id is not None else None


def fallback_text(digest: Digest) -> str:
    """The notification line, plain (finish() escapes it): the date, the counts and the first headlines."""
    headlines = "; ".join(s.title or "Untitled" for s in digest.stories[:3])
    return f"{title_line(digest)}: {counts_line(digest)}." + (f" Top: {headlines}" if headlines else "")


def story_text(story: Story, detail: Detail = Detail()) -> str:
    title = escape(clip(story.title or "Untitled story", detail.title))
    details = [escape(story.source) if story.source else None, story.date.strftime("%-d %b %Y") if story.date else None]
    others = [s for s in story.sources if s != story.source]
    if story.copies > 1:
        details.append(f"{plural(story.copies - 1, 'copy', 'copies')}" + (f" ({escape(', '.join(others[:3]))})" if others else ""))
    text = f"*{detail.link(story.url, title)}*\n{' · '.join(d for d in details if d)}"
    if story.summary and detail.summary:
        text += f"\n{escape(story.summary)}"
    return text


def trend_change(trend: ActorTrend) -> str:
    """How the actor's mentions compare with its fortnight: `, 4.2× the usual`, `, first time in the news`, …"""
    if trend.first_time:
        return ", first time in the news"
    change = trend.change
    if change is not None:
        return f", {change:.1f}× the usual" if change >= 1.05 or change <= 0.95 else ", as usual"
    return ", back after a quiet fortnight" if trend.spike else ""


def trend_counts(trend: ActorTrend) -> str:
    return f"{plural(trend.mentions, 'mention')} in {plural(trend.articles, 'story', 'stories')}{trend_change(trend)}"


def trend_label(trend: ActorTrend) -> str:
    return (f"*{escape(trend.name)}* ({escape(trend.kind)}): {trend_counts(trend)}"
            + (" :chart_with_upwards_trend:" if trend.spike else ""))


def trends_text(title: str, trends: list[ActorTrend], extra: str = "") -> str:
    return clip(f"*{title}*\n" + "\n".join(f"• {trend_label(t)}" for t in trends) + (f"\n\n{extra}" if extra else ""),
                2900)


def new_actors_text(digest: Digest) -> str:
    if not digest.new_actors:
        return ""
    names = ", ".join(f"{escape(t.name)} ({escape(t.kind)})" for t in digest.new_actors)
    more = digest.new_actor_count - len(digest.new_actors)
    return f"*New in the news:* {names}" + (f" and {more:,} more" if more > 0 else "")


def speaker_text(quote: DigestQuote) -> str:
    if quote.anonymous:
        return f"_{escape(quote.speaker or 'an unnamed source')}_ (anonymous source)"
    return f"*{escape(quote.speaker)}*" if quote.speaker else "_speaker not identified_"


def quote_text(quote: DigestQuote, detail: Detail = Detail()) -> str:
    where = detail.link(quote.url, escape(clip(quote.article_title or quote.source or "article", detail.title // 2)))
    details = [escape(quote.source) if quote.source else None, quote.date.strftime("%-d %b %Y") if quote.date else None]
    seen = "" if quote.first_time else " · _seen before_"
    return (f"{quoted('“' + escape(clip(quote.text, detail.quote)) + '”')}\n— {speaker_text(quote)}, "
            f"{', '.join(d for d in details if d)} in {where}{seen}")


def followed_text(item: Followed, detail: Detail = Detail()) -> str:
    name = escape(item.name)
    if item.actor_id is None:
        return f"*Following: {name}*\n_No actor by this name in the index yet._"
    if not item.total_mentions and not item.total_quotes:
        return f"*Following: {name}*: nothing new."
    lines = [f"*Following: {name}*: {plural(item.total_mentions, 'new mention')}, {plural(item.total_quotes, 'quote')}"]
    shown = item.stories[:detail.follow_stories]
    for story in shown:
        title = detail.link(story.url, escape(clip(story.title or "Untitled story", detail.title // 2)))
        source = f" ({escape(story.source)})" if story.source else ""
        count = f" · {plural(story.mentions, 'mention')}" if story.mentions > 1 else ""
        lines.append(f"• {title}{source}{count}")
        lines += [f"      _{escape(clip(sentence, detail.sentence))}_" for sentence in story.sentences[:detail.sentences]]
    more = item.story_count - len(shown)
    if more > 0:
        lines.append(f"  and {plural(more, 'more story', 'more stories')} "
                     f"({plural(item.total_mentions - sum(s.mentions for s in shown), 'mention')})")
    for quote in item.quotes:
        lines.append(f"• “{escape(clip(quote.text, detail.sentence))}” ({escape(quote.source or 'unknown source')})")
    if item.total_quotes > len(item.quotes):
        lines.append(f"  and {plural(item.total_quotes - len(item.quotes), 'more quote')}")
    return clip("\n".join(lines), 2900)


def render_alert(news: Followed, since: datetime, tz: str, values: ButtonValues | None = None) -> Message:
    """A followed actor's alert: its first new quote (else its first new mention) and how many more came since
    `since`, with a button to the actor's profile (and to the quote's card)."""
    quote = news.quotes[0] if news.quotes else None
    name = escape(news.name)
    if quote is not None:
        text = f":bell: *{name}* has a new quote\n{quote_text(quote)}"
        fallback = f"{news.name} has a new quote: “{clip(quote.text, 200)}”"
    else:
        story = news.stories[0]
        details = " · ".join(d for d in (escape(story.source) if story.source else None,
                                         story.date.strftime("%-d %b %Y") if story.date else None) if d)
        title = escape(clip(story.title or "Untitled story", 200))
        text = (f":bell: *{name}* is in the news\n*{Detail().link(story.url, title)}*"
                + (f"\n{details}" if details else "")
                + "".join(f"\n_{escape(clip(sentence, 300))}_" for sentence in story.sentences[:1]))
        fallback = f"{news.name} is in the news: {story.title or 'Untitled story'}"
    more_mentions = news.total_mentions - (0 if quote is not None else 1)
    more_quotes = news.total_quotes - (1 if quote is not None else 0)
    rest = " and ".join(plural(n, f"more {word}") for n, word in ((more_mentions, "mention"), (more_quotes, "quote"))
                        if n > 0)
    blocks = [section(text),
              context(f"and {rest} since {local(since, tz):%a %-d %b %H:%M} ({escape(tz)})") if rest else None,
              actions([profile_button(f"Profile of {news.name}", news.actor_id, values),
                       *([card_button(quote, values)] if quote is not None else [])]) if values else None]
    return finish(fallback, blocks)


def digest_as_text(digest: Digest) -> str:
    """The digest for a terminal (`newsbot digest`): the same content, no markup."""
    if digest.quiet:
        return quiet_line(digest)
    out = [title_line(digest), f"{counts_line(digest)} {since_label(digest)} ({digest.timezone})"
           + (" (posted late)" if digest.delayed else ""), ""]
    if digest.stories:
        out.append("TOP STORIES")
        for group in digest.groups:
            out.append(f"  [{group.about.name if group.about else 'Other stories'}]")
            for story in group.stories:
                details = " · ".join(p for p in [story.source, story.date.isoformat() if story.date else None,
                                                 "+" + plural(story.copies - 1, "copy", "copies") if story.copies > 1
                                                 else None] if p)
                out.append(f"{digest.stories.index(story) + 1:>2}. {story.title or 'Untitled story'} ({details})")
                out += [f"    {line}" for line in (story.summary, story.url) if line]
        if digest.more_stories:
            out.append(f"    and {plural(digest.more_stories, 'more new story', 'more new stories')}")
        out.append("")
    if digest.in_the_news:
        out.append("IN THE NEWS")
        out += [f"  {t.name} ({t.kind}): {trend_counts(t)}" + (" [spike]" if t.spike else "") for t in digest.in_the_news]
        if digest.new_actors:
            out.append("  New: " + ", ".join(f"{t.name} ({t.kind})" for t in digest.new_actors))
        out.append("")
    if digest.places:
        out.append("PLACES IN THE NEWS")
        out += [f"  {t.name}: {trend_counts(t)}" for t in digest.places]
        out.append("")
    if digest.quotes:
        out.append("QUOTES OF THE DAY")
        for quote in digest.quotes:
            who = f"{quote.speaker or 'an unnamed source'} (anonymous source)" if quote.anonymous else (quote.speaker or "speaker not identified")
            out.append(f"  “{quote.text}” — {who}, {quote.source or 'unknown source'}")
        out.append("")
    for item in digest.following:
        out.append(f"FOLLOWING: {item.name}: {plural(item.total_mentions, 'new mention')}, {plural(item.total_quotes, 'quote')}"
                   if item.actor_id is not None else f"FOLLOWING: {item.name}: no actor by this name in the index yet")
        for story in item.stories:
            out.append(f"  - {story.title or 'Untitled story'} ({story.source or '?'})"
                       + (f" · {plural(story.mentions, 'mention')}" if story.mentions > 1 else ""))
            out += [f"      {sentence}" for sentence in story.sentences]
        if item.story_count > len(item.stories):
            out.append(f"  and {plural(item.story_count - len(item.stories), 'more story', 'more stories')}")
    return "\n".join(out).rstrip() + "\n"
