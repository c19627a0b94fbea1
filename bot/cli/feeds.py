"""`newsbot feeds poll` (once, for cron) and `newsbot feeds status`: the feeds of config/feeds.yaml and those
editors added from Slack."""
from __future__ import annotations

import sys

import click

from bot.cli.base import Context, cli, friendly_errors, pass_context
from bot.config import load_feeds
from bot.ingest.feeds import all_feeds, poll_feeds, status_lines
from bot.ingest.indexer import build_indexer
from bot.store.feeds import all_feed_states
from bot.wording import plural


@cli.group("feeds")
def feeds_group() -> None:
    """The RSS and Atom feeds of config/feeds.yaml and those added from Slack."""


@feeds_group.command("poll")
@pass_context
@friendly_errors
def poll_command(ctx: Context) -> None:
    """Poll every feed once and index its new items.

    Exit code 0 when every feed and item was read, 1 when any was not (each listed with its reason),
    2 for configuration errors."""
    config = load_feeds(ctx.settings.config_dir)
    if not all_feeds(ctx.store, config):
        click.echo(f"No feeds in {ctx.settings.config_dir / 'feeds.yaml'}, nor added from Slack.")
        return
    report = poll_feeds(ctx.store, config, build_indexer(ctx.store, ctx.settings), wait=True)
    if report.index is not None and report.index.files_indexed:
        from bot.search.engines import write_snapshots

        write_snapshots(ctx.store)  # as `newsbot index` does: the bot's next start loads the search indexes
    added = report.index.articles_added if report.index else 0
    copies = (report.index.occurrences_added - added) if report.index else 0
    click.echo(f"Polled {plural(len(report.outcomes), 'feed')}: "
               f"{plural(sum(o.new_items for o in report.outcomes), 'new item')}, "
               f"{plural(added, 'new article')}"
               + (f" (+{plural(copies, 'copy', 'copies')} of stories already indexed)" if copies else "")
               + f" into {ctx.store.display_url}")
    for outcome in report.outcomes:
        click.echo(f"  {outcome.line()}")
        for problem in outcome.item_problems:
            click.echo(f"    {problem}", err=True)
    if report.failed:
        sys.exit(1)


@feeds_group.command("status")
@pass_context
@friendly_errors
def status_command(ctx: Context) -> None:
    """Per feed: last poll, last success, items indexed, failed polls and the last error."""
    feeds = all_feeds(ctx.store, load_feeds(ctx.settings.config_dir))
    if not feeds:
        click.echo(f"No feeds in {ctx.settings.config_dir / 'feeds.yaml'}, nor added from Slack.")
        return
    states = all_feed_states(ctx.store)
    for feed in feeds:
        click.echo("\n".join(status_lines(feed, states.get(feed.url))))
