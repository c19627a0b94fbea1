"""The one scheduler in the bot process: a cron job per subscription, re-indexing, catch-up.

`newsbot run` calls `start(store=…, settings=…, client=…)` once, after the Slack app is built;
it returns the running APScheduler `BackgroundScheduler` (call `.shutdown()` to stop it).

- Each subscription gets a `CronTrigger` in its own IANA time zone, so 08:00 stays 08:00 local
  through daylight-saving changes; weekday-only subscriptions simply have no weekend runs.
- Every minute the jobs are reconciled with the subscriptions table, so `/digest subscribe`
  from any instance takes effect without a restart.
- Every `digest.reindex_minutes` the corpus folders are re-indexed (bot.ingest.reindex: new and
  changed files only), so the next digest sees articles dropped into `seeds/` without a restart.
- Each feed (config/feeds.yaml's and those editors added from Slack) is polled at start and then every
  `every_minutes` (bot.ingest.feeds); every minute the feed jobs are reconciled with that list, so a feed
  added or removed from Slack (or in feeds.yaml) is polled, or no longer, without a restart.
- After each re-index and feed poll the search indexes this process answers from start rebuilding in the
  background (bot.search.engines.follow_index_run), so its lookups find what it indexed within seconds.
- Every minute, and right after each feed poll, the alerts for followed actors (bot.digest.alerts) look
  at what was indexed since their last look, by this process or a separate `newsbot index`.
- At start and then every `digest.lease_minutes`, the catch-up check posts each digest due less
  than `digest.grace_hours` ago that is not done: never claimed (missed while no bot ran), failed,
  or claimed by a process whose lease ran out (it died mid-post). Only digests due after the
  subscription was made count. A digest past the grace period is given up once: logged, and its
  subscriber told by DM (the next digest's window still covers its news).
- The ledger, not the scheduler, guarantees "once": a second instance sharing the database, a
  restart or a retried job finds the (channel, date) row held or done and posts nothing.
"""
from __future__ import annotations

import logging
import threading
import time as time_module
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import ConfigError, FeedConfig, Settings, load_feeds
from bot.digest import ledger
from bot.digest.alerts import run_alerts
from bot.digest import subscriptions as subs_db
from bot.digest.delivery import Outcome, given_up_text, run_digest, tell_subscriber
from bot.digest.render import ButtonValues
from bot.digest.subscriptions import DAY_NAMES, Subscription
from bot.ingest.feeds import all_feeds
from bot.ingest.indexer import IndexReport, build_indexer
from bot.ingest.reindex import poll_feed, reindex_corpus
from bot.search.engines import follow_index_run
from bot.store.db import Store
from bot.wording import plural

log = logging.getLogger(__name__)

RECONCILE_SECONDS = 60
ALERT_SECONDS = 60
LEDGER_LOOKBACK = timedelta(days=7)  # unfinished digests older than this are left alone
PACING_SECONDS = 1.0  # between posts of a catch-up burst: about one message per second


def cron_trigger(sub: Subscription) -> CronTrigger:
    """The subscription's posting times, in its own time zone."""
    hour, minute = sub.time.split(":")
    days = ",".join(DAY_NAMES[d] for d in sorted(sub.days))
    return CronTrigger(day_of_week=days, hour=int(hour), minute=int(minute), timezone=sub.zone)


