"""The command group and what every command shares: settings, the store, clean errors."""
from __future__ import annotations

import functools
import logging
import sys

import click

from bot.config import ConfigError, Settings, load_settings
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
