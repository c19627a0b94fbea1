"""Sidecar metadata: `name.txt.meta.yaml` next to a corpus file supplies what its text lacks.

    source: Al-Monitor
    url: https://…
    date: 2019-03-22
    author: …
    title: …

Values fill the fields the text leaves empty (for every article of the file);
what the text itself says is kept.
"""
from __future__ import annotations

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
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        return {}, [FileProblem(str(meta_path), f"sidecar metadata ignored: {reason}", fatal=False)]
    if data is None:
        return {}, []
    if not isinstance(data, dict):
        return {}, [FileProblem(str(meta_path), "sidecar metadata ignored: expected a mapping of "
                                                f"{', '.join(FIELDS)}", fatal=False)]
    meta, problems = {}, []
    for key, value in data.items():
        if key not in FIELDS:
            problems.append(FileProblem(str(meta_path), f"unknown key '{key}' ignored (expected one of: "
                                                        f"{', '.join(FIELDS)})", fatal=False))
        elif key == "date":
            try:
                meta["date"] = parse_date(value)
            except ValueError as exc:
                problems.append(FileProblem(str(meta_path), f"key 'date': {exc}", fatal=False))
        elif value is not None:
            meta[key] = normalize_line(str(value))
    return meta, problems
