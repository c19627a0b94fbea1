"""Reading one corpus file into clean Documents: text, Markdown, HTML and JSON Lines.

Plain text may be an aggregator archive (split into its articles) or a scraped page
(cleaned of its furniture); HTML goes through trafilatura; JSON Lines records are
taken as given, one article per line. Every reader returns what it could read and
the problems it met, so one bad file or line never stops a run.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from bot.corpus.clean import clean_blocks, repeated_blocks, repeated_within
from bot.corpus.dates import parse_date
from bot.corpus.decode import BinaryContent, decode_bytes, looks_binary
from bot.corpus.models import Document, FileProblem, ReadResult
from bot.corpus.normalize import join_blocks, normalize_line, normalize_text, paragraph_blocks, split_blocks
from bot.corpus.sidecar import read_sidecar, split_front_matter
from bot.corpus.split import split_archive
from bot.wording import plural

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES

MAX_ARTICLE_CHARS = 2_000_000  # ~300,000 words: far beyond any story; a bigger "article" is a dump
MAX_HTML_BYTES = 20_000_000
JSONL_FIELDS = ("title", "source", "url", "author", "id")
_HTML_START = re.compile(r"\A\s*(?:<!doctype html|<html[\s>])", re.I)


def read_file(path: Path, *, sidecar: bool = True) -> ReadResult:
    """The articles of `path`, with its sidecar's metadata unless not `sidecar`. OSError (unreadable
    file) is left to the caller. A file with no article always has a fatal problem saying why."""
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        result = read_jsonl(path)
    elif suffix in HTML_SUFFIXES:
        result = read_html(path)
    else:
        result = read_text(path)
    meta, problems = read_sidecar(path) if sidecar else ({}, [])
    result.problems.extend(problems)
    if not result.documents and not any(p.fatal for p in result.problems):
        result.problems.append(FileProblem(str(path), "no article text found"))
    for doc in result.documents:
        for key, value in meta.items():
            if getattr(doc, key) is None:
                setattr(doc, key, value)
    return result


def _decoded(path: Path, raw: bytes, result: ReadResult) -> str | None:
    if not raw or raw.isspace():
        result.problems.append(FileProblem(str(path), "empty file"))
        return None
    try:
        text, note = decode_bytes(raw)
    except BinaryContent as exc:
        result.problems.append(FileProblem(str(path), str(exc)))
        return None
    if note:
        result.problems.append(FileProblem(str(path), note, fatal=False))
    return text


def _add(result: ReadResult, path: Path, doc: Document) -> None:
    """Keep `doc` unless it has no text, or is too long to be an article."""
    if not doc.text:
        return
    if len(doc.text) > MAX_ARTICLE_CHARS:
        where = f"article {doc.position + 1}" if doc.position else "the text"
        result.problems.append(FileProblem(
            str(path), f"{where} is {len(doc.text) / 1e6:.1f} million characters, over the "
                       f"{MAX_ARTICLE_CHARS / 1e6:.0f} million an article may have: not indexed",
            fatal=not result.documents))
        return
    result.documents.append(doc)


# -- plain text and Markdown -------------------------------------------------------------------

def read_text(path: Path) -> ReadResult:
    result = ReadResult()
    text = _decoded(path, path.read_bytes(), result)
    if text is None:
        return result
    if _HTML_START.match(text):  # a saved web page with a .txt name
        return _add_html_article(result, path, text)
    front, problems, text = split_front_matter(text, str(path))
    result.problems.extend(problems)
    docs = documents_from_text(text, str(path))
    del text
    for doc in docs:
        for key, value in front.items():
            setattr(doc, key, value)
        _add(result, path, doc)
    return result


def documents_from_text(text: str, path: str) -> list[Document]:
    """An aggregator archive's articles, or the one article of a page."""
    text = normalize_text(text)
    blocks = paragraph_blocks(text)
    segments = split_archive(blocks)
    if segments is None and len(text) > MAX_ARTICLE_CHARS:
        return [Document(text=text, path=path)]  # no single article is this long: reported, not cleaned
    if segments is None:
        page = clean_blocks(blocks, furniture=repeated_within(blocks))
        return [Document(text=join_blocks(page.body), path=path, title=page.title, author=page.author,
                         date=page.date)]
    furniture = repeated_blocks([s.blocks for s in segments])
    docs = []
    for position, segment in enumerate(segments):
        article = clean_blocks(segment.blocks, title=segment.title, furniture=furniture)
        docs.append(Document(text=join_blocks(article.body), path=path, position=position, title=article.title,
                             source=normalize_line(segment.source), author=article.author, date=article.date))
    return docs


# -- HTML ----------------------------------------------------------------------------------------

