"""Sidecar metadata: `name.txt.meta.yaml` next to a corpus file supplies what its text lacks.

    source: Al-Monitor
    url: https://…
    date: 2019-03-22
    author: …
    title: …

Values fill the fields the text leaves empty (for every article of the file);
what the text itself says is kept. A Markdown file may carry the same fields in
YAML front matter (`---` … `---` at the top); those are the file's own word and
take precedence over what the clean-up guessed.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import yaml

from bot.corpus.dates import parse_date
from bot.corpus.models import FileProblem
from bot.corpus.normalize import normalize_line

SIDECAR_SUFFIX = ".meta.yaml"
FIELDS = ("title", "source", "author", "date", "url")


def sidecar_path(path: Path) -> Path:
    return Path(str(path) + SIDECAR_SUFFIX)


def read_sidecar(path: Path) -> tuple[dict, list[FileProblem]]:
    """The metadata for `path` (empty when it has no sidecar), and problems with the sidecar."""
    meta_path = sidecar_path(path)
    if not meta_path.is_file():
        return {}, []
    try:
        data = yaml.safe_load(meta_path.read_text(encoding="utf-8"))
    except OSError as exc:
        return {}, [FileProblem(str(meta_path), f"sidecar metadata ignored: cannot be read ({exc.strerror or exc})",
                                fatal=False)]
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        return {}, [FileProblem(str(meta_path), f"sidecar metadata ignored: {reason}", fatal=False)]
    if data is None:
        return {}, []
    if not isinstance(data, dict):
        return {}, [FileProblem(str(meta_path), "sidecar metadata ignored: expected a mapping of "
                                                f"{', '.join(FIELDS)}", fatal=False)]
    return meta_from_mapping(data, str(meta_path), report_unknown=True)


def meta_from_mapping(data: dict, where: str, *, report_unknown: bool) -> tuple[dict, list[FileProblem]]:
    """Article metadata from a YAML mapping (a sidecar, or a Markdown file's front matter)."""
    meta, problems = {}, []
    for key, value in data.items():
        if key not in FIELDS:
            if report_unknown:
                problems.append(FileProblem(where, f"unknown key '{key}' ignored (expected one of: "
                                                   f"{', '.join(FIELDS)})", fatal=False))
        elif key == "date":
            try:
                meta["date"] = parse_date(value)
            except ValueError as exc:
                problems.append(FileProblem(where, f"key 'date': {exc}", fatal=False))
        elif value is not None:
            if isinstance(value, bool) or not isinstance(value, (str, int, float, date)):
                problems.append(FileProblem(where, f"'{key}' must be text, got {_kind(value)}: ignored",
                                            fatal=False))
            else:
                meta[key] = normalize_line(str(value))
    return meta, problems


def _kind(value) -> str:
    """What a YAML value is, in the words of its author."""
    if isinstance(value, bool):
        return f"{str(value).lower()} (quote the value to mean the text)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)


def split_front_matter(text: str, where: str) -> tuple[dict, list[FileProblem], str]:
    """(metadata, problems, rest of the text) of a Markdown file opening with a `---` YAML block.

    Keys other than the article fields (tags, layout …) are common there and ignored.
    """
    match = FRONT_MATTER.match(text[:20_000])
    if not match:
        return {}, [], text
    try:
        data = yaml.safe_load(match.group("yaml"))
    except yaml.YAMLError as exc:
        return {}, [FileProblem(where, f"front matter ignored: {str(exc).splitlines()[0]}", fatal=False)], text
    if not isinstance(data, dict):
        return {}, [], text
    meta, problems = meta_from_mapping(data, where, report_unknown=False)
    return meta, problems, text[match.end():]
