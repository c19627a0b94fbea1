"""Every answer the bot gives, as Block Kit: the answer views, used by Slack and the console.

Everything here is pure: result dataclasses in, a `Message` (fallback text + block dicts) out.
Corpus text only ever reaches mrkdwn through `escape`, so an article can never ping anyone.
Every Block Kit limit is enforced by `bot.blockkit`, before anything is sent: long text is cut with "…",
a message with too many blocks or too many characters loses its last content blocks and says so,
and the paging buttons stay so the reader can ask for more.

Buttons carry a *view* (`bot.slack.buttons`) that names what to show (a profile page, a page of
quotes, a quote card, …). "Share in channel" renders the first view of what the reader is looking at
publicly (a profile with every section at its first page, a quote search's first page); "More" and
"Previous" page one section and keep the others where they are.
"""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from slack_sdk.models.blocks import ButtonElement

from bot.blockkit import (
    Message, actions, button, clip, context, divider, escape, finish, header, link, plain, quoted, say, section,
)
from bot.search.filters import Filters
from bot.search.results import (
    ArticleRef, Candidate, LookupResult, LookupStatus, Profile, QuoteCard, QuoteHit, QuoteSearchResult,
)
from bot.slack import curation_command
from bot.slack.buttons import ButtonValue, ProfilePage, QuoteCardPage, QuotesPage
from bot.wording import plural, short_date

QUOTES_PAGE = 5
ARTICLES_PAGE = 5
PROFILE_QUOTES = 3
RELATED_PAGE = 10
RELATED_MAX = 40  # related actors a profile pages through
MAX_DESCRIPTION = 600  # a profile's one-line description; the match explanation must stay visible

USAGE = (
    "*newsbot* knows every actor and every quote in the newsroom's corpus.\n"
    "• `/lookup &lt;name&gt;`: who is this? A profile with articles, quotes and related actors. "
    "Spelling variants, typos and Arabic script are fine: `/lookup Kataib Hizbollah`\n"
    "• `/quote &lt;words&gt;`: find a quote from the words you remember\n"
    "• `/quote by &lt;speaker&gt; [&lt;words&gt;]`: quotes by someone\n"
    "• Narrow either with `since:2019-03` `until:2020` `since:7d` `source:\"Example News\"` "
    "`kind:person|organisation|place`; `sort:date` lists a profile's articles newest first\n"
    "• `/quote card &lt;number&gt;`: a quote ready to cite (every quote has a *Quote card* button)\n"
    "• `/digest preview | subscribe [HH:MM] [Area/City] [weekdays|daily] | unsubscribe | status | "
    "follow &lt;actor&gt; | unfollow &lt;actor&gt; | set &lt;section&gt;|alerts on|off`: this channel's daily "
    "digest, and alerts for the actors it follows\n"
    "• `@newsbot lookup &lt;name&gt;` in a thread answers in the thread\n"
    "• `/newsbot feeds`: the feeds the bot polls, and how their last polls went\n"
    "• Editors: `/newsbot edit &lt;actor&gt; …`, `/newsbot history &lt;actor&gt;`, `/newsbot undo &lt;n&gt;` "
    "correct the index (`/newsbot edit` alone says how); `/newsbot add &lt;url&gt;` (or the link posted "
    "with @newsbot) indexes an article now; `/newsbot feeds add &lt;url&gt; [source] [every N minutes]` "
    "and `remove &lt;url&gt;` manage feeds\n"
    "Answers are only visible to you until you press *Share in channel*."
)


def format_date(value: date | None) -> str:
    return short_date(value) if value else "unknown date"


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
    return say(text)


def undelivered(about: str) -> Message:
    """What the user sees when Slack would not take an answer (`about`: `/lookup Iran`, a button's label)."""
    text = f"Sorry, Slack did not take the answer to `{clip(about, 100)}`. Please try again in a moment."
    return say(text)


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
    return section(f"{body}\n— {speaker_label(hit)}, {source}\n{' · '.join(details)}",
                   accessory=button("Quote card", "card", QuoteCardPage(hit.id).encode()))


def page_span(offset: int, shown: int, total: int) -> str:
    """` 6–10 of 23` when the section has more than one page, else nothing."""
    return f" {offset + 1}–{offset + shown} of {total:,}" if shown and (offset or total > shown) else ""