def read_html(path: Path) -> ReadResult:
    result = ReadResult()
    if path.stat().st_size > MAX_HTML_BYTES:
        result.problems.append(FileProblem(str(path), f"HTML page of {path.stat().st_size / 1e6:.0f} MB, over the "
                                                      f"{MAX_HTML_BYTES / 1e6:.0f} MB limit: not indexed"))
        return result
    html = _decoded(path, path.read_bytes(), result)
    if html is None:
        return result
    return _add_html_article(result, path, html)


def _add_html_article(result: ReadResult, path: Path, html: str) -> ReadResult:
    """The article trafilatura finds in `html`, or a problem saying there is none."""
    doc = document_from_html(html, str(path))
    if doc is None:
        result.problems.append(FileProblem(str(path), "no article text found in the HTML"))
    else:
        _add(result, path, doc)
    return result


def document_from_html(html: str, path: str, *, extensive_date_search: bool = True) -> Document | None:
    """The article of an HTML page, extracted by trafilatura (offline), then cleaned like any page.

    trafilatura's balanced setting, not favor_precision: a lost story paragraph costs more than
    a stray teaser, which the clean-up below removes anyway. Its date is htmldate's; without
    `extensive_date_search` only the page's metadata is read for it (a twentieth of the time), for a
    caller that knows the date otherwise.
    """
    import trafilatura
    from trafilatura.settings import set_date_params

    extracted = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=False,
                                            include_images=False, include_links=False,
                                            date_extraction_params=set_date_params(extensive_date_search))
    if extracted is None or not getattr(extracted, "text", None):
        return None
    blocks = split_blocks(normalize_text(extracted.text.replace("\n", "\n\n")))
    title = normalize_line(extracted.title)
    article = clean_blocks(blocks, title=title or None, furniture=repeated_within(blocks))
    if not article.body:
        return None
    try:
        when = parse_date(extracted.date)
    except ValueError:
        when = None
    return Document(text=join_blocks(article.body), path=path, title=article.title,
                    source=normalize_line(extracted.sitename), author=normalize_line(extracted.author) or article.author,
                    date=when or article.date, url=normalize_line(extracted.url))


# -- JSON Lines ------------------------------------------------------------------------------------

def read_jsonl(path: Path) -> ReadResult:
    """One article per line; a bad line is reported with its number and the others are kept. A file
    none of whose lines is an article (records of another kind, such as entity annotations beside
    the articles) is one problem, not one per line."""
    result = ReadResult()
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
        if looks_binary(head):
            result.problems.append(FileProblem(str(path), "binary file, not text"))
            return result
        handle.seek(0)
        blank = True
        for number, raw in enumerate(handle, 1):
            if not raw.strip():
                continue
            blank = False
            try:
                line, note = decode_bytes(raw)
            except BinaryContent:
                result.problems.append(FileProblem(str(path), "binary data, not text", line=number, fatal=False))
                continue
            if note:
                result.problems.append(FileProblem(str(path), note, line=number, fatal=False))
            doc, reason = document_from_record(line, str(path), number)
            if reason:
                result.problems.append(FileProblem(str(path), reason, line=number, fatal=False))
            if doc is not None:
                _add(result, path, doc)
    if blank:
        result.problems.append(FileProblem(str(path), "empty file"))
    elif not result.documents:
        result.problems = [_not_articles(path, number, result.problems)]
    return result


def _not_articles(path: Path, lines: int, problems: list[FileProblem]) -> FileProblem:
    """The one problem of a JSONL file without an article: its lines' most common reason."""
    reason, count = (Counter(p.reason for p in problems).most_common(1) or [("no article text", lines)])[0]
    return FileProblem(str(path), f"not an article file: none of its {plural(lines, 'line')} is an article "
                                  f"({reason}: {plural(count, 'line')}); not indexed")


def document_from_record(line: str, path: str, number: int) -> tuple[Document | None, str | None]:
    """(document, problem) for one JSONL line; the document is None when the line cannot be used."""
    try:
        record = json.loads(line)
    except ValueError as exc:
        return None, f"malformed JSON: {exc.msg} (column {exc.colno})"
    if not isinstance(record, dict):
        return None, f"expected a JSON object, got {type(record).__name__}"
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        fields = ", ".join(f"'{key[:30]}'" for key in list(record)[:5]) + (", …" if len(record) > 5 else "")
        return None, f"no 'text' (a non-empty string is required; the record has {fields or 'no field'})"
    fields = {}
    for key in JSONL_FIELDS:
        value = record.get(key)
        if value is not None and not isinstance(value, (str, int, float)):
            return None, f"'{key}' should be a string, got {type(value).__name__}"
        fields[key] = normalize_line(value) if value is not None else None
    problem = None
    try:
        when = parse_date(record.get("date"))
    except (ValueError, TypeError) as exc:
        when, problem = None, f"'date' ignored: {exc}"
    doc = Document(text=normalize_text(text), path=path, position=number, title=fields["title"],
                   source=fields["source"], author=fields["author"], date=when, url=fields["url"],
                   external_id=fields["id"])
    return doc, problem
