"""Every answer the bot gives, as Block Kit: the answer views, used by Slack and the console.

Everything here is pure: result dataclasses in, a `Message` (fallback text + block dicts) out.
Corpus text only ever reaches mrkdwn through `escape`, so an article can never ping anyone.
Every Block Kit limit is enforced by `bot.blockkit`, before anything is sent: long text is cut with "…",
a message with too many blocks or too many characters loses its last content blocks and says so,
and the paging buttons stay so the reader can ask for more.

Buttons carry a *view* (`bot.slack.buttons`) that names what to show (a profile page, a page of
quotes, …). "Share in channel" re-renders the same view publicly; "More" renders the next page.
"""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from slack_sdk.models.blocks import ButtonElement

from bot.blockkit import Message, button, clip, context, divider, escape, finish, header, link, plain, quoted, section
from bot.search.filters import NO_FILTERS, Filters
from bot.search.results import (
    ArticleRef, Candidate, LookupResult, LookupStatus, Profile, QuoteHit, QuoteSearchResult,
)
from bot.slack import curation_command
from bot.slack.buttons import MAX_QUERY_IN_VIEW, ActorQuotesPage, ButtonValue, ProfilePage, QuotesPage
from bot.wording import plural

QUOTES_PAGE = 5
ARTICLES_PAGE = 5
PROFILE_QUOTES = 3
MAX_DESCRIPTION = 600  # a profile's one-line description; the match explanation must stay visible

USAGE = (
    "*newsbot* knows every actor and every quote in the newsroom's corpus.\n"
    "• `/lookup &lt;name&gt;`: who is this? A profile with articles, quotes and related actors. "
    "Spelling variants, typos and Arabic script are fine: `/lookup Kataib Hizbollah`\n"
    "• `/quote &lt;words&gt;`: find a quote from the words you remember\n"
    "• `/quote by &lt;speaker&gt; [&lt;words&gt;]`: quotes by someone\n"
    "• Narrow either with `since:2019-03` `until:2020` `since:7d` `source:\"Middle East Eye\"` "
    "`kind:person|organisation|place`; `sort:date` lists a profile's articles newest first\n"
    "• `/digest preview | subscribe [HH:MM] [Area/City] [weekdays|daily] | unsubscribe | status | "
    "follow &lt;actor&gt; | unfollow &lt;actor&gt;`: this channel's daily digest\n"
    "• `@newsbot lookup &lt;name&gt;` in a thread answers in the thread\n"
    "• Editors: `/newsbot edit &lt;actor&gt; …`, `/newsbot history &lt;actor&gt;`, `/newsbot undo &lt;n&gt;` "
    "correct the index (`/newsbot edit` alone says how)\n"
    "Answers are only visible to you until you press *Share in channel*."
)


def format_date(value: date | None) -> str:
    return value.strftime("%-d %b %Y") if value else "unknown date"


def seen_span(first: date | None, last: date | None) -> str:
    if not first and not last:
        return "articles undated"
    if first == last or not last or not first:
        return format_date(first or last)
    return f"{format_date(first)} – {format_date(last)}"


def share_controls(view: ButtonValue, share: bool) -> list[ButtonElement]:
    return [button("Share in channel", "share", view.encode(), primary=True)] if share else []


def shared_note(shared_by: str | None) -> dict | None:
    return context(f"Shared by <@{shared_by}>") if shared_by and re.fullmatch(r"[UW][A-Z0-9]+", shared_by) else None


def filtered_note(filters: Filters, counts: str = "") -> dict:
    """`Filtered: since 1 Jan 2019 · source Middle East Eye`: the list below is not everything."""
    return context(f"*Filtered:* {escape(filters.describe())}" + (f": {counts}" if counts else ""))


# --- answers ---------------------------------------------------------------------------------

def help_message() -> Message:
    return finish(plain(USAGE), [section(USAGE)])


