"""Versioned schema migrations, applied by the program at start-up.

Each entry of MIGRATIONS moves the schema from version N-1 to N. The version is
kept in the `meta` table. Never edit a released migration: append a new one.

Additive changes to bot/store/schema.py (a new table, a new nullable column) are
applied to existing databases by `add_missing` on every start, so they need no
numbered step; anything else (renames, type changes, NOT NULL columns without a
default, data moves) does.
"""
from __future__ import annotations

import uuid
from typing import Callable

from sqlalchemy import MetaData, bindparam, inspect, select, text
from sqlalchemy.engine import Connection, Engine

from bot.nlp.names import short_form
from bot.store import schema

SCHEMA_LOCK = 7283190  # PostgreSQL advisory lock class: schema set-up and migrations


def _create_initial_schema(conn: Connection) -> None:
    schema.metadata.create_all(conn)


def _newest_first_indexes(conn: Connection) -> None:
    """Profiles read an actor's latest mentions (ORDER BY id DESC), its articles and quotes newest first,
    undated last: indexes in those orders (schema.NEWEST_FIRST). On PostgreSQL the actor index becomes
    (actor_id, id)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("DROP INDEX IF EXISTS ix_mentions_actor"))
    for index in schema.NEWEST_FIRST.get(conn.dialect.name, []):
        index.create(conn, checkfirst=True)


def _database_id(conn: Connection) -> None:
    """A random id for this database: local snapshots of the search indexes (bot.search.snapshots)
    are made for one database, and a database made again at the same URL starts its generations over."""
    conn.execute(schema.meta.insert().values(key="database_id", value=uuid.uuid4().hex))


def _mentions_by_article_with_actor(conn: Connection) -> None:
    """ix_mentions_article becomes (article_id, actor_id): profiles probe "does this article mention the
    actor" for each article they walk, and count who else is in the actor's articles, from the index alone
    (a mention row holds its sentence: reading them was most of a profile at 100k articles)."""
    _replace_index(conn, schema.mentions.indexes, "ix_mentions_article_actor", "ix_mentions_article")


def _postgres_actor_index_holds_mention_reads(conn: Connection) -> None:
    """PostgreSQL: ix_mentions_actor_newest also holds the columns profiles read (schema.MENTION_READS),
    so an actor's latest mentions come from the index alone (the rows are scattered over the table). SQLite's
    rows are read through its page cache."""
    if conn.dialect.name != "postgresql":
        return
    definition = conn.execute(text("SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                                   "AND indexname = 'ix_mentions_actor_newest'")).scalar()
    if definition and "INCLUDE" in definition:
        return
    conn.execute(text("DROP INDEX IF EXISTS ix_mentions_actor_newest"))
    for index in schema.NEWEST_FIRST["postgresql"]:
        if index.name == "ix_mentions_actor_newest":
            index.create(conn)


def _bands_index_holds_article_ids(conn: Connection) -> None:
    """ix_article_bands_band becomes (band, article_id): the indexer reads the stories sharing a file's
    bands from the index alone, not from tens of thousands of table rows per file in a large index."""
    _replace_index(conn, schema.article_bands.indexes, "ix_article_bands_band_article", "ix_article_bands_band")


def _profile_reads_from_indexes(conn: Connection) -> None:
    """SQLite's actor index also holds what profiles read of a mention (schema.MENTION_READS), as PostgreSQL's
    does since migration 5, and quote occurrences are indexed by article with their span and quote: otherwise a
    profile reads hundreds of rows scattered over the whole database file."""
    if conn.dialect.name == "sqlite":
        _replace_index(conn, schema.NEWEST_FIRST["sqlite"], "ix_mentions_actor_newest", "ix_mentions_actor")
    _replace_index(conn, schema.quote_occurrences.indexes, "ix_quote_occurrences_article_span",
                   "ix_quote_occurrences_article")


def _mention_sentences_as_offsets(conn: Connection) -> None:
    """mentions.sentence, the text of the sentence a mention is in (half of a 100k-article index, and
    written again for every mention of a sentence), becomes its offsets in the article's text, found
    there by the database: the sentence holds the mention, so it starts at most its length before it."""
    present = {column["name"] for column in inspect(conn).get_columns("mentions")}
    for column in ("sentence_start", "sentence_end"):
        if column not in present:
            conn.execute(text(f"ALTER TABLE mentions ADD COLUMN {column} INTEGER"))
    if "sentence" not in present:
        return
    greatest, position = ("max", "instr") if conn.dialect.name == "sqlite" else ("GREATEST", "strpos")
    window = f"{greatest}(0, mentions.start - length(mentions.sentence))"
    found = f"{position}(substr(articles.text, {window} + 1), mentions.sentence)"
    conn.execute(text(
        f"UPDATE mentions SET sentence_start = CASE WHEN {found} > 0 THEN {window} + {found} - 1 ELSE mentions.start END, "
        f"sentence_end = CASE WHEN {found} > 0 THEN {window} + {found} - 1 + length(mentions.sentence) "
        'ELSE mentions."end" END FROM articles WHERE articles.id = mentions.article_id'))
    conn.execute(text("ALTER TABLE mentions DROP COLUMN sentence"))


def _quote_occurrence_subjects(conn: Connection) -> None:
    """quote_occurrences.subjects: the actors mentioned near each occurrence (schema.ABOUT_CONTEXT), so quotes
    about an actor come from the quote index instead of a join of its mentions with quote occurrences at
    every profile (on PostgreSQL most of what a profile spent beyond SQLite)."""
    present = {column["name"] for column in inspect(conn).get_columns("quote_occurrences")}
    if "subjects" not in present:
        conn.execute(text("ALTER TABLE quote_occurrences ADD COLUMN subjects TEXT"))
    listed = "group_concat(DISTINCT m.actor_id)" if conn.dialect.name == "sqlite" \
        else "string_agg(DISTINCT m.actor_id::text, ',')"
    conn.execute(text(
        f"UPDATE quote_occurrences SET subjects = (SELECT {listed} FROM mentions m "
        "WHERE m.article_id = quote_occurrences.article_id "
        f"AND m.start >= quote_occurrences.start - {schema.ABOUT_CONTEXT} "
        f'AND m."end" <= quote_occurrences."end" + {schema.ABOUT_CONTEXT})'))


def _actor_short_keys(conn: Connection) -> None:
    """actors.short_key, indexed: the surname or legal-form-less name each actor also goes by, so that an
    index run finds the actors sharing a short form without reading every actor."""
    present = {column["name"] for column in inspect(conn).get_columns("actors")}
    if "short_key" not in present:
        conn.execute(text("ALTER TABLE actors ADD COLUMN short_key VARCHAR(200)"))
    next(index for index in schema.actors.indexes if index.name == "ix_actors_short_key").create(conn, checkfirst=True)
    actors = schema.actors
    rows = [{"actor": actor_id, "short": short} for actor_id, key, kind in
            conn.execute(select(actors.c.id, actors.c.key, actors.c.kind)).all()
            if (short := short_form(key, kind)) is not None]
    if rows:
        conn.execute(actors.update().where(actors.c.id == bindparam("actor")).values(short_key=bindparam("short")),
                     rows)


def _occurrences_by_url(conn: Connection) -> None:
    """occurrences.url, indexed: a page added from Slack is looked up by its address before it is fetched,
    which otherwise read every occurrence."""
    by_url = next(index for index in schema.occurrences.indexes if index.name == "ix_occurrences_url")
    by_url.create(conn, checkfirst=True)


def _replace_index(conn: Connection, indexes, new: str, old: str) -> None:
    """Create schema.py's index `new` (one of `indexes`) unless the database has it, and drop `old`."""
    next(index for index in indexes if index.name == new).create(conn, checkfirst=True)
    conn.execute(text(f"DROP INDEX IF EXISTS {old}"))


