"""`newsbot stats`: what the index holds."""
from __future__ import annotations

import click
from sqlalchemy import func, select

from bot.cli.base import Context, cli, friendly_errors, pass_context
from bot.store.schema import actors, articles, occurrences, quotes, source_files


@cli.command("stats")
@pass_context
@friendly_errors
def stats_command(ctx: Context) -> None:
    """Articles, sources, actors, quotes, last indexed and the database location."""
    store = ctx.store
    with store.connect() as conn:
        count = lambda table: conn.execute(select(func.count()).select_from(table)).scalar()  # noqa: E731
        sources = conn.execute(select(func.count(func.distinct(occurrences.c.source)))).scalar()
        rows = [
            ("articles", count(articles)),
            ("occurrences", count(occurrences)),
            ("sources", sources),
            ("files", count(source_files)),
            ("actors", count(actors)),
            ("quotes", count(quotes)),
        ]
    rows += [("last indexed", store.get_meta("last_indexed", "never")), ("database", store.display_url)]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        click.echo(f"{name:<{width}}  {value}")