def usage(command: str, explanation: str = "") -> Message:
    """A bad or empty query: what went wrong (if anything) and how to ask."""
    examples = {
        "/lookup": "Usage: `/lookup &lt;name&gt;`, for example `/lookup Kataeb Hezbollah` or `/lookup حزب الله`",
        "/quote": "Usage: `/quote &lt;words you remember&gt;` or `/quote by &lt;speaker&gt; [&lt;words&gt;]`",
    }
    text = examples.get(command, USAGE)
    lead = f"{escape(explanation)}\n" if explanation else ""
    return finish(f"{explanation} {plain(text)}".strip(), [section(lead + text)])


def apology(command: str) -> Message:
    text = (f"Sorry, something went wrong while answering `{command[:40]}`. "
            "It has been logged; please try again in a moment.")
    return finish(text, [section(escape(text))])


def undelivered(about: str) -> Message:
    """What the user sees when Slack would not take an answer (`about`: `/lookup Iran`, a button's label)."""
    text = f"Sorry, Slack did not take the answer to `{clip(about, 100)}`. Please try again in a moment."
    return finish(text, [section(escape(text))])


def how_matched(candidate: Candidate) -> str:
    """'matched *Kata'ib Hizballah*, a spelling variant'."""
    how = (candidate.how or "").strip()
    if how and not re.match(r"(?i)(a|an|the)\s", how):
        how = ("an " if how[0].lower() in "aeiou" else "a ") + how
    return f"matched *{escape(candidate.matched)}*" + (f", {escape(how)}" if how else "")


def article_line(article: ArticleRef) -> str:
    title = escape(article.title or "Untitled article")
    parts = [escape(article.source) if article.source else None, format_date(article.date)]
    if "author" in getattr(article, "role", ""):
        parts.append("byline")
    if article.mentions:
        parts.append(plural(article.mentions, "mention"))
    line = f"*{link(article.url, title)}*\n{' · '.join(p for p in parts if p)}"
    if article.context:
        line += f"\n_{escape(article.context)}_"
    return line


def speaker_label(hit: QuoteHit) -> str:
    if hit.anonymous:
        return f"_{escape(hit.speaker or 'an unnamed source')}_ (anonymous source)"
    return f"*{escape(hit.speaker_actor or hit.speaker or 'unknown speaker')}*"


def quote_block(hit: QuoteHit) -> dict:
    source = ", ".join(p for p in [escape(hit.article.source), format_date(hit.article.date)] if p)
    title = link(hit.article.url, escape(hit.article.title or "article"))
    details = [f"in {title}"]
    if hit.first_seen and hit.first_seen != hit.article.date:
        details.append(f"first seen {format_date(hit.first_seen)}")
    if hit.occurrences > 1:
        details.append(f"seen {hit.occurrences} times")
    if hit.partial:
        details.append("partial quote")
    body = quoted(f"“{escape(hit.text)}”")
    return section(f"{body}\n— {speaker_label(hit)}, {source}\n{' · '.join(details)}")


