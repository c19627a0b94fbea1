"""The digest ledger: one row per (channel, digest date), claimed in the database *before* posting.
(Alerts for followed actors use the same claims and leases on their own table: an `Entry` names a row of either.)

Claiming is a plain INSERT on the (channel, digest_date) primary key: whichever process inserts
first owns that digest, every other INSERT fails on the key, on SQLite and PostgreSQL alike, so a
restart, a retried job or a second bot instance never posts the same digest twice. The row is then
completed with the message `ts` (status `posted`), or marked `quiet` (nothing to post), `failed`
(to be tried again) or `given_up` (never to be posted by the scheduler; someone was told).

A claim is a lease (`lease_until`): its holder renews it from a thread while it works (`Lease`),
so it runs out only when the holder died or lost the database. Then another process (or a restart)
may take the digest over: a conditional UPDATE on the row's `attempts` lets exactly one do it. The
row's `sending_since` says whether a post may have reached Slack (set before each post, cleared when
Slack refuses it): if so, the taker looks for the digest in the channel's history before posting.

The ledger also remembers each digest's window: the next digest starts where the last posted (or
quiet) one ended, so nothing falls between two digests, even across downtime.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time as time_module
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Table, and_, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from bot.digest.build import as_utc
from bot.store.db import Store
from bot.store.schema import LedgerStatus, digest_ledger

log = logging.getLogger(__name__)

FIRST_WINDOW = timedelta(hours=24)
DONE = (LedgerStatus.POSTED, LedgerStatus.QUIET)
UNFINISHED = (LedgerStatus.CLAIMED, LedgerStatus.FAILED)
# Longer than a post with its retries takes between two renewals; settings.yaml digest.lease_minutes.
LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class Entry:
    """One row of a ledger table, by its key: a digest's (channel, digest_date), an alert's (channel, actor_id,
    seq). Every ledger table has the claim columns of `Leased`; claiming and leases work on any of them."""

    table: Table
    key: tuple[tuple[str, object], ...]

    def where(self):
        return and_(*(self.table.c[name] == value for name, value in self.key))

    def __str__(self) -> str:
        return ", ".join(str(value) for _, value in self.key)


def digest_entry(channel: str, digest_date: date) -> Entry:
    return Entry(digest_ledger, (("channel", channel), ("digest_date", digest_date)))


@dataclass
class Leased:
    """The claim columns every ledger row has."""

    status: LedgerStatus
    claimed_by: str
    attempts: int
    error: str | None = None
    ts: str | None = None
    claimed_at: datetime | None = None
    lease_until: datetime | None = None
    sending_since: datetime | None = None

    def held(self, now: datetime, lease: timedelta = LEASE) -> bool:
        """Claimed by a process whose lease has not run out (rows claimed before leases: `lease` after the claim)."""
        if self.status != LedgerStatus.CLAIMED:
            return False
        until = self.lease_until or (self.claimed_at + lease if self.claimed_at else None)
        return until is not None and until > as_utc(now)

    def open_to_claim(self, now: datetime, lease: timedelta = LEASE) -> bool:
        """Whether the scheduler should (try to) post it: never claimed, failed, or its holder's lease ran out."""
        return self.status == LedgerStatus.FAILED or (self.status == LedgerStatus.CLAIMED and not self.held(now, lease))


def leased_fields(row) -> dict:
    """The `Leased` fields of a ledger table's row (a mapping)."""
    return dict(status=row["status"], claimed_by=row["claimed_by"], attempts=row["attempts"] or 0, error=row["error"],
                ts=row["ts"], claimed_at=_utc(row["claimed_at"]), lease_until=_utc(row["lease_until"]),
                sending_since=_utc(row["sending_since"]))


@dataclass(kw_only=True)
class LedgerRow(Leased):
    channel: str
    digest_date: date
    window_start: datetime | None
    window_end: datetime | None


@dataclass
class Claim:
    """This process's hold on one ledger entry. `attempts` fences its writes: a taker-over increments it."""

    entry: Entry
    attempts: int
    # Set when an earlier holder may have posted the message: look in the channel's history from then on.
    unsure_since: datetime | None = None


def instance_name() -> str:
    """Who claimed a row: host and process, for the operator reading the ledger."""
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def read(store: Store, entry: Entry):
    """The entry's row as a mapping, or None."""
    with store.connect() as conn:
        return conn.execute(select(entry.table).where(entry.where())).mappings().first()


def get(store: Store, channel: str, digest_date: date) -> LedgerRow | None:
    row = read(store, digest_entry(channel, digest_date))
    return None if row is None else _ledger_row(row)


