"""The one scheduler in the bot process: a cron job per subscription, re-indexing, catch-up.

`newsbot run` calls `start(store=…, settings=…, client=…)` once, after the Slack app is built;
it returns the running APScheduler `BackgroundScheduler` (call `.shutdown()` to stop it).

- Each subscription gets a `CronTrigger` in its own IANA time zone, so 08:00 stays 08:00 local
  through daylight-saving changes; weekday-only subscriptions simply have no weekend runs.
- Every minute the jobs are reconciled with the subscriptions table, so `/digest subscribe`
  from any instance takes effect without a restart.
- Every `digest.reindex_minutes` the corpus folders are re-indexed (new and changed files only),
  so the next digest sees articles dropped into `seeds/` without a restart.
- At start, each subscription whose latest scheduled time passed less than `digest.grace_hours`
  ago and whose digest is not in the ledger is posted once, marked as late; older misses are
  skipped and logged (the next digest's window still covers them).
- The ledger, not the scheduler, guarantees "once": a second instance sharing the database, a
  restart or a retried job finds the (channel, date) row already claimed and posts nothing.
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

from bot.config import Settings
from bot.digest import ledger
from bot.digest import subscriptions as subs_db
from bot.digest.delivery import Outcome, run_digest
from bot.digest.subscriptions import DAY_NAMES, Subscription
from bot.store.db import IndexRunBusy, Store

log = logging.getLogger(__name__)

RECONCILE_SECONDS = 60
PACING_SECONDS = 1.0  # between posts of a catch-up burst: about one message per second


def cron_trigger(sub: Subscription) -> CronTrigger:
    """The subscription's posting times, in its own time zone."""
    hour, minute = sub.time.split(":")
    days = ",".join(DAY_NAMES[d] for d in sorted(sub.days))
    return CronTrigger(day_of_week=days, hour=int(hour), minute=int(minute), timezone=sub.zone)


class DigestScheduler:
    """Digest jobs over one store. `clock` and `sleep` are injectable so tests drive time explicitly."""

    def __init__(self, store: Store, settings: Settings, client, *, clock: Callable[[], datetime] | None = None,
                 sleep: Callable[[float], None] = time_module.sleep, indexer_factory=None):
        self.store = store
        self.settings = settings
        self.client = client
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.sleep = sleep
        self.indexer_factory = indexer_factory or default_indexer
        self.grace = timedelta(hours=settings.digest.grace_hours)
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
                          sleep=self.sleep)

    def catch_up(self) -> list[Outcome]:
        """At start: post each digest missed while the bot was down, once, if within grace."""
        with self._index_lock:
            return self._catch_up()

    def _catch_up(self) -> list[Outcome]:
        now = self.clock()
        outcomes = []
        for sub in subs_db.all_subscriptions(self.store):
            due = sub.last_due(now)
            if sub.paused or due is None:
                continue
            row = ledger.get(self.store, sub.channel, due.date())
            if row is not None and row.status != "failed":  # posted, quiet, or claimed by someone
                continue
            late = now - due
            if late > self.grace:
                log.warning("digest for %s due %s was missed %s ago, beyond the %s grace period: skipped "
                            "(the next digest covers its news)", sub.channel, due.isoformat(), _hours(late),
                            _hours(self.grace))
                continue
            if outcomes:
                self.sleep(PACING_SECONDS)
            log.info("digest for %s due %s was missed %s ago: posting it now", sub.channel, due.isoformat(), _hours(late))
            outcomes.append(run_digest(self.store, self.client, sub, due.date(), now=now, delayed=True, sleep=self.sleep))
        return outcomes

    def reindex(self):
        """Pick up new and changed corpus files (one run at a time, in this process and across them)."""
        if not self._index_lock.acquire(blocking=False):  # a re-index or a digest is running: next time
            return None
        try:
            folders = self.settings.corpus_folders
            report = self.indexer_factory(self.store, self.settings).run(folders, roots=folders, wait=False)
            if report.files_indexed or report.files_removed:
                log.info("re-index: %d file(s) indexed, %d removed, %d new article(s)", report.files_indexed,
                         report.files_removed, report.articles_added)
            return report
        except IndexRunBusy:  # `newsbot index`, or another instance, is at it: its run picks the files up
            log.info("re-index skipped: another index run is writing to %s", self.store.display_url)
            return None
        except Exception:
            log.exception("re-index of %s failed", ", ".join(map(str, self.settings.corpus_folders)))
            return None
        finally:
            self._index_lock.release()

    def reconcile(self) -> None:
        """Make the cron jobs match the subscriptions table (added, changed, removed)."""
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
        self.scheduler.add_job(self.catch_up, id="digest-catch-up")  # at once, without blocking start-up
        self.scheduler.start()
        log.info("digest scheduler started: %d subscription(s), re-index every %s min, grace %s",
                 len([j for j in self.scheduler.get_jobs() if j.id.startswith("digest:")]), minutes, _hours(self.grace))
        return self.scheduler


def default_indexer(store: Store, settings: Settings):
    from bot.store.indexer import Indexer

    try:
        from bot.nlp.gazetteer import load_gazetteer
    except ImportError:
        return Indexer(store)
    return Indexer(store, gazetteer=load_gazetteer(settings.config_dir / "actors.yaml"))


def start(*, store: Store, settings: Settings, client) -> BackgroundScheduler:
    """Start digests in this process (called by `newsbot run`): returns the running scheduler.

    `client` is the bot's slack_sdk WebClient. Raises ConfigError when config/digests.yaml is wrong."""
    return DigestScheduler(store, settings, client).start()


def _hours(delta: timedelta) -> str:
    return f"{delta.total_seconds() / 3600:.1f} h"
