"""`newsbot export`: the index as JSON Lines or CSV (a stable contract: later checks read it)."""
from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import click
from sqlalchemy import func, select

from bot.cli.base import Context, cli, friendly_errors, pass_context
from bot.config import project_root
from bot.store.schema import articles, occurrences

EXPORTERS = {}


def exporter(name: str):
    def register(func):
        EXPORTERS[name] = func
        return func
    return register


def project_path(path: str | None) -> str | None:
    """A corpus path relative to the project folder when inside it (stable across checkouts)."""
    if not path:
        return path
    try:
        return Path(path).relative_to(project_root()).as_posix()
    except ValueError:
        return path


def iso_utc(moment: datetime | None) -> str | None:
    """ISO 8601 with the offset (SQLite hands timestamps back without one; they are stored in UTC)."""
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).isoformat()


@exporter("articles")
def export_articles(ctx: Context) -> Iterator[dict]:
    """One record per story, in corpus order (file, then position in the file)."""
    with ctx.store.connect() as conn:
        occ: dict[str, list[dict]] = {}
        for row in conn.execute(select(occurrences).order_by(occurrences.c.id)).mappings():
            occ.setdefault(row["article_id"], []).append(
                {"source": row["source"], "url": row["url"], "path": project_path(row["path"])})
        first = (select(occurrences.c.article_id, func.min(occurrences.c.position).label("position"))
                 .group_by(occurrences.c.article_id).subquery())
        ordered = (select(articles).outerjoin(first, first.c.article_id == articles.c.id)
                   .order_by(articles.c.path, first.c.position, articles.c.id))
        for row in conn.execute(ordered).mappings():
            yield {
                "id": row["id"], "title": row["title"], "source": row["source"], "author": row["author"],
                "date": row["date"].isoformat() if row["date"] else None, "url": row["url"],
                "path": project_path(row["path"]), "text": row["text"], "ingested_at": iso_utc(row["ingested_at"]),
                "occurrences": occ.get(row["id"], []),
            }


@exporter("actors")
def export_actors(ctx: Context) -> Iterator[dict]:
    """One record per actor (curated and discovered), by id, with every alias it is known under."""
    from bot.store.schema import actors, aliases

    with ctx.store.connect() as conn:
        known: dict[int, list[str]] = {}
        for actor_id, alias in conn.execute(select(aliases.c.actor_id, aliases.c.alias)
                                            .order_by(aliases.c.actor_id, aliases.c.id)):
            known.setdefault(actor_id, []).append(alias)
        for row in conn.execute(select(actors).order_by(actors.c.id)).mappings():
            yield {
                "id": row["id"], "name": row["name"], "kind": row["kind"], "description": row["description"],
                "curated": bool(row["curated"]),
                "aliases": [a for a in known.get(row["id"], []) if a != row["name"]],
                "mentions": row["mention_count"], "articles": row["article_count"],
                "first_seen": row["first_seen"].isoformat() if row["first_seen"] else None,
                "last_seen": row["last_seen"].isoformat() if row["last_seen"] else None,
            }


@exporter("mentions")
def export_mentions(ctx: Context) -> Iterator[dict]:
    """One record per mention, by article and offset (offsets index the article's stored text)."""
    from bot.store.schema import actors, mentions

    query = (select(mentions.c.article_id, mentions.c.actor_id, actors.c.name, mentions.c.start, mentions.c.end,
                    mentions.c.surface)
             .join(actors, actors.c.id == mentions.c.actor_id)
             .order_by(mentions.c.article_id, mentions.c.start, mentions.c.id))
    with ctx.store.streaming() as conn:
        for row in conn.execution_options(stream_results=True, yield_per=5000).execute(query):
            yield {"article_id": row.article_id, "actor": row.name, "actor_id": row.actor_id,
                   "start": row.start, "end": row.end, "surface": row.surface}


@exporter("quotes")
def export_quotes(ctx: Context) -> Iterator[dict]:
    """One record per quote (the same quote in several articles is one record), with every occurrence."""
    from bot.store.schema import actors, quote_occurrences, quotes

    with ctx.store.streaming() as conn:
        places: dict[int, list[dict]] = {}
        for row in conn.execute(select(quote_occurrences).order_by(quote_occurrences.c.quote_id,
                                                                   quote_occurrences.c.id)):
            places.setdefault(row.quote_id, []).append(
                {"article_id": row.article_id, "start": row.start, "end": row.end, "source": row.source})
        query = (select(quotes, actors.c.name.label("actor_name"))
                 .outerjoin(actors, actors.c.id == quotes.c.speaker_actor_id).order_by(quotes.c.id))
        for row in conn.execution_options(stream_results=True, yield_per=5000).execute(query):
            yield {
                "id": row.id, "article_id": row.article_id, "text": row.text, "speaker": row.speaker,
                "speaker_actor": row.actor_name, "anonymous": bool(row.anonymous), "cue": row.cue,
                "start": row.start, "end": row.end, "marked": bool(row.marked), "partial": bool(row.partial),
                "first_seen": row.first_seen.isoformat() if row.first_seen else None,
                "first_source": row.first_source, "occurrences": places.get(row.id, []),
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
