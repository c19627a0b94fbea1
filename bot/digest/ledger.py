"""The digest ledger: one row per (channel, digest date), claimed in the database *before* posting.

Claiming is a plain INSERT on the (channel, digest_date) primary key: whichever process inserts
first owns that digest, every other INSERT fails on the key, on SQLite and PostgreSQL alike, so a
restart, a retried job or a second bot instance never posts the same digest twice. The row is then
completed with the message `ts` (status `posted`), or marked `quiet` (nothing to post) or `failed`.

A row left `claimed` means a process died between claiming and posting: the post may or may not
have reached Slack, so it is never re-posted automatically (at most once beats twice); `newsbot
digest --channel C --date D --post` replays it by hand. Only a `failed` row can be claimed again.

The ledger also remembers each digest's window: the next digest starts where the last posted (or
quiet) one ended, so nothing falls between two digests, even across downtime.
"""
from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.digest.build import as_utc
from bot.store.db import Store
from bot.store.schema import digest_ledger

log = logging.getLogger(__name__)

FIRST_WINDOW = timedelta(hours=24)
DONE = ("posted", "quiet")


@dataclass
class LedgerRow:
    channel: str
    digest_date: date
    status: str
    ts: str | None
    window_start: datetime | None
    window_end: datetime | None
    claimed_by: str
    attempts: int
    error: str | None


def instance_name() -> str:
    """Who claimed a row: host and process, for the operator reading the ledger."""
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def get(store: Store, channel: str, digest_date: date) -> LedgerRow | None:
    with store.connect() as conn:
        row = conn.execute(select(digest_ledger).where(and_(
            digest_ledger.c.channel == channel, digest_ledger.c.digest_date == digest_date))).mappings().first()
    if row is None:
        return None
    return LedgerRow(channel=row["channel"], digest_date=row["digest_date"], status=row["status"], ts=row["ts"],
                     window_start=_utc(row["window_start"]), window_end=_utc(row["window_end"]),
                     claimed_by=row["claimed_by"], attempts=row["attempts"] or 0, error=row["error"])


def claim(store: Store, channel: str, digest_date: date, window: tuple[datetime, datetime], *,
          now: datetime, claimed_by: str | None = None) -> bool:
    """True when this process now owns the (channel, date) digest; False when someone else does."""
    values = dict(status="claimed", claimed_at=as_utc(now), claimed_by=claimed_by or instance_name(),
                  window_start=as_utc(window[0]), window_end=as_utc(window[1]), ts=None, error=None)
    try:
        with store.begin() as conn:
            conn.execute(insert(digest_ledger).values(channel=channel, digest_date=digest_date, attempts=1, **values))
        return True
    except IntegrityError:
        pass
    # Taken: only a failed digest may be tried again, and only by one process (a conditional UPDATE).
    with store.begin() as conn:
        row = conn.execute(select(digest_ledger.c.attempts).where(and_(
            digest_ledger.c.channel == channel, digest_ledger.c.digest_date == digest_date))).first()
        attempts = (row.attempts or 0) if row else 0
        taken = conn.execute(update(digest_ledger).where(and_(
            digest_ledger.c.channel == channel, digest_ledger.c.digest_date == digest_date,
            digest_ledger.c.status == "failed", digest_ledger.c.attempts == attempts,
        )).values(attempts=attempts + 1, **values)).rowcount
    return taken == 1


def complete(store: Store, channel: str, digest_date: date, ts: str) -> None:
    _finish(store, channel, digest_date, status="posted", ts=ts, error=None)


def mark_quiet(store: Store, channel: str, digest_date: date) -> None:
    _finish(store, channel, digest_date, status="quiet", error=None)


def mark_failed(store: Store, channel: str, digest_date: date, error: str) -> None:
    _finish(store, channel, digest_date, status="failed", error=error[:2000])


def _finish(store: Store, channel: str, digest_date: date, **values) -> None:
    with store.begin() as conn:
        conn.execute(update(digest_ledger).where(and_(
            digest_ledger.c.channel == channel, digest_ledger.c.digest_date == digest_date)).values(**values))


def window_for(store: Store, channel: str, digest_date: date, end: datetime) -> tuple[datetime, datetime]:
    """Where this digest's window starts: the end of the channel's previous done digest, or 24 h before `end`.

    A digest already in the ledger for this date keeps its recorded window (replays match the post)."""
    end = as_utc(end)
    recorded = get(store, channel, digest_date)
    if recorded and recorded.window_start and recorded.window_end and recorded.status in DONE:
        return recorded.window_start, recorded.window_end
    with store.connect() as conn:
        previous = conn.execute(
            select(digest_ledger.c.window_end).where(and_(
                digest_ledger.c.channel == channel, digest_ledger.c.digest_date < digest_date,
                digest_ledger.c.status.in_(DONE), digest_ledger.c.window_end.is_not(None)))
            .order_by(digest_ledger.c.digest_date.desc()).limit(1)).scalar()
    start = _utc(previous) if previous is not None else end - FIRST_WINDOW
    if start >= end:  # a replay of a day before the last digest: that day's own 24 hours
        start = end - FIRST_WINDOW
    return start, end


def recent(store: Store, channel: str, limit: int = 5) -> list[LedgerRow]:
    """The channel's latest ledger rows, newest first (for /digest status)."""
    with store.connect() as conn:
        dates = conn.execute(select(digest_ledger.c.digest_date).where(digest_ledger.c.channel == channel)
                             .order_by(digest_ledger.c.digest_date.desc()).limit(limit)).scalars().all()
    return [row for d in dates if (row := get(store, channel, d))]


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)

