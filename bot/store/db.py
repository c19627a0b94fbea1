"""Connecting to the index and keeping its schema current."""
from __future__ import annotations

import fcntl
import os
import sqlite3
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import any_, create_engine, event, literal, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.store import migrations
from bot.store.schema import meta

CHUNK = 2000  # ids per IN (...) query


SQLITE_CACHE_KIB = 64 * 1024  # per connection
SQLITE_BUSY_TIMEOUT_S = 30  # how long a connection waits for another's write lock
SQLITE_WRITER_CACHE_KIB = 256 * 1024  # the indexer's connection
SQLITE_WRITER_CHECKPOINT_PAGES = 50_000  # the indexer's WAL grows to about 200 MB between checkpoints


INDEX_RUN_LOCK = 7283191  # PostgreSQL advisory lock class: index runs (migrations.SCHEMA_LOCK is 7283190)


class StoreError(Exception):
    """The database cannot be reached or opened."""


class IndexRunBusy(Exception):
    """Another index run is writing to this database."""


class Store:
    """One database: SQLite file (WAL, foreign keys on) or PostgreSQL."""

    def __init__(self, url: str, *, migrate: bool = True, **engine_options):
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.is_postgres = url.startswith("postgresql")
        if self.is_sqlite:
            db_path = url.split("///", 1)[-1]
            if db_path and db_path != ":memory:":
                Path(db_path).parent.mkdir(parents=True, exist_ok=True)
            engine_options.setdefault("connect_args", {"timeout": SQLITE_BUSY_TIMEOUT_S})
        else:
            engine_options.setdefault("pool_pre_ping", True)
        self.engine: Engine = create_engine(url, **engine_options)
        # Reads need no transaction: on PostgreSQL each statement of a read-committed transaction sees a new
        # snapshot anyway, and a transaction costs two round trips per checkout (BEGIN, then the pool's
        # ROLLBACK). SQLite's driver opens none for a SELECT.
        self._reader: Engine = self.engine if self.is_sqlite else self.engine.execution_options(
            isolation_level="AUTOCOMMIT")
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        if migrate:
            try:
                migrations.upgrade(self.engine)
            except (migrations.SchemaTooNew, migrations.SchemaMismatch) as exc:
                raise StoreError(f"cannot open the database at {self.display_url}: {exc}") from None
            except SQLAlchemyError as exc:
                raise StoreError(f"cannot open the database at {self.display_url}: {exc.__class__.__name__}: "
                                 f"{str(exc.orig if hasattr(exc, 'orig') else exc).strip().splitlines()[0]}") from None

    @property
    def display_url(self) -> str:
        """The URL without a password, for messages and `newsbot stats`."""
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A transaction: committed on success, rolled back on any exception."""
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection for reading (writes go through `begin`)."""
        with self._reader.connect() as conn:
            yield conn

    @contextmanager
    def streaming(self) -> Iterator[Connection]:
        """A connection for reads that stream their rows (`stream_results`): PostgreSQL's server-side cursors
        live in a transaction."""
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def index_run(self, *, wait: bool = True, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
        """Hold this database's index-run lock: one index run writes at a time, across processes (two at once
        add the same files, actors and keys, and each trusts what it read at its start). Another run holding
        it: wait (calling `on_wait` first), or raise IndexRunBusy when `wait` is False. The lock ends with its
        process: a session-level advisory lock on PostgreSQL, an flock on a file beside SQLite's database."""
        if self.is_postgres:
            with self._reader.connect() as conn:  # a session of its own, held for the run, in no transaction
                key = {"kind": INDEX_RUN_LOCK}
                if not conn.execute(text(f"SELECT pg_try_advisory_lock(:kind, {migrations.SCHEMA_KEY})"), key).scalar():
                    if not wait:
                        raise IndexRunBusy(self.display_url)
                    if on_wait is not None:
                        on_wait()
                    conn.execute(text(f"SELECT pg_advisory_lock(:kind, {migrations.SCHEMA_KEY})"), key)
                try:
                    yield
                finally:
                    try:
                        conn.execute(text(f"SELECT pg_advisory_unlock(:kind, {migrations.SCHEMA_KEY})"), key)
                    except SQLAlchemyError:  # the session is gone, and its lock with it
                        pass
            return
        database = self.engine.url.database if self.is_sqlite else None
        if not database or database == ":memory:":  # no other process can reach it
            yield
            return
        descriptor = os.open(f"{database}.index-lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if not wait:
                    raise IndexRunBusy(self.display_url) from None
                if on_wait is not None:
                    on_wait()
                fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # releases the lock

    def bulk_transaction(self) -> Connection:
        """A connection holding a write transaction for the indexer's bulk writes (prepare_bulk_writes), in
        which savepoints nest; the caller commits or rolls back, then closes it. On SQLite the transaction is
        begun outright (BEGIN IMMEDIATE): the driver would begin only at the first write, so a savepoint before
        it would be the transaction itself, and releasing the savepoint would commit."""
        conn = self.engine.connect()
        try:
            conn.begin()
            if self.is_sqlite:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            self.prepare_bulk_writes(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def holds_transaction(self, conn: Connection) -> bool:
        """Whether the database still holds `conn`'s transaction: SQLite ends one itself on some errors (a
        full disk), where SQLAlchemy still counts it open."""
        if not conn.in_transaction():
            return False
        return not self.is_sqlite or conn.connection.driver_connection.in_transaction

    def prepare_bulk_writes(self, conn: Connection) -> None:
        """The indexer's connection: a bigger SQLite page cache, since a file's rows update index pages
        all over a big index (at 90k articles, 256 MB took a quarter off the system time of a run), and
        rarer checkpoints, so an index page updated by many files is copied back to the database once
        (SQLite's default checkpointed at every file's commit: a third of the commit time)."""
        if self.is_sqlite:
            conn.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_WRITER_CACHE_KIB}")
            conn.exec_driver_sql(f"PRAGMA wal_autocheckpoint={SQLITE_WRITER_CHECKPOINT_PAGES}")

    def checkpoint(self) -> None:
        """Copy what the WAL holds back into the SQLite database file after a bulk write."""
        if self.is_sqlite:
            with self.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")

    def get_meta(self, key: str, default: str | None = None, conn: Connection | None = None) -> str | None:
        def read(c: Connection):
            return c.execute(select(meta.c.value).where(meta.c.key == key)).scalar()
        if conn is not None:
            value = read(conn)
        else:
            with self.connect() as c:
                value = read(c)
        return default if value is None else value

    def set_meta(self, conn: Connection, key: str, value: str) -> None:
        updated = conn.execute(meta.update().where(meta.c.key == key).values(value=value)).rowcount
        if not updated:
            conn.execute(meta.insert().values(key=key, value=value))

    def bump_generation(self, conn: Connection, *, indexed: bool = True) -> None:
        """Mark the index as changed, so in-memory caches in every bot instance reload; `indexed`: by an
        index run (an editor's edit is not one)."""
        current = int(self.get_meta("generation", "0", conn=conn) or 0)
        self.set_meta(conn, "generation", str(current + 1))
        if indexed:
            self.mark_indexed(conn)

    def mark_indexed(self, conn: Connection) -> None:
        """Record when an index run last finished (`newsbot stats`)."""
        self.set_meta(conn, "last_indexed", datetime.now(timezone.utc).isoformat(timespec="seconds"))

    def generation(self) -> int:
        return int(self.get_meta("generation", "0") or 0)

    def ping(self) -> bool:
        try:
            with self.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cursor = dbapi_conn.cursor()
    _use_wal(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # A page cache for a big index (SQLite's default is 2 MB): at 100k articles (a 1 GB file) a profile's
    # row reads took twice as long when most of its pages were read again through the file system.
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()


def _use_wal(cursor, patience_s: float = SQLITE_BUSY_TIMEOUT_S) -> None:
    """Put the database in WAL mode. Switching takes an exclusive lock and SQLite does not wait for it as
    it waits for a write lock: two processes opening a new database at once (a bot and an index run)
    would see "database is locked". So a database already in WAL mode (every open but the first) is not
    switched again, and a switch that meets another is tried again until it is done."""
    deadline = time.monotonic() + patience_s
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")  # an in-memory database stays "memory"
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    """`items` in slices small enough for one `one_of` query each."""
    for i in range(0, len(items), size):
        yield items[i:i + size]


def one_of(conn: Connection, column, values: list):
    """`column IN (values)`; on PostgreSQL `column = ANY(array)`, one parameter instead of thousands
    (psycopg parses a query of thousands of placeholders far more slowly than one array)."""
    if conn.dialect.name == "postgresql":
        return column == any_(literal(list(values), ARRAY(column.type)))
    return column.in_(values)

