"""Slack requests taken on by some instance sharing this database (schema.slack_requests_taken)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, text
from sqlalchemy.dialects import postgresql, sqlite

from bot.store.db import Store
from bot.store.schema import slack_requests_taken as taken


def take(store: Store, key: str, *, by: str, now: datetime) -> bool:
    """Claim the request `key`: True for the first caller on any instance, False for every later one
    (an insert that does nothing on conflict, so two instances at the same moment cannot both win)."""
    dialect = postgresql if store.is_postgres else sqlite
    with store.begin() as conn:
        if store.is_postgres:  # not waiting for the disk: the claim is visible at once
            conn.execute(text("SET LOCAL synchronous_commit = off"))  # and a server crash costs a repeat at most
        return conn.execute(dialect.insert(taken).values(key=key, taken_at=now, taken_by=by)
                            .on_conflict_do_nothing(index_elements=[taken.c.key])
                            .returning(taken.c.key)).first() is not None


def taken_by(store: Store, key: str) -> str | None:
    """Which instance took `key` (None when nobody has, or its row was pruned)."""
    with store.connect() as conn:
        return conn.execute(select(taken.c.taken_by).where(taken.c.key == key)).scalar()


def prune(store: Store, before: datetime) -> None:
    """Forget the requests taken before `before`."""
    with store.begin() as conn:
        conn.execute(delete(taken).where(taken.c.taken_at < before))
