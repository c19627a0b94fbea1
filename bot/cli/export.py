"""`newsbot export`: the index as JSON Lines or CSV (a stable contract: later checks read it)."""
from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator

import click
from sqlalchemy import select

from bot.cli.base import Context, cli, friendly_errors, pass_context
from bot.store.schema import articles, occurrences

EXPORTERS = {}


def exporter(name: str):
    def register(func):
        EXPORTERS[name] = func
        return func
    return register


@exporter("articles")
def export_articles(ctx: Context) -> Iterator[dict]:
    with ctx.store.connect() as conn:
        occ: dict[str, list[dict]] = {}
        for row in conn.execute(select(occurrences).order_by(occurrences.c.id)).mappings():
            occ.setdefault(row["article_id"], []).append({"source": row["source"], "url": row["url"], "path": row["path"]})
        for row in conn.execute(select(articles).order_by(articles.c.path, articles.c.ingested_at, articles.c.id)).mappings():
            yield {
                "id": row["id"], "title": row["title"], "source": row["source"], "author": row["author"],
                "date": row["date"].isoformat() if row["date"] else None, "url": row["url"], "path": row["path"],
                "text": row["text"], "ingested_at": row["ingested_at"].isoformat() if row["ingested_at"] else None,
                "occurrences": occ.get(row["id"], []),
            }


@cli.command("export")
@click.argument("what", metavar="WHAT")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True)
@pass_context
@friendly_errors
def export_command(ctx: Context, what: str, fmt: str) -> None:
    """Print WHAT (articles, actors, mentions, quotes) as JSON Lines or CSV."""
    if what not in EXPORTERS:
        raise click.UsageError(f"cannot export {what!r}: choose one of {', '.join(sorted(EXPORTERS))}")
    rows = EXPORTERS[what](ctx)
    if fmt == "jsonl":
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    writer = None
    for row in rows:
        flat = {k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v for k, v in row.items()}
        if writer is None:
            writer = csv.DictWriter(sys.stdout, fieldnames=list(flat))
            writer.writeheader()
        writer.writerow(flat)
