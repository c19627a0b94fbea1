"""Alerts for followed actors: a new mention or quote of an actor a channel follows, posted when it is indexed.

The alert goes in a thread under that day's digest message in the channel, or, when no digest was posted
there that day, as a message of its own. At most one alert per actor per channel per hour
(`ALERT_EVERY`): the alert shows the first new quote (else the first new mention) and counts the rest;
what comes in during the hour after it waits for the next alert, which covers everything since.

"New" mirrors the digest (bot.digest.build): a story counts when it is indexed after the previous alert
and published on or after the day, in the channel's time zone, of the later of the follow and 24 hours
before the alert. An archive backfill and undated articles never alert.

Exactly once, as digests (bot.digest.ledger, on the `alert_ledger` table): each alert is a row keyed by
(channel, actor, seq), claimed before posting, with a lease and a marker in the message's metadata that a
process taking over a crashed post looks for in the thread or channel before posting again. Row 0 records
when the channel began to follow the actor (status quiet, never posted). An alert that failed, or whose
holder died, is tried again at each look for an hour, then given up: the next alert counts its news.
"""
from __future__ import annotations

import logging
import time as time_module
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, insert, or_, select
from sqlalchemy.exc import IntegrityError

from bot.digest import ledger
from bot.digest import subscriptions as subs_db
from bot.digest.build import (
    DigestFilters, Followed, as_utc, followed_news, history_before, new_article_ids, published_since, resolve_actors,
    window_quotes,
)
from bot.digest.delivery import (
    ChannelUnavailable, HistoryUnreadable, find_posted, paused_text, post_message, tell_subscriber,
)
from bot.digest.render import ButtonValues, render_alert
from bot.digest.subscriptions import Subscription
from bot.store.db import Store
from bot.store.schema import LedgerStatus, alert_ledger, articles, mentions, quote_occurrences, quotes
from bot.wording import plural

log = logging.getLogger(__name__)

ALERT_EVERY = timedelta(hours=1)  # per actor per channel
NEWS_WINDOW = ledger.FIRST_WINDOW  # a story published before the day this long ago is not news (the digest's rule)
MARKER_EVENT = "newsbot_alert"


@dataclass
class Alert:
    """One alert as posted: the actor's news indexed in [since, until), in the channel's time zone."""

    channel: str
    timezone: str
    since: datetime
    until: datetime
    news: Followed

    @property
    def quiet(self) -> bool:
        return not self.news.total_mentions and not self.news.total_quotes


def entry(channel: str, actor_id: int, seq: int) -> ledger.Entry:
    return ledger.Entry(alert_ledger, (("channel", channel), ("actor_id", actor_id), ("seq", seq)))


def marker(channel: str, actor_id: int, seq: int) -> dict:
    """The message metadata that identifies an alert in the channel or thread."""
    return {"event_type": MARKER_EVENT, "event_payload": {"channel": channel, "actor_id": actor_id, "seq": seq}}


def compose(store: Store, sub: Subscription, name: str, actor_ids: list[int], since: datetime, until: datetime,
            followed_since: datetime) -> Alert:
    """The followed actor's news indexed in [since, until) that is new news (see the module's docstring)."""
    first_day = published_since(max(as_utc(followed_since), as_utc(until) - NEWS_WINDOW), sub.timezone)
    filters = DigestFilters(sources=tuple(sub.sources))
    # Only the new stories that name the actor or quote it: a quiet week is not read every minute.
    named = exists().where(mentions.c.article_id == articles.c.id, mentions.c.actor_id.in_(actor_ids))
    quoted = exists().where(quote_occurrences.c.article_id == articles.c.id,
                            quote_occurrences.c.quote_id == quotes.c.id, quotes.c.speaker_actor_id.in_(actor_ids))
    new_ids = new_article_ids(as_utc(since), as_utc(until), first_day, filters).where(or_(named, quoted))
    with store.connect() as conn:
        history = history_before(as_utc(since), as_utc(until), first_day)
        said = [q for q in window_quotes(conn, history, new_ids, set(actor_ids), set()) if q.first_time]
        news = followed_news(conn, name, actor_ids, new_ids, said)  # a quote said before is no new quote
    return Alert(channel=sub.channel, timezone=sub.timezone, since=as_utc(since), until=as_utc(until), news=news)


