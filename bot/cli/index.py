"""`newsbot index`: (re)index the corpus."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from bot.cli.base import Context, cli, friendly_errors, pass_context
from bot.store.indexer import Indexer


def load_gazetteer(ctx: Context):
    """The curated actor list, when the actors module provides one."""
    try:
        from bot.nlp.gazetteer import load_gazetteer as load
    except ImportError:
        return None
    return load(ctx.settings.config_dir / "actors.yaml")


@cli.command("index")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--keep-missing", is_flag=True, help="Keep articles of files that disappeared from a corpus folder.")
@pass_context
@friendly_errors
def index_command(ctx: Context, paths: tuple[Path, ...], keep_missing: bool) -> None:
    """Index PATHS (files or folders), or the corpus folders in config/settings.yaml."""
    targets = list(paths) or ctx.settings.corpus_folders
    indexer = Indexer(ctx.store, gazetteer=load_gazetteer(ctx))
    started = time.perf_counter()
    report = indexer.run(targets, roots=ctx.settings.corpus_folders if not paths else targets,
                         keep_missing=keep_missing)
    elapsed = time.perf_counter() - started
    click.echo(f"Indexed {report.files_indexed} file(s), {report.files_unchanged} unchanged, "
               f"{report.files_removed} removed: {report.articles_added} new article(s) "
               f"in {elapsed:.1f}s into {ctx.store.display_url}")
    if report.problems:
        click.echo(f"{len(report.problems)} problem(s):", err=True)
        for problem in report.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
