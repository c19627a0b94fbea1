"""Writes in bulk, and the upkeep after them: plain rows straight through the driver (COPY on
PostgreSQL), stories deleted with everything that hangs on them, fresh planner statistics."""
from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection

from bot.store.db import Store
from bot.store.schema import (
    actors, aliases, article_bands, articles, mentions, occurrences, quote_occurrences, quotes, role_mentions,
)


def insert_plain_rows(conn: Connection, table, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Bulk insert of tuples straight through the driver: executemany on SQLite, COPY on PostgreSQL.

    Used for every per-article and per-mention row: building and processing a
    parameter dict per row through SQLAlchemy cost more than the database's own
    work. Values still go through their column type's bind processor (dates and
    booleans on SQLite are stored exactly as SQLAlchemy stores them). PostgreSQL
    runs an INSERT per row of an executemany; COPY makes a file's inserts and the
    writer's CPU time markedly cheaper.
    """
    sql, processors = _plain_insert(conn.dialect, table, columns)
    if any(processors):
        rows = [tuple(value if process is None or value is None else process(value)
                      for process, value in zip(processors, row)) for row in rows]
    if conn.dialect.name == "postgresql":
        with conn.connection.driver_connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
    else:
        conn.exec_driver_sql(sql, rows)


_PLAIN_INSERTS: dict[tuple[str, str, tuple[str, ...]], tuple[str, list]] = {}


def _plain_insert(dialect, table, columns: tuple[str, ...]) -> tuple[str, list]:
    """The INSERT (or COPY) statement and the columns' bind processors, built once per dialect and table."""
    cache_key = (dialect.name, table.name, columns)
    if cache_key not in _PLAIN_INSERTS:
        names = ", ".join(f'"{c}"' for c in columns)
        if dialect.name == "postgresql":
            sql = f'COPY "{table.name}" ({names}) FROM STDIN'
        else:
            marker = "?" if dialect.paramstyle == "qmark" else "%s"
            sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join([marker] * len(columns))})'
        _PLAIN_INSERTS[cache_key] = sql, [table.c[c].type._cached_bind_processor(dialect) for c in columns]
    return _PLAIN_INSERTS[cache_key]


def delete_articles(conn: Connection, ids: list[str]) -> None:
    """Delete stories with their mentions; quotes first seen there move to another occurrence or go."""
    conn.execute(delete(quote_occurrences).where(quote_occurrences.c.article_id.in_(ids)))
    moved = conn.execute(select(quotes.c.id).where(quotes.c.article_id.in_(ids))).scalars().all()
    for quote_id in moved:
        other = conn.execute(select(quote_occurrences).where(quote_occurrences.c.quote_id == quote_id).limit(1)).first()
        if other is None:
            conn.execute(delete(quotes).where(quotes.c.id == quote_id))
        else:
            conn.execute(update(quotes).where(quotes.c.id == quote_id).values(
                article_id=other.article_id, start=other.start, end=other.end, first_source=other.source))
    conn.execute(delete(mentions).where(mentions.c.article_id.in_(ids)))
    conn.execute(delete(role_mentions).where(role_mentions.c.article_id.in_(ids)))
    conn.execute(delete(article_bands).where(article_bands.c.article_id.in_(ids)))
    conn.execute(delete(articles).where(articles.c.id.in_(ids)))


def analyze_after_bulk_load(conn: Connection, stories_added: int) -> None:
    """PostgreSQL's planner statistics of the actor tables, taken before the end of a run reads them back,
    when the run added at least a tenth of the stories: autovacuum analyzes a table about that late, and
    meanwhile the planner scans whole tables for what an index answers (at 100k new articles, the corpus
    resolution's company-name votes took 8 s instead of one)."""
    if conn.dialect.name != "postgresql" or not stories_added:
        return
    if stories_added * 10 >= conn.execute(select(func.count()).select_from(articles)).scalar():
        conn.exec_driver_sql("ANALYZE " + ", ".join(f'"{t.name}"' for t in (actors, aliases, mentions)))


def refresh_planner_statistics(store: Store) -> None:
    """Fresh table statistics after a run that changed the index, so PostgreSQL plans the profile
    queries on what the tables hold now, and a VACUUM so its index-only scans need not visit the new
    rows' pages (autovacuum gets there minutes later, after a bulk load the bot is already answering
    from; SKIP_LOCKED: a table another instance is vacuuming is left to it); SQLite's `PRAGMA optimize`."""
    if store.is_postgres:
        tables = (articles, occurrences, actors, aliases, mentions, quotes, quote_occurrences, article_bands)
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:  # VACUUM needs no transaction
            conn.exec_driver_sql("VACUUM (ANALYZE, SKIP_LOCKED) " + ", ".join(f'"{t.name}"' for t in tables))
    else:
        with store.begin() as conn:
            conn.exec_driver_sql("PRAGMA optimize")
