"""What the corpus layer hands to the rest of the pipeline."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class Document:
    """One article as read from a file, after splitting and clean-up.

    `text` is the normalised body (NFC, paragraphs separated by one blank line);
    it is what is stored, and what mention and quote offsets point into.
    """

    text: str
    path: str
    position: int = 0  # index of the article within its file
    title: str | None = None
    source: str | None = None
    author: str | None = None
    date: date | None = None
    url: str | None = None
    external_id: str | None = None  # `id` given by a JSONL record


@dataclass
class FileProblem:
    """Something wrong with an input file, reported by name and reason."""

    path: str
    reason: str
    line: int | None = None
    fatal: bool = True  # False: the file was still (partly) indexed, e.g. one bad JSONL line

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.reason}"


@dataclass
class ReadResult:
    """The articles of one file, and what went wrong while reading it."""

    documents: list[Document] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