def profile_message(profile: Profile, *, match: Candidate | None = None, explanation: str = "",
                    articles_offset: int = 0, share: bool = True, shared_by: str | None = None,
                    editing: bool = False) -> Message:
    """An actor's profile: who, how it matched, how much coverage, top articles, quotes, related; with
    `editing`, an editor's controls (bot.slack.curation_command)."""
    view = ProfilePage(profile.actor_id, articles_offset, profile.filters.tokens())
    filtered, listed = profile.filters.narrows, profile.listed
    kind = escape(profile.kind or "actor")
    description = clip(escape(profile.description), MAX_DESCRIPTION) if profile.description else ""
    lines = [f"*{kind}*" + (f": {description}" if description else "")]
    if explanation:  # the engine's own account of the match, when it gives one
        lines.append(f"_{escape(explanation)}_")
    elif match and match.matched.casefold() != profile.name.casefold():
        lines.append("M" + how_matched(match)[1:])
    if profile.article_count:
        fields = [f"*Mentions{' (all articles)' if filtered else ''}*\n"
                  f"{profile.mentions:,} in {plural(profile.article_count, 'article')}",
                  f"*Seen*\n{seen_span(profile.first_seen, profile.last_seen)}"]
    else:
        fields = ["*Mentions*\nnone in the corpus yet"]
    others = [a for a in profile.aliases if a.casefold() != profile.name.casefold()]
    if others:
        fields.append("*Also written*\n" + ", ".join(escape(a) for a in others[:8])
                      + (f" and {len(others) - 8} more" if len(others) > 8 else ""))
    blocks = [header(profile.name), section("\n".join(lines), fields=fields), shared_note(shared_by)]
    if filtered:
        blocks.append(filtered_note(profile.filters, f"{plural(profile.matched_articles, 'article')} of "
                                                     f"{profile.article_count:,}, "
                                                     f"{plural(profile.matched_mentions, 'mention')}"))

    shown_to = articles_offset + len(profile.articles)
    order = profile.article_order
    if profile.articles:
        span = f" {articles_offset + 1}–{shown_to} of {listed:,}" if listed > len(profile.articles) else ""
        blocks += [divider(), section(f"*Articles{span}* ({order})")]
        blocks += [section(article_line(a)) for a in profile.articles]
    elif articles_offset:
        blocks += [divider(), section("_No more articles._")]
    elif filtered:
        blocks += [divider(), section("_No article passes the filters._")]
    if articles_offset == 0:
        for title, hits in ((f"Quotes by {profile.name}", profile.quotes_by),
                            (f"Quotes about {profile.name}", profile.quotes_about)):
            if hits:
                blocks += [divider(), section(f"*{escape(title)}*")] + [quote_block(h) for h in hits]
        if profile.related:
            related = ", ".join(f"{escape(name)} ({count})" for name, count in profile.related[:10])
            blocks += [divider(), context(f"*Related:* {related}")]

    controls = share_controls(view, share)
    if shown_to < listed:
        controls.append(button("More articles", "more", replace(view, articles_offset=shown_to).encode()))
    if articles_offset == 0:
        if len(profile.quotes_by) >= PROFILE_QUOTES:
            controls.append(button("More quotes by", "more",
                                   ActorQuotesPage(profile.actor_id, "by", len(profile.quotes_by),
                                                   view.filters).encode()))
        if len(profile.quotes_about) >= PROFILE_QUOTES:
            controls.append(button("More quotes about", "more",
                                   ActorQuotesPage(profile.actor_id, "about", len(profile.quotes_about),
                                                   view.filters).encode()))
    if editing and profile.actor_id > 0:
        hint, edit_buttons = curation_command.profile_controls(profile.actor_id, profile.name)
        blocks.append(hint)
        controls += edit_buttons
    fallback = (f"{profile.name} ({profile.kind}): {plural(profile.mentions, 'mention')} in "
                f"{plural(profile.article_count, 'article')}")
    return finish(fallback, blocks, controls=controls)


def candidates_message(result: LookupResult) -> Message:
    """Several actors fit: one line and one button each."""
    query = escape(clip(result.query, 200))
    blocks = [section(f"*{query}* could be more than one actor. Which one?")]
    if result.explanation:
        blocks.append(context(escape(result.explanation)))
    for candidate in result.candidates[:10]:
        line = f"*{escape(candidate.name)}* ({escape(candidate.kind)}), {how_matched(candidate)}"
        description, mentions = getattr(candidate, "description", None), getattr(candidate, "mentions", 0)
        if description or mentions:
            line += "\n" + " · ".join(p for p in [escape(description), plural(mentions, "mention") if mentions else ""] if p)
        blocks.append(section(line, accessory=button(candidate.name, "open", ProfilePage(candidate.actor_id).encode())))
    names = ", ".join(c.name for c in result.candidates[:10])
    return finish(f"{result.query} could be: {names}", blocks)


def not_found_message(result: LookupResult) -> Message:
    """No actor: say so plainly and offer up to three near names."""
    query = escape(clip(result.query, 200))
    blocks = [section(f"No actor named *{query}* in the corpus.")]
    if result.explanation:
        blocks.append(context(escape(result.explanation)))
    suggestions = result.candidates[:3]
    controls = [button(c.name, "open", ProfilePage(c.actor_id).encode()) for c in suggestions]
    if suggestions:
        blocks.append(section("Did you mean:"))
    else:
        blocks.append(context("Try another spelling, or `/quote &lt;words&gt;` to search what people said."))
    return finish(f"No actor named {result.query}", blocks, controls=controls)


