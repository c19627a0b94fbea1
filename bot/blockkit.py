"""Block Kit within every limit: the toolkit every Slack message is built with (answers and digests).

Everything here is pure: mrkdwn text and block dicts in, a `Message` (fallback text + block dicts) out.
Corpus text only ever reaches mrkdwn through `escape`, so an article can never ping anyone.
Every Block Kit limit is enforced here, before anything is sent: long text is cut with "…",
a message with too many blocks or too many characters loses its last content blocks and says so,
and the controls (buttons under the content) stay so the reader can ask for more.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Iterable

from slack_sdk.models.blocks import (
    ActionsBlock, ButtonElement, ContextBlock, DividerBlock, HeaderBlock, MarkdownTextObject, PlainTextObject,
    SectionBlock,
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
ACTION_PATTERN = r"^newsbot\.(share|more|open|edit|card)\.\d+$"


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


def button(label: str, kind: str, value: str, *, primary: bool = False) -> ButtonElement:
    """A button whose press sends `value` back; `kind` is share | more | open | edit | card."""
    if len(value) > MAX_BUTTON_VALUE:
        raise ValueError(f"value too large for a button: {len(value)} characters")
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
    """Hold a block dict, however it was built, to the per-block limits."""
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


def say(text: str) -> Message:
    """A message of one section saying `text` (plain text: escaped)."""
    return finish(text, [section(escape(text))])
