"""The command group and what every command shares: settings, the store, clean errors."""
from __future__ import annotations

import functools
import logging
import sys

import click

from bot.config import ConfigError, Settings, load_settings
from bot.search.filters import FilterError, Filters, parse_values
from bot.store.db import Store, StoreError


class Context:
    """Lazily opened settings and store for one CLI invocation."""

    def __init__(self, db: str | None):
        self.db_override = db
        self._settings: Settings | None = None
        self._store: Store | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
        return self._settings

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.settings.resolved_database_url(self.db_override))
        return self._store

    def close(self) -> None:
        """Hand the store's pooled connections back to the server: a process that runs many commands
        (a test suite, a notebook) must not hold one pool per command until the server refuses clients."""
        if self._store is not None:
            self._store.dispose()
            self._store = None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", metavar="URL", help="Database URL or SQLite path (default: $DATABASE_URL, then settings).")
@click.option("-v", "--verbose", is_flag=True, help="Log debug detail.")
@click.version_option(package_name="newsbot")
@click.pass_context
def cli(ctx: click.Context, db: str | None, verbose: bool) -> None:
    """newsbot: actors, quotes and daily digests from your newsroom's article corpus."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    ctx.obj = Context(db)
    ctx.call_on_close(ctx.obj.close)


pass_context = click.make_pass_decorator(Context)


def friendly_errors(func):
    """Configuration and database problems end in one clear line and exit code 2 or 1, never a traceback."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            click.echo(f"Configuration error: {exc}", err=True)
            sys.exit(2)
        except StoreError as exc:
            click.echo(f"Database error: {exc}", err=True)
            sys.exit(1)
    return wrapper


def filter_options(func):
    """--since, --until, --source and --kind (bot.search.filters), as `newsbot lookup` and `newsbot quote`
    take them; the command gets them as `filter_values`, read by `read_filters`."""
    options = [
        click.option("--since", metavar="WHEN", help="Only from this day on: 2019-03-22, 2019-03, 2019, or 7d, 2w, "
                     "6m, 1y back from today."),
        click.option("--until", metavar="WHEN", help="Only up to this day (a month or year: to its last day)."),
        click.option("--source", metavar="OUTLET", help="Only from this outlet (any close spelling of an outlet in the index)."),
        click.option("--kind", metavar="KIND", help="Only actors (or speakers) of this kind: person, "
                     "organisation (organization, org) or place."),
    ]
    for option in reversed(options):
        func = option(func)

    @functools.wraps(func)
    def wrapper(*args, since, until, source, kind, **kwargs):
        return func(*args, filter_values={"since": since, "until": until, "source": source, "kind": kind}, **kwargs)
    return wrapper


def read_filters(engines, filter_values: dict, sort: str | None = None) -> Filters:
    """The options' filters, the outlet matched to the index's; a value that does not read is a usage error."""
    try:
        return engines.with_outlet(parse_values(**{k: v for k, v in filter_values.items() if v is not None},
                                                sort=sort))
    except FilterError as exc:
        raise click.UsageError(str(exc).replace("`", "")) from None
