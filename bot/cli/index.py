"""`newsbot index`: (re)index the corpus, with a progress bar on a terminal and log lines elsewhere."""
from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

import click

from bot.cli.base import Context, cli, friendly_errors, pass_context
from bot.ingest.indexer import IndexReport, build_indexer
from bot.wording import plural

log = logging.getLogger("bot.index")

LOG_EVERY_S = 5.0


class BarProgress:
    """A tqdm bar: files done, new articles and articles per second."""

    def __init__(self):
        self.bar = None
        self.articles = 0
        self.started = time.perf_counter()

    def start(self, total_files: int) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=total_files, unit="file", file=sys.stderr, dynamic_ncols=True, leave=False)

    def advance(self, path: Path, new_articles: int) -> None:
        self.articles += new_articles
        rate = self.articles / max(time.perf_counter() - self.started, 1e-9)
        self.bar.set_postfix_str(f"{plural(self.articles, 'article')}, {rate:,.0f}/s", refresh=False)
        self.bar.update(1)
        if self.bar.n == self.bar.total:
            self.bar.refresh()  # tqdm skips redraws within 0.1 s; the last state is always drawn

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class LogProgress:
    """Plain log lines (no terminal): one every few seconds, and one at the end."""

    def __init__(self):
        self.total = self.done = self.articles = 0
        self.started = self.last = time.perf_counter()

    def start(self, total_files: int) -> None:
        self.total = total_files
        log.info("indexing %s", plural(total_files, "file"))

    def advance(self, path: Path, new_articles: int) -> None:
        self.done += 1
        self.articles += new_articles
        log.debug("%s: %s", path, plural(new_articles, "new article"))
        now = time.perf_counter()
        if now - self.last >= LOG_EVERY_S or self.done == self.total:
            self.last = now
            log.info("%d/%s, %s, %.0f articles/s", self.done, plural(self.total, "file"),
                     plural(self.articles, "new article"), self.articles / max(now - self.started, 1e-9))

    def close(self) -> None:
        pass


def summary(report: IndexReport, elapsed: float, where: str) -> str:
    copies = report.occurrences_added - report.articles_added
    copies_note = f" (+{plural(copies, 'copy', 'copies')} of stories already indexed)" if copies else ""
    return (f"Indexed {plural(report.files_indexed, 'file')}, {report.files_unchanged} unchanged, "
            f"{report.files_removed} removed: {plural(report.articles_added, 'new article')}{copies_note} "
            f"in {elapsed:.1f}s into {where}")


def documentation_note(paths: list[Path], shown: int = 3) -> str:
    """The README, LICENSE … files the run left out, the first few by name."""
    names = ", ".join(map(str, paths[:shown])) + (f" and {len(paths) - shown} more" if len(paths) > shown else "")
    return f"Not articles, skipped: {plural(len(paths), 'documentation file')} ({names})"


@cli.command("index")
@click.argument("paths", nargs=-1, type=click.Path(readable=False, path_type=Path))  # reported by the run instead
@click.option("--keep-missing", is_flag=True, help="Keep articles of files that disappeared from a corpus folder.")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar (default: on when stderr is a terminal; log lines otherwise).")
@click.option("--workers", "-j", type=click.IntRange(min=0), default=1, show_default=True,
              help="Processes extracting actors and quotes (0: one per core); one process writes.")
@pass_context
@friendly_errors
def index_command(ctx: Context, paths: tuple[Path, ...], keep_missing: bool, progress: bool | None,
                  workers: int) -> None:
    """Index PATHS (files or folders), or the corpus folders in config/settings.yaml.

    Exit code 0 when everything went in, 1 when a file or line could not be
    indexed (each is listed with its reason), 2 for usage or configuration errors.
    """
    targets = list(paths) or ctx.settings.corpus_folders
    indexer = build_indexer(ctx.store, ctx.settings)
    display = BarProgress() if (progress if progress is not None else sys.stderr.isatty()) else LogProgress()
    started = time.perf_counter()
    try:
        report = indexer.run(targets, roots=targets, keep_missing=keep_missing, progress=display,
                             workers=workers or os.cpu_count() or 1, on_wait=lambda: click.echo(
                                 f"Another index run is writing to {ctx.store.display_url}: "
                                 "waiting for it to finish…", err=True))
    finally:
        display.close()
    click.echo(summary(report, time.perf_counter() - started, ctx.store.display_url))
    if report.documentation:
        click.echo(documentation_note(report.documentation))
    from bot.search.engines import write_snapshots

    write_snapshots(ctx.store)  # the bot's next start loads the search indexes instead of building them
    if report.problems:
        click.echo(f"{plural(len(report.problems), 'problem')}:", err=True)
        for problem in report.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
