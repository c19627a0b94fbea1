"""Text normalisation: the one form of an article body that is stored and offset into.

NFC, invisible characters dropped, runs of spaces collapsed, lines trimmed,
paragraphs separated by exactly one blank line. Quotation marks are kept as found
(curly or straight): quote extraction needs them.
"""
from __future__ import annotations

import re
import unicodedata

# Tabs, no-break and typographic spaces become plain spaces; runs of spaces become one.
_OTHER_SPACES = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_SPACE_RUNS = re.compile(r" {2,}")
# Zero-width space, soft hyphen, byte-order mark and C0 controls other than the newline.
# (Zero-width joiners stay: Persian spelling uses them.)
_INVISIBLE = re.compile(r"[\u200b\u00ad\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_EDGES = re.compile(r" +\n *|\n +")
_BLANK_RUNS = re.compile(r"\n{3,}")


def normalize_text(text: str) -> str:
    """The tidy form of `text`: one space between words, one blank line between paragraphs.

    Each rewrite runs only when a cheap test says it has work to do: most text is
    already tidy, and this runs on every article of every index run.
    """
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\u2028" in text or "\u2029" in text:
        text = text.replace("\u2029", "\n\n").replace("\u2028", "\n")
    if _INVISIBLE.search(text):
        text = _INVISIBLE.sub("", text)
    if _OTHER_SPACES.search(text):
        text = _OTHER_SPACES.sub(" ", text)
    if "  " in text:
        text = _SPACE_RUNS.sub(" ", text)
    if " \n" in text or "\n " in text:
        text = _LINE_EDGES.sub("\n", text)
    if "\n\n\n" in text:
        text = _BLANK_RUNS.sub("\n\n", text)
    return text.strip(" \n")


def normalize_line(text: str | None) -> str | None:
    """A one-line field (title, source, author): normalised, inner newlines folded; None when empty."""
    if text is None:
        return None
    folded = " ".join(normalize_text(str(text)).split())
    return folded or None


def split_blocks(text: str) -> list[str]:
    """Paragraph blocks of normalised text."""
    return [block for block in text.split("\n\n") if block]


PARAGRAPH_LINE_WORDS = 25


def paragraph_blocks(text: str) -> list[str]:
    """Blocks of normalised text, where a block holding a whole paragraph on one of its lines
    is taken as one paragraph per line (pages copied with single line breaks)."""
    blocks = []
    for block in split_blocks(text):
        lines = block.split("\n")
        if len(lines) > 1 and any(line.count(" ") + 1 >= PARAGRAPH_LINE_WORDS for line in lines):
            blocks.extend(lines)
        else:
            blocks.append(block)
    return blocks


def join_blocks(blocks: list[str]) -> str:
    return "\n\n".join(blocks)
