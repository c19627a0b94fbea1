"""Aggregator archives: one file holding several republished articles, split into each.

An archive opens each article with a `Title – Source` line and closes it with a
trailer: a marker line (`See the original post:`, `Read more:`, `Continued here:` …)
usually followed by `Title - Source` again. The trailers are the cut points; a page
heading before the first article (`Archive for the ‘Iran’ Category`) is dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

TRAILER = re.compile(
    r"^(?:see the original (?:post|article|story)|read more(?: here| at)?|continued here|continue reading|"
    r"read the (?:full|original|rest of the) (?:article|story|post)|read the rest(?: here)?|"
    r"go here to read the rest|view (?:the )?original(?: post| article)?|originally published (?:at|on|by|in)|"
    r"original (?:post|article|source)|full (?:story|article)|source)\s*:\s*(?P<rest>.*)$", re.I)
TITLE_SOURCE = re.compile(r"^(?P<title>.+\S)\s+[–—|-]\s+(?P<source>[^–—|]+?)$")
DOMAIN = re.compile(r"^[\w-]+(?:\.[\w-]+)+$")
SOURCE_JOINERS = {"of", "the", "and", "for", "on", "de", "al", "el", "la", "le", "du", "des", "&"}
HEADER_SCAN = 4  # the first article's header is within this many blocks of the top


@dataclass
class Segment:
    """One article of an archive: its header fields and its body blocks (still uncleaned)."""

    blocks: list[str]
    title: str | None = None
    source: str | None = None


def title_source(line: str) -> tuple[str, str] | None:
    """(title, source) when `line` reads `Title – Source`, e.g. `Iran's new doctrine – The Diplomat`."""
    if "\n" in line or len(line) > 300:
        return None
    match = TITLE_SOURCE.match(line)
    if not match:
        return None
    title, source = match.group("title").strip(), match.group("source").strip()
    tokens = source.split()
    if len(title.split()) < 2 or re.search(r"[.!?]$", title) or not tokens or len(tokens) > 6:
        return None
    if DOMAIN.match(source):
        return title, source
    if source[-1] in ",;:!?\"”" or not tokens[0][:1].isupper():
        return None
    capitalised = sum(1 for t in tokens if t[:1].isupper() or t[:1].isdigit())
    if capitalised + sum(1 for t in tokens if t.lower() in SOURCE_JOINERS) < len(tokens):
        return None
    return title, source


def _fold(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _trailer(blocks: list[str], i: int, header_title: str | None) -> tuple[int, tuple[str, str] | None] | None:
    """When blocks[i] is a trailer: how many blocks it spans and the `Title - Source` it names.

    A marker counts as a trailer when a `Title - Source` reference follows it, or when
    it ends the file or is followed by the next article's header; `Read more: some
    headline` inside a story is a related link, not a cut point.
    """
    lines = blocks[i].split("\n")
    match = TRAILER.match(lines[0])
    if not match or len(lines) > 3:
        return None
    rest = match.group("rest")
    named = title_source(rest) if rest else (title_source(lines[1]) if len(lines) > 1 else None)
    if named:
        return 1, named
    if rest or len(lines) > 1:
        return None
    if i + 1 == len(blocks):
        return 1, None
    following = title_source(blocks[i + 1])
    if not following:
        return None
    names_this = header_title is None or _fold(following[0]) == _fold(header_title)
    if names_this or (i + 2 < len(blocks) and title_source(blocks[i + 2])):
        return 2, following  # the reference, then (maybe) the next header
    return 1, None  # the next block is the next article's header


def split_archive(blocks: list[str]) -> list[Segment] | None:
    """The articles of an aggregator archive, or None when `blocks` is not one."""
    if not any(_trailer(blocks, i, None) for i, b in enumerate(blocks) if TRAILER.match(b.split("\n", 1)[0])):
        return None
    segments: list[Segment] = []
    current: list[str] = []
    header: tuple[str, str] | None = None
    i = 0
    first = True
    while i < len(blocks):
        if not current and header is None:
            scan = range(i, min(i + HEADER_SCAN, len(blocks))) if first else range(i, i + 1)
            at = next((j for j in scan if j < len(blocks) and title_source(blocks[j])), None)
            if at is not None:
                header, i = title_source(blocks[at]), at + 1  # blocks before the first header: page heading
                first = False
                continue
            first = False
        trailer = _trailer(blocks, i, header[0] if header else None)
        if trailer is None:
            current.append(blocks[i])
            i += 1
            continue
        span, named = trailer
        title, source = header or named or (None, None)
        if current:
            segments.append(Segment(blocks=current, title=title, source=source))
        current, header = [], None
        i += span
    if current:
        title, source = header or (None, None)
        segments.append(Segment(blocks=current, title=title, source=source))
    if not segments or not any(s.title for s in segments):
        return None
    return segments
