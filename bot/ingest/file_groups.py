"""Several files' writes in one transaction, each file in a savepoint of its own.

A SQLite commit copies every database page the transaction touched into the WAL, and a file's mentions
touch index pages all over a big index: at 100k articles, a commit per file of 500 wrote 18 GB, ten files
a commit 7.6 GB, and the run ended 2 to 3% sooner. So an index run into SQLite commits once GROUP_ARTICLES
articles or GROUP_SECONDS have gone into its transaction, and at the end. PostgreSQL, whose log records
the rows a commit changed rather than whole pages, commits every file (grouped, a run there was no
faster). A file that fails is rolled back to its savepoint alone: the index is as it was before that file,
as with a transaction of its own. A crash loses the open group only: its files are not recorded as
indexed, so the next run reads them again.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.engine import Connection

from bot.store.db import Store

log = logging.getLogger(__name__)

GROUP_ARTICLES = 5_000
GROUP_SECONDS = 30.0  # (a run slowed by its disk or by long articles still commits twice a minute)

Outcome = TypeVar("Outcome")


class FileGroups:
    """Files written in groups (see the module's docstring). `on_lost(written, error)`: a commit failed, and
    the files written into that group (each with what its step returned) are not in the index."""

    def __init__(self, store: Store, on_lost: Callable[[list[tuple[str, object]], Exception], None]):
        self.store = store
        self.on_lost = on_lost
        self.group_articles = GROUP_ARTICLES if store.is_sqlite else 1
        self._conn: Connection | None = None
        self._opened = 0.0
        self._articles = 0
        self._written: list[tuple[str, object]] = []

    def write(self, name: str, articles: int, step: Callable[[Connection], Outcome]) -> Outcome:
        """Run one file's `step` in a savepoint of the group's transaction: if it raises, its own writes are
        rolled back and the exception goes on; the group's other files stay."""
        if self._conn is None:
            self._conn, self._opened = self.store.bulk_transaction(), time.monotonic()
        conn = self._conn
        try:
            with conn.begin_nested():
                outcome = step(conn)
        except Exception as exc:
            if not self.store.holds_transaction(conn):  # the database ended the whole transaction
                self._lose(exc)
            raise
        self._written.append((name, outcome))
        self._articles += articles
        if self._articles >= self.group_articles or time.monotonic() - self._opened >= GROUP_SECONDS:
            self.commit()
        return outcome

    def commit(self) -> None:
        """Commit the open group, if any; a failed commit is reported to `on_lost`, not raised."""
        if self._conn is None:
            return
        try:
            self._conn.commit()
        except Exception as exc:
            log.debug("committing %d files failed", len(self._written), exc_info=True)
            self._lose(exc)
            return
        self._close()

    def rollback(self) -> None:
        """Abandon the open group (the run stops): none of its files is in the index."""
        if self._conn is not None:
            self._lose(None)

    def __enter__(self) -> FileGroups:
        return self

    def __exit__(self, kind, *_) -> None:
        if kind is None:
            self.commit()
        else:
            self.rollback()

    def _lose(self, error: Exception | None) -> None:
        written = self._written
        try:
            self._conn.rollback()
        except Exception:  # the connection is gone: so is its transaction
            log.debug("rolling back a group of files failed", exc_info=True)
        self._close()
        if written and error is not None:
            self.on_lost(written, error)

    def _close(self) -> None:
        try:
            self._conn.close()
        finally:
            self._conn, self._written, self._articles = None, [], 0