def lookup_message(result: LookupResult, *, share: bool = True, editing: bool = False) -> Message:
    """Any lookup result, by status."""
    if result.status == LookupStatus.FOUND and result.profile is not None:
        match = result.candidates[0] if result.candidates else None
        return profile_message(result.profile, match=match, explanation=result.explanation, share=share,
                               editing=editing)
    if result.status == LookupStatus.AMBIGUOUS and result.candidates:
        return candidates_message(result)
    if result.status == LookupStatus.INVALID:
        return usage("/lookup", result.explanation or "That does not look like a name.")
    return not_found_message(result)


def quotes_message(result: QuoteSearchResult, *, offset: int = 0, share: bool = True,
                   shared_by: str | None = None) -> Message:
    """A page of quote search results, with the speaker resolution when `by` was given."""
    words, by = result.query or "", result.by
    view = QuotesPage(words[:MAX_QUERY_IN_VIEW], (by or "")[:MAX_QUERY_IN_VIEW] or None, offset, result.filters.tokens())
    asked = " ".join(p for p in [f"“{escape(clip(words, 200))}”" if words else "", f"by *{escape(clip(by, 200))}*" if by else ""] if p)
    speaker = result.speaker
    blocks: list[dict | None] = [shared_note(shared_by)]
    if result.filters.narrows:
        blocks.append(filtered_note(result.filters))
    controls: list[ButtonElement] = []
    if speaker is not None and speaker.status != LookupStatus.FOUND:
        label = ("could be more than one speaker" if speaker.status == LookupStatus.AMBIGUOUS
                 else "is not a speaker I know")
        blocks.append(section(f"*{escape(clip(by or '', 200))}* {label}."))
        for c in speaker.candidates[:3]:
            controls.append(button(f"Quotes by {c.name}", "open", replace(view, by=c.name, offset=0).encode()))
    if result.results:
        total = max(result.total, offset + len(result.results))
        span = f"{offset + 1}–{offset + len(result.results)} of {total:,}"
        blocks.append(section(f"*Quotes* {asked}: {span}" if asked else f"*Quotes*: {span}"))
        if result.explanation:
            blocks.append(context(escape(result.explanation)))
        blocks += [quote_block(h) for h in result.results]
    else:
        blocks.append(section(f"No quotes found {asked}." if asked else "No quotes found."))
        if result.explanation:
            blocks.append(context(escape(result.explanation)))
    controls = share_controls(view, share and bool(result.results)) + controls
    if offset + len(result.results) < result.total:
        controls.append(button("More quotes", "more", replace(view, offset=offset + len(result.results)).encode()))
    fallback = f"{plural(result.total, 'quote')} {' '.join(p for p in [words, f'by {by}' if by else ''] if p)}".strip()
    return finish(fallback, blocks, controls=controls)


def actor_quotes_message(name: str, side: str, hits: list[QuoteHit], *, actor_id: int, offset: int,
                         page: int = QUOTES_PAGE, filters: Filters = NO_FILTERS) -> Message:
    """A page of the quotes by (or about) one actor, from a profile's "More quotes" button, through the
    profile's filters."""
    title = f"Quotes {'by' if side == 'by' else 'about'} {name}"
    view = ActorQuotesPage(actor_id, side, offset, filters.tokens())
    if hits:
        blocks = [section(f"*{escape(title)}*: {offset + 1}–{offset + len(hits)}")] + [quote_block(h) for h in hits]
    else:
        blocks = [section(f"No more {escape(title[0].lower() + title[1:])}.")]
    if filters.narrows:
        blocks.insert(0, filtered_note(filters))
    controls = [button("Back to profile", "open", ProfilePage(actor_id, filters=view.filters).encode())]
    if len(hits) >= page:
        controls.append(button("More quotes", "more", replace(view, offset=offset + len(hits)).encode()))
    return finish(title, blocks, controls=controls)
