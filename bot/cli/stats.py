"""`newsbot stats`: what the index holds, and where it lives."""
from __future__ import annotations

import click
from sqlalchemy import func, select

from bot.cli.base import Context, cli, friendly_errors, pass_context
from bot.store.schema import FileStatus, actors, articles, occurrences, quotes, source_files

TOP_SOURCES = 10


@cli.command("stats")
@click.option("--sources", "all_sources", is_flag=True, help="List every source, not only the top ten.")
@pass_context
@friendly_errors
def stats_command(ctx: Context, all_sources: bool) -> None:
    """Articles, sources, actors, quotes, last indexed and the database location."""
    store = ctx.store
    with store.connect() as conn:
        def count(table, *where) -> int:
            return conn.execute(select(func.count()).select_from(table).where(*where)).scalar()

        by_source = conn.execute(
            select(occurrences.c.source, func.count(func.distinct(occurrences.c.article_id)).label("n"))
            .group_by(occurrences.c.source).order_by(func.count(func.distinct(occurrences.c.article_id)).desc(),
                                                     occurrences.c.source)).all()
        first, last = conn.execute(select(func.min(articles.c.date), func.max(articles.c.date))).one()
        rows = [
            ("articles", count(articles)),
            ("occurrences", count(occurrences)),
            ("sources", sum(1 for source, _ in by_source if source)),
            ("files", count(source_files)),
            ("files with problems", count(source_files, source_files.c.status != FileStatus.OK)),
            ("dated", f"{first.isoformat()} to {last.isoformat()}" if first else "no dates"),
            ("actors", count(actors)),
            ("quotes", count(quotes)),
        ]
    rows += [("last indexed", store.get_meta("last_indexed", "never")), ("database", store.display_url)]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        click.echo(f"{name:<{width}}  {value}")
    if by_source:
        shown = by_source if all_sources else by_source[:TOP_SOURCES]
        click.echo(f"\n{'articles by source' if all_sources or len(by_source) <= TOP_SOURCES else 'top sources'}:")
        for source, n in shown:
            click.echo(f"  {n:>6}  {source or '(no source)'}")