MIGRATIONS: list[Callable[[Connection], None]] = [
    _create_initial_schema,  # 1
    _newest_first_indexes,  # 2
    _database_id,  # 3
    _mentions_by_article_with_actor,  # 4
    _postgres_actor_index_holds_mention_reads,  # 5
    _bands_index_holds_article_ids,  # 6
    _profile_reads_from_indexes,  # 7
    _mention_sentences_as_offsets,  # 8
    _quote_occurrence_subjects,  # 9
    _actor_short_keys,  # 10
    _occurrences_by_url,  # 11
]

SCHEMA_VERSION = len(MIGRATIONS)


def current_version(conn: Connection) -> int:
    if not inspect(conn).has_table("meta"):
        return 0
    value = conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")).scalar()
    return int(value) if value else 0


def upgrade(engine: Engine) -> int:
    """Apply every pending migration, each in its own transaction; return the new version.

    A lock (`_lock`) makes a bot and an index run, or two index runs, starting together on the
    same database set it up one after the other, not at the same time.
    """
    latest = len(MIGRATIONS)
    with engine.begin() as conn:  # without the lock: a current schema (most starts) takes no write lock
        version = current_version(conn)
        if version == latest and not add_missing(conn, apply=False):
            return latest
    if version > latest:
        raise SchemaTooNew(f"database schema version {version} is newer than this newsbot understands "
                           f"({latest}): upgrade newsbot")
    for number in range(version + 1, latest + 1):
        with engine.begin() as conn:
            _lock(conn)
            if current_version(conn) >= number:  # another process got there first
                continue
            MIGRATIONS[number - 1](conn)
            _set_version(conn, number)
    with engine.begin() as conn:
        _lock(conn)
        add_missing(conn)
    return latest


