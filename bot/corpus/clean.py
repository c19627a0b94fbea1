"""Page furniture out, story in: general rules for scraped article text.

A scraped page arrives as paragraph blocks. Navigation, section labels, share
counters, photo credits, tag lists, related headlines, subscription pitches,
cookie banners and footers are told apart from story paragraphs by their shape
(headings, short lines without a full stop, lists of short items, link density,
repetition) and by a few stock phrases; never by the names of particular sites.
The page's title, byline and date are lifted out on the way, and an author bio
closing the story gives the author when no byline does.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date

from bot.corpus.dates import find_date
from bot.corpus.normalize import normalize_line

SHORT_LINE_WORDS = 20  # a one-line block this short without a full stop is a label or a headline
PULL_QUOTE_WINDOW = 6  # pull quotes sit within a few paragraphs of the sentence they repeat
PROSE_WORDS = 25
HEADER_BLOCKS = 40  # the title and byline are looked for among the first blocks only
TAIL_SHARE = 0.6  # an end marker after this share of the prose starts the page's tail

HEADING = re.compile(r"^#{1,6}\s*")
RULE = re.compile(r"^(?:[-*_=~]\s*){3,}$")
LIST_ITEM = re.compile(r"^(?:[-*+•·▪►]|\d{1,3}[.)])(?:\s+|$)")
MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
BARE_URL = re.compile(r"(?:https?://|www\.)\S+")
MARKUP = re.compile(r"[*_#>`]+")
TERMINAL = re.compile(r"[.!?…][\"'”’»)\]]*$")
NO_WORDS = re.compile(r"^[\W\d_]*$")

# Labels that end the story when they come after most of it.
END_MARKER = re.compile(
    r"^(?:found in|tags?|topics?|filed under|categories|related(?: articles| stories| posts| topics)?|"
    r"recommended(?: articles| for you| stories| reading)?|more like this|more (?:from|on) [\w -]+|next for you|"
    r"read next|up next|most read|most popular|you (?:may|might) also like|about the author|comments?|"
    r"share this(?: article| story)?|contact us|terms of (?:use|service))\b\s*:?", re.I)
TAG_LINE = re.compile(r"^(?:found in|tags?|topics?|filed under|categories|keywords)\s*:", re.I)
LABEL = re.compile(
    r"^(?:trending(?: now)?|also read|read also|see also|related|recommended(?: articles)?|more like this|"
    r"next for you|read next|advertisement|advert|sponsored(?: content)?|share(?: this)?|print|email|"
    r"subscribe|newsletters?|accept(?: all)?(?: cookies)?|reject(?: all)?|got it|skip to (?:main )?content|"
    r"menu|search|log ?in|sign in|sign up)\s*:?$", re.I)
PITCH = re.compile(
    r"\b(?:subscrib\w*|sign up|newsletters?|get briefed|in your inbox|story of the week|full access|click here|"
    r"support (?:our|independent) journalism|become a (?:member|subscriber)|donate|free trial)\b", re.I)
PITCH_WORDS = 40
COOKIE = re.compile(r"\bcookies?\b", re.I)
COOKIE_CONTEXT = re.compile(r"\b(?:consent|agree|accept|privacy|browsing|track\w*|advertising)\b", re.I)
COPYRIGHT = re.compile(r"^(?:©|\(c\)\s|copyright\b)|\ball rights reserved\b", re.I)
PHOTO_CREDIT = re.compile(
    r"^(?:(?:photo|image|picture|graphic)s?(?: by| credit)?\s*[:/]|"
    r"[A-Z][A-Z&.' -]{1,30}/(?:[A-Z][\w.'’-]*\s?){1,4}$|"
    r".{0,60}\b(?:getty images|shutterstock|ap photo|afp photo|reuters photo)\b)", re.I)
CAPTION_WORDS = 50
AVAILABILITY = re.compile(
    r"^this (?:article|story|piece|report|post) (?:is|was) (?:also )?(?:available|published|first published|"
    r"originally published|originally appeared|adapted|republished|translated)\b", re.I)

_NAME_WORD = r"[A-Z][\w'’.-]*"
_NAME_JOINER = r"(?:al|el|bin|ibn|bint|abu|de|da|del|der|van|von|la|le|di)"
NAME = rf"{_NAME_WORD}(?:[ \t]+(?:{_NAME_WORD}|{_NAME_JOINER}-?\w*)){{1,4}}"
HONORIFIC = (r"(?:(?i:ambassador|dr\.?|prof\.?|professor|mr\.?|ms\.?|mrs\.?|sir|dame|gen\.?|general|col\.?|"
             r"rev\.?|sheikh|ayatollah)\s+)*")
# `By Jane Doe`, `By Jane Doe | 4 May 2021`, `By Jane Doe, Reuters`; not `By Friday Iran had agreed …`.
BYLINE = re.compile(rf"^(?i:by|words by|written by|author:?)\s+(?P<name>{NAME}(?:\s+and\s+{NAME})?)"
                    r"(?:\s*[,|•·–—-]\s*(?P<rest>.*))?$")
NAME_ONLY = re.compile(rf"^{HONORIFIC}(?P<name>{NAME})$")
DATE_LABEL = re.compile(r"^(?:published|posted|updated|last updated|date)\s*:?\s*", re.I)
BIO = re.compile(rf"^{HONORIFIC}(?P<name>{NAME})\s+(?:is|was|has been|serves as|teaches|writes)\b")
BIO_CUE = re.compile(
    r"\b(?:author of|his (?:latest |new )?book|her (?:latest |new )?book|books?|fellow|professor|specialist|"
    r"analyst|correspondent|journalist|columnist|contributor|editor|researcher|lecturer|universit\w*|"
    r"institute|follow (?:him|her)|twitter|@\w+)\b", re.I)
BIO_WORDS = 150


@dataclass
class CleanArticle:
    body: list[str]  # story paragraphs, in order
    title: str | None = None
    author: str | None = None
    date: date | None = None


def plain(block: str) -> str:
    """A block's words without Markdown link, emphasis and heading markup."""
    return MARKUP.sub("", MD_LINK.sub(r"\1", block)).strip()