def paging_controls(section_name: str, page: ProfilePage, field: str, shown: int, total: int,
                    size: int) -> list[ButtonElement]:
    """Previous and More for one section of a profile; the other sections keep their pages."""
    at = getattr(page, field)
    controls = []
    if at:
        controls.append(button(f"Previous {section_name}", "more", replace(page, **{field: max(at - size, 0)}).encode()))
    if at + shown < total:
        controls.append(button(f"More {section_name}", "more", replace(page, **{field: at + shown}).encode()))
    return controls


def profile_message(profile: Profile, *, page: ProfilePage | None = None, match: Candidate | None = None,
                    explanation: str = "", also: list[Candidate] = (), share: bool = True,
                    shared_by: str | None = None, editing: bool = False) -> Message:
    """An actor's profile: who, how it matched, how much coverage, then its sections (articles, quotes by and
    about it, related actors), each at its own page (`page`) with its own Previous and More, through the
    profile's filters. Share in channel always shares the first view. With `editing`, an editor's controls
    (bot.slack.curation_command)."""
    page = page or ProfilePage(profile.actor_id, articles_offset=profile.articles_offset,
                               filters=profile.filters.tokens())
    filtered, listed = profile.filters.narrows, profile.listed
    kind = escape(profile.kind or "actor")
    description = clip(escape(profile.description), MAX_DESCRIPTION) if profile.description else ""
    guessed = " _(a guess: no article says what it is)_" if profile.kind_guessed else ""
    lines = [f"*{kind}*{guessed}" + (f": {description}" if description else "")]
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
    if also:
        blocks += [context("*Also known by this name:*"),
                   actions([button(c.name, "open", ProfilePage(c.actor_id, filters=page.filters).encode())
                            for c in also])]

    if profile.articles:
        span = page_span(page.articles_offset, len(profile.articles), listed)
        blocks += [divider(), section(f"*Articles{span}* ({profile.article_order})")]
        blocks += [section(article_line(a)) for a in profile.articles]
    elif page.articles_offset:
        blocks += [divider(), section("_No more articles._")]
    elif filtered:
        blocks += [divider(), section("_No article passes the filters._")]
    for title, hits, at, total in ((f"Quotes by {profile.name}", profile.quotes_by, page.by_offset,
                                    profile.quotes_by_total),
                                   (f"Quotes about {profile.name}", profile.quotes_about, page.about_offset,
                                    profile.quotes_about_total)):
        if hits:
            blocks += [divider(), section(f"*{escape(title)}{page_span(at, len(hits), total)}*")]
            blocks += [quote_block(h) for h in hits]
        elif at:
            blocks += [divider(), section(f"_No more {escape(title[0].lower() + title[1:])}._")]
    related = profile.related[page.related_offset:page.related_offset + RELATED_PAGE]
    if related:
        names = ", ".join(f"{escape(name)} ({count})" for name, count in related)
        span = page_span(page.related_offset, len(related), len(profile.related))
        blocks += [divider(), context(f"*Related{span}:* {names}")]

    controls = share_controls(page.first, share)
    controls += paging_controls("articles", page, "articles_offset", len(profile.articles), listed, ARTICLES_PAGE)
    controls += paging_controls("quotes by", page, "by_offset", len(profile.quotes_by), profile.quotes_by_total,
                                PROFILE_QUOTES)
    controls += paging_controls("quotes about", page, "about_offset", len(profile.quotes_about),
                                profile.quotes_about_total, PROFILE_QUOTES)
    controls += paging_controls("related", page, "related_offset", len(related), len(profile.related), RELATED_PAGE)
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
        opens = ProfilePage(candidate.actor_id, filters=result.filters.tokens()).encode()
        blocks.append(section(line, accessory=button(candidate.name, "open", opens)))
    names = ", ".join(c.name for c in result.candidates[:10])
    return finish(f"{result.query} could be: {names}", blocks)