def _ledger_row(row) -> LedgerRow:
    return LedgerRow(**leased_fields(row), channel=row["channel"], digest_date=row["digest_date"],
                     window_start=_utc(row["window_start"]), window_end=_utc(row["window_end"]))


def claim(store: Store, channel: str, digest_date: date, window: tuple[datetime, datetime], *,
          now: datetime, lease: timedelta = LEASE, claimed_by: str | None = None) -> Claim | None:
    """This process's claim on the (channel, date) digest, or None when another process holds or finished it.

    A failed or given-up digest, or one whose holder's lease ran out, is taken over (by one process only)."""
    return take(store, digest_entry(channel, digest_date),
                dict(window_start=as_utc(window[0]), window_end=as_utc(window[1])),
                now=now, lease=lease, claimed_by=claimed_by)


def take(store: Store, entry: Entry, values: dict, *, now: datetime, lease: timedelta = LEASE,
         claimed_by: str | None = None) -> Claim | None:
    """This process's claim on `entry` (its row written with `values`), or None when another process holds or
    finished it. A failed or given-up entry, or one whose holder's lease ran out, is taken over (by one process)."""
    values = dict(values, status=LedgerStatus.CLAIMED, claimed_at=as_utc(now),
                  claimed_by=claimed_by or instance_name(), lease_until=as_utc(now) + lease, ts=None, error=None)
    row, taken = _insert_or_take_over(store, entry, values, attempts=1,
                                      may_take=lambda row: row.status not in DONE and not row.held(now, lease))
    if not taken:
        return None
    if row is None:  # a new row
        return Claim(entry, attempts=1)
    if row.status == LedgerStatus.CLAIMED:
        log.warning("%s: taking it over from %s, whose claim ran out", entry, row.claimed_by)
    # A row claimed before leases existed recorded no sends: its holder may have posted any time after claiming.
    claimed_before_leases = row.status == LedgerStatus.CLAIMED and row.lease_until is None
    unsure = row.sending_since or (row.claimed_at if claimed_before_leases else None)
    return Claim(entry, attempts=row.attempts + 1, unsure_since=unsure)


def _insert_or_take_over(store: Store, entry: Entry, values: dict, *, attempts: int,
                         may_take: Callable[[Leased], bool]) -> tuple[Leased | None, bool]:
    """Write `values` to the entry's row: a new row (with `attempts`), or over the existing one when
    `may_take` says so and nobody changed it meanwhile (a conditional UPDATE on its `attempts`, which goes
    up by one: of several processes, exactly one takes it). (the row found, or None for a new row; taken)."""
    table = entry.table
    try:
        with store.begin() as conn:
            conn.execute(insert(table).values(**dict(entry.key), attempts=attempts, **values))
        return None, True
    except IntegrityError:
        pass
    found = read(store, entry)
    row = None if found is None else Leased(**leased_fields(found))
    if row is None or not may_take(row):
        return row, False
    with store.begin() as conn:
        taken = conn.execute(update(table).where(
            entry.where(), table.c.status == row.status,
            table.c.attempts == row.attempts).values(attempts=row.attempts + 1, **values)).rowcount
    return row, taken == 1


class LeaseLost(Exception):
    """Another process took this entry over (this one's lease ran out): it must not post."""


class Lease:
    """Keeps a claim alive while its holder works: a thread renews it every third of its length.

    Times follow the clock the claim was made with (`now`), advanced by the monotonic clock."""

    def __init__(self, store: Store, held: Claim, *, now: datetime, length: timedelta = LEASE):
        self.store, self.claim, self.length = store, held, length
        self.started, self._at = as_utc(now), time_module.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew_until_stopped, daemon=True,
                                        name=f"ledger-lease-{held.entry}")
        self.lost = False

    def now(self) -> datetime:
        return self.started + timedelta(seconds=time_module.monotonic() - self._at)

    def __enter__(self) -> "Lease":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _renew_until_stopped(self) -> None:
        while not self._stop.wait(self.length.total_seconds() / 3):
            try:
                self.renew()
            except LeaseLost:
                return
            except Exception:  # the database is away: keep trying, the lease may still be ours when it is back
                log.exception("%s: could not renew the claim", self.claim.entry)

    def renew(self) -> None:
        self._update(lease_until=self.now() + self.length)

    def sending(self) -> None:
        """Before each post: from now on, until Slack refuses it, the post may have gone through."""
        self._update(lease_until=self.now() + self.length,
                     sending_since=func.coalesce(self.claim.entry.table.c.sending_since, self.now()))

    def refused(self) -> None:
        """Slack refused the post (an error answer, not a lost connection): nothing reached the channel."""
        self._update(sending_since=None)

    def _update(self, **values) -> None:
        entry = self.claim.entry
        with self.store.begin() as conn:
            ours = conn.execute(update(entry.table).where(
                entry.where(), entry.table.c.status == LedgerStatus.CLAIMED,
                entry.table.c.attempts == self.claim.attempts).values(**values)).rowcount
        if not ours:
            self.lost = True
            raise LeaseLost(f"{entry.table.name} {entry} was taken over by another process")