def _latest(store: Store, channel: str, actor_id: int):
    """(the follow's start row, the latest row) of this actor in this channel, or (None, None): two rows
    read by the key, however many alerts the follow has had (this runs every minute)."""
    rows = select(alert_ledger).where(and_(alert_ledger.c.channel == channel, alert_ledger.c.actor_id == actor_id))
    with store.connect() as conn:
        start = conn.execute(rows.where(alert_ledger.c.seq == 0)).mappings().first()
        latest = conn.execute(rows.order_by(alert_ledger.c.seq.desc()).limit(1)).mappings().first()
    return (start, latest) if start is not None else (None, None)


def _start(store: Store, channel: str, actor_id: int, now: datetime) -> None:
    """Row 0: from now on this channel's follow of the actor alerts (another process may have written it)."""
    now = as_utc(now)
    try:
        with store.begin() as conn:
            conn.execute(insert(alert_ledger).values(
                channel=channel, actor_id=actor_id, seq=0, status=LedgerStatus.QUIET, covered_from=now,
                covered_until=now, claimed_at=now, claimed_by=ledger.instance_name(), attempts=0))
    except IntegrityError:
        pass


def digest_thread(store: Store, sub: Subscription, now: datetime) -> str | None:
    """The ts of the channel's digest posted today (in its time zone), to thread the alert under."""
    row = ledger.get(store, sub.channel, now.astimezone(sub.zone).date())
    return row.ts if row is not None and row.status == LedgerStatus.POSTED else None


def run_alerts(store: Store, client, *, now: datetime, buttons: ButtonValues | None = None,
               sleep: Callable[[float], None] = time_module.sleep, lease: timedelta = ledger.LEASE,
               claimed_by: str | None = None, channel: str | None = None) -> list[str]:
    """Post every alert that is due in every subscribed channel (or in `channel` only), once; the ts of each
    one posted.

    Every error is caught per alert: one channel's failure never stops the others."""
    posted = []
    for sub in subs_db.all_subscriptions(store):
        if sub.paused or not sub.alerts or not sub.follow or channel not in (None, sub.channel):
            continue
        with store.connect() as conn:
            followed = resolve_actors(conn, sub.follow)
        for name, actor_ids in followed.items():
            if not actor_ids:
                continue
            try:
                ts = alert_actor(store, client, sub, name, actor_ids, now=now, buttons=buttons, sleep=sleep,
                                 lease=lease, claimed_by=claimed_by)
            except Exception:  # a database hiccup, a bug: logged, tried again at the next run
                log.exception("alert for %s in %s failed", name, sub.channel)
                continue
            if ts:
                posted.append(ts)
            if sub.paused:
                break  # the channel refused the post: no more alerts there until /digest resume
    return posted


