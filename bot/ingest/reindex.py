"""The running bot's re-index job: new and changed corpus files picked up while it runs, so the
next digest sees articles dropped into a corpus folder without a restart."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from bot.config import ConfigError, Settings
from bot.ingest.indexer import IndexReport, Indexer
from bot.store.db import IndexRunBusy, Store
from bot.wording import plural

log = logging.getLogger(__name__)


def reindex_corpus(store: Store, settings: Settings, lock: threading.Lock,
                   build: Callable[[Store, Settings], Indexer]) -> IndexReport | None:
    """Index the corpus folders of `settings` (new and changed files only) unless `lock` is taken: jobs
    that must not see a file half-stored hold it too. One run at a time across processes as well: a run
    another process is writing is left to pick the files up. None when nothing ran."""
    if not lock.acquire(blocking=False):  # a re-index or a digest is running: next time
        return None
    try:
        folders = settings.corpus_folders
        report = build(store, settings).run(folders, roots=folders, wait=False)
        if report.files_indexed or report.files_removed:
            log.info("re-index: %s indexed, %d removed, %s", plural(report.files_indexed, "file"),
                     report.files_removed, plural(report.articles_added, "new article"))
        for problem in report.new_problems:
            log.warning("re-index: %s", problem)
        return report
    except IndexRunBusy:  # `newsbot index`, or another instance, is at it: its run picks the files up
        log.info("re-index skipped: another index run is writing to %s", store.display_url)
        return None
    except ConfigError as exc:  # actors.yaml edited while the bot runs: one line, and the next run retries
        log.error("re-index skipped: %s", exc)
        return None
    except Exception:
        log.exception("re-index of %s failed", ", ".join(map(str, settings.corpus_folders)))
        return None
    finally:
        lock.release()