def words(block: str) -> int:
    return len(block.split())


def is_prose(block: str) -> bool:
    return "\n" not in block and words(block) >= PROSE_WORDS and not HEADING.match(block)


def has_full_stop(block: str) -> bool:
    return bool(TERMINAL.search(plain(block)))


def furniture_reason(block: str) -> str | None:
    """Why `block` is page furniture, or None when it may be story text."""
    lines = block.split("\n")
    text = plain(block)
    n = words(text)
    if HEADING.match(block):
        return "heading"
    if RULE.match(block) or NO_WORDS.match(text):
        return "separator or counter"
    if all(LIST_ITEM.match(line) for line in lines) and all(
            words(line) <= 8 and not has_full_stop(line) for line in lines):
        return "list of short items"
    if re.fullmatch(r"(?:\*\*|__).+(?:\*\*|__)", block, re.S):
        return "bold headline"
    link_chars = sum(len(m.group(0)) for m in MD_LINK.finditer(block)) + sum(
        len(m.group(0)) for m in BARE_URL.finditer(block))
    if link_chars and link_chars >= 0.5 * len(block):
        return "links"
    if LABEL.match(text) or TAG_LINE.match(text):
        return "label"
    if n <= PITCH_WORDS and PITCH.search(text):
        return "subscription pitch"
    if COOKIE.search(text) and COOKIE_CONTEXT.search(text):
        return "cookie banner"
    if n <= 30 and COPYRIGHT.search(text):
        return "copyright"
    if n <= 12 and PHOTO_CREDIT.match(text):
        return "photo credit"
    if AVAILABILITY.match(text):
        return "availability notice"
    return None


def _fold(block: str) -> str:
    return " ".join(re.findall(r"\w+", block.casefold()))


def repeated_blocks(groups: list[list[str]], min_groups: int = 2) -> set[str]:
    """Short blocks found in `min_groups` or more groups (pages or archive articles): site furniture."""
    counts: Counter[str] = Counter()
    for group in groups:
        counts.update({_fold(b) for b in group if words(b) <= SHORT_LINE_WORDS + 5 and _fold(b)})
    return {key for key, count in counts.items() if count >= min_groups}


def repeated_within(blocks: list[str]) -> set[str]:
    """Short blocks a page prints twice without a full stop (a teaser list repeated)."""
    counts = Counter(_fold(b) for b in blocks if words(b) <= SHORT_LINE_WORDS + 5 and not has_full_stop(b))
    return {key for key, count in counts.items() if count >= 2 and key}


# -- the header: title, byline, date --------------------------------------------------------------

def _byline(block: str) -> tuple[str | None, date | None] | None:
    """(author, date) when `block` is a byline or dateline, else None."""
    if "\n" in block or words(block) > 16:
        return None
    text = plain(block)
    match = BYLINE.match(text)
    if match:
        found = find_date(match.group("rest") or "")
        return match.group("name"), found[0] if found else None
    found = find_date(text)
    if found:
        value, where = found
        before = DATE_LABEL.sub("", text[:where.start()]).strip(" ,|•·–—-")
        after = text[where.end():].strip(" ,|•·–—-")
        if not before and not after:
            return None, value
        if not after and NAME_ONLY.match(before):
            return NAME_ONLY.match(before).group("name"), value
        if not before and NAME_ONLY.match(after):
            return NAME_ONLY.match(after).group("name"), value
    return None