def alert_actor(store: Store, client, sub: Subscription, name: str, actor_ids: list[int], *, now: datetime,
                buttons: ButtonValues | None = None, sleep: Callable[[float], None] = time_module.sleep,
                lease: timedelta = ledger.LEASE, claimed_by: str | None = None) -> str | None:
    """The followed actor's alert in `sub`'s channel, if one is due: posted once, its ts returned."""
    channel, actor_id, now = sub.channel, actor_ids[0], as_utc(now)
    start, latest = _latest(store, channel, actor_id)
    if start is None:
        _start(store, channel, actor_id, now)
        return None
    state = ledger.Leased(**ledger.leased_fields(latest))
    if state.status == LedgerStatus.CLAIMED and state.held(now, lease):
        return None  # another process is posting it
    if state.open_to_claim(now, lease):  # failed, or its holder died: the same alert, once
        if now - as_utc(latest["covered_until"]) > ALERT_EVERY:  # still not out: the next alert has its news
            if ledger.abandon(store, entry(channel, actor_id, latest["seq"]), "not posted within the hour",
                              now=now, lease=lease):
                log.warning("alert for %s in %s given up after %s: %s", name, channel,
                            plural(state.attempts, "attempt"), state.error or "its holder stopped")
            return None
        seq, thread_ts = latest["seq"], latest["thread_ts"]
        since, until = latest["covered_from"], latest["covered_until"]
    else:
        if state.status == LedgerStatus.POSTED and now < as_utc(latest["covered_until"]) + ALERT_EVERY:
            return None  # one an hour: the rest waits for the next alert, which counts it
        # A given-up alert was never posted: its news goes in the next one.
        since = latest["covered_from"] if state.status == LedgerStatus.GIVEN_UP else latest["covered_until"]
        seq, until, thread_ts = latest["seq"] + 1, now, digest_thread(store, sub, now)
    alert = compose(store, sub, name, actor_ids, since, until, start["covered_until"])
    if alert.quiet:
        return None
    held_entry = entry(channel, actor_id, seq)
    claim = ledger.take(store, held_entry, dict(covered_from=alert.since, covered_until=alert.until,
                                                thread_ts=thread_ts),
                        now=now, lease=lease, claimed_by=claimed_by)
    if claim is None:
        return None
    with ledger.Lease(store, claim, now=now, length=lease) as held:
        return _deliver(store, client, sub, alert, claim, held, thread_ts, buttons=buttons, sleep=sleep)


def _deliver(store: Store, client, sub: Subscription, alert: Alert, claim: ledger.Claim, held: ledger.Lease,
             thread_ts: str | None, *, buttons: ButtonValues | None, sleep: Callable[[float], None]) -> str | None:
    key = dict(claim.entry.key)
    wanted = marker(sub.channel, key["actor_id"], key["seq"])
    what = f"alert for {alert.news.name} in {sub.channel}"
    try:
        ts = None
        if claim.unsure_since is not None:  # an earlier holder's post may have gone through
            ts = find_posted(client, sub.channel, wanted, claim.unsure_since, thread_ts=thread_ts)
        if ts is None:
            ts = post_message(client, sub.channel, render_alert(alert.news, alert.since, alert.timezone, buttons),
                              sleep=sleep, metadata=wanted, thread_ts=thread_ts, lease=held,
                              already_posted=lambda: find_posted(client, sub.channel, wanted, held.started,
                                                                 thread_ts=thread_ts))
    except ledger.LeaseLost as exc:
        log.warning("%s: not posting it", exc)
        return None
    except HistoryUnreadable as exc:
        reason = f"could not read the channel's history to see whether it went out ({exc})"
        (ledger.given_up if exc.permanent else ledger.failed)(store, claim.entry, reason)
        log.warning("%s: %s", what, reason)
        return None
    except ChannelUnavailable as exc:
        ledger.given_up(store, claim.entry, str(exc))
        subs_db.set_paused(store, sub.channel, True, str(exc))
        sub.paused = True
        log.warning("%s not posted, digest and alerts paused: Slack says %s", what, exc)
        tell_subscriber(client, sub, paused_text(sub, str(exc)), sleep=sleep)
        return None
    except Exception as exc:  # DeliveryFailed (rate limits past their waits, errors), a database hiccup
        ledger.failed(store, claim.entry, f"{exc.__class__.__name__}: {exc}")
        log.exception("%s failed: tried again at the next run", what)
        return None
    ledger.posted(store, claim.entry, ts)
    log.info("%s posted (ts %s%s)", what, ts, f", in the thread of {thread_ts}" if thread_ts else "")
    return ts