def add_missing(conn: Connection, metadata: MetaData = schema.metadata, *, apply: bool = True) -> list[str]:
    """Create tables and nullable (or defaulted) columns that schema.py has and the database lacks; with
    `apply` False only say which they are."""
    inspector = inspect(conn)
    existing = set(inspector.get_table_names())
    added = []
    for table in metadata.sorted_tables:
        if table.name not in existing:
            if apply:
                table.create(conn)
            added.append(table.name)
            continue
        present = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            if not column.nullable and column.server_default is None:
                raise SchemaMismatch(f"this database lacks the required column {table.name}.{column.name}, "
                                     "which no migration adds: re-create the index (move the database aside "
                                     "and run `newsbot index`)")
            if apply:
                kind = column.type.compile(dialect=conn.dialect)
                conn.execute(text(f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" {kind}'))
            added.append(f"{table.name}.{column.name}")
    return added


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer newsbot."""


class SchemaMismatch(RuntimeError):
    """The database lacks something schema.py requires and no migration provides."""


def _set_version(conn: Connection, number: int) -> None:
    table = schema.meta
    updated = conn.execute(table.update().where(table.c.key == "schema_version").values(value=str(number))).rowcount
    if not updated:
        conn.execute(table.insert().values(key="schema_version", value=str(number)))


SCHEMA_KEY = "hashtext(coalesce(current_schema(), ''))"  # the second key of a per-schema advisory lock


def _lock(conn: Connection) -> None:
    """One process at a time changes the schema, for the rest of this transaction. PostgreSQL: an advisory
    lock (per schema: databases in other schemas of the server are not held up). SQLite: the write lock,
    taken before the first read (BEGIN IMMEDIATE; the driver would begin only at the first write), so a
    second process waits (busy timeout) instead of creating the tables the first is creating."""
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"SELECT pg_advisory_xact_lock(:kind, {SCHEMA_KEY})"), {"kind": SCHEMA_LOCK})
    elif conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