def not_found_message(result: LookupResult) -> Message:
    """No actor: say so plainly and offer up to three near names."""
    query = escape(clip(result.query, 200))
    blocks = [section(f"No actor named *{query}* in the corpus.")]
    if result.explanation:
        blocks.append(context(escape(result.explanation)))
    suggestions = result.candidates[:3]
    controls = [button(c.name, "open", ProfilePage(c.actor_id, filters=result.filters.tokens()).encode())
                for c in suggestions]
    if suggestions:
        blocks.append(section("Did you mean:"))
    else:
        blocks.append(context("Try another spelling, or `/quote &lt;words&gt;` to search what people said."))
    return finish(f"No actor named {result.query}", blocks, controls=controls)


def lookup_message(result: LookupResult, *, share: bool = True, editing: bool = False) -> Message:
    """Any lookup result, by status."""
    if result.status == LookupStatus.FOUND and result.profile is not None:
        match = result.candidates[0] if result.candidates else None
        return profile_message(result.profile, match=match, explanation=result.explanation, also=result.also,
                               share=share, editing=editing)
    if result.status == LookupStatus.AMBIGUOUS and result.candidates:
        return candidates_message(result)
    if result.status == LookupStatus.INVALID:
        return usage("/lookup", result.explanation or "That does not look like a name.")
    return not_found_message(result)


def quotes_message(result: QuoteSearchResult, *, offset: int = 0, share: bool = True,
                   shared_by: str | None = None) -> Message:
    """A page of quote search results, with the speaker resolution when `by` was given."""
    words, by = result.query or "", result.by
    view = QuotesPage(words, by or None, offset, result.filters.tokens())
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
    controls = share_controls(replace(view, offset=0), share and bool(result.results)) + controls
    if offset:
        controls.append(button("Previous quotes", "more", replace(view, offset=max(offset - QUOTES_PAGE, 0)).encode()))
    if offset + len(result.results) < result.total:
        controls.append(button("More quotes", "more", replace(view, offset=offset + len(result.results)).encode()))
    fallback = f"{plural(result.total, 'quote')} {' '.join(p for p in [words, f'by {by}' if by else ''] if p)}".strip()
    return finish(fallback, blocks, controls=controls)


def quote_card_message(card: QuoteCard, *, share: bool = True, shared_by: str | None = None) -> Message:
    """A quote ready to cite: the quote, who said it, where and when it was first published, the paragraph
    around it there, every outlet that carried it (the first marked) and the line to paste."""
    article = card.article
    speaker = f"_{escape(card.speaker)}_ (anonymous source)" if card.anonymous else f"*{escape(card.speaker)}*"
    where = ", ".join(p for p in [escape(article.source), format_date(article.date)] if p)
    title = link(article.url, escape(article.title or "article"))
    carried = []
    for carrier in card.carriers:
        line = ", ".join(p for p in [escape(carrier.source or "unknown outlet"), format_date(carrier.date)] if p)
        line = link(carrier.url, line)
        carried.append(f"• {line}" + (" _(first)_" if carrier.first else ""))
    blocks = [header("Quote card"), shared_note(shared_by),
              section(quoted(f"“{escape(card.text)}”") + f"\n— {speaker}, {where}\nin {title}"
                      + (" · partial quote" if card.partial else "")),
              section("*In context*\n" + quoted(escape(card.paragraph))),
              section(f"*Carried by {plural(len(card.carriers), 'outlet')}*\n" + "\n".join(carried)),
              section(f"*Cite*\n{escape(card.citation)}")]
    controls = [button("Copy citation", "card", QuoteCardPage(card.id, citation=True).encode())]
    controls += share_controls(QuoteCardPage(card.id), share)
    return finish(card.citation, blocks, controls=controls)


def citation_message(card: QuoteCard) -> Message:
    """The one line to paste, alone (shown privately)."""
    return say(card.citation)


def gone(what: str, ask: str) -> Message:
    """An actor or quote asked for by id that the index does not hold (a button older than the last re-index,
    or a mistyped number)."""
    text = f"{what} is not in the index (a re-index of the corpus may have removed it). Ask again with {ask}."
    return say(text)


def unverified_button() -> Message:
    """A pressed value whose signature does not hold."""
    text = ("This button could not be verified: it was changed, or comes from an answer older than this "
            "version of newsbot. Ask again with /lookup or /quote.")
    return say(text)