class DigestScheduler:
    """Digest jobs over one store. `clock` and `sleep` are injectable so tests drive time explicitly."""

    def __init__(self, store: Store, settings: Settings, client, *, clock: Callable[[], datetime] | None = None,
                 sleep: Callable[[float], None] = time_module.sleep, indexer_factory=None,
                 buttons: ButtonValues | None = None):
        self.store = store
        self.settings = settings
        self.client = client
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.sleep = sleep
        self.buttons = buttons
        self.indexer_factory = indexer_factory or build_indexer
        self.grace = timedelta(hours=settings.digest.grace_hours)
        self.lease = timedelta(minutes=settings.digest.lease_minutes)
        self.scheduler = BackgroundScheduler(timezone="UTC", job_defaults={
            "coalesce": True, "max_instances": 1, "misfire_grace_time": int(self.grace.total_seconds()) or 1})
        self._index_lock = threading.Lock()  # re-indexing and digests take turns in this process

    # -- the jobs ------------------------------------------------------------------------------

    def fire(self, channel: str) -> Outcome | None:
        """A subscription's cron job: post the digest for its latest due time, if that is within grace."""
        with self._index_lock:  # never mid re-index: a file half-stored now would fall between two windows
            return self._fire(channel)

    def _fire(self, channel: str) -> Outcome | None:
        now = self.clock()
        sub = subs_db.get(self.store, channel)
        if sub is None:
            log.info("digest job for %s: no subscription any more", channel)
            return None
        due = sub.last_due(now)
        if due is None or now - due > self.grace:
            log.warning("digest job for %s ran at %s, too far from any scheduled time: skipped", channel, now)
            return None
        return run_digest(self.store, self.client, sub, due.date(), now=now, delayed=now - due > timedelta(minutes=5),
                          sleep=self.sleep, lease=self.lease, buttons=self.buttons)

    def catch_up(self) -> list[Outcome]:
        """At start and every few minutes: post each digest that is owed and not done, once, if within
        grace (missed while down, failed, or left by a process that died); give up older ones."""
        with self._index_lock:
            return self._catch_up()

    def _catch_up(self) -> list[Outcome]:
        now = self.clock()
        outcomes = []
        for sub, due in self._owed(now):
            row = ledger.get(self.store, sub.channel, due.date())
            if row is not None and row.held(now, self.lease):
                log.info("digest for %s due %s is being posted by %s", sub.channel, due.isoformat(), row.claimed_by)
                continue
            if row is not None and not row.open_to_claim(now, self.lease):  # done or given up
                continue
            late = now - due
            if late > self.grace:
                self._give_up(sub, due, row, late, now)
                continue
            if outcomes:
                self.sleep(PACING_SECONDS)
            what = "was missed" if row is None else f"is {row.status} ({row.error or 'by ' + row.claimed_by})"
            log.info("digest for %s due %s %s %s ago: posting it now", sub.channel, due.isoformat(), what,
                     _hours(late))
            outcomes.append(run_digest(self.store, self.client, sub, due.date(), now=now, delayed=True,
                                       sleep=self.sleep, lease=self.lease, buttons=self.buttons))
        return outcomes

    def _owed(self, now: datetime) -> list[tuple[Subscription, datetime]]:
        """(subscription, due time) of each digest to look at: the latest one due, and unfinished ones in
        the ledger; never one due before its subscription was made, nor a paused one."""
        subs = {sub.channel: sub for sub in subs_db.all_subscriptions(self.store) if not sub.paused}
        owed = {}
        for sub in subs.values():
            if (due := sub.last_due(now)) is not None:
                owed[(sub.channel, due.date())] = (sub, due)
        for row in ledger.unfinished(self.store, since=(now - LEDGER_LOOKBACK).date()):
            if (sub := subs.get(row.channel)) is not None:
                owed.setdefault((row.channel, row.digest_date), (sub, sub.scheduled_at(row.digest_date)))
        return [(sub, due) for _, (sub, due) in sorted(owed.items()) if sub.owes(due) and due <= now]

    def _give_up(self, sub: Subscription, due: datetime, row, late: timedelta, now: datetime) -> None:
        """Past the grace period: recorded once, logged, and the subscriber told."""
        reason = (f"it was due {_hours(late)} ago, beyond the {_hours(self.grace)} grace period"
                  + (f" ({row.error})" if row is not None and row.error else
                     " (the process posting it stopped)" if row is not None else
                     " (it was never started: no bot was running, or the digest was paused)"))
        if not ledger.give_up(self.store, sub.channel, due.date(), reason, now=now, lease=self.lease):
            return  # another instance did
        log.warning("digest for %s due %s was %s %s ago, beyond the %s grace period: skipped "
                    "(the next digest covers its news)", sub.channel, due.isoformat(),
                    "missed" if row is None else f"left {row.status}", _hours(late), _hours(self.grace))
        tell_subscriber(self.client, sub, given_up_text(sub, due.date(), reason), sleep=self.sleep)

    def reindex(self) -> IndexReport | None:
        """The corpus re-index job (bot.ingest.reindex), taking turns with the digests of this process."""
        report = reindex_corpus(self.store, self.settings, self._index_lock, self.indexer_factory)
        follow_index_run(self.store)  # this process's lookups find what it indexed without waiting for it
        return report

    def poll(self, feed: FeedConfig) -> None:
        """A feed's job (bot.ingest.reindex.poll_feed), taking turns with the other index jobs and digests."""
        poll_feed(self.store, self.settings, feed, self._index_lock, self.indexer_factory)
        follow_index_run(self.store)
        self.alert()

    def alert(self) -> list[str]:
        """Post the alerts for followed actors that are due (bot.digest.alerts); the ts of each one posted."""
        with self._index_lock:  # never mid re-index, as digests
            return run_alerts(self.store, self.client, now=self.clock(), buttons=self.buttons, sleep=self.sleep,
                              lease=self.lease)

    def reconcile_feeds(self) -> None:
        """Make the feed jobs match the feeds (added, changed, removed): a new one is polled at once. A
        feeds.yaml that no longer reads leaves the jobs as they are (the error is logged)."""
        try:
            wanted = {f"feed:{feed.url}": feed for feed in all_feeds(self.store, load_feeds(self.settings.config_dir))}
        except ConfigError as exc:
            log.error("feeds not reconciled: %s", exc)
            return
        for job in self.scheduler.get_jobs():
            if job.id.startswith("feed:") and wanted.get(job.id) != job.args[0]:
                job.remove()
        present = {job.id for job in self.scheduler.get_jobs()}
        for job_id, feed in wanted.items():
            if job_id not in present:
                self.scheduler.add_job(self.poll, IntervalTrigger(minutes=feed.every_minutes), args=[feed], id=job_id,
                                       name=f"feed {feed.url}", next_run_time=datetime.now(timezone.utc))

    def reconcile(self) -> None:
        """Make the cron jobs match the subscriptions table (added, changed, removed), and the feed jobs the
        feeds."""
        self.reconcile_feeds()
        wanted = {}
        for sub in subs_db.all_subscriptions(self.store):
            wanted[f"digest:{sub.channel}"] = (sub, repr(cron_trigger(sub)))  # repr() includes the time zone
        for job in self.scheduler.get_jobs():
            if job.id.startswith("digest:") and (job.id not in wanted or repr(job.trigger) != wanted[job.id][1]):
                job.remove()
        present = {job.id for job in self.scheduler.get_jobs()}
        for job_id, (sub, _) in wanted.items():
            if job_id not in present:
                self.scheduler.add_job(self.fire, cron_trigger(sub), args=[sub.channel], id=job_id,
                                       name=f"digest for {sub.channel} at {sub.time} {sub.timezone} ({sub.days_label()})")

    # -- life cycle ----------------------------------------------------------------------------

    def start(self) -> BackgroundScheduler:
        subs_db.load_and_sync(self.store, self.settings)
        self.reconcile()
        self.scheduler.add_job(self.reconcile, IntervalTrigger(seconds=RECONCILE_SECONDS), id="digest-subscriptions")
        minutes = self.settings.digest.reindex_minutes
        if minutes and minutes > 0:
            self.scheduler.add_job(self.reindex, IntervalTrigger(minutes=minutes), id="corpus-reindex")
        feeds = [job for job in self.scheduler.get_jobs() if job.id.startswith("feed:")]  # added by reconcile()
        self.scheduler.add_job(self.alert, IntervalTrigger(seconds=ALERT_SECONDS), id="followed-alerts")
        # At once (without blocking start-up), then as often as a lease can run out.
        self.scheduler.add_job(self.catch_up, IntervalTrigger(seconds=self.lease.total_seconds()), id="digest-catch-up",
                               next_run_time=datetime.now(timezone.utc))
        self.scheduler.start()
        log.info("digest scheduler started: %s, re-index every %s min, %s polled, grace %s, catch-up every %s min",
                 plural(len([j for j in self.scheduler.get_jobs() if j.id.startswith("digest:")]), "subscription"),
                 minutes, plural(len(feeds), "feed"), _hours(self.grace), self.settings.digest.lease_minutes)
        return self.scheduler


def start(*, store: Store, settings: Settings, client, buttons: ButtonValues | None = None) -> BackgroundScheduler:
    """Start digests in this process (called by `newsbot run`): returns the running scheduler.

    `client` is the bot's slack_sdk WebClient, `buttons` what the digest's buttons carry. Raises ConfigError
    when config/digests.yaml is wrong."""
    return DigestScheduler(store, settings, client, buttons=buttons).start()


def _hours(delta: timedelta) -> str:
    return f"{delta.total_seconds() / 3600:.1f} h"
