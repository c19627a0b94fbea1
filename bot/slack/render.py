"""Block Kit for every answer the bot gives: the one rendering module, used by Slack and the console.

Everything here is pure: result dataclasses in, a `Message` (fallback text + block dicts) out.
Corpus text only ever reaches mrkdwn through `escape`, so an article can never ping anyone.
Every Block Kit limit is enforced here, before anything is sent: long text is cut with "…",
a message with too many blocks or too many characters loses its last content blocks and says so,
and the paging buttons stay so the reader can ask for more.

Buttons carry a *view*: a small JSON dict that names what to show (a profile page, a page of
quotes, …). "Share in channel" re-renders the same view publicly; "More" renders the next page.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Iterable

from slack_sdk.models.blocks import (
    ActionsBlock, ButtonElement, ContextBlock, DividerBlock, HeaderBlock, MarkdownTextObject, PlainTextObject,
    SectionBlock,
)

from bot.search.results import (
    ArticleRef, Candidate, LookupResult, LookupStatus, Profile, QuoteHit, QuoteSearchResult,
)
from bot.wording import plural

# Slack's limits (https://docs.slack.dev/reference/block-kit/blocks; see docs/slack-setup.md).
MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
# Slack rejects messages whose blocks hold much more than ~13k characters (msg_blocks_too_long),
# an undocumented aggregate: stay well under it.
MAX_BLOCKS_CHARS = 12000
MAX_FALLBACK_TEXT = 3000  # chat.update rejects more than 4000
ELLIPSIS = "…"

# Action ids: `newsbot.<kind>.<n>` (ids must be unique within a message).
ACTION_PATTERN = r"^newsbot\.(share|more|open)\.\d+$"

QUOTES_PAGE = 5
ARTICLES_PAGE = 5
PROFILE_QUOTES = 3
MAX_QUERY_IN_VIEW = 300  # keeps every button value far below 2000 characters
MAX_DESCRIPTION = 600  # a profile's one-line description; the match explanation must stay visible

USAGE = (
    "*newsbot* knows every actor and every quote in the newsroom's corpus.\n"
    "• `/lookup &lt;name&gt;`: who is this? A profile with articles, quotes and related actors. "
    "Spelling variants, typos and Arabic script are fine: `/lookup Kataib Hizbollah`\n"
    "• `/quote &lt;words&gt;`: find a quote from the words you remember\n"
    "• `/quote by &lt;speaker&gt; [&lt;words&gt;]`: quotes by someone\n"
    "• `/digest preview | subscribe [HH:MM] [Area/City] [weekdays|daily] | unsubscribe | status | "
    "follow &lt;actor&gt; | unfollow &lt;actor&gt;`: this channel's daily digest\n"
    "• `@newsbot lookup &lt;name&gt;` in a thread answers in the thread\n"
    "Answers are only visible to you until you press *Share in channel*."
)


@dataclass
class Message:
    """What is sent: a fallback `text` (notifications, screen readers) and Block Kit blocks."""

    text: str
    blocks: list[dict]

    def to_dict(self) -> dict:
        return {"text": self.text, "blocks": self.blocks}


# --- text helpers ----------------------------------------------------------------------------

# Control characters, zero-width spaces and bidi overrides (which can make text display reversed);
# ZWNJ and ZWJ stay: Persian words and emoji sequences need them.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SLACK_TOKEN = re.compile(r"<([^<>]*)>")


def escape(text: str | None) -> str:
    """Corpus text made safe for mrkdwn: `&`, `<`, `>` only (Slack's rule; never full HTML escaping)."""
    if not text:
        return ""
    return _CONTROL.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape_command_text(text: str | None) -> str:
    """Slash-command text as the user typed it: Slack's `<@U1|name>`, `<#C1|general>`, `<url|label>`
    and `<!here>` tokens to readable words, `&amp;` `&lt;` `&gt;` decoded, control characters dropped,
    whitespace collapsed."""
    if not text:
        return ""

    def token(match: re.Match) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            return "@" + (label or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            return "@" + (label or target[1:].split("^")[0])
        return label or target

    text = _SLACK_TOKEN.sub(token, text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    text = unicodedata.normalize("NFC", _CONTROL.sub(" ", text))
    return " ".join(text.split())


def clip(text: str, limit: int) -> str:
    """Cut to `limit` characters with "…", never inside an entity (`&amp;`) or a `<link|label>`."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - len(ELLIPSIS), 0)]
    opened, closed = cut.rfind("<"), cut.rfind(">")
    if opened > closed:
        cut = cut[:opened]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:] and len(cut) - amp <= 5:
        cut = cut[:amp]
    return cut.rstrip() + ELLIPSIS


def plain(mrkdwn: str) -> str:
    """Our own mrkdwn as fallback text (the entities decoded, the formatting kept)."""
    return mrkdwn.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def format_date(value: date | None) -> str:
    return value.strftime("%-d %b %Y") if value else "unknown date"


def seen_span(first: date | None, last: date | None) -> str:
    if not first and not last:
        return "articles undated"
    if first == last or not last or not first:
        return format_date(first or last)
    return f"{format_date(first)} – {format_date(last)}"


def link(url: str | None, label: str) -> str:
    """`<url|label>` for http(s) URLs (label already escaped); just the label otherwise."""
    if not url or not re.match(r"https?://", url):
        return label
    safe_url = url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C").replace(" ", "%20")
    return f"<{safe_url}|{label.replace('|', '¦')}>"


def quoted(text: str) -> str:
    """A multi-line blockquote in mrkdwn."""
    return "\n".join("> " + line for line in text.splitlines() or [""])


# --- block builders (each clamps its own limits) ---------------------------------------------

def header(text: str) -> dict:
    return HeaderBlock(text=PlainTextObject(text=clip(text.strip() or "newsbot", MAX_HEADER_TEXT))).to_dict()


def section(text: str, *, fields: Iterable[str] = (), accessory: ButtonElement | None = None) -> dict:
    field_objects = [MarkdownTextObject(text=clip(f, MAX_FIELD_TEXT)) for f in list(fields)[:MAX_FIELDS]]
    block = SectionBlock(text=MarkdownTextObject(text=clip(text, MAX_SECTION_TEXT)) if text else None,
                         fields=field_objects or None, accessory=accessory)
    return block.to_dict()


def context(*texts: str) -> dict:
    elements = [MarkdownTextObject(text=clip(t, MAX_SECTION_TEXT)) for t in texts if t][:MAX_CONTEXT_ELEMENTS]
    return ContextBlock(elements=elements).to_dict()


def divider() -> dict:
    return DividerBlock().to_dict()


def button(label: str, kind: str, view: dict, *, primary: bool = False) -> ButtonElement:
    """A button that shows `view` when pressed; `kind` is share | more | open."""
    value = json.dumps(view, ensure_ascii=False, separators=(",", ":"))
    if len(value) > MAX_BUTTON_VALUE:
        raise ValueError(f"view too large for a button: {len(value)} characters")
    return ButtonElement(text=PlainTextObject(text=clip(label, MAX_BUTTON_TEXT)), action_id=f"newsbot.{kind}.0",
                         value=value, style="primary" if primary else None)


def actions(buttons: list[ButtonElement]) -> dict | None:
    return ActionsBlock(elements=buttons[:MAX_ACTIONS_ELEMENTS]).to_dict() if buttons else None


def number_actions(blocks: list[dict]) -> None:
    """Action ids must be unique within a message: `newsbot.<kind>.<n>`, n counting every button."""
    elements = [b["accessory"] for b in blocks if isinstance(b.get("accessory"), dict)]
    elements += [e for b in blocks if b.get("type") == "actions" for e in b.get("elements", [])]
    for number, element in enumerate(e for e in elements if str(e.get("action_id", "")).startswith("newsbot.")):
        element["action_id"] = re.sub(r"\.\d+$", f".{number}", element["action_id"])


def clamp_block(block: dict) -> dict:
    """Hold a block dict from anywhere (the digest module, say) to the per-block limits."""
    block = dict(block)
    kind = block.get("type")

    def clamp_text(obj, limit):
        if isinstance(obj, dict) and isinstance(obj.get("text"), str):
            return {**obj, "text": clip(obj["text"], limit)}
        return obj

    def clamp_element(element):
        if isinstance(element, dict) and element.get("type") == "button":
            return {**element, "text": clamp_text(element.get("text"), MAX_BUTTON_TEXT)}
        return element

    if kind == "header":
        block["text"] = clamp_text(block.get("text"), MAX_HEADER_TEXT)
    elif kind == "section":
        if "text" in block:
            block["text"] = clamp_text(block["text"], MAX_SECTION_TEXT)
        if "fields" in block:
            block["fields"] = [clamp_text(f, MAX_FIELD_TEXT) for f in block["fields"][:MAX_FIELDS]]
        if "accessory" in block:
            block["accessory"] = clamp_element(block["accessory"])
    elif kind == "context":
        block["elements"] = [clamp_text(e, MAX_SECTION_TEXT) for e in block.get("elements", [])[:MAX_CONTEXT_ELEMENTS]]
    elif kind == "actions":
        block["elements"] = [clamp_element(e) for e in block.get("elements", [])[:MAX_ACTIONS_ELEMENTS]]
    if isinstance(block.get("block_id"), str):
        block["block_id"] = block["block_id"][:255]
    return block


def view_of(value: str) -> dict:
    """The view a pressed button carries (empty dict when unreadable)."""
    try:
        view = json.loads(value)
    except (TypeError, ValueError):
        return {}
    return view if isinstance(view, dict) else {}


def finish(text: str, blocks: list[dict | None], *, controls: list[ButtonElement] = ()) -> Message:
    """Assemble a message within every limit: content blocks first, the controls (Share, More) last.
    `text` is the plain fallback (notifications, screen readers); it is escaped here, since Slack
    parses it too.

    When the content would pass 50 blocks or the aggregate size, the last content blocks are
    dropped and a note says so; the controls are always kept."""
    content = [clamp_block(b) for b in blocks if b]
    footer = [b for b in [actions(list(controls))] if b]
    budget_blocks = MAX_BLOCKS - len(footer)

    def size(items: list[dict]) -> int:
        return len(json.dumps(items, ensure_ascii=False))

    dropped = 0
    while content and (len(content) > budget_blocks or size(content + footer) > MAX_BLOCKS_CHARS):
        content.pop()
        dropped += 1
        if dropped == 1:
            budget_blocks -= 1  # room for the note
    if dropped:
        content.append(context(f"{ELLIPSIS} {plural(dropped, 'more part')} did not fit in one Slack message."))
        while size(content + footer) > MAX_BLOCKS_CHARS and len(content) > 1:
            content.pop(-2)
    fallback = clip(escape(" ".join(text.split())) or "newsbot", MAX_FALLBACK_TEXT)
    number_actions(content + footer)
    return Message(text=fallback, blocks=content + footer)


def share_controls(view: dict, share: bool) -> list[ButtonElement]:
    return [button("Share in channel", "share", view, primary=True)] if share else []


def shared_note(shared_by: str | None) -> dict | None:
    return context(f"Shared by <@{shared_by}>") if shared_by and re.fullmatch(r"[UW][A-Z0-9]+", shared_by) else None


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
                    articles_offset: int = 0, share: bool = True, shared_by: str | None = None) -> Message:
    """An actor's profile: who, how it matched, how much coverage, top articles, quotes, related."""
    view = {"v": "profile", "id": profile.actor_id, "ao": articles_offset}
    kind = escape(profile.kind or "actor")
    description = clip(escape(profile.description), MAX_DESCRIPTION) if profile.description else ""
    lines = [f"*{kind}*" + (f": {description}" if description else "")]
    if explanation:  # the engine's own account of the match, when it gives one
        lines.append(f"_{escape(explanation)}_")
    elif match and match.matched.casefold() != profile.name.casefold():
        lines.append("M" + how_matched(match)[1:])
    if profile.article_count:
        fields = [f"*Mentions*\n{profile.mentions:,} in {plural(profile.article_count, 'article')}",
                  f"*Seen*\n{seen_span(profile.first_seen, profile.last_seen)}"]
    else:
        fields = ["*Mentions*\nnone in the corpus yet"]
    others = [a for a in profile.aliases if a.casefold() != profile.name.casefold()]
    if others:
        fields.append("*Also written*\n" + ", ".join(escape(a) for a in others[:8])
                      + (f" and {len(others) - 8} more" if len(others) > 8 else ""))
    blocks = [header(profile.name), section("\n".join(lines), fields=fields), shared_note(shared_by)]

    shown_to = articles_offset + len(profile.articles)
    if profile.articles:
        span = f" {articles_offset + 1}–{shown_to} of {profile.article_count:,}" if profile.article_count > len(profile.articles) else ""
        blocks += [divider(), section(f"*Articles{span}*")]
        blocks += [section(article_line(a)) for a in profile.articles]
    elif articles_offset:
        blocks += [divider(), section("_No more articles._")]
    if articles_offset == 0:
        for title, hits in ((f"Quotes by {profile.name}", profile.quotes_by),
                            (f"Quotes about {profile.name}", profile.quotes_about)):
            if hits:
                blocks += [divider(), section(f"*{escape(title)}*")] + [quote_block(h) for h in hits]
        if profile.related:
            related = ", ".join(f"{escape(name)} ({count})" for name, count in profile.related[:10])
            blocks += [divider(), context(f"*Related:* {related}")]

    controls = share_controls(view, share)
    if shown_to < profile.article_count:
        controls.append(button("More articles", "more", {**view, "ao": shown_to}))
    if articles_offset == 0:
        if len(profile.quotes_by) >= PROFILE_QUOTES:
            controls.append(button("More quotes by", "more", {"v": "actor_quotes", "id": profile.actor_id, "side": "by",
                                                              "o": len(profile.quotes_by)}))
        if len(profile.quotes_about) >= PROFILE_QUOTES:
            controls.append(button("More quotes about", "more", {"v": "actor_quotes", "id": profile.actor_id, "side": "about",
                                                                 "o": len(profile.quotes_about)}))
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
        blocks.append(section(line, accessory=button(candidate.name, "open", {"v": "profile", "id": candidate.actor_id, "ao": 0})))
    names = ", ".join(c.name for c in result.candidates[:10])
    return finish(f"{result.query} could be: {names}", blocks)


def not_found_message(result: LookupResult) -> Message:
    """No actor: say so plainly and offer up to three near names."""
    query = escape(clip(result.query, 200))
    blocks = [section(f"No actor named *{query}* in the corpus.")]
    if result.explanation:
        blocks.append(context(escape(result.explanation)))
    suggestions = result.candidates[:3]
    controls = [button(c.name, "open", {"v": "profile", "id": c.actor_id, "ao": 0}) for c in suggestions]
    if suggestions:
        blocks.append(section("Did you mean:"))
    else:
        blocks.append(context("Try another spelling, or `/quote &lt;words&gt;` to search what people said."))
    return finish(f"No actor named {result.query}", blocks, controls=controls)


def lookup_message(result: LookupResult, *, share: bool = True) -> Message:
    """Any lookup result, by status."""
    if result.status == LookupStatus.FOUND and result.profile is not None:
        match = result.candidates[0] if result.candidates else None
        return profile_message(result.profile, match=match, explanation=result.explanation, share=share)
    if result.status == LookupStatus.AMBIGUOUS and result.candidates:
        return candidates_message(result)
    if result.status == LookupStatus.INVALID:
        return usage("/lookup", result.explanation or "That does not look like a name.")
    return not_found_message(result)


def quotes_message(result: QuoteSearchResult, *, offset: int = 0, share: bool = True,
                   shared_by: str | None = None) -> Message:
    """A page of quote search results, with the speaker resolution when `by` was given."""
    words, by = result.query or "", result.by
    view = {"v": "quotes", "q": words[:MAX_QUERY_IN_VIEW], "by": (by or "")[:MAX_QUERY_IN_VIEW] or None, "o": offset}
    asked = " ".join(p for p in [f"“{escape(clip(words, 200))}”" if words else "", f"by *{escape(clip(by, 200))}*" if by else ""] if p)
    speaker = result.speaker
    blocks: list[dict | None] = [shared_note(shared_by)]
    controls: list[ButtonElement] = []
    if speaker is not None and speaker.status != LookupStatus.FOUND:
        label = ("could be more than one speaker" if speaker.status == LookupStatus.AMBIGUOUS
                 else "is not a speaker I know")
        blocks.append(section(f"*{escape(clip(by or '', 200))}* {label}."))
        for c in speaker.candidates[:3]:
            controls.append(button(f"Quotes by {c.name}", "open", {**view, "by": c.name, "o": 0}))
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
        controls.append(button("More quotes", "more", {**view, "o": offset + len(result.results)}))
    fallback = f"{plural(result.total, 'quote')} {' '.join(p for p in [words, f'by {by}' if by else ''] if p)}".strip()
    return finish(fallback, blocks, controls=controls)


def actor_quotes_message(name: str, side: str, hits: list[QuoteHit], *, actor_id: int, offset: int,
                         page: int = QUOTES_PAGE) -> Message:
    """A page of the quotes by (or about) one actor, from a profile's "More quotes" button."""
    title = f"Quotes {'by' if side == 'by' else 'about'} {name}"
    view = {"v": "actor_quotes", "id": actor_id, "side": side, "o": offset}
    if hits:
        blocks = [section(f"*{escape(title)}*: {offset + 1}–{offset + len(hits)}")] + [quote_block(h) for h in hits]
    else:
        blocks = [section(f"No more {escape(title[0].lower() + title[1:])}.")]
    controls = [button("Back to profile", "open", {"v": "profile", "id": actor_id, "ao": 0})]
    if len(hits) >= page:
        controls.append(button("More quotes", "more", {**view, "o": offset + len(hits)}))
    return finish(title, blocks, controls=controls)


def digest_message(answer: dict) -> Message:
    """The digest module's answer, held to the same limits as everything else."""
    blocks = [b for b in answer.get("blocks") or [] if isinstance(b, dict)]
    text = answer.get("text") or "newsbot digest"
    if not blocks:
        blocks = [section(escape(text))]
    return finish(text, blocks)
