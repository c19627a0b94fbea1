"""Versioned schema migrations, applied by the program at start-up.

Each entry of MIGRATIONS moves the schema from version N-1 to N. The version is
kept in the `meta` table. Never edit a released migration: append a new one.
"""
from __future__ import annotations

from typing import Callable

from sqlalchemy import inspect, select
from sqlalchemy.engine import Connection, Engine

from bot.store import schema


def _create_initial_schema(conn: Connection) -> None:
    schema.metadata.create_all(conn)


MIGRATIONS: list[Callable[[Connection], None]] = [
    _create_initial_schema,  # 1
]

SCHEMA_VERSION = len(MIGRATIONS)


def current_version(conn: Connection) -> int:
    if not inspect(conn).has_table("meta"):
        return 0
    value = conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")).scalar()
    return int(value) if value else 0


def upgrade(engine: Engine) -> int:
    """Apply every pending migration, each in its own transaction; return the new version."""
    with engine.begin() as conn:
        version = current_version(conn)
    if version > SCHEMA_VERSION:
        raise RuntimeError(f"database schema version {version} is newer than this newsbot ({SCHEMA_VERSION})")
    for number in range(version + 1, SCHEMA_VERSION + 1):
        with engine.begin() as conn:
            MIGRATIONS[number - 1](conn)
            table = schema.meta
            if current_version(conn) == 0 and number == 1:
                conn.execute(table.insert().values(key="schema_version", value="1"))
            else:
                conn.execute(table.update().where(table.c.key == "schema_version").values(value=str(number)))
    return SCHEMA_VERSION
