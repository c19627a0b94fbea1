"""The running bot's index jobs: new and changed corpus files picked up while it runs (so the next digest
sees articles dropped into a corpus folder without a restart), and each feed polled every `every_minutes`."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from bot.config import ConfigError, FeedConfig, Settings, load_feeds
from bot.ingest.feeds import PollReport, poll_feeds
from bot.ingest.indexer import IndexReport, Indexer
from bot.store.db import IndexRunBusy, Store
from bot.wording import plural

log = logging.getLogger(__name__)

Report = TypeVar("Report")


def reindex_corpus(store: Store, settings: Settings, lock: threading.Lock,
                   build: Callable[[Store, Settings], Indexer]) -> IndexReport | None:
    """Index the corpus folders of `settings` (new and changed files only); see taking_turns."""
    folders = settings.corpus_folders

    def run() -> IndexReport:
        report = build(store, settings).run(folders, roots=folders, wait=False)
        if report.files_indexed or report.files_removed:
            log.info("re-index: %s indexed, %d removed, %s", plural(report.files_indexed, "file"),
                     report.files_removed, plural(report.articles_added, "new article"))
        for problem in report.new_problems:
            log.warning("re-index: %s", problem)
        return report
    return taking_turns(store, lock, "re-index", run)


def poll_feed(store: Store, settings: Settings, feed: FeedConfig, lock: threading.Lock,
              build: Callable[[Store, Settings], Indexer]) -> PollReport | None:
    """Poll one feed (its outcome is logged and kept for `newsbot feeds status`); see taking_turns, except that
    it waits for this process's other index job or digest to finish rather than skip its turn (a feed polled
    every few hours, or just added from Slack, would otherwise wait a whole interval). feeds.yaml is read
    again, so that its fetch limits can change while the bot runs."""
    def run() -> PollReport:
        report = poll_feeds(store, load_feeds(settings.config_dir), build(store, settings), feeds=[feed], wait=False)
        if report.index is not None and report.index.articles_added:
            log.info("feed %s: %s", feed.url, plural(report.index.articles_added, "new article"))
        return report
    return taking_turns(store, lock, f"poll of {feed.url}", run, wait=True)


def taking_turns(store: Store, lock: threading.Lock, what: str, run: Callable[[], Report], *,
                 wait: bool = False) -> Report | None:
    """`run` unless `lock` is taken (jobs that must not see an index run half-stored hold it too; with `wait`,
    once it is free), nor another process's index run writing (its run or the next turn picks the changes
    up). Never raises: an index job's failure is logged and the next turn tries again. None when nothing ran."""
    if not lock.acquire(blocking=wait):  # an index job or a digest is running: next time (or wait for it)
        return None
    try:
        return run()
    except IndexRunBusy:
        log.info("%s skipped: another index run is writing to %s", what, store.display_url)
        return None
    except ConfigError as exc:  # a config file edited while the bot runs: one line, and the next run retries
        log.error("%s skipped: %s", what, exc)
        return None
    except Exception:
        log.exception("%s failed", what)
        return None
    finally:
        lock.release()
