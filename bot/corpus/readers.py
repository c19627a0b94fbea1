"""Reading one corpus file into Documents (issue 2 replaces this placeholder)."""
from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from bot.corpus.models import Document, FileProblem, ReadResult

SUPPORTED = {".txt", ".md", ".html", ".htm", ".jsonl"}


def read_file(path: Path) -> ReadResult:
    result = ReadResult()
    raw = path.read_bytes()
    text = unicodedata.normalize("NFC", raw.decode("utf-8", errors="replace"))
    if path.suffix == ".jsonl":
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                result.documents.append(Document(text=record["text"], path=str(path), position=number,
                                                 title=record.get("title"), source=record.get("source"),
                                                 url=record.get("url")))
            except (ValueError, KeyError) as exc:
                result.problems.append(FileProblem(str(path), f"malformed line ({exc})", line=number, fatal=False))
    else:
        result.documents.append(Document(text=text.strip(), path=str(path)))
    return result
