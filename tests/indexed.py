"""A made-up wire indexed with `newsbot index`, and `newsbot --db <that database> ARGS…` to ask it."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result

from bot.cli import cli


def index_wire(stories: list[dict], folder: Path, db_url: str) -> Callable[..., Result]:
    """Write the stories as one JSONL file in `folder`, index it, and return the command runner."""
    folder.mkdir(exist_ok=True)
    (folder / "wire.jsonl").write_text("".join(json.dumps(story) + "\n" for story in stories), encoding="utf-8")
    runner = CliRunner()

    def newsbot(*args: str) -> Result:
        return runner.invoke(cli, ["--db", db_url, *args], catch_exceptions=False)
    indexed = newsbot("index", str(folder))
    assert indexed.exit_code == 0, indexed.output
    return newsbot


def numbered_stories(month: str, texts: list[str], first: int = 1) -> list[dict]:
    """Wire stories `Story 1`, `Story 2`… filed on the 1st, 2nd… of `month` (YYYY-MM)."""
    return [{"id": f"wire-{month}-{n}", "title": f"Story {n}", "source": "Wire", "date": f"{month}-{n:02d}",
             "text": text} for n, text in enumerate(texts, first)]