def _headline(block: str) -> str | None:
    if "\n" in block or LIST_ITEM.match(block) or furniture_reason(HEADING.sub("", block)):
        return None
    text = plain(block)
    if not text or words(text) > 30 or has_full_stop(text) or _byline(block):
        return None
    return text


def find_header(blocks: list[str], title: str | None = None) -> tuple[int, str | None, str | None, date | None]:
    """Where the story starts, and the title, author and date its header gives.

    The title is the page's top-level heading (`# …`), else the last headline-shaped
    line before the first paragraph of prose; blocks before the title are page chrome.
    A byline or dateline just below it gives author and date.
    """
    first_prose = next((i for i, b in enumerate(blocks[:HEADER_BLOCKS]) if is_prose(b)), min(len(blocks), HEADER_BLOCKS))
    start = 0
    if title is None:
        h1 = next((i for i, b in enumerate(blocks[:first_prose]) if re.match(r"^#\s+\S", b) and "\n" not in b), None)
        if h1 is None:
            candidates = [i for i in range(first_prose) if _headline(blocks[i])]
            h1 = candidates[-1] if candidates else None
        if h1 is not None:
            title, start = plain(blocks[h1]), h1 + 1
    author = when = None
    for i in range(start, min(start + 3, first_prose)):
        found = _byline(blocks[i])
        if found:
            author, when = author or found[0], when or found[1]
            start = i + 1
    return start, normalize_line(title), author, when


# -- the body ----------------------------------------------------------------------------------

def _bio_author(block: str) -> str | None:
    """The name an author bio opens with ("Jane Doe is a fellow at …"), or None."""
    if words(block) > BIO_WORDS:
        return None
    match = BIO.match(plain(block))
    if match and BIO_CUE.search(block):
        return match.group("name")
    return None


def _merge_broken(blocks: list[str]) -> list[str]:
    """Join a paragraph that a page widget cut in two: no full stop, then a lower-case start."""
    merged: list[str] = []
    for block in blocks:
        if merged and block[:1].islower() and not has_full_stop(merged[-1]) and "\n" not in merged[-1]:
            merged[-1] = f"{merged[-1]} {block}"
        else:
            merged.append(block)
    return merged


def _is_label_or_headline(block: str) -> bool:
    """A short line without a full stop; a line introducing what follows (`… three points:`) is a sentence."""
    if "\n" in block or words(block) > SHORT_LINE_WORDS or has_full_stop(block):
        return False
    return not (block.endswith(":") and words(block) >= 4)


def _drop_pull_quotes(blocks: list[str]) -> list[str]:
    """Drop short blocks whose words all appear, in order, in a nearby longer paragraph."""
    folded = [f" {_fold(b)} " for b in blocks]

    def repeats_a_neighbour(i: int) -> bool:
        if words(blocks[i]) > 50 or words(folded[i]) < 6:
            return False
        lo, hi = max(0, i - PULL_QUOTE_WINDOW), min(len(blocks), i + PULL_QUOTE_WINDOW + 1)
        return any(j != i and len(folded[j]) > len(folded[i]) and folded[i] in folded[j] for j in range(lo, hi))

    return [b for i, b in enumerate(blocks) if not repeats_a_neighbour(i)]


def clean_blocks(blocks: list[str], *, title: str | None = None, furniture: set[str] = frozenset()) -> CleanArticle:
    """The story in `blocks`: header lifted out, furniture dropped, broken paragraphs rejoined."""
    start, title, author, when = find_header(blocks, title)
    total_prose = sum(words(b) for b in blocks[start:] if is_prose(b)) or 1
    kept: list[str] = []
    prose_so_far = 0
    bio_author = None
    skip_caption = False
    tail = False
    for block in blocks[start:]:
        text = plain(block)
        if tail:
            bio_author = bio_author or _bio_author(block)
            continue
        if END_MARKER.match(text) and prose_so_far >= TAIL_SHARE * total_prose:
            tail = True
            continue
        reason = furniture_reason(block)
        if reason is None and _fold(block) in furniture:
            reason = "repeated block"
        if reason is None and skip_caption and words(block) <= CAPTION_WORDS and "\n" not in block:
            reason = "photo caption"
        skip_caption = reason == "photo credit"
        if reason:
            continue
        if is_prose(block):
            prose_so_far += words(block)
        kept.append(block)
    kept = _merge_broken(kept)
    kept = [b for b in kept if not _is_label_or_headline(b)]
    kept = _drop_pull_quotes(kept)
    if title:
        folded_title = _fold(title)
        kept = [b for b in kept if _fold(b) != folded_title]
    if kept and (name := _bio_author(kept[-1])):
        bio_author = bio_author or name
        kept.pop()
    return CleanArticle(body=kept, title=title, author=normalize_line(author or bio_author), date=when)