def posted(store: Store, entry: Entry, ts: str) -> None:
    finish(store, entry, status=LedgerStatus.POSTED, ts=ts, error=None, sending_since=None)


def failed(store: Store, entry: Entry, error: str) -> None:
    """To be tried again; `sending_since` stays, for whoever tries."""
    finish(store, entry, status=LedgerStatus.FAILED, error=error[:2000])


def given_up(store: Store, entry: Entry, error: str) -> None:
    finish(store, entry, status=LedgerStatus.GIVEN_UP, error=error[:2000])


def finish(store: Store, entry: Entry, **values) -> None:
    with store.begin() as conn:
        conn.execute(update(entry.table).where(entry.where()).values(**values))


def complete(store: Store, channel: str, digest_date: date, ts: str) -> None:
    posted(store, digest_entry(channel, digest_date), ts)


def mark_quiet(store: Store, channel: str, digest_date: date) -> None:
    finish(store, digest_entry(channel, digest_date), status=LedgerStatus.QUIET, error=None)


def mark_failed(store: Store, channel: str, digest_date: date, error: str) -> None:
    """To be tried again (within the grace period)."""
    failed(store, digest_entry(channel, digest_date), error)


def mark_given_up(store: Store, channel: str, digest_date: date, error: str) -> None:
    given_up(store, digest_entry(channel, digest_date), error)


def give_up(store: Store, channel: str, digest_date: date, reason: str, *, now: datetime,
            lease: timedelta = LEASE) -> bool:
    """Record that a digest past its grace period will not be posted; True for the one process that did
    (it tells the subscriber). A digest still held by a live process is left to it."""
    return abandon(store, digest_entry(channel, digest_date), reason, now=now, lease=lease)


def abandon(store: Store, entry: Entry, reason: str, *, now: datetime, lease: timedelta = LEASE) -> bool:
    """Record that an entry will not be posted (status given_up); True for the one process that did. One
    still held by a live process is left to it."""
    values = dict(status=LedgerStatus.GIVEN_UP, error=reason[:2000], claimed_at=as_utc(now), claimed_by=instance_name())
    _, taken = _insert_or_take_over(store, entry, values, attempts=0, may_take=lambda row: row.open_to_claim(now, lease))
    return taken


def unfinished(store: Store, since: date) -> list[LedgerRow]:
    """Digests dated `since` or later that are claimed or failed: held, to be taken over, or to be given up."""
    with store.connect() as conn:
        rows = conn.execute(select(digest_ledger).where(
            digest_ledger.c.digest_date >= since, digest_ledger.c.status.in_(UNFINISHED))).mappings().all()
    return [_ledger_row(row) for row in rows]


def window_for(store: Store, channel: str, digest_date: date, end: datetime) -> tuple[datetime, datetime]:
    """Where this digest's window starts: the end of the channel's previous done digest (the start of a
    given-up one), or 24 h before `end` when there is none (the new stories are then those published
    from the day those 24 h start: build.published_since). The grace period plays no part.

    A digest already in the ledger for this date keeps its recorded window (replays match the post)."""
    end = as_utc(end)
    recorded = get(store, channel, digest_date)
    if recorded and recorded.window_start and recorded.window_end and recorded.status in DONE:
        return recorded.window_start, recorded.window_end
    with store.connect() as conn:  # a given-up digest's news was never posted: its window starts the next one
        previous = conn.execute(
            select(digest_ledger.c.status, digest_ledger.c.window_start, digest_ledger.c.window_end).where(and_(
                digest_ledger.c.channel == channel, digest_ledger.c.digest_date < digest_date,
                digest_ledger.c.status.in_((*DONE, LedgerStatus.GIVEN_UP)), digest_ledger.c.window_end.is_not(None)))
            .order_by(digest_ledger.c.digest_date.desc()).limit(1)).first()
    if previous is None:
        start = end - FIRST_WINDOW
    else:
        start = _utc(previous.window_start if previous.status == LedgerStatus.GIVEN_UP else previous.window_end)
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

